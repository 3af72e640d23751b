#include "proxjit/runtime/duality_gap.h"

#include <algorithm>
#include <cmath>

namespace proxjit {

std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r, const Matrix& A,
                                  const Vector& b, const Vector& x) {
  if (f.kind() != SmoothKind::least_squares) return std::nullopt;
  const double n = static_cast<double>(A.rows());
  const Vector residual = A * x - b;
  Vector theta = residual / n;  // the gradient of the loss in Ax: the dual candidate
  Vector correlation = A.transpose() * theta;
  const std::string& name = r.name();
  const auto p = r.parameters();
  double conjugate = 0.0;  // r*(-A'theta)
  if (name == "l1") {
    // r* is the indicator of |u|_inf <= lambda: scale theta into it.
    const double lambda = p[0];
    const double largest = correlation.cwiseAbs().maxCoeff();
    if (largest > lambda) {
      if (lambda == 0.0) return std::nullopt;
      theta *= lambda / largest;
      correlation *= lambda / largest;
    }
  } else if (name == "l2sq") {
    const double lambda = p[0];
    if (lambda == 0.0) return std::nullopt;
    conjugate = correlation.squaredNorm() / (2.0 * lambda);
  } else if (name == "elastic_net") {
    // r*(u) = sum_i max(|u_i| - l1, 0)^2 / (2 l2); with l2 = 0 it is the lasso's.
    const double l1 = p[0], l2 = p[1];
    if (l2 == 0.0) {
      const double largest = correlation.cwiseAbs().maxCoeff();
      if (largest > l1) {
        if (l1 == 0.0) return std::nullopt;
        theta *= l1 / largest;
        correlation *= l1 / largest;
      }
    } else {
      for (Eigen::Index i = 0; i < correlation.size(); ++i) {
        const double excess = std::max(std::abs(correlation[i]) - l1, 0.0);
        conjugate += excess * excess / (2.0 * l2);
      }
    }
  } else if (name == "box") {
    // The support function of the box at u = -A'theta.
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) return std::nullopt;
    for (Eigen::Index i = 0; i < correlation.size(); ++i) {
      const double u = -correlation[i];
      conjugate += std::max(p[0] * u, p[1] * u);
    }
  } else {
    return std::nullopt;
  }
  const double primal = 0.5 * residual.squaredNorm() / n + r.value<double>(x.data(), x.size());
  const double dual = -theta.dot(b) - 0.5 * n * theta.squaredNorm() - conjugate;
  // Rounding can make a converged gap slightly negative; it bounds a non-negative quantity.
  return std::max(0.0, primal - dual);
}

}  // namespace proxjit
