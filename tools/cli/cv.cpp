// `proxjit cv`: K-fold cross-validation of a regularization path (engine/cross_validation.h),
// the table of the validation loss per value, the chosen value and the refitted model.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "common.h"
#include "json.h"
#include "model_commands.h"
#include "output_files.h"
#include "path_values.h"
#include "proxjit/cross_validation.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"
#include "solve_progress.h"

namespace proxjit::cli {
namespace {

struct CvFlags {
  ProblemFlags problem;
  SettingFlags settings;
  CacheFlags cache;
  std::string parameter = "lambda";
  std::string values;
  std::string grid;
  int folds = 5;
  std::uint64_t seed = 0;
  bool no_stratify = false;
  std::string choose = "min";
  std::string model_out_path;
  std::string fold_ids_path;
  bool json = false;
};

ValueChoice choice_named(const std::string& name) {
  if (name == "min") return ValueChoice::minimum;
  if (name == "1se") return ValueChoice::one_standard_error;
  throw Error("--choose: expected min (the smallest mean validation loss) or 1se (the most "
              "regularized value within one standard error of it), got \"" + name + "\"");
}

void write_json(const CrossValidationResult& result, const CvFlags& flags, double seconds,
                const CacheStats& stats) {
  JsonWriter json;
  json.begin_object();
  json.field("problem", result.model.loss() + " + " + result.model.penalty());
  json.field("parameter", result.parameter);
  json.field("folds", static_cast<std::int64_t>(result.fold_of_samples.size()));
  json.field("seed", static_cast<std::int64_t>(flags.seed));
  json.field("metric", result.metric);
  json.field("status", std::string(to_string(result.status)));
  json.field("solves", result.solves);
  json.field("compiles", stats.compiles);
  json.field("cv_s", seconds);
  json.key("points").begin_array();
  for (std::size_t v = 0; v < result.values.size(); ++v) {
    json.begin_object();
    json.field("value", result.values[v]);
    json.field("mean", result.mean[v]);
    json.field("sd", result.standard_deviation[v]);
    json.field("se", result.standard_error[v]);
    json.field("nonzeros", result.nonzeros[v]);
    json.key("folds").begin_array();
    for (const auto& fold : result.loss)
      json.value(fold[v]);
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.field("value_min", result.value_minimum());
  json.field("value_1se", result.value_one_standard_error());
  json.field("chosen", result.chosen_value);
  json.key("model_out");
  if (flags.model_out_path.empty()) {
    json.null();
  } else {
    json.value(flags.model_out_path);
  }
  json.end_object();
  std::cout << json.text() << "\n";
}

void print_table(const CrossValidationResult& result, const CvFlags& flags) {
  std::printf("%12s  %14s  %12s  %12s  %9s\n", result.parameter.c_str(),
              ("mean " + result.metric).c_str(), "sd", "se", "nonzeros");
  for (std::size_t v = 0; v < result.values.size(); ++v) {
    const char* mark = v == result.index_minimum ? "  <- min"
                       : v == result.index_one_standard_error ? "  <- 1se"
                                                              : "";
    std::printf("%12s  %14s  %12.4e  %12.4e  %9.1f%s%s\n",
                number_text(result.values[v], 6).c_str(), number_text(result.mean[v], 6).c_str(),
                result.standard_deviation[v], result.standard_error[v], result.nonzeros[v], mark,
                v == result.index_minimum && v == result.index_one_standard_error ? ", 1se" : "");
  }
  std::printf("%s_min = %s (mean %s %s), %s_1se = %s\n", result.parameter.c_str(),
              number_text(result.value_minimum(), 6).c_str(), result.metric.c_str(),
              number_text(result.mean[result.index_minimum], 6).c_str(), result.parameter.c_str(),
              number_text(result.value_one_standard_error(), 6).c_str());
  if (!flags.model_out_path.empty()) {
    std::printf("model refitted on all %lld samples at %s = %s (%s), written to %s\n",
                static_cast<long long>(result.model.samples()), result.parameter.c_str(),
                number_text(result.chosen_value, 6).c_str(), flags.choose.c_str(),
                flags.model_out_path.c_str());
  }
}

int run_cv(const CvFlags& flags) {
  std::vector<NamedFile> inputs = problem_input_files(flags.problem);
  inputs.push_back({"--fold-ids", flags.fold_ids_path});
  check_output_files(inputs, {{"--model-out", flags.model_out_path}});
  Engine engine(engine_options_from(flags.cache));
  warn_about_disk_cache(engine);
  const PathValues given = path_values_from(flags.values, flags.grid);
  CrossValidationOptions cv;
  cv.folds = flags.folds;
  cv.seed = flags.seed;
  cv.stratify = !flags.no_stratify;
  cv.parameter = flags.parameter;
  cv.values = given.values;
  cv.grid = given.grid;
  cv.choice = choice_named(flags.choose);
  cv.refit = true;
  if (!flags.fold_ids_path.empty()) cv.fold_ids = load_vector_for("--fold-ids", flags.fold_ids_path);
  if (const std::string wrong = cv.problem(); !wrong.empty()) throw Error("--" + wrong);
  ProblemFlags problem_flags = flags.problem;
  problem_flags.prox = prox_with_parameter(flags.problem.prox, flags.parameter,
                                           given.automatic ? 1.0 : given.values.front());
  if (problem_flags.dimension > 0) throw Error("cv validates a loss over samples; --dim has none");
  const ProblemData data = load_problem_data(problem_flags);
  SolverOptions options = apply_setting_flags(flags.settings, path_defaults());
  validate_options(options);
  std::atomic<bool> interrupted{false};
  options.interrupt = &interrupted;
  const auto start = std::chrono::steady_clock::now();
  CrossValidationResult result;
  {
    SigintGuard guard(interrupted);
    result = data.data.is_sparse
                 ? cross_validate(engine, data.smooth, data.prox, data.data.sparse, data.data.b,
                                  data.options, options, cv)
                 : cross_validate(engine, data.smooth, data.prox, data.data.dense, data.data.b,
                                  data.options, options, cv);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!flags.model_out_path.empty() && result.model.status() != SolveStatus::error) {
    save_model_for("--model-out", flags.model_out_path, result.model);
  }
  const CacheStats stats = engine.cache_stats();
  if (flags.json) {
    write_json(result, flags, seconds, stats);
  } else {
    const std::string how =
        cv.fold_ids.size() > 0 ? "from --fold-ids"
                               : std::string(cv.stratify && data.classifier() ? "stratified"
                                                                              : "shuffled") +
                                     ", seed " + std::to_string(flags.seed);
    std::printf("proxjit cv: %s + %s, %zu folds (%s), %zu values of %s\n",
                data.smooth.describe().c_str(), data.prox.name().c_str(),
                result.fold_of_samples.size(), how.c_str(), result.values.size(),
                flags.parameter.c_str());
    print_table(result, flags);
    std::printf("%lld solves on %lld compiled kernel%s in %.3f s; %s\n",
                static_cast<long long>(result.solves), static_cast<long long>(stats.compiles),
                stats.compiles == 1 ? "" : "s", seconds, std::string(to_string(result.status)).c_str());
  }
  if (result.status != SolveStatus::converged && !flags.json) {
    std::fprintf(stderr,
                 "proxjit cv: warning: not every solve converged (%s): raise --max-iter or "
                 "--tol\n",
                 std::string(to_string(result.status)).c_str());
  }
  return result.status == SolveStatus::error ? kExitSolveError : kExitOk;
}

}  // namespace

Command add_cv_command(CLI::App& root) {
  auto flags = std::make_shared<CvFlags>();
  CLI::App* app = root.add_subcommand(
      "cv",
      "Cross-validate a regularization path: the validation loss per value over K folds, the "
      "value of the minimum and of the one-standard-error rule, and the model refitted on all "
      "data.");
  add_problem_flags(*app, flags->problem, /*data_required=*/false);
  add_data_file_flags(*app, flags->problem);
  std::vector<std::string> settings = kernel_setting_names();
  settings.insert(settings.end(), {"step", "max_iter", "tol", "backend", "max_time"});
  add_setting_flags(*app, flags->settings, settings, path_defaults());
  app->add_option("--folds", flags->folds, "The number of folds K (>= 2)")->capture_default_str();
  app->add_option("--fold-seed", flags->seed, "The seed of the shuffle into folds")
      ->capture_default_str();
  app->add_option("--fold-ids", flags->fold_ids_path,
                  "The fold of each sample (.npy, .csv: one whole number per sample, each "
                  "distinct value a fold; cv.glmnet's foldid), instead of --folds and --fold-seed")
      ->type_name("FILE");
  app->add_flag("--no-stratify", flags->no_stratify,
                "Classifiers: do not keep each class's share in every fold");
  app->add_option("--parameter", flags->parameter, "The prox parameter the path varies")
      ->capture_default_str();
  app->add_option("--values,--lambdas", flags->values, "The values, in order, comma-separated");
  app->add_option("--grid", flags->grid,
                  "FROM:TO:COUNT (log-spaced) or auto[:COUNT[:RATIO]] (the default: from "
                  "lambda_max of all data, as glmnet)");
  app->add_option("--choose", flags->choose,
                  "The value of the refitted model: min or 1se (one-standard-error rule)")
      ->capture_default_str();
  app->add_option("--model-out", flags->model_out_path,
                  "Write the model refitted on all data at the chosen value (JSON)")
      ->type_name("FILE");
  app->add_flag("--json", flags->json, "One JSON object: every value's fold losses and the choice");
  add_cache_flags(*app, flags->cache);
  app->footer(
      "Examples:\n"
      "  proxjit cv --f logistic --r l1 --data train.svm --intercept --folds 5 --grid auto:50 \\\n"
      "      --model-out model.json\n"
      "  proxjit cv --f least_squares --r l1 --A A.npy --b b.npy --choose 1se --json\n"
      "Folds are seeded (--fold-seed) and stratified for classifiers; every fold's path is\n"
      "warm-started, and every fold, value and the refit share one compiled kernel.\n"
      "The validation loss: log loss (logistic), misclassification (squared_hinge), Poisson\n"
      "deviance (poisson), mean squared error (least_squares, huber, user losses).");
  return {app, [flags] { return run_cv(*flags); }};
}

}  // namespace proxjit::cli
