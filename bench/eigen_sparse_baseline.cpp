#include "eigen_sparse_baseline.h"

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace proxjit::bench {

void eigen_sparse_logistic_proximal_gradient(const int* row_ptr, const int* col_idx,
                                             const double* values, std::int64_t rows,
                                             std::int64_t cols, std::int64_t nnz,
                                             const double* b_data, std::int64_t iterations,
                                             double step, double lambda, double* x_out) {
  using Csr = Eigen::SparseMatrix<double, Eigen::RowMajor, int>;
  // A view of the caller's CSR arrays (no copy): what a user holding a CSR matrix would write.
  const Eigen::Map<const Csr> A(rows, cols, nnz, row_ptr, col_idx, values);
  const Eigen::Map<const Eigen::VectorXd> b(b_data, rows);
  const double inv_n = 1.0 / static_cast<double>(rows);
  const double threshold = step * lambda;
  Eigen::VectorXd x = Eigen::VectorXd::Zero(cols);
  Eigen::VectorXd z(rows), d(rows), g(cols), y(cols);
  for (std::int64_t k = 0; k < iterations; ++k) {
    z.noalias() = A * x;
    // sigmoid(-t), t = b z, from exp of a non-positive number only: e = exp(-|t|),
    // sigmoid(-t) = e / (1 + e) for t >= 0 and 1 / (1 + e) for t < 0.
    const Eigen::ArrayXd t = b.array() * z.array();
    const Eigen::ArrayXd e = (-t.abs()).exp();
    d.array() = -b.array() * (t >= 0.0).select(e / (1.0 + e), 1.0 / (1.0 + e));
    g.noalias() = A.transpose() * d;
    y = x - (step * inv_n) * g;
    x = y.array().sign() * (y.array().abs() - threshold).max(0.0);
  }
  Eigen::Map<Eigen::VectorXd>(x_out, cols) = x;
}

}  // namespace proxjit::bench
