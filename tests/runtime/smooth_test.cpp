#include "proxjit/runtime/smooth.h"

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/objective.h"
#include "proxjit/runtime/sparse.h"
#include "support/random_data.h"

namespace proxjit {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

template <class Call>
std::string error_of(Call&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a proxjit::Error";
  return {};
}

using testing::random_matrix;
using testing::random_vector;

const char* const kLosses[] = {"least_squares", "logistic", "huber(delta=0.65)", "squared_hinge",
                               "poisson"};

// Targets each loss accepts: labels for the classifiers, counts for poisson.
Vector targets_for(const SmoothComponent& f, Eigen::Index n, std::mt19937& rng) {
  Vector b = random_vector(n, rng);
  if (f.name() == "logistic" || f.name() == "squared_hinge") {
    for (Eigen::Index i = 0; i < n; ++i)
      b[i] = b[i] >= 0 ? 1.0 : -1.0;
  } else if (f.name() == "poisson") {
    for (Eigen::Index i = 0; i < n; ++i)
      b[i] = std::floor(3.0 * std::abs(b[i]));
  }
  return b;
}

// phi(z, b) for one sample, written here from the formulas, independently of the expressions.
double scalar_loss(const std::string& name, double z, double b) {
  if (name == "least_squares") return 0.5 * (z - b) * (z - b);
  if (name == "logistic") return std::log1p(std::exp(-b * z));
  if (name == "huber") {
    const double r = std::abs(z - b);
    return r <= 0.65 ? 0.5 * r * r : 0.65 * (r - 0.325);
  }
  if (name == "squared_hinge") return std::pow(std::max(1.0 - b * z, 0.0), 2);
  if (name == "poisson") return std::exp(z) - b * z;
  ADD_FAILURE() << "no model for " << name;
  return 0.0;
}

TEST(SmoothRegistry, ListsEveryLossAndParsesParameters) {
  std::vector<std::string> names;
  for (const SmoothDefinition& d : smooth_registry())
    names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"quadratic", "least_squares", "logistic", "huber",
                                             "squared_hinge", "poisson"}));
  EXPECT_EQ(SmoothComponent::parse("huber").describe(), "huber(delta=1)");
  EXPECT_EQ(SmoothComponent::parse("huber(0.5)").parameters()[0], 0.5);
  EXPECT_EQ(SmoothComponent::parse("logistic").kind(), SmoothKind::margin);
  EXPECT_EQ(SmoothComponent::parse("quadratic").kind(), SmoothKind::quadratic);
}

TEST(SmoothRegistry, BadNamesAndParametersAreNamed) {
  EXPECT_TRUE(
      Contains(error_of([] { SmoothComponent::parse("logistc"); }), "did you mean 'logistic'"));
  EXPECT_TRUE(Contains(error_of([] { SmoothComponent::parse("huber(delta=-1)"); }),
                       "parameter 'delta' must be > 0"));
  EXPECT_TRUE(
      Contains(error_of([] { SmoothComponent::parse("huber(dleta=1)"); }), "did you mean 'delta'"));
  EXPECT_TRUE(
      Contains(error_of([] { SmoothComponent::parse("logistic(1)"); }), "takes 0 parameter(s)"));
}

TEST(SmoothRegistry, LabelsAreChecked) {
  const SmoothComponent logistic = SmoothComponent::parse("logistic");
  Vector b(3);
  b << 1, -1, 0;
  const std::string message = error_of([&] { logistic.check_targets(b); });
  EXPECT_TRUE(Contains(message, "b[2] = 0"));
  EXPECT_TRUE(Contains(message, "-1 or +1"));
  b[2] = -2;
  EXPECT_TRUE(Contains(error_of([&] { SmoothComponent::parse("poisson").check_targets(b); }),
                       "counts >= 0"));
  SmoothComponent::parse("least_squares").check_targets(b);  // any target

  // Values already accepted are not checked again; a new one is, wherever it comes.
  Vector many(2001);
  for (Eigen::Index i = 0; i < many.size(); ++i)
    many[i] = i % 3 == 0 ? 1.0 : -1.0;
  logistic.check_targets(many);
  many[1999] = 0.5;
  EXPECT_TRUE(Contains(error_of([&] { logistic.check_targets(many); }), "b[1999] = 0.5"));
}

