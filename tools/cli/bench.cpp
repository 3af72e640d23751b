// `proxjit bench compile`: the compile-cost accounting table. For every built-in kernel
// signature and optimization level, a fresh engine (no disk cache) compiles the kernel and
// runs a fixed-size synthetic solve, so each -O level's compile time can be weighed against
// the run time it buys. Steady-state benchmarks against Eigen live in build/bench/proxjit_bench.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::cli {
namespace {

constexpr int kBaselineLevel = 2;  // ratios are relative to -O2, the default
constexpr int kRepeat = 3;         // best of 3 runs

struct BenchCompileFlags {
  std::vector<int> levels = {0, 1, 2, 3};
  std::int64_t size = 200;
  std::int64_t iterations = 2000;
  std::vector<std::string> dtypes;
  std::vector<std::string> signatures;
};

struct Row {
  int level = 0;
  Summary summary;
};

double ms(double seconds) {
  return seconds * 1e3;
}

int run_bench_compile(const BenchCompileFlags& flags) {
  if (flags.levels.empty()) throw Error("--opt-levels: give at least one level, e.g. 0,2");
  for (const int level : flags.levels) {
    if (level < 0 || level > 3) {
      throw Error("--opt-levels: " + std::to_string(level) + " is not a level; use 0, 1, 2 or 3");
    }
  }
  std::vector<ScalarType> scalars;
  for (const std::string& dtype : flags.dtypes)
    scalars.push_back(scalar_named(dtype, "--dtype"));
  if (scalars.empty()) scalars.push_back(ScalarType::f64);
  std::vector<KernelSignature> signatures;
  if (flags.signatures.empty()) {
    signatures = builtin_signatures(scalars);
  } else {
    for (const std::string& text : flags.signatures) {
      const KernelSignature parsed = parse_signature(text, ScalarType::f64, "--signature");
      if (parsed.sparse) {
        throw Error("--signature \"" + text +
                    "\": bench compile solves dense synthetic data; drop 'sparse'");
      }
      for (const KernelSignature& typed : for_each_dtype(parsed, scalars))
        signatures.push_back(typed);
    }
  }
  const bool has_baseline =
      std::find(flags.levels.begin(), flags.levels.end(), kBaselineLevel) != flags.levels.end();
  const int baseline = has_baseline ? kBaselineLevel : flags.levels.front();

  std::printf(
      "Compile cost per kernel: a fresh engine per row (no disk cache); run = best of %d "
      "solves, n = %lld, %lld iterations (tol 0)\n",
      kRepeat, static_cast<long long>(flags.size), static_cast<long long>(flags.iterations));
  std::printf("%-39s %3s %8s %11s %10s %8s %11s %10s %8s\n", "signature", "-O", "IR ms",
              "optimize ms", "codegen ms", "link ms", "compile ms", "run ms",
              ("vs -O" + std::to_string(baseline)).c_str());
  std::vector<double> setups;
  for (const KernelSignature& signature : signatures) {
    const Problem problem = synthetic_problem(SmoothComponent::make(signature.smooth->name),
                                              sample_prox(*signature.prox, flags.size), flags.size);
    std::vector<Row> rows;
    for (const int level : flags.levels) {
      SolverOptions options;
      options.scalar = signature.scalar;
      options.tolerance = 0.0;
      options.max_iterations = flags.iterations;
      options.repeat = kRepeat;
      options.codegen.optimization_level = level;
      validate_options(options);
      EngineOptions fresh;
      fresh.disk_cache = false;  // every row pays its own compile
      Engine engine(fresh);
      rows.push_back({level, engine.solve(problem, options)});
      setups.push_back(rows.back().summary.timing.setup_s);
    }
    double baseline_run = 0.0;
    for (const Row& row : rows) {
      if (row.level == baseline) baseline_run = row.summary.timing.run_s;
    }
    for (const Row& row : rows) {
      const Timings& t = row.summary.timing;
      const double compile = t.ir_s + t.optimize_s + t.codegen_s + t.link_s;
      char speed[32];
      std::snprintf(speed, sizeof speed, "%.2fx", t.run_s > 0 ? baseline_run / t.run_s : 0.0);
      std::printf("%-39s %3d %8.2f %11.2f %10.2f %8.2f %11.2f %10s %8s\n", signature.text().c_str(),
                  row.level, ms(t.ir_s), ms(t.optimize_s), ms(t.codegen_s), ms(t.link_s),
                  ms(compile), number_text(ms(t.run_s), 4).c_str(), speed);
      if (row.summary.backend != Backend::jit) {
        std::printf("  note: ran the reference backend: %s\n", row.summary.message.c_str());
      }
    }
  }
  std::sort(setups.begin(), setups.end());
  std::printf("\nvs -O%d: run time at -O%d / run time at this level (above 1: faster than -O%d)\n",
              baseline, baseline, baseline);
  std::printf(
      "compile ms = IR + optimize + codegen + link. A new process also waits for the one-time "
      "JIT set-up,\nwhich starts in the background when its Engine is made (median wait here "
      "%.2f ms).\n",
      setups.empty() ? 0.0 : ms(setups[setups.size() / 2]));
  return kExitOk;
}

void add_bench_compile_flags(CLI::App& app, BenchCompileFlags& flags) {
  app.add_option("--opt-levels", flags.levels, "Optimization levels to compare, e.g. 0,2")
      ->delimiter(',')
      ->type_name("LIST")
      ->capture_default_str();
  app.add_option("--n", flags.size, "Variables of the synthetic problem each kernel solves")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--iterations", flags.iterations, "Iterations per solve (tol 0: all run)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--dtype", flags.dtypes, "Scalar type(s), repeatable (default float64)")
      ->type_name("float64|float32");
  app.add_option("--signature", flags.signatures,
                 "Only these kernels, \"SMOOTH PROX [DTYPE] [dense]\" (default: every built-in "
                 "one)")
      ->type_name("TEXT");
}

}  // namespace

Command add_bench_command(CLI::App& root) {
  auto flags = std::make_shared<BenchCompileFlags>();
  CLI::App* app = root.add_subcommand(
      "bench", "Benchmarks: `bench compile` is the compile-cost table (the default).");
  app->require_subcommand(0, 1);
  CLI::App* compile = app->add_subcommand(
      "compile",
      "For each built-in kernel and -O level: IR, optimize, codegen and link time, and the run "
      "time it buys");
  add_bench_compile_flags(*compile, *flags);
  compile->footer(
      "Examples:\n"
      "  proxjit bench compile\n"
      "  proxjit bench compile --opt-levels 0,2 --n 1000 --iterations 500 --dtype float32\n"
      "  proxjit bench compile --signature \"quadratic l1\" --opt-levels 0,1,2,3");
  app->footer(
      "Examples:\n"
      "  proxjit bench compile --opt-levels 0,2\n"
      "  proxjit bench          (the same as 'bench compile' with its defaults)\n"
      "Steady-state run times against a hand-written Eigen loop (-O3 -march=native):\n"
      "  build/bench/proxjit_bench");
  return {app, [flags, compile] {
            if (!compile->parsed()) {
              std::cerr << "proxjit bench: running 'bench compile' (see 'proxjit bench compile "
                           "--help'); for steady-state run times against Eigen run "
                           "build/bench/proxjit_bench\n";
            }
            return run_bench_compile(*flags);
          }};
}

}  // namespace proxjit::cli
