#include "proxjit/runtime/sparse.h"

#include <cmath>
#include <sstream>

#include "proxjit/runtime/error.h"

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
  // A branch-free scan of the stored values first (x - x is 0 only for finite x): the common
  // case costs a streaming pass; only a failure walks the rows to say where.
  if (m.isCompressed()) {
    const double* values = m.valuePtr();
    double probe = 0.0;
    for (Eigen::Index k = 0; k < m.nonZeros(); ++k)
      probe += values[k] - values[k];
    if (probe == 0.0) return;
  }
  for (Eigen::Index row = 0; row < m.outerSize(); ++row) {
    for (SparseMatrix::InnerIterator it(m, row); it; ++it) {
      if (!std::isfinite(it.value())) {
        std::ostringstream message;
        message << what << " contains " << it.value() << " at row " << it.row() << ", column "
                << it.col() << " (all entries must be finite numbers)";
        throw Error(message.str());
      }
    }
  }
}

double density(const SparseMatrix& m) {
  const double entries = static_cast<double>(m.rows()) * static_cast<double>(m.cols());
  return entries == 0.0 ? 0.0 : static_cast<double>(m.nonZeros()) / entries;
}

}  // namespace proxjit
