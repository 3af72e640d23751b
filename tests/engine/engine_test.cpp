// The engine end to end: optimality of what the JIT returns, the kernel cache (also under
// concurrent first calls), stopping statuses and their messages, backends, warm starts, input
// validation, reports and kernel inspection.
#include "proxjit/engine.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <latch>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/objective.h"
#include "support/problems.h"

namespace proxjit {
namespace {

using testing::gaussian_matrix;
using testing::gaussian_vector;
using testing::make_problem;
using testing::spd_matrix;

// The cache counts checked here are of each engine's own compiles: a kernel cache kept on disk
// across runs (PROXJIT_NO_CACHE turns it off) must not supply kernels compiled by earlier runs.
[[maybe_unused]] const bool kNoDiskCache = [] { return setenv("PROXJIT_NO_CACHE", "1", 1) == 0; }();

// The message of the proxjit::Error `action` throws ("" and a failure when it throws none).
std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a proxjit::Error";
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

bool bitwise_equal(const Vector& a, const Vector& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

// grad f at x, in double, from the problem's data (quadratic: Ax + b; least squares:
// A'(Ax - b)/n).
Vector gradient(const Problem& problem, const Vector& x) {
  Vector g(x.size());
  Objective<double>(problem.f(), problem.r(), problem.data_view<double>(), problem.features())
      .smooth(x, g);
  return g;
}

SolverOptions tight_options(ScalarType scalar = ScalarType::f64) {
  SolverOptions options;
  options.tolerance = scalar == ScalarType::f64 ? 1e-10 : 1e-4;
  options.max_iterations = 1000000;
  options.scalar = scalar;
  options.fallback_to_reference = false;
  return options;
}

// ---------------------------------------------------------------------------------------
// Optimality of converged JIT solutions.
//
// The last step is x+ = prox_{t r}(x - t grad f(x)) with G = (x - x+)/t, ||G|| = certificate.
// Then G - grad f(x) is in the subdifferential of r at x+, and since grad f(x+) = grad f(x) -
// t H G (H the Hessian, 0 <= H <= L I, t <= 1/L), grad f(x+) + s = (I - tH) G for some s in
// the subdifferential of r at x+: every coordinate of that residual is at most ||G||. The
// checks below allow that certificate plus a rounding slack.

TEST(EngineOptimality, QuadraticL1SatisfiesKkt) {
  Engine engine;
  const double lambda = 0.3;
  const Problem problem = make_problem("quadratic", "l1(lambda=0.3)", 60, 60, 21);
  const Summary s = engine.solve(problem, tight_options());
  ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
  ASSERT_EQ(s.backend, Backend::jit);
  ASSERT_LE(s.certificate, 1e-10);
  const Vector g = gradient(problem, s.x);
  const double slack = s.certificate + 1e-12;
  int zeros = 0, nonzeros = 0;
  for (Eigen::Index i = 0; i < s.x.size(); ++i) {
    SCOPED_TRACE("coordinate " + std::to_string(i) + ", x = " + std::to_string(s.x[i]) +
                 ", g = " + std::to_string(g[i]));
    if (s.x[i] > 0) {
      EXPECT_NEAR(g[i], -lambda, slack);
      ++nonzeros;
    } else if (s.x[i] < 0) {
      EXPECT_NEAR(g[i], lambda, slack);
      ++nonzeros;
    } else {
      EXPECT_LE(std::abs(g[i]), lambda + slack);
      ++zeros;
    }
  }
  // Both branches of the condition are exercised.
  EXPECT_GT(zeros, 0);
  EXPECT_GT(nonzeros, 0);
}

TEST(EngineOptimality, LeastSquaresL2sqEqualsClosedFormRidge) {
  Engine engine;
  const double lambda = 0.5;
  const Eigen::Index d = 40, n = 90;
  const Problem problem = make_problem("least_squares", "l2sq(lambda=0.5)", d, n, 22);
  const Summary s = engine.solve(problem, tight_options());
  ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
  const Matrix& A = problem.A();
  const Matrix normal =
      A.transpose() * A / static_cast<double>(n) + lambda * Matrix::Identity(d, d);
  const Vector rhs = A.transpose() * problem.b() / static_cast<double>(n);
  const Vector ridge = normal.llt().solve(rhs);
  EXPECT_LE((s.x - ridge).norm(), 1e-8 * std::max(1.0, ridge.norm()))
      << "jit   " << s.x.transpose() << "\nridge " << ridge.transpose();
}

// Projected-gradient optimality on a box [lo, hi]: interior coordinates have a zero gradient,
// coordinates at lo a gradient >= 0 and at hi <= 0 (each within `slack`).
void expect_box_optimal(const Vector& x, const Vector& g, double lo, double hi, double slack,
                        double bound_slack) {
  int at_bound = 0, inside = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    SCOPED_TRACE("coordinate " + std::to_string(i) + ", x = " + std::to_string(x[i]) +
                 ", g = " + std::to_string(g[i]));
    EXPECT_GE(x[i], lo - bound_slack);
    EXPECT_LE(x[i], hi + bound_slack);
    if (std::abs(x[i] - lo) <= bound_slack) {
      EXPECT_GE(g[i], -slack);
      ++at_bound;
    } else if (std::abs(x[i] - hi) <= bound_slack) {
      EXPECT_LE(g[i], slack);
      ++at_bound;
    } else {
      EXPECT_LE(std::abs(g[i]), slack);
      ++inside;
    }
  }
  EXPECT_GT(at_bound, 0);
  EXPECT_GT(inside, 0);
}

TEST(EngineOptimality, LeastSquaresBoxIsProjectedGradientOptimal) {
  Engine engine;
  const Problem problem = make_problem("least_squares", "box(lo=-0.2, hi=0.15)", 50, 120, 23);
  const Summary s = engine.solve(problem, tight_options());
  ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
  expect_box_optimal(s.x, gradient(problem, s.x), -0.2, 0.15, s.certificate + 1e-12, 0.0);
}

TEST(EngineOptimality, QuadraticNonnegIsProjectedGradientOptimal) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "nonneg", 45, 45, 24);
  const Summary s = engine.solve(problem, tight_options());
  ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
  expect_box_optimal(s.x, gradient(problem, s.x), 0.0, std::numeric_limits<double>::infinity(),
                     s.certificate + 1e-12, 0.0);
}

