#include "eigen_baseline.h"

#include <Eigen/Dense>

namespace proxjit::bench {

void eigen_proximal_gradient_symv(const double* A_data, const double* b_data, std::int64_t n,
                                  std::int64_t iterations, double step, double lambda,
                                  double* x_out) {
  const Eigen::MatrixXd A = Eigen::Map<const Eigen::MatrixXd>(A_data, n, n);
  const Eigen::VectorXd b = Eigen::Map<const Eigen::VectorXd>(b_data, n);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd g(n), y(n);
  for (std::int64_t k = 0; k < iterations; ++k) {
    g.noalias() = A.selfadjointView<Eigen::Upper>() * x;  // reads one triangle, like the JIT
    y = x - step * (g + b);
    x = y.array().sign() * (y.array().abs() - step * lambda).max(0.0);
  }
  Eigen::Map<Eigen::VectorXd>(x_out, n) = x;
}

void eigen_proximal_gradient(const double* A_data, const double* b_data, std::int64_t n,
                             std::int64_t iterations, double step, double lambda, double* x_out) {
  // Owned, aligned, column-major objects, as a user would write it (A is symmetric, so the
  // row-major data reads the same). The copies cost microseconds against milliseconds of loop.
  const Eigen::MatrixXd A = Eigen::Map<const Eigen::MatrixXd>(A_data, n, n);
  const Eigen::VectorXd b = Eigen::Map<const Eigen::VectorXd>(b_data, n);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd g(n), y(n);
  for (std::int64_t k = 0; k < iterations; ++k) {
    g.noalias() = A * x;
    y = x - step * (g + b);
    x = y.array().sign() * (y.array().abs() - step * lambda).max(0.0);
  }
  Eigen::Map<Eigen::VectorXd>(x_out, n) = x;
}

}  // namespace proxjit::bench
