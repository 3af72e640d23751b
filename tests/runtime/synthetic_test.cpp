// The dense synthetic generators (the REPL's `gen`): pinned values for the seed contract of
// synthetic.h, and the properties the data are made to have.

#include "proxjit/runtime/synthetic.h"

#include <cmath>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <Eigen/Eigenvalues>

#include "proxjit/runtime/error.h"

namespace proxjit {
namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DenseSyntheticTest, GeneratorsPinTheirFirstValues) {
  // If this fails, the dense generators changed: the REPL's `gen` data for a seed is no longer
  // what it was (and its transcripts in tests/repl will differ too).
  const DenseProblem regression = make_dense_regression(4, 6, 2, 0.1, 42);
  EXPECT_DOUBLE_EQ(regression.A(0, 0), -1.0771745442782885);
  EXPECT_DOUBLE_EQ(regression.A(3, 5), 0.61886755499280854);
  EXPECT_EQ(regression.x_true,
            (Vector(6) << -1.8681198607080534, 0, 0, 0, 0, 1.3204621620943298).finished());
  EXPECT_DOUBLE_EQ(regression.b[0], 3.5387677008583238);
  EXPECT_DOUBLE_EQ(regression.b[3], 0.38315521798799534);
  const DenseProblem quadratic = make_dense_quadratic(3, 42);
  EXPECT_DOUBLE_EQ(quadratic.A(0, 0), 1.2947093273252201);
  EXPECT_DOUBLE_EQ(quadratic.A(0, 1), 0.93178250001369234);
  EXPECT_DOUBLE_EQ(quadratic.A(2, 2), 1.1098745163420143);
  EXPECT_DOUBLE_EQ(quadratic.b[0], 1.3914986193995162);
  EXPECT_DOUBLE_EQ(quadratic.b[2], 0.51099269684769599);
  EXPECT_EQ(quadratic.x_true.size(), 0);
}

TEST(DenseSyntheticTest, RegressionHasTheRequestedSupportAndNoise) {
  const DenseProblem p = make_dense_regression(5000, 40, 7, 0.1, 3);
  EXPECT_EQ(p.A.rows(), 5000);
  EXPECT_EQ(p.A.cols(), 40);
  EXPECT_EQ((p.x_true.array() != 0.0).count(), 7);
  for (Eigen::Index j = 0; j < p.x_true.size(); ++j) {
    if (p.x_true[j] == 0.0) continue;
    EXPECT_GE(std::abs(p.x_true[j]), 1.0) << j;
    EXPECT_LT(std::abs(p.x_true[j]), 2.0) << j;
  }
  // Standard normal entries; the residual is the noise, standard deviation 0.1.
  const double n = static_cast<double>(p.A.size());
  EXPECT_NEAR(p.A.sum() / n, 0.0, 0.02);
  EXPECT_NEAR(p.A.squaredNorm() / n, 1.0, 0.02);
  const Vector residual = p.b - p.A * p.x_true;
  EXPECT_NEAR(std::sqrt(residual.squaredNorm() / 5000.0), 0.1, 0.005);
  // The same seed gives the same data, another seed other data.
  const DenseProblem again = make_dense_regression(5000, 40, 7, 0.1, 3);
  EXPECT_EQ(again.A, p.A);
  EXPECT_EQ(again.b, p.b);
  EXPECT_NE(make_dense_regression(5000, 40, 7, 0.1, 4).x_true, p.x_true);
  // Without noise b is A x_true; with no nonzeros x_true is zero.
  const DenseProblem exact = make_dense_regression(30, 10, 10, 0.0, 5);
  EXPECT_LT((exact.b - exact.A * exact.x_true).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ((make_dense_regression(3, 4, 0, 0.1, 1).x_true.array() != 0.0).count(), 0);
}

TEST(DenseSyntheticTest, QuadraticIsSymmetricPositiveDefinite) {
  const DenseProblem p = make_dense_quadratic(60, 9);
  EXPECT_EQ(p.A, p.A.transpose());  // exactly, not up to rounding
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(p.A);
  EXPECT_GE(eigen.eigenvalues().minCoeff(), 0.1 - 1e-12);
  // M'M/d has eigenvalues up to about (1 + 1)^2 = 4 for a square M (Marchenko-Pastur).
  EXPECT_LT(eigen.eigenvalues().maxCoeff(), 4.1 + 0.5);
  EXPECT_NEAR(p.A.diagonal().mean(), 1.1, 0.1);  // E[(M'M)_ii / d] = 1, plus 0.1
  EXPECT_EQ(p.b.size(), 60);
  EXPECT_EQ(make_dense_quadratic(60, 9).A, p.A);
  EXPECT_NE(make_dense_quadratic(60, 10).b, p.b);
}

TEST(DenseSyntheticTest, BadArgumentsAreErrors) {
  EXPECT_TRUE(Contains(error_of([] { make_dense_regression(0, 3, 1, 0.1, 1); }),
                       "make_dense_regression: rows and cols must be >= 1, got 0 x 3"));
  EXPECT_TRUE(Contains(error_of([] { make_dense_regression(5, 3, 4, 0.1, 1); }),
                       "nonzeros must be in 0..cols (3), got 4"));
  EXPECT_TRUE(Contains(error_of([] { make_dense_regression(5, 3, 1, -1, 1); }),
                       "noise must be a finite number >= 0, got -1"));
  EXPECT_TRUE(Contains(error_of([] { make_dense_quadratic(0, 1); }),
                       "make_dense_quadratic: d must be >= 1, got 0"));
}

}  // namespace
}  // namespace proxjit
