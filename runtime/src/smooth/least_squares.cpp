// least_squares: f(x) = 1/(2n) ||Ax - b||^2 with A of n samples x d features, b of length n.
// grad f(x) = A'(Ax - b) / n;  Lipschitz constant L = ||A||_2^2 / n.
#include "builtin_smooth.h"
#include "proxjit/runtime/error.h"

namespace proxjit::builtin {
namespace {

template <class T>
double value_and_gradient(const MatrixOf<T>& A, const VectorOf<T>& b, const VectorOf<T>& x,
                          VectorOf<T>& g) {
  const VectorOf<T> residual = A * x - b;
  const double n = static_cast<double>(A.rows());
  g.noalias() = A.transpose() * residual;
  g *= static_cast<T>(1.0 / n);
  return 0.5 * static_cast<double>(residual.squaredNorm()) / n;
}

void check_data(const Matrix& A, const Vector& b) {
  if (A.rows() == 0 || A.cols() == 0) {
    throw Error("least_squares: A must have at least one row and one column, got " +
                std::to_string(A.rows()) + " x " + std::to_string(A.cols()));
  }
  if (b.size() != A.rows()) {
    throw Error("least_squares: b must have one entry per row of A (n = " +
                std::to_string(A.rows()) + "), got " + std::to_string(b.size()));
  }
}

double lipschitz(const Matrix& A) {
  const double n = static_cast<double>(A.rows());
  return largest_eigenvalue(A.cols(),
                            [&](const Vector& v, Vector& out) {
                              const Vector t = A * v;
                              out.noalias() = A.transpose() * t;
                            }) /
         n;
}

}  // namespace

SmoothDefinition least_squares_smooth() {
  return {"least_squares",
          SmoothKind::least_squares,
          "f(x) = 1/(2n) ||Ax - b||^2",
          "A: n x d (samples are rows); b: length n",
          check_data,
          nullptr,
          [](const Matrix& A) { return A.cols(); },
          value_and_gradient<double>,
          value_and_gradient<float>,
          lipschitz};
}

}  // namespace proxjit::builtin
