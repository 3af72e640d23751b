// Cross-validation: folds, one path per fold, scores, the choice of the value and the refit.
#include "proxjit/cross_validation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {
namespace {

Matrix rows_of(const Matrix& A, const std::vector<std::size_t>& rows) {
  Matrix out(static_cast<Eigen::Index>(rows.size()), A.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = A.row(static_cast<Eigen::Index>(rows[i]));
  return out;
}

SparseMatrix rows_of(const SparseMatrix& A, const std::vector<std::size_t>& rows) {
  std::vector<Eigen::Triplet<double>> entries;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (SparseMatrix::InnerIterator it(A, static_cast<Eigen::Index>(rows[i])); it; ++it)
      entries.emplace_back(static_cast<Eigen::Index>(i), it.col(), it.value());
  }
  SparseMatrix out(static_cast<Eigen::Index>(rows.size()), A.cols());
  out.setFromTriplets(entries.begin(), entries.end());
  return out;
}

Vector rows_of(const Vector& v, const std::vector<std::size_t>& rows) {
  Vector out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    out[static_cast<Eigen::Index>(i)] = v[static_cast<Eigen::Index>(rows[i])];
  return out;
}

SolveStatus worse(SolveStatus a, SolveStatus b) {
  if (a == SolveStatus::error || b == SolveStatus::error) return SolveStatus::error;
  return a == SolveStatus::converged ? b : a;
}

template <class DataMatrix>
CrossValidationResult cross_validate_any(Engine& engine, const SmoothComponent& f,
                                         const ProxComponent& r, const DataMatrix& A,
                                         const Vector& targets, const ProblemOptions& problem,
                                         const SolverOptions& options,
                                         const CrossValidationOptions& cv) {
  if (const std::string wrong = cv.problem(); !wrong.empty()) throw Error(wrong);
  if (targets.size() != A.rows()) {
    throw Error("cross_validate: " + std::to_string(A.rows()) + " samples but " +
                std::to_string(targets.size()) + " targets");
  }
  const bool classifier = f.definition().prediction == Prediction::sign_class;
  CrossValidationResult result;
  result.parameter = cv.parameter;
  result.values = cv.values.empty() ? Model::automatic_grid_for(f, r, A, targets, cv.parameter,
                                                                cv.grid, problem)
                                    : cv.values;
  if (cv.fold_ids.size() > 0 && cv.fold_ids.size() != A.rows()) {
    throw Error("fold ids: " + std::to_string(cv.fold_ids.size()) + " values for " +
                std::to_string(A.rows()) + " samples (expected one per sample)");
  }
  result.fold_of_samples =
      cv.fold_ids.size() > 0
          ? folds_from_ids(cv.fold_ids)
          : make_folds(A.rows(), cv.folds, cv.seed, classifier && cv.stratify ? &targets : nullptr);
  const int fold_count = static_cast<int>(result.fold_of_samples.size());
  // Every class in every training set: a fold's model must know every label it will meet.
  const std::size_t value_count = result.values.size();
  result.nonzeros.assign(value_count, 0.0);
  for (const std::vector<std::size_t>& held_out : result.fold_of_samples) {
    std::vector<bool> is_held(static_cast<std::size_t>(A.rows()), false);
    for (std::size_t i : held_out)
      is_held[i] = true;
    std::vector<std::size_t> training;
    for (std::size_t i = 0; i < is_held.size(); ++i)
      if (!is_held[i]) training.push_back(i);
    ProblemOptions fold_problem = problem;
    if (problem.sample_weights.size() > 0) {
      fold_problem.sample_weights = rows_of(problem.sample_weights, training);
    }
    const DataMatrix train_A = rows_of(A, training);
    const Vector train_b = rows_of(targets, training);
    if (classifier && std::set<double>(train_b.begin(), train_b.end()).size() !=
                          ClassLabels::of(targets).classes.size()) {
      throw Error("cross_validate: a fold's training samples miss a class (too few samples of "
                  "it for " + std::to_string(fold_count) + " folds); use fewer folds");
    }
    const std::vector<Model> path = Model::fit_path(engine, f, r, train_A, train_b, cv.parameter,
                                                    result.values, fold_problem, options);
    const DataMatrix valid_A = rows_of(A, held_out);
    const Vector valid_b = rows_of(targets, held_out);
    std::vector<double> fold_loss;
    for (std::size_t v = 0; v < value_count; ++v) {
      const Model& model = path[v];
      fold_loss.push_back(model.validation_loss(model.evaluate(valid_A, valid_b)));
      result.metric = model.validation_metric();
      result.nonzeros[v] +=
          static_cast<double>((model.coefficients().array() != 0.0).count()) / fold_count;
      result.status = worse(result.status, model.status());
      result.solves += static_cast<std::int64_t>(model.training().size());
    }
    result.loss.push_back(std::move(fold_loss));
  }
  // Mean and spread over the folds, per value.
  const double folds = fold_count;
  for (std::size_t v = 0; v < value_count; ++v) {
    double sum = 0.0;
    for (const auto& fold : result.loss)
      sum += fold[v];
    const double mean = sum / folds;
    double squares = 0.0;
    for (const auto& fold : result.loss)
      squares += (fold[v] - mean) * (fold[v] - mean);
    const double deviation = std::sqrt(squares / (folds - 1.0));
    result.mean.push_back(mean);
    result.standard_deviation.push_back(deviation);
    result.standard_error.push_back(deviation / std::sqrt(folds));
  }
  // The first minimum; then the most regularized value within one standard error of it. Values
  // are in path order, so "most regularized" is the largest value (glmnet's lambda.1se).
  const auto smallest = std::min_element(result.mean.begin(), result.mean.end());
  result.index_minimum = static_cast<std::size_t>(smallest - result.mean.begin());
  const double bound = *smallest + result.standard_error[result.index_minimum];
  result.index_one_standard_error = result.index_minimum;
  for (std::size_t v = 0; v < value_count; ++v) {
    if (result.mean[v] <= bound &&
        result.values[v] > result.values[result.index_one_standard_error]) {
      result.index_one_standard_error = v;
    }
  }
  result.chosen_value = cv.choice == ValueChoice::minimum ? result.value_minimum()
                                                          : result.value_one_standard_error();
  if (cv.refit) {
    result.model = Model::fit(engine, f, r.with_parameter(cv.parameter, result.chosen_value), A,
                              targets, problem, options);
  }
  return result;
}

}  // namespace

