// Model: fitting with labels as users have them, prediction and scores. The file format is in
// model_file.cpp.
#include "proxjit/model.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "proxjit/metrics.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {
namespace {

TrainingRecord record_of(const Summary& summary) {
  TrainingRecord record;
  record.status = summary.status;
  record.message = summary.message;
  record.objective = summary.objective;
  record.certificate = summary.certificate;
  record.duality_gap = summary.duality_gap;
  record.iterations = summary.iterations;
  record.algorithm = summary.algorithm;
  record.scalar = summary.scalar;
  record.run_s = summary.timing.run_s;
  return record;
}

// 1 / (1 + exp(-z)) without overflow for either sign of z.
double sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

// ---- ClassLabels ---------------------------------------------------------------------------

ClassLabels ClassLabels::of(const Vector& labels, const std::string& what) {
  std::set<double> distinct;
  for (Eigen::Index i = 0; i < labels.size(); ++i) {
    if (!std::isfinite(labels[i])) {
      throw Error(what + ": label " + std::to_string(i + 1) + " is " + number_text(labels[i]) +
                  " (expected a class label, a finite number)");
    }
    distinct.insert(labels[i]);
  }
  if (distinct.size() < 2) {
    throw Error(what + ": every label is " +
                (distinct.empty() ? std::string("missing") : number_text(*distinct.begin())) +
                "; a classifier needs at least two classes");
  }
  return ClassLabels{std::vector<double>(distinct.begin(), distinct.end())};
}

Vector ClassLabels::encode_binary(const Vector& labels) const {
  if (classes.size() != 2) throw Error("encode_binary: the labels have " +
                                       std::to_string(classes.size()) + " classes, not two");
  return labels.unaryExpr([&](double label) { return label == classes[1] ? 1.0 : -1.0; });
}

Vector ClassLabels::one_against_rest(const Vector& labels, std::size_t k) const {
  return labels.unaryExpr([&](double label) { return label == classes.at(k) ? 1.0 : -1.0; });
}

std::size_t ClassLabels::index_of(double label, Eigen::Index row, const std::string& what) const {
  const auto found = std::lower_bound(classes.begin(), classes.end(), label);
  if (found == classes.end() || *found != label) {
    std::string known;
    for (double c : classes)
      known += (known.empty() ? "" : ", ") + number_text(c);
    throw Error(what + ": label " + number_text(label) + " (sample " + std::to_string(row + 1) +
                ") is not one of the model's classes (" + known + ")");
  }
  return static_cast<std::size_t>(found - classes.begin());
}

std::string ClassLabels::describe_binary() const {
  if (classes.size() != 2) return "";
  return number_text(classes[0]) + " -> -1, " + number_text(classes[1]) + " -> +1";
}

// ---- fitting -------------------------------------------------------------------------------

Model Model::from_solve(const Problem& problem, const Summary& summary,
                        const ClassLabels* classes) {
  const SmoothDefinition& loss = problem.f().definition();
  if (problem.f().kind() != SmoothKind::margin || loss.prediction == Prediction::none ||
      loss.elementwise_term) {
    throw Error(problem.f().name() +
                " is not a loss over samples: there is no model to predict with (a model "
                "takes least_squares, logistic, huber, squared_hinge, poisson or a user loss)");
  }
  if (summary.x.size() != problem.variables()) {
    throw Error("the solve ended with status " + std::string(to_string(summary.status)) +
                " and no solution to make a model of: " + summary.message);
  }
  Model model;
  model.loss_ = problem.f().describe();
  model.penalty_ = problem.r().describe();
  model.prediction_ = loss.prediction;
  model.probabilistic_ = loss.probabilistic;
  const Eigen::Index features = problem.features();
  model.coefficients_ = summary.x.head(features);
  model.fit_intercept_ = problem.fit_intercept();
  model.intercepts_ = Vector::Constant(1, model.fit_intercept_ ? summary.x[features] : 0.0);
  if (model.classifier()) model.classes_ = classes ? *classes : ClassLabels{{-1.0, 1.0}};
  model.training_ = {record_of(summary)};
  model.samples_ = problem.samples();
  model.proxjit_version_ = PROXJIT_VERSION;
  return model;
}

void Model::set_output(Eigen::Index k, const Model& other) {
  coefficients_.col(k) = other.coefficients_.col(0);
  intercepts_[k] = other.intercepts_[0];
  training_.at(static_cast<std::size_t>(k)) = other.training_.front();
}

template <class DataMatrix>
Model Model::fit_any(Engine& engine, const SmoothComponent& f, const ProxComponent& r,
                     const DataMatrix& A, const Vector& targets, const ProblemOptions& problem,
                     const SolverOptions& options) {
  return fit_path_any(engine, f, r, A, targets, "", {}, problem, options).front();
}

// A path of one value per entry of `values`; an empty `parameter` is one solve of r as it is.
template <class DataMatrix>
std::vector<Model> Model::fit_path_any(Engine& engine, const SmoothComponent& f,
                                       const ProxComponent& r, const DataMatrix& A,
                                       const Vector& targets, const std::string& parameter,
                                       const std::vector<double>& values,
                                       const ProblemOptions& problem,
                                       const SolverOptions& options) {
  const auto solved = [&](const Vector& b, const SolverOptions& solve_options,
                          const ClassLabels* labels) {
    const Problem one(f, r, A, b, problem);
    std::vector<Model> models;
    if (parameter.empty()) {
      models.push_back(from_solve(one, engine.solve(one, solve_options), labels));
      return models;
    }
    const std::vector<Summary> path = engine.solve_path(one, parameter, values, solve_options);
    for (std::size_t i = 0; i < path.size(); ++i) {
      const Problem point = one.with_prox(r.with_parameter(parameter, values[i]));
      models.push_back(from_solve(point, path[i], labels));
    }
    return models;
  };
  if (f.definition().prediction != Prediction::sign_class) return solved(targets, options, nullptr);
  const ClassLabels labels = ClassLabels::of(targets);
  if (labels.classes.size() == 2) return solved(labels.encode_binary(targets), options, &labels);
  // One against the rest: every class's problem has the same structure, so one kernel.
  SolverOptions per_class = options;
  per_class.x0 = Vector();  // a start point is one problem's, not every class's
  std::vector<Model> models;
  const auto classes = static_cast<Eigen::Index>(labels.classes.size());
  for (Eigen::Index k = 0; k < classes; ++k) {
    const std::vector<Model> one = solved(
        labels.one_against_rest(targets, static_cast<std::size_t>(k)), per_class, nullptr);
    if (k == 0) {
      for (const Model& first : one) {
        Model model = first;
        model.coefficients_.resize(first.features(), classes);
        model.intercepts_.resize(classes);
        model.training_.resize(static_cast<std::size_t>(classes));
        model.classes_ = labels;
        model.multiclass_ = Multiclass::one_vs_rest;
        models.push_back(std::move(model));
      }
    }
    for (std::size_t i = 0; i < one.size(); ++i)
      models[i].set_output(k, one[i]);
  }
  return models;
}

template <class DataMatrix>
std::vector<double> Model::grid_any(const SmoothComponent& f, const ProxComponent& r,
                                    const DataMatrix& A, const Vector& targets,
                                    const std::string& parameter, const GridOptions& grid,
                                    const ProblemOptions& problem) {
  if (f.definition().prediction != Prediction::sign_class) {
    return automatic_grid(Problem(f, r, A, targets, problem), parameter, grid);
  }
  const ClassLabels labels = ClassLabels::of(targets);
  if (labels.classes.size() == 2) {
    return automatic_grid(Problem(f, r, A, labels.encode_binary(targets), problem), parameter,
                          grid);
  }
  std::vector<double> widest;
  for (std::size_t k = 0; k < labels.classes.size(); ++k) {
    std::vector<double> one = automatic_grid(
        Problem(f, r, A, labels.one_against_rest(targets, k), problem), parameter, grid);
    if (widest.empty() || one.front() > widest.front()) widest = std::move(one);
  }
  return widest;
}

std::vector<Model> Model::fit_path(Engine& engine, const SmoothComponent& f,
                                   const ProxComponent& r, const Matrix& A, const Vector& targets,
                                   const std::string& parameter, const std::vector<double>& values,
                                   const ProblemOptions& problem, const SolverOptions& options) {
  if (parameter.empty()) throw Error("fit_path: name the prox parameter the path varies");
  return fit_path_any(engine, f, r, A, targets, parameter, values, problem, options);
}

std::vector<Model> Model::fit_path(Engine& engine, const SmoothComponent& f,
                                   const ProxComponent& r, const SparseMatrix& A,
                                   const Vector& targets, const std::string& parameter,
                                   const std::vector<double>& values,
                                   const ProblemOptions& problem, const SolverOptions& options) {
  if (parameter.empty()) throw Error("fit_path: name the prox parameter the path varies");
  return fit_path_any(engine, f, r, A, targets, parameter, values, problem, options);
}

std::vector<double> Model::automatic_grid_for(const SmoothComponent& f, const ProxComponent& r,
                                              const Matrix& A, const Vector& targets,
                                              const std::string& parameter,
                                              const GridOptions& grid,
                                              const ProblemOptions& problem) {
  return grid_any(f, r, A, targets, parameter, grid, problem);
}

std::vector<double> Model::automatic_grid_for(const SmoothComponent& f, const ProxComponent& r,
                                              const SparseMatrix& A, const Vector& targets,
                                              const std::string& parameter,
                                              const GridOptions& grid,
                                              const ProblemOptions& problem) {
  return grid_any(f, r, A, targets, parameter, grid, problem);
}

Model Model::fit(Engine& engine, const SmoothComponent& f, const ProxComponent& r,
                 const Matrix& A, const Vector& targets, const ProblemOptions& problem,
                 const SolverOptions& options) {
  return fit_any(engine, f, r, A, targets, problem, options);
}

Model Model::fit(Engine& engine, const SmoothComponent& f, const ProxComponent& r,
                 const SparseMatrix& A, const Vector& targets, const ProblemOptions& problem,
                 const SolverOptions& options) {
  return fit_any(engine, f, r, A, targets, problem, options);
}

// ---- prediction ----------------------------------------------------------------------------

void Model::check_features(Eigen::Index features, const std::string& what) const {
  if (features != this->features()) {
    throw Error(what + " has " + std::to_string(features) + " features but the model was fitted on " +
                std::to_string(this->features()) +
                " (read a LIBSVM file at the model's width with --n-features " +
                std::to_string(this->features()) + ")");
  }
}

Eigen::MatrixXd Model::decision_function(const Matrix& X) const {
  check_features(X.cols(), "X");
  Eigen::MatrixXd z = X * coefficients_;
  z.rowwise() += intercepts_.transpose();
  return z;
}

Eigen::MatrixXd Model::decision_function(const SparseMatrix& X) const {
  check_features(X.cols(), "X");
  Eigen::MatrixXd z = X * coefficients_;
  z.rowwise() += intercepts_.transpose();
  return z;
}

Vector Model::predict_from(const Eigen::MatrixXd& z) const {
  switch (prediction_) {
    case Prediction::value:
      return z.col(0);
    case Prediction::rate:
      return z.col(0).array().exp();
    case Prediction::sign_class: {
      Vector predicted(z.rows());
      for (Eigen::Index i = 0; i < z.rows(); ++i) {
        Eigen::Index best = 0;
        if (outputs() == 1) {
          best = z(i, 0) > 0.0 ? 1 : 0;  // a tie goes to classes[0], as scikit-learn's
        } else {
          z.row(i).maxCoeff(&best);
        }
        predicted[i] = classes_.classes[static_cast<std::size_t>(best)];
      }
      return predicted;
    }
    case Prediction::none:
      break;
  }
  throw Error(loss_ + " models predict nothing");
}

Eigen::MatrixXd Model::proba_from(const Eigen::MatrixXd& z) const {
  if (!probabilistic_) {
    throw Error(loss_ +
                " gives no probabilities (predict_proba is for logistic models; use "
                "decision_function for scores)");
  }
  if (outputs() == 1) {
    Eigen::MatrixXd p(z.rows(), 2);
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
      p(i, 1) = sigmoid(z(i, 0));
      p(i, 0) = sigmoid(-z(i, 0));
    }
    return p;
  }
  // One against the rest: each class's own probability, normalized (scikit-learn's OvR).
  Eigen::MatrixXd p = z.unaryExpr([](double value) { return sigmoid(value); });
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    const double total = p.row(i).sum();
    if (total > 0.0) p.row(i) /= total;
  }
  return p;
}

