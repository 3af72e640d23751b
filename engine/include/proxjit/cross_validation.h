#pragma once
// K-fold cross-validation of a regularization path (glmnet's cv.glmnet, scikit-learn's
// LogisticRegressionCV): seeded folds, stratified for classifiers; each fold's path
// warm-started on one compiled kernel; the validation loss of every value on every fold; the
// value of the minimum and of the one-standard-error rule; the model refitted on all data.
//
//   proxjit::CrossValidationOptions cv;  // 5 folds, the automatic grid of "lambda"
//   auto result = proxjit::cross_validate(engine, f, r, A, labels, {}, solver_options, cv);
//   result.model.save("model.json");

#include <cstdint>
#include <string>
#include <vector>

#include "proxjit/model.h"
#include "proxjit/path.h"

namespace proxjit {

enum class ValueChoice {
  minimum,             // the value of the smallest mean validation loss
  one_standard_error,  // the most regularized value within one standard error of the minimum
};

struct CrossValidationOptions {
  int folds = 5;            // >= 2, at most the samples (and each class's count when stratified)
  std::uint64_t seed = 0;   // the shuffle of the samples into folds
  // The fold of each sample as the user has them (cv.glmnet's foldid): one whole number per
  // sample, each distinct value a fold, in increasing order. Empty: seeded folds. When given,
  // `folds` is ignored (the distinct values count them) and so are seed and stratify.
  Vector fold_ids;
  bool stratify = true;     // classifiers: every fold holds each class in proportion
  std::string parameter = "lambda";
  std::vector<double> values;  // the path, in order; empty: the automatic grid of all data
  GridOptions grid;            // that grid's count and ratio
  ValueChoice choice = ValueChoice::minimum;  // for the refitted model
  bool refit = true;                          // fit the chosen value on all data

  // An error naming the field, or empty.
  std::string problem() const;
};

struct CrossValidationResult {
  std::string parameter;
  std::vector<double> values;
  std::string metric;  // Model::validation_metric(): log_loss, misclassification, mse, ...
  // loss[f][v]: fold f's validation loss at values[v].
  std::vector<std::vector<double>> loss;
  std::vector<double> mean;            // over the folds
  std::vector<double> standard_deviation;  // over the folds (n - 1 in the denominator)
  std::vector<double> standard_error;      // standard_deviation / sqrt(folds)
  std::vector<double> nonzeros;            // mean nonzero coefficients over the folds
  std::size_t index_minimum = 0;
  std::size_t index_one_standard_error = 0;
  // Worst status over every fold's solves (converged only when all converged).
  SolveStatus status = SolveStatus::converged;
  std::int64_t solves = 0;
  std::vector<std::vector<std::size_t>> fold_of_samples;  // the held-out samples of each fold
  Model model;  // refitted on all data at the chosen value (when refit)
  double chosen_value = 0.0;

  double value_minimum() const { return values[index_minimum]; }
  double value_one_standard_error() const { return values[index_one_standard_error]; }
};

// Samples dealt into `folds` folds after a seeded shuffle; with `labels`, each class dealt on its
// own so every fold has its share (scikit-learn's StratifiedKFold). Each fold's samples sorted.
std::vector<std::vector<std::size_t>> make_folds(Eigen::Index samples, int folds,
                                                 std::uint64_t seed,
                                                 const Vector* labels = nullptr);

// The folds of fold_ids (see CrossValidationOptions); throws naming the sample of a value that
// is not a whole number, or when there are fewer than two folds.
std::vector<std::vector<std::size_t>> folds_from_ids(const Vector& fold_ids);

CrossValidationResult cross_validate(Engine& engine, const SmoothComponent& f,
                                     const ProxComponent& r, const Matrix& A,
                                     const Vector& targets, const ProblemOptions& problem,
                                     const SolverOptions& options,
                                     const CrossValidationOptions& cv = {});
CrossValidationResult cross_validate(Engine& engine, const SmoothComponent& f,
                                     const ProxComponent& r, const SparseMatrix& A,
                                     const Vector& targets, const ProblemOptions& problem,
                                     const SolverOptions& options,
                                     const CrossValidationOptions& cv = {});

}  // namespace proxjit
