// Expression lowering: a runtime expression (a prox, a loss) as IR, per element or per vector.
#include "emitter.h"

namespace proxjit::codegen {

// ---- the prox expression, inlined per element or per vector of elements ----
// The prox of the spec over a whole vector: step and parameters splatted.
Value* KernelEmitter::emit_prox_vector(Value* y) {
  return emit_expr(spec_.prox, {y, step_, &params_, vector_});
}

Value* KernelEmitter::emit_expr(const expr::Expr& e, const ExprEnv& env) {
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
Value* KernelEmitter::emit_condition(const expr::Expr& e, const ExprEnv& env) {
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

}  // namespace proxjit::codegen
