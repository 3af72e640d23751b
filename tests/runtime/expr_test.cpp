#include "proxjit/runtime/expr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace proxjit::expr {
namespace {

template <class T>
class ExprTyped : public ::testing::Test {};
using ScalarTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ExprTyped, ScalarTypes);

const Expr y = Expr::variable();

template <class T>
T eval(const Expr& e, T variable, T step = T(1), std::initializer_list<T> params = {}) {
  const std::vector<T> p(params);
  return evaluate<T>(e, variable, step, p.data());
}

TYPED_TEST(ExprTyped, NanMaxAndNanMinPropagateNanFromEitherSide) {
  using T = TypeParam;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  EXPECT_TRUE(std::isnan(nan_max<T>(nan, 1)));
  EXPECT_TRUE(std::isnan(nan_max<T>(1, nan)));
  EXPECT_TRUE(std::isnan(nan_min<T>(nan, 1)));
  EXPECT_TRUE(std::isnan(nan_min<T>(1, nan)));
  EXPECT_EQ(nan_max<T>(2, -3), T(2));
  EXPECT_EQ(nan_min<T>(2, -3), T(-3));
  const T inf = std::numeric_limits<T>::infinity();
  EXPECT_EQ(nan_max<T>(-inf, 5), T(5));
  EXPECT_EQ(nan_min<T>(inf, 5), T(5));
}

TYPED_TEST(ExprTyped, NanMaxAndNanMinOrderSignedZeros) {
  using T = TypeParam;
  // max(-0, +0) = +0 and min(-0, +0) = -0 in either argument order, as llvm.maximum/minimum.
  EXPECT_FALSE(std::signbit(nan_max<T>(-0.0, 0.0)));
  EXPECT_FALSE(std::signbit(nan_max<T>(0.0, -0.0)));
  EXPECT_TRUE(std::signbit(nan_min<T>(-0.0, 0.0)));
  EXPECT_TRUE(std::signbit(nan_min<T>(0.0, -0.0)));
}

TYPED_TEST(ExprTyped, MaxAndMinExpressionsNeverTurnNanIntoANumber) {
  using T = TypeParam;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  EXPECT_TRUE(std::isnan(eval<T>(max(y, 0.0), nan)));
  EXPECT_TRUE(std::isnan(eval<T>(max(0.0, y), nan)));
  EXPECT_TRUE(std::isnan(eval<T>(min(y, 0.0), nan)));
  EXPECT_TRUE(std::isnan(eval<T>(min(0.0, y), nan)));
  // The soft-threshold shape used by l1: NaN in, NaN out.
  const Expr soft = sign(y) * max(abs(y) - Expr::step() * Expr::parameter(0, "lambda"), 0.0);
  EXPECT_TRUE(std::isnan(eval<T>(soft, nan, T(1), {T(0.5)})));
  EXPECT_EQ(eval<T>(soft, T(3), T(1), {T(0.5)}), T(2.5));
  EXPECT_EQ(eval<T>(soft, T(-3), T(2), {T(0.5)}), T(-2));
  EXPECT_EQ(eval<T>(soft, T(0.25), T(1), {T(0.5)}), T(0));
}

TYPED_TEST(ExprTyped, SignOfZeroIsZeroAndSignOfNanIsNan) {
  using T = TypeParam;
  EXPECT_EQ(eval<T>(sign(y), T(0)), T(0));
  EXPECT_EQ(eval<T>(sign(y), T(-0.0)), T(0));
  EXPECT_EQ(eval<T>(sign(y), T(2.5)), T(1));
  EXPECT_EQ(eval<T>(sign(y), T(-1e-30)), T(-1));
  EXPECT_EQ(eval<T>(sign(y), std::numeric_limits<T>::infinity()), T(1));
  EXPECT_EQ(eval<T>(sign(y), std::numeric_limits<T>::denorm_min()), T(1));
  EXPECT_TRUE(std::isnan(eval<T>(sign(y), std::numeric_limits<T>::quiet_NaN())));
}

