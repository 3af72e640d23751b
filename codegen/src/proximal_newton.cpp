// Proximal Newton steps on coordinate descent's losses (reference_solver.h's proximal_newton_step).
#include "emitter.h"

namespace proxjit::codegen {

// ---- proximal Newton steps (reference_solver.h's proximal_newton_step, rule for rule) ----
// Buffers: g_j in grad_, the step's curvature h_j in newton_curvature_ (0: the coordinate sits
// out; -h_j: shrunk, out of the later inner passes but in d), x + d in newton_point_, u = A d in
// direction_margins_ (free again for the CDN epoch, the fallback, once the line search has failed).
// Slot of sample i's u (0) or curvature (1) in model_pairs_.
Value* KernelEmitter::pair_slot(Value* i, int which) {
  return b_.CreateAdd(b_.CreateShl(i, b_.getInt64(1)), b_.getInt64(which));
}

// prox_{step r} of coordinate j's trial point (the plain step on an intercept).
Value* KernelEmitter::coordinate_prox(Value* j, Value* trial, Value* step) {
  Value* proxed = emit_expr(spec_.prox, {trial, step, &scalar_params_, scalar_});
  return b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial);
}

// Step 1: g_j, h_j and the first step d0_j of every coordinate; returns sum (h_j d0_j)^2.
Value* KernelEmitter::emit_newton_outer_setup() {
  return emit_loop(
      b_.getInt64(0), cols_, {scalar_constant(0.0)},
      [&](Value* j, std::vector<Value*> sum) {
        Value* lipschitz = load_scalar(lipschitz_, j);
        Value* old_x = load_scalar(x_, j);
        b_.CreateStore(scalar_constant(0.0), address(newton_curvature_, j));
        // The whole gradient (0 for an empty column): the engine's gap checks read it.
        b_.CreateStore(scalar_constant(0.0), address(grad_, j));
        b_.CreateStore(old_x, address(newton_point_, j));
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
                             address(newton_curvature_, j));
              return std::vector<Value*>{fma(scaled, scaled, sum[0])};
            },
            "pn.setup");
      },
      "pn.setup")[0];
}

