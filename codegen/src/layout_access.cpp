// Data-layout access: one sample's row (dense rows, CSR) and one column's entries (dense
// columns, CSC). The passes that walk rows or columns go through these.
#include "emitter.h"

namespace proxjit::codegen {

// ---- one sample's row ----
Value* KernelEmitter::row_begin(Value* i) {
  return load_i64(offsets_, i);
}

Value* KernelEmitter::row_end(Value* i) {
  return load_i64(offsets_, b_.CreateAdd(i, b_.getInt64(1)));
}

Value* KernelEmitter::dense_row(Value* i) {
  return address(A_, b_.CreateMul(i, stride_, "", true, true));
}

// a_i'point.
Value* KernelEmitter::emit_sample_margin(Value* point, Value* i) {
  if (sparse_rows()) {
    return emit_loop(
        row_begin(i), row_end(i), {scalar_constant(0.0)},
        [&](Value* k, std::vector<Value*> sum) {
          return std::vector<Value*>{
              fma(load_scalar(A_, k), load_scalar(point, column_index(k)), sum[0])};
        },
        "sto.margin")[0];
  }
  Value* row = dense_row(i);
  const std::vector<Value*> sum = emit_loop(
      b_.getInt64(0), chunks_, {vector_constant(0.0)},
      [&](Value* c, std::vector<Value*> partial) {
        Value* j = lanes_times(c);
        return std::vector<Value*>{fma(load_vector(row, j), load_vector(point, j), partial[0])};
      },
      "sto.margin");
  return b_.CreateFAddReduce(scalar_constant(0.0), sum[0]);
}

// target += scale * a_i over the sample's entries.
void KernelEmitter::emit_sample_scatter(Value* target, Value* i, Value* scale) {
  if (sparse_rows()) {
    emit_loop(
        row_begin(i), row_end(i), {},
        [&](Value* k, std::vector<Value*>) {
          Value* g = address(target, column_index(k));
          b_.CreateStore(
              b_.CreateFAdd(b_.CreateLoad(scalar_, g), b_.CreateFMul(scale, load_scalar(A_, k))),
              g);
          return std::vector<Value*>{};
        },
        "sto.scatter");
    return;
  }
  Value* row = dense_row(i);
  Value* weight = splat(scale);
  emit_loop(
      b_.getInt64(0), chunks_, {},
      [&](Value* c, std::vector<Value*>) {
        Value* j = lanes_times(c);
        store_vector(
            b_.CreateFAdd(load_vector(target, j), b_.CreateFMul(weight, load_vector(row, j))),
            target, j);
        return std::vector<Value*>{};
      },
      "sto.scatter");
}

// ---- proximal coordinate descent (cyclic), for separable elementwise r ----
// quadratic: keeps g = A x + b; coordinate j has L_j = A_jj and, when x_j moves by delta,
//   g += delta * A[j] (row j is column j, A being symmetric).
// losses: columns of A are contiguous (dense column-major, or CSC); keeps the margins z = A x;
//   g_j = sum_i a_ij w_i dphi(z_i, b_i) / n, L_j = sup phi'' sum_i w_i a_ij^2 / n, and
//   z += delta * a_j.
// x_j = prox_{r/L_j}(x_j - g_j / L_j) (an intercept takes the plain step). Returns
// sum_j (L_j delta_j)^2 over the epoch, the squared norm of the coordinate-wise gradient
// mapping (zero exactly at a fixed point).
// A loss whose phi'' varies (spec.coordinate_newton) takes proximal coordinate Newton steps
// instead, with a line search (emit_coordinate_newton_epoch; the rules are
// reference_coordinate_descent's).
// The layout's shape: sparse rows of samples (CSR) or dense ones; sparse columns (CSC) or
// dense ones.
bool KernelEmitter::sparse_rows() const {
  return spec_.layout == Layout::csr;
}

bool KernelEmitter::sparse_columns() const {
  return spec_.layout == Layout::csc;
}

std::vector<Value*> KernelEmitter::for_sparse_column(Value* j, const std::vector<Value*>& initial,
                                                     const SparseVisit& visit, const char* name) {
  Value* begin = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, j));
  Value* end =
      b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, b_.CreateAdd(j, b_.getInt64(1))));
  return emit_loop(
      begin, end, initial,
      [&](Value* k, std::vector<Value*> carried) { return visit(k, column_index(k), carried); },
      name);
}

Value* KernelEmitter::column_pointer(Value* j) {
  Value* stride = spec_.smooth == SmoothKind::quadratic ? stride_ : lanes_times(sample_chunks_);
  return address(A_, b_.CreateMul(j, stride, "", true, true));
}

Value* KernelEmitter::column_index(Value* k) {
  return b_.CreateSExt(
      b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), indices_, k)), i64_);
}

std::vector<Value*> KernelEmitter::column_sums(Value* j, int count, const ColumnTerm& term,
                                               const char* name) {
  const auto add = [&](std::vector<Value*> partial, const std::vector<Value*>& terms) {
    for (int t = 0; t < count; ++t)
      partial[t] = b_.CreateFAdd(partial[t], terms[t]);
    return partial;
  };
  if (sparse_columns() && count == 0) {
    return for_sparse_column(
        j, {},
        [&](Value* k, Value* i, std::vector<Value*>) {
          term(i, load_scalar(A_, k), false);
          return std::vector<Value*>{};
        },
        name);
  }
  if (sparse_columns()) {
    // Two interleaved accumulators over the nonzeros: one chain of dependent adds per sum
    // would cost an add's latency per nonzero.
    Value* begin = b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, j));
    Value* end =
        b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, offsets_, b_.CreateAdd(j, b_.getInt64(1))));
    Value* pairs = b_.CreateLShr(b_.CreateSub(end, begin), b_.getInt64(1));
    const auto entry = [&](Value* k) { return term(column_index(k), load_scalar(A_, k), false); };
    std::vector<Value*> both = emit_loop(
        b_.getInt64(0), pairs, std::vector<Value*>(2 * count, scalar_constant(0.0)),
        [&](Value* pair, std::vector<Value*> partial) {
          Value* k = b_.CreateAdd(begin, b_.CreateShl(pair, b_.getInt64(1)));
          const std::vector<Value*> first = entry(k);
          const std::vector<Value*> second = entry(b_.CreateAdd(k, b_.getInt64(1)));
          for (int t = 0; t < count; ++t) {
            partial[t] = b_.CreateFAdd(partial[t], first[t]);
            partial[count + t] = b_.CreateFAdd(partial[count + t], second[t]);
          }
          return partial;
        },
        name);
    std::vector<Value*> sums(count);
    for (int t = 0; t < count; ++t)
      sums[t] = b_.CreateFAdd(both[t], both[count + t]);
    Value* last = b_.CreateAdd(begin, b_.CreateShl(pairs, b_.getInt64(1)));
    return emit_if(
        b_.CreateICmpSLT(last, end), sums, [&] { return add(sums, entry(last)); }, name);
  }
  Value* column = column_pointer(j);
  std::vector<Value*> sums = emit_loop(
      b_.getInt64(0), sample_chunks_, std::vector<Value*>(count, vector_constant(0.0)),
      [&](Value* c, std::vector<Value*> partial) {
        Value* i = lanes_times(c);
        return add(partial, term(i, load_vector(column, i), true));
      },
      name);
  for (Value*& sum : sums)
    sum = b_.CreateFAddReduce(scalar_constant(0.0), sum);
  return sums;
}

}  // namespace proxjit::codegen
