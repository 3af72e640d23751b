#include "proxjit/runtime/reference_solver.h"
#include "support/random_data.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace proxjit {
namespace {

using testing::random_matrix;
using testing::random_vector;

// A well-conditioned symmetric positive definite matrix (eigenvalues in about [0.5, 5]).
Matrix random_spd(Eigen::Index d, std::mt19937& rng) {
  const Matrix m = random_matrix(d, d, rng);
  return m * m.transpose() / static_cast<double>(d) + 0.5 * Matrix::Identity(d, d);
}

struct Solved {
  Vector x;
  RunOutcome outcome;
};

double lipschitz(const SmoothComponent& f, const Matrix& A, const Vector& b) {
  return lipschitz_bound(f, DataView<double>{&A, nullptr, &b, nullptr});
}

Solved solve(const std::string& smooth, const std::string& prox, const Matrix& A, const Vector& b,
             double step_scale, std::int64_t max_iterations, double tolerance) {
  const SmoothComponent f = SmoothComponent::parse(smooth);
  const ProxComponent r = ProxComponent::parse(prox);
  const IterationBudget budget{step_scale / lipschitz(f, A, b), max_iterations, tolerance};
  Vector x = Vector::Zero(A.cols());
  const RunOutcome outcome = reference_proximal_gradient<double>(f, r, A, b, x, budget);
  return {x, outcome};
}

Vector gradient_at(const std::string& smooth, const Matrix& A, const Vector& b, const Vector& x) {
  Vector g(x.size());
  const SmoothComponent f = SmoothComponent::parse(smooth);
  const ProxComponent zero = ProxComponent::parse("zero");
  dense_objective<double>(f, zero, A, b).smooth(x, g);
  return g;
}

TEST(ReferenceSolver, QuadraticPlusL1SatisfiesKkt) {
  std::mt19937 rng(31);
  const Eigen::Index d = 12;
  const Matrix A = random_spd(d, rng);
  const Vector b = random_vector(d, rng);
  const double lambda = 0.6;
  const Solved s = solve("quadratic", "l1(lambda=0.6)", A, b, 1.0, 100000, 1e-11);
  ASSERT_EQ(s.outcome.status, SolveStatus::converged) << s.outcome.certificate;
  EXPECT_LE(s.outcome.certificate, 1e-11);
  EXPECT_GT(s.outcome.iterations, 1);

  // 0 in A x + b + lambda * d|x|.
  const Vector g = gradient_at("quadratic", A, b, s.x);
  int zeros = 0;
  for (Eigen::Index i = 0; i < d; ++i) {
    if (s.x[i] == 0.0) {
      ++zeros;
      EXPECT_LE(std::abs(g[i]), lambda + 1e-8) << i;
    } else {
      EXPECT_NEAR(g[i], -lambda * (s.x[i] > 0 ? 1.0 : -1.0), 1e-8) << i;
    }
  }
  // The data are chosen so that both cases occur.
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, d);
}

TEST(ReferenceSolver, LeastSquaresPlusRidgeMatchesClosedForm) {
  std::mt19937 rng(32);
  const Eigen::Index n = 40, d = 8;
  const Matrix A = random_matrix(n, d, rng);
  const Vector b = random_vector(n, rng);
  const double lambda = 0.3;
  const Solved s = solve("least_squares", "l2sq(lambda=0.3)", A, b, 1.0, 100000, 1e-12);
  ASSERT_EQ(s.outcome.status, SolveStatus::converged);
  // (A'A / n + lambda I) x = A'b / n.
  const Matrix normal =
      A.transpose() * A / static_cast<double>(n) + lambda * Matrix::Identity(d, d);
  const Vector ridge = normal.ldlt().solve(A.transpose() * b / static_cast<double>(n));
  EXPECT_LE((s.x - ridge).norm(), 1e-9 * (1 + ridge.norm())) << s.x.transpose() << "\n"
                                                             << ridge.transpose();
}

