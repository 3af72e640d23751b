#include "model_commands.h"

#include <atomic>
#include <charconv>
#include <iostream>
#include <memory>

#include "commands.h"
#include "json.h"
#include "output_files.h"
#include "proxjit/metrics.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"
#include "solve_progress.h"

namespace proxjit::cli {
namespace {

// ---- fit -----------------------------------------------------------------------------------

void write_model_json(JsonWriter& json, const Model& model, const std::string& model_out) {
  json.field("problem", model.loss() + " + " + model.penalty());
  json.field("status", std::string(to_string(model.status())));
  json.field("features", static_cast<std::int64_t>(model.features()));
  json.field("samples", model.samples());
  json.field("multiclass", std::string(to_string(model.multiclass())));
  json.key("classes").begin_array();
  for (double c : model.classes())
    json.value(c);
  json.end_array();
  json.key("outputs").begin_array();
  for (std::size_t k = 0; k < model.training().size(); ++k) {
    const TrainingRecord& record = model.training()[k];
    json.begin_object();
    if (model.multiclass() == Multiclass::one_vs_rest) json.field("class", model.classes()[k]);
    json.field("status", std::string(to_string(record.status)));
    json.field("message", record.message);
    json.field("algorithm", to_string(record.algorithm));
    json.field("objective", record.objective);
    json.field("certificate", record.certificate);
    json.field("duality_gap", record.duality_gap);
    json.field("iterations", record.iterations);
    json.field("run_s", record.run_s);
    json.field("nonzeros", static_cast<std::int64_t>(
                               (model.coefficients().col(static_cast<Eigen::Index>(k)).array() !=
                                0.0)
                                   .count()));
    json.end_object();
  }
  json.end_array();
  json.field("model_out", model_out);
}

// ---- predict -------------------------------------------------------------------------------

struct PredictFlags {
  std::string model_path;
  ProblemFlags data;  // --data, or --A [--b], --format, and the LIBSVM reading flags
  std::string out_path;
  bool proba = false;
  bool metrics = false;
  bool json = false;
};

// The samples to score and their true targets (empty when not given).
struct Samples {
  LoadedData data;
  bool has_targets = false;
};

Samples load_samples(const PredictFlags& flags, const Model& model) {
  Samples samples;
  ProblemFlags data = flags.data;
  if (!data.data_path.empty()) {
    // A test file at the model's width; fewer features are padded with zeros.
    data.n_features = model.features();
    samples.data = load_data(data, /*sparse_matrix_market=*/true);
    samples.has_targets = true;
  } else if (!data.matrix_path.empty() && data.vector_path.empty()) {
    // No true targets: predictions only.
    const DataFormat format = data_format_named(data.format);
    if (format == DataFormat::matrix_market ||
        (format == DataFormat::automatic && data.matrix_path.ends_with(".mtx"))) {
      try {
        samples.data.sparse = load_matrix_market_sparse(data.matrix_path);
      } catch (const Error& error) {
        throw Error(with_file_context("--A", data.matrix_path, error.what()));
      }
      samples.data.is_sparse = true;
    } else {
      samples.data.dense = load_matrix_for("--A", data.matrix_path, format);
    }
  } else {
    samples.data = load_data(data, /*sparse_matrix_market=*/true);
    samples.has_targets = true;
  }
  const std::string what = !data.data_path.empty() ? "--data " + data.data_path
                                                   : "--A " + data.matrix_path;
  model.check_features(samples.data.features(), what);
  if (samples.has_targets && samples.data.b.size() != samples.data.samples()) {
    throw Error(samples.data.targets_source + ": " + std::to_string(samples.data.b.size()) +
                " targets for " + std::to_string(samples.data.samples()) +
                " samples (expected one per sample)");
  }
  return samples;
}

void append_number(std::string& text, double value) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  text.append(buffer, error == std::errc() ? end : buffer);
}

// One prediction per line; with probabilities, liblinear's `predict -b 1` layout: a header
// "labels c0 c1 ..." and "prediction p0 p1 ..." per sample.
std::string predictions_text(const Model& model, const Vector& predicted,
                             const Eigen::MatrixXd* probabilities) {
  std::string text;
  text.reserve(static_cast<std::size_t>(predicted.size()) * (probabilities ? 40 : 12));
  if (probabilities) {
    text += "labels";
    for (double c : model.classes()) {
      text += ' ';
      append_number(text, c);
    }
    text += '\n';
  }
  for (Eigen::Index i = 0; i < predicted.size(); ++i) {
    append_number(text, predicted[i]);
    if (probabilities) {
      for (Eigen::Index k = 0; k < probabilities->cols(); ++k) {
        text += ' ';
        append_number(text, (*probabilities)(i, k));
      }
    }
    text += '\n';
  }
  return text;
}

int run_predict(const PredictFlags& flags) {
  std::vector<NamedFile> inputs = problem_input_files(flags.data);
  inputs.push_back({"--model", flags.model_path});
  check_output_files(inputs, {{"--out", flags.out_path}});
  Model model;
  try {
    model = Model::load(flags.model_path);
  } catch (const Error& error) {
    throw Error(with_file_context("--model", flags.model_path, error.what()));
  }
  if (flags.proba && !model.probabilistic()) {
    throw Error("--proba: " + model.loss() +
                " models give no probabilities (logistic models do); leave --proba out");
  }
  const Samples samples = load_samples(flags, model);
  if (flags.metrics && !samples.has_targets) {
    throw Error("--metrics needs the true targets: pass --b FILE with --A (or --data FILE)");
  }
  const LoadedData& data = samples.data;
  const Vector predicted = data.is_sparse ? model.predict(data.sparse) : model.predict(data.dense);
  Eigen::MatrixXd probabilities;
  if (flags.proba) {
    probabilities =
        data.is_sparse ? model.predict_proba(data.sparse) : model.predict_proba(data.dense);
  }
  Metrics scores;
  if (flags.metrics) {
    try {
      scores = data.is_sparse ? model.evaluate(data.sparse, data.b) : model.evaluate(data.dense, data.b);
    } catch (const Error& error) {
      throw Error(data.targets_source + ": " + error.what());
    }
  }
  const std::string text = predictions_text(model, predicted, flags.proba ? &probabilities : nullptr);
  if (!flags.out_path.empty()) write_output_file("--out", flags.out_path, text);
  if (flags.json) {
    JsonWriter json;
    json.begin_object();
    json.field("model", flags.model_path);
    json.field("samples", static_cast<std::int64_t>(data.samples()));
    json.field("prediction", std::string(to_string(model.prediction())));
    json.key("metrics").begin_object();
    for (const auto& [name, value] : scores)
      json.field(name, value);
    json.end_object();
    json.key("out");
    if (flags.out_path.empty()) {
      json.null();
    } else {
      json.value(flags.out_path);
    }
    json.end_object();
    std::cout << json.text() << "\n";
    return kExitOk;
  }
  // Without --out the predictions are printed, unless only the scores were asked for.
  if (flags.out_path.empty() && (!flags.metrics || flags.proba)) std::cout << text;
  for (const auto& [name, value] : scores)
    std::cout << name << " " << number_text(value) << "\n";
  if (!flags.out_path.empty()) {
    std::cout << data.samples() << " predictions written to " << flags.out_path << "\n";
  }
  return kExitOk;
}

}  // namespace

