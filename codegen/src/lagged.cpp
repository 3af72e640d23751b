// Lagged proxes: the catch-up of skipped prox-only steps (SAGA/SVRG and SGD on CSR).
#include "emitter.h"

namespace proxjit::codegen {

bool KernelEmitter::stochastic_lagged() const {
  return spec_.algorithm != Algorithm::sgd && spec_.layout == Layout::csr && !spec_.prox_call &&
         lagged_kind() != LaggedProx::none;
}

// SAGA or SVRG on CSR with a called prox: lagged group_l2 steps when KernelArgs::groups is
// given (decided at run time, as the kernel key does not name a called prox), else dense.
bool KernelEmitter::group_lagged_possible() const {
  return spec_.algorithm != Algorithm::sgd && spec_.layout == Layout::csr && spec_.prox_call;
}

// SGD on CSR with a prox whose prox-only steps compose in closed form, without averaging
// (decided at run time): lagged updates over the batch's nonzeros (sgd_catch_up).
bool KernelEmitter::sgd_lagged() const {
  if (spec_.algorithm != Algorithm::sgd || spec_.layout != Layout::csr || spec_.prox_call) {
    return false;
  }
  return spec_.lagged.composes_for_sgd();
}

// From the prox's declared rule (solver_rules.h, part of the kernel key), never its name.
LaggedProx::Kind KernelEmitter::lagged_kind() const {
  if (spec_.lagged.kind == LaggedRule::Kind::shrink) return LaggedProx::shrink;
  if (spec_.lagged.kind == LaggedRule::Kind::box) return LaggedProx::box;
  return LaggedProx::none;
}

// The shrink rule's weights: a parameter slot, or 0 when the term is absent.
Value* KernelEmitter::lagged_weight(int slot) {
  return slot < 0 ? scalar_constant(0.0) : scalar_params_[static_cast<std::size_t>(slot)];
}

// Soft thresholding alone: shrink with an l1 weight and no l2.
bool KernelEmitter::lagged_soft_threshold() const {
  return spec_.lagged.kind == LaggedRule::Kind::shrink && spec_.lagged.l1_slot >= 0 &&
         spec_.lagged.l2_slot < 0;
}

// prox_{step r}(y) of one coordinate. l1's sign(y) * max(|y| - t, 0) is, bit for bit (t =
// step lambda >= 0; NaN stays NaN), y - copysign(t, y) where |y| > t and copysign(0, y)
// elsewhere: two dependent operations instead of four, which counts in the step-by-step
// catch-up, a chain of dependent steps.
Value* KernelEmitter::emit_scalar_prox(Value* y, Value* step) {
  if (!lagged_soft_threshold()) {
    return emit_expr(spec_.prox, {y, step, &scalar_params_, scalar_});
  }
  llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
  b_.clearFastMathFlags();
  Value* threshold = b_.CreateFMul(step, lagged_weight(spec_.lagged.l1_slot));
  Value* beyond = b_.CreateFCmpUGT(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, y), threshold);
  const auto copysign = [&](Value* magnitude) {
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, magnitude, y);
  };
  return b_.CreateSelect(beyond, b_.CreateFSub(y, copysign(threshold)),
                         copysign(scalar_constant(0.0)));
}