TEST(ReferenceSolver, QuadraticPlusZeroSolvesTheLinearSystem) {
  std::mt19937 rng(33);
  const Matrix A = random_spd(6, rng);
  const Vector b = random_vector(6, rng);
  const Solved s = solve("quadratic", "zero", A, b, 1.0, 100000, 1e-12);
  ASSERT_EQ(s.outcome.status, SolveStatus::converged);
  const Vector exact = A.ldlt().solve(-b);
  EXPECT_LE((s.x - exact).norm(), 1e-10 * (1 + exact.norm()));
}

TEST(ReferenceSolver, BoxSatisfiesProjectedGradientKkt) {
  std::mt19937 rng(34);
  const Eigen::Index d = 10;
  const Matrix A = random_spd(d, rng);
  const Vector b = 3 * random_vector(d, rng);
  const double lo = -0.5, hi = 0.25;
  const Solved s = solve("quadratic", "box(lo=-0.5, hi=0.25)", A, b, 1.0, 100000, 1e-11);
  ASSERT_EQ(s.outcome.status, SolveStatus::converged);
  const Vector g = gradient_at("quadratic", A, b, s.x);
  int active = 0;
  for (Eigen::Index i = 0; i < d; ++i) {
    ASSERT_GE(s.x[i], lo);
    ASSERT_LE(s.x[i], hi);
    // x = P(x - g): interior entries have zero gradient, bound entries point outward.
    EXPECT_NEAR(s.x[i], std::clamp(s.x[i] - g[i], lo, hi), 1e-9) << i;
    if (s.x[i] == lo) {
      ++active;
      EXPECT_GE(g[i], -1e-9) << i;
    } else if (s.x[i] == hi) {
      ++active;
      EXPECT_LE(g[i], 1e-9) << i;
    } else {
      EXPECT_NEAR(g[i], 0.0, 1e-9) << i;
    }
  }
  EXPECT_GT(active, 0);
}

TEST(ReferenceSolver, NonnegLeastSquaresSatisfiesKkt) {
  std::mt19937 rng(35);
  const Matrix A = random_matrix(30, 8, rng);
  const Vector b = random_vector(30, rng);
  const Solved s = solve("least_squares", "nonneg", A, b, 1.0, 200000, 1e-11);
  ASSERT_EQ(s.outcome.status, SolveStatus::converged);
  const Vector g = gradient_at("least_squares", A, b, s.x);
  int active = 0;
  for (Eigen::Index i = 0; i < s.x.size(); ++i) {
    ASSERT_GE(s.x[i], 0.0);
    if (s.x[i] == 0.0) {
      ++active;
      EXPECT_GE(g[i], -1e-9) << i;
    } else {
      EXPECT_NEAR(g[i], 0.0, 1e-9) << i;
    }
  }
  EXPECT_GT(active, 0);
  EXPECT_LT(active, s.x.size());
}

TEST(ReferenceSolver, OneIterationIsOneProximalGradientStep) {
  std::mt19937 rng(36);
  const Matrix A = random_spd(5, rng);
  const Vector b = random_vector(5, rng);
  const SmoothComponent f = SmoothComponent::parse("quadratic");
  const ProxComponent r = ProxComponent::parse("l1(0.2)");
  const double step = 0.1;
  Vector x = random_vector(5, rng);
  const Vector start = x;
  const RunOutcome outcome =
      reference_proximal_gradient<double>(f, r, A, b, x, IterationBudget{step, 1, 0.0});
  EXPECT_EQ(outcome.iterations, 1);
  EXPECT_EQ(outcome.status, SolveStatus::max_iterations);
  const Vector y = start - step * (A * start + b);
  for (Eigen::Index i = 0; i < 5; ++i) {
    const double soft = std::copysign(std::max(std::abs(y[i]) - step * 0.2, 0.0), y[i]);
    EXPECT_NEAR(x[i], soft, 1e-15) << i;
  }
  EXPECT_NEAR(outcome.certificate, (x - start).norm() / step, 1e-12);
}

TEST(ReferenceSolver, StepFarAboveTwoOverLDiverges) {
  std::mt19937 rng(37);
  const Matrix A = random_spd(8, rng);
  const Vector b = random_vector(8, rng);
  const Solved s = solve("quadratic", "zero", A, b, 10.0, 10000, 1e-10);
  EXPECT_EQ(s.outcome.status, SolveStatus::diverged);
  // Growth of about 9x per step passes 1e10 within a few dozen iterations.
  EXPECT_LT(s.outcome.iterations, 100);
  EXPECT_GT(s.outcome.iterations, 1);
}

