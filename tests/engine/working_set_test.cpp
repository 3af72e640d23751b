// Working sets for cd on least squares: the same answers as plain cd over every feature,
// optimality checked from the data directly (KKT), and the Gram-form duality gap checked
// against the runtime's gap computed from A and b.
#include <gtest/gtest.h>

#include <cmath>

#include "proxjit/engine.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/runtime/objective.h"
#include "support/problems.h"

namespace proxjit {
namespace {

using testing::gaussian_matrix;
using testing::gaussian_vector;

// Sparse truth, so that a path point has a small support and the sets stay small.
Problem lasso_problem(const std::string& r, Eigen::Index n, Eigen::Index d, unsigned seed,
                      ProblemOptions with = {}) {
  const Matrix A = gaussian_matrix(n, d, seed);
  Vector truth = Vector::Zero(d);
  for (Eigen::Index j = 0; j < d; j += 7) truth[j] = (j % 2 ? 1.0 : -1.0) * (1.0 + j % 5);
  const Vector b = A * truth + 0.1 * gaussian_vector(n, seed + 1);
  return Problem(SmoothComponent::make("least_squares"), ProxComponent::parse(r), A, b, with);
}

SolverOptions tight(bool working_sets) {
  SolverOptions options;
  options.algorithm = Algorithm::coordinate_descent;
  options.tolerance = 1e-12;
  options.max_iterations = 1000000;
  options.fallback_to_reference = false;
  options.working_sets = working_sets;
  return options;
}

// The subgradient condition of (1/2n) sum w (a'x + c - b)^2 + lambda |x|_1, from A and b.
void expect_lasso_kkt(const Problem& problem, const Vector& x, double lambda, double slack) {
  const Eigen::Index d = problem.features();
  const Matrix& A = problem.A();
  Vector margins = A.leftCols(d) * x.head(d) - problem.b();
  if (problem.fit_intercept()) margins.array() += x[d];
  const auto n = static_cast<double>(A.rows());
  const Vector gradient = A.leftCols(d).transpose() * margins / n;
  for (Eigen::Index j = 0; j < d; ++j) {
    if (x[j] == 0.0) {
      EXPECT_LE(std::abs(gradient[j]), lambda + slack) << "feature " << j;
    } else {
      EXPECT_NEAR(gradient[j], -lambda * (x[j] > 0 ? 1.0 : -1.0), slack) << "feature " << j;
    }
  }
  if (problem.fit_intercept()) EXPECT_NEAR(margins.sum() / n, 0.0, slack);
}

TEST(WorkingSets, RunWhereTheyApplyAndSayWhy) {
  const Problem lasso = lasso_problem("l1(lambda=0.1)", 80, 60, 1);
  EXPECT_TRUE(Engine::plan(lasso, tight(true)).working_sets);
  EXPECT_FALSE(Engine::plan(lasso, tight(false)).working_sets);
  SolverOptions f32 = tight(true);
  f32.scalar = ScalarType::f32;
  EXPECT_FALSE(Engine::plan(lasso, f32).working_sets);
  SolverOptions traced = tight(true);
  traced.trace_every = 1;  // a trace watches every epoch over all features
  EXPECT_FALSE(Engine::plan(lasso, traced).working_sets);
  const Problem group = lasso_problem("group_l2(lambda=0.1, groups=[30, 30])", 80, 60, 1);
  SolverOptions automatic;
  EXPECT_FALSE(Engine::plan(group, automatic).working_sets);
}

TEST(WorkingSets, SameAnswerAsPlainCdForEverySeparablePenalty) {
  Engine engine(EngineOptions{.disk_cache = false});
  for (const char* r : {"l1(lambda=0.2)", "elastic_net(l1=0.1, l2=0.05)", "box(lo=-0.5, hi=2)",
                        "l2sq(lambda=0.3)", "nonneg"}) {
    for (const bool intercept : {false, true}) {
      SCOPED_TRACE(std::string(r) + (intercept ? " with intercept" : ""));
      ProblemOptions with;
      with.fit_intercept = intercept;
      const Problem problem = lasso_problem(r, 120, 90, 3, with);
      const Summary plain = engine.solve(problem, tight(false));
      const Summary sets = engine.solve(problem, tight(true));
      ASSERT_EQ(plain.status, SolveStatus::converged);
      ASSERT_EQ(sets.status, SolveStatus::converged) << sets.message;
      EXPECT_NE(sets.message.find("working sets"), std::string::npos) << sets.message;
      // Both stop at a certificate of 1e-12 on a problem of condition ~10: x within 1e-10.
      EXPECT_LE((sets.x - plain.x).norm(), 1e-10 * std::max(1.0, plain.x.norm()));
      EXPECT_NEAR(sets.objective, plain.objective, 1e-13 * std::abs(plain.objective));
      // The objective reported is P(x) computed from the data, not the Gram form's.
      EXPECT_NEAR(sets.objective, problem.objective(sets.x, ScalarType::f64),
                  1e-12 * std::abs(plain.objective));
    }
  }
}

TEST(WorkingSets, WeightedLassoWithInterceptMeetsItsOptimalityConditions) {
  Engine engine(EngineOptions{.disk_cache = false});
  ProblemOptions with;
  with.fit_intercept = true;
  with.sample_weights = Vector::LinSpaced(150, 0.2, 1.8);
  const double lambda = 0.05;
  const Problem problem = lasso_problem("l1(lambda=0.05)", 150, 200, 5, with);
  const Summary sets = engine.solve(problem, tight(true));
  ASSERT_EQ(sets.status, SolveStatus::converged) << sets.message;
  // Weighted KKT: the gradient of (1/2n) sum w_i e_i^2.
  const Eigen::Index d = problem.features();
  Vector residual = problem.A().leftCols(d) * sets.x.head(d) - problem.b();
  residual.array() += sets.x[d];
  const Vector weighted = residual.cwiseProduct(with.sample_weights);
  const Vector gradient = problem.A().leftCols(d).transpose() * weighted / 150.0;
  for (Eigen::Index j = 0; j < d; ++j) {
    if (sets.x[j] == 0.0) {
      EXPECT_LE(std::abs(gradient[j]), lambda + 1e-10);
    } else {
      EXPECT_NEAR(gradient[j], -lambda * (sets.x[j] > 0 ? 1.0 : -1.0), 1e-10);
    }
  }
  EXPECT_NEAR(weighted.sum() / 150.0, 0.0, 1e-10);
  const Summary plain = engine.solve(problem, tight(false));
  EXPECT_NEAR(sets.objective, plain.objective, 1e-13 * plain.objective);
}

TEST(WorkingSets, SparseDataGiveTheDenseAnswer) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem dense = lasso_problem("l1(lambda=0.1)", 100, 70, 7);
  Matrix thinned = dense.A();
  for (Eigen::Index i = 0; i < thinned.size(); ++i) {
    if (i % 3) thinned.data()[i] = 0.0;
  }
  const Problem sparse(SmoothComponent::make("least_squares"),
                       ProxComponent::parse("l1(lambda=0.1)"), SparseMatrix(thinned.sparseView()),
                       dense.b());
  const Problem same_dense(SmoothComponent::make("least_squares"),
                           ProxComponent::parse("l1(lambda=0.1)"), thinned, dense.b());
  const Summary from_sparse = engine.solve(sparse, tight(true));
  const Summary from_dense = engine.solve(same_dense, tight(false));
  ASSERT_EQ(from_sparse.status, SolveStatus::converged) << from_sparse.message;
  EXPECT_LE((from_sparse.x - from_dense.x).norm(), 1e-10 * std::max(1.0, from_dense.x.norm()));
  expect_lasso_kkt(same_dense, from_sparse.x, 0.1, 1e-11);
}

TEST(WorkingSets, TheGramGapIsTheGapComputedFromTheData) {
  Engine engine(EngineOptions{.disk_cache = false});
  for (const char* r : {"l1(lambda=0.1)", "elastic_net(l1=0.1, l2=0.2)"}) {
    SCOPED_TRACE(r);
    const Problem problem = lasso_problem(r, 90, 120, 9);
    const Summary optimum = engine.solve(problem, tight(true));
    ASSERT_EQ(optimum.status, SolveStatus::converged);
    for (const std::int64_t budget : {1, 3, 10}) {
      SolverOptions early = tight(true);
      early.max_iterations = budget;
      const Summary stopped = engine.solve(problem, early);
      // A budget spent is never reported as converged.
      ASSERT_EQ(stopped.status, SolveStatus::max_iterations) << "after " << budget;
      const auto gap = duality_gap(problem.f(), problem.r(), problem.A(), problem.b(), stopped.x);
      ASSERT_TRUE(gap.has_value());
      EXPECT_NEAR(stopped.duality_gap, *gap, 1e-12 * std::max(1.0, *gap)) << "after " << budget;
      EXPECT_GE(stopped.duality_gap + 1e-12, stopped.objective - optimum.objective);
    }
    EXPECT_LE(optimum.duality_gap, 1e-10);  // a certificate of 1e-12 times |x|-sized factors
  }
}

TEST(WorkingSets, AGapToleranceEndsTheSolveWithTheGapBelowIt) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = lasso_problem("l1(lambda=0.05)", 200, 300, 11);
  SolverOptions options = tight(true);
  options.tolerance = 0.0;
  options.gap_tolerance = 1e-9;
  const Summary solved = engine.solve(problem, options);
  ASSERT_EQ(solved.status, SolveStatus::converged) << solved.message;
  EXPECT_LE(solved.duality_gap, 1e-9);
  const auto gap = duality_gap(problem.f(), problem.r(), problem.A(), problem.b(), solved.x);
  ASSERT_TRUE(gap.has_value());
  EXPECT_LE(*gap, 1e-9 * (1 + 1e-6));
}

TEST(WorkingSets, AnOptimalStartTakesOneEpochAndReportsItsKernel) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = lasso_problem("l1(lambda=0.1)", 80, 60, 13);
  SolverOptions options = tight(true);
  const Summary cold = engine.solve(problem, options);
  ASSERT_EQ(cold.status, SolveStatus::converged);
  EXPECT_FALSE(cold.cache_hit);
  options.x0 = cold.x;
  const Summary warm = engine.solve(problem, options);
  EXPECT_EQ(warm.status, SolveStatus::converged);
  EXPECT_EQ(warm.iterations, 1);
  EXPECT_TRUE(warm.cache_hit);
  EXPECT_EQ(warm.kernel_key, cold.kernel_key);
  EXPECT_LE((warm.x - cold.x).norm(), 1e-12 * cold.x.norm());
  // Two user solves, however many sets each solved: two lookups, one compile.
  const CacheStats stats = engine.cache_stats();
  EXPECT_EQ(stats.compiles, 1);
  EXPECT_EQ(stats.hits + stats.misses, 2);
}

}  // namespace
}  // namespace proxjit