std::string CrossValidationOptions::problem() const {
  if (folds < 2) return "folds: expected a whole number >= 2, got " + std::to_string(folds);
  if (parameter.empty()) return "parameter: name the prox parameter the path varies (lambda)";
  for (double value : values) {
    if (!std::isfinite(value) || value < 0.0) {
      return "values: expected finite numbers >= 0, got " + number_text(value);
    }
  }
  if (grid.count < 1) return "grid.count: expected >= 1, got " + std::to_string(grid.count);
  return "";
}

std::vector<std::vector<std::size_t>> make_folds(Eigen::Index samples, int folds,
                                                 std::uint64_t seed, const Vector* labels) {
  if (folds < 2) throw Error("folds: expected a whole number >= 2, got " + std::to_string(folds));
  if (samples < folds) {
    throw Error(std::to_string(folds) + " folds need at least " + std::to_string(folds) +
                " samples; there are " + std::to_string(samples));
  }
  // Groups dealt one after another round-robin: the counter runs on across groups so that
  // fold sizes differ by at most one.
  std::map<double, std::vector<std::size_t>> groups;
  for (Eigen::Index i = 0; i < samples; ++i)
    groups[labels ? (*labels)[i] : 0.0].push_back(static_cast<std::size_t>(i));
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::size_t>> out(static_cast<std::size_t>(folds));
  std::size_t next = 0;
  for (auto& [label, members] : groups) {
    std::shuffle(members.begin(), members.end(), rng);
    for (std::size_t i : members)
      out[next++ % out.size()].push_back(i);
  }
  for (auto& fold : out)
    std::sort(fold.begin(), fold.end());
  return out;
}

std::vector<std::vector<std::size_t>> folds_from_ids(const Vector& fold_ids) {
  std::map<double, std::vector<std::size_t>> by_id;
  for (Eigen::Index i = 0; i < fold_ids.size(); ++i) {
    const double id = fold_ids[i];
    if (!std::isfinite(id) || id != std::floor(id)) {
      throw Error("fold ids: sample " + std::to_string(i + 1) + " has " + number_text(id) +
                  " (expected a whole number naming its fold)");
    }
    by_id[id].push_back(static_cast<std::size_t>(i));
  }
  if (by_id.size() < 2) {
    throw Error("fold ids: every sample is in one fold; cross-validation needs at least two");
  }
  std::vector<std::vector<std::size_t>> folds;
  for (auto& [id, members] : by_id)
    folds.push_back(std::move(members));
  return folds;
}

CrossValidationResult cross_validate(Engine& engine, const SmoothComponent& f,
                                     const ProxComponent& r, const Matrix& A,
                                     const Vector& targets, const ProblemOptions& problem,
                                     const SolverOptions& options,
                                     const CrossValidationOptions& cv) {
  return cross_validate_any(engine, f, r, A, targets, problem, options, cv);
}

CrossValidationResult cross_validate(Engine& engine, const SmoothComponent& f,
                                     const ProxComponent& r, const SparseMatrix& A,
                                     const Vector& targets, const ProblemOptions& problem,
                                     const SolverOptions& options,
                                     const CrossValidationOptions& cv) {
  return cross_validate_any(engine, f, r, A, targets, problem, options, cv);
}

}  // namespace proxjit
