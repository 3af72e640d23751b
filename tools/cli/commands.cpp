#include "commands.h"

#include <cstdio>
#include <iostream>
#include <string_view>

#include "common.h"
#include "json.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit::cli {
namespace {

// ---- solve ---------------------------------------------------------------------------------

struct SolveFlags {
  ProblemFlags problem;
  KernelFlags kernel;
  double step = SolverOptions{}.step;
  std::int64_t max_iterations = SolverOptions{}.max_iterations;
  double tolerance = SolverOptions{}.tolerance;
  int repeat = SolverOptions{}.repeat;
  std::string backend = std::string(to_string(SolverOptions{}.backend));
  bool no_fallback = !SolverOptions{}.fallback_to_reference;
  std::string x0_path;
  std::string x_out_path;
  bool json = false;
  CacheFlags cache;
};

SolverOptions solver_options_from(const SolveFlags& flags) {
  SolverOptions options = kernel_options_from(flags.kernel);
  options.step = flags.step;
  options.max_iterations = flags.max_iterations;
  options.tolerance = flags.tolerance;
  options.repeat = flags.repeat;
  options.backend = backend_named(flags.backend);
  options.fallback_to_reference = !flags.no_fallback;
  if (!flags.x0_path.empty()) options.x0 = load_vector_for("--x0", flags.x0_path);
  validate_options(options);
  return options;
}

std::string summary_json(const Summary& summary, const SolverOptions& options,
                         Eigen::Index variables, const std::string& x_out_path,
                         const DiskCache* disk) {
  JsonWriter json;
  json.begin_object();
  json.field("problem", summary.problem);
  json.field("algorithm", to_string(options.algorithm));
  json.field("backend", to_string(summary.backend));
  json.field("dtype", to_string(summary.scalar));
  json.field("variables", static_cast<std::int64_t>(variables));
  json.field("status", to_string(summary.status));
  json.field("message", summary.message);
  json.field("objective", summary.objective);
  json.field("certificate", summary.certificate);
  json.field("iterations", summary.iterations);
  json.field("step", summary.step);
  json.field("max_iterations", options.max_iterations);
  json.field("tolerance", options.tolerance);
  json.field("repeat", options.repeat);
  const Timings& t = summary.timing;
  json.key("timing").begin_object();
  json.field("compile_s", t.compile_s);
  json.field("run_s", t.run_s);
  json.field("first_call_s", t.first_call_s);
  json.field("setup_s", t.setup_s);
  json.field("ir_s", t.ir_s);
  json.field("optimize_s", t.optimize_s);
  json.field("codegen_s", t.codegen_s);
  json.field("link_s", t.link_s);
  json.field("cache_io_s", t.cache_io_s);
  json.field("lookup_s", t.lookup_s);
  json.end_object();
  json.key("cache").begin_object();
  json.field("hit", summary.cache_hit);
  json.field("key", summary.kernel_key);
  json.field("source", to_string(summary.source));
  json.field("symbol", summary.kernel_symbol);
  json.field("note", summary.cache_note);
  json.key("dir");
  if (disk) {
    json.value(disk->directory().string());
  } else {
    json.null();
  }
  json.end_object();
  json.key("x_out");
  if (x_out_path.empty()) {
    json.null();
  } else {
    json.value(x_out_path);
  }
  json.end_object();
  return json.text();
}

int run_solve(const SolveFlags& flags) {
  // The engine first: its JIT set-up runs in the background while the data load.
  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  const Problem problem = load_problem(flags.problem);
  const SolverOptions options = solver_options_from(flags);
  const Summary summary = engine.solve(problem, options);
  // Write the solution before reporting, so a report that names the file can be trusted.
  if (!flags.x_out_path.empty() && summary.status != SolveStatus::error) {
    save_vector(flags.x_out_path, summary.x);
  }
  if (flags.json) {
    std::cout << summary_json(summary, options, problem.variables(), flags.x_out_path,
                              engine.disk_cache())
              << "\n";
  } else {
    std::cout << summary.FullReport();
    if (!summary.FullReport().ends_with('\n')) std::cout << "\n";
    if (options.backend == Backend::jit) {
      std::cout << "  disk cache      "
                << (engine.disk_cache() ? engine.disk_cache()->directory().string()
                                        : std::string("off"))
                << "\n";
    }
    if (!flags.x_out_path.empty()) std::cout << "solution written to " << flags.x_out_path << "\n";
  }
  return summary.status == SolveStatus::error ? kExitSolveError : kExitOk;
}

// ---- list ----------------------------------------------------------------------------------

std::string parameter_default_text(const ParameterSpec& parameter) {
  if (parameter.required) return "required";
  return "default " + format_number(parameter.default_value);
}

int run_list() {
  std::cout << "Algorithms (--algorithm)\n";
  for (const AlgorithmEntry& entry : algorithm_table()) {
    std::printf("  %-16s %s\n", entry.name.c_str(), entry.description.c_str());
  }
  std::cout << "\nSmooth terms (--f)\n";
  for (const SmoothDefinition& smooth : smooth_registry()) {
    std::printf("  %-16s %s\n", smooth.name.c_str(), smooth.formula.c_str());
    std::printf("  %-16s data: %s\n", "", smooth.data_shape.c_str());
  }
  std::cout << "\nProx terms (--r), written name(key=value, ...)\n";
  for (const ProxDefinition& prox : prox_registry()) {
    std::printf("  %-16s %s\n", prox.name.c_str(), prox.formula.c_str());
    if (prox.parameters.empty()) std::printf("  %-16s (no parameters)\n", "");
    for (const ParameterSpec& parameter : prox.parameters) {
      const std::string expected = parameter.expected.empty() ? "any number" : parameter.expected;
      std::printf("  %-16s %-8s %s  [%s; %s]\n", "", parameter.name.c_str(),
                  parameter.description.c_str(), parameter_default_text(parameter).c_str(),
                  expected.c_str());
    }
  }
  return kExitOk;
}

// ---- inspect -------------------------------------------------------------------------------

struct InspectFlags {
  ProblemFlags problem;
  KernelFlags kernel;
  std::int64_t synthetic_size = 0;
  bool ir = false;
  bool assembly = false;
  CacheFlags cache;
};

int run_inspect(const InspectFlags& flags) {
  const Problem problem = flags.synthetic_size > 0
                              ? synthetic_problem(flags.problem, flags.synthetic_size)
                              : load_problem(flags.problem);
  const SolverOptions options = kernel_options_from(flags.kernel);
  validate_options(options);
  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  std::cout << (flags.assembly ? engine.inspect_asm(problem, options)
                               : engine.inspect_ir(problem, options));
  return kExitOk;
}

}  // namespace