TYPED_TEST(ExprTyped, ComparisonsYieldOneOrZero) {
  using T = TypeParam;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  EXPECT_EQ(eval<T>(y < 1.0, T(0)), T(1));
  EXPECT_EQ(eval<T>(y < 1.0, T(1)), T(0));
  EXPECT_EQ(eval<T>(y <= 1.0, T(1)), T(1));
  EXPECT_EQ(eval<T>(y <= 1.0, T(2)), T(0));
  EXPECT_EQ(eval<T>(y > 1.0, T(2)), T(1));
  EXPECT_EQ(eval<T>(y > 1.0, T(1)), T(0));
  EXPECT_EQ(eval<T>(y >= 1.0, T(1)), T(1));
  EXPECT_EQ(eval<T>(y >= 1.0, T(0)), T(0));
  // Ordered comparisons with NaN are false.
  EXPECT_EQ(eval<T>(y < 1.0, nan), T(0));
  EXPECT_EQ(eval<T>(y <= 1.0, nan), T(0));
  EXPECT_EQ(eval<T>(y > 1.0, nan), T(0));
  EXPECT_EQ(eval<T>(y >= 1.0, nan), T(0));
}

TYPED_TEST(ExprTyped, WherePicksFirstBranchWhenConditionIsNonZero) {
  using T = TypeParam;
  const Expr e = where(y, 10.0, 20.0);
  EXPECT_EQ(eval<T>(e, T(1)), T(10));
  EXPECT_EQ(eval<T>(e, T(-0.5)), T(10));
  EXPECT_EQ(eval<T>(e, T(0)), T(20));
  EXPECT_EQ(eval<T>(e, T(-0.0)), T(20));
  // NaN is non-zero.
  EXPECT_EQ(eval<T>(e, std::numeric_limits<T>::quiet_NaN()), T(10));
  // The indicator shape used by box/nonneg.
  const T inf = std::numeric_limits<T>::infinity();
  const Expr indicator = where(y >= 0.0, 0.0, std::numeric_limits<double>::infinity());
  EXPECT_EQ(eval<T>(indicator, T(0)), T(0));
  EXPECT_EQ(eval<T>(indicator, T(-1e-6)), inf);
}

TYPED_TEST(ExprTyped, ArithmeticUnaryFunctionsStepAndParameters) {
  using T = TypeParam;
  const Expr s = Expr::step();
  const Expr a = Expr::parameter(0, "a");
  const Expr b = Expr::parameter(1, "b");
  EXPECT_EQ(eval<T>(y + s, T(2), T(3)), T(5));
  EXPECT_EQ(eval<T>(y - s, T(2), T(3)), T(-1));
  EXPECT_EQ(eval<T>(y * a, T(2), T(3), {T(4)}), T(8));
  EXPECT_EQ(eval<T>(y / b, T(3), T(1), {T(0), T(4)}), T(0.75));
  EXPECT_EQ(eval<T>(-y, T(2)), T(-2));
  EXPECT_EQ(eval<T>(abs(y), T(-2)), T(2));
  EXPECT_EQ(eval<T>(sqrt(y), T(9)), T(3));
  EXPECT_NEAR(eval<T>(exp(y), T(1)), std::exp(T(1)), 1e-6);
  EXPECT_NEAR(eval<T>(log(y), std::exp(T(2))), T(2), 1e-6);
  EXPECT_TRUE(std::isnan(eval<T>(sqrt(y), T(-1))));
  EXPECT_EQ(eval<T>(y / 0.0, T(1)), std::numeric_limits<T>::infinity());
}

TEST(Expr, FloatEvaluationComputesInFloat) {
  // 0.1 rounded to float, then added in float: differs from the double computation.
  const Expr e = y + 0.1;
  EXPECT_EQ(evaluate<float>(e, 0.2f, 0.f, nullptr), 0.2f + 0.1f);
  EXPECT_EQ(evaluate<double>(e, 0.2, 0.0, nullptr), 0.2 + 0.1);
  EXPECT_NE(static_cast<double>(evaluate<float>(e, 0.2f, 0.f, nullptr)),
            evaluate<double>(e, 0.2, 0.0, nullptr));
}

TEST(Expr, OperatorsBuildTheNamedOps) {
  EXPECT_EQ((y + 1.0).op(), Op::add);
  EXPECT_EQ((y - 1.0).op(), Op::sub);
  EXPECT_EQ((y * 1.0).op(), Op::mul);
  EXPECT_EQ((y / 1.0).op(), Op::div);
  EXPECT_EQ((-y).op(), Op::neg);
  EXPECT_EQ((y < 1.0).op(), Op::less);
  EXPECT_EQ((y <= 1.0).op(), Op::less_equal);
  EXPECT_EQ((y > 1.0).op(), Op::greater);
  EXPECT_EQ((y >= 1.0).op(), Op::greater_equal);
  EXPECT_EQ(where(y, 1.0, 2.0).args().size(), 3u);
  const Expr p = Expr::parameter(3, "w");
  EXPECT_EQ(p.slot(), 3);
  EXPECT_EQ(p.name(), "w");
  EXPECT_EQ(Expr(2.5).constant(), 2.5);
}

