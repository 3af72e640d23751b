// SAGA and SVRG steps: dense, and lagged over the sample's nonzeros.
#include "emitter.h"

namespace proxjit::codegen {

// A SAGA or SVRG step on sample position s, updating the whole x.
void KernelEmitter::emit_variance_reduced_dense_step(Value* s) {
  const bool saga = spec_.algorithm == Algorithm::saga;
  Value* i = emit_sample_at(s);
  Value* d = emit_sample_derivative_scalar(emit_sample_margin(x_, i), i);
  Value* delta = b_.CreateFSub(d, load_scalar(memory_, i));
  Value* step = splat(step_scalar_);
  Value* inv_n = inverse_n();
  if (sparse_rows()) {
    // The direction (d - alpha_i) a_i + g, dense, in direction_.
    emit_copy(mean_gradient_, direction_);
    emit_sample_scatter(direction_, i, delta);
    emit_prox_pass(
        [&](Value* j) {
          return b_.CreateFSub(load_vector(x_, j), b_.CreateFMul(step, load_vector(direction_, j)));
        },
        step_scalar_, {},
        [&](Value* j, Value* proxed, std::vector<Value*>) {
          store_vector(b_.CreateSelect(real_lanes(j), proxed, load_vector(x_, j)), x_, j);
          return std::vector<Value*>{};
        },
        "vr.update");
    if (saga) emit_sample_scatter(mean_gradient_, i, b_.CreateFMul(delta, inv_n));
  } else {
    Value* row = dense_row(i);
    Value* delta_vector = splat(delta);
    Value* inv_n_vector = splat(inv_n);
    emit_prox_pass(
        [&](Value* j) {
          Value* direction = b_.CreateFAdd(b_.CreateFMul(delta_vector, load_vector(row, j)),
                                           load_vector(mean_gradient_, j));
          return b_.CreateFSub(load_vector(x_, j), b_.CreateFMul(step, direction));
        },
        step_scalar_, {},
        [&](Value* j, Value* proxed, std::vector<Value*>) {
          store_vector(b_.CreateSelect(real_lanes(j), proxed, load_vector(x_, j)), x_, j);
          if (saga) {
            Value* change =
                b_.CreateFMul(b_.CreateFMul(delta_vector, load_vector(row, j)), inv_n_vector);
            store_vector(b_.CreateFAdd(load_vector(mean_gradient_, j), change), mean_gradient_, j);
          }
          return std::vector<Value*>{};
        },
        "vr.update");
  }
  if (saga) b_.CreateStore(d, address(memory_, i));
}

// A SAGA or SVRG step on sample position s over the sample's nonzeros (lagged updates).
void KernelEmitter::emit_variance_reduced_lagged_step(Value* s) {
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
        Value* g = address(mean_gradient_, j);
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

const KernelEmitter::AlgorithmEmitter KernelEmitter::kSaga = {
    .name = "saga",
    .matches = [](const KernelSpec& spec) { return spec.algorithm == Algorithm::saga; },
    .setup = &KernelEmitter::emit_stochastic_setup,
    .iterate = &KernelEmitter::variance_reduced_iterate};
const KernelEmitter::AlgorithmEmitter KernelEmitter::kSvrg = {
    .name = "svrg",
    .matches = [](const KernelSpec& spec) { return spec.algorithm == Algorithm::svrg; },
    .setup = &KernelEmitter::emit_stochastic_setup,
    .iterate = &KernelEmitter::variance_reduced_iterate};

// An iteration is an epoch.
KernelEmitter::Iteration KernelEmitter::variance_reduced_iterate(const LoopState&) {
  emit_start_epoch();
  emit_variance_reduced_epoch();
  return {.squared_change = emit_stochastic_certificate()};
}

// An epoch's steps: dense, lagged over the samples' nonzeros, or lagged group steps (decided
// at run time), then every coordinate brought up to date.
void KernelEmitter::emit_variance_reduced_epoch() {
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

}  // namespace proxjit::codegen
