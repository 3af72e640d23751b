// IR helpers: loops, branches, loads and stores, masks and constants.
#include "emitter.h"

namespace proxjit::codegen {

// for (i = begin; i < end; ++i) with loop-carried values; returns their final values and
// leaves the insert point after the loop.
std::vector<Value*> KernelEmitter::emit_loop(Value* begin, Value* end,
                                             const std::vector<Value*>& initial,
                                             const LoopBody& body, const char* name) {
  Function* function = b_.GetInsertBlock()->getParent();
  BasicBlock* preheader = b_.GetInsertBlock();
  BasicBlock* header = BasicBlock::Create(context_, std::string(name) + ".header", function);
  BasicBlock* loop = BasicBlock::Create(context_, std::string(name) + ".body", function);
  BasicBlock* exit = BasicBlock::Create(context_, std::string(name) + ".exit", function);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  PHINode* index = b_.CreatePHI(i64_, 2, std::string(name) + ".i");
  index->addIncoming(begin, preheader);
  std::vector<PHINode*> phis;
  std::vector<Value*> carried;
  for (Value* value : initial) {
    PHINode* phi = b_.CreatePHI(value->getType(), 2);
    phi->addIncoming(value, preheader);
    phis.push_back(phi);
    carried.push_back(phi);
  }
  b_.CreateCondBr(b_.CreateICmpSLT(index, end), loop, exit);
  b_.SetInsertPoint(loop);
  const std::vector<Value*> next = body(index, carried);
  Value* next_index = b_.CreateAdd(index, b_.getInt64(1), "", /*HasNUW=*/true, /*HasNSW=*/true);
  BasicBlock* latch = b_.GetInsertBlock();
  b_.CreateBr(header);
  index->addIncoming(next_index, latch);
  for (std::size_t k = 0; k < phis.size(); ++k)
    phis[k]->addIncoming(next[k], latch);
  b_.SetInsertPoint(exit);
  return carried;
}

// ---- memory and constants ----
Value* KernelEmitter::address(Value* base, Value* index) {
  return b_.CreateInBoundsGEP(scalar_, base, index);
}

Value* KernelEmitter::load_scalar(Value* base, Value* index) {
  return b_.CreateLoad(scalar_, address(base, index));
}

// Vector accesses start at multiples of kLanes in aligned buffers.
Value* KernelEmitter::load_vector(Value* base, Value* index) {
  return b_.CreateAlignedLoad(vector_, address(base, index), alignment_);
}

void KernelEmitter::store_vector(Value* value, Value* base, Value* index) {
  b_.CreateAlignedStore(value, address(base, index), alignment_);
}

Value* KernelEmitter::splat(Value* scalar) {
  return b_.CreateVectorSplat(kLanes, scalar);
}

Value* KernelEmitter::scalar_constant(double value) {
  return llvm::ConstantFP::get(scalar_, value);
}

Value* KernelEmitter::vector_constant(double value) {
  return llvm::ConstantFP::get(vector_, value);
}

Value* KernelEmitter::lanes_times(Value* chunk) {
  return b_.CreateMul(chunk, b_.getInt64(kLanes), "", true, true);
}

Value* KernelEmitter::fma(Value* a, Value* b, Value* c) {
  return b_.CreateFAdd(c, b_.CreateFMul(a, b));
}

// Eight vectors in, one vector of their eight horizontal sums out (lane m = sum of sums[m]):
// three rounds of shuffle-and-add instead of eight separate reductions.
Value* KernelEmitter::reduce_rows(std::vector<Value*> sums) {
  const auto mix = [&](Value* a, Value* b, std::initializer_list<int> low,
                       std::initializer_list<int> high) {
    return b_.CreateFAdd(b_.CreateShuffleVector(a, b, llvm::ArrayRef<int>(low)),
                         b_.CreateShuffleVector(a, b, llvm::ArrayRef<int>(high)));
  };
  // Round 1 pairs (0,2) (1,3) (4,6) (5,7): halves added, so lanes 0-3 hold 4 partial sums of
  // the first vector and lanes 4-7 those of the second.
  std::vector<Value*> quarter;
  for (int first : {0, 1, 4, 5}) {
    quarter.push_back(mix(sums[first], sums[first + 2], {0, 1, 2, 3, 8, 9, 10, 11},
                          {4, 5, 6, 7, 12, 13, 14, 15}));
  }
  // Round 2: two partial sums per row, rows in order 0..3 and 4..7.
  Value* low =
      mix(quarter[0], quarter[1], {0, 1, 8, 9, 4, 5, 12, 13}, {2, 3, 10, 11, 6, 7, 14, 15});
  Value* high =
      mix(quarter[2], quarter[3], {0, 1, 8, 9, 4, 5, 12, 13}, {2, 3, 10, 11, 6, 7, 14, 15});
  // Round 3: even plus odd lanes.
  return mix(low, high, {0, 2, 4, 6, 8, 10, 12, 14}, {1, 3, 5, 7, 9, 11, 13, 15});
}

void KernelEmitter::emit_zero(Value* base, Value* chunks) {
  emit_loop(
      b_.getInt64(0), chunks, {},
      [&](Value* c, std::vector<Value*>) {
        store_vector(vector_constant(0.0), base, lanes_times(c));
        return std::vector<Value*>{};
      },
      "zero");
}

Value* KernelEmitter::lane_index(Value* i) {
  return b_.CreateAdd(splat(i), lane_numbers());
}

Value* KernelEmitter::penalized_lanes(Value* i) {
  return b_.CreateICmpSLT(lane_index(i), splat(penalized_));
}

// Lanes of real unknowns; padding lanes (index >= cols) keep x = 0: prox(0) need not be 0.
Value* KernelEmitter::real_lanes(Value* i) {
  return b_.CreateICmpSLT(lane_index(i), splat(cols_));
}

Value* KernelEmitter::lane_numbers() {
  std::vector<llvm::Constant*> lanes;
  for (int m = 0; m < kLanes; ++m)
    lanes.push_back(b_.getInt64(m));
  return llvm::ConstantVector::get(lanes);
}

Value* KernelEmitter::load_at(Value* base, Value* i, bool vector) {
  return vector ? load_vector(base, i) : load_scalar(base, i);
}

void KernelEmitter::store_at(Value* value, Value* base, Value* i, bool vector) {
  if (vector) {
    store_vector(value, base, i);
  } else {
    b_.CreateStore(value, address(base, i));
  }
}

std::vector<Value*> KernelEmitter::emit_if(Value* condition, const std::vector<Value*>& otherwise,
                                           const Branch& then, const char* name) {
  Function* function = b_.GetInsertBlock()->getParent();
  BasicBlock* before = b_.GetInsertBlock();
  BasicBlock* taken = BasicBlock::Create(context_, std::string(name) + ".then", function);
  BasicBlock* joined = BasicBlock::Create(context_, std::string(name) + ".join", function);
  b_.CreateCondBr(condition, taken, joined);
  b_.SetInsertPoint(taken);
  const std::vector<Value*> values = then();
  BasicBlock* taken_end = b_.GetInsertBlock();
  b_.CreateBr(joined);
  b_.SetInsertPoint(joined);
  std::vector<Value*> merged;
  for (std::size_t v = 0; v < otherwise.size(); ++v) {
    PHINode* phi = b_.CreatePHI(otherwise[v]->getType(), 2);
    phi->addIncoming(otherwise[v], before);
    phi->addIncoming(values[v], taken_end);
    merged.push_back(phi);
  }
  return merged;
}

Value* KernelEmitter::load_i64(Value* base, Value* index) {
  return b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, base, index));
}

