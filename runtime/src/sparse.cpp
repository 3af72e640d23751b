#include "proxjit/runtime/sparse.h"

#include <cstdint>
#include <cstring>

#include <cmath>
#include <string>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {

SparseMatrix to_sparse(const Matrix& dense) {
  // sparseView(0, 0) keeps every value that is not exactly zero.
  SparseMatrix sparse = dense.sparseView(0.0, 0.0);
  sparse.makeCompressed();
  return sparse;
}

Matrix to_dense(const SparseMatrix& sparse) {
  return Matrix(sparse);
}

void check_finite(const SparseMatrix& m, const std::string& what) {
  // A branch-free scan of the stored values first (an all-ones exponent is inf or nan): the
  // common case costs one vectorized pass; only a failure walks the rows to say where.
  if (m.isCompressed()) {
    const double* values = m.valuePtr();
    constexpr std::uint64_t kExponent = 0x7ff0000000000000;
    std::uint64_t non_finite = 0;
    for (Eigen::Index k = 0; k < m.nonZeros(); ++k) {
      std::uint64_t bits;
      std::memcpy(&bits, values + k, sizeof bits);
      non_finite |= static_cast<std::uint64_t>((bits & kExponent) == kExponent);
    }
    if (!non_finite) return;
  }
  for (Eigen::Index row = 0; row < m.outerSize(); ++row) {
    for (SparseMatrix::InnerIterator it(m, row); it; ++it) {
      if (!std::isfinite(it.value())) {
        throw Error(what + " contains " + number_text(it.value()) + " at row " +
                    std::to_string(it.row()) + ", column " + std::to_string(it.col()) +
                    " (all entries must be finite numbers)");
      }
    }
  }
}

double density(const SparseMatrix& m) {
  const double entries = static_cast<double>(m.rows()) * static_cast<double>(m.cols());
  return entries == 0.0 ? 0.0 : static_cast<double>(m.nonZeros()) / entries;
}

}  // namespace proxjit
