// The prox pass every update shares, and the fused update pass of proximal gradient.
#include "emitter.h"

namespace proxjit::codegen {

std::vector<Value*> KernelEmitter::emit_prox_pass(const std::function<Value*(Value*)>& trial,
                                                  Value* step, const std::vector<Value*>& initial,
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
        store_vector(trial(i), prox_input_, i);
        return std::vector<Value*>{};
      },
      "prox.trial");
  auto* call_type = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, f64_, ptr_, i64_}, false);
  b_.CreateCall(call_type, prox_call_,
                {prox_context_, prox_input_, scalar_ == f64_ ? step : b_.CreateFPExt(step, f64_),
                 prox_output_, penalized_});
  return emit_loop(
      b_.getInt64(0), chunks_, initial,
      [&](Value* c, std::vector<Value*> partial) {
        Value* i = lanes_times(c);
        Value* t = load_vector(prox_input_, i);
        return consume(i, b_.CreateSelect(penalized_lanes(i), load_vector(prox_output_, i), t),
                       partial);
      },
      name);
}

// ---- the fused update pass: y = x - step*g, x = prox(y); returns sum (x_new - x_old)^2 ----
Value* KernelEmitter::emit_update(Value* gradient_scale) {
  return emit_gradient_step(step_scalar_, gradient_scale, grad_, x_, "update");
}

// z = prox_{step r}(x - step * scale * gradient) into `destination` (x itself, or a trial
// buffer), padding lanes keeping x; returns |z - x|^2.
Value* KernelEmitter::emit_gradient_step(Value* step, Value* gradient_scale, Value* gradient,
                                         Value* destination, const char* name) {
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

}  // namespace proxjit::codegen