// In float32 the same conditions hold up to float rounding of the gradient, which the slack
// scales by the size of the terms it sums.
double float_slack(const Problem& problem, const Summary& s) {
  const double terms =
      problem.A().cwiseAbs().rowwise().sum().maxCoeff() * s.x.cwiseAbs().maxCoeff() +
      problem.b().cwiseAbs().maxCoeff();
  return s.certificate + 1e-5 * std::max(1.0, terms);
}

TEST(EngineOptimality, Float32QuadraticL1SatisfiesKktLoosely) {
  Engine engine;
  const double lambda = 0.3;
  const Problem problem = make_problem("quadratic", "l1(lambda=0.3)", 60, 60, 21);
  const Summary s = engine.solve(problem, tight_options(ScalarType::f32));
  ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
  ASSERT_EQ(s.scalar, ScalarType::f32);
  const Vector g = gradient(problem, s.x);
  const double slack = float_slack(problem, s);
  ASSERT_LT(slack, 0.05 * lambda);  // loose, but still a test of the sign conditions
  for (Eigen::Index i = 0; i < s.x.size(); ++i) {
    SCOPED_TRACE("coordinate " + std::to_string(i));
    if (s.x[i] > 0) {
      EXPECT_NEAR(g[i], -lambda, slack);
    } else if (s.x[i] < 0) {
      EXPECT_NEAR(g[i], lambda, slack);
    } else {
      EXPECT_LE(std::abs(g[i]), lambda + slack);
    }
  }
  // And it is the double solution up to float accuracy.
  const Summary d = engine.solve(problem, tight_options());
  EXPECT_LE((s.x - d.x).norm(), 1e-3 * std::max(1.0, d.x.norm()));
}

TEST(EngineOptimality, Float32BoxAndNonnegAreProjectedGradientOptimalLoosely) {
  Engine engine;
  {
    const Problem problem = make_problem("least_squares", "box(lo=-0.2, hi=0.15)", 50, 120, 23);
    const Summary s = engine.solve(problem, tight_options(ScalarType::f32));
    ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
    // The float iterate sits on the float bounds, which differ from -0.2 and 0.15 in double.
    expect_box_optimal(s.x, gradient(problem, s.x), -0.2, 0.15, float_slack(problem, s), 1e-7);
  }
  {
    const Problem problem = make_problem("quadratic", "nonneg", 45, 45, 24);
    const Summary s = engine.solve(problem, tight_options(ScalarType::f32));
    ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
    expect_box_optimal(s.x, gradient(problem, s.x), 0.0, std::numeric_limits<double>::infinity(),
                       float_slack(problem, s), 0.0);
  }
}

// ---------------------------------------------------------------------------------------
// The kernel cache.

TEST(EngineCache, NewLambdaIsACacheHitAndUsesTheNewValue) {
  Engine engine;
  const Problem problem = make_problem("least_squares", "l1(lambda=0.1)", 30, 70, 31);
  SolverOptions options;
  options.fallback_to_reference = false;
  const Summary first = engine.solve(problem, options);
  ASSERT_EQ(first.backend, Backend::jit) << first.message;
  EXPECT_FALSE(first.cache_hit);
  EXPECT_EQ(first.source, KernelSource::compiled);
  EXPECT_GT(first.timing.compile_s, 0.0);
  EXPECT_EQ(engine.cache_stats().compiles, 1);

  const Problem other = problem.with_prox(ProxComponent::make("l1", {{"lambda", 0.2}}));
  const Summary second = engine.solve(other, options);
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(second.source, KernelSource::memory);
  EXPECT_EQ(second.timing.compile_s, 0.0);
  EXPECT_EQ(second.kernel_key, first.kernel_key);
  EXPECT_EQ(second.kernel_symbol, first.kernel_symbol);
  const CacheStats stats = engine.cache_stats();
  EXPECT_EQ(stats.compiles, 1);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.entries, 1);

  // The cached kernel reads lambda at run time: the answer is the one for 0.2, not for 0.1.
  EXPECT_GT((second.x - first.x).norm(), 1e-3);
  options.backend = Backend::reference;
  const Summary reference = engine.solve(other, options);
  EXPECT_LE((second.x - reference.x).norm(), 1e-10 * std::max(1.0, reference.x.norm()));
  EXPECT_EQ(engine.cache_stats().compiles, 1);  // the reference backend compiles nothing
}

