// The solve plan decides once; precompile (plan_for, no data) and solve (plan, with data) must
// agree on the kernel, and the rules components declare (solver_rules.h) must hold.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "../support/problems.h"
#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/solver_rules.h"
#include "proxjit/runtime/synthetic.h"

namespace proxjit {
namespace {

// What a precompiled signature holds is what the first solve of that pair asks for: the plan
// from the definitions and the plan from a problem name the same kernel.
TEST(SolvePlan, PrecompileAndSolveChooseTheSameKernel) {
  const SyntheticProblem classes = make_classification(60, 12, 0.3, 5);
  const SyntheticProblem counts = make_counts(60, 12, 0.3, 6);
  const SyntheticProblem values = make_regression(60, 12, 0.3, 7);
  for (const char* loss :
       {"least_squares", "logistic", "huber(delta=0.5)", "squared_hinge", "poisson"}) {
    const std::string name = loss;
    const SyntheticProblem& data = name == "poisson"                               ? counts
                                   : name == "logistic" || name == "squared_hinge" ? classes
                                                                                   : values;
    for (const char* prox : {"l1(lambda=0.01)", "l2sq(lambda=0.1)", "box(lo=-1, hi=1)",
                             "l2(lambda=0.1)", "tv1d(lambda=0.1)"}) {
      SCOPED_TRACE(name + " + " + prox);
      // Sparse data under a third nonzero keep their CSR/CSC layout, as precompile's "sparse".
      const Problem problem(SmoothComponent::parse(loss), ProxComponent::parse(prox), data.A,
                            data.b);
      for (const bool line_search : {false, true}) {
        SolverOptions options;  // auto
        options.line_search = line_search;
        const SolvePlan plan = Engine::plan(problem, options);
        EXPECT_NE(plan.algorithm(), Algorithm::automatic);
        EXPECT_TRUE(plan.automatic);
        const KernelSpec from_problem = Engine::kernel_spec(plan, problem);
        const KernelSpec from_definitions = Engine::kernel_spec_for(
            problem.f().definition(), problem.r().definition(), options, /*sparse=*/true);
        EXPECT_EQ(from_problem.canonical(), from_definitions.canonical());
      }
    }
  }
}

TEST(SolvePlan, DescribesWhatRuns) {
  const Problem lasso = testing::make_problem("least_squares", "l1(lambda=0.1)", 30, 10, 3);
  SolverOptions options;
  EXPECT_EQ(Engine::plan(lasso, options).describe(),
            "cd (auto): step per coordinate, dense_col_major, working sets");
  options.step = 0.01;  // a step asks for a gradient method
  const SolvePlan fista = Engine::plan(lasso, options);
  EXPECT_EQ(fista.algorithm(), Algorithm::fista);
  EXPECT_EQ(fista.step_rule, StepRule::given);
  EXPECT_TRUE(fista.gap_known);
  const SyntheticProblem counts = make_counts(40, 8, 0.5, 2);
  const Problem poisson(SmoothComponent::parse("poisson"), ProxComponent::parse("l2(lambda=0.1)"),
                        counts.A, counts.b);
  const SolvePlan searched = Engine::plan(poisson, SolverOptions{});
  // No curvature bound and a non-separable r: pgd with its line search.
  EXPECT_EQ(searched.algorithm(), Algorithm::proximal_gradient);
  EXPECT_TRUE(searched.options.line_search);
  EXPECT_EQ(searched.step_rule, StepRule::backtracking);
  EXPECT_FALSE(searched.bounded_curvature);
  EXPECT_FALSE(searched.gap_known);
  // The plan refuses what the solve would refuse, with the same words.
  SolverOptions cd;
  cd.algorithm = Algorithm::coordinate_descent;
  EXPECT_THROW(Engine::plan(poisson, cd), Error);
}

// lambda_max, from the declared rule and an independent gradient at 0 (-A'b/n for least
// squares): at lambda_max the answer is 0, just below it is not.
TEST(SolverRules, LambdaMaxIsWhereZeroBecomesOptimal) {
  const Matrix A = testing::gaussian_matrix(80, 24, 11);
  const Vector b = testing::gaussian_vector(80, 12);
  const Vector gradient = -A.transpose() * b / 80.0;
  const std::span<const double> g(gradient.data(), static_cast<std::size_t>(gradient.size()));
  Engine engine(EngineOptions{.disk_cache = false});
  SolverOptions options;
  options.tolerance = 1e-12;
  options.max_iterations = 100000;
  const auto solve = [&](const std::string& prox) {
    return engine.solve(Problem::parse("least_squares", prox, A, b), options).x;
  };
  const auto text = [](double v) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return std::string(buffer);
  };
  const ProxDefinition& l1 = ProxComponent::parse("l1(lambda=1)").definition();
  const double l1_max = *lambda_max_from_gradient(l1.lambda_max, g, {}, {});
  EXPECT_DOUBLE_EQ(l1_max, gradient.cwiseAbs().maxCoeff());
  EXPECT_EQ(solve("l1(lambda=" + text(l1_max * (1 + 1e-9)) + ")").cwiseAbs().maxCoeff(), 0.0);
  EXPECT_GT(solve("l1(lambda=" + text(l1_max * 0.95) + ")").cwiseAbs().maxCoeff(), 0.0);
  // Elastic net's l1 is the slot; l2 does not move the point where 0 becomes optimal.
  const ProxDefinition& net = ProxComponent::parse("elastic_net(l1=1, l2=1)").definition();
  EXPECT_EQ(net.lambda_max.slot, 0);
  EXPECT_EQ(solve("elastic_net(l1=" + text(l1_max * (1 + 1e-9)) + ", l2=0.5)").norm(), 0.0);
  EXPECT_GT(solve("elastic_net(l1=" + text(l1_max * 0.95) + ", l2=0.5)").norm(), 0.0);
  // Weighted l1: max |g_i| / w_i.
  std::vector<double> weights(24, 1.0);
  weights[3] = 4.0;
  const double weighted_max = *lambda_max_from_gradient(l1.lambda_max, g, weights, {});
  double expected = 0.0;
  for (int i = 0; i < 24; ++i)
    expected = std::max(expected, std::abs(gradient[i]) / weights[static_cast<std::size_t>(i)]);
  EXPECT_DOUBLE_EQ(weighted_max, expected);
  // group_l2: the largest group norm of g.
  const ProxDefinition& group =
      ProxComponent::make("group_l2", {{"lambda", 1.0}}, {{"groups", {8, 16}}}).definition();
  const std::vector<double> sizes = {8, 16};
  const double group_max = *lambda_max_from_gradient(group.lambda_max, g, {}, sizes);
  EXPECT_DOUBLE_EQ(group_max, std::max(gradient.head(8).norm(), gradient.tail(16).norm()));
  const auto group_prox = [&](double lambda) {
    return "group_l2(lambda=" + text(lambda) + ", groups=[8, 16])";
  };
  EXPECT_EQ(solve(group_prox(group_max * (1 + 1e-9))).norm(), 0.0);
  EXPECT_GT(solve(group_prox(group_max * 0.95)).norm(), 0.0);
  // Lists that do not fit the gradient give no answer rather than a wrong one.
  EXPECT_FALSE(lambda_max_from_gradient(group.lambda_max, g, {}, std::vector<double>{8, 8}));
  EXPECT_FALSE(lambda_max_from_gradient(LambdaMaxRule{}, g, {}, {}));
}

}  // namespace
}  // namespace proxjit
