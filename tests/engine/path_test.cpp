// Regularization paths: one compile, warm starts, the same answers as separate solves.
#include <gtest/gtest.h>

#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "support/problems.h"

namespace proxjit {
namespace {

std::vector<double> geometric(double from, double to, int count) {
  std::vector<double> values;
  for (int i = 0; i < count; ++i)
    values.push_back(from * std::pow(to / from, i / (count - 1.0)));
  return values;
}

TEST(Path, TwentyLambdasCompileOnceAndMatchSeparateSolves) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=1)", 40, 80, 12);
  SolverOptions options;
  options.tolerance = 1e-10;
  options.max_iterations = 200000;
  const std::vector<double> lambdas = geometric(0.5, 0.005, 20);
  const std::vector<Summary> path = engine.solve_path(problem, "lambda", lambdas, options);
  ASSERT_EQ(path.size(), 20u);
  EXPECT_EQ(engine.cache_stats().compiles, 1);
  EXPECT_FALSE(path[0].cache_hit);
  std::int64_t previous_nonzeros = -1;
  for (std::size_t i = 0; i < path.size(); ++i) {
    SCOPED_TRACE("lambda " + std::to_string(lambdas[i]));
    EXPECT_EQ(path[i].status, SolveStatus::converged);
    if (i > 0) EXPECT_TRUE(path[i].cache_hit);
    EXPECT_NE(path[i].problem.find("l1(lambda="), std::string::npos);
    // Smaller lambda, denser solution (for this well-posed problem).
    const std::int64_t nonzeros = (path[i].x.array() != 0.0).count();
    EXPECT_GE(nonzeros, previous_nonzeros);
    previous_nonzeros = nonzeros;
  }
  // A cold solve at the last lambda gives the same answer, in more iterations.
  const Summary cold =
      engine.solve(problem.with_prox(ProxComponent::make("l1", {{"lambda", 0.005}})), options);
  EXPECT_LE((cold.x - path.back().x).norm(), 1e-7 * cold.x.norm());
  EXPECT_LT(path.back().iterations, cold.iterations);
}

TEST(Path, UnknownParameterAndEmptyPathAreErrors) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=1)", 5, 5, 1);
  try {
    engine.solve_path(problem, "lambada", {0.1}, {});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("did you mean 'lambda'"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(engine.solve_path(problem, "lambda", {}, {}), Error);
  EXPECT_THROW(engine.solve_path(problem, "lambda", {-1.0}, {}), Error);
}

}  // namespace
}  // namespace proxjit