TEST(ReferenceSolver, NonFiniteDataDivergesAtOnce) {
  Matrix A = Matrix::Identity(3, 3);
  Vector b = Vector::Ones(3);
  b[1] = std::numeric_limits<double>::quiet_NaN();
  Vector x = Vector::Zero(3);
  const RunOutcome outcome = reference_proximal_gradient<double>(
      SmoothComponent::parse("quadratic"), ProxComponent::parse("zero"), A, b, x,
      IterationBudget{0.5, 100, 1e-8});
  EXPECT_EQ(outcome.status, SolveStatus::diverged);
  EXPECT_EQ(outcome.iterations, 1);
}

TEST(ReferenceSolver, BudgetRunsOutBeforeConvergence) {
  std::mt19937 rng(38);
  const Matrix A = random_spd(8, rng);
  const Vector b = random_vector(8, rng);
  const Solved s = solve("quadratic", "l1(0.1)", A, b, 1.0, 5, 1e-12);
  EXPECT_EQ(s.outcome.status, SolveStatus::max_iterations);
  EXPECT_EQ(s.outcome.iterations, 5);
  EXPECT_GT(s.outcome.certificate, 1e-12);
}

TEST(ReferenceSolver, ZeroIterationBudgetLeavesXUntouched) {
  Vector x = Vector::Constant(3, 0.5);
  const RunOutcome outcome = reference_proximal_gradient<double>(
      SmoothComponent::parse("quadratic"), ProxComponent::parse("zero"), Matrix::Identity(3, 3),
      Vector::Ones(3), x, IterationBudget{0.5, 0, 1e-8});
  EXPECT_EQ(outcome.status, SolveStatus::max_iterations);
  EXPECT_EQ(outcome.iterations, 0);
  EXPECT_EQ(x, Vector::Constant(3, 0.5));
}

TEST(ReferenceSolver, StartingAtTheSolutionConvergesInOneStep) {
  Vector x = -Vector::Ones(3);  // minimizer of 1/2 |x|^2 + 1'x
  const RunOutcome outcome = reference_proximal_gradient<double>(
      SmoothComponent::parse("quadratic"), ProxComponent::parse("zero"), Matrix::Identity(3, 3),
      Vector::Ones(3), x, IterationBudget{0.5, 100, 1e-12});
  EXPECT_EQ(outcome.status, SolveStatus::converged);
  EXPECT_EQ(outcome.iterations, 1);
  EXPECT_EQ(outcome.certificate, 0.0);
}

TEST(ReferenceSolver, FloatPathAgreesWithDoublePath) {
  std::mt19937 rng(39);
  const Matrix A = random_matrix(50, 10, rng);
  const Vector b = random_vector(50, rng);
  for (const char* prox : {"l1(0.05)", "l2sq(0.1)", "box(-0.2, 0.2)", "nonneg", "zero"}) {
    const SmoothComponent f = SmoothComponent::parse("least_squares");
    const ProxComponent r = ProxComponent::parse(prox);
    const double step = 1.0 / lipschitz(f, A, b);
    Vector x = Vector::Zero(10);
    const RunOutcome d =
        reference_proximal_gradient<double>(f, r, A, b, x, IterationBudget{step, 100000, 1e-12});
    ASSERT_EQ(d.status, SolveStatus::converged) << prox;

    const MatrixOf<float> Af = A.cast<float>();
    const VectorOf<float> bf = b.cast<float>();
    VectorOf<float> xf = VectorOf<float>::Zero(10);
    const RunOutcome o =
        reference_proximal_gradient<float>(f, r, Af, bf, xf, IterationBudget{step, 100000, 1e-6});
    EXPECT_EQ(o.status, SolveStatus::converged) << prox << " certificate " << o.certificate;
    const double difference = (xf.cast<double>() - x).norm();
    EXPECT_LE(difference, 1e-5 * std::max(1.0, x.norm())) << prox;
  }
}

}  // namespace
}  // namespace proxjit
