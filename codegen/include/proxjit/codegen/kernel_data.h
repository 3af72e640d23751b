#pragma once
// The data a kernel reads, in its layout: padded with zeros to whole vectors and aligned.
// Built once per problem and scalar type; LLVM-free.

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

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

// A and b padded for a kernel of `spec`: rows and columns of A rounded up to whole vectors.
template <class T>
struct KernelData {
  AlignedBuffer<T> A;
  AlignedBuffer<T> b;
  std::int64_t rows = 0;  // unpadded
  std::int64_t cols = 0;  // unpadded
};

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
  data.b = AlignedBuffer<T>(padded_length(b.size()));
  for (std::int64_t i = 0; i < b.size(); ++i)
    data.b[i] = static_cast<T>(b[i]);
  return data;
}

}  // namespace proxjit
