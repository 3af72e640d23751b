// Model: labels as users have them, one-vs-rest on one kernel, predictions checked by hand, the
// JSON file round trip and its errors, and the metrics against values computed independently.
#include "proxjit/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "proxjit/metrics.h"
#include "proxjit/runtime/error.h"
#include "support/problems.h"
#include "support/temp_dir_test.h"

namespace proxjit {
namespace {

using testing::gaussian_matrix;

SolverOptions tight() {
  SolverOptions options;
  options.tolerance = 1e-10;
  options.max_iterations = 100000;
  return options;
}

// Labels from a planted linear rule with a margin of noise: `classes` classes by argmax.
Vector planted_labels(const Matrix& A, int classes, const std::vector<double>& names,
                      unsigned seed) {
  const Matrix W = gaussian_matrix(A.cols(), classes, seed);
  const Matrix noise = gaussian_matrix(A.rows(), classes, seed + 1) * 0.5;
  const Matrix scores = A * W + noise;
  Vector labels(A.rows());
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    Eigen::Index best = 0;
    if (classes == 1) {
      best = scores(i, 0) > 0 ? 1 : 0;
    } else {
      scores.row(i).maxCoeff(&best);
    }
    labels[i] = names[static_cast<std::size_t>(best)];
  }
  return labels;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(Model, ZeroOneLabelsFitExactlyAsTheSolveOfTheirPlusMinusOneCoding) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(120, 8, 3);
  const Vector labels = planted_labels(A, 1, {0.0, 1.0}, 5);
  const ProblemOptions with_intercept{.fit_intercept = true};
  const auto f = SmoothComponent::parse("logistic");
  const auto r = ProxComponent::parse("l1(lambda=0.01)");
  const Model model = Model::fit(engine, f, r, A, labels, with_intercept, tight());

  const Vector plus_minus = labels.unaryExpr([](double y) { return y == 1.0 ? 1.0 : -1.0; });
  const Summary direct = engine.solve(Problem(f, r, A, plus_minus, with_intercept), tight());
  ASSERT_EQ(direct.status, SolveStatus::converged);
  EXPECT_EQ(model.classes(), (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(model.status(), SolveStatus::converged);
  ASSERT_EQ(model.outputs(), 1);
  for (Eigen::Index j = 0; j < 8; ++j)
    EXPECT_EQ(model.coefficients()(j, 0), direct.x[j]) << j;
  EXPECT_EQ(model.intercepts()[0], direct.x[8]);

  // Predictions by hand from the coefficients.
  const Matrix X = gaussian_matrix(30, 8, 11);
  const Vector predicted = model.predict(X);
  const Eigen::MatrixXd proba = model.predict_proba(X);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double z = X.row(i).dot(direct.x.head(8)) + direct.x[8];
    EXPECT_EQ(predicted[i], z > 0 ? 1.0 : 0.0) << i;
    EXPECT_NEAR(proba(i, 1), sigmoid(z), 1e-14);
    EXPECT_NEAR(proba(i, 0) + proba(i, 1), 1.0, 1e-15);
  }
  EXPECT_NE(model.describe().find("0 -> -1, 1 -> +1"), std::string::npos) << model.describe();
}

TEST(Model, AnyTwoLabelsMapTheSmallerToMinusOne) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(80, 5, 7);
  const Vector labels = planted_labels(A, 1, {3.0, 7.0}, 8);
  const Model model = Model::fit(engine, SmoothComponent::parse("squared_hinge"),
                                 ProxComponent::parse("l2sq(lambda=0.1)"), A, labels, {}, tight());
  EXPECT_EQ(model.classes(), (std::vector<double>{3.0, 7.0}));
  EXPECT_FALSE(model.probabilistic());
  EXPECT_THROW(model.predict_proba(A), Error);
  const Vector predicted = model.predict(A);
  for (Eigen::Index i = 0; i < A.rows(); ++i)
    EXPECT_TRUE(predicted[i] == 3.0 || predicted[i] == 7.0);
  // The planted rule is learnable: well above chance on the training set.
  const Metrics scores = model.evaluate(A, labels);
  ASSERT_EQ(scores.front().first, "accuracy");
  EXPECT_GT(scores.front().second, 0.8);
  EXPECT_EQ(model.validation_metric(), "misclassification");
  EXPECT_DOUBLE_EQ(model.validation_loss(scores), 1.0 - scores.front().second);
}

TEST(Model, ThreeClassesAreOneAgainstTheRestOnOneKernel) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(150, 6, 13);
  const Vector labels = planted_labels(A, 3, {1.0, 2.0, 5.0}, 14);
  const auto f = SmoothComponent::parse("logistic");
  const auto r = ProxComponent::parse("l1(lambda=0.02)");
  const ProblemOptions with_intercept{.fit_intercept = true};
  const Model model = Model::fit(engine, f, r, A, labels, with_intercept, tight());
  EXPECT_EQ(engine.cache_stats().compiles, 1);
  ASSERT_EQ(model.outputs(), 3);
  EXPECT_EQ(model.multiclass(), Multiclass::one_vs_rest);
  ASSERT_EQ(model.training().size(), 3u);

