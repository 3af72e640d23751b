// Cross-validation: folds that partition and stratify, fold losses equal to solves and scores
// computed here, the one-standard-error rule, one kernel for every fold, and its errors.
#include "proxjit/cross_validation.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "proxjit/runtime/error.h"
#include "support/problems.h"

namespace proxjit {
namespace {

using testing::gaussian_matrix;
using testing::gaussian_vector;

SolverOptions tight() {
  SolverOptions options;
  options.tolerance = 1e-12;
  options.max_iterations = 200000;
  return options;
}

TEST(Folds, PartitionTheSamplesAndStratifyTheClasses) {
  Vector labels(103);
  for (Eigen::Index i = 0; i < labels.size(); ++i)
    labels[i] = i % 10 < 2 ? 1.0 : (i % 10 < 5 ? 2.0 : 3.0);  // 20% / 30% / 50%
  const auto folds = make_folds(labels.size(), 5, 42, &labels);
  ASSERT_EQ(folds.size(), 5u);
  std::multiset<std::size_t> seen;
  for (const auto& fold : folds) {
    EXPECT_TRUE(std::is_sorted(fold.begin(), fold.end()));
    EXPECT_GE(fold.size(), 20u);
    EXPECT_LE(fold.size(), 21u);
    seen.insert(fold.begin(), fold.end());
    std::map<double, int> counts;
    for (std::size_t i : fold)
      ++counts[labels[static_cast<Eigen::Index>(i)]];
    // Each class's share of the fold within one sample of its share of the data.
    EXPECT_NEAR(counts[1.0], 0.2 * fold.size(), 1.5);
    EXPECT_NEAR(counts[2.0], 0.3 * fold.size(), 1.5);
    EXPECT_NEAR(counts[3.0], 0.5 * fold.size(), 1.5);
  }
  ASSERT_EQ(seen.size(), 103u);
  for (std::size_t i = 0; i < 103; ++i)
    EXPECT_EQ(seen.count(i), 1u) << i;
  EXPECT_EQ(make_folds(103, 5, 42, &labels), folds);  // seeded
  EXPECT_NE(make_folds(103, 5, 43, &labels), folds);
  EXPECT_NE(make_folds(103, 5, 42), folds);  // unstratified deals otherwise
  EXPECT_THROW(make_folds(4, 5, 0), Error);
  EXPECT_THROW(make_folds(10, 1, 0), Error);
}

TEST(CrossValidation, FoldLossesAreTheHeldOutErrorsOfSeparateSolves) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(90, 15, 3);
  Vector w = gaussian_vector(15, 4);
  w.tail(10).setZero();
  const Vector y = A * w + 0.5 * gaussian_vector(90, 5);
  const auto f = SmoothComponent::parse("least_squares");
  const auto r = ProxComponent::parse("l1(lambda=1)");
  CrossValidationOptions cv;
  cv.folds = 4;
  cv.seed = 9;
  cv.values = {0.5, 0.2, 0.08, 0.03, 0.01, 0.001};
  const CrossValidationResult result = cross_validate(engine, f, r, A, y, {}, tight(), cv);
  EXPECT_EQ(engine.cache_stats().compiles, 1);  // every fold, every value and the refit
  EXPECT_EQ(result.metric, "mse");
  EXPECT_EQ(result.status, SolveStatus::converged);
  ASSERT_EQ(result.loss.size(), 4u);

