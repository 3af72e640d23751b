// Proximal coordinate descent: optimality, agreement with FISTA, and awkward columns.
#include <gtest/gtest.h>

#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

class CoordinateDescent : public ::testing::TestWithParam<Backend> {
 protected:
  SolverOptions options() const {
    SolverOptions o;
    o.backend = GetParam();
    o.fallback_to_reference = false;
    o.algorithm = Algorithm::coordinate_descent;
    o.tolerance = 1e-10;
    o.max_iterations = 100000;
    return o;
  }
  Engine engine_{EngineOptions{.disk_cache = false}};
};

TEST_P(CoordinateDescent, LassoSolutionSatisfiesTheOptimalityConditions) {
  const double lambda = 0.05;
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=0.05)", 60, 200, 31);
  const Summary s = engine_.solve(problem, options());
  ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
  const double n = static_cast<double>(problem.A().rows());
  const Vector gradient = problem.A().transpose() * (problem.A() * s.x - problem.b()) / n;
  for (Eigen::Index j = 0; j < s.x.size(); ++j) {
    if (s.x[j] != 0.0) {
      EXPECT_NEAR(gradient[j], -lambda * (s.x[j] > 0 ? 1.0 : -1.0), 1e-8) << j;
    } else {
      EXPECT_LE(std::abs(gradient[j]), lambda + 1e-8) << j;
    }
  }
  EXPECT_GT((s.x.array() == 0.0).count(), 0);  // a sparse solution: both cases checked
}

TEST_P(CoordinateDescent, AgreesWithFistaOnEveryProx) {
  for (const char* r :
       {"zero", "l1(lambda=0.1)", "l2sq(lambda=0.3)", "box(lo=-0.2, hi=0.1)", "nonneg"}) {
    for (const char* f : {"quadratic", "least_squares"}) {
      SCOPED_TRACE(std::string(f) + " + " + r);
      const Problem problem = testing::make_problem(f, r, 25, 70, 17);
      SolverOptions cd = options();
      const Summary by_cd = engine_.solve(problem, cd);
      SolverOptions fista = cd;
      fista.algorithm = Algorithm::fista;
      const Summary by_fista = engine_.solve(problem, fista);
      ASSERT_EQ(by_cd.status, SolveStatus::converged);
      ASSERT_EQ(by_fista.status, SolveStatus::converged);
      EXPECT_NEAR(by_cd.objective, by_fista.objective,
                  1e-9 * std::max(1.0, std::abs(by_cd.objective)));
      EXPECT_LE((by_cd.x - by_fista.x).norm(), 1e-6 * std::max(1.0, by_fista.x.norm()));
    }
  }
}

TEST_P(CoordinateDescent, ZeroColumnsStayPutAndWarmStartsHelp) {
  Matrix A = testing::gaussian_matrix(50, 20, 5);
  A.col(3).setZero();
  A.col(11).setZero();
  const Problem problem =
      Problem::parse("least_squares", "l1(lambda=0.01)", A, testing::gaussian_vector(50, 6));
  SolverOptions o = options();
  o.x0 = Vector::Zero(20);
  o.x0[3] = 0.5;  // no curvature along it: coordinate descent must leave it
  const Summary s = engine_.solve(problem, o);
  ASSERT_EQ(s.status, SolveStatus::converged);
  EXPECT_EQ(s.x[3], 0.5);
  EXPECT_EQ(s.x[11], 0.0);
  o.x0 = s.x;
  const Summary again = engine_.solve(problem, o);
  EXPECT_LT(again.iterations, s.iterations);
}

INSTANTIATE_TEST_SUITE_P(Backends, CoordinateDescent,
                         ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(CoordinateDescentKey, LeastSquaresKernelsUseTheColumnLayout) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=0.1)", 4, 6, 1);
  SolverOptions o;
  o.algorithm = Algorithm::coordinate_descent;
  EXPECT_NE(engine.kernel_key(problem, o).find("cd|margin(sub(v,b))"), std::string::npos);
  EXPECT_NE(engine.kernel_key(problem, o).find("dense_col_major"), std::string::npos);
}

}  // namespace
}  // namespace proxjit

namespace proxjit {
namespace {

TEST(AutomaticAlgorithm, PicksCoordinateDescentForSeparableProxesAndReportsIt) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=0.1)", 10, 30, 2);
  SolverOptions options;  // the default is auto
  EXPECT_EQ(options.algorithm, Algorithm::automatic);
  const Summary s = engine.solve(problem, options);
  EXPECT_EQ(s.algorithm, Algorithm::coordinate_descent);
  EXPECT_NE(s.kernel_key.find("cd|"), std::string::npos);
  const SolvePlan plan = Engine::plan(problem, options);
  EXPECT_TRUE(plan.automatic);
  EXPECT_EQ(plan.algorithm(), Algorithm::coordinate_descent);
  EXPECT_EQ(plan.algorithm_text(), "auto (cd)");
  // A chosen algorithm is never overridden.
  SolverOptions chosen = options;
  chosen.algorithm = Algorithm::fista;
  EXPECT_EQ(engine.solve(problem, chosen).algorithm, Algorithm::fista);
  EXPECT_FALSE(Engine::plan(problem, chosen).automatic);
  options.line_search = true;  // only proximal gradient searches for its step
  EXPECT_EQ(Engine::suggested_algorithm(problem, options), Algorithm::proximal_gradient);
  options.line_search = false;
  options.step = 0.01;  // a step given is for a gradient method, not ignored
  const Summary with_step = engine.solve(problem, options);
  EXPECT_EQ(with_step.algorithm, Algorithm::fista);
  EXPECT_EQ(with_step.step, 0.01);
}

}  // namespace
}  // namespace proxjit
