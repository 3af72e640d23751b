// Vector math in registers: exp, log, log1p, and per-lane libm calls where LLVM has no intrinsic.
#include "emitter.h"

namespace proxjit::codegen {

// exp(a), lane by lane in registers: LLVM expands llvm.exp on vectors into one libm call per
// lane, which dominates a loss's gradient (logistic: one exp per sample). Cody-Waite range
// reduction a = k ln2 + r, |r| <= ln2/2, a Taylor polynomial for e^r (degree 13 in double,
// 7 in float: truncation below half an ulp), and 2^k applied in two halves so that
// subnormal results and overflow to inf come out right. Within 2 ulp of libm's exp; NaN
// stays NaN.
Value* KernelEmitter::emit_exp(Value* a) {
  llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
  b_.clearFastMathFlags();
  Type* type = a->getType();
  const bool wide = type->getScalarType() == f64_;
  auto* vector_type = llvm::dyn_cast<llvm::FixedVectorType>(type);
  Type* int_type = wide ? i64_ : b_.getInt32Ty();
  if (vector_type) int_type = llvm::FixedVectorType::get(int_type, vector_type->getNumElements());
  const auto constant = [&](double v) { return llvm::ConstantFP::get(type, v); };
  const auto integer = [&](std::int64_t v) { return llvm::ConstantInt::get(int_type, v); };
  // Beyond these every result is 0 or inf; clamping keeps k in range for the scaling.
  const double low = wide ? -746.0 : -104.0, high = wide ? 710.0 : 89.0;
  Value* x = b_.CreateBinaryIntrinsic(
      llvm::Intrinsic::minnum, b_.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, a, constant(low)),
      constant(high));
  Value* k = b_.CreateUnaryIntrinsic(llvm::Intrinsic::rint,
                                     b_.CreateFMul(x, constant(1.4426950408889634)));
  // ln2 split so that k * ln2_hi is exact.
  const double ln2_hi = wide ? 6.93147180369123816490e-01 : 0.693145751953125;
  const double ln2_lo = wide ? 1.90821492927058770002e-10 : 1.428606765330187045e-06;
  Value* r = b_.CreateFSub(x, b_.CreateFMul(k, constant(ln2_hi)));
  r = b_.CreateFSub(r, b_.CreateFMul(k, constant(ln2_lo)));
  const int degree = wide ? 13 : 7;
  double factorial = 1.0;
  for (int i = 2; i <= degree; ++i)
    factorial *= i;
  // Horner: sum_{i=0..degree} r^i / i!, highest power first.
  Value* p = constant(1.0 / factorial);
  for (int i = degree - 1; i >= 0; --i) {
    factorial /= (i + 1);
    p = b_.CreateIntrinsic(llvm::Intrinsic::fma, {type}, {p, r, constant(1.0 / factorial)});
  }
  Value* ki = b_.CreateFPToSI(k, int_type);
  Value* half = b_.CreateAShr(ki, integer(1));
  Value* rest = b_.CreateSub(ki, half);
  const int mantissa = wide ? 52 : 23;
  const int bias = wide ? 1023 : 127;
  const auto power_of_two = [&](Value* e) {
    return b_.CreateBitCast(b_.CreateShl(b_.CreateAdd(e, integer(bias)), integer(mantissa)), type);
  };
  Value* result = b_.CreateFMul(b_.CreateFMul(p, power_of_two(half)), power_of_two(rest));
  return b_.CreateSelect(b_.CreateFCmpUNO(a, a), a, result);
}

