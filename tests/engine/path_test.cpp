// Regularization paths: one compile, warm starts, the same answers as separate solves.
#include <gtest/gtest.h>

#include "proxjit/engine.h"
#include "proxjit/path.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"
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
  EXPECT_THROW(engine.solve_path(problem, "lambda", std::vector<double>{}, {}), Error);
  EXPECT_THROW(engine.solve_path(problem, "lambda", {-1.0}, {}), Error);
}

// lambda_max against its closed form for least squares: ||A'(b - c)||_inf / n, c the mean of b
// with an intercept, 0 without.
TEST(LambdaMax, LeastSquaresMatchesTheClosedForm) {
  const Matrix A = testing::gaussian_matrix(30, 8, 3);
  const Vector b = testing::gaussian_vector(30, 4).array() + 2.0;
  const Problem plain = Problem::parse("least_squares", "l1(lambda=1)", A, b);
  const double expected = (A.transpose() * b).cwiseAbs().maxCoeff() / 30.0;
  EXPECT_NEAR(*lambda_max(plain), expected, 1e-14 * expected);
  const Problem centered =
      Problem::parse("least_squares", "l1(lambda=1)", A, b, {.fit_intercept = true});
  const Vector residual = b.array() - b.mean();
  const double with_intercept = (A.transpose() * residual).cwiseAbs().maxCoeff() / 30.0;
  EXPECT_NEAR(*lambda_max(centered), with_intercept, 1e-12 * with_intercept);
  // Only the parameter the rule names; not for a prox without a rule.
  EXPECT_FALSE(lambda_max(plain, "weights"));
  EXPECT_FALSE(lambda_max(plain.with_prox(ProxComponent::parse("l2sq(lambda=1)"))));
}

// The defining property, checked by solving: just above lambda_max every feature is 0, just
// below some are not (logistic with an intercept, elastic net's l1, group_l2).
TEST(LambdaMax, ZeroIsOptimalFromLambdaMaxOnAndNotBelow) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = testing::gaussian_matrix(60, 6, 5);
  Vector labels = testing::gaussian_vector(60, 6);
  for (Eigen::Index i = 0; i < labels.size(); ++i) labels[i] = labels[i] > 0.3 ? 1.0 : -1.0;
  struct Case {
    std::string f, r, parameter;
    bool intercept;
  };
  for (const Case& c : {Case{"logistic", "l1(lambda=1)", "lambda", true},
                        Case{"logistic", "elastic_net(l1=1, l2=0.5)", "l1", false},
                        Case{"least_squares", "group_l2(lambda=1, groups=[2, 3, 1])", "lambda",
                             false}}) {
    SCOPED_TRACE(c.f + " + " + c.r);
    const Problem problem = Problem::parse(c.f, c.r, A, labels, {.fit_intercept = c.intercept});
    const std::optional<double> largest = lambda_max(problem, c.parameter);
    ASSERT_TRUE(largest);
    SolverOptions options;
    options.tolerance = 1e-12;
    options.max_iterations = 100000;
    options.algorithm = Algorithm::fista;
    const auto features_at = [&](double value) {
      const Summary s = engine.solve(
          problem.with_prox(problem.r().with_parameter(c.parameter, value)), options);
      EXPECT_EQ(s.status, SolveStatus::converged);
      return s.x.head(problem.features()).cwiseAbs().maxCoeff();
    };
    EXPECT_LT(features_at(*largest * 1.001), 1e-10);
    EXPECT_GT(features_at(*largest * 0.95), 1e-4);
  }
}

TEST(LambdaMax, UnknownWhereNoValueMakesZeroOptimal) {
  const Matrix A = testing::gaussian_matrix(20, 3, 7);
  const Vector b = testing::gaussian_vector(20, 8);
  // A zero weight leaves a feature unpenalized: no lambda zeroes it.
  const Problem weighted = Problem::parse("least_squares", "l1(lambda=1, weights=[1, 0, 1])", A, b);
  EXPECT_FALSE(lambda_max(weighted));
  // One class only: the intercept's optimum is at infinity.
  const Problem one_class = Problem::parse("logistic", "l1(lambda=1)", A, Vector::Ones(20),
                                           {.fit_intercept = true});
  EXPECT_FALSE(lambda_max(one_class));
  EXPECT_THROW(automatic_grid(one_class, "lambda"), Error);
}

TEST(AutomaticGrid, GlmnetsGridFromLambdaMax) {
  const Problem tall = testing::make_problem("least_squares", "l1(lambda=1)", 5, 40, 9);
  const std::vector<double> grid = automatic_grid(tall, "lambda");
  ASSERT_EQ(grid.size(), 100u);
  EXPECT_DOUBLE_EQ(grid.front(), *lambda_max(tall));
  EXPECT_NEAR(grid.back(), grid.front() * 1e-4, 1e-12 * grid.front());  // n > d
  for (std::size_t i = 1; i < grid.size(); ++i) EXPECT_LT(grid[i], grid[i - 1]);
  const Problem wide = testing::make_problem("least_squares", "l1(lambda=1)", 40, 5, 9);
  const std::vector<double> short_grid = automatic_grid(wide, "lambda", {.count = 3});
  ASSERT_EQ(short_grid.size(), 3u);
  EXPECT_NEAR(short_grid[2], short_grid[0] * 1e-2, 1e-12 * short_grid[0]);  // n <= d
  EXPECT_THROW(automatic_grid(wide, "lambda", {.count = 0}), Error);
  // The engine's default path follows it, and its first point is all zero.
  Engine engine(EngineOptions{.disk_cache = false});
  const std::vector<Summary> path = engine.solve_path(wide, "lambda", SolverOptions{}, {.count = 3});
  ASSERT_EQ(path.size(), 3u);
  EXPECT_LT(path[0].x.cwiseAbs().maxCoeff(), 1e-12);  // at lambda_max, up to summation order
  EXPECT_NE(path[0].problem.find(number_text(short_grid[0])), std::string::npos) << path[0].problem;
  EXPECT_THROW(automatic_grid(wide, "lambda", {.count = 3, .min_ratio = 1.5}), Error);
}

}  // namespace
}  // namespace proxjit
