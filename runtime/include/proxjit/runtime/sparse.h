#pragma once
// Sparse data: CSR (compressed sparse row), samples are rows like the dense Matrix, so a sample
// is contiguous for gradient kernels. Matrices handed around are always compressed.

#include <string>

#include <Eigen/SparseCore>

#include "proxjit/runtime/dense.h"

namespace proxjit {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// The nonzeros of `dense`; exact zeros (also -0.0) are not stored.
SparseMatrix to_sparse(const Matrix& dense);
// Every entry, unstored ones as 0.
Matrix to_dense(const SparseMatrix& sparse);

// Throws proxjit::Error naming `what` and the first non-finite stored entry (0-based row and
// column, in row order), like check_finite for dense data.
void check_finite(const SparseMatrix& m, const std::string& what);

// Stored entries over rows * cols (0 for an empty shape).
double density(const SparseMatrix& m);

}  // namespace proxjit