Vector Model::predict(const Matrix& X) const { return predict_from(decision_function(X)); }
Vector Model::predict(const SparseMatrix& X) const { return predict_from(decision_function(X)); }
Eigen::MatrixXd Model::predict_proba(const Matrix& X) const {
  return proba_from(decision_function(X));
}
Eigen::MatrixXd Model::predict_proba(const SparseMatrix& X) const {
  return proba_from(decision_function(X));
}

// ---- scores --------------------------------------------------------------------------------

Metrics Model::evaluate_from(const Eigen::MatrixXd& z, const Vector& y) const {
  if (y.size() != z.rows()) {
    throw Error("evaluate: " + std::to_string(z.rows()) + " samples but " +
                std::to_string(y.size()) + " true targets (expected one per sample)");
  }
  Metrics scores;
  const Vector predicted = predict_from(z);
  if (classifier()) {
    std::vector<std::size_t> truth(static_cast<std::size_t>(y.size()));
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      truth[static_cast<std::size_t>(i)] = classes_.index_of(y[i], i, "the true labels");
    }
    scores.emplace_back("accuracy", metrics::accuracy(y, predicted));
    if (probabilistic_) scores.emplace_back("log_loss", metrics::log_loss(truth, proba_from(z)));
    if (classes_.classes.size() == 2) {
      std::vector<bool> positive(truth.size());
      for (std::size_t i = 0; i < truth.size(); ++i)
        positive[i] = truth[i] == 1;
      const bool both = std::find(positive.begin(), positive.end(), !positive.front()) !=
                        positive.end();
      if (both) scores.emplace_back("roc_auc", metrics::roc_auc(positive, z.col(0)));
    }
    return scores;
  }
  if (prediction_ == Prediction::rate) {
    scores.emplace_back("poisson_deviance", metrics::poisson_deviance(y, predicted));
  }
  scores.emplace_back("mse", metrics::mean_squared_error(y, predicted));
  if (prediction_ == Prediction::value) scores.emplace_back("r2", metrics::r2(y, predicted));
  return scores;
}