Command add_solve_command(CLI::App& root) {
  auto flags = std::make_shared<SolveFlags>();
  CLI::App* app = root.add_subcommand(
      "solve", "Solve min_x f(x) + r(x) once and report the answer, its certificate and timings.");
  add_problem_flags(*app, flags->problem, /*data_required=*/true);
  add_kernel_flags(*app, flags->kernel);
  app->add_option("--step", flags->step, "Fixed step size; 0 picks 1/L automatically")
      ->capture_default_str();
  app->add_option("--max-iter", flags->max_iterations, "Upper bound on iterations")
      ->capture_default_str();
  app->add_option("--tol", flags->tolerance,
                  "Stop once ||x_{k+1} - x_k|| / step <= tol (0: run every iteration)")
      ->capture_default_str();
  app->add_option("--repeat", flags->repeat,
                  "Run the solve this many times and report the best run time")
      ->capture_default_str();
  app->add_option("--backend", flags->backend, "Where the loop runs: jit or reference")
      ->check(CLI::IsMember({"jit", "reference"}))
      ->capture_default_str();
  app->add_flag("--no-fallback", flags->no_fallback,
                "Report status error if compiling fails instead of running the reference solver");
  app->add_option("--x0", flags->x0_path, "Start point (.npy or .csv); zeros when omitted")
      ->type_name("FILE");
  app->add_option("--x-out", flags->x_out_path, "Write the solution here (.npy or .csv)")
      ->type_name("FILE");
  app->add_flag("--json", flags->json, "Print one JSON object instead of the full report");
  add_cache_flags(*app, flags->cache);
  app->footer(
      "Examples:\n"
      "  proxjit solve --f quadratic --A A.npy --b b.npy --r \"l1(lambda=0.1)\" \\\n"
      "      --step 0.001 --max-iter 20000 --tol 0 --repeat 7 --json --x-out x.npy\n"
      "  proxjit solve --f quadratic --A A.npy --b b.npy --r l1 --cache-dir /tmp/kernels --json\n"
      "    (a second process with the same --cache-dir loads the kernel: \"source\": \"disk\")\n"
      "Kernel cache: --cache-dir, else $PROXJIT_CACHE_DIR, $XDG_CACHE_HOME/proxjit or\n"
      "~/.cache/proxjit; off with --no-cache or PROXJIT_NO_CACHE=1.\n"
      "Exit status: 0 when the solve ran (converged or not), 1 on status error, 2 on bad "
      "input.");
  return {app, [flags] { return run_solve(*flags); }};
}