void save_model_for(const std::string& flag, const std::string& path, const Model& model) {
  try {
    model.save(path);
  } catch (const Error& error) {
    throw Error(with_file_context(flag, path, error.what()));
  }
}

int run_one_vs_rest(Engine& engine, const ProblemData& data, SolverOptions options,
                    const OneVsRestRun& run) {
  const std::size_t classes = data.classes->classes.size();
  if (run.one_solve_outputs) {
    throw Error("--x-out, --trace and --plot are about one solve; with " +
                std::to_string(classes) +
                " classes fit solves one problem per class and writes the model (--model-out)");
  }
  if (options.trace_every < 0) options.trace_every = 0;
  std::atomic<bool> interrupted{false};
  options.interrupt = &interrupted;
  Model model;
  {
    SigintGuard guard(interrupted);
    model = data.data.is_sparse ? Model::fit(engine, data.smooth, data.prox, data.data.sparse,
                                             data.data.b, data.options, options)
                                : Model::fit(engine, data.smooth, data.prox, data.data.dense,
                                             data.data.b, data.options, options);
  }
  save_model_for("--model-out", run.model_out_path, model);
  if (run.json) {
    JsonWriter json;
    json.begin_object();
    write_model_json(json, model, run.model_out_path);
    json.end_object();
    std::cout << json.text() << "\n";
  } else {
    std::cout << model.describe() << "\n";
    for (std::size_t k = 0; k < classes; ++k) {
      const TrainingRecord& record = model.training()[k];
      std::cout << "  class " << number_text(model.classes()[k]) << " against the rest: "
                << to_string(record.status) << " after " << record.iterations << " iterations ("
                << to_string(record.algorithm) << "), objective " << number_text(record.objective)
                << "\n";
    }
    std::cout << "model written to " << run.model_out_path << "\n";
  }
  return model.status() == SolveStatus::error ? kExitSolveError : kExitOk;
}

