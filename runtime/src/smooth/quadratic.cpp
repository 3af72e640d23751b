// quadratic: f(x) = 1/2 x'Ax + b'x with A symmetric (d x d) and b of length d.
// grad f(x) = Ax + b;  Lipschitz constant L = largest |eigenvalue| of A.
// A must be symmetric up to rounding (1e-10 relative); it is then made exactly symmetric.
#include <cmath>
#include <sstream>

#include "builtin_smooth.h"
#include "proxjit/runtime/error.h"

namespace proxjit::builtin {
namespace {

template <class T>
double value_and_gradient(const MatrixOf<T>& A, const VectorOf<T>& b, const VectorOf<T>& x,
                          VectorOf<T>& g) {
  g.noalias() = A * x;
  const double value = 0.5 * static_cast<double>(x.dot(g)) + static_cast<double>(b.dot(x));
  g += b;
  return value;
}

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
        std::ostringstream message;
        message.precision(17);
        message << "quadratic: A must be symmetric, but A[" << i << "][" << j << "] = " << A(i, j)
                << " and A[" << j << "][" << i << "] = " << A(j, i)
                << " (the gradient Ax + b holds for symmetric A; pass (A + A')/2)";
        throw Error(message.str());
      }
    }
  }
}

void symmetrize(Matrix& A) {
  const Matrix transposed = A.transpose();
  A = 0.5 * (A + transposed);
}

double lipschitz(const Matrix& A) {
  // A may be indefinite: the largest eigenvalue of A'A = A^2 is L^2.
  const double l2 = largest_eigenvalue(A.cols(), [&](const Vector& v, Vector& out) {
    const Vector t = A * v;
    out.noalias() = A * t;
  });
  return std::sqrt(l2);
}

}  // namespace

SmoothDefinition quadratic_smooth() {
  return {"quadratic",
          SmoothKind::quadratic,
          "f(x) = 1/2 x'Ax + b'x",
          "A: symmetric d x d; b: length d",
          check_data,
          symmetrize,
          [](const Matrix& A) { return A.cols(); },
          value_and_gradient<double>,
          value_and_gradient<float>,
          lipschitz};
}

}  // namespace proxjit::builtin