Command add_list_command(CLI::App& root) {
  CLI::App* app = root.add_subcommand(
      "list", "List the algorithms, smooth terms and prox terms, with formulas and parameters.");
  app->footer("Example:\n  proxjit list");
  return {app, [] { return run_list(); }};
}

Command add_inspect_command(CLI::App& root) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* app = root.add_subcommand(
      "inspect", "Print the optimized LLVM IR (or assembly) of the kernel a solve would use.");
  add_problem_flags(*app, flags->problem, /*data_required=*/false);
  add_kernel_flags(*app, flags->kernel);
  app->add_option("--n", flags->synthetic_size,
                  "Use a synthetic problem with n variables instead of --A/--b "
                  "(only the shapes matter to the kernel)")
      ->check(CLI::PositiveNumber);
  CLI::Option* ir = app->add_flag("--ir", flags->ir, "Print the optimized LLVM IR (default)");
  CLI::Option* assembly = app->add_flag("--asm", flags->assembly, "Print the host assembly");
  ir->excludes(assembly);
  add_cache_flags(*app, flags->cache);
  app->footer(
      "Examples:\n"
      "  proxjit inspect --f quadratic --r \"l1(lambda=0.1)\" --n 50 --ir\n"
      "  proxjit inspect --f least_squares --r nonneg --A A.npy --b b.npy --asm");
  return {app, [flags] { return run_inspect(*flags); }};
}

Command add_unavailable_command(CLI::App& root, const std::string& name,
                                const std::string& description, const std::string& example,
                                int issue) {
  CLI::App* app = root.add_subcommand(name, description + " (not available yet)");
  // Accept any arguments so the "not available" message is what the user sees.
  app->allow_extras();
  app->footer("Example (planned, issue " + std::to_string(issue) + "):\n  " + example);
  return {app, [name, issue] {
            std::cerr << "proxjit " << name << ": not available yet (tracked in issue " << issue
                      << ")\n";
            return kExitBadInput;
          }};
}

std::vector<Command> add_all_commands(CLI::App& root) {
  return {
      add_solve_command(root),
      add_demo_command(root),
      add_list_command(root),
      add_inspect_command(root),
      add_unavailable_command(root, "repl", "Interactive session: describe and solve problems",
                              "proxjit repl", 7),
      add_unavailable_command(root, "path",
                              "Regularization path: solve for a sequence of lambdas, warm-started",
                              "proxjit path --f quadratic --A A.npy --b b.npy --r l1", 4),
      add_bench_command(root),
      add_cache_command(root),
      add_precompile_command(root),
  };
}

}  // namespace proxjit::cli
