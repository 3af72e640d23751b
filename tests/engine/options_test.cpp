// SolverOptions::IsValid names the field it rejects; every codegen choice gives a correct kernel.
#include "proxjit/options.h"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

using testing::make_problem;

// The cache counts checked here are of each engine's own compiles: a kernel cache kept on disk
// across runs (PROXJIT_NO_CACHE turns it off) must not supply kernels compiled by earlier runs.
[[maybe_unused]] const bool kNoDiskCache = [] { return setenv("PROXJIT_NO_CACHE", "1", 1) == 0; }();

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SolverOptionsIsValid, DefaultsAreValid) {
  const SolverOptions options;
  std::string error = "untouched";
  EXPECT_TRUE(options.IsValid(&error));
  EXPECT_TRUE(options.IsValid(nullptr));
  EXPECT_EQ(options.step, 0.0);  // automatic
  EXPECT_GT(options.max_iterations, 0);
  EXPECT_GT(options.tolerance, 0.0);
  EXPECT_EQ(options.repeat, 1);
  EXPECT_EQ(options.x0.size(), 0);
}

TEST(SolverOptionsIsValid, UsableNonDefaultValuesAreValid) {
  SolverOptions options;
  options.step = 1e-3;
  options.max_iterations = 1;
  options.tolerance = 0.0;
  options.repeat = 5;
  options.scalar = ScalarType::f32;
  options.backend = Backend::reference;
  options.x0 = Vector::Constant(4, -2.5);
  for (int level = 0; level <= 3; ++level) {
    for (int width : {0, 128, 256, 512}) {
      options.codegen.optimization_level = level;
      options.codegen.prefer_vector_width = width;
      std::string error;
      EXPECT_TRUE(options.IsValid(&error))
          << "level " << level << ", width " << width << ": " << error;
    }
  }
}

struct InvalidCase {
  std::string what;                            // for the trace
  std::function<void(SolverOptions&)> change;  // makes exactly one field invalid
  std::string field;                           // the message must name it
};

std::vector<InvalidCase> invalid_cases() {
  return {
      {"step -1", [](SolverOptions& o) { o.step = -1.0; }, "step"},
      {"step -tiny", [](SolverOptions& o) { o.step = -1e-300; }, "step"},
      {"step NaN", [](SolverOptions& o) { o.step = kNaN; }, "step"},
      {"step inf", [](SolverOptions& o) { o.step = kInf; }, "step"},
      {"step -inf", [](SolverOptions& o) { o.step = -kInf; }, "step"},
      {"max_iterations 0", [](SolverOptions& o) { o.max_iterations = 0; }, "max_iterations"},
      {"max_iterations -5", [](SolverOptions& o) { o.max_iterations = -5; }, "max_iterations"},
      {"tolerance -1e-9", [](SolverOptions& o) { o.tolerance = -1e-9; }, "tolerance"},
      {"tolerance NaN", [](SolverOptions& o) { o.tolerance = kNaN; }, "tolerance"},
      {"tolerance inf", [](SolverOptions& o) { o.tolerance = kInf; }, "tolerance"},
      {"repeat 0", [](SolverOptions& o) { o.repeat = 0; }, "repeat"},
      {"repeat -1", [](SolverOptions& o) { o.repeat = -1; }, "repeat"},
      {"optimization_level 4", [](SolverOptions& o) { o.codegen.optimization_level = 4; },
       "codegen.optimization_level"},
      {"optimization_level -1", [](SolverOptions& o) { o.codegen.optimization_level = -1; },
       "codegen.optimization_level"},
      {"prefer_vector_width 300", [](SolverOptions& o) { o.codegen.prefer_vector_width = 300; },
       "codegen.prefer_vector_width"},
      {"prefer_vector_width -128", [](SolverOptions& o) { o.codegen.prefer_vector_width = -128; },
       "codegen.prefer_vector_width"},
      {"x0 NaN",
       [](SolverOptions& o) {
         o.x0 = Vector::Zero(5);
         o.x0[3] = kNaN;
       },
       "x0"},
      {"x0 inf",
       [](SolverOptions& o) {
         o.x0 = Vector::Zero(5);
         o.x0[0] = -kInf;
       },
       "x0"},
  };
}

