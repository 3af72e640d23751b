#pragma once
// Seeded random matrices and vectors for the tests (runtime-only: no engine headers).

#include <random>

#include "proxjit/runtime/dense.h"

namespace proxjit::testing {

inline Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = normal(rng);
  return m;
}

inline Vector random_vector(Eigen::Index size, std::mt19937& rng) {
  return random_matrix(size, 1, rng).col(0);
}

}  // namespace proxjit::testing
