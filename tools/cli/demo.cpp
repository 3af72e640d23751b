// `proxjit demo`: the seed problem from the article, run through the reference backend and the
// JIT, with the first-call compile cost, steady-state run times, a cache hit for a second
// lambda, and a check that both paths agree.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <random>

#include "../text_util.h"
#include "commands.h"
#include "common.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::cli {
namespace {

using tools::duration;

constexpr int kSize = 50;
constexpr double kStep = 1e-3;
constexpr std::int64_t kIterations = 20000;
constexpr double kAgreementTolerance = 1e-9;

struct DemoFlags {
  int repeat = 5;
  CacheFlags cache;
};

struct SeedData {
  Matrix A;
  Vector b;
};

// A = M'M/50 + 0.1 I with M standard normal: symmetric positive definite. Fixed seed, so every
// run solves the same problem.
SeedData seed_data() {
  std::mt19937 generator(0);
  std::normal_distribution<double> normal(0.0, 1.0);
  Matrix M(kSize, kSize);
  for (Eigen::Index i = 0; i < M.rows(); ++i) {
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      M(i, j) = normal(generator);
  }
  SeedData data;
  data.A = M.transpose() * M / double(kSize);
  data.A.diagonal().array() += 0.1;
  // Exactly symmetric, whatever order the product summed in.
  data.A = (0.5 * (data.A + data.A.transpose())).eval();
  data.b.resize(kSize);
  for (Eigen::Index i = 0; i < data.b.size(); ++i)
    data.b(i) = normal(generator);
  return data;
}

// max_i |a_i - b_i| relative to the size of the reference solution a.
double max_relative_difference(const Vector& reference, const Vector& other) {
  if (reference.size() != other.size()) return std::numeric_limits<double>::infinity();
  const double scale =
      std::max(reference.lpNorm<Eigen::Infinity>(), std::numeric_limits<double>::min());
  return (reference - other).lpNorm<Eigen::Infinity>() / scale;
}

void row(const char* label, const std::string& value) {
  std::printf("  %-44s %s\n", label, value.c_str());
}

// A solve that could not run at all ends the demo.
void require_ran(const Summary& summary, const char* what) {
  if (summary.status == SolveStatus::error) {
    throw Error(std::string(what) + " failed: " + summary.message);
  }
}

int run_demo(const DemoFlags& flags) {
  const SeedData data = seed_data();
  const Problem problem = Problem::parse("quadratic", "l1(lambda=0.1)", data.A, data.b);
  const Problem second_problem = problem.with_prox(ProxComponent::parse("l1(lambda=0.2)"));

  SolverOptions options;
  options.algorithm = Algorithm::proximal_gradient;  // the article's loop
  options.step = kStep;
  options.max_iterations = kIterations;
  options.tolerance = 0.0;

  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  SolverOptions reference_options = options;
  reference_options.backend = Backend::reference;
  reference_options.repeat = flags.repeat;
  const Summary reference = engine.solve(problem, reference_options);
  require_ran(reference, "the reference solve");

  SolverOptions jit_options = options;
  jit_options.backend = Backend::jit;
  const Summary first_call = engine.solve(problem, jit_options);
  require_ran(first_call, "the first JIT solve");

  SolverOptions steady_options = jit_options;
  steady_options.repeat = flags.repeat;
  const Summary steady = engine.solve(problem, steady_options);
  require_ran(steady, "the steady-state JIT solve");

  const Summary second_lambda = engine.solve(second_problem, jit_options);
  require_ran(second_lambda, "the second-lambda JIT solve");
  SolverOptions second_reference_options = reference_options;
  second_reference_options.repeat = 1;
  const Summary second_reference = engine.solve(second_problem, second_reference_options);
  require_ran(second_reference, "the second-lambda reference solve");

  std::printf("proxjit demo: %s, %d variables\n", problem.describe().c_str(), kSize);
  std::printf("  A = M'M/%d + 0.1 I and b with standard normal entries (std::mt19937, seed 0)\n",
              kSize);
  std::printf("  step %s, %lld iterations (tol 0: every iteration runs)\n\n",
              number_text(kStep, 6).c_str(), static_cast<long long>(kIterations));

  if (first_call.backend != Backend::jit) {
    std::printf("  note: the JIT was not used (%s); JIT rows show the reference fallback\n\n",
                first_call.message.c_str());
  }

  const Timings& compile = first_call.timing;
  const char* origin = first_call.source == KernelSource::disk       ? "loaded from the disk cache"
                       : first_call.source == KernelSource::compiled ? "compiled"
                                                                     : "not compiled";
  std::printf("First JIT call (kernel %s)\n", origin);
  if (!first_call.cache_note.empty()) row("cache note", first_call.cache_note);
  row("one-time JIT setup", duration(compile.setup_s));
  row("IR generation", duration(compile.ir_s));
  row("optimization", duration(compile.optimize_s));
  row("machine code generation", duration(compile.codegen_s));
  row("link", duration(compile.link_s));
  row("disk cache I/O", duration(compile.cache_io_s));
  row("compile total (all of the above)", duration(compile.compile_s));
  row("first call (lookup + compile + one run)", duration(compile.first_call_s));

  std::printf("\nSteady state, %lld iterations (best of %d)\n", static_cast<long long>(kIterations),
              flags.repeat);
  row("reference backend (plain C++)", duration(reference.timing.run_s));
  row("JIT kernel", duration(steady.timing.run_s));
  char speedup[32];
  std::snprintf(speedup, sizeof speedup, "%.2fx",
                steady.timing.run_s > 0 ? reference.timing.run_s / steady.timing.run_s : 0.0);
  row("speedup JIT vs reference", speedup);

  std::printf("\nSecond lambda, %s (same structure, so the same kernel)\n",
              second_problem.r().describe().c_str());
  row("cache hit", second_lambda.cache_hit ? "yes" : "no");
  row("lookup", duration(second_lambda.timing.lookup_s));
  row("compile", second_lambda.timing.compile_s > 0 ? duration(second_lambda.timing.compile_s)
                                                    : std::string("none"));
  row("run", duration(second_lambda.timing.run_s));

  const double difference = max_relative_difference(reference.x, steady.x);
  const double second_difference = max_relative_difference(second_reference.x, second_lambda.x);
  std::printf("\nAgreement of the reference and JIT solutions\n");
  row("max relative difference of x, lambda=0.1", number_text(difference, 3));
  row("max relative difference of x, lambda=0.2", number_text(second_difference, 3));
  row("objective, reference (lambda=0.1)", number_text(reference.objective, 15));
  row("objective, JIT (lambda=0.1)", number_text(steady.objective, 15));

  std::printf(
      "\nFor context, the article's numba figures (other hardware, not measured here):\n"
      "  first call ~1.4 s, steady state ~54 ms per %lld iterations\n",
      static_cast<long long>(kIterations));

  const double worst = std::max(difference, second_difference);
  if (!(worst <= kAgreementTolerance)) {
    std::fprintf(stderr,
                 "proxjit demo: the reference and JIT solutions differ by %s relative "
                 "(allowed %.0e)\n",
                 number_text(worst, 3).c_str(), kAgreementTolerance);
    return kExitSolveError;
  }
  return kExitOk;
}

}  // namespace

Command add_demo_command(CLI::App& root) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* app = root.add_subcommand(
      "demo",
      "Seed problem (quadratic + L1, 50 variables): reference vs JIT speed, compile cost, "
      "cache hit, agreement.");
  app->add_option("--repeat", flags->repeat, "Steady-state runs; the best time is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_cache_flags(*app, flags->cache);
  app->footer(
      "Examples:\n"
      "  proxjit demo\n"
      "  proxjit demo --no-cache      (always pay the compile in the first-call row)\n"
      "Exit status: 0 when the reference and JIT solutions agree to 1e-9 relative, 1 otherwise.");
  return {app, [flags] { return run_demo(*flags); }};
}

}  // namespace proxjit::cli