TEST(SolverOptionsIsValid, EachInvalidFieldIsRejectedByName) {
  for (const InvalidCase& c : invalid_cases()) {
    SCOPED_TRACE(c.what);
    SolverOptions options;
    c.change(options);
    std::string error;
    EXPECT_FALSE(options.IsValid(&error));
    EXPECT_NE(error.find(c.field), std::string::npos) << "message: " << error;
    // Without a place for the message it still answers, and does not crash.
    EXPECT_FALSE(options.IsValid(nullptr));
  }
}

TEST(SolverOptionsIsValid, X0MessageNamesTheEntry) {
  SolverOptions options;
  options.x0 = Vector::Zero(5);
  options.x0[3] = kNaN;
  std::string error;
  ASSERT_FALSE(options.IsValid(&error));
  EXPECT_NE(error.find("entry 3"), std::string::npos) << error;
}

TEST(SolverOptionsIsValid, ValidOptionsLeaveTheMessageAlone) {
  SolverOptions options;
  std::string error = "previous";
  ASSERT_TRUE(options.IsValid(&error));
  EXPECT_EQ(error, "previous");
}

// Every optimization level, and every vector width preference, compiles a kernel that solves
// the problem to the reference solver's answer.
class OptimizationLevel : public ::testing::TestWithParam<int> {};

void expect_jit_matches_reference(Engine& engine, const Problem& problem,
                                  const SolverOptions& jit_options) {
  SCOPED_TRACE(problem.describe());
  SolverOptions options = jit_options;
  options.tolerance = 1e-12;
  options.max_iterations = 200000;
  options.fallback_to_reference = false;
  options.backend = Backend::reference;
  const Summary reference = engine.solve(problem, options);
  options.backend = Backend::jit;
  const Summary jit = engine.solve(problem, options);
  ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
  EXPECT_EQ(jit.source, KernelSource::compiled);
  EXPECT_EQ(reference.status, SolveStatus::converged) << reference.message;
  EXPECT_EQ(jit.status, SolveStatus::converged) << jit.message;
  EXPECT_LE(jit.certificate, options.tolerance);
  EXPECT_LE((jit.x - reference.x).norm(), 1e-10 * std::max(1.0, reference.x.norm()))
      << "jit " << jit.x.transpose() << "\nref " << reference.x.transpose();
}

TEST_P(OptimizationLevel, JitAgreesWithReference) {
  Engine engine;
  SolverOptions options;
  options.codegen.optimization_level = GetParam();
  std::string error;
  ASSERT_TRUE(options.IsValid(&error)) << error;
  // Sizes that are not multiples of the 8 lanes.
  expect_jit_matches_reference(engine, make_problem("quadratic", "l1(lambda=0.1)", 13, 13, 5),
                               options);
  expect_jit_matches_reference(
      engine, make_problem("least_squares", "box(lo=-0.3, hi=0.2)", 11, 29, 6), options);
  EXPECT_EQ(engine.cache_stats().compiles, 2);
}

INSTANTIATE_TEST_SUITE_P(Levels, OptimizationLevel, ::testing::Values(0, 1, 2, 3),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "O" + std::to_string(info.param);
                         });

TEST(CodegenOptions, EveryVectorWidthAgreesWithReference) {
  Engine engine;
  for (int width : {0, 128, 256, 512}) {
    SCOPED_TRACE("prefer_vector_width " + std::to_string(width));
    SolverOptions options;
    options.codegen.prefer_vector_width = width;
    expect_jit_matches_reference(engine, make_problem("quadratic", "nonneg", 19, 19, 7), options);
  }
  EXPECT_EQ(engine.cache_stats().compiles, 4);
}

TEST(CodegenOptions, AreInTheKernelKey) {
  Engine engine;
  const Problem problem = make_problem("quadratic", "l1(lambda=0.1)", 9, 9, 8);
  std::vector<std::string> keys;
  for (int level = 0; level <= 3; ++level) {
    SolverOptions options;
    options.codegen.optimization_level = level;
    keys.push_back(engine.kernel_key(problem, options));
  }
  SolverOptions wide;
  wide.codegen.prefer_vector_width = 512;
  keys.push_back(engine.kernel_key(problem, wide));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::unique(keys.begin(), keys.end()), keys.end());
}

}  // namespace
}  // namespace proxjit
