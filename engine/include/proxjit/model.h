#pragma once
// A fitted model: what a solve of a loss over samples learned, ready to predict, to be scored
// and to be saved as a versioned JSON file (liblinear's model file, glmnet's fit object).
//
//   proxjit::Engine engine;
//   auto model = proxjit::Model::fit(engine, SmoothComponent::parse("logistic"),
//                                    ProxComponent::parse("l1(lambda=0.01)"), A, labels);
//   Vector classes = model.predict(A_test);
//   model.save("model.json");

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxjit/engine.h"
#include "proxjit/path.h"
#include "proxjit/problem.h"
#include "proxjit/summary.h"

namespace proxjit {

// The format written by Model::save; a file of another version is refused with a reason.
inline constexpr int kModelFormatVersion = 1;

// The labels of a classifier as users have them (0/1, 1/2, -1/+1, ten digits), sorted.
// Two classes: classes[0] is the loss's -1 and classes[1] its +1 (scikit-learn's convention).
struct ClassLabels {
  std::vector<double> classes;

  // The distinct labels of `labels`; throws proxjit::Error naming `what` when there is only one
  // or a label is not finite.
  static ClassLabels of(const Vector& labels, const std::string& what = "labels");
  // -1/+1 for two classes.
  Vector encode_binary(const Vector& labels) const;
  // +1 where the label is classes[k], -1 elsewhere.
  Vector one_against_rest(const Vector& labels, std::size_t k) const;
  // The index of a label in `classes`; throws naming the row when it is not one of them.
  std::size_t index_of(double label, Eigen::Index row, const std::string& what) const;
  // "0 -> -1, 1 -> +1"
  std::string describe_binary() const;
};

// Multiclass classifiers: more than two classes.
enum class Multiclass {
  none,         // regression or two classes: one output
  one_vs_rest,  // one binary problem per class, on one compiled kernel; argmax of the outputs
};

// What the solve behind one output reported.
struct TrainingRecord {
  SolveStatus status = SolveStatus::error;
  std::string message;
  double objective = 0.0;
  double certificate = 0.0;
  double duality_gap = 0.0;  // NaN where no dual is known
  std::int64_t iterations = 0;
  Algorithm algorithm = Algorithm::proximal_gradient;
  ScalarType scalar = ScalarType::f64;
  double run_s = 0.0;
};

// The metrics Model::evaluate reports, by name ("accuracy", "log_loss", "roc_auc", "mse",
// "r2", "poisson_deviance"), in that order where they apply.
using Metrics = std::vector<std::pair<std::string, double>>;

class Model {
 public:
  Model() = default;

  // From a finished solve of a loss over samples (throws for `quadratic`, which has none).
  // `classes`: the labels the -1/+1 targets stood for (a classifier), or null.
  static Model from_solve(const Problem& problem, const Summary& summary,
                          const ClassLabels* classes = nullptr);

  // Fits f + r on samples A and targets as users have them: for a classifier (logistic,
  // squared hinge) any two labels are mapped to -1/+1, and more than two are fitted one
  // against the rest, every class on the same compiled kernel. Bad input throws proxjit::Error.
  static Model fit(Engine& engine, const SmoothComponent& f, const ProxComponent& r,
                   const Matrix& A, const Vector& targets, const ProblemOptions& problem = {},
                   const SolverOptions& options = {});
  static Model fit(Engine& engine, const SmoothComponent& f, const ProxComponent& r,
                   const SparseMatrix& A, const Vector& targets,
                   const ProblemOptions& problem = {}, const SolverOptions& options = {});

  // One model per value of the prox parameter `parameter` ("lambda"), in the order given:
  // Engine::solve_path for each output (warm starts, one compiled kernel for every class and
  // value). Labels as fit takes them.
  static std::vector<Model> fit_path(Engine& engine, const SmoothComponent& f,
                                     const ProxComponent& r, const Matrix& A,
                                     const Vector& targets, const std::string& parameter,
                                     const std::vector<double>& values,
                                     const ProblemOptions& problem = {},
                                     const SolverOptions& options = {});
  static std::vector<Model> fit_path(Engine& engine, const SmoothComponent& f,
                                     const ProxComponent& r, const SparseMatrix& A,
                                     const Vector& targets, const std::string& parameter,
                                     const std::vector<double>& values,
                                     const ProblemOptions& problem = {},
                                     const SolverOptions& options = {});
  // The automatic grid (path.h) of the problem fit would solve; with more than two classes,
  // the grid of the class whose lambda_max is largest (every class starts at zero then).
  static std::vector<double> automatic_grid_for(const SmoothComponent& f, const ProxComponent& r,
                                                const Matrix& A, const Vector& targets,
                                                const std::string& parameter,
                                                const GridOptions& grid = {},
                                                const ProblemOptions& problem = {});
  static std::vector<double> automatic_grid_for(const SmoothComponent& f, const ProxComponent& r,
                                                const SparseMatrix& A, const Vector& targets,
                                                const std::string& parameter,
                                                const GridOptions& grid = {},
                                                const ProblemOptions& problem = {});