  const auto folds = make_folds(90, 4, 9);
  EXPECT_EQ(result.fold_of_samples, folds);
  for (std::size_t k = 0; k < folds.size(); ++k) {
    std::vector<bool> held(90, false);
    for (std::size_t i : folds[k])
      held[i] = true;
    std::vector<Eigen::Index> train;
    for (Eigen::Index i = 0; i < 90; ++i)
      if (!held[static_cast<std::size_t>(i)]) train.push_back(i);
    Matrix A_train(static_cast<Eigen::Index>(train.size()), 15);
    Vector y_train(static_cast<Eigen::Index>(train.size()));
    for (std::size_t i = 0; i < train.size(); ++i) {
      A_train.row(static_cast<Eigen::Index>(i)) = A.row(train[i]);
      y_train[static_cast<Eigen::Index>(i)] = y[train[i]];
    }
    for (std::size_t v = 0; v < cv.values.size(); ++v) {
      // A cold solve of this fold at this value, scored by hand.
      const Summary solved =
          engine.solve(Problem(f, r.with_parameter("lambda", cv.values[v]), A_train, y_train),
                       tight());
      double squares = 0.0;
      for (std::size_t i : folds[k]) {
        const double e = A.row(static_cast<Eigen::Index>(i)).dot(solved.x) -
                         y[static_cast<Eigen::Index>(i)];
        squares += e * e;
      }
      const double mse = squares / static_cast<double>(folds[k].size());
      EXPECT_NEAR(result.loss[k][v], mse, 1e-8 * mse) << "fold " << k << ", value " << v;
    }
  }
  // Mean and spread by hand; the one-standard-error rule.
  for (std::size_t v = 0; v < cv.values.size(); ++v) {
    double mean = 0.0;
    for (const auto& fold : result.loss)
      mean += fold[v] / 4.0;
    double squares = 0.0;
    for (const auto& fold : result.loss)
      squares += (fold[v] - mean) * (fold[v] - mean);
    EXPECT_NEAR(result.mean[v], mean, 1e-15 * mean);
    EXPECT_NEAR(result.standard_deviation[v], std::sqrt(squares / 3.0), 1e-12);
    EXPECT_NEAR(result.standard_error[v], std::sqrt(squares / 3.0) / 2.0, 1e-12);
  }
  const std::size_t best = result.index_minimum;
  for (double mean : result.mean)
    EXPECT_GE(mean, result.mean[best]);
  const double bound = result.mean[best] + result.standard_error[best];
  EXPECT_LE(result.mean[result.index_one_standard_error], bound);
  for (std::size_t v = 0; v < cv.values.size(); ++v) {
    if (cv.values[v] > result.value_one_standard_error()) EXPECT_GT(result.mean[v], bound) << v;
  }
  // The refit is Model::fit at the chosen value on all data.
  EXPECT_EQ(result.chosen_value, result.value_minimum());
  const Model direct =
      Model::fit(engine, f, r.with_parameter("lambda", result.chosen_value), A, y, {}, tight());
  EXPECT_LE((result.model.coefficients() - direct.coefficients()).norm(),
            1e-9 * direct.coefficients().norm());
}

TEST(CrossValidation, LogisticWithZeroOneLabelsOnTheAutomaticGridOnSparseData) {
  Engine engine(EngineOptions{.disk_cache = false});
  Matrix dense = gaussian_matrix(200, 30, 11);
  dense = (dense.array().abs() < 0.8).select(0.0, dense);
  const Vector w = gaussian_vector(30, 12);
  const Vector score = dense * w;
  const Vector labels = score.unaryExpr([](double z) { return z > 0.3 ? 1.0 : 0.0; });
  const SparseMatrix A = dense.sparseView();
  CrossValidationOptions cv;
  cv.grid.count = 12;
  cv.choice = ValueChoice::one_standard_error;
  SolverOptions options = tight();
  options.tolerance = 1e-8;
  const CrossValidationResult result =
      cross_validate(engine, SmoothComponent::parse("logistic"),
                     ProxComponent::parse("l1(lambda=1)"), A, labels,
                     ProblemOptions{.fit_intercept = true}, options, cv);
  EXPECT_EQ(engine.cache_stats().compiles, 1);
  EXPECT_EQ(result.metric, "log_loss");
  ASSERT_EQ(result.values.size(), 12u);
  EXPECT_LE(result.nonzeros.front(), 1.0);  // lambda_max of all data: (nearly) empty on folds
  EXPECT_GT(result.nonzeros.back(), 5.0);
  EXPECT_LT(result.mean[result.index_minimum], result.mean.front());
  EXPECT_GE(result.value_one_standard_error(), result.value_minimum());
  EXPECT_EQ(result.chosen_value, result.value_one_standard_error());
  EXPECT_EQ(result.model.classes(), (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(result.solves, 5 * 12);
}

TEST(CrossValidation, ThreeClassesAndBadOptionsAreHandled) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(60, 4, 21);
  Vector labels(60);
  for (Eigen::Index i = 0; i < 60; ++i)
    labels[i] = A(i, 0) > 0.5 ? 2.0 : (A(i, 1) > 0.0 ? 1.0 : 0.0);
  CrossValidationOptions cv;
  cv.folds = 3;
  cv.values = {0.1, 0.01};
  const auto f = SmoothComponent::parse("logistic");
  const auto r = ProxComponent::parse("l1(lambda=1)");
  const CrossValidationResult result = cross_validate(engine, f, r, A, labels, {}, tight(), cv);
  EXPECT_EQ(result.model.outputs(), 3);
  EXPECT_EQ(result.solves, 3 * 2 * 3);  // folds x values x classes

  cv.folds = 1;
  EXPECT_THROW(cross_validate(engine, f, r, A, labels, {}, tight(), cv), Error);
  cv.folds = 3;
  cv.values = {-1.0};
  EXPECT_THROW(cross_validate(engine, f, r, A, labels, {}, tight(), cv), Error);
  // A class of one sample: the training set of its fold has no sample of it.
  Vector rare = labels;
  rare.setZero();
  rare[0] = 1.0;
  cv.values = {0.1};
  try {
    cross_validate(engine, f, r, A, rare, {}, tight(), cv);
    FAIL() << "a fold without class 1";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("fewer folds"), std::string::npos) << error.what();
  }
}

TEST(CrossValidation, FoldIdsAsUsersHaveThemGiveTheSameFolds) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(40, 5, 71);
  const Vector y = A * gaussian_vector(5, 72) + gaussian_vector(40, 73);
  CrossValidationOptions seeded;
  seeded.folds = 3;
  seeded.seed = 4;
  seeded.values = {0.3, 0.03};
  seeded.refit = false;
  const auto f = SmoothComponent::parse("least_squares");
  const auto r = ProxComponent::parse("l1(lambda=1)");
  const CrossValidationResult a = cross_validate(engine, f, r, A, y, {}, tight(), seeded);
  // The same folds as glmnet's foldid would name them: 1..3 (any distinct whole numbers).
  CrossValidationOptions given = seeded;
  given.fold_ids = Vector::Zero(40);
  for (std::size_t k = 0; k < a.fold_of_samples.size(); ++k)
    for (std::size_t i : a.fold_of_samples[k])
      given.fold_ids[static_cast<Eigen::Index>(i)] = 7.0 + 3.0 * static_cast<double>(k);
  given.folds = 99;  // ignored with fold ids
  const CrossValidationResult b = cross_validate(engine, f, r, A, y, {}, tight(), given);
  EXPECT_EQ(b.fold_of_samples, a.fold_of_samples);
  EXPECT_EQ(b.loss, a.loss);
  given.fold_ids[3] = 0.5;
  EXPECT_THROW(cross_validate(engine, f, r, A, y, {}, tight(), given), Error);
  given.fold_ids = Vector::Constant(40, 1.0);
  EXPECT_THROW(cross_validate(engine, f, r, A, y, {}, tight(), given), Error);
  given.fold_ids = Vector::Constant(39, 1.0);
  EXPECT_THROW(cross_validate(engine, f, r, A, y, {}, tight(), given), Error);
}

}  // namespace
}  // namespace proxjit
