// FISTA: the fused update from the extrapolated point, and the extrapolation.
#include "emitter.h"

namespace proxjit::codegen {

// FISTA's fused pass: x_new = prox(y - step*g) from the extrapolated point y; keeps the old x
// for the momentum; returns sum (x_new - y)^2 (the certificate, at y) and
// sum (y - x_new).(x_new - x_old) (positive: momentum works against descent, so restart).
std::pair<Value*, Value*> KernelEmitter::emit_fista_update(Value* gradient_scale) {
  Value* scaled_step = splat(b_.CreateFMul(step_scalar_, gradient_scale));
  const std::vector<Value*> sums = emit_prox_pass(
      [&](Value* i) {
        return b_.CreateFSub(load_vector(fista_point_, i),
                             b_.CreateFMul(scaled_step, load_vector(grad_, i)));
      },
      step_scalar_, {vector_constant(0.0), vector_constant(0.0)},
      [&](Value* i, Value* proxed, std::vector<Value*> partial) {
        Value* old_x = load_vector(x_, i);
        Value* y = load_vector(fista_point_, i);
        Value* new_x = b_.CreateSelect(real_lanes(i), proxed, old_x);
        store_vector(old_x, fista_previous_, i);
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
void KernelEmitter::emit_extrapolation(Value* beta) {
  Value* weight = splat(beta);
  emit_loop(
      b_.getInt64(0), chunks_, {},
      [&](Value* c, std::vector<Value*>) {
        Value* i = lanes_times(c);
        Value* x = load_vector(x_, i);
        store_vector(fma(weight, b_.CreateFSub(x, load_vector(fista_previous_, i)), x),
                     fista_point_, i);
        return std::vector<Value*>{};
      },
      "fista.extrapolate");
}

const KernelEmitter::AlgorithmEmitter KernelEmitter::kFista = {
    .name = "fista",
    .matches = [](const KernelSpec& spec) { return spec.algorithm == Algorithm::fista; },
    .setup = &KernelEmitter::fista_setup,
    .iterate = &KernelEmitter::fista_iterate};

// The first extrapolated point is the start.
void KernelEmitter::fista_setup(Value*, Value*) {
  emit_loop(
      b_.getInt64(0), chunks_, {},
      [&](Value* c, std::vector<Value*>) {
        store_vector(load_vector(x_, lanes_times(c)), fista_point_, lanes_times(c));
        return std::vector<Value*>{};
      },
      "fista.start");
}

KernelEmitter::Iteration KernelEmitter::fista_iterate(const LoopState& loop) {
  Value* momentum = loop.momentum;
  Value* gradient_scale = emit_gradient();
  auto [to_point, restart_dot] = emit_fista_update(gradient_scale);
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
  emit_extrapolation(scalar_ == f64_ ? beta : b_.CreateFPTrunc(beta, scalar_));
  return {.squared_change = to_point, .next_momentum = t_next};
}

}  // namespace proxjit::codegen
