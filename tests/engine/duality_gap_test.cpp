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

// Logistic (its dual reuses the primal's logs), CSR, with and without sample weights: the gap
// bounds P(x) - P* along the way, including where the dual point is scaled (l1), and vanishes.
TEST(DualityGap, LogisticBoundsTheSuboptimalityWithAndWithoutWeights) {
  Engine engine(EngineOptions{.disk_cache = false});
  const SyntheticProblem data = make_classification(60, 12, 0.5, 5);
  for (const char* r : {"l1(lambda=0.02)", "l2sq(lambda=0.1)", "elastic_net(l1=0.02, l2=0.1)"}) {
    for (const bool weighted : {false, true}) {
      SCOPED_TRACE(std::string(r) + (weighted ? " weighted" : ""));
      ProblemOptions with;
      if (weighted) with.sample_weights = Vector::LinSpaced(data.b.size(), 0.0, 2.0);
      const Problem problem(SmoothComponent::parse("logistic"), ProxComponent::parse(r), data.A,
                            data.b, with);
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