  const std::vector<double> names{1.0, 2.0, 5.0};
  Eigen::MatrixXd z = A * model.coefficients();
  for (int k = 0; k < 3; ++k) {
    const Vector y = labels.unaryExpr([&](double l) { return l == names[k] ? 1.0 : -1.0; });
    const Summary one = engine.solve(Problem(f, r, A, y, with_intercept), tight());
    for (Eigen::Index j = 0; j < 6; ++j)
      EXPECT_EQ(model.coefficients()(j, k), one.x[j]) << "class " << k << ", feature " << j;
    EXPECT_EQ(model.intercepts()[k], one.x[6]);
    z.col(k).array() += one.x[6];
  }
  const Vector predicted = model.predict(A);
  const Eigen::MatrixXd proba = model.predict_proba(A);
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    Eigen::Index best = 0;
    z.row(i).maxCoeff(&best);
    EXPECT_EQ(predicted[i], names[static_cast<std::size_t>(best)]);
    const double total = sigmoid(z(i, 0)) + sigmoid(z(i, 1)) + sigmoid(z(i, 2));
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(proba(i, k), sigmoid(z(i, k)) / total, 1e-14);
  }
  const Metrics scores = model.evaluate(A, labels);
  ASSERT_EQ(scores.size(), 2u);  // accuracy and log loss; no AUC for three classes
  EXPECT_EQ(scores[1].first, "log_loss");
}

TEST(Model, SparseDataFitTheSameModelAsDense) {
  Engine engine(EngineOptions{.disk_cache = false});
  Matrix A = gaussian_matrix(100, 10, 21);
  A = (A.array().abs() < 0.7).select(0.0, A);  // about half the entries zero
  const Vector labels = planted_labels(A, 1, {-1.0, 1.0}, 22);
  const auto f = SmoothComponent::parse("logistic");
  const auto r = ProxComponent::parse("l1(lambda=0.01)");
  const Model dense = Model::fit(engine, f, r, A, labels, {}, tight());
  const SparseMatrix sparse = A.sparseView();
  const Model from_csr = Model::fit(engine, f, r, sparse, labels, {}, tight());
  EXPECT_LE((dense.coefficients() - from_csr.coefficients()).norm(),
            1e-7 * dense.coefficients().norm());
  EXPECT_EQ(dense.predict(A), from_csr.predict(sparse));
}

TEST(Model, RegressionsPredictTheValueAndPoissonTheRate) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(60, 4, 31) * 0.3;
  const Vector w = testing::gaussian_vector(4, 32);
  const Vector y = A * w;
  const Model least_squares = Model::fit(engine, SmoothComponent::parse("least_squares"),
                                         ProxComponent::parse("zero"), A, y, {}, tight());
  EXPECT_LE((least_squares.predict(A) - y).norm(), 1e-6 * y.norm());
  const Metrics fit_scores = least_squares.evaluate(A, y);
  EXPECT_EQ(fit_scores[0].first, "mse");
  EXPECT_EQ(fit_scores[1].first, "r2");
  EXPECT_NEAR(fit_scores[1].second, 1.0, 1e-10);

  const Vector counts = (A * w).array().exp().round();
  const Model poisson = Model::fit(engine, SmoothComponent::parse("poisson"),
                                   ProxComponent::parse("l2sq(lambda=0.01)"), A, counts, {},
                                   tight());
  const Vector rate = poisson.predict(A);
  const Vector z = poisson.decision_function(A).col(0);
  for (Eigen::Index i = 0; i < A.rows(); ++i)
    EXPECT_DOUBLE_EQ(rate[i], std::exp(z[i]));
  EXPECT_EQ(poisson.evaluate(A, counts)[0].first, "poisson_deviance");
  EXPECT_EQ(poisson.validation_metric(), "poisson_deviance");
}

