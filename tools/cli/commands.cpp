#include "commands.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include "common.h"

#include "json.h"
#include "model_commands.h"
#include "output_files.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/number_text.h"
#include "proxjit/runtime/user_components.h"
#include "repl.h"
#include "solve_progress.h"
#include "svg_plot.h"

namespace proxjit::cli {
namespace {

// ---- solve ---------------------------------------------------------------------------------

// --trace-every not given (no one types this number): the interval of auto_trace_every.
constexpr std::int64_t kAutomaticTraceEvery = std::numeric_limits<std::int64_t>::min();

struct SolveFlags {
  ProblemFlags problem;
  SettingFlags settings;  // --algorithm, --step, --max-iter, --tol, ... (settings.h)
  bool no_fallback = !SolverOptions{}.fallback_to_reference;
  std::string x0_path;
  std::string x_out_path;
  std::string model_out_path;  // --model-out (required by `fit`)
  bool json = false;
  std::int64_t trace_every = kAutomaticTraceEvery;  // given: >= 1
  std::string trace_path;
  std::string plot_path;
  bool verbose = false;
  bool no_progress = false;
  CacheFlags cache;
};

// --trace-every when not given: every row costs an objective evaluation (about one
// iteration's work), so rows are spread over the iteration budget and capped at 1000
// iterations apart (a run stopped early by --tol or --max-time still gets rows).
//   --trace / --plot:            max(1, min(1000, max_iter / 200))   about 200 rows
//   --verbose alone:             max(1, min(1000, max_iter / 50))    about 50 table rows
//   the terminal progress line:  max(1, min(1000, max_iter / 100))   (refreshes <= 5 per s)
//   nothing that needs rows:     0 (no trace, no callback)
std::int64_t auto_trace_every(const SolveFlags& flags, std::int64_t max_iterations,
                              bool progress_line) {
  const auto spread = [&](std::int64_t rows) {
    return std::max<std::int64_t>(1, std::min<std::int64_t>(1000, max_iterations / rows));
  };
  if (!flags.trace_path.empty() || !flags.plot_path.empty()) return spread(200);
  if (flags.verbose) return spread(50);
  if (progress_line) return spread(100);
  return 0;
}

SolverOptions solver_options_from(const SolveFlags& flags) {
  SolverOptions options = apply_setting_flags(flags.settings, default_solver_options());
  options.fallback_to_reference = !flags.no_fallback;
  if (flags.trace_every != kAutomaticTraceEvery && flags.trace_every < 1) {
    throw Error(
        "--trace-every: expected a whole number of iterations >= 1 (leave it out for the "
        "automatic interval); got " +
        std::to_string(flags.trace_every));
  }
  options.trace_every = flags.trace_every;  // automatic: resolved by run_solve
  if (!flags.x0_path.empty()) options.x0 = load_vector_for("--x0", flags.x0_path);
  SolverOptions checked = options;
  if (checked.trace_every < 0) checked.trace_every = 0;
  validate_options(checked);
  return options;
}

std::string summary_json(const Summary& summary, const SolverOptions& options,
                         Eigen::Index variables, const std::string& x_out_path,
                         const std::string& model_out_path, const DiskCache* disk) {
  JsonWriter json;
  json.begin_object();
  json.field("problem", summary.problem);
  json.field("algorithm", to_string(summary.algorithm));
  json.field("backend", to_string(summary.backend));
  json.field("dtype", to_string(summary.scalar));
  json.field("variables", static_cast<std::int64_t>(variables));
  json.field("status", std::string(to_string(summary.status)));
  json.field("message", summary.message);
  json.field("objective", summary.objective);
  json.field("certificate", summary.certificate);
  json.field("duality_gap", summary.duality_gap);
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
  json.key("model_out");
  if (model_out_path.empty()) {
    json.null();
  } else {
    json.value(model_out_path);
  }
  json.end_object();
  return json.text();
}

// A run this short gets a row for every iteration in its --trace and --plot.
constexpr std::int64_t kShortRunIterations = 200;
constexpr double kShortRunSeconds = 0.5;

// The rows --trace and --plot show: the start (iteration 0: the objective at x0; no certificate
// before a step), the engine's rows, and the last iteration (from the Summary when it was not a
// trace point). A short run with the automatic interval is replayed recording every iteration;
// its rows are used only when the replay is the same run (same status, iterations and x).
void complete_trace(Engine& engine, const Problem& problem, const SolverOptions& options,
                    bool automatic_interval, Summary& summary) {
  if (summary.status == SolveStatus::error) return;
  const bool deterministic_end =
      summary.status == SolveStatus::converged || summary.status == SolveStatus::max_iterations;
  if (automatic_interval && options.trace_every > 1 && deterministic_end &&
      summary.iterations <= kShortRunIterations && summary.timing.run_s <= kShortRunSeconds) {
    SolverOptions replay = options;
    replay.trace_every = 1;
    replay.callback = nullptr;  // the table and progress line saw the run already
    replay.repeat = 1;
    Summary again = engine.solve(problem, replay);
    if (again.status == summary.status && again.iterations == summary.iterations &&
        again.x.size() == summary.x.size() && again.x == summary.x) {
      summary.trace = std::move(again.trace);
    }
  }
  if (summary.trace.empty() || summary.trace.back().iteration != summary.iterations) {
    summary.trace.push_back({summary.iterations, summary.timing.run_s, summary.objective,
                             summary.certificate, summary.step});
  }
  if (summary.trace.front().iteration != 0) {
    const Vector x0 = options.x0.size() ? options.x0 : Vector::Zero(problem.variables());
    summary.trace.insert(summary.trace.begin(),
                         TraceRow{0, 0.0, problem.objective(x0, options.scalar),
                                  std::numeric_limits<double>::quiet_NaN(), summary.step});
  }
}

// The human report, ending with a newline.
std::string full_report(const Summary& summary) {
  std::string report = summary.FullReport();
  if (!report.ends_with('\n')) report += "\n";
  return report;
}

int run_solve(const SolveFlags& flags) {
  // Before any work: an output must not replace an input, nor another output.
  std::vector<NamedFile> inputs = problem_input_files(flags.problem);
  inputs.push_back({"--x0", flags.x0_path});
  check_output_files(
      inputs,
      {{"--x-out", flags.x_out_path},
       {"--trace", flags.trace_path},
       {"--plot", flags.plot_path},
       {"--model-out", flags.model_out_path}});
  // The engine first: its JIT set-up runs in the background while the data load.
  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  SolverOptions options = solver_options_from(flags);
  std::optional<ProblemData> data;
  if (flags.problem.dimension <= 0) {
    data.emplace(load_problem_data(flags.problem));
    if (data->classes && data->classes->classes.size() > 2 && !flags.model_out_path.empty()) {
      return run_one_vs_rest(engine, *data, options,
                             {flags.model_out_path, flags.json, flags.verbose,
                              !flags.x_out_path.empty() || !flags.trace_path.empty() ||
                                  !flags.plot_path.empty()});
    }
  }
  const Problem problem = data ? data->binary_problem(/*note=*/true) : load_problem(flags.problem);

  // The progress line is for a person at a terminal: never on a pipe or a file, and not
  // under --verbose (whose table is the progress display).
  const bool progress_line = !flags.no_progress && !flags.verbose && stderr_is_terminal();
  if (options.trace_every < 0) {
    options.trace_every = auto_trace_every(flags, options.max_iterations, progress_line);
  }

  // --verbose prints on stdout, or on stderr when stdout carries the JSON.
  std::ostream& table_out = flags.json ? std::cerr : std::cout;
  std::optional<VerboseTable> table;
  if (flags.verbose) table.emplace(table_out);
  std::optional<ProgressLine> progress;
  if (progress_line && options.trace_every > 0) progress.emplace();
  if (table || progress) {
    VerboseTable* table_ptr = table ? &*table : nullptr;
    ProgressLine* progress_ptr = progress ? &*progress : nullptr;
    options.callback = [table_ptr, progress_ptr](const IterationReport& report) {
      if (table_ptr) table_ptr->row(report);
      if (progress_ptr) progress_ptr->update(report);
      return true;
    };
  }
  if (table) {
    // The plan the solve will follow: `auto` resolved as the Summary reports it.
    const SolvePlan plan = Engine::plan(problem, options);
    table->banner(problem, plan);
  }

  // Ctrl-C stops the run (status interrupted) and the report is still printed.
  std::atomic<bool> interrupted{false};
  options.interrupt = &interrupted;
  Summary summary;
  {
    SigintGuard guard(interrupted);
    summary = engine.solve(problem, options);
  }
  if (progress) progress->clear();
  if (!flags.trace_path.empty() || !flags.plot_path.empty()) {
    complete_trace(engine, problem, options, flags.trace_every == kAutomaticTraceEvery, summary);
  }

  // Write the files before reporting, so a report that names them can be trusted.
  if (!flags.x_out_path.empty() && summary.status != SolveStatus::error) {
    try {
      save_vector(flags.x_out_path, summary.x);  // through a temporary file, renamed
    } catch (const Error& error) {
      throw Error(std::string("--x-out ") + error.what());
    }
  }
  if (!flags.model_out_path.empty() && summary.status != SolveStatus::error) {
    const ClassLabels* classes = data && data->classes ? &*data->classes : nullptr;
    save_model_for("--model-out", flags.model_out_path,
                   Model::from_solve(problem, summary, classes));
  }
  if (!flags.trace_path.empty()) write_trace_csv(flags.trace_path, summary.trace);
  if (!flags.plot_path.empty()) {
    ConvergencePlot plot;
    plot.title = summary.problem.empty() ? problem.describe() : summary.problem;
    plot.subtitle = tools::setting_named("algorithm").print(options) + ", " +
                    std::string(to_string(summary.scalar)) + ", " +
                    std::string(to_string(summary.backend)) + ", " +
                    std::to_string(problem.variables()) +
                    " variables: " + std::string(to_string(summary.status)) + " after " +
                    std::to_string(summary.iterations) + " iterations";
    write_convergence_svg(flags.plot_path, summary.trace, plot);
  }
  const std::string disk_cache =
      options.backend == Backend::jit
          ? (engine.disk_cache() ? engine.disk_cache()->directory().string() : std::string("off"))
          : std::string();
  if (table) table->footer(summary, disk_cache);
  if (flags.json) {
    std::cout << summary_json(summary, options, problem.variables(), flags.x_out_path,
                              flags.model_out_path, engine.disk_cache())
              << "\n";
  } else {
    if (!table) {
      std::cout << full_report(summary);
      if (!disk_cache.empty()) std::cout << "  disk cache      " << disk_cache << "\n";
    }
    if (!flags.trace_path.empty()) {
      std::cout << "trace (" << summary.trace.size() << " rows) written to " << flags.trace_path
                << "\n";
    }
    if (!flags.plot_path.empty()) std::cout << "plot written to " << flags.plot_path << "\n";
    if (!flags.x_out_path.empty()) std::cout << "solution written to " << flags.x_out_path << "\n";
    if (!flags.model_out_path.empty() && summary.status != SolveStatus::error) {
      std::cout << "model written to " << flags.model_out_path << "\n";
    }
  }
  return summary.status == SolveStatus::error ? kExitSolveError : kExitOk;
}

// ---- list ----------------------------------------------------------------------------------

std::string parameter_default_text(const ParameterSpec& parameter) {
  if (parameter.required) return parameter.is_list ? "required list [..]" : "required";
  if (parameter.is_list) return "optional list [..]";
  return "default " + number_text(parameter.default_value);
}

void print_parameters(const std::vector<ParameterSpec>& parameters) {
  for (const ParameterSpec& parameter : parameters) {
    const std::string expected = parameter.expected.empty() ? "any number" : parameter.expected;
    std::printf("  %-16s %-8s %s  [%s; %s]\n", "", parameter.name.c_str(),
                parameter.description.c_str(), parameter_default_text(parameter).c_str(),
                expected.c_str());
  }
}

int run_list() {
  std::cout << "Algorithms (--algorithm)\n";
  std::printf("  %-16s %s\n", "auto",
              "the default: cd for a separable r, pgd with a line search for a loss without a "
              "Lipschitz bound, FISTA otherwise");
  for (const AlgorithmEntry& entry : algorithm_table()) {
    std::printf("  %-16s %s\n", entry.name.c_str(), entry.description.c_str());
  }
  std::cout << "\nSmooth terms (--f)\n";
  for (const SmoothDefinition& smooth : smooth_registry()) {
    std::printf("  %-16s %s\n", smooth.name.c_str(), smooth.formula.c_str());
    std::printf("  %-16s data: %s\n", "", smooth.data_shape.c_str());
    print_parameters(smooth.parameters);
  }
  std::cout << "\nProx terms (--r), written name(key=value, ...)\n";
  for (const ProxDefinition& prox : prox_registry()) {
    std::printf("  %-16s %s\n", prox.name.c_str(), prox.formula.c_str());
    if (prox.parameters.empty()) std::printf("  %-16s (no parameters)\n", "");
    print_parameters(prox.parameters);
  }
  const auto user_losses = user_smooth_definitions();
  const auto user_proxes = user_prox_definitions();
  if (!user_losses.empty() || !user_proxes.empty()) {
    std::cout << "\nUser-defined (--define)\n";
    for (const SmoothDefinition* loss : user_losses) {
      std::printf("  %-16s %s\n", loss->name.c_str(), loss->formula.c_str());
      print_parameters(loss->parameters);
    }
    for (const ProxDefinition* prox : user_proxes) {
      std::printf("  %-16s %s\n", prox->name.c_str(), prox->formula.c_str());
      print_parameters(prox->parameters);
    }
  }
  return kExitOk;
}

// ---- inspect -------------------------------------------------------------------------------

struct InspectFlags {
  ProblemFlags problem;
  SettingFlags settings;
  std::int64_t synthetic_size = 0;
  bool ir = false;
  bool assembly = false;
  CacheFlags cache;
};

int run_inspect(const InspectFlags& flags) {
  const Problem problem = flags.synthetic_size > 0
                              ? synthetic_problem(flags.problem, flags.synthetic_size)
                              : load_problem(flags.problem);
  const SolverOptions options = apply_setting_flags(flags.settings, default_solver_options());
  validate_options(options);
  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  std::cout << (flags.assembly ? engine.inspect_asm(problem, options)
                               : engine.inspect_ir(problem, options));
  return kExitOk;
}

}  // namespace

namespace {

// `solve` and `fit`: the same flags; fit requires --model-out.
Command add_solve_like_command(CLI::App& root, bool fit) {
  auto flags = std::make_shared<SolveFlags>();
  CLI::App* app =
      fit ? root.add_subcommand("fit",
                                "Fit a model (a loss over samples + r) and write it as a JSON file "
                                "for `proxjit predict`; the flags of solve.")
          : root.add_subcommand("solve",
                                "Solve min_x f(x) + r(x) once and report the answer, its "
                                "certificate and timings.");
  add_problem_flags(*app, flags->problem, /*data_required=*/false);
  add_data_file_flags(*app, flags->problem);
  std::vector<std::string> settings = kernel_setting_names();
  for (const char* name : {"step", "max_iter", "epochs", "tol", "repeat", "backend", "obj_tol",
                           "gap_tol", "max_time"}) {
    settings.push_back(name);
  }
  add_setting_flags(*app, flags->settings, settings, default_solver_options());
  app->add_flag("--no-fallback", flags->no_fallback,
                "Report status error if compiling fails instead of running the reference solver");
  app->add_option("--x0", flags->x0_path, "Start point (.npy or .csv); zeros when omitted")
      ->type_name("FILE");
  app->add_option("--x-out", flags->x_out_path, "Write the solution here (.npy or .csv)")
      ->type_name("FILE");
  CLI::Option* model_out =
      app->add_option("--model-out", flags->model_out_path,
                      "Write the fitted model here (JSON, for proxjit predict): a loss over "
                      "samples; any two labels of a classifier, or more (one against the rest)")
          ->type_name("FILE");
  if (fit) model_out->required();
  app->add_flag("--json", flags->json, "Print one JSON object instead of the full report");
  app->add_option("--trace-every", flags->trace_every,
                  "Record a trace row (objective, certificate, time) every N >= 1 iterations. "
                  "Default: automatic, only when --trace, --plot, --verbose or the "
                  "terminal progress line need rows (see below)")
      ->type_name("N");
  app->add_option("--trace", flags->trace_path,
                  "Write the trace as CSV: iteration,seconds,objective,certificate,step")
      ->type_name("FILE");
  app->add_option("--plot", flags->plot_path,
                  "Write an SVG convergence plot (certificate and objective gap against "
                  "iterations and time)")
      ->type_name("FILE");
  app->add_flag("--verbose,-v", flags->verbose,
                "Print an iteration table as the solve runs (on stderr with --json)");
  app->add_flag("--no-progress", flags->no_progress,
                "No progress line on the terminal (it never appears on a pipe or file)");
  add_cache_flags(*app, flags->cache);
  if (fit) {
    app->footer(fit_command_footer());
    return {app, [flags] { return run_solve(*flags); }};
  }
  app->footer(
      "Examples:\n"
      "  proxjit solve --f quadratic --A A.npy --b b.npy --r \"l1(lambda=0.1)\" \\\n"
      "      --step 0.001 --max-iter 20000 --tol 0 --repeat 7 --json --x-out x.npy\n"
      "  proxjit solve --f quadratic --A A.npy --b b.npy --r \"l1(lambda=0.1)\" --cache-dir "
      "/tmp/kernels --json\n"
      "    (a second process with the same --cache-dir loads the kernel: \"source\": \"disk\")\n"
      "  proxjit solve --f least_squares --data train.svm --r \"l1(lambda=0.01)\" --verbose\n"
      "  proxjit solve --f quadratic --A A.mtx --b b.mtx --format mtx --r nonneg\n"
      "  proxjit solve --f quadratic --A A.npy --b b.npy --r \"l1(lambda=0.1)\" --tol 0 \\\n"
      "      --max-iter 100000000 --max-time 5 --trace trace.csv --plot conv.svg\n"
      "Progress: on a terminal, a progress line on stderr once a run passes half a second\n"
      "(--no-progress turns it off); Ctrl-C stops the run with status interrupted, still "
      "reported.\n"
      "--trace-every by default: max(1, min(1000, max_iter/200)) with --trace or --plot;\n"
      "max(1, min(1000, max_iter/50)) with --verbose alone; max(1, min(1000, max_iter/100))\n"
      "for the progress line; none otherwise. Each row costs one objective evaluation.\n"
      "--trace and --plot always hold the start (iteration 0) and the last iteration, and\n"
      "every iteration of a run under 200 iterations and 0.5 s (automatic interval).\n"
      "Kernel cache: --cache-dir, else $PROXJIT_CACHE_DIR, $XDG_CACHE_HOME/proxjit or\n"
      "~/.cache/proxjit; off with --no-cache or PROXJIT_NO_CACHE=1.\n"
      "Exit status: 0 when the solve ran (converged or not), 1 on status error, 2 on bad "
      "input.");
  return {app, [flags] { return run_solve(*flags); }};
}

}  // namespace

Command add_list_command(CLI::App& root) {
  CLI::App* app = root.add_subcommand(
      "list", "List the algorithms, smooth terms and prox terms, with formulas and parameters.");
  auto defines = std::make_shared<std::vector<std::string>>();
  app->add_option("--define", *defines, "Also list the user-defined components of these files")
      ->type_name("FILE");
  app->footer("Example:\n  proxjit list\n  proxjit list --define my_components.pjd");
  return {app, [defines] {
            define_from_files(*defines);
            return run_list();
          }};
}

Command add_inspect_command(CLI::App& root) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* app = root.add_subcommand(
      "inspect", "Print the optimized LLVM IR (or assembly) of the kernel a solve would use.");
  add_problem_flags(*app, flags->problem, /*data_required=*/false);
  add_data_file_flags(*app, flags->problem);
  add_setting_flags(*app, flags->settings, kernel_setting_names(), default_solver_options());
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

Command add_solve_command(CLI::App& root) { return add_solve_like_command(root, /*fit=*/false); }
Command add_fit_command(CLI::App& root) { return add_solve_like_command(root, /*fit=*/true); }

std::vector<Command> add_all_commands(CLI::App& root) {
  return {
      add_solve_command(root),   add_demo_command(root),       add_list_command(root),
      add_inspect_command(root), repl::add_repl_command(root), add_path_command(root),
      add_fit_command(root),     add_predict_command(root),    add_cv_command(root),
      add_gen_command(root),     add_bench_command(root),
      add_cache_command(root),   add_precompile_command(root),
  };
}

}  // namespace proxjit::cli
