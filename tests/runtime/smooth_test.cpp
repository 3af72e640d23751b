#include "proxjit/runtime/smooth.h"
#include "support/random_data.h"

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "proxjit/runtime/error.h"

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

Matrix random_symmetric(Eigen::Index d, std::mt19937& rng) {
  const Matrix m = random_matrix(d, d, rng);
  return (m + m.transpose()) / 2;
}

double value_of(const SmoothComponent& f, const Matrix& A, const Vector& b, const Vector& x) {
  Vector g(x.size());
  return f.value_and_gradient<double>(A, b, x, g);
}

// The true Lipschitz constant of grad f: the largest |eigenvalue| of the Hessian.
double true_lipschitz(SmoothKind kind, const Matrix& A) {
  const Matrix hessian = kind == SmoothKind::quadratic
                             ? Matrix(A)
                             : Matrix(A.transpose() * A / static_cast<double>(A.rows()));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(hessian);
  return solver.eigenvalues().cwiseAbs().maxCoeff();
}

TEST(SmoothRegistry, ListsBothTermsAndParses) {
  ASSERT_EQ(smooth_registry().size(), 2u);
  EXPECT_EQ(smooth_registry()[0].name, "quadratic");
  EXPECT_EQ(smooth_registry()[1].name, "least_squares");
  EXPECT_EQ(SmoothComponent::parse("quadratic").kind(), SmoothKind::quadratic);
  EXPECT_EQ(SmoothComponent::make("least_squares").kind(), SmoothKind::least_squares);
  EXPECT_EQ(SmoothComponent::parse(" least_squares() ").describe(), "least_squares");
}

TEST(SmoothRegistry, ParseErrors) {
  const std::string unknown = error_of([] { SmoothComponent::parse("quadratc"); });
  EXPECT_TRUE(Contains(unknown, "unknown smooth term 'quadratc'; did you mean 'quadratic'?"));
  EXPECT_TRUE(Contains(unknown, "available: quadratic, least_squares"));
  EXPECT_TRUE(Contains(error_of([] { SmoothComponent::parse("quadratic(1)"); }),
                       "smooth term 'quadratic' takes no parameters"));
  EXPECT_TRUE(Contains(error_of([] { SmoothComponent::parse("l1(0.1"); }), "column"));
}

TEST(SmoothValue, QuadraticAtAKnownPoint) {
  Matrix A(2, 2);
  A << 2, 1, 1, 3;
  const Vector b = (Vector(2) << 1, -1).finished();
  const Vector x = (Vector(2) << 1, 2).finished();
  const SmoothComponent f = SmoothComponent::parse("quadratic");
  Vector g(2);
  // 1/2 x'Ax + b'x = 1/2 * 18 - 1 = 8;  Ax + b = (5, 6).
  EXPECT_DOUBLE_EQ(f.value_and_gradient<double>(A, b, x, g), 8.0);
  EXPECT_DOUBLE_EQ(g[0], 5.0);
  EXPECT_DOUBLE_EQ(g[1], 6.0);
  EXPECT_EQ(f.definition().variables(A), 2);
}

TEST(SmoothValue, LeastSquaresAtAKnownPoint) {
  Matrix A(3, 2);
  A << 1, 2, 3, 4, 5, 6;
  const Vector b = Vector::Ones(3);
  const Vector x = (Vector(2) << 1, -1).finished();
  const SmoothComponent f = SmoothComponent::parse("least_squares");
  Vector g(2);
  // Ax - b = (-2, -2, -2): 12 / (2 * 3) = 2;  A'(Ax - b) / 3 = (-6, -8).
  EXPECT_DOUBLE_EQ(f.value_and_gradient<double>(A, b, x, g), 2.0);
  EXPECT_DOUBLE_EQ(g[0], -6.0);
  EXPECT_DOUBLE_EQ(g[1], -8.0);
  EXPECT_EQ(f.definition().variables(A), 2);
  // At an exact solution the value and gradient vanish.
  const Vector exact = (Vector(2) << 0.25, -0.5).finished();
  EXPECT_NEAR(value_of(f, A, A * exact, exact), 0.0, 1e-15);
}

class SmoothGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(SmoothGradient, MatchesCentralFiniteDifferences) {
  const SmoothComponent f = SmoothComponent::parse(GetParam());
  std::mt19937 rng(21);
  for (int trial = 0; trial < 5; ++trial) {
    const Eigen::Index d = 3 + trial;
    const Matrix A = f.kind() == SmoothKind::quadratic ? random_symmetric(d, rng)
                                                       : random_matrix(2 * d + 1, d, rng);
    const Vector b = random_vector(A.rows() == d ? d : A.rows(), rng);
    f.definition().check_data(A, b);
    const Vector x = random_vector(d, rng);
    Vector g(d);
    f.value_and_gradient<double>(A, b, x, g);
    const double h = 1e-5;
    for (Eigen::Index i = 0; i < d; ++i) {
      Vector plus = x, minus = x;
      plus[i] += h;
      minus[i] -= h;
      const double fd = (value_of(f, A, b, plus) - value_of(f, A, b, minus)) / (2 * h);
      EXPECT_NEAR(g[i], fd, 1e-7 * (1 + std::abs(fd))) << GetParam() << " trial " << trial;
    }
  }
}

TEST_P(SmoothGradient, FloatPathAgreesWithDouble) {
  const SmoothComponent f = SmoothComponent::parse(GetParam());
  std::mt19937 rng(22);
  const Eigen::Index d = 6;
  const Matrix A =
      f.kind() == SmoothKind::quadratic ? random_symmetric(d, rng) : random_matrix(20, d, rng);
  const Vector b = random_vector(A.rows(), rng);
  const Vector x = random_vector(d, rng);
  Vector g(d);
  const double value = f.value_and_gradient<double>(A, b, x, g);
  const MatrixOf<float> Af = A.cast<float>();
  const VectorOf<float> bf = b.cast<float>(), xf = x.cast<float>();
  VectorOf<float> gf(d);
  const double valuef = f.value_and_gradient<float>(Af, bf, xf, gf);
  EXPECT_NEAR(valuef, value, 1e-5 * (1 + std::abs(value)));
  for (Eigen::Index i = 0; i < d; ++i)
    EXPECT_NEAR(gf[i], g[i], 1e-5 * (1 + g.norm()));
}

TEST_P(SmoothGradient, LipschitzBoundsTheLargestEigenvalueWithinFivePercent) {
  const SmoothComponent f = SmoothComponent::parse(GetParam());
  std::mt19937 rng(23);
  for (int trial = 0; trial < 10; ++trial) {
    const Eigen::Index d = 2 + 3 * trial;
    Matrix A;
    if (f.kind() == SmoothKind::quadratic) {
      // Alternate positive semi-definite and indefinite Hessians.
      const Matrix m = random_matrix(d, d, rng);
      A = trial % 2 ? Matrix(m * m.transpose()) : random_symmetric(d, rng);
    } else {
      A = random_matrix(d + trial, d, rng);
    }
    const double truth = true_lipschitz(f.kind(), A);
    const double bound = f.definition().lipschitz(A);
    EXPECT_GE(bound, truth) << GetParam() << " d=" << d;
    EXPECT_LE(bound, 1.05 * truth) << GetParam() << " d=" << d;
  }
}

INSTANTIATE_TEST_SUITE_P(BuiltIns, SmoothGradient, ::testing::Values("quadratic", "least_squares"));

// A structured power-iteration start (e.g. v_i = 1 + 0.01 * (i % 7), where v_0 == v_7) is blind
// to an operator whose top eigenvector is e_0 - e_7. A single difference sample x_0 - x_7 has
// L = ||A||^2 / n = 2, and the estimate must still bound it (a zero or tiny L makes 1/L steps
// diverge).
TEST(SmoothLipschitz, BoundHoldsWhenTheTopEigenvectorIsOrthogonalToTheStartVector) {
  Matrix difference = Matrix::Zero(1, 8);
  difference(0, 0) = 1;
  difference(0, 7) = -1;
  const double least_squares = smooth_registry()[1].lipschitz(difference);
  EXPECT_GE(least_squares, 2.0) << "least_squares: estimated L for a single difference row";

  Matrix A = Matrix::Identity(8, 8);
  A(0, 0) += 100;
  A(7, 7) += 100;
  A(0, 7) -= 100;
  A(7, 0) -= 100;  // I + 100 (e0 - e7)(e0 - e7)': eigenvalues 201 and 1
  EXPECT_NEAR(true_lipschitz(SmoothKind::quadratic, A), 201.0, 1e-9);
  const double quadratic = smooth_registry()[0].lipschitz(A);
  EXPECT_GE(quadratic, 201.0) << "quadratic: estimated L for eigenvalues {201, 1, ...}";
}