// k >= 1 skipped steps x <- prox(x - step c) of coordinate j at once (catch_up).
Value* KernelEmitter::emit_catch_up(Value* x, Value* c, Value* k, Value* j) {
  Value* step = step_scalar_;
  Value* kk = b_.CreateSIToFP(k, scalar_);
  const auto plain = [&] { return b_.CreateFSub(x, b_.CreateFMul(b_.CreateFMul(kk, step), c)); };
  Value* penalized = b_.CreateICmpSLT(j, penalized_);
  const auto prox = [&](Value* y) { return emit_scalar_prox(y, step); };
  if (lagged_kind() == LaggedProx::box) {
    Value* first = prox(b_.CreateFSub(x, b_.CreateFMul(step, c)));
    Value* rest_steps = b_.CreateSIToFP(b_.CreateSub(k, b_.getInt64(1)), scalar_);
    Value* rest = prox(b_.CreateFSub(first, b_.CreateFMul(b_.CreateFMul(rest_steps, step), c)));
    Value* moved = b_.CreateSelect(b_.CreateICmpEQ(k, b_.getInt64(1)), first, rest);
    return b_.CreateSelect(penalized, moved, plain());
  }
  const bool has_l1 = spec_.lagged.l1_slot >= 0, has_l2 = spec_.lagged.l2_slot >= 0;
  Value* zero = scalar_constant(0.0);
  Value* l1 = has_l1 ? lagged_weight(spec_.lagged.l1_slot) : zero;
  Value* l2 = has_l2 ? lagged_weight(spec_.lagged.l2_slot) : zero;
  // k steps of x <- (x - step rate) / (1 + step l2): decay x - span rate.
  Value* decay = nullptr;
  Value* span = nullptr;
  const auto shrink_factors = [&] {
    decay = scalar_constant(1.0);
    span = b_.CreateFMul(kk, step);
    if (has_l2) {
      Value* log_rho = emit_libm("log1p", b_.CreateFMul(step, l2));
      Value* exponent = b_.CreateFNeg(b_.CreateFMul(kk, log_rho));
      Value* has_l2 = b_.CreateFCmpOGT(l2, zero);
      decay =
          b_.CreateSelect(has_l2, b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, exponent), decay);
      span = b_.CreateSelect(has_l2, b_.CreateFDiv(b_.CreateFNeg(emit_libm("expm1", exponent)), l2),
                             span);
    }
  };
  const auto shrink = [&](Value* rate) {
    return b_.CreateFSub(b_.CreateFMul(decay, x), b_.CreateFMul(span, rate));
  };
  if (!has_l1) {
    shrink_factors();
    return b_.CreateSelect(penalized, shrink(c), plain());
  }
  // Branches where the outcome is predictable (penalized, l1 > 0, rarely step by step), not
  // selects over every case; the sign of x is not predictable, so x > 0 and x < 0 share one
  // path: x - span (c + copysign(l1, x)) if that keeps the sign of x, else, if |c| <= l1, 0
  // (x itself when x is 0 or NaN).
  Function* function = b_.GetInsertBlock()->getParent();
  const auto block = [&](const char* label) {
    return BasicBlock::Create(context_, std::string("sto.catch.") + label, function);
  };
  BasicBlock* done = block("end");
  BasicBlock* unpenalized = block("plain");
  BasicBlock* shrunk = block("shrink");
  BasicBlock* closed = block("closed");
  BasicBlock* stepwise = block("stepwise");
  std::vector<std::pair<Value*, BasicBlock*>> results;
  b_.CreateCondBr(penalized, shrunk, unpenalized);
  b_.SetInsertPoint(unpenalized);
  results.emplace_back(plain(), unpenalized);
  b_.CreateBr(done);
  b_.SetInsertPoint(shrunk);
  shrink_factors();
  results.emplace_back(shrink(c), shrunk);
  b_.CreateCondBr(b_.CreateFCmpOEQ(l1, zero), done, closed);
  b_.SetInsertPoint(closed);
  const auto copysign = [&](Value* magnitude) {
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, magnitude, x);
  };
  Value* settles = b_.CreateFCmpOLE(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, c), l1);
  Value* nonzero = b_.CreateFCmpONE(x, zero);
  Value* moved = shrink(b_.CreateFAdd(c, copysign(l1)));  // c - l1 is c + (-l1), exactly
  Value* keeps = nullptr;
  {
    llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
    b_.clearFastMathFlags();
    keeps = b_.CreateFCmpOGT(b_.CreateFMul(copysign(scalar_constant(1.0)), moved), zero);
  }
  Value* value = b_.CreateSelect(nonzero, b_.CreateSelect(keeps, moved, zero), x);
  results.emplace_back(value, closed);
  b_.CreateCondBr(b_.CreateOr(b_.CreateAnd(nonzero, keeps), settles), done, stepwise);
  // Rare: the coordinate crosses zero towards the other sign, or leaves it. Step by step.
  b_.SetInsertPoint(stepwise);
  Value* stepped = emit_loop(
      b_.getInt64(0), k, {x},
      [&](Value*, std::vector<Value*> y) {
        return std::vector<Value*>{prox(b_.CreateFSub(y[0], b_.CreateFMul(step, c)))};
      },
      "sto.unrolled")[0];
  results.emplace_back(stepped, b_.GetInsertBlock());
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  PHINode* result = b_.CreatePHI(scalar_, static_cast<unsigned>(results.size()));
  for (const auto& [value, from] : results)
    result->addIncoming(value, from);
  return result;
}