void KernelEmitter::store_i64(Value* value, Value* base, Value* index) {
  b_.CreateStore(value, b_.CreateInBoundsGEP(i64_, base, index));
}

Value* KernelEmitter::to_scalar(Value* f64_value) {
  return scalar_ == f64_ ? f64_value : b_.CreateFPTrunc(f64_value, scalar_);
}

// if (condition) then(); with no values.
void KernelEmitter::emit_if(Value* condition, const std::function<void()>& then, const char* name) {
  Function* function = b_.GetInsertBlock()->getParent();
  BasicBlock* yes = BasicBlock::Create(context_, std::string(name) + ".then", function);
  BasicBlock* joined = BasicBlock::Create(context_, std::string(name) + ".end", function);
  b_.CreateCondBr(condition, yes, joined);
  b_.SetInsertPoint(yes);
  then();
  b_.CreateBr(joined);
  b_.SetInsertPoint(joined);
}

// condition ? then() : otherwise(), each emitted in its own block.
Value* KernelEmitter::emit_if_else(Value* condition, const std::function<Value*()>& then,
                                   const std::function<Value*()>& otherwise, const char* name) {
  Function* function = b_.GetInsertBlock()->getParent();
  BasicBlock* yes = BasicBlock::Create(context_, std::string(name) + ".then", function);
  BasicBlock* no = BasicBlock::Create(context_, std::string(name) + ".else", function);
  BasicBlock* joined = BasicBlock::Create(context_, std::string(name) + ".end", function);
  b_.CreateCondBr(condition, yes, no);
  b_.SetInsertPoint(yes);
  Value* first = then();
  BasicBlock* yes_end = b_.GetInsertBlock();
  b_.CreateBr(joined);
  b_.SetInsertPoint(no);
  Value* second = otherwise();
  BasicBlock* no_end = b_.GetInsertBlock();
  b_.CreateBr(joined);
  b_.SetInsertPoint(joined);
  PHINode* phi = b_.CreatePHI(first->getType(), 2);
  phi->addIncoming(first, yes_end);
  phi->addIncoming(second, no_end);
  return phi;
}

void KernelEmitter::prefetch(Value* address) {
  b_.CreateIntrinsic(llvm::Intrinsic::prefetch, {ptr_},
                     {address, b_.getInt32(0), b_.getInt32(3), b_.getInt32(1)});
}

void KernelEmitter::emit_copy(Value* from, Value* to) {
  emit_loop(
      b_.getInt64(0), chunks_, {},
      [&](Value* c, std::vector<Value*>) {
        store_vector(load_vector(from, lanes_times(c)), to, lanes_times(c));
        return std::vector<Value*>{};
      },
      "sto.copy");
}

}  // namespace proxjit::codegen
