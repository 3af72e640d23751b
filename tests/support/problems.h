#pragma once
// Seeded test problems shared by the engine and codegen tests.

#include <random>

#include "proxjit/problem.h"
#include "support/random_data.h"

namespace proxjit::testing {

inline Matrix gaussian_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  return random_matrix(rows, cols, rng);
}

inline Vector gaussian_vector(Eigen::Index size, unsigned seed) {
  return gaussian_matrix(size, 1, seed).col(0);
}

// Symmetric positive definite: M'M/d + 0.1 I, as in the seed article's example.
inline Matrix spd_matrix(Eigen::Index d, unsigned seed) {
  const Matrix m = gaussian_matrix(d, d, seed);
  Matrix a = m.transpose() * m / static_cast<double>(d);
  a.diagonal().array() += 0.1;
  return a;
}

// Data (A, b) fitting the smooth term `f` with d unknowns (n samples for least squares).
inline Problem make_problem(const std::string& f, const std::string& r, Eigen::Index d,
                            Eigen::Index n, unsigned seed) {
  if (f == "quadratic")
    return Problem::parse(f, r, spd_matrix(d, seed), gaussian_vector(d, seed + 1));
  return Problem::parse(f, r, gaussian_matrix(n, d, seed), gaussian_vector(n, seed + 1));
}

}  // namespace proxjit::testing