// Brings coordinate j up to step t (lagged updates).
void KernelEmitter::emit_bring_up(Value* j, Value* t) {
  Value* last = load_i64(lags_, j);
  emit_if(
      b_.CreateICmpSLT(last, t),
      [&] {
        Value* slot = address(x_, j);
        Value* moved = emit_catch_up(b_.CreateLoad(scalar_, slot), load_scalar(mean_gradient_, j),
                                     b_.CreateSub(t, last), j);
        b_.CreateStore(moved, slot);
        store_i64(t, lags_, j);
      },
      "sto.lag");
}

// SGD's lagged steps (sgd_total_increment, sgd_catch_up): the running total grows by
// increment(rate) a step; each coordinate keeps, in sum_, the total at its last update.
Value* KernelEmitter::emit_sgd_total_increment(Value* rate) {
  const LaggedRule& rule = spec_.lagged;
  if (rule.kind == LaggedRule::Kind::shrink && rule.l1_slot >= 0) {
    return b_.CreateFMul(rate, lagged_weight(rule.l1_slot));
  }
  if (rule.kind == LaggedRule::Kind::shrink && rule.l2_slot >= 0) {
    return emit_libm("log1p", b_.CreateFMul(rate, lagged_weight(rule.l2_slot)));
  }
  return scalar_constant(0.0);
}

Value* KernelEmitter::emit_sgd_catch_up(Value* x, Value* gap, Value* j) {
  const LaggedRule& rule = spec_.lagged;
  const bool shrink = rule.kind == LaggedRule::Kind::shrink;
  Value* moved = x;
  if (shrink && rule.l1_slot >= 0) {
    Value* inner = b_.CreateSelect(b_.CreateFCmpOLT(x, b_.CreateFNeg(gap)), b_.CreateFAdd(x, gap),
                                   scalar_constant(0.0));
    moved = b_.CreateSelect(b_.CreateFCmpOGT(x, gap), b_.CreateFSub(x, gap), inner);
  } else if (shrink && rule.l2_slot >= 0) {
    moved = b_.CreateFMul(x, b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, b_.CreateFNeg(gap)));
  } else if (rule.kind == LaggedRule::Kind::box) {
    moved = emit_expr(spec_.prox, {x, step_scalar_, &scalar_params_, scalar_});
  }
  return b_.CreateSelect(b_.CreateICmpSLT(j, penalized_), moved, x);
}

// Brings coordinate j of SGD's iterate up to step t, whose running total is `total`.
void KernelEmitter::emit_sgd_bring_up(Value* j, Value* t, Value* total) {
  Value* last = load_i64(lags_, j);
  emit_if(
      b_.CreateICmpSLT(last, t),
      [&] {
        Value* slot = address(sgd_iterate_, j);
        Value* since = address(sum_, j);
        Value* gap = b_.CreateFSub(total, b_.CreateLoad(scalar_, since));
        b_.CreateStore(emit_sgd_catch_up(b_.CreateLoad(scalar_, slot), gap, j), slot);
        store_i64(t, lags_, j);
        b_.CreateStore(total, since);
      },
      "sgd.lag");
}

KernelEmitter::LaggedSample KernelEmitter::emit_lagged_sample(
    Value* s, const std::function<void(Value* j, Value* t)>& bring_up, const char* name) {
  Value* t = b_.CreateLoad(i64_, step_count_);
  Value* i = emit_sample_at(s);
  Value* begin = row_begin(i);
  Value* end = row_end(i);
  emit_prefetch_samples(s);
  Value* margin = emit_loop(
      begin, end, {scalar_constant(0.0)},
      [&](Value* k, std::vector<Value*> sum) {
        Value* j = column_index(k);
        bring_up(j, t);
        return std::vector<Value*>{fma(load_scalar(A_, k), load_scalar(x_, j), sum[0])};
      },
      name)[0];
  Value* d = emit_sample_derivative_scalar(margin, i);
  Value* delta = b_.CreateFSub(d, load_scalar(memory_, i));
  return {t, i, begin, end, d, delta, b_.CreateAdd(t, b_.getInt64(1))};
}

}  // namespace proxjit::codegen
