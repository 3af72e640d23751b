// Progress through the kernels' hook: traces, callbacks, time limits and interrupts, the same
// on the JIT and the reference backend.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

class Progress : public ::testing::TestWithParam<Backend> {
 protected:
  SolverOptions options() const {
    SolverOptions o;
    o.backend = GetParam();
    o.fallback_to_reference = false;
    o.tolerance = 0.0;
    return o;
  }
  Engine engine_{EngineOptions{.disk_cache = false}};
  Problem problem_ = testing::make_problem("least_squares", "l1(lambda=0.02)", 20, 50, 5);
};

TEST_P(Progress, TraceHasARowEveryKIterationsWithAFallingObjective) {
  SolverOptions o = options();
  o.max_iterations = 100;
  o.trace_every = 10;
  const Summary s = engine_.solve(problem_, o);
  ASSERT_EQ(s.trace.size(), 10u);
  for (std::size_t i = 0; i < s.trace.size(); ++i) {
    EXPECT_EQ(s.trace[i].iteration, static_cast<std::int64_t>(10 * (i + 1)));
    EXPECT_EQ(s.trace[i].step, s.step);
    // Proximal gradient with step <= 1/L never increases the objective.
    if (i > 0) EXPECT_LE(s.trace[i].objective, s.trace[i - 1].objective + 1e-14);
    if (i > 0) EXPECT_GE(s.trace[i].seconds, s.trace[i - 1].seconds);
  }
  EXPECT_NEAR(s.trace.back().objective, s.objective, 1e-12 * std::abs(s.objective));
  EXPECT_EQ(s.trace.back().certificate, s.certificate);
}

TEST_P(Progress, CallbackCanStopTheRun) {
  SolverOptions o = options();
  o.max_iterations = 1000;
  o.trace_every = 5;
  std::int64_t calls = 0;
  o.callback = [&](const IterationReport& report) {
    ++calls;
    EXPECT_EQ(report.x->size(), problem_.variables());
    EXPECT_NEAR(problem_.objective(*report.x), report.objective, 1e-12);
    return report.iteration < 30;
  };
  const Summary s = engine_.solve(problem_, o);
  EXPECT_EQ(s.status, SolveStatus::interrupted);
  EXPECT_EQ(s.iterations, 30);
  EXPECT_EQ(calls, 6);
  EXPECT_NE(s.message.find("interrupted"), std::string::npos);
}

TEST_P(Progress, ExceptionFromTheCallbackReachesTheCaller) {
  SolverOptions o = options();
  o.max_iterations = 100;
  o.trace_every = 7;
  o.callback = [](const IterationReport& report) -> bool {
    if (report.iteration >= 14) throw std::runtime_error("stop here");
    return true;
  };
  EXPECT_THROW(engine_.solve(problem_, o), std::runtime_error);
}

TEST_P(Progress, TimeLimitStopsALongRun) {
  SolverOptions o = options();
  o.max_iterations = 1'000'000'000;
  o.max_time = 0.02;
  const Summary s = engine_.solve(problem_, o);
  EXPECT_EQ(s.status, SolveStatus::max_time);
  EXPECT_LT(s.iterations, o.max_iterations);
  EXPECT_GE(s.timing.run_s, 0.02);
  EXPECT_LT(s.timing.run_s, 5.0);  // stopped, not run to the budget
  EXPECT_NE(s.message.find("time limit"), std::string::npos);
}

TEST_P(Progress, InterruptFlagStopsAtTheNextCheck) {
  std::atomic<bool> interrupt{true};
  SolverOptions o = options();
  o.max_iterations = 1'000'000;
  o.interrupt = &interrupt;
  const Summary s = engine_.solve(problem_, o);
  EXPECT_EQ(s.status, SolveStatus::interrupted);
  EXPECT_LE(s.iterations, 64);
}

TEST_P(Progress, ConvergenceStillEndsTheRunFirst) {
  SolverOptions o = options();
  o.tolerance = 1e-8;
  o.max_iterations = 100000;
  o.trace_every = 3;
  const Summary s = engine_.solve(problem_, o);
  EXPECT_EQ(s.status, SolveStatus::converged);
  EXPECT_EQ(static_cast<std::int64_t>(s.trace.size()), s.iterations / 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, Progress, ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(ProgressAgreement, JitAndReferenceTracesMatch) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("quadratic", "box(lo=-0.5, hi=0.5)", 30, 30, 8);
  SolverOptions o;
  o.tolerance = 0;
  o.max_iterations = 200;
  o.trace_every = 20;
  o.backend = Backend::reference;
  const Summary reference = engine.solve(problem, o);
  o.backend = Backend::jit;
  const Summary jit = engine.solve(problem, o);
  ASSERT_EQ(jit.trace.size(), reference.trace.size());
  for (std::size_t i = 0; i < jit.trace.size(); ++i) {
    EXPECT_EQ(jit.trace[i].iteration, reference.trace[i].iteration);
    EXPECT_NEAR(jit.trace[i].objective, reference.trace[i].objective,
                1e-12 * std::abs(reference.trace[i].objective));
    EXPECT_NEAR(jit.trace[i].certificate, reference.trace[i].certificate,
                1e-9 * reference.trace[i].certificate + 1e-14);
  }
}

TEST(ProgressOptions, CallbackWithoutTraceEveryIsRejected) {
  SolverOptions o;
  o.callback = [](const IterationReport&) { return true; };
  std::string why;
  EXPECT_FALSE(o.IsValid(&why));
  EXPECT_NE(why.find("trace_every"), std::string::npos);
  o.trace_every = -1;
  EXPECT_FALSE(o.IsValid(&why));
  o.trace_every = 1;
  o.max_time = -1;
  EXPECT_FALSE(o.IsValid(&why));
  EXPECT_NE(why.find("max_time"), std::string::npos);
}

}  // namespace
}  // namespace proxjit

namespace proxjit {
namespace {

class ObjectiveTolerance : public ::testing::TestWithParam<Backend> {};

TEST_P(ObjectiveTolerance, StopsWhenTheObjectiveStallsAndSaysSo) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Problem problem = testing::make_problem("least_squares", "l1(lambda=0.02)", 20, 50, 5);
  SolverOptions o;
  o.backend = GetParam();
  o.tolerance = 0;  // only the objective rule can end the run early
  o.max_iterations = 100000;
  o.objective_tolerance = 1e-9;
  const Summary s = engine.solve(problem, o);
  EXPECT_EQ(s.status, SolveStatus::converged);
  EXPECT_LT(s.iterations, 100000);
  EXPECT_EQ(s.iterations % 10, 0);  // checked every 10 iterations without a trace
  EXPECT_NE(s.message.find("relative objective change"), std::string::npos) << s.message;
  // A tighter rule runs longer and ends no higher.
  o.objective_tolerance = 1e-13;
  const Summary tighter = engine.solve(problem, o);
  EXPECT_GT(tighter.iterations, s.iterations);
  EXPECT_LE(tighter.objective, s.objective + 1e-15);
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectiveTolerance,
                         ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

}  // namespace
}  // namespace proxjit
