#include "eigen_baseline.h"

#include <Eigen/Dense>

namespace proxjit::bench {

void eigen_proximal_gradient(const double* A_data, const double* b_data, std::int64_t n,
                             std::int64_t iterations, double step, double lambda, double* x_out) {
  // Column-major, Eigen's default, as a user would write it (A is symmetric).
  const Eigen::Map<const Eigen::MatrixXd> A(A_data, n, n);
  const Eigen::Map<const Eigen::VectorXd> b(b_data, n);
  Eigen::Map<Eigen::VectorXd> x(x_out, n);
  Eigen::VectorXd g(n), y(n);
  x.setZero();
  for (std::int64_t k = 0; k < iterations; ++k) {
    g.noalias() = A * x;
    y = x - step * (g + b);
    x = y.array().sign() * (y.array().abs() - step * lambda).max(0.0);
  }
}

}  // namespace proxjit::bench
