// IR emission for the fused proximal-gradient kernel.
//
// The kernel is one function that runs the whole loop:
//   repeat: g = grad f(x)                     (register-blocked matvec for the layout)
//           x = prox(x - step*g), s = |dx|^2   (one fused pass: step, prox, certificate sum)
//           stop on tolerance, divergence or budget
// The code is written in explicit vectors of kKernelLanes elements over data padded to whole
// vectors (kernel_spec.h): no remainder loops, aligned loads, and no loop vectorizer to run,
// which keeps both the machine code and the compile time small.
#include "emit_kernel.h"

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "proxjit/runtime/reference_solver.h"
#include "proxjit/runtime/status.h"
#include "proxjit/runtime/stochastic_solver.h"

namespace proxjit::codegen {
namespace {

using llvm::BasicBlock;
using llvm::Function;
using llvm::PHINode;
using llvm::Type;
using llvm::Value;

// KernelArgs fields, each 8 bytes, in declaration order (see kernel_spec.h).
enum ArgField : unsigned {
  kFieldA,
  kFieldB,
  kFieldX,
  kFieldWork,
  kFieldRows,
  kFieldCols,
  kFieldParams,
  kFieldStep,
  kFieldTolerance,
  kFieldMaxIterations,
  kFieldProgress,
  kFieldProgressContext,
  kFieldReportEvery,
  kFieldIterations,
  kFieldCertificate,
  kFieldStatus,
  kFieldOffsets,
  kFieldIndices,
  kFieldWeights,
  kFieldLossParams,
  kFieldPenalized,
  kFieldCurvature,
  kFieldProxCall,
  kFieldProxContext,
  kFieldSeed,
  kFieldBatchSize,
  kFieldStepSchedule,
  kFieldSampling,
  kFieldAveraging,
  kFieldGroups,
};

// Rows of A handled together by the matvecs: as many as there are lanes, so that their dot
// products reduce to one vector with a transpose-add (reduce_rows) and each pass over g or x
// serves that many rows.
constexpr int kLanes = static_cast<int>(kKernelLanes);
static_assert(kLanes == 8, "reduce_rows is written for 8 lanes");

class KernelEmitter {
 public:
  KernelEmitter(llvm::LLVMContext& context, llvm::Module& module, const KernelSpec& spec,
                const CodegenOptions& options)
      : context_(context), module_(module), spec_(spec), options_(options), b_(context) {
    scalar_ =
        spec.scalar == ScalarType::f64 ? Type::getDoubleTy(context) : Type::getFloatTy(context);
    vector_ = llvm::FixedVectorType::get(scalar_, kLanes);
    i64_ = Type::getInt64Ty(context);
    f64_ = Type::getDoubleTy(context);
    ptr_ = llvm::PointerType::get(context, 0);
    alignment_ = llvm::Align(kLanes * scalar_->getPrimitiveSizeInBits() / 8);
    // Sums may be reassociated and multiply-adds fused; NaN and infinity stay meaningful
    // (no nnan/ninf): they are how divergence and indicator values show up.
    llvm::FastMathFlags flags;
    flags.setAllowReassoc();
    flags.setAllowContract();
    flags.setNoSignedZeros();
    b_.setFastMathFlags(flags);
  }

  Function* emit(const std::string& symbol) {
    Function* body = emit_body(symbol + ".loop");
    return emit_entry(symbol, body);
  }

 private:
  using LoopBody = std::function<std::vector<Value*>(Value* index, std::vector<Value*> carried)>;

  // for (i = begin; i < end; ++i) with loop-carried values; returns their final values and
  // leaves the insert point after the loop.
  std::vector<Value*> emit_loop(Value* begin, Value* end, const std::vector<Value*>& initial,
                                const LoopBody& body, const char* name) {
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* preheader = b_.GetInsertBlock();
    BasicBlock* header = BasicBlock::Create(context_, std::string(name) + ".header", function);
    BasicBlock* loop = BasicBlock::Create(context_, std::string(name) + ".body", function);
    BasicBlock* exit = BasicBlock::Create(context_, std::string(name) + ".exit", function);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    PHINode* index = b_.CreatePHI(i64_, 2, std::string(name) + ".i");
    index->addIncoming(begin, preheader);
    std::vector<PHINode*> phis;
    std::vector<Value*> carried;
    for (Value* value : initial) {
      PHINode* phi = b_.CreatePHI(value->getType(), 2);
      phi->addIncoming(value, preheader);
      phis.push_back(phi);
      carried.push_back(phi);
    }
    b_.CreateCondBr(b_.CreateICmpSLT(index, end), loop, exit);
    b_.SetInsertPoint(loop);
    const std::vector<Value*> next = body(index, carried);
    Value* next_index = b_.CreateAdd(index, b_.getInt64(1), "", /*HasNUW=*/true, /*HasNSW=*/true);
    BasicBlock* latch = b_.GetInsertBlock();
    b_.CreateBr(header);
    index->addIncoming(next_index, latch);
    for (std::size_t k = 0; k < phis.size(); ++k)
      phis[k]->addIncoming(next[k], latch);
    b_.SetInsertPoint(exit);
    return carried;
  }

  // ---- memory and constants ----
  Value* address(Value* base, Value* index) { return b_.CreateInBoundsGEP(scalar_, base, index); }
  Value* load_scalar(Value* base, Value* index) {
    return b_.CreateLoad(scalar_, address(base, index));
  }
  // Vector accesses start at multiples of kLanes in aligned buffers.
  Value* load_vector(Value* base, Value* index) {
    return b_.CreateAlignedLoad(vector_, address(base, index), alignment_);
  }
  void store_vector(Value* value, Value* base, Value* index) {
    b_.CreateAlignedStore(value, address(base, index), alignment_);
  }
  Value* splat(Value* scalar) { return b_.CreateVectorSplat(kLanes, scalar); }
  Value* scalar_constant(double value) { return llvm::ConstantFP::get(scalar_, value); }
  Value* vector_constant(double value) { return llvm::ConstantFP::get(vector_, value); }
  Value* lanes_times(Value* chunk) {
    return b_.CreateMul(chunk, b_.getInt64(kLanes), "", true, true);
  }
  Value* fma(Value* a, Value* b, Value* c) { return b_.CreateFAdd(c, b_.CreateFMul(a, b)); }

  // Eight vectors in, one vector of their eight horizontal sums out (lane m = sum of sums[m]):
  // three rounds of shuffle-and-add instead of eight separate reductions.
  Value* reduce_rows(std::vector<Value*> sums) {
    const auto mix = [&](Value* a, Value* b, std::initializer_list<int> low,
                         std::initializer_list<int> high) {
      return b_.CreateFAdd(b_.CreateShuffleVector(a, b, llvm::ArrayRef<int>(low)),
                           b_.CreateShuffleVector(a, b, llvm::ArrayRef<int>(high)));
    };
    // Round 1 pairs (0,2) (1,3) (4,6) (5,7): halves added, so lanes 0-3 hold 4 partial sums of
    // the first vector and lanes 4-7 those of the second.
    std::vector<Value*> quarter;
    for (int first : {0, 1, 4, 5}) {
      quarter.push_back(mix(sums[first], sums[first + 2], {0, 1, 2, 3, 8, 9, 10, 11},
                            {4, 5, 6, 7, 12, 13, 14, 15}));
    }
    // Round 2: two partial sums per row, rows in order 0..3 and 4..7.
    Value* low =
        mix(quarter[0], quarter[1], {0, 1, 8, 9, 4, 5, 12, 13}, {2, 3, 10, 11, 6, 7, 14, 15});
    Value* high =
        mix(quarter[2], quarter[3], {0, 1, 8, 9, 4, 5, 12, 13}, {2, 3, 10, 11, 6, 7, 14, 15});
    // Round 3: even plus odd lanes.
    return mix(low, high, {0, 2, 4, 6, 8, 10, 12, 14}, {1, 3, 5, 7, 9, 11, 13, 15});
  }

  // ---- gradient of f, into grad_; returns the factor the update multiplies it by ----

  // quadratic: g = A x + b, A exactly symmetric (the Problem makes it so). Like BLAS symv,
  // each entry of the upper triangle is loaded once and used twice; for a block of kLanes
  // rows i0..i0+7 and every later chunk of columns j:
  //   dots_m += A[i0+m][j] * x[j]        (the row's dot product, kept in registers)
  //   g[j]   += sum_m A[i0+m][j] x[i0+m] (the column's share, via symmetry)
  // which halves the matrix traffic of a plain matvec and gives 2 FMAs per load of A.
  Value* emit_quadratic_gradient() {
    Value* chunks = chunks_;
    emit_loop(
        b_.getInt64(0), chunks, {},
        [&](Value* c, std::vector<Value*>) {
          Value* j = lanes_times(c);
          store_vector(load_vector(b_vector_, j), grad_, j);
          return std::vector<Value*>{};
        },
        "g.init");
    emit_loop(
        b_.getInt64(0), chunks, {},
        [&](Value* block, std::vector<Value*>) {
          Value* first = lanes_times(block);
          std::vector<Value*> rows, weights;
          for (int m = 0; m < kLanes; ++m) {
            Value* i = b_.CreateAdd(first, b_.getInt64(m), "", true, true);
            rows.push_back(address(A_, b_.CreateMul(i, stride_, "", true, true)));
            weights.push_back(splat(load_scalar(point_, i)));
          }
          // The diagonal block: g[i0..i0+7] += sum_m A[i0+m][i0..i0+7] x[i0+m].
          Value* diagonal = load_vector(grad_, first);
          for (int m = 0; m < kLanes; ++m)
            diagonal = fma(load_vector(rows[m], first), weights[m], diagonal);
          std::vector<Value*> zeros(kLanes, vector_constant(0.0));
          const std::vector<Value*> dots = emit_loop(
              b_.CreateAdd(block, b_.getInt64(1)), chunks, zeros,
              [&](Value* c, std::vector<Value*> partial) {
                Value* j = lanes_times(c);
                Value* xj = load_vector(point_, j);
                // Two chains for g[j] (even and odd rows) halve the latency of its update.
                Value* even = load_vector(grad_, j);
                Value* odd = nullptr;
                for (int m = 0; m < kLanes; ++m) {
                  Value* a = load_vector(rows[m], j);
                  partial[m] = fma(a, xj, partial[m]);
                  if (m % 2 == 0) {
                    even = fma(a, weights[m], even);
                  } else {
                    odd = odd ? fma(a, weights[m], odd) : b_.CreateFMul(a, weights[m]);
                  }
                }
                store_vector(b_.CreateFAdd(even, odd), grad_, j);
                return partial;
              },
              "symv");
          store_vector(b_.CreateFAdd(diagonal, reduce_rows(dots)), grad_, first);
          return std::vector<Value*>{};
        },
        "gq.block");
    return scalar_constant(1.0);
  }

  // Margin losses, dense rows: g = A'(w * dphi(Ax, b)) / n in one pass over A: for each block
  // of kLanes rows, their margins (dot products, reduced to one vector), dphi of them, and at
  // once their share of A'd, while the rows are still in cache. The 1/n is folded into the step.
  Value* emit_margin_gradient_dense() {
    emit_zero(grad_, chunks_);
    Value* row_blocks = sample_chunks_;
    emit_loop(
        b_.getInt64(0), row_blocks, {},
        [&](Value* block, std::vector<Value*>) {
          Value* first = lanes_times(block);
          std::vector<Value*> rows;
          for (int m = 0; m < kLanes; ++m) {
            Value* i = b_.CreateAdd(first, b_.getInt64(m), "", true, true);
            rows.push_back(address(A_, b_.CreateMul(i, stride_, "", true, true)));
          }
          std::vector<Value*> zeros(kLanes, vector_constant(0.0));
          const std::vector<Value*> dots = emit_loop(
              b_.getInt64(0), chunks_, zeros,
              [&](Value* c, std::vector<Value*> partial) {
                Value* k = lanes_times(c);
                Value* xk = load_vector(point_, k);
                for (int m = 0; m < kLanes; ++m)
                  partial[m] = fma(load_vector(rows[m], k), xk, partial[m]);
                return partial;
              },
              "margin");
          // Padding rows of A are zero, so whatever dphi gives there multiplies zeros.
          Value* derivative = emit_sample_derivative(reduce_rows(dots), first);
          std::vector<Value*> weights;
          for (int m = 0; m < kLanes; ++m) {
            weights.push_back(b_.CreateShuffleVector(derivative, std::vector<int>(kLanes, m)));
          }
          emit_loop(
              b_.getInt64(0), chunks_, {},
              [&](Value* c, std::vector<Value*>) {
                Value* k = lanes_times(c);
                Value* gk = load_vector(grad_, k);
                for (int m = 0; m < kLanes; ++m)
                  gk = fma(load_vector(rows[m], k), weights[m], gk);
                store_vector(gk, grad_, k);
                return std::vector<Value*>{};
              },
              "gradient");
          return std::vector<Value*>{};
        },
        "loss.block");
    return inverse_n();
  }

