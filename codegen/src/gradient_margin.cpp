// The gradient of a margin loss: dense rows and CSR rows, and the per-sample derivatives.
#include "emitter.h"

namespace proxjit::codegen {

// Margin losses, dense rows: g = A'(w * dphi(Ax, b)) / n in one pass over A: for each block
// of kLanes rows, their margins (dot products, reduced to one vector), dphi of them, and at
// once their share of A'd, while the rows are still in cache. The 1/n is folded into the step.
Value* KernelEmitter::emit_margin_gradient_dense() {
  emit_zero(grad_, chunks_);
  Value* row_blocks = sample_chunks_;
  emit_loop(
      b_.getInt64(0), row_blocks, {},
      [&](Value* block, std::vector<Value*>) {
        Value* first = lanes_times(block);
        std::vector<Value*> rows;
        for (int m = 0; m < kLanes; ++m) {
          Value* i = b_.CreateAdd(first, b_.getInt64(m), "", true, true);
          rows.push_back(address(A_, b_.CreateMul(i, stride_, "", true, true)));
        }
        std::vector<Value*> zeros(kLanes, vector_constant(0.0));
        const std::vector<Value*> dots = emit_loop(
            b_.getInt64(0), chunks_, zeros,
            [&](Value* c, std::vector<Value*> partial) {
              Value* k = lanes_times(c);
              Value* xk = load_vector(point_, k);
              for (int m = 0; m < kLanes; ++m)
                partial[m] = fma(load_vector(rows[m], k), xk, partial[m]);
              return partial;
            },
            "margin");
        // Padding rows of A are zero, so whatever dphi gives there multiplies zeros.
        Value* derivative = emit_sample_derivative(reduce_rows(dots), first);
        std::vector<Value*> weights;
        for (int m = 0; m < kLanes; ++m) {
          weights.push_back(b_.CreateShuffleVector(derivative, std::vector<int>(kLanes, m)));
        }
        emit_loop(
            b_.getInt64(0), chunks_, {},
            [&](Value* c, std::vector<Value*>) {
              Value* k = lanes_times(c);
              Value* gk = load_vector(grad_, k);
              for (int m = 0; m < kLanes; ++m)
                gk = fma(load_vector(rows[m], k), weights[m], gk);
              store_vector(gk, grad_, k);
              return std::vector<Value*>{};
            },
            "gradient");
        return std::vector<Value*>{};
      },
      "loss.block");
  return inverse_n();
}

// Margin losses, CSR rows, in three passes: every sample's margin over its nonzeros (into the
// margins buffer), the weighted derivatives of all of them 8 at a time (vector exp and the
// like), then each derivative scattered over its sample's nonzeros. Nothing dense per sample.
Value* KernelEmitter::emit_margin_gradient_csr() {
  emit_zero(grad_, chunks_);
  const auto row_range = [&](Value* i) {
    Value* begin = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, i));
    Value* end =
        b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, b_.CreateAdd(i, b_.getInt64(1))));
    return std::pair<Value*, Value*>{begin, end};
  };
  emit_loop(
      b_.getInt64(0), rows_, {},
      [&](Value* i, std::vector<Value*>) {
        auto [begin, end] = row_range(i);
        Value* margin = emit_loop(
            begin, end, {scalar_constant(0.0)},
            [&](Value* k, std::vector<Value*> sum) {
              Value* j = column_index(k);
              return std::vector<Value*>{fma(load_scalar(A_, k), load_scalar(point_, j), sum[0])};
            },
            "csr.margin")[0];
        b_.CreateStore(margin, address(margins_, i));
        return std::vector<Value*>{};
      },
      "csr.margins");
  // Padding samples get a margin of 0 and a derivative nobody reads.
  emit_loop(
      b_.getInt64(0), sample_chunks_, {},
      [&](Value* c, std::vector<Value*>) {
        Value* i = lanes_times(c);
        Value* real = b_.CreateICmpSLT(lane_index(i), splat(rows_));
        Value* z = b_.CreateSelect(real, load_vector(margins_, i), vector_constant(0.0));
        store_vector(emit_sample_derivative(z, i), margins_, i);
        return std::vector<Value*>{};
      },
      "csr.derivative");
  emit_loop(
      b_.getInt64(0), rows_, {},
      [&](Value* i, std::vector<Value*>) {
        auto [begin, end] = row_range(i);
        Value* derivative = load_scalar(margins_, i);
        emit_loop(
            begin, end, {},
            [&](Value* k, std::vector<Value*>) {
              Value* j = column_index(k);
              Value* g = address(grad_, j);
              b_.CreateStore(fma(load_scalar(A_, k), derivative, b_.CreateLoad(scalar_, g)), g);
              return std::vector<Value*>{};
            },
            "csr.scatter");
        return std::vector<Value*>{};
      },
      "csr.rows");
  return inverse_n();
}

Value* KernelEmitter::inverse_n() {
  return b_.CreateFDiv(scalar_constant(1.0), b_.CreateSIToFP(rows_, scalar_));
}

// w_i dphi(z_i, b_i) for the kLanes samples from `first` (a vector of margins).
// The derivative is emitted without fast-math flags: reassociation would let LLVM sink its
// division into the loop that scatters it (one fdiv per nonzero instead of per sample), and
// the exact IEEE order keeps it equal to the reference evaluator's.
Value* KernelEmitter::emit_sample_derivative(Value* margins, Value* first) {
  llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
  b_.clearFastMathFlags();
  Value* d = emit_expr(spec_.loss_derivative,
                       {margins, nullptr, &loss_params_, vector_, load_vector(b_vector_, first)});
  return spec_.weighted ? b_.CreateFMul(d, load_vector(weights_, first)) : d;
}

// The same for one sample i (a scalar margin).
Value* KernelEmitter::emit_sample_derivative_scalar(Value* margin, Value* i) {
  llvm::IRBuilderBase::FastMathFlagGuard exact(b_);
  b_.clearFastMathFlags();
  Value* d = emit_expr(spec_.loss_derivative,
                       {margin, nullptr, &loss_scalar_params_, scalar_, load_scalar(b_vector_, i)});
  return spec_.weighted ? b_.CreateFMul(d, load_scalar(weights_, i)) : d;
}

}  // namespace proxjit::codegen
