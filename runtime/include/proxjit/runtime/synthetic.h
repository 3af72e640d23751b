#pragma once
// Seeded synthetic problems for tests, benchmarks and the REPL's `gen`.
//
// Seed contract: the same arguments and seed give the same data, bit for bit, in every run and
// on every machine. Only std::mt19937_64 (fully specified by the standard) is used, with our own
// transforms on top (integers by rejection, uniforms from 53 bits, Box-Muller normals, Poisson
// by multiplication), never the standard distributions whose algorithms are left to the library.
// Normals go through std::log, std::sqrt and std::cos, so a libm with different rounding could
// change the last bits; the positions of the nonzeros depend on integers only. Changing any of
// these algorithms changes the data, so it is a visible change: the tests pin a few values.

#include <cstdint>

#include <Eigen/Core>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/sparse.h"

namespace proxjit {

// rows x cols CSR. Each row has density * cols nonzeros on average (rounded up or down at
// random, at least one), at distinct uniformly random columns, values standard normal.
// Throws proxjit::Error for rows or cols < 1 or density outside (0, 1].
SparseMatrix random_sparse(Eigen::Index rows, Eigen::Index cols, double density,
                           std::uint64_t seed);

// A = random_sparse(rows, cols, density, seed) (the same matrix), x_true and b from a second
// stream derived from the seed.
struct SyntheticProblem {
  SparseMatrix A;
  Vector b;
  Vector x_true;
};

// Labels in {-1, +1}: sign(A x_true + 0.1 noise), sign(0) = +1; x_true has 10% nonzeros (at
// least one), standard normal.
SyntheticProblem make_classification(Eigen::Index rows, Eigen::Index cols, double density,
                                     std::uint64_t seed);
// Labels 0 .. classes-1: the argmax over k of a_i' W_k + 0.1 noise, each W_k as x_true of
// classification; x_true holds W feature-major (x_true[j * classes + k]).
SyntheticProblem make_multiclass(Eigen::Index rows, Eigen::Index cols, double density,
                                 Eigen::Index classes, std::uint64_t seed);
// b = A x_true + 0.1 noise, x_true as for classification.
SyntheticProblem make_regression(Eigen::Index rows, Eigen::Index cols, double density,
                                 std::uint64_t seed);
// b_i ~ Poisson(exp(a_i' x_true)): non-negative integers. x_true has 10% nonzeros, scaled so
// that a_i' x_true is about N(0, 0.25) and the rates stay moderate.
SyntheticProblem make_counts(Eigen::Index rows, Eigen::Index cols, double density,
                             std::uint64_t seed);

// Dense data (the REPL's `gen`), drawn in a fixed order and computed with fixed-order loops (no
// blocked products whose summation order could depend on the machine).
struct DenseProblem {
  Matrix A;
  Vector b;
  Vector x_true;  // empty for make_dense_quadratic
};

// A lasso-style regression: A rows x cols standard normal (drawn row by row), x_true with
// `nonzeros` entries at distinct uniformly random positions, each +-(1 + U[0, 1)), and
// b = A x_true + noise * standard normal, from a second stream derived from the seed.
// Throws proxjit::Error for rows or cols < 1, nonzeros outside 0..cols, or noise not a finite
// number >= 0.
DenseProblem make_dense_regression(Eigen::Index rows, Eigen::Index cols, Eigen::Index nonzeros,
                                   double noise, std::uint64_t seed);
// Data for 1/2 x'Ax + b'x: A = M'M/d + 0.1 I with M d x d standard normal, exactly symmetric
// and positive definite (eigenvalues >= 0.1); b standard normal from the second stream. O(d^3).
// Throws proxjit::Error for d < 1.
DenseProblem make_dense_quadratic(Eigen::Index d, std::uint64_t seed);

}  // namespace proxjit
