#pragma once
// Dense data. Matrices are row-major (samples are rows) so that a row is contiguous for
// kernels and loaders alike; storage is double, converted once for float32 kernels.

#include <Eigen/Core>

namespace proxjit {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;

// Data layouts a kernel can be specialized for.
enum class Layout {
  dense_row_major,  // samples are rows (gradient methods)
  dense_col_major,  // features are contiguous (coordinate descent on losses)
  csr,              // sparse, samples are rows (gradient methods)
  csc,              // sparse, features are columns (coordinate descent)
};

constexpr const char* to_string(Layout layout) {
  switch (layout) {
    case Layout::dense_row_major:
      return "dense_row_major";
    case Layout::dense_col_major:
      return "dense_col_major";
    case Layout::csr:
      return "csr";
    case Layout::csc:
      return "csc";
  }
  return "unknown";
}

}  // namespace proxjit
