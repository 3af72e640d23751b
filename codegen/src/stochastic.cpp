// Stochastic solvers' common parts: sampling, one sample's row, full passes, setup and the epoch.
#include "emitter.h"

namespace proxjit::codegen {

// ---- stochastic solvers: sgd, saga, svrg (runtime/stochastic_solver.h is the oracle) ----
// One kernel call runs whole epochs; an iteration of the loop in emit_body is an epoch, whose
// certificate is the gradient mapping at the reported point from one full gradient. The state
// lives in the work buffer (WorkLayout): the per-sample scalars in memory_, then the
// coordinates' last steps and the sample order (64-bit words), then SGD's sum of iterates
// (averaging) or, for lagged SGD steps, each coordinate's running total at its last update.
// Buffers: SAGA's average gradient and SVRG's snapshot gradient in mean_gradient_; SGD's
// iterate in sgd_iterate_ (x_ is what it reports) and its batch gradient in batch_gradient_
// (zero between steps); the certificate's full gradient in grad_ (SVRG: mean_gradient_, the
// next snapshot); lagged group_l2 steps keep a step's delta a_i in group_step_ and the lags
// per group (lags_[g]).

Value* KernelEmitter::emit_random() {
  Value* state = b_.CreateAdd(b_.CreateLoad(i64_, rng_state_), b_.getInt64(kGoldenGamma));
  b_.CreateStore(state, rng_state_);
  return emit_mix(state);
}

Value* KernelEmitter::emit_mix(Value* state) {
  Value* z = state;
  z = b_.CreateMul(b_.CreateXor(z, b_.CreateLShr(z, 30)), b_.getInt64(0xBF58476D1CE4E5B9ull));
  z = b_.CreateMul(b_.CreateXor(z, b_.CreateLShr(z, 27)), b_.getInt64(0x94D049BB133111EBull));
  return b_.CreateXor(z, b_.CreateLShr(z, 31));
}

Value* KernelEmitter::emit_below(Value* random, Value* n) {
  Type* i128 = b_.getInt128Ty();
  Value* product = b_.CreateMul(b_.CreateZExt(random, i128), b_.CreateZExt(n, i128));
  return b_.CreateTrunc(b_.CreateLShr(product, 64), i64_);
}

Value* KernelEmitter::emit_random_below(Value* n) {
  return emit_below(emit_random(), n);
}

Value* KernelEmitter::shuffled() {
  return b_.CreateICmpEQ(sampling_, b_.getInt64(1));
}

// SampleOrder::start_epoch: a Fisher-Yates pass over the order when shuffling.
void KernelEmitter::emit_start_epoch() {
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
Value* KernelEmitter::emit_sample_at(Value* position) {
  return emit_if_else(
      shuffled(), [&] { return load_i64(order_, b_.CreateSRem(position, rows_)); },
      [&] { return emit_random_below(rows_); }, "sto.sample");
}

// The sample `ahead` draws after the one at position, without drawing it (any valid index
// past the epoch's end: it is only prefetched).
Value* KernelEmitter::emit_peek_sample(Value* position, int ahead) {
  return emit_if_else(
      shuffled(),
      [&] {
        return load_i64(order_, b_.CreateSRem(b_.CreateAdd(position, b_.getInt64(ahead)), rows_));
      },
      [&] {
        Value* state = b_.CreateAdd(b_.CreateLoad(i64_, rng_state_),
                                    b_.getInt64(kGoldenGamma * static_cast<std::uint64_t>(ahead)));
        return emit_below(emit_mix(state), rows_);
      },
      "sto.peek");
}

// A lagged step's time goes to waiting for its random sample's row, label and memory, each
// a cache miss, which depend on one another (offsets, then the row). So, ahead of use:
// the offsets, label and memory of the sample after next, and the row of the next one.
void KernelEmitter::emit_prefetch_samples(Value* position) {
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

// gradient = 1/n sum_i d_i a_i at point, sample by sample (stochastic_full_gradient); the
// d_i into memory_ when asked.
void KernelEmitter::emit_full_pass(Value* point, Value* gradient, bool keep_derivatives) {
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

void KernelEmitter::emit_stochastic_setup(Value* args, Value* step_double) {
  step_double_ = step_double;
  memory_ = work_slot(margins_, WorkLayout::margins, WorkLayout::sample_memory);
  lags_ = work_slot(memory_, WorkLayout::sample_memory, WorkLayout::lags);
  order_ = work_slot(lags_, WorkLayout::lags, WorkLayout::order);
  sum_ = work_slot(order_, WorkLayout::order, WorkLayout::iterate_sum);
  const auto load_field = [&](KernelArgField index) {
    return b_.CreateLoad(i64_, field(args, index));
  };
  Value* seed = load_field(KernelArgField::seed);
  batch_ = load_field(KernelArgField::batch_size);
  schedule_ = load_field(KernelArgField::step_schedule);
  sampling_ = load_field(KernelArgField::sampling);
  averaging_ = b_.CreateICmpNE(load_field(KernelArgField::averaging), b_.getInt64(0));
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
    groups_ = b_.CreateLoad(ptr_, field(args, KernelArgField::groups), "groups");
    has_groups_ = b_.CreateICmpNE(groups_, llvm::ConstantPointerNull::get(ptr_));
    group_starts_ = b_.CreateInBoundsGEP(i64_, groups_, penalized_);
    // group_l2's lambda, its first parameter (read only when the groups are given).
    group_lambda_ = emit_if_else(
        has_groups_,
        [&] {
          Value* params = b_.CreateLoad(ptr_, field(args, KernelArgField::params));
          return to_scalar(b_.CreateLoad(f64_, params));
        },
        [&] { return scalar_constant(0.0); }, "group.lambda");
    emit_zero(group_step_, chunks_);
  }
  if (spec_.algorithm == Algorithm::sgd) {
    emit_copy(x_, sgd_iterate_);
    emit_zero(batch_gradient_, chunks_);
    emit_zero(sum_, chunks_);
  } else {
    emit_full_pass(x_, mean_gradient_, /*keep_derivatives=*/true);
  }
}

// |x - prox(x - step grad f(x))|^2 at the point an epoch reports (scalar type): the epoch's
// certificate.
Value* KernelEmitter::emit_stochastic_certificate() {
  // The certificate's full gradient; for SVRG also the next snapshot (mu and the d_i).
  const bool svrg = spec_.algorithm == Algorithm::svrg;
  Value* gradient = svrg ? mean_gradient_ : grad_;
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

}  // namespace proxjit::codegen
