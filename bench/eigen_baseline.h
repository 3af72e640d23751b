#pragma once
// The hand-written Eigen loop the JIT is measured against. It lives in its own translation unit,
// compiled -O3 -march=native, and takes raw pointers so that no Eigen object crosses into code
// built with other flags.

#include <cstdint>

namespace proxjit::bench {

// The article's loop: x = soft_threshold(x - step * (A x + b), step * lambda), from x = 0.
// A is n x n, symmetric, row-major (so also column-major). Writes x (length n).
void eigen_proximal_gradient(const double* A, const double* b, std::int64_t n,
                             std::int64_t iterations, double step, double lambda, double* x);

// The same with Eigen's symmetric matrix-vector product (selfadjointView), which reads one
// triangle of A as the JIT kernel does: the strongest hand-written Eigen version.
void eigen_proximal_gradient_symv(const double* A, const double* b, std::int64_t n,
                                  std::int64_t iterations, double step, double lambda, double* x);

}  // namespace proxjit::bench