Metrics Model::evaluate(const Matrix& X, const Vector& y) const {
  return evaluate_from(decision_function(X), y);
}
Metrics Model::evaluate(const SparseMatrix& X, const Vector& y) const {
  return evaluate_from(decision_function(X), y);
}

std::string Model::validation_metric() const {
  if (classifier()) return probabilistic_ ? "log_loss" : "misclassification";
  return prediction_ == Prediction::rate ? "poisson_deviance" : "mse";
}

double Model::validation_loss(const Metrics& scores) const {
  const std::string wanted = validation_metric();
  const std::string name = wanted == "misclassification" ? "accuracy" : wanted;
  for (const auto& [metric, value] : scores) {
    if (metric == name) return wanted == "misclassification" ? 1.0 - value : value;
  }
  throw Error("validation_loss: the scores hold no " + name);
}

// ---- reports -------------------------------------------------------------------------------

SolveStatus Model::status() const {
  for (const TrainingRecord& record : training_) {
    if (record.status != SolveStatus::converged) return record.status;
  }
  return training_.empty() ? SolveStatus::error : SolveStatus::converged;
}

std::string Model::describe() const {
  std::string text = loss_ + " + " + penalty_ + (fit_intercept_ ? " + intercept" : "") + ": " +
                     std::to_string(features()) + " features, " + std::to_string(samples_) +
                     " samples";
  if (classifier()) {
    text += ", classes";
    for (double c : classes_.classes)
      text += " " + number_text(c);
    if (outputs() == 1) text += " (" + classes_.describe_binary() + ")";
    if (multiclass_ == Multiclass::one_vs_rest) text += ", one against the rest";
  }
  const Eigen::Index nonzeros = (coefficients_.array() != 0.0).count();
  text += "; " + std::to_string(nonzeros) + " nonzero coefficients";
  std::int64_t iterations = 0;
  for (const TrainingRecord& record : training_)
    iterations += record.iterations;
  text += "; " + std::string(to_string(status())) + " (" + std::to_string(iterations) +
          " iterations in all)";
  return text;
}

std::string_view to_string(Prediction prediction) {
  switch (prediction) {
    case Prediction::value:
      return "value";
    case Prediction::rate:
      return "rate";
    case Prediction::sign_class:
      return "class";
    case Prediction::none:
      return "none";
  }
  return "none";
}

std::string_view to_string(Multiclass multiclass) {
  return multiclass == Multiclass::one_vs_rest ? "one_vs_rest" : "none";
}

}  // namespace proxjit