TEST(SmoothValue, EveryLossMatchesItsFormula) {
  for (const char* text : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(text);
    for (double z : {-3.0, -0.5, 0.0, 0.2, 2.5}) {
      for (double b : {-1.0, 1.0}) {
        const double label = f.name() == "poisson" ? b + 1.0 : b;
        EXPECT_NEAR(f.loss<double>(z, label), scalar_loss(f.name(), z, label), 1e-14)
            << text << " z=" << z << " b=" << label;
      }
    }
  }
}

// The whole-array evaluation (objectives and gradients over all samples) gives exactly the
// per-sample values, in double and float, including where the margins overflow exp.
TEST(SmoothValue, ArraysEqualTheScalarEvaluationExactly) {
  const expr::ArrayOf<double> z =
      (expr::ArrayOf<double>(9) << -800, -3, -0.5, -0.0, 0.0, 0.2, 2.5, 40, 710).finished();
  for (const char* text : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(text);
    for (double b : {-1.0, 1.0}) {
      const double label = f.name() == "poisson" ? b + 1.0 : b;
      const expr::ArrayOf<double> labels = expr::ArrayOf<double>::Constant(z.size(), label);
      const expr::ArrayOf<double> losses = f.loss_array<double>(z, labels);
      const expr::ArrayOf<double> slopes = f.derivative_array<double>(z, labels);
      const expr::ArrayOf<float> losses_float =
          f.loss_array<float>(z.cast<float>(), labels.cast<float>());
      for (Eigen::Index i = 0; i < z.size(); ++i) {
        const auto same = [](double a, double e) { return a == e || (a != a && e != e); };
        EXPECT_TRUE(same(losses[i], f.loss<double>(z[i], label))) << text << " z=" << z[i];
        EXPECT_TRUE(same(slopes[i], f.derivative<double>(z[i], label))) << text << " z=" << z[i];
        EXPECT_TRUE(same(losses_float[i],
                         f.loss<float>(static_cast<float>(z[i]), static_cast<float>(label))))
            << text << " z=" << z[i];
      }
    }
  }
}

