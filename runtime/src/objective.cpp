#include "proxjit/runtime/objective.h"

#include <cmath>
#include <limits>

namespace proxjit {

double lipschitz_bound(const SmoothComponent& f, const DataView<double>& data) {
  const Eigen::Index d = data.cols();
  if (f.kind() == SmoothKind::quadratic) {
    // A may be indefinite: the largest eigenvalue of A'A = A^2 is L^2.
    const Matrix& A = *data.dense;
    return std::sqrt(largest_eigenvalue(d, [&](const Vector& v, Vector& out) {
      const Vector t = A * v;
      out.noalias() = A * t;
    }));
  }
  const double curvature = f.curvature();
  if (!std::isfinite(curvature)) return std::numeric_limits<double>::infinity();
  // L = sup phi'' * lambda_max(A' W A) / n.
  const double largest = largest_eigenvalue(d, [&](const Vector& v, Vector& out) {
    Vector t = data.dense ? Vector(*data.dense * v) : Vector(*data.sparse * v);
    if (data.weights) t.array() *= data.weights->array();
    if (data.dense) {
      out.noalias() = data.dense->transpose() * t;
    } else {
      out.noalias() = data.sparse->transpose() * t;
    }
  });
  return curvature * largest / static_cast<double>(data.rows());
}

}  // namespace proxjit
