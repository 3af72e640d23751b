// Duality gaps: always an upper bound on the distance to the optimum, and zero at it.
#include <gtest/gtest.h>

#include <cmath>

#include "proxjit/engine.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/runtime/synthetic.h"
#include "support/problems.h"

namespace proxjit {
namespace {

TEST(DualityGap, BoundsTheSuboptimalityAndVanishesAtTheOptimum) {
  Engine engine(EngineOptions{.disk_cache = false});
  for (const char* r : {"l1(lambda=0.05)", "l2sq(lambda=0.2)", "box(lo=-0.1, hi=0.3)",
                        "elastic_net(l1=0.05, l2=0.1)", "elastic_net(l1=0.05, l2=0)"}) {
    SCOPED_TRACE(r);
    const Problem problem = testing::make_problem("least_squares", r, 30, 90, 13);
    SolverOptions options;
    options.algorithm = Algorithm::coordinate_descent;
    options.tolerance = 1e-13;
    options.max_iterations = 1000000;
    const Summary optimum = engine.solve(problem, options);
    ASSERT_EQ(optimum.status, SolveStatus::converged);
    ASSERT_FALSE(std::isnan(optimum.duality_gap));
    EXPECT_LE(optimum.duality_gap, 1e-10);

    // At points along the way (feasible ones for the box), the gap bounds P(x) - P*.
    options.tolerance = 0;
    for (std::int64_t budget : {1, 3, 10, 30}) {
      options.max_iterations = budget;
      options.algorithm = Algorithm::proximal_gradient;
      const Summary early = engine.solve(problem, options);
      const auto gap = duality_gap(problem.f(), problem.r(), problem.A(), problem.b(), early.x);
      ASSERT_TRUE(gap.has_value());
      EXPECT_EQ(*gap, early.duality_gap);
      EXPECT_GE(*gap + 1e-12, early.objective - optimum.objective) << "after " << budget;
      EXPECT_GT(*gap, 0.0);
    }
  }
}

// Logistic loss + r on `data`, with sample weights 0..2 when `weighted`.
Problem logistic_problem(const SyntheticProblem& data, const char* r, bool weighted) {
  ProblemOptions with;
  if (weighted) with.sample_weights = Vector::LinSpaced(data.b.size(), 0.0, 2.0);
  return Problem(SmoothComponent::parse("logistic"), ProxComponent::parse(r), data.A, data.b, with);
}

// Logistic (its dual reuses the primal's logs), CSR, with and without sample weights: the gap
// bounds P(x) - P* along the way, including where the dual point is scaled (l1), and vanishes.
TEST(DualityGap, LogisticBoundsTheSuboptimalityWithAndWithoutWeights) {
  Engine engine(EngineOptions{.disk_cache = false});
  const SyntheticProblem data = make_classification(60, 12, 0.5, 5);
  for (const char* r : {"l1(lambda=0.02)", "l2sq(lambda=0.1)", "elastic_net(l1=0.02, l2=0.1)"}) {
    for (const bool weighted : {false, true}) {
      SCOPED_TRACE(std::string(r) + (weighted ? " weighted" : ""));
      const Problem problem = logistic_problem(data, r, weighted);
      SolverOptions options;
      options.algorithm = Algorithm::coordinate_descent;
      options.tolerance = 1e-13;
      options.max_iterations = 100000;
      const Summary optimum = engine.solve(problem, options);
      ASSERT_EQ(optimum.status, SolveStatus::converged) << optimum.message;
      EXPECT_LE(optimum.duality_gap, 1e-10);
      options.tolerance = 0;
      options.algorithm = Algorithm::proximal_gradient;
      for (std::int64_t budget : {1, 3, 10, 30}) {
        options.max_iterations = budget;
        const Summary early = engine.solve(problem, options);
        const auto gap = duality_gap(problem.f(), problem.r(), problem.data_view<double>(),
                                     problem.features(), early.x);
        ASSERT_TRUE(gap.has_value());
        EXPECT_GE(*gap + 1e-12, early.objective - optimum.objective) << "after " << budget;
        if (early.objective - optimum.objective > 1e-12) EXPECT_GT(*gap, 0.0) << budget;
      }
    }
  }
}

// What a coordinate descent kernel holds at x: z = A x, phi(z_i, b_i) and w_i phi'(z_i, b_i).
struct LogisticSampleValues {
  Vector margins, loss, weighted_slope;
  LogisticSampleValues(const Problem& problem, const Vector& x) {
    margins = problem.A_sparse() * x;
    const Eigen::Index n = margins.size();
    loss.resize(n);
    weighted_slope.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double b = problem.b()[i], m = -b * margins[i];
      loss[i] = std::max(m, 0.0) + std::log1p(std::exp(-std::abs(m)));
      const double w = problem.sample_weights().size() ? problem.sample_weights()[i] : 1.0;
      weighted_slope[i] = w * -b / (1.0 + std::exp(-m));
    }
  }
  SampleValues view() const { return {margins.data(), loss.data(), weighted_slope.data()}; }
};

// A solver's own margins and per-sample values give the gap (and P(x)) computed from x alone:
// far from the optimum (the dual point scaled into r*'s domain) and at it.
TEST(DualityGap, FromASolversSampleValuesEqualsTheGapFromX) {
  Engine engine(EngineOptions{.disk_cache = false});
  const SyntheticProblem data = make_classification(80, 15, 0.4, 9);
  for (const char* r : {"l1(lambda=0.02)", "l2sq(lambda=0.1)", "elastic_net(l1=0.02, l2=0)"}) {
    for (const bool weighted : {false, true}) {
      SCOPED_TRACE(std::string(r) + (weighted ? " weighted" : ""));
      const Problem problem = logistic_problem(data, r, weighted);
      SolverOptions options;
      options.algorithm = Algorithm::proximal_gradient;
      options.tolerance = 0;
      for (std::int64_t budget : {2, 20, 2000}) {
        options.max_iterations = budget;
        const Vector x = engine.solve(problem, options).x;
        double primal = 0, primal_from_values = 0;
        const auto gap = duality_gap(problem.f(), problem.r(), problem.data_view<double>(),
                                     problem.features(), x, &primal);
        const LogisticSampleValues values(problem, x);
        const auto from_values =
            duality_gap(problem.f(), problem.r(), problem.data_view<double>(), problem.features(),
                        x, &primal_from_values, values.view());
        ASSERT_TRUE(gap && from_values);
        // log sigmoid(m) is m - phi here and -softplus(-m) there: rounding of |m| ~ 10 apart.
        EXPECT_NEAR(*from_values, *gap, 1e-13) << budget;
        EXPECT_NEAR(primal_from_values, primal, 1e-14) << budget;
      }
    }
  }
}

// The gap that ends a run is read from the kernel's state (coordinate descent, logistic and
// least_squares): it is the gap at the answer, and P(x) the objective there.
TEST(DualityGap, AGapThatEndsACoordinateDescentRunIsTheGapAtItsAnswer) {
  Engine engine(EngineOptions{.disk_cache = false});
  const SyntheticProblem classification = make_classification(300, 40, 0.2, 3);
  const SyntheticProblem regression = make_regression(300, 40, 0.2, 3);
  for (const bool sparse : {true, false}) {
    for (const char* f : {"logistic", "least_squares"}) {
      SCOPED_TRACE(std::string(f) + (sparse ? " csr" : " dense"));
      const SyntheticProblem& data = std::string(f) == "logistic" ? classification : regression;
      const auto l1 = ProxComponent::parse("l1(lambda=0.01)");
      const Problem problem = sparse
                                  ? Problem(SmoothComponent::parse(f), l1, data.A, data.b)
                                  : Problem(SmoothComponent::parse(f), l1, Matrix(data.A), data.b);
      SolverOptions options;
      options.algorithm = Algorithm::coordinate_descent;
      options.tolerance = 0;
      options.gap_tolerance = 1e-7;
      options.max_iterations = 100000;
      const Summary s = engine.solve(problem, options);
      ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
      ASSERT_TRUE(s.message.find("duality gap") != std::string::npos) << s.message;
      double primal = 0;
      const auto gap = duality_gap(problem.f(), problem.r(), problem.data_view<double>(),
                                   problem.features(), s.x, &primal);
      ASSERT_TRUE(gap.has_value());
      // The kernel's margins are A x updated step by step: equal up to rounding.
      EXPECT_NEAR(s.duality_gap, *gap, 1e-13);
      EXPECT_NEAR(s.objective, primal, 1e-13);
      EXPECT_NEAR(s.objective, problem.objective(s.x), 1e-13);
    }
  }
}

TEST(DualityGap, UnknownPairsReportNone) {
  for (const auto& [f, r] :
       std::vector<std::pair<const char*, const char*>>{{"quadratic", "l1(lambda=0.1)"},
                                                        {"least_squares", "zero"},
                                                        {"least_squares", "nonneg"}}) {
    const Problem problem = testing::make_problem(f, r, 6, 12, 2);
    EXPECT_FALSE(duality_gap(problem.f(), problem.r(), problem.A(), problem.b(), Vector::Zero(6))
                     .has_value())
        << f << " + " << r;
    Engine engine(EngineOptions{.disk_cache = false});
    EXPECT_TRUE(std::isnan(engine.solve(problem).duality_gap));
  }
}

}  // namespace
}  // namespace proxjit