TEST(Expr, ToStringIsReadableInfixWithMinimalParentheses) {
  const Expr lambda = Expr::parameter(0, "lambda");
  EXPECT_EQ(to_string(sign(y) * max(abs(y) - Expr::step() * lambda, 0.0)),
            "sign(y) * max(abs(y) - step * lambda, 0)");
  EXPECT_EQ(to_string(y / (1.0 + Expr::step() * lambda)), "y / (1 + step * lambda)");
  EXPECT_EQ(to_string((y + 1.0) * 2.0), "(y + 1) * 2");
  EXPECT_EQ(to_string(y + 1.0 * 2.0), "y + 2");  // constant folded by C++, not by Expr
  EXPECT_EQ(to_string(y - (1.0 - y)), "y - (1 - y)");
  EXPECT_EQ(to_string((y - 1.0) - y), "y - 1 - y");
  EXPECT_EQ(to_string(y / (y * 2.0)), "y / (y * 2)");
  EXPECT_EQ(to_string(-(y + 1.0)), "-(y + 1)");
  EXPECT_EQ(to_string(-y * 2.0), "-y * 2");
  EXPECT_EQ(to_string(0.5 * lambda * y * y, "x"), "0.5 * lambda * x * x");
  EXPECT_EQ(
      to_string(where(y >= Expr::parameter(0, "lo"), 0.0, std::numeric_limits<double>::infinity())),
      "where(y >= lo, 0, inf)");
  EXPECT_EQ(to_string(Expr(-std::numeric_limits<double>::infinity())), "-inf");
}

TEST(Expr, CanonicalTextUsesSlotsAndFullPrecision) {
  const Expr l1 = sign(y) * max(abs(y) - Expr::step() * Expr::parameter(0, "lambda"), 0.0);
  EXPECT_EQ(canonical(l1), "mul(sign(v),max(sub(abs(v),mul(s,p0)),0))");
  // Same math under other parameter names shares a key; other constants do not.
  const Expr renamed = sign(y) * max(abs(y) - Expr::step() * Expr::parameter(0, "mu"), 0.0);
  EXPECT_EQ(canonical(renamed), canonical(l1));
  EXPECT_NE(canonical(y + 0.1), canonical(y + 0.10000000000000002));
  // Shortest text that reads back exactly: "0.1", yet distinct from its neighbour double.
  EXPECT_EQ(canonical(y + 0.1), "add(v,0.1)");
  EXPECT_EQ(canonical(y + 0.10000000000000002), "add(v,0.10000000000000002)");
  EXPECT_EQ(canonical(y * (1.0 / 3.0)), "mul(v,0.3333333333333333)");
  EXPECT_EQ(canonical(Expr(std::numeric_limits<double>::infinity())), "inf");
  EXPECT_EQ(canonical(where(y <= 1.0, y > 2.0, y >= 3.0) < -y),
            "lt(where(le(v,1),gt(v,2),ge(v,3)),neg(v))");
  EXPECT_EQ(canonical(min(exp(y), log(sqrt(y))) / 2.0), "div(min(exp(v),log(sqrt(v))),2)");
  // The two operand orders differ.
  EXPECT_NE(canonical(y - 1.0), canonical(1.0 - y));
}

TEST(Expr, ParameterCountIsHighestSlotPlusOne) {
  EXPECT_EQ(parameter_count(y * 2.0), 0);
  EXPECT_EQ(parameter_count(y * Expr::parameter(0, "a")), 1);
  EXPECT_EQ(parameter_count(min(max(y, Expr::parameter(0, "lo")), Expr::parameter(1, "hi"))), 2);
  // Slots are positions in the kernel's parameter array: a lone slot 2 still needs 3.
  EXPECT_EQ(parameter_count(where(y, 1.0, Expr::parameter(2, "c"))), 3);
}

TEST(Expr, EvaluateMatchesDirectFormulaOnRandomInputs) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uniform(-5.0, 5.0);
  const Expr lo = Expr::parameter(0, "lo");
  const Expr hi = Expr::parameter(1, "hi");
  const Expr e = where(y > hi, hi, where(y < lo, lo, y * Expr::step()));
  for (int trial = 0; trial < 200; ++trial) {
    const double v = uniform(rng);
    const double s = uniform(rng);
    const double params[2] = {-1.0, 2.0};
    const double expected = v > 2.0 ? 2.0 : (v < -1.0 ? -1.0 : v * s);
    EXPECT_EQ(evaluate<double>(e, v, s, params), expected) << v << " " << s;
  }
}

}  // namespace
}  // namespace proxjit::expr