TEST(EngineCache, OtherProxScalarOrSmoothIsANewCompile) {
  Engine engine;
  const Problem l1 = make_problem("least_squares", "l1(lambda=0.1)", 20, 40, 32);
  SolverOptions options;
  options.fallback_to_reference = false;
  // Working sets would solve the least squares on the quadratic cd kernel, shared with the
  // quadratic below: this test is about the keys of distinct structures.
  options.working_sets = false;
  engine.solve(l1, options);
  EXPECT_EQ(engine.cache_stats().compiles, 1);

  const Summary l2sq =
      engine.solve(l1.with_prox(ProxComponent::make("l2sq", {{"lambda", 0.1}})), options);
  EXPECT_EQ(l2sq.source, KernelSource::compiled);
  EXPECT_FALSE(l2sq.cache_hit);
  EXPECT_EQ(engine.cache_stats().compiles, 2);

  SolverOptions f32 = options;
  f32.scalar = ScalarType::f32;
  const Summary single = engine.solve(l1, f32);
  EXPECT_EQ(single.source, KernelSource::compiled);
  EXPECT_EQ(engine.cache_stats().compiles, 3);

  const Problem quadratic = make_problem("quadratic", "l1(lambda=0.1)", 20, 20, 32);
  const Summary q = engine.solve(quadratic, options);
  EXPECT_EQ(q.source, KernelSource::compiled);
  EXPECT_EQ(engine.cache_stats().compiles, 4);

  SolverOptions o3 = options;
  o3.codegen.optimization_level = 3;
  EXPECT_EQ(engine.solve(quadratic, o3).source, KernelSource::compiled);
  EXPECT_EQ(engine.cache_stats().compiles, 5);

  // Every one of them is now a hit.
  EXPECT_TRUE(engine.solve(quadratic, options).cache_hit);
  EXPECT_TRUE(engine.solve(l1, f32).cache_hit);
  const CacheStats stats = engine.cache_stats();
  EXPECT_EQ(stats.compiles, 5);
  EXPECT_EQ(stats.entries, 5);
  EXPECT_EQ(stats.hits, 2);
}

TEST(EngineCache, KernelKeyFollowsStructureNotParameters) {
  Engine engine;
  const Problem l1 = make_problem("quadratic", "l1(lambda=0.1)", 10, 10, 33);
  const Problem l1_other = l1.with_prox(ProxComponent::make("l1", {{"lambda", 0.7}}));
  const Problem l2sq = l1.with_prox(ProxComponent::make("l2sq", {{"lambda", 0.1}}));
  SolverOptions f64;
  SolverOptions f32;
  f32.scalar = ScalarType::f32;
  EXPECT_EQ(engine.kernel_key(l1, f64), engine.kernel_key(l1_other, f64));
  EXPECT_NE(engine.kernel_key(l1, f64), engine.kernel_key(l2sq, f64));
  EXPECT_NE(engine.kernel_key(l1, f64), engine.kernel_key(l1, f32));
  // Other data of the same shape kind, and other sizes, share the kernel.
  const Problem bigger = make_problem("quadratic", "l1(lambda=0.1)", 37, 37, 34);
  EXPECT_EQ(engine.kernel_key(l1, f64), engine.kernel_key(bigger, f64));
  // kernel_key compiles nothing, and a solve reports the same key.
  EXPECT_EQ(engine.cache_stats().compiles, 0);
  EXPECT_EQ(engine.solve(l1, f64).kernel_key, engine.kernel_key(l1, f64));
}

// ---------------------------------------------------------------------------------------
// Concurrency.

