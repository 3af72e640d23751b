// The gradient of f: the dispatch on smooth kind and layout, and the quadratic's symmetric matvec.
#include "emitter.h"

namespace proxjit::codegen {

// ---- gradient of f, into grad_; returns the factor the update multiplies it by ----
// quadratic: g = A x + b, A exactly symmetric (the Problem makes it so). Like BLAS symv,
// each entry of the upper triangle is loaded once and used twice; for a block of kLanes
// rows i0..i0+7 and every later chunk of columns j:
//   dots_m += A[i0+m][j] * x[j]        (the row's dot product, kept in registers)
//   g[j]   += sum_m A[i0+m][j] x[i0+m] (the column's share, via symmetry)
// which halves the matrix traffic of a plain matvec and gives 2 FMAs per load of A.
Value* KernelEmitter::emit_quadratic_gradient() {
  Value* chunks = chunks_;
  emit_loop(
      b_.getInt64(0), chunks, {},
      [&](Value* c, std::vector<Value*>) {
        Value* j = lanes_times(c);
        store_vector(load_vector(b_vector_, j), grad_, j);
        return std::vector<Value*>{};
      },
      "g.init");
  emit_loop(
      b_.getInt64(0), chunks, {},
      [&](Value* block, std::vector<Value*>) {
        Value* first = lanes_times(block);
        std::vector<Value*> rows, weights;
        for (int m = 0; m < kLanes; ++m) {
          Value* i = b_.CreateAdd(first, b_.getInt64(m), "", true, true);
          rows.push_back(address(A_, b_.CreateMul(i, stride_, "", true, true)));
          weights.push_back(splat(load_scalar(point_, i)));
        }
        // The diagonal block: g[i0..i0+7] += sum_m A[i0+m][i0..i0+7] x[i0+m].
        Value* diagonal = load_vector(grad_, first);
        for (int m = 0; m < kLanes; ++m)
          diagonal = fma(load_vector(rows[m], first), weights[m], diagonal);
        std::vector<Value*> zeros(kLanes, vector_constant(0.0));
        const std::vector<Value*> dots = emit_loop(
            b_.CreateAdd(block, b_.getInt64(1)), chunks, zeros,
            [&](Value* c, std::vector<Value*> partial) {
              Value* j = lanes_times(c);
              Value* xj = load_vector(point_, j);
              // Two chains for g[j] (even and odd rows) halve the latency of its update.
              Value* even = load_vector(grad_, j);
              Value* odd = nullptr;
              for (int m = 0; m < kLanes; ++m) {
                Value* a = load_vector(rows[m], j);
                partial[m] = fma(a, xj, partial[m]);
                if (m % 2 == 0) {
                  even = fma(a, weights[m], even);
                } else {
                  odd = odd ? fma(a, weights[m], odd) : b_.CreateFMul(a, weights[m]);
                }
              }
              store_vector(b_.CreateFAdd(even, odd), grad_, j);
              return partial;
            },
            "symv");
        store_vector(b_.CreateFAdd(diagonal, reduce_rows(dots)), grad_, first);
        return std::vector<Value*>{};
      },
      "gq.block");
  return scalar_constant(1.0);
}

Value* KernelEmitter::emit_gradient() {
  switch (spec_.smooth) {
    case SmoothKind::quadratic:
      return emit_quadratic_gradient();
    case SmoothKind::margin:
      return sparse_rows() ? emit_margin_gradient_csr() : emit_margin_gradient_dense();
  }
  return nullptr;
}

}  // namespace proxjit::codegen