// log(a), lane by lane in registers (LLVM would call libm's log once per lane): a = 2^e m
// with m in [sqrt(1/2), sqrt(2)) (subnormals scaled up first), f = m - 1, s = f / (2 + f),
// log(m) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R(s^2))) with R the atanh series' tail
// (z = s^2 <= 0.0295: 10 terms in double, 4 in float, truncation below a quarter ulp), and
// e ln2 added in two parts. Within 2 ulp of libm's log; log(0) = -inf, log(inf) = inf, NaN
// for a < 0 and NaN.
Value* KernelEmitter::emit_log(Value* a) {
  llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
  b_.clearFastMathFlags();
  Type* type = a->getType();
  const bool wide = type->getScalarType() == f64_;
  auto* vector_type = llvm::dyn_cast<llvm::FixedVectorType>(type);
  Type* int_type = wide ? i64_ : b_.getInt32Ty();
  if (vector_type) int_type = llvm::FixedVectorType::get(int_type, vector_type->getNumElements());
  const auto constant = [&](double v) { return llvm::ConstantFP::get(type, v); };
  const auto integer = [&](std::int64_t v) { return llvm::ConstantInt::get(int_type, v); };
  const int mantissa = wide ? 52 : 23;
  const int bias = wide ? 1023 : 127;
  const double smallest_normal = wide ? std::numeric_limits<double>::min()
                                      : static_cast<double>(std::numeric_limits<float>::min());
  const int scale_bits = wide ? 54 : 25;
  Value* subnormal = b_.CreateFCmpOLT(a, constant(smallest_normal));
  Value* x = b_.CreateSelect(subnormal, b_.CreateFMul(a, constant(std::ldexp(1.0, scale_bits))), a);
  Value* bits = b_.CreateBitCast(x, int_type);
  Value* exponent = b_.CreateSub(b_.CreateLShr(bits, integer(mantissa)), integer(bias));
  exponent = b_.CreateSub(exponent, b_.CreateSelect(subnormal, integer(scale_bits), integer(0)));
  const std::int64_t fraction_mask = (std::int64_t{1} << mantissa) - 1;
  Value* m = b_.CreateBitCast(b_.CreateOr(b_.CreateAnd(bits, integer(fraction_mask)),
                                          integer(static_cast<std::int64_t>(bias) << mantissa)),
                              type);
  Value* big = b_.CreateFCmpOGT(m, constant(1.4142135623730951));
  m = b_.CreateSelect(big, b_.CreateFMul(m, constant(0.5)), m);
  exponent = b_.CreateAdd(exponent, b_.CreateZExt(big, int_type));
  Value* e = b_.CreateSIToFP(exponent, type);
  Value* f = b_.CreateFSub(m, constant(1.0));
  Value* s = b_.CreateFDiv(f, b_.CreateFAdd(constant(2.0), f));
  Value* z = b_.CreateFMul(s, s);
  const int terms = wide ? 10 : 4;
  // R = z (2/3 + z (2/5 + ... + z 2/(2 terms + 1))), Horner from the last term.
  Value* tail = constant(2.0 / (2 * terms + 1));
  for (int k = terms - 1; k >= 1; --k)
    tail = b_.CreateIntrinsic(llvm::Intrinsic::fma, {type}, {tail, z, constant(2.0 / (2 * k + 1))});
  Value* R = b_.CreateFMul(z, tail);
  Value* half_square = b_.CreateFMul(constant(0.5), b_.CreateFMul(f, f));
  const double ln2_hi = wide ? 6.93147180369123816490e-01 : 0.693145751953125;
  const double ln2_lo = wide ? 1.90821492927058770002e-10 : 1.428606765330187045e-06;
  // e ln2_hi - ((half_square - (s (half_square + R) + e ln2_lo)) - f)
  Value* inner = b_.CreateFAdd(b_.CreateFMul(s, b_.CreateFAdd(half_square, R)),
                               b_.CreateFMul(e, constant(ln2_lo)));
  Value* result = b_.CreateFSub(b_.CreateFMul(e, constant(ln2_hi)),
                                b_.CreateFSub(b_.CreateFSub(half_square, inner), f));
  Value* infinity = llvm::ConstantFP::getInfinity(type);
  Value* special = b_.CreateSelect(
      b_.CreateFCmpOEQ(a, constant(0.0)), llvm::ConstantFP::getInfinity(type, true),
      b_.CreateSelect(b_.CreateFCmpOEQ(a, infinity), infinity, llvm::ConstantFP::getNaN(type)));
  Value* regular = b_.CreateAnd(b_.CreateFCmpOGT(a, constant(0.0)), b_.CreateFCmpOLT(a, infinity));
  return b_.CreateSelect(regular, result, special);
}

// A libm function without an LLVM intrinsic (log1p, expm1, tanh): called per lane, resolved
// from the process when the JIT links the kernel.
Value* KernelEmitter::emit_libm(const char* double_name, Value* a) {
  Type* element = a->getType()->getScalarType();
  const std::string name =
      element == f64_ ? std::string(double_name) : std::string(double_name) + "f";
  llvm::FunctionCallee callee =
      module_.getOrInsertFunction(name, llvm::FunctionType::get(element, {element}, false));
  if (auto* function = llvm::dyn_cast<Function>(callee.getCallee())) {
    function->setDoesNotThrow();
    function->setDoesNotAccessMemory();
  }
  auto* vector_type = llvm::dyn_cast<llvm::FixedVectorType>(a->getType());
  if (!vector_type) return b_.CreateCall(callee, {a});
  Value* result = llvm::PoisonValue::get(vector_type);
  for (unsigned lane = 0; lane < vector_type->getNumElements(); ++lane) {
    Value* value = b_.CreateCall(callee, {b_.CreateExtractElement(a, lane)});
    result = b_.CreateInsertElement(result, value, lane);
  }
  return result;
}

// log1p(u) = log(1 + u) u / ((1 + u) - 1) (u where 1 + u rounds to 1): as accurate as libm's
// log1p to a few ulps (the rounding of 1 + u cancels out), through emit_log. Infinity maps to
// itself.
Value* KernelEmitter::emit_log1p(Value* u) {
  // Strict IEEE here: reassociation would fold (1 + u) - 1 to u and lose the correction.
  llvm::IRBuilderBase::FastMathFlagGuard strict(b_);
  b_.clearFastMathFlags();
  Type* type = u->getType();
  Value* one = llvm::ConstantFP::get(type, 1.0);
  Value* w = b_.CreateFAdd(one, u);
  Value* shifted = b_.CreateFSub(w, one);
  Value* corrected = b_.CreateFMul(emit_log(w), b_.CreateFDiv(u, shifted));
  Value* tiny = b_.CreateFCmpOEQ(w, one);
  Value* infinite = b_.CreateFCmpOEQ(u, llvm::ConstantFP::getInfinity(type));
  return b_.CreateSelect(b_.CreateOr(tiny, infinite), u, corrected);
}

}  // namespace proxjit::codegen