TEST(SmoothLipschitz, LargestEigenvalueOfADiagonalOperator) {
  const Vector diagonal = (Vector(4) << 1, 3, 2, 0.5).finished();
  const double estimate =
      largest_eigenvalue(4, [&](const Vector& v, Vector& out) { out = diagonal.cwiseProduct(v); });
  EXPECT_GE(estimate, 3.0);
  EXPECT_LE(estimate, 3.0 * 1.05);
  EXPECT_EQ(largest_eigenvalue(0, [](const Vector&, Vector&) {}), 0.0);
  EXPECT_EQ(largest_eigenvalue(3, [](const Vector& v, Vector& out) { out = 0 * v; }), 0.0);
}

TEST(SmoothCheckData, QuadraticNeedsASquareMatrix) {
  const SmoothDefinition& quadratic = smooth_registry()[0];
  const std::string message =
      error_of([&] { quadratic.check_data(Matrix::Zero(2, 3), Vector::Zero(2)); });
  EXPECT_TRUE(Contains(message, "quadratic: A must be square (d x d), got 2 x 3"));
}

TEST(SmoothCheckData, QuadraticNeedsASymmetricMatrixAndNamesTheEntries) {
  const SmoothDefinition& quadratic = smooth_registry()[0];
  Matrix A(3, 3);
  A << 1, 0, 0, 0, 1, 2, 0, 3, 1;
  const std::string message = error_of([&] { quadratic.check_data(A, Vector::Zero(3)); });
  EXPECT_TRUE(Contains(message, "A must be symmetric"));
  EXPECT_TRUE(Contains(message, "A[1][2] = 2 and A[2][1] = 3"));
  EXPECT_TRUE(Contains(message, "(A + A')/2"));
  // Rounding-level asymmetry, as produced by (M + M')/2 in another order, is accepted.
  std::mt19937 rng(24);
  Matrix nearly = random_symmetric(5, rng);
  nearly(0, 4) += 1e-14;
  EXPECT_NO_THROW(quadratic.check_data(nearly, Vector::Zero(5)));
}

TEST(SmoothCheckData, QuadraticNormalizationMakesAExactlySymmetric) {
  const SmoothDefinition& quadratic = smooth_registry()[0];
  ASSERT_NE(quadratic.normalize_data, nullptr);
  std::mt19937 rng(25);
  Matrix A = random_symmetric(6, rng);
  A(1, 4) += 1e-13;  // accepted by check_data, but a one-triangle kernel would see it
  quadratic.check_data(A, Vector::Zero(6));
  const Matrix before = A;
  quadratic.normalize_data(A);
  EXPECT_EQ(A, A.transpose());
  EXPECT_LE((A - before).cwiseAbs().maxCoeff(), 1e-13);
  EXPECT_EQ(smooth_registry()[1].normalize_data, nullptr);  // least squares needs none
}

TEST(SmoothCheckData, BLengthMustMatch) {
  const std::string quadratic =
      error_of([] { smooth_registry()[0].check_data(Matrix::Identity(3, 3), Vector::Zero(2)); });
  EXPECT_TRUE(Contains(quadratic, "quadratic: b must have length d = 3"));
  EXPECT_TRUE(Contains(quadratic, "got 2"));
  const std::string least_squares =
      error_of([] { smooth_registry()[1].check_data(Matrix::Zero(4, 2), Vector::Zero(2)); });
  EXPECT_TRUE(Contains(least_squares, "least_squares: b must have one entry per row of A (n = 4)"));
  EXPECT_TRUE(Contains(least_squares, "got 2"));
  EXPECT_NO_THROW(smooth_registry()[1].check_data(Matrix::Zero(4, 2), Vector::Zero(4)));
}

TEST(SmoothCheckData, LeastSquaresNeedsNonEmptyData) {
  EXPECT_TRUE(Contains(error_of([] { smooth_registry()[1].check_data(Matrix(0, 3), Vector(0)); }),
                       "at least one row and one column, got 0 x 3"));
}

TEST(CheckFinite, NamesWhatAndWhere) {
  Matrix A = Matrix::Ones(3, 4);
  EXPECT_NO_THROW(check_finite(A, "A"));
  A(1, 2) = std::numeric_limits<double>::quiet_NaN();
  const std::string matrix = error_of([&] { check_finite(A, "A"); });
  EXPECT_TRUE(Contains(matrix, "A contains nan at row 1, column 2"));
  EXPECT_TRUE(Contains(matrix, "must be finite"));

  Vector b = Vector::Zero(5);
  EXPECT_NO_THROW(check_finite(b, "b"));
  b[3] = -std::numeric_limits<double>::infinity();
  EXPECT_TRUE(Contains(error_of([&] { check_finite(b, "b"); }), "b contains -inf at index 3"));
}

}  // namespace
}  // namespace proxjit