std::string fit_command_footer() {
  return "Examples:\n"
         "  proxjit fit --f logistic --r \"l1(lambda=0.01)\" --data train.svm --intercept \\\n"
         "      --model-out model.json\n"
         "  proxjit predict --model model.json --data test.svm --metrics\n"
         "Labels: logistic and squared_hinge take any two labels (0/1, 1/2, -1/+1), the smaller\n"
         "read as -1, the other as +1 (the map is kept in the model); more than two classes are\n"
         "fitted one against the rest, every class on one compiled kernel.\n"
         "The model file is JSON (format \"proxjit-model\", version " +
         std::to_string(kModelFormatVersion) +
         "): coefficients, intercepts, classes, the loss\n"
         "and penalty, and how each solve ended. Every solve flag applies (proxjit solve --help).\n"
         "Exit status: 0 when the fit ran (converged or not), 1 on status error, 2 on bad input.";
}

Command add_predict_command(CLI::App& root) {
  auto flags = std::make_shared<PredictFlags>();
  CLI::App* app = root.add_subcommand(
      "predict", "Predict with a model file written by fit (--model-out), and score it.");
  app->add_option("--model", flags->model_path, "The model file (JSON, from proxjit fit)")
      ->type_name("FILE")
      ->required();
  app->add_option("--A", flags->data.matrix_path, "The samples to predict (.npy, .csv or .mtx)")
      ->type_name("FILE");
  app->add_option("--b", flags->data.vector_path, "Their true targets, for --metrics")
      ->type_name("FILE");
  add_data_file_flags(*app, flags->data);
  app->remove_option(app->get_option("--n-features"));  // the model's width, always
  app->add_option("--out", flags->out_path,
                  "Write the predictions here, one per line (with --proba: liblinear's layout, "
                  "a \"labels ...\" header and each class's probability)")
      ->type_name("FILE");
  app->add_flag("--proba", flags->proba, "Also write each class's probability (logistic models)");
  app->add_flag("--metrics", flags->metrics,
                "Print the scores against the true targets: accuracy, log loss, ROC AUC "
                "(classifiers); MSE, R^2 (regressions); Poisson deviance (poisson)");
  app->add_flag("--json", flags->json, "Print the scores as one JSON object");
  app->footer(
      "Examples:\n"
      "  proxjit predict --model model.json --data test.svm --metrics --out predictions.txt\n"
      "  proxjit predict --model model.json --A X.npy --proba\n"
      "A LIBSVM --data file is read at the model's width: a test file with fewer features is\n"
      "padded; one with features the model never saw is an error unless "
      "--ignore-extra-features.\n"
      "Without --out the predictions are printed, one per line (with --metrics alone, only\n"
      "the scores).");
  return {app, [flags] { return run_predict(*flags); }};
}

}  // namespace proxjit::cli