TEST(EngineConcurrency, SameNewKeyCompilesOnceAndAllResultsAgreeBitwise) {
  Engine engine;
  const Problem problem = make_problem("least_squares", "l1(lambda=0.05)", 64, 150, 41);
  SolverOptions options;
  options.fallback_to_reference = false;
  constexpr int kThreads = 8;
  std::vector<Summary> results(kThreads);
  std::vector<std::string> failures(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      try {
        results[t] = engine.solve(problem, options);
      } catch (const std::exception& error) {
        failures[t] = error.what();
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    ASSERT_EQ(failures[t], "") << "thread " << t;

  const CacheStats stats = engine.cache_stats();
  EXPECT_EQ(stats.compiles, 1);
  EXPECT_EQ(stats.entries, 1);
  EXPECT_EQ(stats.hits + stats.misses, kThreads);
  int compiled = 0;
  for (int t = 0; t < kThreads; ++t) {
    SCOPED_TRACE("thread " + std::to_string(t));
    const Summary& r = results[t];
    EXPECT_EQ(r.backend, Backend::jit) << r.message;
    EXPECT_EQ(r.status, SolveStatus::converged);
    if (r.source == KernelSource::compiled) ++compiled;
    EXPECT_NE(r.source, KernelSource::none);
    EXPECT_EQ(r.kernel_key, results[0].kernel_key);
    EXPECT_EQ(r.kernel_symbol, results[0].kernel_symbol);
    EXPECT_EQ(r.iterations, results[0].iterations);
    EXPECT_TRUE(bitwise_equal(r.x, results[0].x));
    EXPECT_EQ(std::memcmp(&r.certificate, &results[0].certificate, sizeof(double)), 0);
    EXPECT_EQ(std::memcmp(&r.objective, &results[0].objective, sizeof(double)), 0);
  }
  EXPECT_EQ(compiled, 1);
  // The next solve is a plain hit with the same answer.
  const Summary after = engine.solve(problem, options);
  EXPECT_TRUE(after.cache_hit);
  EXPECT_TRUE(bitwise_equal(after.x, results[0].x));
}

TEST(EngineConcurrency, DifferentKeysFromSeveralThreadsEachCompileOnce) {
  Engine engine;
  const Problem base = make_problem("quadratic", "l1(lambda=0.1)", 33, 33, 42);
  const std::vector<Problem> problems = {
      base,
      base.with_prox(ProxComponent::make("l2sq", {{"lambda", 0.3}})),
      base.with_prox(ProxComponent::make("box", {{"lo", -0.1}, {"hi", 0.2}})),
      base.with_prox(ProxComponent::make("nonneg")),
  };
  constexpr int kPerKey = 3;
  const int thread_count = static_cast<int>(problems.size()) * kPerKey;
  std::vector<Summary> results(thread_count);
  std::vector<std::string> failures(thread_count);
  std::latch start(thread_count);
  std::vector<std::thread> threads;
  SolverOptions options;
  options.fallback_to_reference = false;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      try {
        results[t] = engine.solve(problems[t % problems.size()], options);
      } catch (const std::exception& error) {
        failures[t] = error.what();
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (int t = 0; t < thread_count; ++t)
    ASSERT_EQ(failures[t], "") << "thread " << t;

  const CacheStats stats = engine.cache_stats();
  EXPECT_EQ(stats.compiles, static_cast<std::int64_t>(problems.size()));
  EXPECT_EQ(stats.entries, static_cast<std::int64_t>(problems.size()));
  EXPECT_EQ(stats.hits + stats.misses, thread_count);
  SolverOptions reference_options = options;
  reference_options.backend = Backend::reference;
  for (std::size_t p = 0; p < problems.size(); ++p) {
    SCOPED_TRACE(problems[p].describe());
    const Summary reference = engine.solve(problems[p], reference_options);
    int compiled = 0;
    for (int t = static_cast<int>(p); t < thread_count; t += static_cast<int>(problems.size())) {
      if (results[t].source == KernelSource::compiled) ++compiled;
      EXPECT_TRUE(bitwise_equal(results[t].x, results[p].x));
      EXPECT_LE((results[t].x - reference.x).norm(), 1e-10 * std::max(1.0, reference.x.norm()));
    }
    EXPECT_EQ(compiled, 1);
  }
}

// ---------------------------------------------------------------------------------------
// Statuses and their messages, on both backends.

class EngineStatus : public ::testing::TestWithParam<Backend> {
 protected:
  SolverOptions options() const {
    SolverOptions o;
    o.algorithm = Algorithm::proximal_gradient;  // the statuses of fixed-step runs
    o.backend = GetParam();
    o.fallback_to_reference = false;
    return o;
  }
  Engine engine_;
};

TEST_P(EngineStatus, HugeStepDivergesWithAHintAboutTheStep) {
  const Problem problem = make_problem("quadratic", "l1(lambda=0.1)", 30, 30, 51);
  SolverOptions o = options();
  o.step = 50.0 / problem.lipschitz();  // far beyond 2/L
  const Summary s = engine_.solve(problem, o);
  EXPECT_EQ(s.status, SolveStatus::diverged) << s.message;
  EXPECT_LT(s.iterations, o.max_iterations);
  EXPECT_EQ(s.step, o.step);
  EXPECT_CONTAINS(s.message, "step");
  EXPECT_CONTAINS(s.message, "1/L");
  EXPECT_CONTAINS(s.message, "diverged");
}

// A step a little past 2/L grows the iterates slowly (about 1.2x per iteration): the objective
// passes a million times its start long before the certificate grows 1e10-fold, and the watch at
// iterations 64, 128, 256, ... stops the run at the first check.
TEST_P(EngineStatus, GrowingObjectiveWithAFixedStepIsDivergence) {
  const Problem problem = make_problem("least_squares", "l1(lambda=0.01)", 20, 40, 53);
  SolverOptions o = options();
  o.step = 2.4 / problem.lipschitz();
  o.tolerance = 0.0;
  o.max_iterations = 100000;
  const Summary s = engine_.solve(problem, o);
  EXPECT_EQ(s.status, SolveStatus::diverged) << s.message;
  EXPECT_EQ(s.iterations, 64) << s.message;
  EXPECT_CONTAINS(s.message, "objective grew");
  EXPECT_CONTAINS(s.message, "1/L");
  // A line search is not watched (its steps are checked as they are taken) and converges.
  o.line_search = true;
  o.tolerance = 1e-8;
  EXPECT_EQ(engine_.solve(problem, o).status, SolveStatus::converged);
}

TEST_P(EngineStatus, BudgetRunsOutWithPositiveTolerance) {
  const Problem problem = make_problem("least_squares", "l1(lambda=0.01)", 40, 30, 52);
  SolverOptions o = options();
  o.max_iterations = 7;
  o.tolerance = 1e-12;
  const Summary s = engine_.solve(problem, o);
  EXPECT_EQ(s.status, SolveStatus::max_iterations);
  EXPECT_EQ(s.iterations, 7);
  EXPECT_GT(s.certificate, o.tolerance);
  EXPECT_CONTAINS(s.message, "max_iterations");
}

TEST_P(EngineStatus, ZeroToleranceRunsExactlyTheBudget) {
  // This problem converges in far fewer steps; tolerance 0 still runs all of them.
  const Problem problem = make_problem("quadratic", "l2sq(lambda=1)", 8, 8, 53);
  SolverOptions o = options();
  o.tolerance = 0.0;
  o.max_iterations = 3000;
  const Summary s = engine_.solve(problem, o);
  EXPECT_EQ(s.status, SolveStatus::max_iterations);
  EXPECT_EQ(s.iterations, 3000);
  EXPECT_CONTAINS(s.message, "3000");

  SolverOptions with_tolerance = options();
  const Summary quick = engine_.solve(problem, with_tolerance);
  EXPECT_EQ(quick.status, SolveStatus::converged);
  EXPECT_LT(quick.iterations, 3000);
}

TEST_P(EngineStatus, ConvergedMeansCertificateWithinTolerance) {
  const Problem problem = make_problem("least_squares", "box(lo=-0.5, hi=0.5)", 25, 60, 54);
  for (double tolerance : {1e-3, 1e-6, 1e-9}) {
    SCOPED_TRACE("tolerance " + std::to_string(tolerance));
    SolverOptions o = options();
    o.tolerance = tolerance;
    const Summary s = engine_.solve(problem, o);
    EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
    EXPECT_LE(s.certificate, tolerance);
    EXPECT_GT(s.certificate, 0.0);
    EXPECT_LT(s.iterations, o.max_iterations);
    EXPECT_CONTAINS(s.message, "certificate <= tolerance");
    EXPECT_DOUBLE_EQ(s.step, 1.0 / problem.lipschitz());
  }
}

// BUG (engine/src/engine.cpp, outcome_message): every divergence is blamed on the step ("step
// S is too large ...; use a step <= 1/L = S"), even when the step already is 1/L. Two ways a
// run with the automatic step diverges, both reported with that self-contradictory advice:
//  - an indefinite quadratic (allowed: its Lipschitz bound is the largest |eigenvalue|) whose
//    objective is unbounded below;
//  - a float32 solve whose x0 (or data) is finite in double but beyond the float range: it is
//    converted to inf without a check (IsValid and Problem check finiteness in double only),
//    and the run is NaN from the first step.
// Disabled so as not to block CI; run with --gtest_also_run_disabled_tests.
TEST_P(EngineStatus, DivergenceWithTheAutomaticStepIsNotBlamedOnTheStep) {
  {
    SCOPED_TRACE("unbounded indefinite quadratic");
    const Matrix A = -Matrix::Identity(6, 6);
    const Problem problem = Problem::parse("quadratic", "zero", A, gaussian_vector(6, 1));
    const Summary s = engine_.solve(problem, options());
    EXPECT_EQ(s.status, SolveStatus::diverged);
    EXPECT_DOUBLE_EQ(s.step, 1.0 / problem.lipschitz());
    EXPECT_EQ(s.message.find("too large"), std::string::npos) << s.message;
  }
  {
    SCOPED_TRACE("float32 x0 beyond the float range");
    const Problem problem = make_problem("quadratic", "l1(lambda=0.05)", 5, 5, 3);
    SolverOptions o = options();
    o.scalar = ScalarType::f32;
    o.x0 = Vector::Constant(5, 1e39);  // finite in double, inf in float
    try {
      const Summary s = engine_.solve(problem, o);
      EXPECT_EQ(s.message.find("too large"), std::string::npos) << s.message;
    } catch (const Error& error) {
      EXPECT_CONTAINS(std::string(error.what()), "x0");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineStatus,
                         ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

// ---------------------------------------------------------------------------------------
// Backends and warm starts.

TEST(EngineBackends, ReferenceAndJitAgreeOnAMidSizeProblem) {
  Engine engine;
  for (const char* f : {"quadratic", "least_squares"}) {
    SCOPED_TRACE(f);
    const Problem problem = make_problem(f, "l1(lambda=0.05)", 150, 300, 61);
    SolverOptions options;
    options.tolerance = 1e-8;
    options.fallback_to_reference = false;
    options.working_sets = false;  // the same cd epochs on both sides (working_set_test.cpp)
    options.backend = Backend::reference;
    const Summary reference = engine.solve(problem, options);
    options.backend = Backend::jit;
    const Summary jit = engine.solve(problem, options);
    ASSERT_EQ(jit.backend, Backend::jit);
    EXPECT_EQ(reference.backend, Backend::reference);
    EXPECT_EQ(reference.source, KernelSource::none);
    EXPECT_EQ(reference.status, SolveStatus::converged);
    EXPECT_EQ(jit.status, SolveStatus::converged);
    EXPECT_EQ(jit.iterations, reference.iterations);
    EXPECT_LE((jit.x - reference.x).norm(), 1e-12 * std::max(1.0, reference.x.norm()));
    EXPECT_NEAR(jit.objective, reference.objective,
                1e-12 * std::max(1.0, std::abs(reference.objective)));
  }
}

TEST(EngineBackends, WarmStartFromTheSolutionTakesFewerIterations) {
  Engine engine;
  const Problem problem = make_problem("least_squares", "l1(lambda=0.02)", 60, 100, 62);
  SolverOptions options;
  options.tolerance = 1e-8;
  const Summary cold = engine.solve(problem, options);
  ASSERT_EQ(cold.status, SolveStatus::converged);
  ASSERT_GT(cold.iterations, 10);
  options.x0 = cold.x;
  const Summary warm = engine.solve(problem, options);
  EXPECT_EQ(warm.status, SolveStatus::converged);
  EXPECT_LT(warm.iterations, cold.iterations);
  EXPECT_LE(warm.iterations, 3);
  EXPECT_LE((warm.x - cold.x).norm(), 1e-8);

  // A nearby problem warm-started from this one's solution also needs fewer steps.
  const Problem nearby = problem.with_prox(ProxComponent::make("l1", {{"lambda", 0.021}}));
  options.x0 = Vector();
  const Summary nearby_cold = engine.solve(nearby, options);
  options.x0 = cold.x;
  const Summary nearby_warm = engine.solve(nearby, options);
  EXPECT_LT(nearby_warm.iterations, nearby_cold.iterations);
  EXPECT_LE((nearby_warm.x - nearby_cold.x).norm(), 1e-6);
}

TEST(EngineBackends, WrongLengthX0IsAnError) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "zero", 5, 5, 63);
  SolverOptions options;
  options.x0 = Vector::Zero(4);
  const std::string message = error_of([&] { engine.solve(problem, options); });
  EXPECT_CONTAINS(message, "x0");
  EXPECT_CONTAINS(message, "4");
  EXPECT_CONTAINS(message, "5");
  options.backend = Backend::reference;
  EXPECT_CONTAINS(error_of([&] { engine.solve(problem, options); }), "x0");
}

// ---------------------------------------------------------------------------------------
// Bad input.

TEST(EngineBadInput, UnknownComponentsSuggestTheNearestName) {
  const Matrix A = spd_matrix(3, 1);
  const Vector b = gaussian_vector(3, 2);
  const std::string prox = error_of([&] { Problem::parse("quadratic", "l3(lambda=0.1)", A, b); });
  EXPECT_CONTAINS(prox, "unknown prox 'l3'");
  EXPECT_CONTAINS(prox, "did you mean 'l1'");
  const std::string smooth = error_of([&] { Problem::parse("quadratik", "l1(lambda=0.1)", A, b); });
  EXPECT_CONTAINS(smooth, "unknown smooth term 'quadratik'");
  EXPECT_CONTAINS(smooth, "did you mean 'quadratic'");
  EXPECT_CONTAINS(error_of([&] { ProxComponent::make("l3", {{"lambda", 0.1}}); }), "'l1'");
}

TEST(EngineBadInput, BadParameterValues) {
  const std::string negative = error_of([] { ProxComponent::make("l1", {{"lambda", -0.1}}); });
  EXPECT_CONTAINS(negative, "lambda");
  EXPECT_CONTAINS(negative, "-0.1");
  EXPECT_CONTAINS(negative, ">= 0");
  EXPECT_CONTAINS(error_of([] { ProxComponent::parse("l2sq(lambda=-2)"); }), "lambda");
  EXPECT_CONTAINS(error_of([] { ProxComponent::parse("l1(lambda=nan)"); }), "lambda");
  const std::string box = error_of([] { ProxComponent::parse("box(lo=1, hi=0)"); });
  EXPECT_CONTAINS(box, "box");
  EXPECT_CONTAINS(box, "lo must be <= hi");
  // lo == hi is a valid (one-point) box.
  EXPECT_NO_THROW(ProxComponent::parse("box(lo=0.5, hi=0.5)"));
}

TEST(EngineBadInput, DimensionMismatches) {
  const std::string square = error_of(
      [] { Problem::parse("quadratic", "zero", gaussian_matrix(3, 4, 1), gaussian_vector(3, 2)); });
  EXPECT_CONTAINS(square, "square");
  EXPECT_CONTAINS(square, "3 x 4");
  const std::string quadratic_b = error_of(
      [] { Problem::parse("quadratic", "zero", spd_matrix(4, 1), gaussian_vector(3, 2)); });
  EXPECT_CONTAINS(quadratic_b, "b must have length d = 4");
  EXPECT_CONTAINS(quadratic_b, "got 3");
  const std::string ls_b = error_of([] {
    Problem::parse("least_squares", "zero", gaussian_matrix(6, 4, 1), gaussian_vector(4, 2));
  });
  EXPECT_CONTAINS(ls_b, "least_squares");
  EXPECT_CONTAINS(ls_b, "n = 6");
  EXPECT_CONTAINS(ls_b, "got 4");
}

TEST(EngineBadInput, NonSymmetricQuadraticNamesTheEntries) {
  Matrix A = spd_matrix(4, 1);
  A(1, 2) += 0.5;
  const std::string message =
      error_of([&] { Problem::parse("quadratic", "zero", A, gaussian_vector(4, 2)); });
  EXPECT_CONTAINS(message, "symmetric");
  EXPECT_CONTAINS(message, "A[1][2]");
  EXPECT_CONTAINS(message, "A[2][1]");
  // Asymmetry at rounding level is accepted (and removed).
  Matrix nearly = spd_matrix(4, 1);
  nearly(1, 2) *= 1.0 + 1e-14;
  EXPECT_NO_THROW(Problem::parse("quadratic", "zero", nearly, gaussian_vector(4, 2)));
}

TEST(EngineProblem, AMovedSparseMatrixIsTakenOverNotCopied) {
  SparseMatrix A = gaussian_matrix(6, 4, 1).sparseView();
  const SparseMatrix original = A;
  const double* values = A.valuePtr();
  const Problem moved(SmoothComponent::parse("least_squares"), ProxComponent::parse("zero"),
                      std::move(A), gaussian_vector(6, 2));
  EXPECT_EQ(moved.A_sparse().valuePtr(), values);
  EXPECT_TRUE(moved.A_sparse().isApprox(original));
  // From an lvalue: a copy, the caller's matrix untouched.
  const Problem copied(SmoothComponent::parse("least_squares"), ProxComponent::parse("zero"),
                       original, gaussian_vector(6, 2));
  EXPECT_NE(copied.A_sparse().valuePtr(), original.valuePtr());
  EXPECT_EQ(original.nonZeros(), 24);
}

// Sparse data that are mostly nonzero (at least two thirds) run the dense kernels, read from
// a dense copy: the same kernel and iterates as the dense problem's. Sparser data keep the
// sparse kernels, and the stochastic solvers always do (their lagged steps).
TEST(EngineLayouts, MostlyNonzeroSparseDataAreReadDensely) {
  Engine engine(EngineOptions{.disk_cache = false});
  Matrix dense = gaussian_matrix(60, 9, 4);
  for (Eigen::Index i = 0; i < dense.rows(); i += 7)
    dense(i, i % dense.cols()) = 0.0;  // a few zeros: about 98% nonzero
  Vector labels = gaussian_vector(60, 5);
  for (Eigen::Index i = 0; i < labels.size(); ++i)
    labels[i] = labels[i] >= 0.0 ? 1.0 : -1.0;
  const auto l1 = ProxComponent::parse("l1(lambda=0.01)");
  const SmoothComponent logistic = SmoothComponent::parse("logistic");
  const Problem stored_densely(logistic, l1, dense, labels);
  const Problem stored_sparsely(logistic, l1, SparseMatrix(dense.sparseView()), labels);
  for (const auto& [algorithm, layout] : std::vector<std::pair<Algorithm, const char*>>{
           {Algorithm::coordinate_descent, "|dense_col_major|"},
           {Algorithm::fista, "|dense_row_major|"},
           {Algorithm::proximal_gradient, "|dense_row_major|"}}) {
    SCOPED_TRACE(to_string(algorithm));
    SolverOptions options;
    options.algorithm = algorithm;
    options.tolerance = 1e-9;
    options.max_iterations = 20000;
    const Summary from_sparse = engine.solve(stored_sparsely, options);
    const Summary from_dense = engine.solve(stored_densely, options);
    EXPECT_NE(from_sparse.kernel_key.find(layout), std::string::npos) << from_sparse.kernel_key;
    EXPECT_EQ(from_sparse.kernel_key, from_dense.kernel_key);
    EXPECT_EQ(from_sparse.iterations, from_dense.iterations);
    EXPECT_EQ(from_sparse.x, from_dense.x);
  }
  SolverOptions saga;
  saga.algorithm = Algorithm::saga;
  saga.max_iterations = 3;
  EXPECT_NE(engine.solve(stored_sparsely, saga).kernel_key.find("|csr|"), std::string::npos);

  // Half nonzero: the sparse kernels.
  Matrix half = dense;
  for (Eigen::Index i = 0; i < half.rows(); ++i)
    for (Eigen::Index j = (i % 2); j < half.cols(); j += 2)
      half(i, j) = 0.0;
  const Problem sparse(logistic, l1, SparseMatrix(half.sparseView()), labels);
  SolverOptions cd;
  cd.algorithm = Algorithm::coordinate_descent;
  EXPECT_NE(engine.solve(sparse, cd).kernel_key.find("|csc|"), std::string::npos);
}

TEST(EngineBadInput, NonFiniteDataNamesTheMatrixAndPosition) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {nan, inf, -inf}) {
    SCOPED_TRACE(bad);
    Matrix A = gaussian_matrix(6, 4, 1);
    A(2, 3) = bad;
    const std::string in_A =
        error_of([&] { Problem::parse("least_squares", "zero", A, gaussian_vector(6, 2)); });
    EXPECT_CONTAINS(in_A, "A contains");
    EXPECT_CONTAINS(in_A, "row 2");
    EXPECT_CONTAINS(in_A, "column 3");

    Vector b = gaussian_vector(6, 2);
    b[5] = bad;
    const std::string in_b =
        error_of([&] { Problem::parse("least_squares", "zero", gaussian_matrix(6, 4, 1), b); });
    EXPECT_CONTAINS(in_b, "b contains");
    EXPECT_CONTAINS(in_b, "index 5");

    // The quadratic checks symmetry first; a non-finite entry must still be reported as such.
    Matrix Q = spd_matrix(4, 3);
    Q(1, 3) = bad;
    const std::string in_Q =
        error_of([&] { Problem::parse("quadratic", "zero", Q, gaussian_vector(4, 2)); });
    EXPECT_CONTAINS(in_Q, "A contains");
    EXPECT_CONTAINS(in_Q, "row 1");
    EXPECT_CONTAINS(in_Q, "column 3");
  }
}

TEST(EngineBadInput, InvalidOptionsAreRejectedBySolve) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "zero", 4, 4, 1);
  SolverOptions options;
  options.step = -1.0;
  std::string message = error_of([&] { engine.solve(problem, options); });
  EXPECT_CONTAINS(message, "invalid solver options");
  EXPECT_CONTAINS(message, "step");
  options = SolverOptions();
  options.max_iterations = 0;
  message = error_of([&] { engine.solve(problem, options); });
  EXPECT_CONTAINS(message, "invalid solver options");
  EXPECT_CONTAINS(message, "max_iterations");
  options = SolverOptions();
  options.codegen.optimization_level = 7;
  options.backend = Backend::reference;  // rejected even where codegen plays no part
  EXPECT_CONTAINS(error_of([&] { engine.solve(problem, options); }), "optimization_level");
  EXPECT_EQ(engine.cache_stats().compiles, 0);
}