TEST(SmoothValue, LogisticIsStableForLargeMargins) {
  const SmoothComponent f = SmoothComponent::parse("logistic");
  EXPECT_DOUBLE_EQ(f.loss<double>(1000.0, -1.0), 1000.0);
  EXPECT_EQ(f.loss<double>(1000.0, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(f.derivative<double>(1000.0, -1.0), 1.0);
  EXPECT_EQ(f.derivative<double>(-1000.0, -1.0), 0.0);
  EXPECT_TRUE(std::isfinite(f.loss<float>(100.0f, -1.0f)));
  EXPECT_FLOAT_EQ(f.derivative<float>(100.0f, -1.0f), 1.0f);
}

TEST(SmoothDerivative, MatchesCentralFiniteDifferencesAwayFromKinks) {
  for (const char* text : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(text);
    for (double z : {-2.3, -0.4, 0.3, 1.7}) {
      for (double b : {-1.0, 1.0}) {
        const double label = f.name() == "poisson" ? b + 2.0 : b;
        const double h = 1e-6;
        const double numeric =
            (f.loss<double>(z + h, label) - f.loss<double>(z - h, label)) / (2 * h);
        EXPECT_NEAR(f.derivative<double>(z, label), numeric, 1e-7 * (1 + std::abs(numeric)))
            << text << " z=" << z;
      }
    }
  }
}

// grad f over data (dense or CSR, weighted) against central differences of f.
template <class Data>
void check_gradient(const SmoothComponent& f, const ProxComponent& r, const DataView<double>& data,
                    const Vector& x) {
  Objective<double> objective(f, r, data, x.size());
  Vector g(x.size());
  objective.smooth(x, g);
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    Vector up = x, down = x, scratch(x.size());
    const double h = 1e-6;
    up[j] += h;
    down[j] -= h;
    const double numeric =
        (objective.smooth(up, scratch) - objective.smooth(down, scratch)) / (2 * h);
    EXPECT_NEAR(g[j], numeric, 1e-6 * (1 + std::abs(numeric))) << f.describe() << " j=" << j;
  }
}

TEST(SmoothGradient, EveryLossDenseSparseAndWeightedMatchesFiniteDifferences) {
  std::mt19937 rng(7);
  const ProxComponent r = ProxComponent::parse("zero");
  for (const char* text : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(text);
    Matrix A = random_matrix(12, 5, rng);
    A(3, 1) = 0.0;
    A(7, 4) = 0.0;
    const Vector b = targets_for(f, 12, rng);
    const Vector w = random_vector(12, rng).cwiseAbs();
    const Vector x = 0.3 * random_vector(5, rng);
    const SparseMatrix sparse = to_sparse(A);
    DataView<double> dense_view{&A, nullptr, &b, nullptr};
    DataView<double> sparse_view{nullptr, &sparse, &b, &w};
    DataView<double> weighted_view{&A, nullptr, &b, &w};
    check_gradient<Matrix>(f, r, dense_view, x);
    check_gradient<SparseMatrix>(f, r, sparse_view, x);
    // Sparse and dense storage of the same data: the same value and gradient.
    Objective<double> dense(f, r, weighted_view, 5), csr(f, r, sparse_view, 5);
    Vector g_dense(5), g_sparse(5);
    EXPECT_NEAR(dense.smooth(x, g_dense), csr.smooth(x, g_sparse), 1e-13);
    EXPECT_LE((g_dense - g_sparse).norm(), 1e-13 * (1 + g_dense.norm()));
  }
}

TEST(SmoothGradient, QuadraticAtAKnownPoint) {
  Matrix A(2, 2);
  A << 2, 1, 1, 3;
  Vector b(2), x(2);
  b << 1, -1;
  x << 1, 2;
  const SmoothComponent f = SmoothComponent::parse("quadratic");
  const ProxComponent r = ProxComponent::parse("zero");
  Objective<double> objective(f, r, DataView<double>{&A, nullptr, &b, nullptr}, 2);
  Vector g(2);
  // 0.5 x'Ax + b'x = 0.5 * (2 + 4 + 12) - 1 = 8; Ax + b = (5, 6).
  EXPECT_DOUBLE_EQ(objective.smooth(x, g), 8.0);
  EXPECT_DOUBLE_EQ(g[0], 5.0);
  EXPECT_DOUBLE_EQ(g[1], 6.0);
}

TEST(SmoothLipschitz, BoundsTheGradientsChangeAndIsInfiniteForPoisson) {
  std::mt19937 rng(11);
  const ProxComponent r = ProxComponent::parse("zero");
  for (const char* text : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(text);
    const Matrix A = random_matrix(20, 6, rng);
    const Vector b = targets_for(f, 20, rng);
    const DataView<double> view{&A, nullptr, &b, nullptr};
    const double L = lipschitz_bound(f, view);
    if (f.name() == "poisson") {
      EXPECT_TRUE(std::isinf(L));
      continue;
    }
    // The exact bound: sup phi'' * lambda_max(A'A) / n, which power iteration approaches.
    const double largest =
        Eigen::SelfAdjointEigenSolver<Matrix>(A.transpose() * A).eigenvalues().maxCoeff();
    const double exact = f.curvature() * largest / 20.0;
    EXPECT_GE(L, exact * (1 - 1e-9)) << text;
    EXPECT_LE(L, exact * 1.05) << text;
    // And it bounds |grad f(x) - grad f(y)| / |x - y| at random points.
    Objective<double> objective(f, r, view, 6);
    for (int trial = 0; trial < 5; ++trial) {
      const Vector x = random_vector(6, rng), y = random_vector(6, rng);
      Vector gx(6), gy(6);
      objective.smooth(x, gx);
      objective.smooth(y, gy);
      EXPECT_LE((gx - gy).norm(), L * (x - y).norm() * (1 + 1e-12)) << text;
    }
  }
}

}  // namespace
}  // namespace proxjit
