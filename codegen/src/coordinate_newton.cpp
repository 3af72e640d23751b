// Proximal coordinate Newton epochs (losses whose phi'' varies).
#include "emitter.h"

namespace proxjit::codegen {

// g_j and h_j = sum_i a_ij^2 w_i phi''(z_i, b_i) / n in one pass over the column, from the
// per-sample values kept at the margins.
std::pair<Value*, Value*> KernelEmitter::emit_coordinate_gradient_and_hessian(Value* j) {
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
std::vector<Value*> KernelEmitter::emit_sample_values(Value* z, Value* i, bool vector,
                                                      bool with_loss) {
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
void KernelEmitter::emit_newton_cache_setup() {
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
std::pair<Value*, Value*> KernelEmitter::emit_coordinate_loss_change(Value* j, Value* delta) {
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

Value* KernelEmitter::delta_splat_or(Value* delta, bool vector) {
  return vector ? splat(delta) : delta;
}

// r's term of coordinate j (0 on an intercept).
Value* KernelEmitter::emit_coordinate_regularizer(Value* j, Value* value) {
  Value* r = emit_expr(spec_.prox_value, {value, scalar_constant(0.0), &scalar_params_, scalar_});
  return b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), r, scalar_constant(0.0));
}

// Undoes the last emit_coordinate_loss_change of column j (a rejected trial).
void KernelEmitter::emit_restore_column(Value* j) {
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
Value* KernelEmitter::emit_coordinate_newton_epoch() {
  Function* function = b_.GetInsertBlock()->getParent();
  const auto block = [&](const char* name) { return BasicBlock::Create(context_, name, function); };
  return emit_loop(
      b_.getInt64(0), cols_, {scalar_constant(0.0)},
      [&](Value* j, std::vector<Value*> sum) {
        Value* lipschitz = load_scalar(lipschitz_, j);
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
        Value* change =
            b_.CreateFAdd(loss_change, b_.CreateFSub(emit_coordinate_regularizer(j, point), r_old));
        const double epsilon = scalar_ == f64_ ? std::numeric_limits<double>::epsilon()
                                               : std::numeric_limits<float>::epsilon();
        Value* rounding = scalar_constant(kNewtonRoundingUlps * epsilon);
        Value* accept = b_.CreateFCmpOLE(
            change, b_.CreateFAdd(b_.CreateFMul(beta, bound), b_.CreateFMul(rounding, loss_scale)));
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

}  // namespace proxjit::codegen