// ---------------------------------------------------------------------------------------
// Reports.

TEST(EngineReports, BriefAndFullReportsSayWhatHappened) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "l1(lambda=0.1)", 12, 12, 71);
  SolverOptions options;
  options.algorithm = Algorithm::proximal_gradient;
  const Summary s = engine.solve(problem, options);
  ASSERT_EQ(s.status, SolveStatus::converged);
  EXPECT_EQ(s.problem, "quadratic + l1(lambda=0.1)");
  EXPECT_CONTAINS(s.kernel_key, "pgd");
  EXPECT_CONTAINS(s.kernel_key, "quadratic");
  EXPECT_CONTAINS(s.kernel_key, "float64");
  EXPECT_FALSE(s.kernel_symbol.empty());

  const std::string brief = s.BriefReport();
  EXPECT_EQ(brief.find('\n'), std::string::npos);
  EXPECT_CONTAINS(brief, "converged");
  EXPECT_CONTAINS(brief, "objective");
  EXPECT_CONTAINS(brief, std::to_string(s.iterations) + " iterations");
  EXPECT_CONTAINS(brief, "compile");

  const std::string full = s.FullReport();
  EXPECT_CONTAINS(full, "quadratic + l1(lambda=0.1)");
  EXPECT_CONTAINS(full, "status");
  EXPECT_CONTAINS(full, "converged");
  EXPECT_CONTAINS(full, "objective");
  EXPECT_CONTAINS(full, "iterations");
  EXPECT_CONTAINS(full, std::to_string(s.iterations));
  EXPECT_CONTAINS(full, "kernel key");
  EXPECT_CONTAINS(full, s.kernel_key);
  EXPECT_CONTAINS(full, "jit, float64");

  // The objective printed is the one computed.
  char objective[64];
  std::snprintf(objective, sizeof objective, "%.10g", s.objective);
  EXPECT_CONTAINS(brief, objective);
  EXPECT_NEAR(s.objective, problem.objective(s.x), 1e-14 * std::max(1.0, std::abs(s.objective)));

  EXPECT_CONTAINS(engine.solve(problem, options).BriefReport(), "cached");

  SolverOptions f32 = options;
  f32.scalar = ScalarType::f32;
  const Problem ls = make_problem("least_squares", "nonneg", 12, 20, 72);
  const Summary single = engine.solve(ls, f32);
  EXPECT_CONTAINS(single.kernel_key, "margin(sub(v,b))");  // least squares, by its math
  EXPECT_CONTAINS(single.kernel_key, "float32");
  EXPECT_CONTAINS(single.FullReport(), "float32");

  options.backend = Backend::reference;
  const Summary reference = engine.solve(problem, options);
  EXPECT_CONTAINS(reference.BriefReport(), "reference");
  EXPECT_CONTAINS(reference.FullReport(), "status");
  EXPECT_EQ(reference.FullReport().find("kernel key"), std::string::npos);
  EXPECT_TRUE(reference.kernel_key.empty());
}