// Step 2, one pass of coordinate descent on the quadratic model; returns sum (h_j delta_j)^2.
Value* KernelEmitter::emit_newton_inner_pass() {
  return emit_loop(
      b_.getInt64(0), cols_, {scalar_constant(0.0)},
      [&](Value* j, std::vector<Value*> sum) {
        Value* curvature = load_scalar(newton_curvature_, j);
        return emit_if(
            b_.CreateFCmpOGT(curvature, scalar_constant(0.0)), sum,
            [&] {
              Value* along = column_sums(
                  j, 1,
                  [&](Value* i, Value* a, bool vector) {
                    Value* weighted =
                        vector ? b_.CreateFMul(load_vector(cached_[kCurvature], i),
                                               load_vector(direction_margins_, i))
                               : b_.CreateFMul(load_scalar(model_pairs_, pair_slot(i, 1)),
                                               load_scalar(model_pairs_, pair_slot(i, 0)));
                    return std::vector<Value*>{b_.CreateFMul(a, weighted)};
                  },
                  "pn.model")[0];
              Value* gradient =
                  b_.CreateFAdd(load_scalar(grad_, j), b_.CreateFMul(along, inverse_n()));
              Value* step = b_.CreateFDiv(scalar_constant(1.0), curvature);
              Value* current = load_scalar(newton_point_, j);
              Value* moved =
                  coordinate_prox(j, b_.CreateFSub(current, b_.CreateFMul(gradient, step)), step);
              Value* delta = b_.CreateFSub(moved, current);
              Value* scaled = b_.CreateFMul(curvature, delta);
              Value* next_sum = fma(scaled, scaled, sum[0]);
              Value* moves = b_.CreateFCmpUNE(delta, scalar_constant(0.0));
              // Not moving: shrunk, out of the later passes (reference_solver.h).
              b_.CreateStore(b_.CreateSelect(moves, curvature, b_.CreateFNeg(curvature)),
                             address(newton_curvature_, j));
              emit_if(
                  moves,
                  [&] {
                    b_.CreateStore(moved, address(newton_point_, j));
                    column_sums(
                        j, 0,
                        [&](Value* i, Value* a, bool vector) {
                          if (vector) {
                            Value* u = load_vector(direction_margins_, i);
                            store_vector(fma(a, splat(delta), u), direction_margins_, i);
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
Value* KernelEmitter::newton_point(Value* j, Value* beta) {
  Value* old_x = load_scalar(x_, j);
  Value* target = load_scalar(newton_point_, j);
  return b_.CreateSelect(b_.CreateFCmpOEQ(beta, scalar_constant(1.0)), target,
                         b_.CreateFAdd(old_x, b_.CreateFMul(beta, b_.CreateFSub(target, old_x))));
}

// Step 3's sums over the coordinates taking part: of term(j) (0 for the others).
Value* KernelEmitter::active_coordinates_sum(const std::function<Value*(Value* j)>& term,
                                             const char* name) {
  return emit_loop(
      b_.getInt64(0), cols_, {scalar_constant(0.0)},
      [&](Value* j, std::vector<Value*> sum) {
        Value* active = b_.CreateFCmpONE(load_scalar(newton_curvature_, j), scalar_constant(0.0));
        return std::vector<Value*>{
            b_.CreateFAdd(sum[0], b_.CreateSelect(active, term(j), scalar_constant(0.0)))};
      },
      name)[0];
}

// 1/n sum_i w_i (phi(z_i + beta u_i) - phi(z_i)) and 1/n sum_i w_i |phi(z_i)|.
std::pair<Value*, Value*> KernelEmitter::emit_newton_loss_change(Value* beta) {
  Value* beta_splat = splat(beta);
  const std::vector<Value*> sums = emit_loop(
      b_.getInt64(0), sample_chunks_, {vector_constant(0.0), vector_constant(0.0)},
      [&](Value* c, std::vector<Value*> partial) {
        Value* i = lanes_times(c);
        Value* z = fma(beta_splat, load_vector(direction_margins_, i), load_vector(margins_, i));
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
Value* KernelEmitter::next_newton_beta(Value* beta, Value* change) {
  Value* finite = b_.CreateFCmpOLT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, change),
                                   llvm::ConstantFP::getInfinity(scalar_));
  return b_.CreateFMul(
      beta, b_.CreateSelect(finite, scalar_constant(0.5), scalar_constant(kNewtonOverflowShrink)));
}

// One step from the model at x that newton_sum_ belongs to (emit_newton_outer_setup, before
// the loop or at the end of the last step), then the model at the new point: returns its
// sum, the certificate of the x the iteration ends with (reference_coordinate_descent).
Value* KernelEmitter::emit_proximal_newton_step() {
  Function* function = b_.GetInsertBlock()->getParent();
  const auto block = [&](const char* name) { return BasicBlock::Create(context_, name, function); };
  Value* sum = newton_sum_;
  Value* inner_bound = b_.CreateFMul(scalar_constant(kNewtonInnerTolerance), sum);

  // Step 2: inner passes from d = 0.
  emit_zero(direction_margins_, sample_chunks_);
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
          b_.CreateStore(load_scalar(model_pairs_, pair_slot(i, 0)),
                         address(direction_margins_, i));
          return std::vector<Value*>{};
        },
        "pn.unpair");
  }
  Value* predicted = active_coordinates_sum(
      [&](Value* j) {
        Value* old_x = load_scalar(x_, j);
        Value* target = load_scalar(newton_point_, j);
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
        Value* active = b_.CreateFCmpONE(load_scalar(newton_curvature_, j), scalar_constant(0.0));
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
        Value* z = fma(beta_splat, load_vector(direction_margins_, i), load_vector(margins_, i));
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

// Coordinate descent on a loss whose phi'' varies: proximal Newton steps, with the coordinate
// Newton epoch (coordinate_newton.cpp) as their fallback.
const KernelEmitter::AlgorithmEmitter KernelEmitter::kProximalNewton = {
    .name = "cd+newton",
    .matches =
        [](const KernelSpec& spec) {
          return spec.algorithm == Algorithm::coordinate_descent && spec.coordinate_newton;
        },
    .setup = &KernelEmitter::proximal_newton_setup,
    .state = &KernelEmitter::proximal_newton_state,
    .state_first = true,
    .iterate = &KernelEmitter::proximal_newton_iterate};

// The per-sample buffers, coordinate descent's setup, the per-sample values at the margins
// and the model at the start.
void KernelEmitter::proximal_newton_setup(Value*, Value*) {
  // After the margins: the per-sample values and the trial's (WorkLayout).
  Value* padded_rows = lanes_times(sample_chunks_);
  const auto after_margins = [&](int index) {
    return b_.CreateGEP(scalar_, margins_, b_.CreateMul(padded_rows, b_.getInt64(index)));
  };
  static_assert(WorkLayout::margins.samples == 0);
  for (int v = 0; v < kCachedValues; ++v) {
    cached_[v] = after_margins(WorkLayout::sample_values[v].samples);
    trial_[v] = after_margins(WorkLayout::trial_values[v].samples);
  }
  trial_margins_ = after_margins(WorkLayout::trial_margins.samples);
  static_assert(WorkLayout::direction_margins.samples == WorkLayout::trial_margins.samples);
  direction_margins_ = trial_margins_;
  // The trial's phi' and phi'' buffers, adjacent, for the proximal Newton step's pairs (free
  // until a fallback epoch needs them, after the pairs are done).
  static_assert(WorkLayout::model_pairs.samples == WorkLayout::trial_values[kSlope].samples);
  model_pairs_ = trial_[kSlope];
  emit_coordinate_descent_setup();
  emit_newton_cache_setup();
  initial_newton_sum_ = emit_newton_outer_setup();
}

// The model at x, carried from one iteration to the next.
std::vector<KernelEmitter::CarriedValue> KernelEmitter::proximal_newton_state() {
  return {{scalar_, initial_newton_sum_, "newton_sum"}};
}

KernelEmitter::Iteration KernelEmitter::proximal_newton_iterate(const LoopState& loop) {
  newton_sum_ = loop.state[0];
  Value* sum = emit_proximal_newton_step();
  return {.squared_change = sum,
          .certificate_divisor = llvm::ConstantFP::get(f64_, 1.0),
          .next_state = {sum}};
}

}  // namespace proxjit::codegen
