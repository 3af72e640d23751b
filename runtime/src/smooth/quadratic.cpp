// quadratic: f(x) = 1/2 x'Ax + b'x with A symmetric (d x d) and b of length d.
// grad f(x) = Ax + b;  Lipschitz constant L = largest |eigenvalue| of A (objective.h).
// A must be symmetric up to rounding (1e-10 relative); it is then made exactly symmetric.
#include <cmath>
#include <string>

#include "builtin_smooth.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::builtin {
namespace {

void check_data(const Matrix& A, const Vector& b) {
  if (A.rows() != A.cols()) {
    throw Error("quadratic: A must be square (d x d), got " + std::to_string(A.rows()) + " x " +
                std::to_string(A.cols()));
  }
  if (b.size() != A.rows()) {
    throw Error("quadratic: b must have length d = " + std::to_string(A.rows()) +
                " (the size of A), got " + std::to_string(b.size()));
  }
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    for (Eigen::Index j = i + 1; j < A.cols(); ++j) {
      const double scale = std::max({1.0, std::abs(A(i, j)), std::abs(A(j, i))});
      if (std::abs(A(i, j) - A(j, i)) > 1e-10 * scale) {
        const std::string at = "[" + std::to_string(i) + "][" + std::to_string(j) + "]";
        const std::string mirrored = "[" + std::to_string(j) + "][" + std::to_string(i) + "]";
        throw Error("quadratic: A must be symmetric, but A" + at + " = " + number_text(A(i, j)) +
                    " and A" + mirrored + " = " + number_text(A(j, i)) +
                    " (the gradient Ax + b holds for symmetric A; pass (A + A')/2)");
      }
    }
  }
}

void symmetrize(Matrix& A) {
  const Matrix transposed = A.transpose();
  A = 0.5 * (A + transposed);
}

}  // namespace

SmoothDefinition quadratic_smooth() {
  SmoothDefinition d;
  d.name = "quadratic";
  d.prediction = Prediction::none;
  d.kind = SmoothKind::quadratic;
  d.formula = "f(x) = 1/2 x'Ax + b'x";
  d.data_shape = "A: symmetric d x d (dense); b: length d";
  d.check_quadratic = check_data;
  d.symmetrize = symmetrize;
  return d;
}

}  // namespace proxjit::builtin
