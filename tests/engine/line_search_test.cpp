// Proximal gradient with Beck-Teboulle backtracking: it needs no Lipschitz constant, it never
// increases the objective, and the JIT and the reference reach the same optimum.
#include <gtest/gtest.h>

#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

SolverOptions line_search_options(Backend backend) {
  SolverOptions o;
  o.backend = backend;
  o.fallback_to_reference = false;
  o.line_search = true;
  o.tolerance = 1e-10;
  o.max_iterations = 200000;
  return o;
}

TEST(LineSearch, JitAndReferenceReachTheSameOptimumForEveryPair) {
  Engine engine(EngineOptions{.disk_cache = false});
  for (const char* f : {"quadratic", "least_squares"}) {
    for (const char* r :
         {"zero", "l1(lambda=0.1)", "l2sq(lambda=0.5)", "box(lo=-0.3, hi=0.2)", "nonneg"}) {
      for (Eigen::Index d : {1, 7, 33}) {
        SCOPED_TRACE(std::string(f) + " + " + r + ", d = " + std::to_string(d));
        const Problem problem = testing::make_problem(f, r, d, 2 * d + 3, 40 + d);
        const Summary jit = engine.solve(problem, line_search_options(Backend::jit));
        const Summary reference = engine.solve(problem, line_search_options(Backend::reference));
        ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
        EXPECT_EQ(jit.status, SolveStatus::converged) << jit.message;
        EXPECT_EQ(reference.status, SolveStatus::converged) << reference.message;
        // Both stop within 1e-10 of a fixed point; the optimum is unique here (strongly convex
        // or well-posed), so the answers agree to what the certificates allow.
        EXPECT_LE((jit.x - reference.x).norm(), 1e-7 * std::max(1.0, reference.x.norm()));
        EXPECT_NEAR(jit.objective, reference.objective,
                    1e-9 * std::max(1.0, std::abs(reference.objective)));
      }
    }
  }
}

class LineSearch : public ::testing::TestWithParam<Backend> {
 protected:
  Engine engine_{EngineOptions{.disk_cache = false}};
  Problem problem_ = testing::make_problem("least_squares", "l1(lambda=0.02)", 40, 120, 77);
};

TEST_P(LineSearch, StartsFromAFarTooLargeStepAndStillConverges) {
  SolverOptions o = line_search_options(GetParam());
  o.step = 1000.0 / problem_.lipschitz();  // a fixed step this large diverges
  const Summary s = engine_.solve(problem_, o);
  EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
  SolverOptions fixed = o;
  fixed.line_search = false;
  EXPECT_EQ(engine_.solve(problem_, fixed).status, SolveStatus::diverged);
}

TEST_P(LineSearch, LetsATinyStepGrowBack) {
  SolverOptions o = line_search_options(GetParam());
  o.step = 1e-4 / problem_.lipschitz();
  const Summary grown = engine_.solve(problem_, o);
  EXPECT_EQ(grown.status, SolveStatus::converged);
  SolverOptions fixed = o;
  fixed.line_search = false;
  fixed.max_iterations = 5000;
  const Summary stuck = engine_.solve(problem_, fixed);
  EXPECT_EQ(stuck.status, SolveStatus::max_iterations);  // 1e-4/L: hopeless at a fixed step
  EXPECT_LT(grown.iterations, 5000);
}

TEST_P(LineSearch, ObjectiveNeverIncreases) {
  SolverOptions o = line_search_options(GetParam());
  o.step = 10.0 / problem_.lipschitz();
  o.tolerance = 0;
  o.max_iterations = 300;
  o.trace_every = 1;
  const Summary s = engine_.solve(problem_, o);
  ASSERT_EQ(s.trace.size(), 300u);
  for (std::size_t i = 1; i < s.trace.size(); ++i) {
    EXPECT_LE(s.trace[i].objective, s.trace[i - 1].objective * (1 + 1e-12) + 1e-15) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LineSearch, ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(LineSearchKey, BacktrackingIsPartOfTheKernelKey) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=0.1)", 4, 4, 1);
  SolverOptions o;
  const std::string fixed = engine.kernel_key(problem, o);
  o.line_search = true;
  EXPECT_NE(engine.kernel_key(problem, o), fixed);
  EXPECT_NE(engine.kernel_key(problem, o).find("pgd+backtracking"), std::string::npos);
}

}  // namespace
}  // namespace proxjit