  // z = X w + c for each output: samples x outputs. X must have features() columns.
  Eigen::MatrixXd decision_function(const Matrix& X) const;
  Eigen::MatrixXd decision_function(const SparseMatrix& X) const;
  // The loss's natural prediction: the class (logistic, squared hinge), the value (least
  // squares, huber, user losses) or the rate exp(z) (poisson).
  Vector predict(const Matrix& X) const;
  Vector predict(const SparseMatrix& X) const;
  // P(class k | x): samples x classes, columns in the order of classes(). Logistic only
  // (one-vs-rest probabilities are normalized to sum to 1); throws otherwise.
  Eigen::MatrixXd predict_proba(const Matrix& X) const;
  Eigen::MatrixXd predict_proba(const SparseMatrix& X) const;
  // The metrics of the loss's kind on samples X with true targets y: a classifier's accuracy
  // (with log loss for logistic and ROC AUC for two classes), a regression's MSE and R^2, a
  // rate's Poisson deviance and MSE.
  Metrics evaluate(const Matrix& X, const Vector& y) const;
  Metrics evaluate(const SparseMatrix& X, const Vector& y) const;
  // The name of the metric a lower value of which is better, for choosing lambda: log_loss
  // (logistic), the misclassification rate for other classifiers, poisson_deviance, mse.
  std::string validation_metric() const;
  // That metric of evaluate(X, y) (the misclassification rate is 1 - accuracy).
  double validation_loss(const Metrics& metrics) const;

  // Versioned JSON; coefficients with few nonzeros are written sparsely. Numbers round-trip.
  std::string to_json() const;
  // Throws proxjit::Error naming `source` (and the line where the JSON is malformed).
  static Model from_json(std::string_view text, const std::string& source);
  void save(const std::string& path) const;  // through a temporary file, renamed
  static Model load(const std::string& path);

  // Throws proxjit::Error when data of `features` columns cannot be scored by this model:
  // "`what` has 12 features but the model was fitted on 13".
  void check_features(Eigen::Index features, const std::string& what) const;

  const std::string& loss() const { return loss_; }        // "logistic"
  const std::string& penalty() const { return penalty_; }  // "l1(lambda=0.01)"
  Prediction prediction() const { return prediction_; }
  bool probabilistic() const { return probabilistic_; }
  bool classifier() const { return prediction_ == Prediction::sign_class; }
  Eigen::Index features() const { return coefficients_.rows(); }
  Eigen::Index outputs() const { return coefficients_.cols(); }
  // features x outputs: output k's weights in column k.
  const Eigen::MatrixXd& coefficients() const { return coefficients_; }
  const Vector& intercepts() const { return intercepts_; }  // zeros without an intercept
  bool fit_intercept() const { return fit_intercept_; }
  const std::vector<double>& classes() const { return classes_.classes; }
  Multiclass multiclass() const { return multiclass_; }
  const std::vector<TrainingRecord>& training() const { return training_; }
  std::int64_t samples() const { return samples_; }
  const std::string& proxjit_version() const { return proxjit_version_; }
  // Worst status over the outputs (converged only when every output converged).
  SolveStatus status() const;
  // One paragraph for humans: what was fitted, on what, and how each solve ended.
  std::string describe() const;

 private:
  template <class DataMatrix>
  static std::vector<Model> fit_path_any(Engine& engine, const SmoothComponent& f,
                                         const ProxComponent& r, const DataMatrix& A,
                                         const Vector& targets, const std::string& parameter,
                                         const std::vector<double>& values,
                                         const ProblemOptions& problem,
                                         const SolverOptions& options);
  template <class DataMatrix>
  static std::vector<double> grid_any(const SmoothComponent& f, const ProxComponent& r,
                                      const DataMatrix& A, const Vector& targets,
                                      const std::string& parameter, const GridOptions& grid,
                                      const ProblemOptions& problem);
  // Output k of `other` becomes this model's output k (one-vs-rest assembly).
  void set_output(Eigen::Index k, const Model& other);
  template <class DataMatrix>
  static Model fit_any(Engine& engine, const SmoothComponent& f, const ProxComponent& r,
                       const DataMatrix& A, const Vector& targets, const ProblemOptions& problem,
                       const SolverOptions& options);
  Vector predict_from(const Eigen::MatrixXd& decision) const;
  Eigen::MatrixXd proba_from(const Eigen::MatrixXd& decision) const;
  Metrics evaluate_from(const Eigen::MatrixXd& decision, const Vector& y) const;

  std::string loss_;
  std::string penalty_;
  Prediction prediction_ = Prediction::value;
  bool probabilistic_ = false;
  Eigen::MatrixXd coefficients_;
  Vector intercepts_;
  bool fit_intercept_ = false;
  ClassLabels classes_;
  Multiclass multiclass_ = Multiclass::none;
  std::vector<TrainingRecord> training_;
  std::int64_t samples_ = 0;
  std::string proxjit_version_;
};

std::string_view to_string(Prediction prediction);
std::string_view to_string(Multiclass multiclass);

}  // namespace proxjit
