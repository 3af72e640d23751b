// Coordinate descent's convexity checks: a coordinate it cannot step (curvature <= 0) and, for
// a quadratic, a "converged" point that is only coordinate-wise stationary (A not PSD). Both
// are engine-side, before and after the run, so the JIT and reference backends agree.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine_internal.h"
#include "proxjit/problem.h"
#include "proxjit/runtime/expr.h"

namespace proxjit::detail {
namespace {

// f along coordinate j is b_j t + const (A_jj = 0, row j zero): unbounded below when r_j does
// not grow at least as fast as |b_j| t in the descent direction (l1 with |b_j| > lambda).
bool linear_coordinate_unbounded(const ProxComponent& r, double slope) {
  if (slope == 0.0 || !r.definition().value_known) return false;
  const double far = -std::copysign(1e100, slope);
  const double origin = 0.0;
  const double value = slope * far + r.value(&far, 1);
  return value < r.value(&origin, 1);
}

}  // namespace

std::string coordinate_curvature_problem(const Problem& problem) {
  if (problem.f().kind() == SmoothKind::quadratic) {
    const Matrix& A = problem.A();
    for (Eigen::Index j = 0; j < A.rows(); ++j) {
      const double a = A(j, j);
      if (a < 0.0 || std::isnan(a)) {
        return "coordinate " + std::to_string(j) + " has curvature A_jj = " + short_number(a) +
               " <= 0: f is not convex along it, so the problem is not convex and unbounded "
               "below unless r bounds x_j (a quadratic needs a positive semi-definite A)";
      }
      if (a > 0.0) continue;
      Eigen::Index k = 0;
      const double largest = A.row(j).cwiseAbs().maxCoeff(&k);
      if (largest > 0.0) {
        return "coordinate " + std::to_string(j) +
               " has curvature A_jj = 0 but A_jk = " + short_number(A(j, k)) +
               " for k = " + std::to_string(k) +
               ": A is not positive semi-definite, so f is not convex and the problem is "
               "unbounded below unless r bounds x (a quadratic needs a positive semi-definite A)";
      }
      if (linear_coordinate_unbounded(problem.r(), problem.b()[j])) {
        return "coordinate " + std::to_string(j) +
               " has curvature A_jj = 0 (f is linear along "
               "it, slope b_j = " +
               short_number(problem.b()[j]) + ") and " + problem.r().describe() +
               " grows more slowly: the problem is unbounded below";
      }
    }
    return "";
  }
  // A loss with a constant phi'' steps by L_j = bound * sum_i w_i a_ij^2 / n, the bound being
  // what the loss claims (a formula's lipschitz): a negative phi'' is a concave f, unbounded.
  const SmoothDefinition& loss = problem.f().definition();
  if (loss.coordinate_newton()) return "";
  const std::vector<double> parameters(problem.f().parameters().begin(),
                                       problem.f().parameters().end());
  const double second = expr::evaluate<double>(loss.second_derivative, 0.0, 0.0, parameters.data());
  if (!(second < 0.0)) return "";  // phi'' = 0 (f linear): coordinate descent leaves it
  return "f has curvature phi'' = " + short_number(second) +
         " < 0 along every coordinate (its bound L_j would claim " +
         short_number(problem.f().curvature()) +
         "): f is concave, so the problem is unbounded below (coordinate descent needs a convex "
         "f)";
}

std::string quadratic_not_convex(const Matrix& A, int steps) {
  const Eigen::Index d = A.rows();
  if (d == 0) return "";
  // Diagonally dominant (Gershgorin): PSD, nothing to do. One pass over A, as an epoch.
  double shift = 0.0;
  bool dominant = true;
  for (Eigen::Index j = 0; j < d; ++j) {
    const double row = A.row(j).cwiseAbs().sum();
    const double diagonal = A(j, j);
    dominant = dominant && 2.0 * diagonal >= row;
    shift = std::max(shift, row);
  }
  if (dominant) return "";
  // Power iteration on shift I - A (its top eigenvalue is shift - lambda_min(A)). The Rayleigh
  // quotient of any v bounds lambda_min from above, so v'Av < 0 is a proof, never a guess.
  Vector v(d);
  for (Eigen::Index j = 0; j < d; ++j)
    v[j] = ((j * 2654435761u) % 1000) / 1000.0 - 0.4995;
  v.normalize();
  Vector Av(d);
  const double tolerance = 1e-10 * shift;
  for (int step = 0; step < steps; ++step) {
    Av.noalias() = A * v;
    const double rayleigh = v.dot(Av);
    if (rayleigh < -tolerance) {
      return "A is not positive semi-definite (a direction v with v'Av / v'v = " +
             short_number(rayleigh) +
             " < 0): f is not convex, so coordinate descent's coordinate-wise stationary point "
             "need not be a minimizer, and the problem is unbounded below unless r bounds x (a "
             "quadratic needs a positive semi-definite A)";
    }
    v = shift * v - Av;
    const double norm = v.norm();
    if (!(norm > 0.0)) return "";
    v /= norm;
  }
  return "";
}

}  // namespace proxjit::detail
