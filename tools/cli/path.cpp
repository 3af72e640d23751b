// `proxjit path`: a regularization path, one warm-started solve per parameter value, all on one
// compiled kernel (as Engine::solve_path, point by point here so Ctrl-C can stop between them).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "../text_util.h"
#include "commands.h"
#include "common.h"
#include "json.h"
#include "output_files.h"
#include "path_values.h"
#include "proxjit/path.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/number_text.h"
#include "solve_progress.h"

namespace proxjit::cli {
namespace {

struct PathFlags {
  ProblemFlags problem;
  SettingFlags settings;  // kernel settings, --step, --max-iter, --tol, --backend
  CacheFlags cache;
  std::string parameter = "lambda";
  std::string values;  // "1,0.5,0.1"
  std::string grid;    // "FROM:TO:COUNT", geometric, or "auto[:COUNT[:RATIO]]" from lambda_max
  std::string x_out;   // every point's x, one column each (.npy, .csv, or .mtx when sparse)
  std::string validation_path;  // a LIBSVM file: each point scored on it
  bool json = false;
};

// Every point's x as one column: dense .npy/.csv, or Matrix Market coordinates (sparse).
void write_path_solutions(const std::string& path, const std::vector<Summary>& points,
                          Eigen::Index variables) {
  const bool sparse = path.size() >= 4 && path.compare(path.size() - 4, 4, ".mtx") == 0;
  if (sparse) {
    std::vector<Eigen::Triplet<double>> entries;
    for (std::size_t k = 0; k < points.size(); ++k) {
      for (Eigen::Index j = 0; j < variables; ++j) {
        if (points[k].x[j] != 0.0)
          entries.emplace_back(j, static_cast<Eigen::Index>(k), points[k].x[j]);
      }
    }
    SparseMatrix matrix(variables, static_cast<Eigen::Index>(points.size()));
    matrix.setFromTriplets(entries.begin(), entries.end());
    save_matrix_market(path, matrix);
    return;
  }
  Matrix matrix(variables, static_cast<Eigen::Index>(points.size()));
  for (std::size_t k = 0; k < points.size(); ++k)
    matrix.col(static_cast<Eigen::Index>(k)) = points[k].x;
  save_matrix(path, matrix);
}

// The coefficients r applies to that are not 0 (an intercept is not one of them).
std::int64_t nonzero_features(const Summary& s, Eigen::Index features) {
  return static_cast<std::int64_t>((s.x.head(features).array() != 0.0).count());
}

void print_point(double value, const Summary& s, Eigen::Index features, bool scored,
                 double score) {
  std::printf("%12s  %-14s  %18s  %11.3e  %11.3e  %10lld  %8lld  %7.3f ms  %-8s",
              number_text(value, 6).c_str(), std::string(to_string(s.status)).c_str(),
              number_text(s.objective, 10).c_str(), s.certificate, s.duality_gap,
              static_cast<long long>(s.iterations),
              static_cast<long long>(nonzero_features(s, features)), s.timing.run_s * 1e3,
              std::string(to_string(s.source)).c_str());
  if (scored) std::printf("  %s", std::isfinite(score) ? number_text(score, 6).c_str() : "-");
  std::printf("\n");
  std::fflush(stdout);  // a point is shown as soon as it is done
}

int run_path(const PathFlags& flags) {
  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  // Without --values or --grid, glmnet's default: 100 values from lambda_max down.
  const PathValues given = path_values_from(flags.values, flags.grid);
  const bool automatic = given.automatic;
  std::vector<double> values = given.values;
  ProblemFlags problem_flags = flags.problem;
  // Any value will do for loading: the path replaces it.
  problem_flags.prox =
      prox_with_parameter(flags.problem.prox, flags.parameter, automatic ? 1.0 : values.front());
  if (!flags.x_out.empty()) {
    std::vector<NamedFile> inputs = problem_input_files(flags.problem);
    inputs.push_back({"--validation", flags.validation_path});
    check_output_files(inputs, {{"--x-out", flags.x_out}});
  }
  std::optional<ProblemData> data;
  if (problem_flags.dimension <= 0) data.emplace(load_problem_data(problem_flags));
  const Problem problem =
      data ? data->binary_problem(/*note=*/true) : load_problem(problem_flags);
  if (automatic) values = automatic_grid(problem, flags.parameter, given.grid);
  SolverOptions options = apply_setting_flags(flags.settings, path_defaults());
  validate_options(options);
  // --validation: each point's model scored on held-out samples read at the training width.
  std::optional<LoadedData> validation;
  if (!flags.validation_path.empty()) {
    if (!data) throw Error("--validation scores a loss over samples; --dim has none");
    ProblemFlags held_out;
    held_out.data_path = flags.validation_path;
    held_out.zero_based = flags.problem.zero_based;
    held_out.one_based = flags.problem.one_based;
    held_out.n_features = problem.features();
    held_out.ignore_extra_features = flags.problem.ignore_extra_features;
    try {
      validation = load_data(held_out, true);
    } catch (const Error& error) {
      std::string message = error.what();
      if (message.rfind("--data", 0) == 0) message = "--validation" + message.substr(6);
      throw Error(message);
    }
  }
  const ClassLabels* classes = data && data->classes ? &*data->classes : nullptr;
  // The validation loss of a point's answer, NaN when it has none to score.
  std::string validation_metric;
  const auto validation_loss = [&](const Problem& point, const Summary& s) {
    if (!validation || s.status == SolveStatus::error) return std::nan("");
    const Model model = Model::from_solve(point, s, classes);
    validation_metric = model.validation_metric();
    try {
      return model.validation_loss(model.evaluate(validation->sparse, validation->b));
    } catch (const Error& error) {
      throw Error("--validation " + flags.validation_path + ": " + error.what());
    }
  };
  const std::optional<double> largest = lambda_max(problem, flags.parameter);
  std::string at_or_above;  // the hint for values that give x = 0 by construction
  if (largest) {
    const auto above = std::count_if(values.begin(), values.end(),
                                     [&](double v) { return v >= *largest; });
    if (above > 0 && !automatic) {
      at_or_above = std::to_string(above) + " of the values " +
                    (above == 1 ? "is" : "are") + " at or above lambda_max = " +
                    number_text(*largest, 6) + ": all coefficients are zero from lambda_max on";
    }
  }

  if (!flags.json) {
    std::printf("proxjit path: %s, %s over %zu values", problem.describe().c_str(),
                flags.parameter.c_str(), values.size());
    if (largest) std::printf(" (lambda_max = %s)", number_text(*largest, 6).c_str());
    std::printf("\n");
    if (!at_or_above.empty()) std::printf("note: %s\n", at_or_above.c_str());
    std::printf("%12s  %-14s  %18s  %11s  %11s  %10s  %8s  %10s  %-8s", flags.parameter.c_str(),
                "status", "objective", "certificate", "gap", "iterations", "nonzeros", "run",
                "kernel");
    if (validation) std::printf("  validation");
    std::printf("\n");
    std::fflush(stdout);
  }
  // Ctrl-C ends the running point (status interrupted) and skips the rest; the finished points
  // are still reported. Each point is printed as it finishes.
  std::atomic<bool> interrupted{false};
  options.interrupt = &interrupted;
  std::vector<Summary> path;
  std::vector<double> scores;  // the validation loss of each point
  const auto path_start = std::chrono::steady_clock::now();
  {
    SigintGuard guard(interrupted);
    for (const double value : values) {
      if (interrupted.load()) break;
      const Problem point = problem.with_prox(problem.r().with_parameter(flags.parameter, value));
      path.push_back(engine.solve(point, options));
      const Summary& last = path.back();
      scores.push_back(validation_loss(point, last));
      if (!flags.json) print_point(value, last, problem.features(), validation.has_value(), scores.back());
      // Warm start only from a usable answer, as Engine::solve_path does.
      if (last.status == SolveStatus::converged || last.status == SolveStatus::max_iterations) {
        options.x0 = last.x;
      }
    }
  }
  const double path_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - path_start).count();
  double compile_seconds = 0.0;
  for (const Summary& s : path)
    compile_seconds += s.timing.compile_s;
  if (!flags.x_out.empty()) write_path_solutions(flags.x_out, path, problem.variables());
  const std::size_t skipped = values.size() - path.size();
  const CacheStats stats = engine.cache_stats();
  std::string skipped_note;
  if (interrupted.load()) {
    skipped_note = "interrupted (Ctrl-C) ";
    if (path.empty()) {
      skipped_note += "before the first point";
    } else {
      skipped_note += (path.back().status == SolveStatus::interrupted ? "at " : "after ") +
                      flags.parameter + " = " + number_text(values[path.size() - 1], 6);
    }
    skipped_note += ": " + std::to_string(skipped) + " remaining point" +
                    (skipped == 1 ? "" : "s") + " skipped";
  }
  if (flags.json) {
    JsonWriter json;
    json.begin_object();
    json.field("problem", problem.describe());
    json.field("parameter", flags.parameter);
    json.key("lambda_max");
    if (largest) {
      json.value(*largest);
    } else {
      json.null();
    }
    // Every point, kernel lookups and compiles included; not the data loading.
    json.field("path_s", path_seconds);
    json.field("compile_s", compile_seconds);
    if (!at_or_above.empty()) json.field("note", at_or_above);
    if (validation) json.field("validation_metric", validation_metric);
    json.field("compiles", stats.compiles);
    json.field("disk_hits", stats.disk_hits);
    json.field("interrupted", interrupted.load());
    json.key("points").begin_array();
    for (std::size_t i = 0; i < path.size(); ++i) {
      const Summary& s = path[i];
      json.begin_object();
      json.field("value", values[i]);
      json.field("status", std::string(to_string(s.status)));
      json.field("objective", s.objective);
      json.field("certificate", s.certificate);
      json.field("duality_gap", s.duality_gap);
      json.field("iterations", s.iterations);
      json.field("nonzeros", nonzero_features(s, problem.features()));
      json.field("run_s", s.timing.run_s);
      json.field("source", std::string(to_string(s.source)));
      if (validation) json.field("validation", scores[i]);
      json.end_object();
    }
    json.end_array();
    json.key("skipped").begin_array();
    for (std::size_t i = path.size(); i < values.size(); ++i)
      json.value(values[i]);
    json.end_array();
    json.end_object();
    std::cout << json.text() << "\n";
    if (!skipped_note.empty()) std::cerr << "proxjit path: " << skipped_note << "\n";
  } else {
    if (!skipped_note.empty()) std::printf("%s\n", skipped_note.c_str());
    std::printf(
        "one kernel for %zu points (%lld compiled, %lld loaded from disk); each point "
        "starts from the previous solution\n",
        path.size(), static_cast<long long>(stats.compiles),
        static_cast<long long>(stats.disk_hits));
  }
  for (const Summary& s : path) {
    if (s.status == SolveStatus::error) return kExitSolveError;
  }
  return kExitOk;
}

}  // namespace