TEST(Model, ModelsNeedALossOverSamplesAndLabelsOfTwoClasses) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(10, 3, 41);
  EXPECT_THROW(Model::fit(engine, SmoothComponent::parse("quadratic"),
                          ProxComponent::parse("zero"), testing::spd_matrix(3, 1),
                          testing::gaussian_vector(3, 2)),
               Error);
  try {
    Model::fit(engine, SmoothComponent::parse("logistic"), ProxComponent::parse("zero"), A,
               Vector::Constant(10, 1.0));
    FAIL() << "one class fitted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("at least two classes"), std::string::npos)
        << error.what();
  }
}

class ModelFile : public testing::TempDirTest {
 protected:
  ModelFile() : TempDirTest("proxjit_model_file") {}
};

TEST_F(ModelFile, RoundTripKeepsEveryNumberAndSparseCoefficientsStaySparse) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(100, 40, 51);
  const Vector labels = planted_labels(A, 3, {0.0, 1.0, 2.0}, 52);
  const Model model =
      Model::fit(engine, SmoothComponent::parse("logistic"), ProxComponent::parse("l1(lambda=0.1)"),
                 A, labels, ProblemOptions{.fit_intercept = true}, tight());
  ASSERT_LT((model.coefficients().array() != 0.0).count(), 40);  // sparse enough to be written so
  const std::string path = (dir_ / "m.json").string();
  model.save(path);
  const Model loaded = Model::load(path);
  EXPECT_EQ(loaded.coefficients(), model.coefficients());
  EXPECT_EQ(loaded.intercepts(), model.intercepts());
  EXPECT_EQ(loaded.classes(), model.classes());
  EXPECT_EQ(loaded.loss(), model.loss());
  EXPECT_EQ(loaded.penalty(), model.penalty());
  EXPECT_EQ(loaded.multiclass(), Multiclass::one_vs_rest);
  EXPECT_EQ(loaded.samples(), 100);
  EXPECT_EQ(loaded.training().size(), 3u);
  EXPECT_EQ(loaded.training()[1].objective, model.training()[1].objective);
  EXPECT_EQ(loaded.predict(A), model.predict(A));
  EXPECT_EQ(loaded.to_json(), model.to_json());
  EXPECT_NE(model.to_json().find("\"indices\""), std::string::npos);

  // Dense coefficients are written densely (a ridge has no zeros).
  const Model ridge = Model::fit(engine, SmoothComponent::parse("least_squares"),
                                 ProxComponent::parse("l2sq(lambda=0.1)"), A,
                                 testing::gaussian_vector(100, 53), {}, tight());
  EXPECT_NE(ridge.to_json().find("\"dense\""), std::string::npos);
  EXPECT_EQ(Model::from_json(ridge.to_json(), "ridge").coefficients(), ridge.coefficients());
}

TEST_F(ModelFile, BadFilesAreErrorsThatNameTheFileAndWhatIsWrong) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(40, 3, 61);
  const Model model = Model::fit(engine, SmoothComponent::parse("least_squares"),
                                 ProxComponent::parse("l2sq(lambda=0.1)"), A,
                                 testing::gaussian_vector(40, 62), {}, tight());
  const std::string good = model.to_json();
  const auto expect_error = [&](const std::string& text, const std::string& needle) {
    const std::string path = write("bad.json", text);
    try {
      Model::load(path);
      ADD_FAILURE() << "loaded: " << text.substr(0, 80);
    } catch (const Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(needle), std::string::npos) << message;
    }
  };
  expect_error(good.substr(0, good.size() / 2), "line");
  expect_error("[1, 2]", "not a proxjit model file");
  std::string future = good;
  future.replace(future.find("\"version\": 1"), 12, "\"version\": 2");
  expect_error(future, "version 2");
  std::string widened = good;
  widened.replace(widened.find("\"features\": 3"), 13, "\"features\": 4");
  expect_error(widened, "coefficients");
  expect_error("{\"format\":\"proxjit-model\",\"version\":1}", "proxjit_version");
  EXPECT_THROW(Model::load((dir_ / "missing.json").string()), Error);

  try {
    model.predict(gaussian_matrix(5, 4, 63));
    FAIL() << "predicted with 4 features";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("4 features but the model was fitted on 3"),
              std::string::npos)
        << error.what();
  }
}