  // Margin losses, CSR rows, in three passes: every sample's margin over its nonzeros (into the
  // margins buffer), the weighted derivatives of all of them 8 at a time (vector exp and the
  // like), then each derivative scattered over its sample's nonzeros. Nothing dense per sample.
  Value* emit_margin_gradient_csr() {
    emit_zero(grad_, chunks_);
    const auto row_range = [&](Value* i) {
      Value* begin = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, i));
      Value* end = b_.CreateLoad(
          i64_, b_.CreateInBoundsGEP(i64_, offsets_, b_.CreateAdd(i, b_.getInt64(1))));
      return std::pair<Value*, Value*>{begin, end};
    };
    emit_loop(
        b_.getInt64(0), rows_, {},
        [&](Value* i, std::vector<Value*>) {
          auto [begin, end] = row_range(i);
          Value* margin = emit_loop(
              begin, end, {scalar_constant(0.0)},
              [&](Value* k, std::vector<Value*> sum) {
                Value* j = column_index(k);
                return std::vector<Value*>{fma(load_scalar(A_, k), load_scalar(point_, j), sum[0])};
              },
              "csr.margin")[0];
          b_.CreateStore(margin, address(margins_, i));
          return std::vector<Value*>{};
        },
        "csr.margins");
    // Padding samples get a margin of 0 and a derivative nobody reads.
    emit_loop(
        b_.getInt64(0), sample_chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* i = lanes_times(c);
          Value* real = b_.CreateICmpSLT(lane_index(i), splat(rows_));
          Value* z = b_.CreateSelect(real, load_vector(margins_, i), vector_constant(0.0));
          store_vector(emit_sample_derivative(z, i), margins_, i);
          return std::vector<Value*>{};
        },
        "csr.derivative");
    emit_loop(
        b_.getInt64(0), rows_, {},
        [&](Value* i, std::vector<Value*>) {
          auto [begin, end] = row_range(i);
          Value* derivative = load_scalar(margins_, i);
          emit_loop(
              begin, end, {},
              [&](Value* k, std::vector<Value*>) {
                Value* j = column_index(k);
                Value* g = address(grad_, j);
                b_.CreateStore(fma(load_scalar(A_, k), derivative, b_.CreateLoad(scalar_, g)), g);
                return std::vector<Value*>{};
              },
              "csr.scatter");
          return std::vector<Value*>{};
        },
        "csr.rows");
    return inverse_n();
  }

  Value* column_index(Value* k) {
    return b_.CreateSExt(
        b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), indices_, k)), i64_);
  }

  Value* inverse_n() {
    return b_.CreateFDiv(scalar_constant(1.0), b_.CreateSIToFP(rows_, scalar_));
  }

  void emit_zero(Value* base, Value* chunks) {
    emit_loop(
        b_.getInt64(0), chunks, {},
        [&](Value* c, std::vector<Value*>) {
          store_vector(vector_constant(0.0), base, lanes_times(c));
          return std::vector<Value*>{};
        },
        "zero");
  }

  // w_i dphi(z_i, b_i) for the kLanes samples from `first` (a vector of margins).
  // The derivative is emitted without fast-math flags: reassociation would let LLVM sink its
  // division into the loop that scatters it (one fdiv per nonzero instead of per sample), and
  // the exact IEEE order keeps it equal to the reference evaluator's.
  Value* emit_sample_derivative(Value* margins, Value* first) {
    llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
    b_.clearFastMathFlags();
    Value* d = emit_expr(spec_.loss_derivative,
                         {margins, nullptr, &loss_params_, vector_, load_vector(b_vector_, first)});
    return spec_.weighted ? b_.CreateFMul(d, load_vector(weights_, first)) : d;
  }
  // The same for one sample i (a scalar margin).
  Value* emit_sample_derivative_scalar(Value* margin, Value* i) {
    llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
    b_.clearFastMathFlags();
    Value* d = emit_expr(spec_.loss_derivative, {margin, nullptr, &loss_scalar_params_, scalar_,
                                                 load_scalar(b_vector_, i)});
    return spec_.weighted ? b_.CreateFMul(d, load_scalar(weights_, i)) : d;
  }

  Value* emit_gradient() {
    switch (spec_.smooth) {
      case SmoothKind::quadratic:
        return emit_quadratic_gradient();
      case SmoothKind::margin:
        return spec_.layout == Layout::csr ? emit_margin_gradient_csr()
                                           : emit_margin_gradient_dense();
    }
    return nullptr;
  }

  // ---- the prox expression, inlined per element or per vector of elements ----

  // What an expression's leaves stand for; all of one type (a vector or the scalar type).
  struct ExprEnv {
    Value* variable;
    Value* step;
    const std::vector<Value*>* params;
    Type* type;
    Value* label = nullptr;  // losses: the sample's target
  };

  // exp(a), lane by lane in registers: LLVM expands llvm.exp on vectors into one libm call per
  // lane, which dominates a loss's gradient (logistic: one exp per sample). Cody-Waite range
  // reduction a = k ln2 + r, |r| <= ln2/2, a Taylor polynomial for e^r (degree 13 in double,
  // 7 in float: truncation below half an ulp), and 2^k applied in two halves so that
  // subnormal results and overflow to inf come out right. Within 2 ulp of libm's exp; NaN
  // stays NaN.
  Value* emit_exp(Value* a) {
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
        llvm::Intrinsic::minnum,
        b_.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, a, constant(low)), constant(high));
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
      return b_.CreateBitCast(b_.CreateShl(b_.CreateAdd(e, integer(bias)), integer(mantissa)),
                              type);
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
  Value* emit_log(Value* a) {
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
    Value* x =
        b_.CreateSelect(subnormal, b_.CreateFMul(a, constant(std::ldexp(1.0, scale_bits))), a);
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
      tail =
          b_.CreateIntrinsic(llvm::Intrinsic::fma, {type}, {tail, z, constant(2.0 / (2 * k + 1))});
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
    Value* regular =
        b_.CreateAnd(b_.CreateFCmpOGT(a, constant(0.0)), b_.CreateFCmpOLT(a, infinity));
    return b_.CreateSelect(regular, result, special);
  }

  // A libm function without an LLVM intrinsic (log1p, expm1, tanh): called per lane, resolved
  // from the process when the JIT links the kernel.
  Value* emit_libm(const char* double_name, Value* a) {
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
  Value* emit_log1p(Value* u) {
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

  // The prox of the spec over a whole vector: step and parameters splatted.
  Value* emit_prox_vector(Value* y) { return emit_expr(spec_.prox, {y, step_, &params_, vector_}); }

  Value* emit_expr(const expr::Expr& e, const ExprEnv& env) {
    using expr::Op;
    const auto arg = [&](int i) { return emit_expr(e.args()[i], env); };
    const auto constant = [&](double value) { return llvm::ConstantFP::get(env.type, value); };
    switch (e.op()) {
      case Op::constant:
        return constant(e.constant());
      case Op::variable:
        return env.variable;
      case Op::step:
        return env.step;
      case Op::parameter:
        return env.params->at(e.slot());
      case Op::label:
        return env.label;
      case Op::neg:
        return b_.CreateFNeg(arg(0));
      case Op::abs:
        return b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, arg(0));
      case Op::sign: {
        Value* a = arg(0);
        Value* negative_or_self =
            b_.CreateSelect(b_.CreateFCmpOLT(a, constant(0.0)), constant(-1.0), a);
        return b_.CreateSelect(b_.CreateFCmpOGT(a, constant(0.0)), constant(1.0), negative_or_self);
      }
      case Op::sqrt:
        return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, arg(0));
      case Op::exp:
        return emit_exp(arg(0));
      case Op::log:
        return emit_log(arg(0));
      case Op::log1p:
        return emit_log1p(arg(0));
      case Op::expm1:
        return emit_libm("expm1", arg(0));
      case Op::tanh:
        return emit_libm("tanh", arg(0));
      case Op::pow:
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, arg(0), arg(1));
      case Op::add:
        return b_.CreateFAdd(arg(0), arg(1));
      case Op::sub:
        return b_.CreateFSub(arg(0), arg(1));
      case Op::mul:
        return b_.CreateFMul(arg(0), arg(1));
      case Op::div:
        return b_.CreateFDiv(arg(0), arg(1));
      // NaN-propagating, as expr::nan_min / nan_max.
      case Op::min:
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minimum, arg(0), arg(1));
      case Op::max:
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, arg(0), arg(1));
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal:
        return b_.CreateUIToFP(emit_condition(e, env), env.type);
      case Op::where:
        return b_.CreateSelect(emit_condition(e.args()[0], env), arg(1), arg(2));
    }
    return nullptr;
  }

  // An expression used as a condition: comparisons directly, anything else as "!= 0"
  // (unordered, so NaN counts as true, as in expr::evaluate).
  Value* emit_condition(const expr::Expr& e, const ExprEnv& env) {
    using expr::Op;
    const auto lhs = [&] { return emit_expr(e.args()[0], env); };
    const auto rhs = [&] { return emit_expr(e.args()[1], env); };
    switch (e.op()) {
      case Op::less:
        return b_.CreateFCmpOLT(lhs(), rhs());
      case Op::less_equal:
        return b_.CreateFCmpOLE(lhs(), rhs());
      case Op::greater:
        return b_.CreateFCmpOGT(lhs(), rhs());
      case Op::greater_equal:
        return b_.CreateFCmpOGE(lhs(), rhs());
      default:
        return b_.CreateFCmpUNE(emit_expr(e, env), llvm::ConstantFP::get(env.type, 0.0));
    }
  }

  // ---- the prox pass every update shares ----
  // For each chunk at offset i, trial(i) is the point to take the prox of; consume(i, proxed,
  // partial) receives prox(trial) on the penalized lanes and the trial itself on the others (an
  // intercept takes a plain gradient step; padding lanes are for the consumer to mask with
  // real_lanes). An elementwise prox is inlined: one pass. A called prox takes two: trial points
  // to a buffer, the call, then the consumer over its output.
  using ProxConsumer =
      std::function<std::vector<Value*>(Value* i, Value* proxed, std::vector<Value*> partial)>;
  std::vector<Value*> emit_prox_pass(const std::function<Value*(Value*)>& trial, Value* step,
                                     const std::vector<Value*>& initial,
                                     const ProxConsumer& consume, const char* name) {
    if (!spec_.prox_call) {
      Value* step_vector = splat(step);
      return emit_loop(
          b_.getInt64(0), chunks_, initial,
          [&](Value* c, std::vector<Value*> partial) {
            Value* i = lanes_times(c);
            Value* t = trial(i);
            Value* proxed = emit_expr(spec_.prox, {t, step_vector, &params_, vector_});
            return consume(i, b_.CreateSelect(penalized_lanes(i), proxed, t), partial);
          },
          name);
    }
    emit_loop(
        b_.getInt64(0), chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* i = lanes_times(c);
          store_vector(trial(i), scratch_in_, i);
          return std::vector<Value*>{};
        },
        "prox.trial");
    auto* call_type =
        llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, f64_, ptr_, i64_}, false);
    b_.CreateCall(call_type, prox_call_,
                  {prox_context_, scratch_in_, scalar_ == f64_ ? step : b_.CreateFPExt(step, f64_),
                   scratch_out_, penalized_});
    return emit_loop(
        b_.getInt64(0), chunks_, initial,
        [&](Value* c, std::vector<Value*> partial) {
          Value* i = lanes_times(c);
          Value* t = load_vector(scratch_in_, i);
          return consume(i, b_.CreateSelect(penalized_lanes(i), load_vector(scratch_out_, i), t),
                         partial);
        },
        name);
  }

  Value* lane_index(Value* i) { return b_.CreateAdd(splat(i), lane_numbers()); }
  Value* penalized_lanes(Value* i) { return b_.CreateICmpSLT(lane_index(i), splat(penalized_)); }
  // Lanes of real unknowns; padding lanes (index >= cols) keep x = 0: prox(0) need not be 0.
  Value* real_lanes(Value* i) { return b_.CreateICmpSLT(lane_index(i), splat(cols_)); }

  // ---- the fused update pass: y = x - step*g, x = prox(y); returns sum (x_new - x_old)^2 ----
  Value* emit_update(Value* gradient_scale) {
    return emit_gradient_step(step_scalar_, gradient_scale, grad_, x_, "update");
  }

  // z = prox_{step r}(x - step * scale * gradient) into `destination` (x itself, or a trial
  // buffer), padding lanes keeping x; returns |z - x|^2.
  Value* emit_gradient_step(Value* step, Value* gradient_scale, Value* gradient, Value* destination,
                            const char* name) {
    Value* scaled_step = splat(b_.CreateFMul(step, gradient_scale));
    Value* sum = emit_prox_pass(
        [&](Value* i) {
          return b_.CreateFSub(load_vector(x_, i),
                               b_.CreateFMul(scaled_step, load_vector(gradient, i)));
        },
        step, {vector_constant(0.0)},
        [&](Value* i, Value* proxed, std::vector<Value*> partial) {
          Value* old_x = load_vector(x_, i);
          Value* new_x = b_.CreateSelect(real_lanes(i), proxed, old_x);
          store_vector(new_x, destination, i);
          Value* change = b_.CreateFSub(new_x, old_x);
          return std::vector<Value*>{fma(change, change, partial[0])};
        },
        name)[0];
    return b_.CreateFAddReduce(scalar_constant(0.0), sum);
  }

  // FISTA's fused pass: x_new = prox(y - step*g) from the extrapolated point y; keeps the old x
  // for the momentum; returns sum (x_new - y)^2 (the certificate, at y) and
  // sum (y - x_new).(x_new - x_old) (positive: momentum works against descent, so restart).
  std::pair<Value*, Value*> emit_fista_update(Value* gradient_scale) {
    Value* scaled_step = splat(b_.CreateFMul(step_scalar_, gradient_scale));
    const std::vector<Value*> sums = emit_prox_pass(
        [&](Value* i) {
          return b_.CreateFSub(load_vector(y_, i),
                               b_.CreateFMul(scaled_step, load_vector(grad_, i)));
        },
        step_scalar_, {vector_constant(0.0), vector_constant(0.0)},
        [&](Value* i, Value* proxed, std::vector<Value*> partial) {
          Value* old_x = load_vector(x_, i);
          Value* y = load_vector(y_, i);
          Value* new_x = b_.CreateSelect(real_lanes(i), proxed, old_x);
          store_vector(old_x, x_previous_, i);
          store_vector(new_x, x_, i);
          Value* to_y = b_.CreateFSub(y, new_x);
          Value* along = b_.CreateFSub(new_x, old_x);
          return std::vector<Value*>{fma(to_y, to_y, partial[0]), fma(to_y, along, partial[1])};
        },
        "fista.update");
    return {b_.CreateFAddReduce(scalar_constant(0.0), sums[0]),
            b_.CreateFAddReduce(scalar_constant(0.0), sums[1])};
  }

  // y = x + beta (x - x_old); padding lanes stay zero since both x's are zero there.
  void emit_extrapolation(Value* beta) {
    Value* weight = splat(beta);
    emit_loop(
        b_.getInt64(0), chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* i = lanes_times(c);
          Value* x = load_vector(x_, i);
          store_vector(fma(weight, b_.CreateFSub(x, load_vector(x_previous_, i)), x), y_, i);
          return std::vector<Value*>{};
        },
        "fista.extrapolate");
  }

  Value* lane_numbers() {
    std::vector<llvm::Constant*> lanes;
    for (int m = 0; m < kLanes; ++m)
      lanes.push_back(b_.getInt64(m));
    return llvm::ConstantVector::get(lanes);
  }

  // ---- proximal coordinate descent (cyclic), for separable elementwise r ----
  // quadratic: keeps g = A x + b; coordinate j has L_j = A_jj and, when x_j moves by delta,
  //   g += delta * A[j] (row j is column j, A being symmetric).
  // losses: columns of A are contiguous (dense column-major, or CSC); keeps the margins z = A x;
  //   g_j = sum_i a_ij w_i dphi(z_i, b_i) / n, L_j = sup phi'' sum_i w_i a_ij^2 / n, and
  //   z += delta * a_j.
  // x_j = prox_{r/L_j}(x_j - g_j / L_j) (an intercept takes the plain step). Returns
  // sum_j (L_j delta_j)^2 over the epoch, the squared norm of the coordinate-wise gradient
  // mapping (zero exactly at a fixed point).
  // A loss whose phi'' varies (spec.coordinate_newton) takes proximal coordinate Newton steps
  // instead, with a line search (emit_coordinate_newton_epoch; the rules are
  // reference_coordinate_descent's).

  bool sparse_columns() const { return spec_.layout == Layout::csc; }

  // Visits the nonzeros of column j (CSC): visit(k, i, carried) with k the value's index and i
  // its row; returns the carried values after the last one.
  using SparseVisit =
      std::function<std::vector<Value*>(Value* k, Value* i, std::vector<Value*> carried)>;
  std::vector<Value*> for_sparse_column(Value* j, const std::vector<Value*>& initial,
                                        const SparseVisit& visit, const char* name) {
    Value* begin = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, j));
    Value* end =
        b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, b_.CreateAdd(j, b_.getInt64(1))));
    return emit_loop(
        begin, end, initial,
        [&](Value* k, std::vector<Value*> carried) { return visit(k, column_index(k), carried); },
        name);
  }

  // Before the first epoch: the gradient (quadratic), or the margins and the L_j (losses).
  void emit_coordinate_descent_setup() {
    if (spec_.smooth == SmoothKind::quadratic) {
      emit_quadratic_gradient();
      return;
    }
    emit_zero(margins_, sample_chunks_);
    Value* scale = b_.CreateFMul(curvature_, inverse_n());
    emit_loop(
        b_.getInt64(0), cols_, {},
        [&](Value* j, std::vector<Value*>) {
          Value* xj = load_scalar(x_, j);
          Value* norm;
          if (sparse_columns()) {
            norm = for_sparse_column(
                j, {scalar_constant(0.0)},
                [&](Value* k, Value* i, std::vector<Value*> sum) {
                  Value* a = load_scalar(A_, k);
                  Value* z = address(margins_, i);
                  b_.CreateStore(fma(a, xj, b_.CreateLoad(scalar_, z)), z);
                  Value* weighted = spec_.weighted ? b_.CreateFMul(a, load_scalar(weights_, i)) : a;
                  return std::vector<Value*>{fma(weighted, a, sum[0])};
                },
                "cd.column")[0];
          } else {
            Value* column = column_pointer(j);
            Value* x_splat = splat(xj);
            const std::vector<Value*> squares = emit_loop(
                b_.getInt64(0), sample_chunks_, {vector_constant(0.0)},
                [&](Value* c, std::vector<Value*> partial) {
                  Value* i = lanes_times(c);
                  Value* a = load_vector(column, i);
                  store_vector(fma(a, x_splat, load_vector(margins_, i)), margins_, i);
                  Value* weighted = spec_.weighted ? b_.CreateFMul(a, load_vector(weights_, i)) : a;
                  return std::vector<Value*>{fma(weighted, a, partial[0])};
                },
                "cd.column");
            norm = b_.CreateFAddReduce(scalar_constant(0.0), squares[0]);
          }
          b_.CreateStore(b_.CreateFMul(norm, scale), address(y_, j));
          return std::vector<Value*>{};
        },
        "cd.setup");
  }

  Value* column_pointer(Value* j) {
    Value* stride = spec_.smooth == SmoothKind::quadratic ? stride_ : lanes_times(sample_chunks_);
    return address(A_, b_.CreateMul(j, stride, "", true, true));
  }

  // g_j of a loss: sum_i a_ij w_i dphi(z_i, b_i) / n.
  Value* emit_coordinate_gradient(Value* j) {
    const std::vector<Value*> dot = column_sums(
        j, 1,
        [&](Value* i, Value* a, bool vector) {
          Value* d = vector ? emit_sample_derivative(load_vector(margins_, i), i)
                            : emit_sample_derivative_scalar(load_scalar(margins_, i), i);
          return std::vector<Value*>{b_.CreateFMul(a, d)};
        },
        "cd.dot");
    return b_.CreateFMul(dot[0], inverse_n());
  }

  // g_j and h_j = sum_i a_ij^2 w_i phi''(z_i, b_i) / n in one pass over the column, from the
  // per-sample values kept at the margins.
  std::pair<Value*, Value*> emit_coordinate_gradient_and_hessian(Value* j) {
    const std::vector<Value*> sums = column_sums(
        j, 2,
        [&](Value* i, Value* a, bool vector) {
          Value* d = load_at(cached_[kSlope], i, vector);
          Value* h = load_at(cached_[kCurvature], i, vector);
          return std::vector<Value*>{b_.CreateFMul(a, d), b_.CreateFMul(b_.CreateFMul(a, a), h)};
        },
        "cdn.dot");
    return {b_.CreateFMul(sums[0], inverse_n()), b_.CreateFMul(sums[1], inverse_n())};
  }

  // phi(z) (unless !with_loss: null), w phi'(z), w phi''(z) for a scalar or a vector of margins
  // z (samples from i).
  std::vector<Value*> emit_sample_values(Value* z, Value* i, bool vector, bool with_loss = true) {
    Type* type = vector ? static_cast<Type*>(vector_) : scalar_;
    const std::vector<Value*>* params = vector ? &loss_params_ : &loss_scalar_params_;
    const auto load = [&](Value* base) {
      return vector ? load_vector(base, i) : load_scalar(base, i);
    };
    Value* label = load(b_vector_);
    Value* loss =
        with_loss ? emit_expr(spec_.loss_value, {z, nullptr, params, type, label}) : nullptr;
    Value* slope = emit_expr(spec_.loss_derivative, {z, nullptr, params, type, label});
    Value* curvature = emit_expr(spec_.loss_second_derivative, {z, nullptr, params, type, label});
    if (spec_.weighted) {
      Value* w = load(weights_);
      slope = b_.CreateFMul(w, slope);
      curvature = b_.CreateFMul(w, curvature);
    }
    return {loss, slope, curvature};
  }

  // Before the first epoch: the per-sample values at the margins.
  void emit_newton_cache_setup() {
    emit_loop(
        b_.getInt64(0), sample_chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* i = lanes_times(c);
          Value* z = load_vector(margins_, i);
          const std::vector<Value*> values = emit_sample_values(z, i, true);
          for (int v = 0; v < kCachedValues; ++v)
            store_vector(values[v], cached_[v], i);
          return std::vector<Value*>{};
        },
        "cdn.cache");
  }

  // Moves the margins of column j's samples by delta a_ij with their values, keeping the old
  // ones for emit_restore_column, and returns f(x + delta e_j) - f(x) =
  // 1/n sum_i w_i (phi(z_i + delta a_ij) - phi(z_i)) and the column's 1/n sum_i w_i |phi(z_i)|
  // (Objective::coordinate_loss_change).
  std::pair<Value*, Value*> emit_coordinate_loss_change(Value* j, Value* delta) {
    const auto term = [&](Value* i, Value* a, Value* z, bool vector, Value* w,
                          std::vector<Value*> partial) {
      const auto load = [&](Value* base) {
        return vector ? load_vector(base, i) : load_scalar(base, i);
      };
      const auto store = [&](Value* value, Value* base) {
        if (vector) {
          store_vector(value, base, i);
        } else {
          b_.CreateStore(value, address(base, i));
        }
      };
      Value* moved = fma(a, delta_splat_or(delta, vector), z);
      Value* before = load(cached_[kLoss]);
      store(z, trial_margins_);
      for (int v = 0; v < kCachedValues; ++v)
        store(v == kLoss ? before : load(cached_[v]), trial_[v]);
      store(moved, margins_);
      const std::vector<Value*> values = emit_sample_values(moved, i, vector);
      for (int v = 0; v < kCachedValues; ++v)
        store(values[v], cached_[v]);
      Value* change = b_.CreateFSub(values[kLoss], before);
      Value* magnitude = b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, before);
      if (w) {
        change = b_.CreateFMul(w, change);
        magnitude = b_.CreateFMul(w, magnitude);
      }
      return std::vector<Value*>{b_.CreateFAdd(partial[0], change),
                                 b_.CreateFAdd(partial[1], magnitude)};
    };
    if (sparse_columns()) {
      const std::vector<Value*> sums = for_sparse_column(
          j, {scalar_constant(0.0), scalar_constant(0.0)},
          [&](Value* k, Value* i, std::vector<Value*> partial) {
            Value* w = spec_.weighted ? load_scalar(weights_, i) : nullptr;
            return term(i, load_scalar(A_, k), load_scalar(margins_, i), false, w, partial);
          },
          "cdn.change");
      return {b_.CreateFMul(sums[0], inverse_n()), b_.CreateFMul(sums[1], inverse_n())};
    }
    Value* column = column_pointer(j);
    const std::vector<Value*> sums = emit_loop(
        b_.getInt64(0), sample_chunks_, {vector_constant(0.0), vector_constant(0.0)},
        [&](Value* c, std::vector<Value*> partial) {
          Value* i = lanes_times(c);
          Value* w = spec_.weighted ? load_vector(weights_, i) : nullptr;
          return term(i, load_vector(column, i), load_vector(margins_, i), true, w, partial);
        },
        "cdn.change");
    return {b_.CreateFMul(b_.CreateFAddReduce(scalar_constant(0.0), sums[0]), inverse_n()),
            b_.CreateFMul(b_.CreateFAddReduce(scalar_constant(0.0), sums[1]), inverse_n())};
  }
  Value* delta_splat_or(Value* delta, bool vector) { return vector ? splat(delta) : delta; }

  // r's term of coordinate j (0 on an intercept).
  Value* emit_coordinate_regularizer(Value* j, Value* value) {
    Value* r = emit_expr(spec_.prox_value, {value, scalar_constant(0.0), &scalar_params_, scalar_});
    return b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), r, scalar_constant(0.0));
  }

  // Undoes the last emit_coordinate_loss_change of column j (a rejected trial).
  void emit_restore_column(Value* j) {
    if (!sparse_columns()) {
      emit_loop(
          b_.getInt64(0), sample_chunks_, {},
          [&](Value* c, std::vector<Value*>) {
            Value* i = lanes_times(c);
            store_vector(load_vector(trial_margins_, i), margins_, i);
            for (int v = 0; v < kCachedValues; ++v)
              store_vector(load_vector(trial_[v], i), cached_[v], i);
            return std::vector<Value*>{};
          },
          "cdn.restore");
      return;
    }
    for_sparse_column(
        j, {},
        [&](Value*, Value* i, std::vector<Value*>) {
          b_.CreateStore(load_scalar(trial_margins_, i), address(margins_, i));
          for (int v = 0; v < kCachedValues; ++v)
            b_.CreateStore(load_scalar(trial_[v], i), address(cached_[v], i));
          return std::vector<Value*>{};
        },
        "cdn.restore");
  }

  // The proximal coordinate Newton epoch (reference_coordinate_descent's rules, step for step).
  Value* emit_coordinate_newton_epoch() {
    Function* function = b_.GetInsertBlock()->getParent();
    const auto block = [&](const char* name) {
      return BasicBlock::Create(context_, name, function);
    };
    return emit_loop(
        b_.getInt64(0), cols_, {scalar_constant(0.0)},
        [&](Value* j, std::vector<Value*> sum) {
          Value* lipschitz = load_scalar(y_, j);
          BasicBlock* before = b_.GetInsertBlock();
          BasicBlock* active = block("cdn.active");
          BasicBlock* search_start = block("cdn.search_start");
          BasicBlock* search = block("cdn.search");
          BasicBlock* retry = block("cdn.retry");
          BasicBlock* fallback = block("cdn.fallback");
          BasicBlock* decided = block("cdn.decided");
          BasicBlock* move = block("cdn.move");
          BasicBlock* joined = block("cdn.next");
          b_.CreateCondBr(b_.CreateFCmpOGT(lipschitz, scalar_constant(0.0)), active, joined);

          b_.SetInsertPoint(active);
          auto [gradient, hessian] = emit_coordinate_gradient_and_hessian(j);
          Value* curvature = b_.CreateFAdd(
              hessian,
              b_.CreateFAdd(scalar_constant(kNewtonFloor),
                            b_.CreateFMul(scalar_constant(kNewtonRelativeFloor), lipschitz)));
          Value* step = b_.CreateFDiv(scalar_constant(1.0), curvature);
          Value* old_x = load_scalar(x_, j);
          Value* trial = b_.CreateFSub(old_x, b_.CreateFMul(gradient, step));
          Value* proxed = emit_expr(spec_.prox, {trial, step, &scalar_params_, scalar_});
          Value* proposal = b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial);
          Value* direction = b_.CreateFSub(proposal, old_x);
          BasicBlock* active_end = b_.GetInsertBlock();
          b_.CreateCondBr(b_.CreateFCmpUNE(direction, scalar_constant(0.0)), search_start, decided);

          b_.SetInsertPoint(search_start);
          Value* r_old = emit_coordinate_regularizer(j, old_x);
          Value* predicted =
              b_.CreateFAdd(b_.CreateFMul(gradient, direction),
                            b_.CreateFSub(emit_coordinate_regularizer(j, proposal), r_old));
          Value* bound = b_.CreateFMul(scalar_constant(kNewtonSigma), predicted);
          b_.CreateBr(search);

          b_.SetInsertPoint(search);
          PHINode* beta = b_.CreatePHI(scalar_, 2, "beta");
          PHINode* trials = b_.CreatePHI(i64_, 2, "trials");
          beta->addIncoming(scalar_constant(1.0), search_start);
          trials->addIncoming(b_.getInt64(0), search_start);
          Value* step_delta = b_.CreateFMul(beta, direction);
          Value* point = b_.CreateSelect(b_.CreateFCmpOEQ(beta, scalar_constant(1.0)), proposal,
                                         b_.CreateFAdd(old_x, step_delta));
          auto [loss_change, loss_scale] = emit_coordinate_loss_change(j, step_delta);
          Value* change = b_.CreateFAdd(
              loss_change, b_.CreateFSub(emit_coordinate_regularizer(j, point), r_old));
          const double epsilon = scalar_ == f64_ ? std::numeric_limits<double>::epsilon()
                                                 : std::numeric_limits<float>::epsilon();
          Value* rounding = scalar_constant(kNewtonRoundingUlps * epsilon);
          Value* accept = b_.CreateFCmpOLE(
              change,
              b_.CreateFAdd(b_.CreateFMul(beta, bound), b_.CreateFMul(rounding, loss_scale)));
          BasicBlock* search_end = b_.GetInsertBlock();
          b_.CreateCondBr(accept, decided, retry);

          b_.SetInsertPoint(retry);
          emit_restore_column(j);
          Value* next_trials = b_.CreateAdd(trials, b_.getInt64(1));
          BasicBlock* retry_end = b_.GetInsertBlock();
          beta->addIncoming(next_newton_beta(beta, change), retry_end);
          trials->addIncoming(next_trials, retry_end);
          b_.CreateCondBr(b_.CreateICmpSLT(next_trials, b_.getInt64(kNewtonTrials)), search,
                          fallback);

          // No trial passed: the bound step (always a descent step), or no move without a bound.
          b_.SetInsertPoint(fallback);
          Value* fallback_moved = old_x;
          Value* fallback_delta = scalar_constant(0.0);
          if (spec_.bounded_curvature) {
            Value* bound_step = b_.CreateFDiv(scalar_constant(1.0), lipschitz);
            Value* bound_trial = b_.CreateFSub(old_x, b_.CreateFMul(gradient, bound_step));
            Value* bound_proxed =
                emit_expr(spec_.prox, {bound_trial, bound_step, &scalar_params_, scalar_});
            fallback_moved =
                b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), bound_proxed, bound_trial);
            fallback_delta = b_.CreateFSub(fallback_moved, old_x);
            emit_coordinate_loss_change(j, fallback_delta);  // moves the margins
          }
          BasicBlock* fallback_end = b_.GetInsertBlock();
          b_.CreateBr(decided);

          b_.SetInsertPoint(decided);
          PHINode* delta = b_.CreatePHI(scalar_, 3, "delta");
          PHINode* moved = b_.CreatePHI(scalar_, 3, "moved");
          PHINode* used = b_.CreatePHI(scalar_, 3, "used_curvature");
          delta->addIncoming(scalar_constant(0.0), active_end);
          moved->addIncoming(old_x, active_end);
          used->addIncoming(curvature, active_end);
          delta->addIncoming(step_delta, search_end);
          moved->addIncoming(point, search_end);
          used->addIncoming(curvature, search_end);
          delta->addIncoming(fallback_delta, fallback_end);
          moved->addIncoming(fallback_moved, fallback_end);
          used->addIncoming(lipschitz, fallback_end);
          Value* scaled = b_.CreateFMul(used, delta);
          Value* decided_sum = fma(scaled, scaled, sum[0]);
          BasicBlock* decided_end = b_.GetInsertBlock();
          b_.CreateCondBr(b_.CreateFCmpUNE(delta, scalar_constant(0.0)), move, joined);

          b_.SetInsertPoint(move);
          b_.CreateStore(moved, address(x_, j));  // the trial moved the margins
          BasicBlock* move_end = b_.GetInsertBlock();
          b_.CreateBr(joined);

          b_.SetInsertPoint(joined);
          PHINode* next_sum = b_.CreatePHI(scalar_, 3);
          next_sum->addIncoming(sum[0], before);
          next_sum->addIncoming(decided_sum, decided_end);
          next_sum->addIncoming(decided_sum, move_end);
          return std::vector<Value*>{next_sum};
        },
        "cdn.epoch")[0];
  }

  // ---- proximal Newton steps (reference_solver.h's proximal_newton_step, rule for rule) ----
  // Buffers: g_j in grad_, the step's curvature h_j in x_previous_ (0: the coordinate sits
  // out; -h_j: shrunk, out of the later inner passes but in d), x + d in scratch_in_, u = A d in
  // trial_margins_ (free again for the CDN epoch, the fallback, once the line search has failed).

  // Slot of sample i's u (0) or curvature (1) in model_pairs_.
  Value* pair_slot(Value* i, int which) {
    return b_.CreateAdd(b_.CreateShl(i, b_.getInt64(1)), b_.getInt64(which));
  }
  Value* load_at(Value* base, Value* i, bool vector) {
    return vector ? load_vector(base, i) : load_scalar(base, i);
  }
  void store_at(Value* value, Value* base, Value* i, bool vector) {
    if (vector) {
      store_vector(value, base, i);
    } else {
      b_.CreateStore(value, address(base, i));
    }
  }

  // Sums over column j's entries of term(i, a, vector): scalars over the nonzeros of a CSC
  // column, or vectors of kLanes samples down a dense column (reduced at the end). With no
  // sums, a visit of the entries.
  using ColumnTerm = std::function<std::vector<Value*>(Value* i, Value* a, bool vector)>;
  std::vector<Value*> column_sums(Value* j, int count, const ColumnTerm& term, const char* name) {
    const auto add = [&](std::vector<Value*> partial, const std::vector<Value*>& terms) {
      for (int t = 0; t < count; ++t)
        partial[t] = b_.CreateFAdd(partial[t], terms[t]);
      return partial;
    };
    if (sparse_columns() && count == 0) {
      return for_sparse_column(
          j, {},
          [&](Value* k, Value* i, std::vector<Value*>) {
            term(i, load_scalar(A_, k), false);
            return std::vector<Value*>{};
          },
          name);
    }
    if (sparse_columns()) {
      // Two interleaved accumulators over the nonzeros: one chain of dependent adds per sum
      // would cost an add's latency per nonzero.
      Value* begin = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, j));
      Value* end = b_.CreateLoad(
          i64_, b_.CreateInBoundsGEP(i64_, offsets_, b_.CreateAdd(j, b_.getInt64(1))));
      Value* pairs = b_.CreateLShr(b_.CreateSub(end, begin), b_.getInt64(1));
      const auto entry = [&](Value* k) { return term(column_index(k), load_scalar(A_, k), false); };
      std::vector<Value*> both = emit_loop(
          b_.getInt64(0), pairs, std::vector<Value*>(2 * count, scalar_constant(0.0)),
          [&](Value* pair, std::vector<Value*> partial) {
            Value* k = b_.CreateAdd(begin, b_.CreateShl(pair, b_.getInt64(1)));
            const std::vector<Value*> first = entry(k);
            const std::vector<Value*> second = entry(b_.CreateAdd(k, b_.getInt64(1)));
            for (int t = 0; t < count; ++t) {
              partial[t] = b_.CreateFAdd(partial[t], first[t]);
              partial[count + t] = b_.CreateFAdd(partial[count + t], second[t]);
            }
            return partial;
          },
          name);
      std::vector<Value*> sums(count);
      for (int t = 0; t < count; ++t)
        sums[t] = b_.CreateFAdd(both[t], both[count + t]);
      Value* last = b_.CreateAdd(begin, b_.CreateShl(pairs, b_.getInt64(1)));
      return emit_if(
          b_.CreateICmpSLT(last, end), sums, [&] { return add(sums, entry(last)); }, name);
    }
    Value* column = column_pointer(j);
    std::vector<Value*> sums = emit_loop(
        b_.getInt64(0), sample_chunks_, std::vector<Value*>(count, vector_constant(0.0)),
        [&](Value* c, std::vector<Value*> partial) {
          Value* i = lanes_times(c);
          return add(partial, term(i, load_vector(column, i), true));
        },
        name);
    for (Value*& sum : sums)
      sum = b_.CreateFAddReduce(scalar_constant(0.0), sum);
    return sums;
  }

  // prox_{step r} of coordinate j's trial point (the plain step on an intercept).
  Value* coordinate_prox(Value* j, Value* trial, Value* step) {
    Value* proxed = emit_expr(spec_.prox, {trial, step, &scalar_params_, scalar_});
    return b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial);
  }

  // if (condition) then(carried) -> values, else the carried values: a diamond with phis.
  using Branch = std::function<std::vector<Value*>()>;
  std::vector<Value*> emit_if(Value* condition, const std::vector<Value*>& otherwise,
                              const Branch& then, const char* name) {
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* before = b_.GetInsertBlock();
    BasicBlock* taken = BasicBlock::Create(context_, std::string(name) + ".then", function);
    BasicBlock* joined = BasicBlock::Create(context_, std::string(name) + ".join", function);
    b_.CreateCondBr(condition, taken, joined);
    b_.SetInsertPoint(taken);
    const std::vector<Value*> values = then();
    BasicBlock* taken_end = b_.GetInsertBlock();
    b_.CreateBr(joined);
    b_.SetInsertPoint(joined);
    std::vector<Value*> merged;
    for (std::size_t v = 0; v < otherwise.size(); ++v) {
      PHINode* phi = b_.CreatePHI(otherwise[v]->getType(), 2);
      phi->addIncoming(otherwise[v], before);
      phi->addIncoming(values[v], taken_end);
      merged.push_back(phi);
    }
    return merged;
  }

  // Step 1: g_j, h_j and the first step d0_j of every coordinate; returns sum (h_j d0_j)^2.
  Value* emit_newton_outer_setup() {
    return emit_loop(
        b_.getInt64(0), cols_, {scalar_constant(0.0)},
        [&](Value* j, std::vector<Value*> sum) {
          Value* lipschitz = load_scalar(y_, j);
          Value* old_x = load_scalar(x_, j);
          b_.CreateStore(scalar_constant(0.0), address(x_previous_, j));
          // The whole gradient (0 for an empty column): the engine's gap checks read it.
          b_.CreateStore(scalar_constant(0.0), address(grad_, j));
          b_.CreateStore(old_x, address(scratch_in_, j));
          return emit_if(
              b_.CreateFCmpOGT(lipschitz, scalar_constant(0.0)), sum,
              [&] {
                auto [gradient, hessian] = emit_coordinate_gradient_and_hessian(j);
                Value* curvature = b_.CreateFAdd(
                    hessian,
                    b_.CreateFAdd(scalar_constant(kNewtonFloor),
                                  b_.CreateFMul(scalar_constant(kNewtonRelativeFloor), lipschitz)));
                Value* step = b_.CreateFDiv(scalar_constant(1.0), curvature);
                Value* first = b_.CreateFSub(
                    coordinate_prox(j, b_.CreateFSub(old_x, b_.CreateFMul(gradient, step)), step),
                    old_x);
                Value* scaled = b_.CreateFMul(curvature, first);
                b_.CreateStore(gradient, address(grad_, j));
                b_.CreateStore(b_.CreateSelect(b_.CreateFCmpUNE(first, scalar_constant(0.0)),
                                               curvature, scalar_constant(0.0)),
                               address(x_previous_, j));
                return std::vector<Value*>{fma(scaled, scaled, sum[0])};
              },
              "pn.setup");
        },
        "pn.setup")[0];
  }

  // Step 2, one pass of coordinate descent on the quadratic model; returns sum (h_j delta_j)^2.
  Value* emit_newton_inner_pass() {
    return emit_loop(
        b_.getInt64(0), cols_, {scalar_constant(0.0)},
        [&](Value* j, std::vector<Value*> sum) {
          Value* curvature = load_scalar(x_previous_, j);
          return emit_if(
              b_.CreateFCmpOGT(curvature, scalar_constant(0.0)), sum,
              [&] {
                Value* along = column_sums(
                    j, 1,
                    [&](Value* i, Value* a, bool vector) {
                      Value* weighted =
                          vector ? b_.CreateFMul(load_vector(cached_[kCurvature], i),
                                                 load_vector(trial_margins_, i))
                                 : b_.CreateFMul(load_scalar(model_pairs_, pair_slot(i, 1)),
                                                 load_scalar(model_pairs_, pair_slot(i, 0)));
                      return std::vector<Value*>{b_.CreateFMul(a, weighted)};
                    },
                    "pn.model")[0];
                Value* gradient =
                    b_.CreateFAdd(load_scalar(grad_, j), b_.CreateFMul(along, inverse_n()));
                Value* step = b_.CreateFDiv(scalar_constant(1.0), curvature);
                Value* current = load_scalar(scratch_in_, j);
                Value* moved =
                    coordinate_prox(j, b_.CreateFSub(current, b_.CreateFMul(gradient, step)), step);
                Value* delta = b_.CreateFSub(moved, current);
                Value* scaled = b_.CreateFMul(curvature, delta);
                Value* next_sum = fma(scaled, scaled, sum[0]);
                Value* moves = b_.CreateFCmpUNE(delta, scalar_constant(0.0));
                // Not moving: shrunk, out of the later passes (reference_solver.h).
                b_.CreateStore(b_.CreateSelect(moves, curvature, b_.CreateFNeg(curvature)),
                               address(x_previous_, j));
                emit_if(
                    moves,
                    [&] {
                      b_.CreateStore(moved, address(scratch_in_, j));
                      column_sums(
                          j, 0,
                          [&](Value* i, Value* a, bool vector) {
                            if (vector) {
                              Value* u = load_vector(trial_margins_, i);
                              store_vector(fma(a, splat(delta), u), trial_margins_, i);
                            } else {
                              Value* slot = address(model_pairs_, pair_slot(i, 0));
                              b_.CreateStore(fma(a, delta, b_.CreateLoad(scalar_, slot)), slot);
                            }
                            return std::vector<Value*>{};
                          },
                          "pn.follow");
                    },
                    "pn.move");
                return std::vector<Value*>{next_sum};
              },
              "pn.inner");
        },
        "pn.pass")[0];
  }

  // x_j + beta (t_j - x_j) for coordinate j of the direction to t = x + d (t itself at 1).
  Value* newton_point(Value* j, Value* beta) {
    Value* old_x = load_scalar(x_, j);
    Value* target = load_scalar(scratch_in_, j);
    return b_.CreateSelect(b_.CreateFCmpOEQ(beta, scalar_constant(1.0)), target,
                           b_.CreateFAdd(old_x, b_.CreateFMul(beta, b_.CreateFSub(target, old_x))));
  }

  // Step 3's sums over the coordinates taking part: of term(j) (0 for the others).
  Value* active_coordinates_sum(const std::function<Value*(Value* j)>& term, const char* name) {
    return emit_loop(
        b_.getInt64(0), cols_, {scalar_constant(0.0)},
        [&](Value* j, std::vector<Value*> sum) {
          Value* active = b_.CreateFCmpONE(load_scalar(x_previous_, j), scalar_constant(0.0));
          return std::vector<Value*>{
              b_.CreateFAdd(sum[0], b_.CreateSelect(active, term(j), scalar_constant(0.0)))};
        },
        name)[0];
  }

  // 1/n sum_i w_i (phi(z_i + beta u_i) - phi(z_i)) and 1/n sum_i w_i |phi(z_i)|.
  std::pair<Value*, Value*> emit_newton_loss_change(Value* beta) {
    Value* beta_splat = splat(beta);
    const std::vector<Value*> sums = emit_loop(
        b_.getInt64(0), sample_chunks_, {vector_constant(0.0), vector_constant(0.0)},
        [&](Value* c, std::vector<Value*> partial) {
          Value* i = lanes_times(c);
          Value* z = fma(beta_splat, load_vector(trial_margins_, i), load_vector(margins_, i));
          Value* label = load_vector(b_vector_, i);
          Value* after = emit_expr(spec_.loss_value, {z, nullptr, &loss_params_, vector_, label});
          store_vector(after, trial_[kLoss], i);  // phi at the margins, if this trial passes
          Value* before = load_vector(cached_[kLoss], i);
          Value* change = b_.CreateFSub(after, before);
          Value* magnitude = b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, before);
          if (spec_.weighted) {
            Value* w = load_vector(weights_, i);
            change = b_.CreateFMul(w, change);
            magnitude = b_.CreateFMul(w, magnitude);
          }
          // Padding samples (label 0) may have any loss: they count for nothing.
          Value* real = b_.CreateICmpSLT(lane_index(i), splat(rows_));
          return std::vector<Value*>{
              b_.CreateFAdd(partial[0], b_.CreateSelect(real, change, vector_constant(0.0))),
              b_.CreateFAdd(partial[1], b_.CreateSelect(real, magnitude, vector_constant(0.0)))};
        },
        "pn.change");
    return {b_.CreateFMul(b_.CreateFAddReduce(scalar_constant(0.0), sums[0]), inverse_n()),
            b_.CreateFMul(b_.CreateFAddReduce(scalar_constant(0.0), sums[1]), inverse_n())};
  }

  // The next line-search trial's beta (reference_solver.h's next_newton_beta): half, or
  // kNewtonOverflowShrink after a change that was not finite.
  Value* next_newton_beta(Value* beta, Value* change) {
    Value* finite = b_.CreateFCmpOLT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, change),
                                     llvm::ConstantFP::getInfinity(scalar_));
    return b_.CreateFMul(beta, b_.CreateSelect(finite, scalar_constant(0.5),
                                               scalar_constant(kNewtonOverflowShrink)));
  }

  // One step from the model at x that newton_sum_ belongs to (emit_newton_outer_setup, before
  // the loop or at the end of the last step), then the model at the new point: returns its
  // sum, the certificate of the x the iteration ends with (reference_coordinate_descent).
  Value* emit_proximal_newton_step() {
    Function* function = b_.GetInsertBlock()->getParent();
    const auto block = [&](const char* name) {
      return BasicBlock::Create(context_, name, function);
    };
    Value* sum = newton_sum_;
    Value* inner_bound = b_.CreateFMul(scalar_constant(kNewtonInnerTolerance), sum);

    // Step 2: inner passes from d = 0.
    emit_zero(trial_margins_, sample_chunks_);
    if (sparse_columns()) {
      // CSC columns reach their samples at random: u_i and w_i phi''(z_i) side by side, one
      // cache line per nonzero instead of two.
      emit_loop(
          b_.getInt64(0), rows_, {},
          [&](Value* i, std::vector<Value*>) {
            b_.CreateStore(scalar_constant(0.0), address(model_pairs_, pair_slot(i, 0)));
            b_.CreateStore(load_scalar(cached_[kCurvature], i),
                           address(model_pairs_, pair_slot(i, 1)));
            return std::vector<Value*>{};
          },
          "pn.pairs");
    }
    BasicBlock* passes_start = b_.GetInsertBlock();
    BasicBlock* pass_block = block("pn.passes");
    BasicBlock* passes_done = block("pn.passes_done");
    b_.CreateBr(pass_block);
    b_.SetInsertPoint(pass_block);
    PHINode* pass = b_.CreatePHI(i64_, 2, "pass");
    pass->addIncoming(b_.getInt64(0), passes_start);
    Value* inner = emit_newton_inner_pass();
    Value* next_pass = b_.CreateAdd(pass, b_.getInt64(1));
    Value* finished = b_.CreateOr(b_.CreateFCmpOLE(inner, inner_bound),
                                  b_.CreateICmpSGE(next_pass, b_.getInt64(kNewtonInnerPasses)));
    pass->addIncoming(next_pass, b_.GetInsertBlock());
    b_.CreateCondBr(finished, passes_done, pass_block);

    // Step 3: the line search along d.
    b_.SetInsertPoint(passes_done);
    if (sparse_columns()) {
      emit_loop(
          b_.getInt64(0), rows_, {},
          [&](Value* i, std::vector<Value*>) {
            b_.CreateStore(load_scalar(model_pairs_, pair_slot(i, 0)), address(trial_margins_, i));
            return std::vector<Value*>{};
          },
          "pn.unpair");
    }
    Value* predicted = active_coordinates_sum(
        [&](Value* j) {
          Value* old_x = load_scalar(x_, j);
          Value* target = load_scalar(scratch_in_, j);
          return b_.CreateFAdd(b_.CreateFMul(load_scalar(grad_, j), b_.CreateFSub(target, old_x)),
                               b_.CreateFSub(emit_coordinate_regularizer(j, target),
                                             emit_coordinate_regularizer(j, old_x)));
        },
        "pn.predicted");
    BasicBlock* search = block("pn.search");
    BasicBlock* retry = block("pn.retry");
    BasicBlock* accept = block("pn.accept");
    BasicBlock* fallback = block("pn.fallback");
    BasicBlock* done = block("pn.done");
    BasicBlock* search_start = b_.GetInsertBlock();
    // No coordinate takes part: x is a solution (reference_solver.h).
    b_.CreateCondBr(b_.CreateFCmpOGT(sum, scalar_constant(0.0)), search, done);

    b_.SetInsertPoint(search);
    PHINode* beta = b_.CreatePHI(scalar_, 2, "beta");
    PHINode* trials = b_.CreatePHI(i64_, 2, "trials");
    beta->addIncoming(scalar_constant(1.0), search_start);
    trials->addIncoming(b_.getInt64(0), search_start);
    auto [loss_change, loss_scale] = emit_newton_loss_change(beta);
    Value* regularizer_change = active_coordinates_sum(
        [&](Value* j) {
          return b_.CreateFSub(emit_coordinate_regularizer(j, newton_point(j, beta)),
                               emit_coordinate_regularizer(j, load_scalar(x_, j)));
        },
        "pn.regularizer");
    Value* change = b_.CreateFAdd(loss_change, regularizer_change);
    const double epsilon = scalar_ == f64_ ? std::numeric_limits<double>::epsilon()
                                           : std::numeric_limits<float>::epsilon();
    Value* allowed =
        b_.CreateFAdd(b_.CreateFMul(b_.CreateFMul(scalar_constant(kNewtonSigma), beta), predicted),
                      b_.CreateFMul(scalar_constant(kNewtonRoundingUlps * epsilon), loss_scale));
    b_.CreateCondBr(b_.CreateFCmpOLE(change, allowed), accept, retry);

    b_.SetInsertPoint(retry);
    Value* next_trials = b_.CreateAdd(trials, b_.getInt64(1));
    beta->addIncoming(next_newton_beta(beta, change), retry);
    trials->addIncoming(next_trials, retry);
    b_.CreateCondBr(b_.CreateICmpSLT(next_trials, b_.getInt64(kNewtonTrials)), search, fallback);

    // Step 4: x += beta d, the margins += beta u and their values.
    b_.SetInsertPoint(accept);
    emit_loop(
        b_.getInt64(0), cols_, {},
        [&](Value* j, std::vector<Value*>) {
          Value* active = b_.CreateFCmpONE(load_scalar(x_previous_, j), scalar_constant(0.0));
          b_.CreateStore(b_.CreateSelect(active, newton_point(j, beta), load_scalar(x_, j)),
                         address(x_, j));
          return std::vector<Value*>{};
        },
        "pn.move_x");
    Value* beta_splat = splat(beta);
    emit_loop(
        b_.getInt64(0), sample_chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* i = lanes_times(c);
          Value* z = fma(beta_splat, load_vector(trial_margins_, i), load_vector(margins_, i));
          store_vector(z, margins_, i);
          // phi(z) from the accepted trial: no second log per sample.
          store_vector(load_vector(trial_[kLoss], i), cached_[kLoss], i);
          const std::vector<Value*> values = emit_sample_values(z, i, true, /*with_loss=*/false);
          for (int v = kSlope; v < kCachedValues; ++v)
            store_vector(values[v], cached_[v], i);
          return std::vector<Value*>{};
        },
        "pn.move_margins");
    b_.CreateBr(done);

    b_.SetInsertPoint(fallback);
    emit_coordinate_newton_epoch();
    b_.CreateBr(done);

    b_.SetInsertPoint(done);
    return emit_newton_outer_setup();
  }

  Value* emit_coordinate_descent_epoch() {
    if (spec_.coordinate_newton) return emit_proximal_newton_step();
    const bool quadratic = spec_.smooth == SmoothKind::quadratic;
    Function* function = b_.GetInsertBlock()->getParent();
    return emit_loop(
        b_.getInt64(0), cols_, {scalar_constant(0.0)},
        [&](Value* j, std::vector<Value*> sum) {
          Value* lipschitz = quadratic ? load_scalar(column_pointer(j), j) : load_scalar(y_, j);
          BasicBlock* before = b_.GetInsertBlock();
          BasicBlock* active = BasicBlock::Create(context_, "cd.active", function);
          BasicBlock* move = BasicBlock::Create(context_, "cd.move", function);
          BasicBlock* joined = BasicBlock::Create(context_, "cd.next", function);
          // A coordinate without curvature (a zero column) cannot be stepped: leave it.
          b_.CreateCondBr(b_.CreateFCmpOGT(lipschitz, scalar_constant(0.0)), active, joined);

          b_.SetInsertPoint(active);
          Value* gradient = quadratic ? load_scalar(grad_, j) : emit_coordinate_gradient(j);
          Value* step = b_.CreateFDiv(scalar_constant(1.0), lipschitz);
          Value* old_x = load_scalar(x_, j);
          Value* trial = b_.CreateFSub(old_x, b_.CreateFMul(gradient, step));
          Value* proxed = emit_expr(spec_.prox, {trial, step, &scalar_params_, scalar_});
          Value* new_x = b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial);
          Value* delta = b_.CreateFSub(new_x, old_x);
          Value* scaled = b_.CreateFMul(lipschitz, delta);
          Value* active_sum = fma(scaled, scaled, sum[0]);
          BasicBlock* active_end = b_.GetInsertBlock();
          // Most coordinates of a sparse solution do not move: skip their update pass.
          b_.CreateCondBr(b_.CreateFCmpUNE(delta, scalar_constant(0.0)), move, joined);

          b_.SetInsertPoint(move);
          b_.CreateStore(new_x, address(x_, j));
          if (quadratic || !sparse_columns()) {
            Value* column = column_pointer(j);
            Value* follow = quadratic ? grad_ : margins_;
            Value* weight = splat(delta);
            emit_loop(
                b_.getInt64(0), quadratic ? chunks_ : sample_chunks_, {},
                [&](Value* c, std::vector<Value*>) {
                  Value* i = lanes_times(c);
                  store_vector(fma(load_vector(column, i), weight, load_vector(follow, i)), follow,
                               i);
                  return std::vector<Value*>{};
                },
                "cd.follow");
          } else {
            for_sparse_column(
                j, {},
                [&](Value* k, Value* i, std::vector<Value*>) {
                  Value* z = address(margins_, i);
                  b_.CreateStore(fma(load_scalar(A_, k), delta, b_.CreateLoad(scalar_, z)), z);
                  return std::vector<Value*>{};
                },
                "cd.follow");
          }
          BasicBlock* move_end = b_.GetInsertBlock();
          b_.CreateBr(joined);

          b_.SetInsertPoint(joined);
          PHINode* next_sum = b_.CreatePHI(scalar_, 3);
          next_sum->addIncoming(sum[0], before);
          next_sum->addIncoming(active_sum, active_end);
          next_sum->addIncoming(active_sum, move_end);
          return std::vector<Value*>{next_sum};
        },
        "cd.epoch")[0];
  }

  // ---- proximal gradient with backtracking ----
  // Each iteration first lets the step grow (L *= kShrink), then tries
  //   z = prox_{r/L}(x - grad f(x) / L)
  // and accepts when 2 (grad f(z) - grad f(x)).(z - x) <= L |z - x|^2, else doubles L. For a
  // convex f this implies Beck and Teboulle's sufficient decrease
  //   f(z) <= f(x) + grad f(x).(z - x) + L/2 |z - x|^2
  // (convexity gives f(z) <= f(x) + grad f(z).(z - x)), and unlike a test on f values it loses
  // no accuracy near the optimum, where f(z) - f(x) drowns in rounding. The gradient at z is the
  // next iteration's, so an accepted trial costs one gradient, as a fixed step does.
  static constexpr double kShrink = 0.9;
  static constexpr int kMaxTrials = 60;

  struct BacktrackingStep {
    Value* squared_change;  // |z - x|^2 (scalar type)
    Value* curvature;       // the accepted L (double)
  };

  BacktrackingStep emit_backtracking_step(Value* curvature, Value* gradient, Value* spare) {
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* before = b_.GetInsertBlock();
    BasicBlock* trial_block = BasicBlock::Create(context_, "bt.trial", function);
    BasicBlock* retry = BasicBlock::Create(context_, "bt.retry", function);
    BasicBlock* accepted = BasicBlock::Create(context_, "bt.accept", function);
    Value* grown = b_.CreateFMul(curvature, llvm::ConstantFP::get(f64_, kShrink));
    Value* gradient_scale = spec_.smooth == SmoothKind::margin ? inverse_n() : scalar_constant(1.0);
    b_.CreateBr(trial_block);

    b_.SetInsertPoint(trial_block);
    PHINode* trial_l = b_.CreatePHI(f64_, 2, "L.trial");
    trial_l->addIncoming(grown, before);
    PHINode* trials = b_.CreatePHI(i64_, 2, "trials");
    trials->addIncoming(b_.getInt64(0), before);
    Value* step_double = b_.CreateFDiv(llvm::ConstantFP::get(f64_, 1.0), trial_l);
    Value* step = scalar_ == f64_ ? step_double : b_.CreateFPTrunc(step_double, scalar_);
    // z = prox(x - step g) into x_previous_, with |z - x|^2.
    Value* squared = emit_gradient_step(step, gradient_scale, gradient, x_previous_, "bt.prox");
    // The gradient at z, into the spare buffer, and (grad f(z) - grad f(x)).(z - x).
    Value* saved_point = point_;
    Value* saved_gradient = grad_;
    point_ = x_previous_;
    grad_ = spare;
    emit_gradient();
    point_ = saved_point;
    grad_ = saved_gradient;
    const std::vector<Value*> curved = emit_loop(
        b_.getInt64(0), chunks_, {vector_constant(0.0)},
        [&](Value* c, std::vector<Value*> partial) {
          Value* i = lanes_times(c);
          Value* change = b_.CreateFSub(load_vector(spare, i), load_vector(gradient, i));
          Value* d = b_.CreateFSub(load_vector(x_previous_, i), load_vector(x_, i));
          return std::vector<Value*>{fma(change, d, partial[0])};
        },
        "bt.curvature");
    const auto to_double = [&](Value* v) { return scalar_ == f64_ ? v : b_.CreateFPExt(v, f64_); };
    Value* curvature_along = b_.CreateFMul(
        to_double(gradient_scale), to_double(b_.CreateFAddReduce(scalar_constant(0.0), curved[0])));
    Value* acceptable =
        b_.CreateFCmpOLE(b_.CreateFMul(llvm::ConstantFP::get(f64_, 2.0), curvature_along),
                         b_.CreateFMul(trial_l, to_double(squared)));
    Value* next_trials = b_.CreateAdd(trials, b_.getInt64(1));
    // Past kMaxTrials doublings (a NaN, say) take the step: the divergence test will see it.
    Value* give_up = b_.CreateICmpSGE(next_trials, b_.getInt64(kMaxTrials));
    b_.CreateCondBr(b_.CreateOr(acceptable, give_up), accepted, retry);

    b_.SetInsertPoint(retry);
    trial_l->addIncoming(b_.CreateFMul(trial_l, llvm::ConstantFP::get(f64_, 2.0)), retry);
    trials->addIncoming(next_trials, retry);
    b_.CreateBr(trial_block);

    b_.SetInsertPoint(accepted);
    emit_loop(
        b_.getInt64(0), chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* i = lanes_times(c);
          store_vector(load_vector(x_previous_, i), x_, i);
          return std::vector<Value*>{};
        },
        "bt.move");
    return {squared, trial_l};
  }

  // ---- stochastic solvers: sgd, saga, svrg (runtime/stochastic_solver.h is the oracle) ----
  // One kernel call runs whole epochs; an iteration of the loop in emit_body is an epoch, whose
  // certificate is the gradient mapping at the reported point from one full gradient. The state
  // lives in the work buffer (kernel_work_size): the per-sample scalars in margins_, then the
  // coordinates' last steps and the sample order (64-bit words), then SGD's sum of iterates
  // (averaging) or, for lagged SGD steps, each coordinate's running total at its last update.
  // Buffers: SAGA's average gradient and SVRG's snapshot gradient in y_; SGD's iterate in
  // x_previous_ (x_ is what it reports) and its batch gradient in y_ (zero between steps); the
  // certificate's full gradient in grad_ (SVRG: y_, the next snapshot); lagged group_l2 steps
  // keep a step's delta a_i in x_previous_ and the lags per group (lags_[g]).

  bool stochastic_lagged() const {
    return spec_.algorithm != Algorithm::sgd && spec_.layout == Layout::csr && !spec_.prox_call &&
           lagged_kind() != LaggedProx::none;
  }
  // SAGA or SVRG on CSR with a called prox: lagged group_l2 steps when KernelArgs::groups is
  // given (decided at run time, as the kernel key does not name a called prox), else dense.
  bool group_lagged_possible() const {
    return spec_.algorithm != Algorithm::sgd && spec_.layout == Layout::csr && spec_.prox_call;
  }
  // SGD on CSR with a prox whose prox-only steps compose in closed form, without averaging
  // (decided at run time): lagged updates over the batch's nonzeros (sgd_catch_up).
  bool sgd_lagged() const {
    if (spec_.algorithm != Algorithm::sgd || spec_.layout != Layout::csr || spec_.prox_call) {
      return false;
    }
    return spec_.lagged.composes_for_sgd();
  }
  LaggedProx::Kind lagged_kind() const {
    if (spec_.lagged.kind == LaggedRule::Kind::shrink) return LaggedProx::shrink;
    if (spec_.lagged.kind == LaggedRule::Kind::box) return LaggedProx::box;
    return LaggedProx::none;
  }
  // The shrink rule's weights: a parameter slot, or 0 when the term is absent.
  Value* lagged_l1() { return lagged_weight(spec_.lagged.l1_slot); }
  Value* lagged_l2() { return lagged_weight(spec_.lagged.l2_slot); }
  Value* lagged_weight(int slot) {
    return slot < 0 ? scalar_constant(0.0) : scalar_params_[static_cast<std::size_t>(slot)];
  }
  // Soft thresholding alone: shrink with an l1 weight and no l2.
  bool lagged_soft_threshold() const {
    return spec_.lagged.kind == LaggedRule::Kind::shrink && spec_.lagged.l1_slot >= 0 &&
           spec_.lagged.l2_slot < 0;
  }
  Value* load_i64(Value* base, Value* index) {
    return b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, base, index));
  }
  void store_i64(Value* value, Value* base, Value* index) {
    b_.CreateStore(value, b_.CreateInBoundsGEP(i64_, base, index));
  }
  Value* to_scalar(Value* f64_value) {
    return scalar_ == f64_ ? f64_value : b_.CreateFPTrunc(f64_value, scalar_);
  }

  // if (condition) then(); with no values.
  void emit_if(Value* condition, const std::function<void()>& then, const char* name) {
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* yes = BasicBlock::Create(context_, std::string(name) + ".then", function);
    BasicBlock* joined = BasicBlock::Create(context_, std::string(name) + ".end", function);
    b_.CreateCondBr(condition, yes, joined);
    b_.SetInsertPoint(yes);
    then();
    b_.CreateBr(joined);
    b_.SetInsertPoint(joined);
  }
  // condition ? then() : otherwise(), each emitted in its own block.
  Value* emit_if_else(Value* condition, const std::function<Value*()>& then,
                      const std::function<Value*()>& otherwise, const char* name) {
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* yes = BasicBlock::Create(context_, std::string(name) + ".then", function);
    BasicBlock* no = BasicBlock::Create(context_, std::string(name) + ".else", function);
    BasicBlock* joined = BasicBlock::Create(context_, std::string(name) + ".end", function);
    b_.CreateCondBr(condition, yes, no);
    b_.SetInsertPoint(yes);
    Value* first = then();
    BasicBlock* yes_end = b_.GetInsertBlock();
    b_.CreateBr(joined);
    b_.SetInsertPoint(no);
    Value* second = otherwise();
    BasicBlock* no_end = b_.GetInsertBlock();
    b_.CreateBr(joined);
    b_.SetInsertPoint(joined);
    PHINode* phi = b_.CreatePHI(first->getType(), 2);
    phi->addIncoming(first, yes_end);
    phi->addIncoming(second, no_end);
    return phi;
  }

  // splitmix64, the reference's SampleGenerator.
  static constexpr std::uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;
  Value* emit_random() {
    Value* state = b_.CreateAdd(b_.CreateLoad(i64_, rng_state_), b_.getInt64(kGoldenGamma));
    b_.CreateStore(state, rng_state_);
    return emit_mix(state);
  }
  Value* emit_mix(Value* state) {
    Value* z = state;
    z = b_.CreateMul(b_.CreateXor(z, b_.CreateLShr(z, 30)), b_.getInt64(0xBF58476D1CE4E5B9ull));
    z = b_.CreateMul(b_.CreateXor(z, b_.CreateLShr(z, 27)), b_.getInt64(0x94D049BB133111EBull));
    return b_.CreateXor(z, b_.CreateLShr(z, 31));
  }
  Value* emit_below(Value* random, Value* n) {
    Type* i128 = b_.getInt128Ty();
    Value* product = b_.CreateMul(b_.CreateZExt(random, i128), b_.CreateZExt(n, i128));
    return b_.CreateTrunc(b_.CreateLShr(product, 64), i64_);
  }
  Value* emit_random_below(Value* n) { return emit_below(emit_random(), n); }
  Value* shuffled() { return b_.CreateICmpEQ(sampling_, b_.getInt64(1)); }
  // SampleOrder::start_epoch: a Fisher-Yates pass over the order when shuffling.
  void emit_start_epoch() {
    emit_if(
        shuffled(),
        [&] {
          emit_loop(
              b_.getInt64(0), b_.CreateSub(rows_, b_.getInt64(1)), {},
              [&](Value* u, std::vector<Value*>) {
                Value* i = b_.CreateSub(b_.CreateSub(rows_, b_.getInt64(1)), u);
                Value* j = emit_random_below(b_.CreateAdd(i, b_.getInt64(1)));
                Value* at_i = load_i64(order_, i);
                Value* at_j = load_i64(order_, j);
                store_i64(at_j, order_, i);
                store_i64(at_i, order_, j);
                return std::vector<Value*>{};
              },
              "sto.shuffle");
        },
        "sto.shuffle_if");
  }
  // SampleOrder::at.
  Value* emit_sample_at(Value* position) {
    return emit_if_else(
        shuffled(), [&] { return load_i64(order_, b_.CreateSRem(position, rows_)); },
        [&] { return emit_random_below(rows_); }, "sto.sample");
  }
  // The sample `ahead` draws after the one at position, without drawing it (any valid index
  // past the epoch's end: it is only prefetched).
  Value* emit_peek_sample(Value* position, int ahead) {
    return emit_if_else(
        shuffled(),
        [&] {
          return load_i64(order_, b_.CreateSRem(b_.CreateAdd(position, b_.getInt64(ahead)), rows_));
        },
        [&] {
          Value* state =
              b_.CreateAdd(b_.CreateLoad(i64_, rng_state_),
                           b_.getInt64(kGoldenGamma * static_cast<std::uint64_t>(ahead)));
          return emit_below(emit_mix(state), rows_);
        },
        "sto.peek");
  }
  void prefetch(Value* address) {
    b_.CreateIntrinsic(llvm::Intrinsic::prefetch, {ptr_},
                       {address, b_.getInt32(0), b_.getInt32(3), b_.getInt32(1)});
  }
  // A lagged step's time goes to waiting for its random sample's row, label and memory, each
  // a cache miss, which depend on one another (offsets, then the row). So, ahead of use:
  // the offsets, label and memory of the sample after next, and the row of the next one.
  void emit_prefetch_samples(Value* position) {
    Value* after_next = emit_peek_sample(position, 2);
    prefetch(b_.CreateInBoundsGEP(i64_, offsets_, after_next));
    prefetch(address(b_vector_, after_next));
    prefetch(address(memory_, after_next));
    if (spec_.weighted) prefetch(address(weights_, after_next));
    Value* first = row_begin(emit_peek_sample(position, 1));
    prefetch(b_.CreateInBoundsGEP(b_.getInt32Ty(), indices_, first));
    Value* values = address(A_, first);
    prefetch(values);
    prefetch(b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), values, 64));
  }

  // ---- one sample's row ----
  Value* row_begin(Value* i) { return load_i64(offsets_, i); }
  Value* row_end(Value* i) { return load_i64(offsets_, b_.CreateAdd(i, b_.getInt64(1))); }
  Value* dense_row(Value* i) { return address(A_, b_.CreateMul(i, stride_, "", true, true)); }
  // a_i'point.
  Value* emit_sample_margin(Value* point, Value* i) {
    if (spec_.layout == Layout::csr) {
      return emit_loop(
          row_begin(i), row_end(i), {scalar_constant(0.0)},
          [&](Value* k, std::vector<Value*> sum) {
            return std::vector<Value*>{
                fma(load_scalar(A_, k), load_scalar(point, column_index(k)), sum[0])};
          },
          "sto.margin")[0];
    }
    Value* row = dense_row(i);
    const std::vector<Value*> sum = emit_loop(
        b_.getInt64(0), chunks_, {vector_constant(0.0)},
        [&](Value* c, std::vector<Value*> partial) {
          Value* j = lanes_times(c);
          return std::vector<Value*>{fma(load_vector(row, j), load_vector(point, j), partial[0])};
        },
        "sto.margin");
    return b_.CreateFAddReduce(scalar_constant(0.0), sum[0]);
  }
  // target += scale * a_i over the sample's entries.
  void emit_sample_scatter(Value* target, Value* i, Value* scale) {
    if (spec_.layout == Layout::csr) {
      emit_loop(
          row_begin(i), row_end(i), {},
          [&](Value* k, std::vector<Value*>) {
            Value* g = address(target, column_index(k));
            b_.CreateStore(
                b_.CreateFAdd(b_.CreateLoad(scalar_, g), b_.CreateFMul(scale, load_scalar(A_, k))),
                g);
            return std::vector<Value*>{};
          },
          "sto.scatter");
      return;
    }
    Value* row = dense_row(i);
    Value* weight = splat(scale);
    emit_loop(
        b_.getInt64(0), chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* j = lanes_times(c);
          store_vector(
              b_.CreateFAdd(load_vector(target, j), b_.CreateFMul(weight, load_vector(row, j))),
              target, j);
          return std::vector<Value*>{};
        },
        "sto.scatter");
  }
  void emit_copy(Value* from, Value* to) {
    emit_loop(
        b_.getInt64(0), chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          store_vector(load_vector(from, lanes_times(c)), to, lanes_times(c));
          return std::vector<Value*>{};
        },
        "sto.copy");
  }

  // gradient = 1/n sum_i d_i a_i at point, sample by sample (stochastic_full_gradient); the
  // d_i into memory_ when asked.
  void emit_full_pass(Value* point, Value* gradient, bool keep_derivatives) {
    emit_zero(gradient, chunks_);
    emit_loop(
        b_.getInt64(0), rows_, {},
        [&](Value* i, std::vector<Value*>) {
          Value* d = emit_sample_derivative_scalar(emit_sample_margin(point, i), i);
          if (keep_derivatives) b_.CreateStore(d, address(memory_, i));
          emit_sample_scatter(gradient, i, d);
          return std::vector<Value*>{};
        },
        "sto.full");
    Value* scale = splat(inverse_n());
    emit_loop(
        b_.getInt64(0), chunks_, {},
        [&](Value* c, std::vector<Value*>) {
          Value* j = lanes_times(c);
          store_vector(b_.CreateFMul(load_vector(gradient, j), scale), gradient, j);
          return std::vector<Value*>{};
        },
        "sto.full_scale");
  }

  // prox_{step r}(y) of one coordinate. l1's sign(y) * max(|y| - t, 0) is, bit for bit (t =
  // step lambda >= 0; NaN stays NaN), y - copysign(t, y) where |y| > t and copysign(0, y)
  // elsewhere: two dependent operations instead of four, which counts in the step-by-step
  // catch-up, a chain of dependent steps.
  Value* emit_scalar_prox(Value* y, Value* step) {
    if (!lagged_soft_threshold()) {
      return emit_expr(spec_.prox, {y, step, &scalar_params_, scalar_});
    }
    llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
    b_.clearFastMathFlags();
    Value* threshold = b_.CreateFMul(step, lagged_l1());
    Value* beyond = b_.CreateFCmpUGT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, y), threshold);
    const auto copysign = [&](Value* magnitude) {
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, magnitude, y);
    };
    return b_.CreateSelect(beyond, b_.CreateFSub(y, copysign(threshold)),
                           copysign(scalar_constant(0.0)));
  }

  // k >= 1 skipped steps x <- prox(x - step c) of coordinate j at once (catch_up).
  Value* emit_catch_up(Value* x, Value* c, Value* k, Value* j) {
    Value* step = step_scalar_;
    Value* kk = b_.CreateSIToFP(k, scalar_);
    const auto plain = [&] { return b_.CreateFSub(x, b_.CreateFMul(b_.CreateFMul(kk, step), c)); };
    Value* penalized = b_.CreateICmpSLT(j, penalized_);
    const auto prox = [&](Value* y) { return emit_scalar_prox(y, step); };
    if (lagged_kind() == LaggedProx::box) {
      Value* first = prox(b_.CreateFSub(x, b_.CreateFMul(step, c)));
      Value* rest_steps = b_.CreateSIToFP(b_.CreateSub(k, b_.getInt64(1)), scalar_);
      Value* rest = prox(b_.CreateFSub(first, b_.CreateFMul(b_.CreateFMul(rest_steps, step), c)));
      Value* moved = b_.CreateSelect(b_.CreateICmpEQ(k, b_.getInt64(1)), first, rest);
      return b_.CreateSelect(penalized, moved, plain());
    }
    const bool has_l1 = spec_.lagged.l1_slot >= 0, has_l2 = spec_.lagged.l2_slot >= 0;
    Value* zero = scalar_constant(0.0);
    Value* l1 = has_l1 ? lagged_l1() : zero;
    Value* l2 = has_l2 ? lagged_l2() : zero;
    // k steps of x <- (x - step rate) / (1 + step l2): decay x - span rate.
    Value* decay = nullptr;
    Value* span = nullptr;
    const auto shrink_factors = [&] {
      decay = scalar_constant(1.0);
      span = b_.CreateFMul(kk, step);
      if (has_l2) {
        Value* log_rho = emit_libm("log1p", b_.CreateFMul(step, l2));
        Value* exponent = b_.CreateFNeg(b_.CreateFMul(kk, log_rho));
        Value* has_l2 = b_.CreateFCmpOGT(l2, zero);
        decay =
            b_.CreateSelect(has_l2, b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, exponent), decay);
        span = b_.CreateSelect(
            has_l2, b_.CreateFDiv(b_.CreateFNeg(emit_libm("expm1", exponent)), l2), span);
      }
    };
    const auto shrink = [&](Value* rate) {
      return b_.CreateFSub(b_.CreateFMul(decay, x), b_.CreateFMul(span, rate));
    };
    if (!has_l1) {
      shrink_factors();
      return b_.CreateSelect(penalized, shrink(c), plain());
    }
    // Branches where the outcome is predictable (penalized, l1 > 0, rarely step by step), not
    // selects over every case; the sign of x is not predictable, so x > 0 and x < 0 share one
    // path: x - span (c + copysign(l1, x)) if that keeps the sign of x, else, if |c| <= l1, 0
    // (x itself when x is 0 or NaN).
    Function* function = b_.GetInsertBlock()->getParent();
    const auto block = [&](const char* label) {
      return BasicBlock::Create(context_, std::string("sto.catch.") + label, function);
    };
    BasicBlock* done = block("end");
    BasicBlock* unpenalized = block("plain");
    BasicBlock* shrunk = block("shrink");
    BasicBlock* closed = block("closed");
    BasicBlock* stepwise = block("stepwise");
    std::vector<std::pair<Value*, BasicBlock*>> results;
    b_.CreateCondBr(penalized, shrunk, unpenalized);
    b_.SetInsertPoint(unpenalized);
    results.emplace_back(plain(), unpenalized);
    b_.CreateBr(done);
    b_.SetInsertPoint(shrunk);
    shrink_factors();
    results.emplace_back(shrink(c), shrunk);
    b_.CreateCondBr(b_.CreateFCmpOEQ(l1, zero), done, closed);
    b_.SetInsertPoint(closed);
    const auto copysign = [&](Value* magnitude) {
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, magnitude, x);
    };
    Value* settles = b_.CreateFCmpOLE(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, c), l1);
    Value* nonzero = b_.CreateFCmpONE(x, zero);
    Value* moved = shrink(b_.CreateFAdd(c, copysign(l1)));  // c - l1 is c + (-l1), exactly
    Value* keeps = nullptr;
    {
      llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
      b_.clearFastMathFlags();
      keeps = b_.CreateFCmpOGT(b_.CreateFMul(copysign(scalar_constant(1.0)), moved), zero);
    }
    Value* value = b_.CreateSelect(nonzero, b_.CreateSelect(keeps, moved, zero), x);
    results.emplace_back(value, closed);
    b_.CreateCondBr(b_.CreateOr(b_.CreateAnd(nonzero, keeps), settles), done, stepwise);
    // Rare: the coordinate crosses zero towards the other sign, or leaves it. Step by step.
    b_.SetInsertPoint(stepwise);
    Value* stepped = emit_loop(
        b_.getInt64(0), k, {x},
        [&](Value*, std::vector<Value*> y) {
          return std::vector<Value*>{prox(b_.CreateFSub(y[0], b_.CreateFMul(step, c)))};
        },
        "sto.unrolled")[0];
    results.emplace_back(stepped, b_.GetInsertBlock());
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    PHINode* result = b_.CreatePHI(scalar_, static_cast<unsigned>(results.size()));
    for (const auto& [value, from] : results)
      result->addIncoming(value, from);
    return result;
  }

  // Brings coordinate j up to step t (lagged updates).
  void emit_bring_up(Value* j, Value* t) {
    Value* last = load_i64(lags_, j);
    emit_if(
        b_.CreateICmpSLT(last, t),
        [&] {
          Value* slot = address(x_, j);
          Value* moved = emit_catch_up(b_.CreateLoad(scalar_, slot), load_scalar(y_, j),
                                       b_.CreateSub(t, last), j);
          b_.CreateStore(moved, slot);
          store_i64(t, lags_, j);
        },
        "sto.lag");
  }

  // SGD's lagged steps (sgd_total_increment, sgd_catch_up): the running total grows by
  // increment(rate) a step; each coordinate keeps, in sum_, the total at its last update.
  Value* emit_sgd_total_increment(Value* rate) {
    if (spec_.lagged.kind == LaggedRule::Kind::shrink && spec_.lagged.l1_slot >= 0) {
      return b_.CreateFMul(rate, lagged_l1());
    }
    if (spec_.lagged.kind == LaggedRule::Kind::shrink && spec_.lagged.l2_slot >= 0) {
      return emit_libm("log1p", b_.CreateFMul(rate, lagged_l2()));
    }
    return scalar_constant(0.0);
  }
  Value* emit_sgd_catch_up(Value* x, Value* gap, Value* j) {
    const LaggedRule& rule = spec_.lagged;
    const bool shrink = rule.kind == LaggedRule::Kind::shrink;
    Value* moved = x;
    if (shrink && rule.l1_slot >= 0) {
      Value* inner = b_.CreateSelect(b_.CreateFCmpOLT(x, b_.CreateFNeg(gap)), b_.CreateFAdd(x, gap),
                                     scalar_constant(0.0));
      moved = b_.CreateSelect(b_.CreateFCmpOGT(x, gap), b_.CreateFSub(x, gap), inner);
    } else if (shrink && rule.l2_slot >= 0) {
      moved = b_.CreateFMul(x, b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, b_.CreateFNeg(gap)));
    } else if (rule.kind == LaggedRule::Kind::box) {
      moved = emit_expr(spec_.prox, {x, step_scalar_, &scalar_params_, scalar_});
    }
    return b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), moved, x);
  }
  // Brings coordinate j of SGD's iterate up to step t, whose running total is `total`.
  void emit_sgd_bring_up(Value* j, Value* t, Value* total) {
    Value* last = load_i64(lags_, j);
    emit_if(
        b_.CreateICmpSLT(last, t),
        [&] {
          Value* slot = address(x_previous_, j);
          Value* since = address(sum_, j);
          Value* gap = b_.CreateFSub(total, b_.CreateLoad(scalar_, since));
          b_.CreateStore(emit_sgd_catch_up(b_.CreateLoad(scalar_, slot), gap, j), slot);
          store_i64(t, lags_, j);
          b_.CreateStore(total, since);
        },
        "sgd.lag");
  }

  // ---- lagged group_l2 steps (group_catch_up, GroupLag in stochastic_solver.h) ----
  Value* group_start(Value* g) { return load_i64(group_starts_, g); }
  // k >= 1 skipped steps of group g at once, in span{x0, c}: x = a x0 + b c.
  void emit_group_catch_up(Value* g, Value* k) {
    // Plain IEEE arithmetic, as the reference's: the loop's exits compare values exactly.
    llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
    b_.clearFastMathFlags();
    Value* begin = group_start(g);
    Value* end = group_start(b_.CreateAdd(g, b_.getInt64(1)));
    Value* zero = scalar_constant(0.0);
    Value* one = scalar_constant(1.0);
    const std::vector<Value*> gram = emit_loop(
        begin, end, {zero, zero, zero},
        [&](Value* j, std::vector<Value*> sum) {
          Value* x = load_scalar(x_, j);
          Value* c = load_scalar(y_, j);
          return std::vector<Value*>{b_.CreateFAdd(sum[0], b_.CreateFMul(x, x)),
                                     b_.CreateFAdd(sum[1], b_.CreateFMul(x, c)),
                                     b_.CreateFAdd(sum[2], b_.CreateFMul(c, c))};
        },
        "group.gram");
    Value* xx = gram[0];
    Value* xc = gram[1];
    Value* cc = gram[2];
    Value* step = step_scalar_;
    Value* tau = b_.CreateFMul(step, group_lambda_);
    Value* a_start = b_.CreateSelect(b_.CreateFCmpOGT(xx, zero), one, zero);
    // |y|^2 and y.c for the point y = a x0 + (b - step) c the next step takes the prox of; a
    // step maps y to scale y - step c (group_catch_up).
    Value* e = b_.CreateFNeg(step);
    Value* squared_start = b_.CreateFAdd(
        b_.CreateFAdd(
            b_.CreateFMul(b_.CreateFMul(a_start, a_start), xx),
            b_.CreateFMul(b_.CreateFMul(b_.CreateFMul(scalar_constant(2.0), a_start), e), xc)),
        b_.CreateFMul(b_.CreateFMul(e, e), cc));
    Value* yc_start = b_.CreateFAdd(b_.CreateFMul(a_start, xc), b_.CreateFMul(e, cc));
    Value* two_step = b_.CreateFMul(scalar_constant(2.0), step);
    Value* step_cc = b_.CreateFMul(step, cc);
    Value* step2_cc = b_.CreateFMul(step, step_cc);
    Function* function = b_.GetInsertBlock()->getParent();
    BasicBlock* preheader = b_.GetInsertBlock();
    BasicBlock* header = BasicBlock::Create(context_, "group.steps.header", function);
    BasicBlock* body = BasicBlock::Create(context_, "group.steps.body", function);
    BasicBlock* exit = BasicBlock::Create(context_, "group.steps.exit", function);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    PHINode* s = b_.CreatePHI(i64_, 2, "group.s");
    PHINode* a = b_.CreatePHI(scalar_, 2, "group.a");
    PHINode* bb = b_.CreatePHI(scalar_, 2, "group.b");
    PHINode* squared = b_.CreatePHI(scalar_, 2, "group.squared");
    PHINode* yc = b_.CreatePHI(scalar_, 2, "group.yc");
    s->addIncoming(b_.getInt64(0), preheader);
    a->addIncoming(a_start, preheader);
    bb->addIncoming(zero, preheader);
    squared->addIncoming(squared_start, preheader);
    yc->addIncoming(yc_start, preheader);
    b_.CreateCondBr(b_.CreateAnd(b_.CreateICmpSLT(s, k), b_.CreateFCmpUNE(a, zero)), body, exit);
    b_.SetInsertPoint(body);
    Value* norm = b_.CreateUnaryIntrinsic(
        llvm::Intrinsic::sqrt, b_.CreateSelect(b_.CreateFCmpOLT(squared, zero), zero, squared));
    Value* scale =
        b_.CreateSelect(b_.CreateFCmpOGT(norm, tau),
                        b_.CreateFSub(one, b_.CreateFMul(norm, b_.CreateFDiv(tau, squared))), zero);
    Value* next_a = b_.CreateFMul(scale, a);
    Value* next_b = b_.CreateFMul(scale, b_.CreateFSub(bb, step));
    // A fixed point: the remaining steps change nothing.
    Value* fixed = b_.CreateAnd(b_.CreateFCmpOEQ(next_a, a), b_.CreateFCmpOEQ(next_b, bb));
    Value* next_squared =
        b_.CreateFAdd(b_.CreateFSub(b_.CreateFMul(b_.CreateFMul(scale, scale), squared),
                                    b_.CreateFMul(b_.CreateFMul(two_step, scale), yc)),
                      step2_cc);
    Value* next_yc = b_.CreateFSub(b_.CreateFMul(scale, yc), step_cc);
    s->addIncoming(b_.CreateSelect(fixed, k, b_.CreateAdd(s, b_.getInt64(1))), body);
    a->addIncoming(b_.CreateSelect(fixed, a, next_a), body);
    bb->addIncoming(b_.CreateSelect(fixed, bb, next_b), body);
    squared->addIncoming(next_squared, body);
    yc->addIncoming(next_yc, body);
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
    // On the ray -c: b <- min(0, b - (k - s) (step - tau / |c|)).
    Value* rest = b_.CreateSIToFP(b_.CreateSub(k, s), scalar_);
    Value* along = b_.CreateFSub(
        bb, b_.CreateFMul(rest,
                          b_.CreateFSub(step, b_.CreateFDiv(tau, b_.CreateUnaryIntrinsic(
                                                                     llvm::Intrinsic::sqrt, cc)))));
    Value* clamped = b_.CreateSelect(b_.CreateFCmpOLT(along, zero), along, zero);
    Value* ray = b_.CreateAnd(b_.CreateICmpSLT(s, k), b_.CreateFCmpOGT(cc, zero));
    Value* b_final = b_.CreateSelect(ray, clamped, bb);
    emit_loop(
        begin, end, {},
        [&](Value* j, std::vector<Value*>) {
          Value* slot = address(x_, j);
          b_.CreateStore(b_.CreateFAdd(b_.CreateFMul(a, b_.CreateLoad(scalar_, slot)),
                                       b_.CreateFMul(b_final, load_scalar(y_, j))),
                         slot);
          return std::vector<Value*>{};
        },
        "group.write");
  }
  // The lag slot of coordinate j: its group, or j itself past the penalized ones.
  Value* group_slot(Value* j) {
    Value* penalized = b_.CreateICmpSLT(j, penalized_);
    Value* safe = b_.CreateSelect(penalized, j, b_.getInt64(0));
    return b_.CreateSelect(penalized, load_i64(groups_, safe), j);
  }
  // Brings coordinate j's group (or j past the penalized ones) up to step t.
  void emit_group_bring_up(Value* j, Value* t) {
    Value* slot = group_slot(j);
    Value* last = load_i64(lags_, slot);
    emit_if(
        b_.CreateICmpSLT(last, t),
        [&] {
          Value* k = b_.CreateSub(t, last);
          emit_if(
              b_.CreateICmpSLT(j, penalized_), [&] { emit_group_catch_up(slot, k); },
              "group.lag_group");
          emit_if(
              b_.CreateICmpSGE(j, penalized_),
              [&] {
                Value* at = address(x_, j);
                Value* kk = b_.CreateSIToFP(k, scalar_);
                b_.CreateStore(b_.CreateFSub(b_.CreateLoad(scalar_, at),
                                             b_.CreateFMul(b_.CreateFMul(kk, step_scalar_),
                                                           load_scalar(y_, j))),
                               at);
              },
              "group.lag_plain");
          store_i64(t, lags_, slot);
        },
        "group.lag");
  }
  // The start every lagged SAGA/SVRG step shares: step t, sample i at position s and its row,
  // the prefetch of the next samples, the margin with each touched coordinate (or group)
  // brought up to step t first, the sample's derivative d and delta = d - its stored one.
  struct LaggedSample {
    Value* t;
    Value* i;
    Value* begin;
    Value* end;
    Value* d;
    Value* delta;
    Value* t_next;
  };
  LaggedSample emit_lagged_sample(Value* s, const std::function<void(Value* j, Value* t)>& bring_up,
                                  const char* name) {
    Value* t = b_.CreateLoad(i64_, step_count_);
    Value* i = emit_sample_at(s);
    Value* begin = row_begin(i);
    Value* end = row_end(i);
    emit_prefetch_samples(s);
    Value* margin = emit_loop(
        begin, end, {scalar_constant(0.0)},
        [&](Value* k, std::vector<Value*> sum) {
          Value* j = column_index(k);
          bring_up(j, t);
          return std::vector<Value*>{fma(load_scalar(A_, k), load_scalar(x_, j), sum[0])};
        },
        name)[0];
    Value* d = emit_sample_derivative_scalar(margin, i);
    Value* delta = b_.CreateFSub(d, load_scalar(memory_, i));
    return {t, i, begin, end, d, delta, b_.CreateAdd(t, b_.getInt64(1))};
  }

  // A SAGA or SVRG step on sample position s with lagged group steps: the sample's groups are
  // brought up to step t, then each takes its whole step once.
  void emit_group_lagged_step(Value* s) {
    const bool saga = spec_.algorithm == Algorithm::saga;
    const LaggedSample sample = emit_lagged_sample(
        s, [&](Value* j, Value* t) { emit_group_bring_up(j, t); }, "group.margin");
    auto [t, i, begin, end, d, delta, t_next] = sample;
    // delta a_i on the sample's nonzeros, zero elsewhere (x_previous_ is free in this path; the
    // certificate's prox call uses the scratch buffers).
    Value* part = x_previous_;
    emit_sample_scatter(part, i, delta);
    Value* step = step_scalar_;
    const auto trial = [&](Value* j) {
      return b_.CreateFSub(
          load_scalar(x_, j),
          b_.CreateFMul(step, b_.CreateFAdd(load_scalar(part, j), load_scalar(y_, j))));
    };
    emit_loop(
        begin, end, {},
        [&](Value* k, std::vector<Value*>) {
          Value* j = column_index(k);
          Value* slot = group_slot(j);
          emit_if(
              b_.CreateICmpEQ(load_i64(lags_, slot), t),
              [&] {
                store_i64(t_next, lags_, slot);
                emit_if(
                    b_.CreateICmpSGE(j, penalized_),
                    [&] { b_.CreateStore(trial(j), address(x_, j)); }, "group.plain");
                emit_if(
                    b_.CreateICmpSLT(j, penalized_),
                    [&] {
                      Value* first = group_start(slot);
                      Value* last = group_start(b_.CreateAdd(slot, b_.getInt64(1)));
                      Value* squared = emit_loop(
                          first, last, {scalar_constant(0.0)},
                          [&](Value* m, std::vector<Value*> sum) {
                            Value* moved = trial(m);
                            b_.CreateStore(moved, address(x_, m));
                            return std::vector<Value*>{fma(moved, moved, sum[0])};
                          },
                          "group.trial")[0];
                      Value* threshold = b_.CreateFMul(step, group_lambda_);
                      Value* norm = b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, squared);
                      Value* scale = b_.CreateSelect(
                          b_.CreateFCmpOGT(norm, threshold),
                          b_.CreateFSub(scalar_constant(1.0), b_.CreateFDiv(threshold, norm)),
                          scalar_constant(0.0));
                      emit_loop(
                          first, last, {},
                          [&](Value* m, std::vector<Value*>) {
                            Value* at = address(x_, m);
                            b_.CreateStore(b_.CreateFMul(b_.CreateLoad(scalar_, at), scale), at);
                            return std::vector<Value*>{};
                          },
                          "group.scale");
                    },
                    "group.block");
              },
              "group.touch");
          return std::vector<Value*>{};
        },
        "group.update");
    Value* inv_n = inverse_n();
    emit_loop(
        begin, end, {},
        [&](Value* k, std::vector<Value*>) {
          Value* j = column_index(k);
          if (saga) {
            Value* g = address(y_, j);
            b_.CreateStore(
                fma(b_.CreateFMul(delta, load_scalar(A_, k)), inv_n, b_.CreateLoad(scalar_, g)), g);
          }
          b_.CreateStore(scalar_constant(0.0), address(part, j));
          return std::vector<Value*>{};
        },
        "group.memory");
    if (saga) b_.CreateStore(d, address(memory_, i));
    b_.CreateStore(t_next, step_count_);
  }
  // Every group (and coordinate past the penalized ones) up to the current step.
  void emit_group_catch_all() {
    Value* t = b_.CreateLoad(i64_, step_count_);
    Value* count =
        b_.CreateAdd(load_i64(groups_, b_.CreateSub(penalized_, b_.getInt64(1))), b_.getInt64(1));
    emit_loop(
        b_.getInt64(0), count, {},
        [&](Value* g, std::vector<Value*>) {
          Value* last = load_i64(lags_, g);
          emit_if(
              b_.CreateICmpSLT(last, t),
              [&] {
                emit_group_catch_up(g, b_.CreateSub(t, last));
                store_i64(t, lags_, g);
              },
              "group.lag_all");
          return std::vector<Value*>{};
        },
        "group.catch_all");
    emit_loop(
        penalized_, cols_, {},
        [&](Value* j, std::vector<Value*>) {
          emit_group_bring_up(j, t);
          return std::vector<Value*>{};
        },
        "group.catch_rest");
  }

  void emit_stochastic_setup(Value* args, Value* step_double) {
    step_double_ = step_double;
    memory_ = margins_;
    Value* words = address(margins_, lanes_times(sample_chunks_));
    lags_ = words;
    order_ = address(words, lanes_times(b_.CreateMul(chunks_, b_.getInt64(2))));
    sum_ = address(order_, lanes_times(b_.CreateMul(sample_chunks_, b_.getInt64(2))));
    const auto load_field = [&](unsigned index) {
      return b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP1_64(i64_, args, index));
    };
    // KernelArgs after prox_context: seed, batch_size, step_schedule, sampling, averaging.
    const unsigned first = kFieldProxContext + 1;
    Value* seed = load_field(first);
    batch_ = load_field(first + 1);
    schedule_ = load_field(first + 2);
    sampling_ = load_field(first + 3);
    averaging_ = b_.CreateICmpNE(load_field(first + 4), b_.getInt64(0));
    rng_state_ = b_.CreateAlloca(i64_, nullptr, "rng");
    step_count_ = b_.CreateAlloca(i64_, nullptr, "t");
    sgd_total_ = b_.CreateAlloca(scalar_, nullptr, "sgd.total");
    b_.CreateStore(scalar_constant(0.0), sgd_total_);
    b_.CreateStore(seed, rng_state_);
    b_.CreateStore(b_.getInt64(0), step_count_);
    emit_loop(
        b_.getInt64(0), rows_, {},
        [&](Value* i, std::vector<Value*>) {
          store_i64(i, order_, i);
          return std::vector<Value*>{};
        },
        "sto.order");
    emit_loop(
        b_.getInt64(0), cols_, {},
        [&](Value* j, std::vector<Value*>) {
          store_i64(b_.getInt64(0), lags_, j);
          return std::vector<Value*>{};
        },
        "sto.lags");
    if (group_lagged_possible()) {
      groups_ = b_.CreateLoad(ptr_, field(args, kFieldGroups), "groups");
      has_groups_ = b_.CreateICmpNE(groups_, llvm::ConstantPointerNull::get(ptr_));
      group_starts_ = b_.CreateInBoundsGEP(i64_, groups_, penalized_);
      // group_l2's lambda, its first parameter (read only when the groups are given).
      group_lambda_ = emit_if_else(
          has_groups_,
          [&] {
            Value* params = b_.CreateLoad(ptr_, field(args, kFieldParams));
            return to_scalar(b_.CreateLoad(f64_, params));
          },
          [&] { return scalar_constant(0.0); }, "group.lambda");
      emit_zero(x_previous_, chunks_);
    }
    if (spec_.algorithm == Algorithm::sgd) {
      emit_copy(x_, x_previous_);
      emit_zero(y_, chunks_);
      emit_zero(sum_, chunks_);
    } else {
      emit_full_pass(x_, y_, /*keep_derivatives=*/true);
    }
  }

  // SGD's step factor at step t (schedule_factor).
  Value* emit_schedule_factor(Value* t, Value* steps) {
    Value* one = llvm::ConstantFP::get(f64_, 1.0);
    Value* epochs = b_.CreateFDiv(b_.CreateSIToFP(t, f64_), b_.CreateSIToFP(steps, f64_));
    Value* inv_t = b_.CreateFDiv(one, b_.CreateFAdd(one, epochs));
    Value* inv_sqrt_t = b_.CreateFDiv(
        one, b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, b_.CreateFAdd(one, epochs)));
    Value* decay =
        b_.CreateFDiv(one, b_.CreateFAdd(one, b_.CreateSIToFP(b_.CreateSDiv(t, steps), f64_)));
    Value* factor = b_.CreateSelect(b_.CreateICmpEQ(schedule_, b_.getInt64(1)), inv_t, one);
    factor = b_.CreateSelect(b_.CreateICmpEQ(schedule_, b_.getInt64(2)), inv_sqrt_t, factor);
    return b_.CreateSelect(b_.CreateICmpEQ(schedule_, b_.getInt64(3)), decay, factor);
  }

  void emit_sgd_step(Value* s, Value* steps) {
    Value* t = b_.CreateLoad(i64_, step_count_);
    Value* rate = to_scalar(b_.CreateFMul(step_double_, emit_schedule_factor(t, steps)));
    Value* iterate = x_previous_;
    emit_loop(
        b_.getInt64(0), batch_, {},
        [&](Value* member, std::vector<Value*>) {
          Value* i = emit_sample_at(b_.CreateAdd(b_.CreateMul(s, batch_), member));
          Value* d = emit_sample_derivative_scalar(emit_sample_margin(iterate, i), i);
          emit_sample_scatter(y_, i, d);
          return std::vector<Value*>{};
        },
        "sgd.batch");
    Value* scaled = splat(b_.CreateFDiv(rate, b_.CreateSIToFP(batch_, scalar_)));
    emit_prox_pass(
        [&](Value* j) {
          return b_.CreateFSub(load_vector(iterate, j), b_.CreateFMul(scaled, load_vector(y_, j)));
        },
        rate, {},
        [&](Value* j, Value* proxed, std::vector<Value*>) {
          Value* moved = b_.CreateSelect(real_lanes(j), proxed, load_vector(iterate, j));
          store_vector(moved, iterate, j);
          store_vector(vector_constant(0.0), y_, j);
          Value* total = load_vector(sum_, j);
          store_vector(b_.CreateSelect(averaging_, b_.CreateFAdd(total, moved), total), sum_, j);
          return std::vector<Value*>{};
        },
        "sgd.update");
    b_.CreateStore(b_.CreateAdd(t, b_.getInt64(1)), step_count_);
  }

  // An SGD step over the batch's nonzeros (lagged updates): bring them up to step t and take
  // the margins, then update each touched coordinate once (the samples drawn again from the
  // generator's saved state).
  void emit_sgd_lagged_step(Value* s, Value* steps) {
    Value* t = b_.CreateLoad(i64_, step_count_);
    Value* rate = to_scalar(b_.CreateFMul(step_double_, emit_schedule_factor(t, steps)));
    Value* total = b_.CreateLoad(scalar_, sgd_total_);
    Value* iterate = x_previous_;
    Value* mark = b_.CreateLoad(i64_, rng_state_);
    emit_loop(
        b_.getInt64(0), batch_, {},
        [&](Value* member, std::vector<Value*>) {
          Value* i = emit_sample_at(b_.CreateAdd(b_.CreateMul(s, batch_), member));
          Value* margin = emit_loop(
              row_begin(i), row_end(i), {scalar_constant(0.0)},
              [&](Value* k, std::vector<Value*> sum) {
                Value* j = column_index(k);
                emit_sgd_bring_up(j, t, total);
                return std::vector<Value*>{
                    fma(load_scalar(A_, k), load_scalar(iterate, j), sum[0])};
              },
              "sgd.margin")[0];
          Value* d = emit_sample_derivative_scalar(margin, i);
          emit_sample_scatter(y_, i, d);
          return std::vector<Value*>{};
        },
        "sgd.lagged_batch");
    Value* next_total = b_.CreateFAdd(total, emit_sgd_total_increment(rate));
    Value* scaled = b_.CreateFDiv(rate, b_.CreateSIToFP(batch_, scalar_));
    Value* t_next = b_.CreateAdd(t, b_.getInt64(1));
    b_.CreateStore(mark, rng_state_);
    emit_loop(
        b_.getInt64(0), batch_, {},
        [&](Value* member, std::vector<Value*>) {
          Value* i = emit_sample_at(b_.CreateAdd(b_.CreateMul(s, batch_), member));
          emit_loop(
              row_begin(i), row_end(i), {},
              [&](Value* k, std::vector<Value*>) {
                Value* j = column_index(k);
                emit_if(
                    b_.CreateICmpEQ(load_i64(lags_, j), t),
                    [&] {
                      Value* slot = address(iterate, j);
                      Value* g = address(y_, j);
                      Value* trial =
                          b_.CreateFSub(b_.CreateLoad(scalar_, slot),
                                        b_.CreateFMul(scaled, b_.CreateLoad(scalar_, g)));
                      Value* proxed = emit_scalar_prox(trial, rate);
                      b_.CreateStore(
                          b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial), slot);
                      b_.CreateStore(scalar_constant(0.0), g);
                      store_i64(t_next, lags_, j);
                      b_.CreateStore(next_total, address(sum_, j));
                    },
                    "sgd.touch");
                return std::vector<Value*>{};
              },
              "sgd.lagged_update");
          return std::vector<Value*>{};
        },
        "sgd.lagged_members");
    b_.CreateStore(next_total, sgd_total_);
    b_.CreateStore(t_next, step_count_);
  }

  // A SAGA or SVRG step on sample position s, updating the whole x.
  void emit_variance_reduced_dense_step(Value* s) {
    const bool saga = spec_.algorithm == Algorithm::saga;
    Value* i = emit_sample_at(s);
    Value* d = emit_sample_derivative_scalar(emit_sample_margin(x_, i), i);
    Value* delta = b_.CreateFSub(d, load_scalar(memory_, i));
    Value* step = splat(step_scalar_);
    Value* inv_n = inverse_n();
    if (spec_.layout == Layout::csr) {
      // The direction (d - alpha_i) a_i + g, dense, in x_previous_.
      emit_copy(y_, x_previous_);
      emit_sample_scatter(x_previous_, i, delta);
      emit_prox_pass(
          [&](Value* j) {
            return b_.CreateFSub(load_vector(x_, j),
                                 b_.CreateFMul(step, load_vector(x_previous_, j)));
          },
          step_scalar_, {},
          [&](Value* j, Value* proxed, std::vector<Value*>) {
            store_vector(b_.CreateSelect(real_lanes(j), proxed, load_vector(x_, j)), x_, j);
            return std::vector<Value*>{};
          },
          "vr.update");
      if (saga) emit_sample_scatter(y_, i, b_.CreateFMul(delta, inv_n));
    } else {
      Value* row = dense_row(i);
      Value* delta_vector = splat(delta);
      Value* inv_n_vector = splat(inv_n);
      emit_prox_pass(
          [&](Value* j) {
            Value* direction =
                b_.CreateFAdd(b_.CreateFMul(delta_vector, load_vector(row, j)), load_vector(y_, j));
            return b_.CreateFSub(load_vector(x_, j), b_.CreateFMul(step, direction));
          },
          step_scalar_, {},
          [&](Value* j, Value* proxed, std::vector<Value*>) {
            store_vector(b_.CreateSelect(real_lanes(j), proxed, load_vector(x_, j)), x_, j);
            if (saga) {
              Value* change =
                  b_.CreateFMul(b_.CreateFMul(delta_vector, load_vector(row, j)), inv_n_vector);
              store_vector(b_.CreateFAdd(load_vector(y_, j), change), y_, j);
            }
            return std::vector<Value*>{};
          },
          "vr.update");
    }
    if (saga) b_.CreateStore(d, address(memory_, i));
  }

  // A SAGA or SVRG step on sample position s over the sample's nonzeros (lagged updates).
  void emit_variance_reduced_lagged_step(Value* s) {
    const bool saga = spec_.algorithm == Algorithm::saga;
    const LaggedSample sample = emit_lagged_sample(
        s, [&](Value* j, Value* t) { emit_bring_up(j, t); }, "saga.margin");
    auto [t, i, begin, end, d, delta, t_next] = sample;
    Value* inv_n = inverse_n();
    emit_loop(
        begin, end, {},
        [&](Value* k, std::vector<Value*>) {
          Value* j = column_index(k);
          Value* a = load_scalar(A_, k);
          Value* g = address(y_, j);
          Value* c = b_.CreateLoad(scalar_, g);
          Value* slot = address(x_, j);
          Value* trial = b_.CreateFSub(b_.CreateLoad(scalar_, slot),
                                       b_.CreateFMul(step_scalar_, fma(delta, a, c)));
          Value* proxed = emit_scalar_prox(trial, step_scalar_);
          b_.CreateStore(b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial), slot);
          store_i64(t_next, lags_, j);
          if (saga) b_.CreateStore(fma(b_.CreateFMul(delta, a), inv_n, c), g);
          return std::vector<Value*>{};
        },
        "saga.update");
    if (saga) b_.CreateStore(d, address(memory_, i));
    b_.CreateStore(t_next, step_count_);
  }

  // One epoch; returns |x - prox(x - step grad f(x))|^2 at the reported point (scalar type).
  Value* emit_stochastic_epoch() {
    emit_start_epoch();
    const bool sgd = spec_.algorithm == Algorithm::sgd;
    if (sgd) {
      Value* steps =
          b_.CreateSDiv(b_.CreateAdd(rows_, b_.CreateSub(batch_, b_.getInt64(1))), batch_);
      const auto dense_steps = [&] {
        emit_loop(
            b_.getInt64(0), steps, {},
            [&](Value* s, std::vector<Value*>) {
              emit_sgd_step(s, steps);
              return std::vector<Value*>{};
            },
            "sgd.steps");
      };
      if (sgd_lagged()) {
        // Averaging needs every coordinate every step: dense steps then.
        emit_if(averaging_, dense_steps, "sgd.dense_if");
        emit_if(
            b_.CreateNot(averaging_),
            [&] {
              emit_loop(
                  b_.getInt64(0), steps, {},
                  [&](Value* s, std::vector<Value*>) {
                    emit_sgd_lagged_step(s, steps);
                    return std::vector<Value*>{};
                  },
                  "sgd.lagged_steps");
              // Every coordinate up to date; the running totals start again from zero.
              Value* now = b_.CreateLoad(i64_, step_count_);
              Value* total = b_.CreateLoad(scalar_, sgd_total_);
              emit_loop(
                  b_.getInt64(0), cols_, {},
                  [&](Value* j, std::vector<Value*>) {
                    emit_sgd_bring_up(j, now, total);
                    b_.CreateStore(scalar_constant(0.0), address(sum_, j));
                    return std::vector<Value*>{};
                  },
                  "sgd.catch_all");
              b_.CreateStore(scalar_constant(0.0), sgd_total_);
            },
            "sgd.lagged_if");
      } else {
        dense_steps();
      }
      Value* t = b_.CreateLoad(i64_, step_count_);
      Value* mean = splat(b_.CreateFDiv(scalar_constant(1.0), b_.CreateSIToFP(t, scalar_)));
      emit_loop(
          b_.getInt64(0), chunks_, {},
          [&](Value* c, std::vector<Value*>) {
            Value* j = lanes_times(c);
            Value* averaged = b_.CreateFMul(load_vector(sum_, j), mean);
            store_vector(b_.CreateSelect(averaging_, averaged, load_vector(x_previous_, j)), x_, j);
            return std::vector<Value*>{};
          },
          "sgd.report");
    } else {
      const bool lagged = stochastic_lagged();
      const auto steps = [&] {
        emit_loop(
            b_.getInt64(0), rows_, {},
            [&](Value* s, std::vector<Value*>) {
              if (lagged) {
                emit_variance_reduced_lagged_step(s);
              } else {
                emit_variance_reduced_dense_step(s);
              }
              return std::vector<Value*>{};
            },
            "vr.steps");
      };
      if (group_lagged_possible()) {
        emit_if(b_.CreateNot(has_groups_), steps, "group.dense_if");
        emit_if(
            has_groups_,
            [&] {
              emit_loop(
                  b_.getInt64(0), rows_, {},
                  [&](Value* s, std::vector<Value*>) {
                    emit_group_lagged_step(s);
                    return std::vector<Value*>{};
                  },
                  "group.steps");
              emit_group_catch_all();
            },
            "group.lagged_if");
      } else {
        steps();
      }
      if (lagged) {
        Value* t = b_.CreateLoad(i64_, step_count_);
        emit_loop(
            b_.getInt64(0), cols_, {},
            [&](Value* j, std::vector<Value*>) {
              emit_bring_up(j, t);
              return std::vector<Value*>{};
            },
            "saga.catch_all");
      }
    }
    // The certificate's full gradient; for SVRG also the next snapshot (mu and the d_i).
    const bool svrg = spec_.algorithm == Algorithm::svrg;
    Value* gradient = svrg ? y_ : grad_;
    emit_full_pass(x_, gradient, svrg);
    Value* step = splat(step_scalar_);
    Value* sum = emit_prox_pass(
        [&](Value* j) {
          return b_.CreateFSub(load_vector(x_, j), b_.CreateFMul(step, load_vector(gradient, j)));
        },
        step_scalar_, {vector_constant(0.0)},
        [&](Value* j, Value* proxed, std::vector<Value*> partial) {
          Value* x = load_vector(x_, j);
          Value* change =
              b_.CreateSelect(real_lanes(j), b_.CreateFSub(proxed, x), vector_constant(0.0));
          return std::vector<Value*>{fma(change, change, partial[0])};
        },
        "sto.certificate")[0];
    return b_.CreateFAddReduce(scalar_constant(0.0), sum);
  }

  // The loop itself, with every array as a noalias argument.
  // Arguments: A, b, x, grad, y, x_previous, rows, cols, prox params..., step (scalar type),
  // step (double), tolerance, max_iterations, progress, progress context, report_every, args,
  // offsets, indices, weights, scratch_in, scratch_out, margins, penalized, curvature,
  // prox_call, prox_context, loss params...
  Function* emit_body(const std::string& name) {
    std::vector<Type*> types = {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, i64_, i64_};
    const int parameter_count = spec_.prox_parameter_count;
    for (int p = 0; p < parameter_count; ++p)
      types.push_back(scalar_);
    types.insert(types.end(), {scalar_, f64_, f64_, i64_, ptr_, ptr_, i64_, ptr_});
    const unsigned first_extra = static_cast<unsigned>(types.size());
    types.insert(types.end(), {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, i64_, scalar_, ptr_, ptr_});
    for (int p = 0; p < spec_.loss_parameter_count; ++p)
      types.push_back(scalar_);
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), types, false);
    Function* f = Function::Create(type, Function::InternalLinkage, name, module_);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    if (options_.prefer_vector_width > 0) {
      // x86 tuning may split 512-bit vectors into halves unless the function asks for them.
      const std::string width = std::to_string(options_.prefer_vector_width);
      f->addFnAttr("prefer-vector-width", width);
      f->addFnAttr("min-legal-vector-width", width);
    }
    // Every buffer is distinct (the prox call sees only the scratch buffers it is given).
    std::vector<unsigned> buffers = {0, 1, 2, 3, 4, 5};
    for (unsigned a = first_extra; a < first_extra + 6; ++a)
      buffers.push_back(a);
    for (unsigned a : buffers) {
      f->addParamAttr(a, llvm::Attribute::NoAlias);
    }
    f->addParamAttr(0, llvm::Attribute::ReadOnly);
    f->addParamAttr(1, llvm::Attribute::ReadOnly);
    f->addParamAttr(first_extra - 1, llvm::Attribute::NoAlias);

    auto arg = f->arg_begin();
    A_ = arg++;
    b_vector_ = arg++;
    x_ = arg++;
    grad_ = arg++;
    y_ = arg++;
    x_previous_ = arg++;
    const bool fista = spec_.algorithm == Algorithm::fista;
    const bool coordinate_descent = spec_.algorithm == Algorithm::coordinate_descent;
    const bool stochastic = is_stochastic(spec_.algorithm);
    point_ = fista ? y_ : x_;
    rows_ = arg++;
    cols_ = arg++;
    std::vector<Value*> scalar_params;
    for (int p = 0; p < parameter_count; ++p)
      scalar_params.push_back(arg++);
    step_scalar_ = arg++;
    Value* step_double = arg++;
    Value* tolerance = arg++;
    Value* max_iterations = arg++;
    Value* progress = arg++;
    Value* progress_context = arg++;
    Value* report_every = arg++;
    Value* out = arg++;
    offsets_ = arg++;
    indices_ = arg++;
    weights_ = arg++;
    scratch_in_ = arg++;
    scratch_out_ = arg++;
    margins_ = arg++;
    penalized_ = arg++;
    curvature_ = arg++;
    prox_call_ = arg++;
    prox_context_ = arg++;
    for (int p = 0; p < spec_.loss_parameter_count; ++p)
      loss_scalar_params_.push_back(arg++);

    BasicBlock* entry = BasicBlock::Create(context_, "entry", f);
    BasicBlock* header = BasicBlock::Create(context_, "iter.header", f);
    BasicBlock* iteration = BasicBlock::Create(context_, "iter.body", f);
    BasicBlock* check = BasicBlock::Create(context_, "iter.check", f);
    BasicBlock* report_check = BasicBlock::Create(context_, "iter.report_check", f);
    BasicBlock* report = BasicBlock::Create(context_, "iter.report", f);
    BasicBlock* next = BasicBlock::Create(context_, "iter.next", f);
    BasicBlock* done = BasicBlock::Create(context_, "done", f);
    b_.SetInsertPoint(entry);
    chunks_ =
        b_.CreateUDiv(b_.CreateAdd(cols_, b_.getInt64(kLanes - 1)), b_.getInt64(kLanes), "chunks");
    stride_ = lanes_times(chunks_);
    step_ = splat(step_scalar_);
    scalar_params_ = scalar_params;
    for (Value* p : scalar_params)
      params_.push_back(splat(p));
    for (Value* p : loss_scalar_params_)
      loss_params_.push_back(splat(p));
    sample_chunks_ = b_.CreateUDiv(b_.CreateAdd(rows_, b_.getInt64(kLanes - 1)),
                                   b_.getInt64(kLanes), "sample_chunks");
    if (coordinate_descent && spec_.coordinate_newton) {
      // After the margins (work vector 5): the per-sample values and the trial's.
      Value* padded_rows = lanes_times(sample_chunks_);
      const auto after_margins = [&](int index) {
        return b_.CreateGEP(scalar_, margins_, b_.CreateMul(padded_rows, b_.getInt64(index)));
      };
      for (int v = 0; v < kCachedValues; ++v) {
        cached_[v] = after_margins(1 + v);
        trial_[v] = after_margins(1 + kCachedValues + v);
      }
      trial_margins_ = after_margins(1 + 2 * kCachedValues);
      // The trial's phi' and phi'' buffers, adjacent, for the proximal Newton step's pairs (free
      // until a fallback epoch needs them, after the pairs are done).
      model_pairs_ = trial_[kSlope];
    }
    if (coordinate_descent) emit_coordinate_descent_setup();
    if (stochastic) emit_stochastic_setup(out, step_double);
    if (coordinate_descent && spec_.coordinate_newton) emit_newton_cache_setup();
    const bool backtracking = spec_.backtracking && !fista && !coordinate_descent;
    Value* initial_curvature = nullptr;
    if (backtracking) {  // the gradient at the start; later ones come from accepted trials
      initial_curvature = b_.CreateFDiv(llvm::ConstantFP::get(f64_, 1.0), step_double);
      emit_gradient();
    }
    if (fista) {  // the first extrapolated point is the start
      emit_loop(
          b_.getInt64(0), chunks_, {},
          [&](Value* c, std::vector<Value*>) {
            store_vector(load_vector(x_, lanes_times(c)), y_, lanes_times(c));
            return std::vector<Value*>{};
          },
          "fista.start");
    }
    const bool proximal_newton = coordinate_descent && spec_.coordinate_newton;
    Value* initial_newton_sum = proximal_newton ? emit_newton_outer_setup() : nullptr;
    BasicBlock* preheader = b_.GetInsertBlock();
    b_.CreateBr(header);

    b_.SetInsertPoint(header);
    PHINode* k = b_.CreatePHI(i64_, 2, "k");
    // Proximal Newton: the model at x carried from one iteration to the next.
    PHINode* newton_sum = nullptr;
    if (proximal_newton) {
      newton_sum = b_.CreatePHI(scalar_, 2, "newton_sum");
      newton_sum->addIncoming(initial_newton_sum, preheader);
      newton_sum_ = newton_sum;
    }
    PHINode* first_certificate = b_.CreatePHI(f64_, 2, "first_certificate");
    PHINode* last_certificate = b_.CreatePHI(f64_, 2, "last_certificate");
    // Iterations left until the next progress report (a countdown: no division per iteration).
    PHINode* until_report = b_.CreatePHI(i64_, 2, "until_report");
    until_report->addIncoming(report_every, preheader);
    k->addIncoming(b_.getInt64(0), preheader);
    first_certificate->addIncoming(llvm::ConstantFP::get(f64_, -1.0), preheader);
    last_certificate->addIncoming(llvm::ConstantFP::get(f64_, 0.0), preheader);
    // FISTA's momentum sequence t_k (t_0 = 1).
    PHINode* momentum = b_.CreatePHI(f64_, 2, "t");
    momentum->addIncoming(llvm::ConstantFP::get(f64_, 1.0), preheader);
    // Backtracking: the curvature estimate L and the two gradient buffers, which swap roles
    // when a trial point is accepted (its gradient was computed to test it).
    PHINode* curvature = nullptr;
    PHINode* gradient_now = nullptr;
    PHINode* gradient_spare = nullptr;
    if (backtracking) {
      curvature = b_.CreatePHI(f64_, 2, "L");
      curvature->addIncoming(initial_curvature, preheader);
      gradient_now = b_.CreatePHI(ptr_, 2, "g.now");
      gradient_now->addIncoming(grad_, preheader);
      gradient_spare = b_.CreatePHI(ptr_, 2, "g.spare");
      gradient_spare->addIncoming(y_, preheader);
    }
    b_.CreateCondBr(b_.CreateICmpSLT(k, max_iterations), iteration, done);

    b_.SetInsertPoint(iteration);
    Value* squared_change = nullptr;
    Value* next_momentum = momentum;
    Value* certificate_divisor =
        coordinate_descent ? llvm::ConstantFP::get(f64_, 1.0) : step_double;
    Value* next_curvature = nullptr;
    Value* next_newton_sum = nullptr;
    if (backtracking) {
      BacktrackingStep result = emit_backtracking_step(curvature, gradient_now, gradient_spare);
      squared_change = result.squared_change;
      next_curvature = result.curvature;
      // The gradient mapping at the accepted step 1/L: |dx| * L.
      certificate_divisor = b_.CreateFDiv(llvm::ConstantFP::get(f64_, 1.0), next_curvature);
    } else if (coordinate_descent) {
      squared_change = emit_coordinate_descent_epoch();
      if (newton_sum) next_newton_sum = squared_change;
    } else if (stochastic) {
      squared_change = emit_stochastic_epoch();
    } else if (fista) {
      Value* gradient_scale = emit_gradient();
      auto [to_point, restart_dot] = emit_fista_update(gradient_scale);
      squared_change = to_point;
      // t' = (1 + sqrt(1 + 4 t^2)) / 2, beta = (t - 1) / t'; with adaptive restart
      // (O'Donoghue and Candes) the momentum is dropped when it points uphill.
      Value* one = llvm::ConstantFP::get(f64_, 1.0);
      Value* t_next = b_.CreateFMul(
          llvm::ConstantFP::get(f64_, 0.5),
          b_.CreateFAdd(one,
                        b_.CreateUnaryIntrinsic(
                            llvm::Intrinsic::sqrt,
                            b_.CreateFAdd(one, b_.CreateFMul(llvm::ConstantFP::get(f64_, 4.0),
                                                             b_.CreateFMul(momentum, momentum))))));
      Value* beta = b_.CreateFDiv(b_.CreateFSub(momentum, one), t_next);
      if (spec_.adaptive_restart) {
        Value* uphill = b_.CreateFCmpOGT(restart_dot, scalar_constant(0.0), "restart");
        beta = b_.CreateSelect(uphill, llvm::ConstantFP::get(f64_, 0.0), beta);
        t_next = b_.CreateSelect(uphill, one, t_next);
      }
      next_momentum = t_next;
      emit_extrapolation(scalar_ == f64_ ? beta : b_.CreateFPTrunc(beta, scalar_));
    } else {
      squared_change = emit_update(emit_gradient());
    }
    if (scalar_ != f64_) squared_change = b_.CreateFPExt(squared_change, f64_);
    // The norm of the gradient mapping: |dx| / step, or for coordinate descent sum (L_j dx_j)^2
    // already scaled coordinate by coordinate.
    Value* certificate =
        b_.CreateFDiv(b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, squared_change),
                      certificate_divisor, "certificate");
    Value* k_next = b_.CreateAdd(k, b_.getInt64(1), "k.next", true, true);
    Value* first =
        b_.CreateSelect(b_.CreateFCmpOLT(first_certificate, llvm::ConstantFP::get(f64_, 0.0)),
                        certificate, first_certificate);
    // Diverged: not finite (NaN fails `<`), or grown far past the first certificate.
    Value* finite = b_.CreateFCmpOLT(certificate, llvm::ConstantFP::getInfinity(f64_), "finite");
    Value* exploded = b_.CreateFCmpOGT(
        certificate, b_.CreateFMul(first, llvm::ConstantFP::get(f64_, kDivergenceGrowth)));
    BasicBlock* iteration_end = b_.GetInsertBlock();
    b_.CreateCondBr(b_.CreateOr(b_.CreateNot(finite), exploded), done, check);

    b_.SetInsertPoint(check);
    // Tolerance 0 runs the whole budget (a fixed point is then not an early exit either).
    Value* converged = b_.CreateAnd(b_.CreateFCmpOLE(certificate, tolerance),
                                    b_.CreateFCmpOGT(tolerance, llvm::ConstantFP::get(f64_, 0.0)));
    b_.CreateCondBr(converged, done, report_check);

    // Progress: when the countdown reaches zero (it never does when report_every is 0).
    b_.SetInsertPoint(report_check);
    Value* countdown = b_.CreateSub(until_report, b_.getInt64(1));
    b_.CreateCondBr(b_.CreateICmpEQ(countdown, b_.getInt64(0)), report, next);
    b_.SetInsertPoint(report);
    auto* progress_type = llvm::FunctionType::get(i64_, {ptr_, i64_, f64_, ptr_}, false);
    Value* verdict = b_.CreateCall(progress_type, progress,
                                   {progress_context, k_next, certificate, x_}, "verdict");
    b_.CreateCondBr(b_.CreateICmpNE(verdict, b_.getInt64(0)), done, next);

    b_.SetInsertPoint(next);
    PHINode* reset = b_.CreatePHI(i64_, 2, "until_report.next");
    reset->addIncoming(countdown, report_check);
    reset->addIncoming(report_every, report);
    b_.CreateBr(header);
    k->addIncoming(k_next, next);
    first_certificate->addIncoming(first, next);
    last_certificate->addIncoming(certificate, next);
    until_report->addIncoming(reset, next);
    momentum->addIncoming(next_momentum, next);
    if (newton_sum) newton_sum->addIncoming(next_newton_sum, next);
    if (backtracking) {
      curvature->addIncoming(next_curvature, next);
      gradient_now->addIncoming(gradient_spare, next);  // the accepted trial's gradient
      gradient_spare->addIncoming(gradient_now, next);
    }

    b_.SetInsertPoint(done);
    PHINode* status = b_.CreatePHI(i64_, 4, "status");
    status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::max_iterations)), header);
    status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::diverged)), iteration_end);
    status->addIncoming(b_.getInt64(static_cast<int64_t>(SolveStatus::converged)), check);
    status->addIncoming(verdict, report);
    PHINode* iterations = b_.CreatePHI(i64_, 4, "iterations");
    iterations->addIncoming(k, header);
    iterations->addIncoming(k_next, iteration_end);
    iterations->addIncoming(k_next, check);
    iterations->addIncoming(k_next, report);
    PHINode* final_certificate = b_.CreatePHI(f64_, 4, "final_certificate");
    final_certificate->addIncoming(last_certificate, header);
    final_certificate->addIncoming(certificate, iteration_end);
    final_certificate->addIncoming(certificate, check);
    final_certificate->addIncoming(certificate, report);
    b_.CreateStore(iterations, field(out, kFieldIterations));
    b_.CreateStore(final_certificate, field(out, kFieldCertificate));
    b_.CreateStore(status, field(out, kFieldStatus));
    b_.CreateRetVoid();
    return f;
  }

  Value* field(Value* args, ArgField index) {
    return b_.CreateConstInBoundsGEP1_64(i64_, args, index);
  }

  // `void symbol(KernelArgs*)`: unpacks the arguments and calls the loop.
  Function* emit_entry(const std::string& symbol, Function* body) {
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), {ptr_}, false);
    Function* f = Function::Create(type, Function::ExternalLinkage, symbol, module_);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    Value* args = f->getArg(0);
    b_.SetInsertPoint(BasicBlock::Create(context_, "entry", f));
    Value* params = b_.CreateLoad(ptr_, field(args, kFieldParams), "params");
    Value* step = b_.CreateLoad(f64_, field(args, kFieldStep), "step");
    std::vector<Value*> call_args = {
        b_.CreateLoad(ptr_, field(args, kFieldA), "A"),
        b_.CreateLoad(ptr_, field(args, kFieldB), "b"),
        b_.CreateLoad(ptr_, field(args, kFieldX), "x"),
    };
    // Work (kernel_work_size): five padded vectors of the unknowns -- the gradient, the
    // extrapolated point (FISTA; the second gradient of backtracking; coordinate descent's L_j),
    // the previous iterate, a called prox's input and output -- then coordinate descent's
    // margins. Plain GEPs: the ones an algorithm does not use are never touched.
    Value* work = b_.CreateLoad(ptr_, field(args, kFieldWork), "work");
    Value* cols = b_.CreateLoad(i64_, field(args, kFieldCols), "cols");
    Value* padded = b_.CreateMul(
        b_.CreateUDiv(b_.CreateAdd(cols, b_.getInt64(kLanes - 1)), b_.getInt64(kLanes)),
        b_.getInt64(kLanes));
    Value* rows = b_.CreateLoad(i64_, field(args, kFieldRows), "rows");
    const auto work_vector = [&](int index, const char* name) {
      return b_.CreateGEP(scalar_, work, b_.CreateMul(padded, b_.getInt64(index)), name);
    };
    call_args.push_back(work);
    call_args.push_back(work_vector(1, "y"));
    call_args.push_back(work_vector(2, "x_old"));
    call_args.push_back(rows);
    call_args.push_back(cols);
    for (int p = 0; p < spec_.prox_parameter_count; ++p) {
      Value* value = b_.CreateLoad(f64_, b_.CreateConstInBoundsGEP1_64(f64_, params, p));
      call_args.push_back(scalar_ == f64_ ? value : b_.CreateFPTrunc(value, scalar_));
    }
    call_args.push_back(scalar_ == f64_ ? step : b_.CreateFPTrunc(step, scalar_));
    call_args.push_back(step);
    call_args.push_back(b_.CreateLoad(f64_, field(args, kFieldTolerance), "tolerance"));
    call_args.push_back(b_.CreateLoad(i64_, field(args, kFieldMaxIterations), "max_iterations"));
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldProgress), "progress"));
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldProgressContext), "context"));
    call_args.push_back(b_.CreateLoad(i64_, field(args, kFieldReportEvery), "report_every"));
    call_args.push_back(args);
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldOffsets), "offsets"));
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldIndices), "indices"));
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldWeights), "weights"));
    call_args.push_back(work_vector(3, "scratch_in"));
    call_args.push_back(work_vector(4, "scratch_out"));
    call_args.push_back(work_vector(kMarginsWorkVector, "margins"));
    call_args.push_back(b_.CreateLoad(i64_, field(args, kFieldPenalized), "penalized"));
    Value* curvature = b_.CreateLoad(f64_, field(args, kFieldCurvature), "curvature");
    call_args.push_back(scalar_ == f64_ ? curvature : b_.CreateFPTrunc(curvature, scalar_));
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldProxCall), "prox_call"));
    call_args.push_back(b_.CreateLoad(ptr_, field(args, kFieldProxContext), "prox_context"));
    Value* loss_params = b_.CreateLoad(ptr_, field(args, kFieldLossParams), "loss_params");
    for (int p = 0; p < spec_.loss_parameter_count; ++p) {
      Value* value = b_.CreateLoad(f64_, b_.CreateConstInBoundsGEP1_64(f64_, loss_params, p));
      call_args.push_back(scalar_ == f64_ ? value : b_.CreateFPTrunc(value, scalar_));
    }
    b_.CreateCall(body, call_args);
    b_.CreateRetVoid();
    return f;
  }

  llvm::LLVMContext& context_;
  llvm::Module& module_;
  const KernelSpec& spec_;
  const CodegenOptions& options_;
  llvm::IRBuilder<> b_;
  Type* scalar_ = nullptr;
  llvm::FixedVectorType* vector_ = nullptr;
  Type* i64_ = nullptr;
  Type* f64_ = nullptr;
  llvm::PointerType* ptr_ = nullptr;
  llvm::Align alignment_;
  Value* A_ = nullptr;
  Value* b_vector_ = nullptr;
  Value* x_ = nullptr;
  Value* y_ = nullptr;           // FISTA: the extrapolated point
  Value* x_previous_ = nullptr;  // FISTA: the iterate before x
  Value* point_ = nullptr;       // where the gradient is taken: x (pgd) or y (FISTA)
  Value* grad_ = nullptr;
  Value* rows_ = nullptr;
  Value* cols_ = nullptr;
  Value* chunks_ = nullptr;  // vectors per padded row
  Value* stride_ = nullptr;  // padded row length
  Value* step_scalar_ = nullptr;
  Value* step_ = nullptr;       // splat
  std::vector<Value*> params_;  // splats
  std::vector<Value*> scalar_params_;
  Value* sample_chunks_ = nullptr;  // vectors per padded column of samples (losses)
  Value* offsets_ = nullptr;        // sparse layouts
  Value* indices_ = nullptr;
  Value* weights_ = nullptr;      // per-sample weights (spec.weighted)
  Value* scratch_in_ = nullptr;   // a called prox's input
  Value* scratch_out_ = nullptr;  // and output
  Value* margins_ = nullptr;      // coordinate descent on a loss: z = A x
  // Coordinate Newton steps: phi, w phi', w phi'' per sample at the margins, the same at the
  // last trial point, and the trial's margins.
  // (coordinate_work_layout in kernel_spec.h says where the engine finds phi and w phi'.)
  enum { kLoss, kSlope, kCurvature, kCachedValues };
  Value* cached_[kCachedValues] = {};
  Value* trial_[kCachedValues] = {};
  Value* trial_margins_ = nullptr;
  Value* model_pairs_ = nullptr;  // proximal Newton on CSC: (u_i, w_i phi''(z_i)) per sample
  Value* newton_sum_ = nullptr;   // proximal Newton: the certificate's sum of squares at x
  Value* penalized_ = nullptr;    // r applies to x[0, penalized)
  Value* curvature_ = nullptr;    // the loss's sup phi''
  Value* prox_call_ = nullptr;
  Value* prox_context_ = nullptr;
  std::vector<Value*> loss_params_;  // splats
  std::vector<Value*> loss_scalar_params_;
  // Stochastic solvers (emit_stochastic_setup).
  Value* step_double_ = nullptr;
  Value* memory_ = nullptr;      // per-sample scalars (SAGA's alpha, SVRG's snapshot)
  Value* lags_ = nullptr;        // i64 per coordinate: the step it was last brought up to
  Value* order_ = nullptr;       // i64 per sample: the epoch's order (shuffling)
  Value* sum_ = nullptr;         // SGD: sum of iterates (averaging) or lagged totals
  Value* rng_state_ = nullptr;   // alloca: splitmix64's counter
  Value* step_count_ = nullptr;  // alloca: steps taken since the start (t)
  Value* sgd_total_ = nullptr;   // alloca: SGD's lagged running total in this epoch
  Value* batch_ = nullptr;
  Value* schedule_ = nullptr;
  Value* sampling_ = nullptr;
  Value* averaging_ = nullptr;  // i1
  // Lagged group_l2 steps (KernelArgs::groups): each penalized coordinate's group, the groups'
  // starts, whether they are given (i1), and lambda.
  Value* groups_ = nullptr;
  Value* group_starts_ = nullptr;
  Value* has_groups_ = nullptr;
  Value* group_lambda_ = nullptr;
};

}  // namespace

std::unique_ptr<llvm::Module> emit_kernel(llvm::LLVMContext& context, const KernelSpec& spec,
                                          const CodegenOptions& options,
                                          const std::string& symbol) {
  auto module = std::make_unique<llvm::Module>(symbol, context);
  KernelEmitter(context, *module, spec, options).emit(symbol);
  return module;
}

}  // namespace proxjit::codegen