Command add_path_command(CLI::App& root) {
  auto flags = std::make_shared<PathFlags>();
  CLI::App* app = root.add_subcommand(
      "path",
      "Regularization path: solve for a sequence of values of a prox parameter, each "
      "warm-started from the last, on one compiled kernel.");
  add_problem_flags(*app, flags->problem, /*data_required=*/false);
  add_data_file_flags(*app, flags->problem);
  std::vector<std::string> settings = kernel_setting_names();
  settings.insert(settings.end(), {"step", "max_iter", "tol", "backend", "max_time"});
  add_setting_flags(*app, flags->settings, settings, path_defaults());
  app->add_option("--parameter", flags->parameter, "The prox parameter the path varies")
      ->capture_default_str();
  app->add_option("--values,--lambdas", flags->values,
                  "The values, in order, separated by commas (e.g. 1,0.3,0.1)");
  app->add_option("--grid", flags->grid,
                  "FROM:TO:COUNT: COUNT values from FROM to TO on a log scale; auto[:COUNT[:RATIO]] "
                  "(the default): COUNT (100) values from lambda_max down to RATIO * lambda_max "
                  "(1e-4 when samples > features, else 1e-2), as glmnet");
  app->add_option("--x-out", flags->x_out,
                  "Write every point's x, one column per point (.npy or .csv; .mtx: sparse)");
  app->add_option("--validation", flags->validation_path,
                  "A held-out LIBSVM file: each point's model is scored on it (log loss for "
                  "logistic, misclassification for other classifiers, Poisson deviance, MSE)")
      ->type_name("FILE");
  app->add_flag("--json", flags->json, "One JSON object with a row per point");
  add_cache_flags(*app, flags->cache);
  app->footer(
      "Examples:\n"
      "  proxjit path --f least_squares --A A.npy --b b.npy --r l1 --grid 1:0.001:20\n"
      "  proxjit path --f logistic --data train.svm --r l1 --grid auto:50 --x-out path.mtx\n"
      "  proxjit path --f logistic --data train.svm --r l1 --validation test.svm --intercept\n"
      "  proxjit path --f least_squares --data train.svm --r \"l1(lambda=1)\" \\\n"
      "      --lambdas 0.5,0.1,0.05,0.01 --algorithm cd --json\n"
      "The prox is given with any value of the parameter; the path replaces it.\n"
      "--max-iter, --tol and --max-time apply to each point. Ctrl-C ends the running point\n"
      "(status interrupted), skips the rest and reports the points so far.\n"
      "Exit status: 0 when the path ran (converged or not, interrupted), 1 when a point ended\n"
      "with status error, 2 on bad input.");
  return {app, [flags] { return run_path(*flags); }};
}

}  // namespace proxjit::cli