// Every truncation and many byte changes of a valid file: loaded, or refused with
// proxjit::Error; never a crash, another exception type or a model that cannot predict.
TEST(ModelFileMutations, EveryDamagedFileLoadsOrIsRefused) {
  Engine engine(EngineOptions{.disk_cache = false});
  const Matrix A = gaussian_matrix(30, 6, 81);
  const Vector labels = planted_labels(A, 3, {0.0, 1.0, 2.0}, 82);
  const std::string good =
      Model::fit(engine, SmoothComponent::parse("logistic"), ProxComponent::parse("l1(lambda=0.05)"),
                 A, labels, ProblemOptions{.fit_intercept = true}, tight())
          .to_json();
  const auto try_load = [&](const std::string& text) {
    try {
      const Model model = Model::from_json(text, "mutant");
      (void)model.predict(Matrix::Ones(2, model.features()));
      (void)model.to_json();
    } catch (const Error& error) {
      // Messages quote the file's bytes escaped and short.
      const std::string message = error.what();
      EXPECT_LT(message.size(), 600u) << message;
      for (char c : message)
        ASSERT_TRUE(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
            << message;
    }
  };
  for (std::size_t length = 0; length < good.size(); length += 3)
    try_load(good.substr(0, length));
  std::mt19937 rng(5);
  const std::string replacements = "0123456789-+.eE\"{}[],:nulltruefalse \\\x01\xff\x1b";
  for (int trial = 0; trial < 3000; ++trial) {
    std::string mutant = good;
    for (int edits = 1 + trial % 3; edits > 0; --edits) {
      const std::size_t at = rng() % mutant.size();
      mutant[at] = replacements[rng() % replacements.size()];
    }
    try_load(mutant);
  }
}

// ---- metrics against hand-computed or scikit-learn documented values ----

TEST(Metrics, MatchIndependentValues) {
  const Vector truth{{3.0, -0.5, 2.0, 7.0}};
  const Vector guess{{2.5, 0.0, 2.0, 8.0}};
  // sklearn.metrics: mean_squared_error 0.375, r2_score 0.9486081370449679.
  EXPECT_DOUBLE_EQ(metrics::mean_squared_error(truth, guess), 0.375);
  EXPECT_NEAR(metrics::r2(truth, guess), 0.9486081370449679, 1e-15);
  EXPECT_EQ(metrics::r2(Vector::Constant(3, 2.0), Vector::Constant(3, 2.0)), 1.0);
  EXPECT_EQ(metrics::r2(Vector::Constant(3, 2.0), Vector{{2.0, 2.0, 2.5}}), 0.0);

  EXPECT_DOUBLE_EQ(metrics::accuracy(Vector{{0, 1, 1, 0}}, Vector{{0, 1, 0, 0}}), 0.75);

  // roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75; with a tie between classes: 3.5/4.
  EXPECT_DOUBLE_EQ(metrics::roc_auc({false, false, true, true}, Vector{{0.1, 0.4, 0.35, 0.8}}),
                   0.75);
  EXPECT_DOUBLE_EQ(metrics::roc_auc({false, true, false, true}, Vector{{0.5, 0.5, 0.2, 0.9}}),
                   0.875);
  EXPECT_THROW(metrics::roc_auc({true, true}, Vector{{0.1, 0.2}}), Error);

  // log_loss by hand, with a probability 0 clipped to 1e-15.
  Eigen::MatrixXd p(3, 2);
  p << 0.9, 0.1, 0.2, 0.8, 1.0, 0.0;
  const double expected = -(std::log(0.9) + std::log(0.8) + std::log(1e-15)) / 3.0;
  EXPECT_NEAR(metrics::log_loss({0, 1, 1}, p), expected, 1e-14);

  // mean_poisson_deviance([2,0,1,4], [0.5,0.5,2,2]) term by term; y = 0 contributes 2 mu.
  const double deviance = (2 * (2 * std::log(2 / 0.5) - 2 + 0.5) + 2 * 0.5 +
                           2 * (1 * std::log(1 / 2.0) - 1 + 2) + 2 * (4 * std::log(4 / 2.0) - 4 + 2)) /
                          4.0;
  EXPECT_NEAR(metrics::poisson_deviance(Vector{{2, 0, 1, 4}}, Vector{{0.5, 0.5, 2, 2}}), deviance,
              1e-15);
  EXPECT_THROW(metrics::poisson_deviance(Vector{{1.0}}, Vector{{0.0}}), Error);
  EXPECT_THROW(metrics::accuracy(Vector{{1.0}}, Vector{{1.0, 2.0}}), Error);
  EXPECT_THROW(metrics::mean_squared_error(Vector(), Vector()), Error);
}

}  // namespace
}  // namespace proxjit
