// FISTA: its convergence rate and its advantage over proximal gradient.
#include <gtest/gtest.h>

#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

class Fista : public ::testing::TestWithParam<Backend> {
 protected:
  Engine engine_{EngineOptions{.disk_cache = false}};
};

// Beck and Teboulle's bound for step 1/L (without restart):
//   F(x_k) - F* <= 2 L ||x_0 - x*||^2 / (k + 1)^2.
TEST_P(Fista, ObjectiveGapRespectsTheOneOverKSquaredBound) {
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=0.01)", 40, 60, 21);
  SolverOptions options;
  options.backend = GetParam();
  options.algorithm = Algorithm::fista;
  options.adaptive_restart = false;
  const double L = problem.lipschitz();
  options.step = 1.0 / L;

  SolverOptions long_run = options;
  long_run.tolerance = 1e-13;
  long_run.max_iterations = 200000;
  long_run.adaptive_restart = true;
  const Summary optimum = engine_.solve(problem, long_run);
  ASSERT_EQ(optimum.status, SolveStatus::converged);
  const double best = optimum.objective;
  const double distance_squared = optimum.x.squaredNorm();  // x_0 = 0

  options.tolerance = 0.0;
  options.max_iterations = 300;
  options.trace_every = 1;
  const Summary run = engine_.solve(problem, options);
  ASSERT_EQ(run.trace.size(), 300u);
  for (const TraceRow& row : run.trace) {
    const double k = static_cast<double>(row.iteration);
    const double bound = 2.0 * L * distance_squared / ((k + 1.0) * (k + 1.0));
    // The optimum is known to ~1e-13 relative; allow that much rounding.
    EXPECT_LE(row.objective - best, bound + 1e-12 * std::abs(best)) << "iteration " << k;
  }
}

TEST_P(Fista, ReachesTheOptimumInFewerIterationsThanProximalGradient) {
  // Ill-conditioned least squares: columns scaled over two orders of magnitude.
  Matrix A = testing::gaussian_matrix(120, 60, 3);
  for (Eigen::Index j = 0; j < A.cols(); ++j)
    A.col(j) *= std::pow(10.0, -2.0 * j / 60.0);
  const Problem problem =
      Problem::parse("least_squares", "l1(lambda=0.001)", A, testing::gaussian_vector(120, 4));
  SolverOptions options;
  options.backend = GetParam();
  options.tolerance = 1e-7;
  options.max_iterations = 500000;
  options.algorithm = Algorithm::proximal_gradient;
  const Summary pgd = engine_.solve(problem, options);
  options.algorithm = Algorithm::fista;
  const Summary fista = engine_.solve(problem, options);
  ASSERT_EQ(pgd.status, SolveStatus::converged);
  ASSERT_EQ(fista.status, SolveStatus::converged);
  EXPECT_LT(fista.iterations * 3, pgd.iterations);
  EXPECT_NEAR(fista.objective, pgd.objective, 1e-8 * std::abs(pgd.objective));
}

TEST_P(Fista, ConvergedSolutionsSatisfyTheLassoOptimalityConditions) {
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=0.3)", 30, 30, 9);
  SolverOptions options;
  options.backend = GetParam();
  options.algorithm = Algorithm::fista;
  options.tolerance = 1e-10;
  options.max_iterations = 100000;
  const Summary s = engine_.solve(problem, options);
  ASSERT_EQ(s.status, SolveStatus::converged);
  const Vector gradient = problem.A() * s.x + problem.b();
  // The certificate bounds how far -grad f(x) is from lambda * sign(x) (step <= 1/L).
  const double slack = 2.0 * s.certificate + 1e-9;
  for (Eigen::Index i = 0; i < s.x.size(); ++i) {
    if (s.x[i] != 0.0) {
      EXPECT_NEAR(gradient[i], -0.3 * (s.x[i] > 0 ? 1.0 : -1.0), slack) << i;
    } else {
      EXPECT_LE(std::abs(gradient[i]), 0.3 + slack) << i;
    }
  }
}

TEST(FistaKey, AlgorithmAndRestartArePartOfTheKernelKey) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=0.1)", 4, 4, 1);
  SolverOptions options;
  options.algorithm = Algorithm::proximal_gradient;
  const std::string pgd = engine.kernel_key(problem, options);
  options.algorithm = Algorithm::fista;
  const std::string fista = engine.kernel_key(problem, options);
  options.adaptive_restart = false;
  const std::string plain = engine.kernel_key(problem, options);
  EXPECT_NE(pgd, fista);
  EXPECT_NE(fista, plain);
  EXPECT_NE(fista.find("fista+restart"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, Fista, ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

}  // namespace
}  // namespace proxjit
