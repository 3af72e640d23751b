// Proximal SGD steps: dense, and lagged over the batch's nonzeros.
#include "emitter.h"

namespace proxjit::codegen {

// SGD's step factor at step t (schedule_factor).
Value* KernelEmitter::emit_schedule_factor(Value* t, Value* steps) {
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

void KernelEmitter::emit_sgd_step(Value* s, Value* steps) {
  Value* t = b_.CreateLoad(i64_, step_count_);
  Value* rate = to_scalar(b_.CreateFMul(step_double_, emit_schedule_factor(t, steps)));
  Value* iterate = sgd_iterate_;
  emit_loop(
      b_.getInt64(0), batch_, {},
      [&](Value* member, std::vector<Value*>) {
        Value* i = emit_sample_at(b_.CreateAdd(b_.CreateMul(s, batch_), member));
        Value* d = emit_sample_derivative_scalar(emit_sample_margin(iterate, i), i);
        emit_sample_scatter(batch_gradient_, i, d);
        return std::vector<Value*>{};
      },
      "sgd.batch");
  Value* scaled = splat(b_.CreateFDiv(rate, b_.CreateSIToFP(batch_, scalar_)));
  emit_prox_pass(
      [&](Value* j) {
        return b_.CreateFSub(load_vector(iterate, j),
                             b_.CreateFMul(scaled, load_vector(batch_gradient_, j)));
      },
      rate, {},
      [&](Value* j, Value* proxed, std::vector<Value*>) {
        Value* moved = b_.CreateSelect(real_lanes(j), proxed, load_vector(iterate, j));
        store_vector(moved, iterate, j);
        store_vector(vector_constant(0.0), batch_gradient_, j);
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
void KernelEmitter::emit_sgd_lagged_step(Value* s, Value* steps) {
  Value* t = b_.CreateLoad(i64_, step_count_);
  Value* rate = to_scalar(b_.CreateFMul(step_double_, emit_schedule_factor(t, steps)));
  Value* total = b_.CreateLoad(scalar_, sgd_total_);
  Value* iterate = sgd_iterate_;
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
              return std::vector<Value*>{fma(load_scalar(A_, k), load_scalar(iterate, j), sum[0])};
            },
            "sgd.margin")[0];
        Value* d = emit_sample_derivative_scalar(margin, i);
        emit_sample_scatter(batch_gradient_, i, d);
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
                    Value* g = address(batch_gradient_, j);
                    Value* trial = b_.CreateFSub(b_.CreateLoad(scalar_, slot),
                                                 b_.CreateFMul(scaled, b_.CreateLoad(scalar_, g)));
                    Value* proxed = emit_scalar_prox(trial, rate);
                    b_.CreateStore(b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), proxed, trial),
                                   slot);
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

const KernelEmitter::AlgorithmEmitter KernelEmitter::kSgd = {
    .name = "sgd",
    .matches = [](const KernelSpec& spec) { return spec.algorithm == Algorithm::sgd; },
    .setup = &KernelEmitter::emit_stochastic_setup,
    .iterate = &KernelEmitter::sgd_iterate};

// An iteration is an epoch.
KernelEmitter::Iteration KernelEmitter::sgd_iterate(const LoopState&) {
  emit_start_epoch();
  emit_sgd_epoch();
  return {.squared_change = emit_stochastic_certificate()};
}

// An epoch's steps, then the point it reports (the iterate, or their average).
void KernelEmitter::emit_sgd_epoch() {
  Value* steps = b_.CreateSDiv(b_.CreateAdd(rows_, b_.CreateSub(batch_, b_.getInt64(1))), batch_);
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
        store_vector(b_.CreateSelect(averaging_, averaged, load_vector(sgd_iterate_, j)), x_, j);
        return std::vector<Value*>{};
      },
      "sgd.report");
}

}  // namespace proxjit::codegen
