#pragma once
// The data a kernel reads, in its layout: padded with zeros to whole vectors and aligned.
// Built once per problem, scalar type and layout; LLVM-free.

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include <Eigen/SparseCore>

#include "proxjit/codegen/kernel_spec.h"

namespace proxjit {

// A zero-initialized array aligned to a cache line (and so to any kernel vector).
template <class T>
class AlignedBuffer {
 public:
  static constexpr std::size_t kAlignment = 64;
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::int64_t size) : size_(size) {
    const std::size_t bytes =
        (static_cast<std::size_t>(size) * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
    data_.reset(static_cast<T*>(std::aligned_alloc(kAlignment, bytes ? bytes : kAlignment)));
    if (!data_) throw std::bad_alloc();
    std::memset(data_.get(), 0, bytes);
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::int64_t size() const { return size_; }
  T& operator[](std::int64_t i) { return data_.get()[i]; }
  const T& operator[](std::int64_t i) const { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  std::int64_t size_ = 0;
};

// A, b (and sample weights) for a kernel of one layout.
//   dense: rows and columns of A rounded up to whole vectors, zero padding;
//   csr/csc: values, indices and offsets of the rows (csr) or columns (csc); b and weights are
//   still padded vectors.
template <class T>
struct KernelData {
  AlignedBuffer<T> A;                   // dense entries, or the nonzero values
  AlignedBuffer<std::int64_t> offsets;  // sparse: outer size + 1 offsets into A and indices
  AlignedBuffer<std::int32_t> indices;  // sparse: the inner index of each value
  AlignedBuffer<T> b;
  AlignedBuffer<T> weights;  // empty when the samples are unweighted
  std::int64_t rows = 0;     // samples (or d for quadratic), unpadded
  std::int64_t cols = 0;     // unknowns, unpadded
};

// v in T, padded with zeros to whole vectors.
template <class T, class Vector>
AlignedBuffer<T> padded_copy(const Vector& v) {
  AlignedBuffer<T> copy(padded_length(v.size()));
  for (std::int64_t i = 0; i < v.size(); ++i)
    copy[i] = static_cast<T>(v[i]);
  return copy;
}

// Dense: `A` is stored as given (pass A.transpose() for a column-major layout, and swap rows
// and cols afterwards).
template <class T, class Matrix, class Vector>
KernelData<T> make_kernel_data(const Matrix& A, const Vector& b) {
  KernelData<T> data;
  data.rows = A.rows();
  data.cols = A.cols();
  const std::int64_t stride = padded_length(data.cols);
  data.A = AlignedBuffer<T>(padded_length(data.rows) * stride);
  for (std::int64_t i = 0; i < data.rows; ++i) {
    for (std::int64_t j = 0; j < data.cols; ++j)
      data.A[i * stride + j] = static_cast<T>(A(i, j));
  }
  data.b = padded_copy<T>(b);
  return data;
}

// Dense layouts straight from a compressed row-major sparse matrix (data that are mostly
// nonzero): zero padding, and each nonzero placed at its row-major or column-major slot.
template <class T, class RowMajor, class Vector>
KernelData<T> make_dense_kernel_data_from_rows(const RowMajor& A, const Vector& b,
                                               bool column_major) {
  KernelData<T> data;
  data.rows = A.rows();
  data.cols = A.cols();
  const std::int64_t stride = padded_length(column_major ? data.rows : data.cols);
  data.A = AlignedBuffer<T>(padded_length(column_major ? data.cols : data.rows) * stride);
  for (std::int64_t r = 0; r < data.rows; ++r) {
    for (typename RowMajor::InnerIterator it(A, r); it; ++it) {
      const std::int64_t c = it.index();
      data.A[column_major ? c * stride + r : r * stride + c] = static_cast<T>(it.value());
    }
  }
  data.b = padded_copy<T>(b);
  return data;
}

// Sparse: `A` is a compressed Eigen matrix whose outer dimension is what the kernel walks
// (row-major for csr, column-major for csc); rows and cols are the problem's.
template <class T, class Sparse, class Vector>
KernelData<T> make_sparse_kernel_data(const Sparse& A, const Vector& b, std::int64_t rows,
                                      std::int64_t cols) {
  KernelData<T> data;
  data.rows = rows;
  data.cols = cols;
  const std::int64_t outer = A.outerSize();
  const std::int64_t nonzeros = A.nonZeros();
  data.offsets = AlignedBuffer<std::int64_t>(outer + 1);
  data.indices = AlignedBuffer<std::int32_t>(nonzeros);
  data.A = AlignedBuffer<T>(nonzeros);
  std::int64_t k = 0;
  for (std::int64_t o = 0; o < outer; ++o) {
    data.offsets[o] = k;
    for (typename Sparse::InnerIterator it(A, o); it; ++it, ++k) {
      data.indices[k] = static_cast<std::int32_t>(it.index());
      data.A[k] = static_cast<T>(it.value());
    }
  }
  data.offsets[outer] = k;
  data.b = padded_copy<T>(b);
  return data;
}

// csc straight from a compressed row-major matrix: a counting sort of the nonzeros by column,
// rows ascending within each column as a column-major copy would have them, without making that
// copy first.
template <class T, class RowMajor, class Vector>
KernelData<T> make_csc_kernel_data(const RowMajor& A, const Vector& b) {
  KernelData<T> data;
  data.rows = A.rows();
  data.cols = A.cols();
  const std::int64_t nonzeros = A.nonZeros();
  data.offsets = AlignedBuffer<std::int64_t>(data.cols + 1);
  data.indices = AlignedBuffer<std::int32_t>(nonzeros);
  data.A = AlignedBuffer<T>(nonzeros);
  std::vector<std::int64_t> next(static_cast<std::size_t>(data.cols) + 1, 0);
  for (std::int64_t r = 0; r < data.rows; ++r)
    for (typename RowMajor::InnerIterator it(A, r); it; ++it)
      ++next[static_cast<std::size_t>(it.index()) + 1];
  for (std::int64_t c = 0; c < data.cols; ++c)
    next[static_cast<std::size_t>(c) + 1] += next[static_cast<std::size_t>(c)];
  for (std::int64_t c = 0; c <= data.cols; ++c)
    data.offsets[c] = next[static_cast<std::size_t>(c)];
  for (std::int64_t r = 0; r < data.rows; ++r) {
    for (typename RowMajor::InnerIterator it(A, r); it; ++it) {
      const std::int64_t k = next[static_cast<std::size_t>(it.index())]++;
      data.indices[k] = static_cast<std::int32_t>(r);
      data.A[k] = static_cast<T>(it.value());
    }
  }
  data.b = padded_copy<T>(b);
  return data;
}

template <class T, class Vector>
void set_kernel_weights(KernelData<T>& data, const Vector& weights) {
  if (weights.size() == 0) return;
  data.weights = padded_copy<T>(weights);
}

}  // namespace proxjit
