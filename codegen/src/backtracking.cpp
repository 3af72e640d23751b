// Proximal gradient with backtracking on the step.
#include "emitter.h"

namespace proxjit::codegen {

// ---- proximal gradient with backtracking ----
// Each iteration first lets the step grow (L *= kShrink), then tries
//   z = prox_{r/L}(x - grad f(x) / L)
// and accepts when 2 (grad f(z) - grad f(x)).(z - x) <= L |z - x|^2, else doubles L. For a
// convex f this implies Beck and Teboulle's sufficient decrease
//   f(z) <= f(x) + grad f(x).(z - x) + L/2 |z - x|^2
// (convexity gives f(z) <= f(x) + grad f(z).(z - x)), and unlike a test on f values it loses
// no accuracy near the optimum, where f(z) - f(x) drowns in rounding. The gradient at z is the
// next iteration's, so an accepted trial costs one gradient, as a fixed step does.
KernelEmitter::BacktrackingStep KernelEmitter::emit_backtracking_step(Value* curvature,
                                                                      Value* gradient,
                                                                      Value* spare) {
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
  // z = prox(x - step g) into trial_point_, with |z - x|^2.
  Value* squared = emit_gradient_step(step, gradient_scale, gradient, trial_point_, "bt.prox");
  // The gradient at z, into the spare buffer, and (grad f(z) - grad f(x)).(z - x).
  Value* saved_point = point_;
  Value* saved_gradient = grad_;
  point_ = trial_point_;
  grad_ = spare;
  emit_gradient();
  point_ = saved_point;
  grad_ = saved_gradient;
  const std::vector<Value*> curved = emit_loop(
      b_.getInt64(0), chunks_, {vector_constant(0.0)},
      [&](Value* c, std::vector<Value*> partial) {
        Value* i = lanes_times(c);
        Value* change = b_.CreateFSub(load_vector(spare, i), load_vector(gradient, i));
        Value* d = b_.CreateFSub(load_vector(trial_point_, i), load_vector(x_, i));
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
        store_vector(load_vector(trial_point_, i), x_, i);
        return std::vector<Value*>{};
      },
      "bt.move");
  return {squared, trial_l};
}

const KernelEmitter::AlgorithmEmitter KernelEmitter::kBacktracking = {
    .name = "pgd+backtracking",
    .matches =
        [](const KernelSpec& spec) {
          return spec.algorithm == Algorithm::proximal_gradient && spec.backtracking;
        },
    .setup = &KernelEmitter::backtracking_setup,
    .state = &KernelEmitter::backtracking_state,
    .iterate = &KernelEmitter::backtracking_iterate};

// The gradient at the start; later ones come from accepted trials.
void KernelEmitter::backtracking_setup(Value*, Value* step_double) {
  initial_curvature_ = b_.CreateFDiv(llvm::ConstantFP::get(f64_, 1.0), step_double);
  emit_gradient();
}

// The curvature estimate L and the two gradient buffers, which swap roles when a trial point
// is accepted (its gradient was computed to test it).
std::vector<KernelEmitter::CarriedValue> KernelEmitter::backtracking_state() {
  return {
      {f64_, initial_curvature_, "L"}, {ptr_, grad_, "g.now"}, {ptr_, trial_gradient_, "g.spare"}};
}

KernelEmitter::Iteration KernelEmitter::backtracking_iterate(const LoopState& loop) {
  Value* gradient_now = loop.state[1];
  Value* gradient_spare = loop.state[2];
  BacktrackingStep result = emit_backtracking_step(loop.state[0], gradient_now, gradient_spare);
  // The gradient mapping at the accepted step 1/L: |dx| * L.
  Value* certificate_divisor = b_.CreateFDiv(llvm::ConstantFP::get(f64_, 1.0), result.curvature);
  // The accepted trial's gradient is the next one.
  return {.squared_change = result.squared_change,
          .certificate_divisor = certificate_divisor,
          .next_state = {result.curvature, gradient_spare, gradient_now}};
}

}  // namespace proxjit::codegen
