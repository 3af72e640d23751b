// The REPL's model commands: fit, predict, cv and model (show, save, load), over the session's
// data and components (proxjit/model.h, proxjit/cross_validation.h).

#include <cstdio>
#include <cstdlib>

#include "command_table.h"
#include "proxjit/cross_validation.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::repl {
namespace {

SolverOptions model_options(const CommandCall& call) {
  SolverOptions options = call.state.options;
  options.interrupt = call.interrupt;
  return options;
}

void require_data(const Session::State& state) {
  if ((!state.A && !state.A_sparse) || !state.b) {
    throw Error("no data: use `load train.svm` or `gen lasso n=100 d=20 seed=0` first");
  }
}

ProblemOptions data_options(const Session::State& state) {
  ProblemOptions options;
  options.fit_intercept = state.intercept;
  return options;
}

void print_metrics(std::ostream& out, const Metrics& scores, Eigen::Index samples,
                   const std::string& source) {
  out << "  " << samples << " samples (" << source << "):";
  for (const auto& [name, value] : scores)
    out << " " << name << " " << number_text(value, 6);
  out << "\n";
}

// key=value words after the command; an unknown key is an error naming the usage.
std::string value_of(const std::string& word, const std::string& key) {
  return word.rfind(key + "=", 0) == 0 ? word.substr(key.size() + 1) : std::string();
}

double number_in(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw Error(what + ": expected a number, got '" + text + "'");
  return value;
}

}  // namespace

bool run_fit(CommandCall& call) {
  no_arguments(call.words);
  Session::State& state = call.state;
  require_data(state);
  Model model;
  {
    SolvingScope scope(call.interrupt);
    model = state.A_sparse ? Model::fit(state.engine, state.f, state.r, *state.A_sparse, *state.b,
                                        data_options(state), model_options(call))
                           : Model::fit(state.engine, state.f, state.r, *state.A, *state.b,
                                        data_options(state), model_options(call));
  }
  call.out << "  " << model.describe() << "\n";
  const Metrics scores =
      state.A_sparse ? model.evaluate(*state.A_sparse, *state.b) : model.evaluate(*state.A, *state.b);
  print_metrics(call.out, scores, model.samples(), "training data");
  const bool ok = model.status() != SolveStatus::error;
  state.model = std::move(model);
  return ok;
}

bool run_predict(CommandCall& call) {
  Session::State& state = call.state;
  if (!state.model) throw Error("predict: no model: `fit`, `cv` or `model load FILE` first");
  const Model& model = *state.model;
  if (call.words.size() > 2) throw Error("predict: usage: " + usage_of("predict"));
  if (call.words.size() == 2) {
    // A held-out LIBSVM file, read at the model's width.
    const std::string& path = call.words[1];
    LibsvmOptions options;
    options.features = model.features();
    const LabeledSparseData data = load_libsvm_sparse(path, options);
    print_metrics(call.out, model.evaluate(data.A, data.b), data.A.rows(), path);
    return true;
  }
  require_data(state);
  const Metrics scores =
      state.A_sparse ? model.evaluate(*state.A_sparse, *state.b) : model.evaluate(*state.A, *state.b);
  print_metrics(call.out, scores, state.b->size(), state.data_source);
  return true;
}

bool run_cv(CommandCall& call) {
  Session::State& state = call.state;
  require_data(state);
  CrossValidationOptions cv;
  for (std::size_t i = 1; i < call.words.size(); ++i) {
    const std::string& word = call.words[i];
    if (std::string v = value_of(word, "folds"); !v.empty()) {
      cv.folds = static_cast<int>(number_in(v, "cv folds"));
    } else if (std::string v = value_of(word, "seed"); !v.empty()) {
      cv.seed = static_cast<std::uint64_t>(number_in(v, "cv seed"));
    } else if (std::string v = value_of(word, "count"); !v.empty()) {
      cv.grid.count = static_cast<int>(number_in(v, "cv count"));
    } else if (std::string v = value_of(word, "choose"); !v.empty()) {
      if (v != "min" && v != "1se") throw Error("cv choose: expected min or 1se, got '" + v + "'");
      cv.choice = v == "min" ? ValueChoice::minimum : ValueChoice::one_standard_error;
    } else {
      throw Error("cv: unknown argument '" + word + "'; usage: " + usage_of("cv"));
    }
  }
  if (const std::string wrong = cv.problem(); !wrong.empty()) throw Error("cv " + wrong);
  CrossValidationResult result;
  {
    SolvingScope scope(call.interrupt);
    result = state.A_sparse ? cross_validate(state.engine, state.f, state.r, *state.A_sparse,
                                             *state.b, data_options(state), model_options(call), cv)
                            : cross_validate(state.engine, state.f, state.r, *state.A, *state.b,
                                             data_options(state), model_options(call), cv);
  }
  char row[160];
  std::snprintf(row, sizeof row, "  %12s  %14s  %11s  %9s\n", "lambda",
                ("mean " + result.metric).c_str(), "se", "nonzeros");
  call.out << row;
  for (std::size_t v = 0; v < result.values.size(); ++v) {
    std::snprintf(row, sizeof row, "  %12s  %14s  %11.3e  %9.1f%s%s\n",
                  number_text(result.values[v], 6).c_str(), number_text(result.mean[v], 6).c_str(),
                  result.standard_error[v], result.nonzeros[v],
                  v == result.index_minimum ? "  <- min" : "",
                  v == result.index_one_standard_error ? "  <- 1se" : "");
    call.out << row;
  }
  call.out << "  refitted at lambda = " << number_text(result.chosen_value, 6) << " ("
           << to_string(result.status) << "): " << result.model.describe() << "\n";
  state.model = std::move(result.model);
  return result.status != SolveStatus::error;
}

bool run_model(CommandCall& call) {
  Session::State& state = call.state;
  const std::vector<std::string>& words = call.words;
  if (words.size() == 1) {
    if (!state.model) throw Error("model: no model: `fit`, `cv` or `model load FILE` first");
    call.out << "  " << state.model->describe() << "\n";
    return true;
  }
  if (words.size() == 3 && words[1] == "save") {
    if (!state.model) throw Error("model save: no model to save: `fit` or `cv` first");
    state.model->save(words[2]);
    call.out << "  model written to " << words[2] << "\n";
    return true;
  }
  if (words.size() == 3 && words[1] == "load") {
    state.model = Model::load(words[2]);
    call.out << "  " << state.model->describe() << "\n";
    return true;
  }
  throw Error("model: usage: " + usage_of("model"));
}

}  // namespace proxjit::repl
