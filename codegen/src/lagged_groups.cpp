// Lagged group_l2 steps (group_catch_up, GroupLag in stochastic_solver.h).
#include "emitter.h"

namespace proxjit::codegen {

// ---- lagged group_l2 steps (group_catch_up, GroupLag in stochastic_solver.h) ----
Value* KernelEmitter::group_start(Value* g) {
  return load_i64(group_starts_, g);
}

// k >= 1 skipped steps of group g at once, in span{x0, c}: x = a x0 + b c.
void KernelEmitter::emit_group_catch_up(Value* g, Value* k) {
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
        Value* c = load_scalar(mean_gradient_, j);
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
      bb,
      b_.CreateFMul(rest, b_.CreateFSub(step, b_.CreateFDiv(tau, b_.CreateUnaryIntrinsic(
                                                                     llvm::Intrinsic::sqrt, cc)))));
  Value* clamped = b_.CreateSelect(b_.CreateFCmpOLT(along, zero), along, zero);
  Value* ray = b_.CreateAnd(b_.CreateICmpSLT(s, k), b_.CreateFCmpOGT(cc, zero));
  Value* b_final = b_.CreateSelect(ray, clamped, bb);
  emit_loop(
      begin, end, {},
      [&](Value* j, std::vector<Value*>) {
        Value* slot = address(x_, j);
        b_.CreateStore(b_.CreateFAdd(b_.CreateFMul(a, b_.CreateLoad(scalar_, slot)),
                                     b_.CreateFMul(b_final, load_scalar(mean_gradient_, j))),
                       slot);
        return std::vector<Value*>{};
      },
      "group.write");
}

// The lag slot of coordinate j: its group, or j itself past the penalized ones.
Value* KernelEmitter::group_slot(Value* j) {
  Value* penalized = b_.CreateICmpSLT(j, penalized_);
  Value* safe = b_.CreateSelect(penalized, j, b_.getInt64(0));
  return b_.CreateSelect(penalized, load_i64(groups_, safe), j);
}

// Brings coordinate j's group (or j past the penalized ones) up to step t.
void KernelEmitter::emit_group_bring_up(Value* j, Value* t) {
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
                                                         load_scalar(mean_gradient_, j))),
                             at);
            },
            "group.lag_plain");
        store_i64(t, lags_, slot);
      },
      "group.lag");
}

// A SAGA or SVRG step on sample position s with lagged group steps: the sample's groups are
// brought up to step t, then each takes its whole step once.
void KernelEmitter::emit_group_lagged_step(Value* s) {
  const bool saga = spec_.algorithm == Algorithm::saga;
  const LaggedSample sample = emit_lagged_sample(
      s, [&](Value* j, Value* t) { emit_group_bring_up(j, t); }, "group.margin");
  auto [t, i, begin, end, d, delta, t_next] = sample;
  // delta a_i on the sample's nonzeros, zero elsewhere (group_step_ is free in this path; the
  // certificate's prox call uses the scratch buffers).
  Value* part = group_step_;
  emit_sample_scatter(part, i, delta);
  Value* step = step_scalar_;
  const auto trial = [&](Value* j) {
    return b_.CreateFSub(
        load_scalar(x_, j),
        b_.CreateFMul(step, b_.CreateFAdd(load_scalar(part, j), load_scalar(mean_gradient_, j))));
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
          Value* g = address(mean_gradient_, j);
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
void KernelEmitter::emit_group_catch_all() {
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

}  // namespace proxjit::codegen