TEST(EngineReports, NonConvergedRunsReportTheirStatus) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "l1(lambda=0.1)", 12, 12, 73);
  SolverOptions options;
  options.max_iterations = 2;
  const Summary s = engine.solve(problem, options);
  EXPECT_CONTAINS(s.BriefReport(), "max_iterations");
  EXPECT_CONTAINS(s.BriefReport(), "2 iterations");
  EXPECT_CONTAINS(s.FullReport(), "max_iterations");
  EXPECT_CONTAINS(s.FullReport(), s.message);
}

// ---------------------------------------------------------------------------------------
// Inspection.

TEST(EngineInspect, IrUsesEightLaneVectorsAndAssemblyIsProduced) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "l1(lambda=0.1)", 12, 12, 81);
  SolverOptions options;
  const std::string ir = engine.inspect_ir(problem, options);
  EXPECT_CONTAINS(ir, "define");
  EXPECT_CONTAINS(ir, "<8 x double>");
  EXPECT_EQ(ir.find("<8 x float>"), std::string::npos);
  const std::string assembly = engine.inspect_asm(problem, options);
  EXPECT_FALSE(assembly.empty());
  EXPECT_CONTAINS(assembly, "proxjit_inspect");

  options.scalar = ScalarType::f32;
  const Problem ls = make_problem("least_squares", "box(lo=-1, hi=1)", 12, 30, 82);
  const std::string ir32 = engine.inspect_ir(ls, options);
  EXPECT_CONTAINS(ir32, "define");
  EXPECT_CONTAINS(ir32, "<8 x float>");
  EXPECT_FALSE(engine.inspect_asm(ls, options).empty());
  // Inspection compiles on the side: the cache is untouched.
  EXPECT_EQ(engine.cache_stats().compiles, 0);
  EXPECT_EQ(engine.cache_stats().entries, 0);
}

}  // namespace
}  // namespace proxjit
