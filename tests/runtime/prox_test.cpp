#include "proxjit/runtime/prox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "proxjit/runtime/error.h"

namespace proxjit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string parse_error(std::string_view text) {
  try {
    ProxComponent::parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a proxjit::Error for \"" << text << "\"";
  return {};
}

// r for one element, written here from the formulas, independently of the prox expressions.
double scalar_r(const std::string& name, const std::vector<double>& p, double x) {
  if (name == "zero") return 0.0;
  if (name == "l1") return p[0] * std::abs(x);
  if (name == "l2sq") return 0.5 * p[0] * x * x;
  if (name == "box") return x >= p[0] && x <= p[1] ? 0.0 : kInf;
  if (name == "nonneg") return x >= 0.0 ? 0.0 : kInf;
  if (name == "elastic_net") return p[0] * std::abs(x) + 0.5 * p[1] * x * x;
  ADD_FAILURE() << "no test model for prox '" << name << "'";
  return 0.0;
}

// The closed domain of r, where the naive minimizer searches.
std::pair<double, double> domain_of(const std::string& name, const std::vector<double>& p) {
  if (name == "box") return {p[0], p[1]};
  if (name == "nonneg") return {0.0, kInf};
  return {-kInf, kInf};
}

// Is g = (y - p) / step in the subdifferential of r at p (within tol)?
::testing::AssertionResult in_subdifferential(const std::string& name,
                                              const std::vector<double>& params, double p, double g,
                                              double tol) {
  bool ok = false;
  if (name == "zero") {
    ok = std::abs(g) <= tol;
  } else if (name == "l1") {
    const double lambda = params[0];
    if (p > 0) ok = std::abs(g - lambda) <= tol;
    if (p < 0) ok = std::abs(g + lambda) <= tol;
    if (p == 0) ok = std::abs(g) <= lambda + tol;
  } else if (name == "l2sq") {
    ok = std::abs(g - params[0] * p) <= tol * (1 + params[0]);
  } else if (name == "elastic_net") {
    // d r(p) = l1 * d|p| + l2 * p.
    const double l1 = params[0], rest = g - params[1] * p;
    const double scaled = tol * (1 + params[1]);
    if (p > 0) ok = std::abs(rest - l1) <= scaled;
    if (p < 0) ok = std::abs(rest + l1) <= scaled;
    if (p == 0) ok = std::abs(rest) <= l1 + scaled;
  } else if (name == "box" || name == "nonneg") {
    const auto [lo, hi] = domain_of(name, params);
    // Normal cone of [lo, hi]: 0 inside, <= 0 at lo, >= 0 at hi, anything when lo == hi.
    if (p < lo || p > hi) {
      ok = false;
    } else if (lo == hi) {
      ok = true;
    } else if (p == lo) {
      ok = g <= tol;
    } else if (p == hi) {
      ok = g >= -tol;
    } else {
      ok = std::abs(g) <= tol;
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "g = " << g << " is not in the subdifferential of "
                                       << name << " at p = " << p << " (tol " << tol << ")";
}

// argmin_p r(p) + (p - y)^2 / (2 step) by a dense grid, then golden-section refinement.
double naive_prox(const std::string& name, const std::vector<double>& params, double y,
                  double step) {
  const auto objective = [&](double p) {
    return scalar_r(name, params, p) + (p - y) * (p - y) / (2 * step);
  };
  auto [lo, hi] = domain_of(name, params);
  double reach = std::abs(y) + 1.0;
  if (std::isfinite(lo)) reach = std::max(reach, std::abs(lo) + 1.0);
  if (std::isfinite(hi)) reach = std::max(reach, std::abs(hi) + 1.0);
  lo = std::max(lo, -reach);
  hi = std::min(hi, reach);
  if (lo == hi) return lo;
  const int points = 4000;
  const double h = (hi - lo) / points;
  int best = 0;
  for (int i = 1; i <= points; ++i) {
    if (objective(lo + i * h) < objective(lo + best * h)) best = i;
  }
  // Convexity puts the minimizer within one grid step of the best grid point.
  double a = std::max(lo, lo + (best - 1) * h);
  double b = std::min(hi, lo + (best + 1) * h);
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double c = b - ratio * (b - a);
  double d = a + ratio * (b - a);
  for (int iteration = 0; iteration < 200 && b - a > 1e-15 * (1 + std::abs(a)); ++iteration) {
    if (objective(c) < objective(d)) {
      b = d;
    } else {
      a = c;
    }
    c = b - ratio * (b - a);
    d = a + ratio * (b - a);
  }
  // Endpoints of the domain are candidates too (indicator minimizers sit on them).
  double best_p = (a + b) / 2;
  for (double candidate : {lo, hi}) {
    if (objective(candidate) <= objective(best_p)) best_p = candidate;
  }
  return best_p;
}

struct Case {
  std::string text;
  std::vector<double> params;  // as the test expects them, in declared order
};

// Random parameter sets for every registered prox (the test fails for a prox it does not know).
std::vector<Case> cases_for(const std::string& name, std::mt19937& rng) {
  std::uniform_real_distribution<double> weight(0.0, 3.0);
  std::uniform_real_distribution<double> bound(-3.0, 1.0);
  std::uniform_real_distribution<double> width(0.0, 4.0);
  std::vector<Case> cases;
  if (name == "zero" || name == "nonneg") {
    cases.push_back({name, {}});
  } else if (name == "l1" || name == "l2sq") {
    cases.push_back({name + "(lambda=0)", {0.0}});
    for (int i = 0; i < 4; ++i) {
      const double lambda = weight(rng);
      cases.push_back({name + "(lambda=" + std::to_string(lambda) + ")", {lambda}});
    }
  } else if (name == "elastic_net") {
    cases.push_back({"elastic_net(l1=0, l2=0)", {0.0, 0.0}});
    for (int i = 0; i < 4; ++i) {
      const double l1 = weight(rng), l2 = weight(rng);
      cases.push_back(
          {"elastic_net(l1=" + std::to_string(l1) + ", l2=" + std::to_string(l2) + ")", {l1, l2}});
    }
  } else if (name == "box") {
    cases.push_back({"box(lo=-inf, hi=1)", {-kInf, 1.0}});
    cases.push_back({"box(lo=-1, hi=inf)", {-1.0, kInf}});
    cases.push_back({"box(lo=-inf, hi=inf)", {-kInf, kInf}});
    cases.push_back({"box(lo=0.5, hi=0.5)", {0.5, 0.5}});
    for (int i = 0; i < 3; ++i) {
      const double lo = bound(rng);
      const double hi = lo + width(rng);
      cases.push_back({"box(" + std::to_string(lo) + ", " + std::to_string(hi) + ")", {lo, hi}});
    }
  } else {
    ADD_FAILURE() << "no test cases for prox '" << name << "'";
  }
  for (Case& c : cases) {
    // std::to_string rounds; take the values the parser actually produced.
    const ProxComponent component = ProxComponent::parse(c.text);
    c.params.assign(component.parameters().begin(), component.parameters().end());
  }
  return cases;
}

// Inputs that include the interesting points: 0, the thresholds and the bounds.
std::vector<double> inputs_for(const Case& c, double step, std::mt19937& rng) {
  std::uniform_real_distribution<double> uniform(-5.0, 5.0);
  std::vector<double> ys = {0.0, 1.0, -1.0};
  for (double p : c.params) {
    if (std::isfinite(p)) {
      ys.push_back(p);
      ys.push_back(-p);
      ys.push_back(step * p);
      ys.push_back(-step * p);
    }
  }
  for (int i = 0; i < 40; ++i)
    ys.push_back(uniform(rng));
  return ys;
}

TEST(ProxRegistry, ListsTheBuiltInsInOrder) {
  std::vector<std::string> names;
  for (const ProxDefinition& d : prox_registry())
    names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"zero", "l1", "l2sq", "elastic_net", "l2", "group_l2",
                                             "linf", "box", "nonneg", "l1_ball", "l2_ball",
                                             "linf_ball", "simplex", "tv1d", "slope"}));
  for (const ProxDefinition& d : prox_registry()) {
    EXPECT_FALSE(d.formula.empty()) << d.name;
    EXPECT_LE(expr::parameter_count(d.prox), static_cast<int>(d.parameters.size())) << d.name;
    EXPECT_LE(expr::parameter_count(d.value), static_cast<int>(d.parameters.size())) << d.name;
  }
}

// The elementwise proxes; the whole-vector ones are tested in prox_library_test.cpp.
TEST(ProxRegistry, TraitsMatchTheMath) {
  for (const ProxDefinition& d : prox_registry()) {
    if (!d.traits.elementwise) continue;
    const bool indicator = d.name == "box" || d.name == "nonneg";
    EXPECT_EQ(d.traits.indicator, indicator) << d.name;
    EXPECT_TRUE(d.traits.convex) << d.name;
    EXPECT_TRUE(d.traits.separable) << d.name;
  }
}

TEST(ProxParse, KeywordPositionalAndMakeAgree) {
  const ProxComponent keyword = ProxComponent::parse("box(lo=-1, hi=2)");
  const ProxComponent positional = ProxComponent::parse("box(-1, 2)");
  const ProxComponent reordered = ProxComponent::parse("box(hi=2, lo=-1)");
  const ProxComponent made = ProxComponent::make("box", {{"lo", -1}, {"hi", 2}});
  const std::vector<double> expected = {-1.0, 2.0};
  for (const ProxComponent* c : {&keyword, &positional, &reordered, &made}) {
    EXPECT_EQ(c->name(), "box");
    EXPECT_EQ(std::vector<double>(c->parameters().begin(), c->parameters().end()), expected);
  }
  EXPECT_EQ(ProxComponent::parse("l1(0.25)").parameters()[0], 0.25);
  EXPECT_EQ(ProxComponent::make("l2sq", {{"lambda", 3}}).parameters()[0], 3.0);
  EXPECT_TRUE(ProxComponent::parse("nonneg").parameters().empty());
  EXPECT_TRUE(ProxComponent::make("zero").parameters().empty());
  EXPECT_EQ(ProxComponent::parse("box(lo=-inf, hi=inf)").parameters()[0], -kInf);
}

TEST(ProxParse, DescribeRoundTripsThroughParse) {
  std::mt19937 rng(11);
  for (const ProxDefinition& d : prox_registry()) {
    if (!d.traits.elementwise) continue;  // whole vector: prox_library_test.cpp
    for (const Case& c : cases_for(d.name, rng)) {
      const ProxComponent component = ProxComponent::parse(c.text);
      const std::string text = component.describe();
      const ProxComponent again = ProxComponent::parse(text);
      EXPECT_EQ(again.name(), component.name()) << text;
      EXPECT_EQ(std::vector<double>(again.parameters().begin(), again.parameters().end()),
                std::vector<double>(component.parameters().begin(), component.parameters().end()))
          << text;
      EXPECT_EQ(again.describe(), text);
    }
  }
  EXPECT_EQ(ProxComponent::parse("l1(0.5)").describe(), "l1(lambda=0.5)");
  EXPECT_EQ(ProxComponent::parse("nonneg").describe(), "nonneg");
  EXPECT_EQ(ProxComponent::parse("l1(lambda=0.10000000000000001)").describe(), "l1(lambda=0.1)");
  EXPECT_EQ(ProxComponent::parse("box(-inf, 1)").describe(), "box(lo=-inf, hi=1)");
  // 0.1 is not exactly representable; describe() keeps enough digits to parse back exactly.
  EXPECT_EQ(ProxComponent::parse(ProxComponent::parse("l1(0.1)").describe()).parameters()[0], 0.1);
}

TEST(ProxParse, UnknownNameSuggestsNearestAndListsAll) {
  const std::string message = parse_error("nonnge");
  EXPECT_TRUE(Contains(message, "unknown prox 'nonnge'; did you mean 'nonneg'?"));
  EXPECT_TRUE(Contains(message, "available: zero, l1, l2sq, elastic_net, l2, group_l2, linf, box"));
  EXPECT_FALSE(Contains(parse_error("elastic_net(0.1)"), "did you mean"));
  EXPECT_TRUE(Contains(parse_error("L1(0.1)"), "did you mean 'l1'?"));
}

TEST(ProxParse, UnknownParameterSuggestsNearest) {
  const std::string message = parse_error("l1(lamda=0.1)");
  EXPECT_TRUE(Contains(message, "prox 'l1' has no parameter 'lamda'; did you mean 'lambda'?"));
  EXPECT_TRUE(Contains(message, "(parameters: lambda, weights)"));
  EXPECT_TRUE(Contains(parse_error("box(low=0, hi=1)"), "did you mean 'lo'?"));
  EXPECT_TRUE(Contains(parse_error("zero(lambda=1)"), "(it takes none)"));
}

TEST(ProxParse, InvalidValuesAreRejectedWithTheExpectation) {
  EXPECT_TRUE(Contains(parse_error("l1(lambda=-1)"),
                       "prox 'l1': parameter 'lambda' must be finite and >= 0, got -1"));
  EXPECT_TRUE(
      Contains(parse_error("l2sq(-0.5)"), "parameter 'lambda' must be finite and >= 0, got -0.5"));
  EXPECT_TRUE(Contains(parse_error("box(lo=1, hi=0)"), "lo must be <= hi"));
  try {
    ProxComponent::make("l1", {{"lambda", std::nan("")}});
    ADD_FAILURE() << "NaN lambda accepted";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "parameter 'lambda' must be finite and >= 0, got nan"));
  }
  try {
    ProxComponent::make("box", {{"lo", std::nan("")}, {"hi", 1}});
    ADD_FAILURE() << "NaN lo accepted";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "parameter 'lo'"));
  }
}

TEST(ProxParse, MissingRequiredParameterShowsAnExample) {
  const std::string message = parse_error("l1");
  EXPECT_TRUE(Contains(message, "prox 'l1' needs parameter 'lambda'"));
  EXPECT_TRUE(Contains(message, "l1(lambda="));
  EXPECT_TRUE(Contains(parse_error("box(lo=0)"), "needs parameter 'hi'"));
  EXPECT_TRUE(Contains(parse_error("box(hi=0)"), "needs parameter 'lo'"));
}

TEST(ProxParse, TooManyPositionalArguments) {
  EXPECT_TRUE(Contains(parse_error("l2sq(0.1, 0.2)"), "prox 'l2sq' takes 1 parameter(s)"));
  // l1's second positional parameter is its weights list.
  EXPECT_TRUE(Contains(parse_error("l1(0.1, 0.2)"), "parameter 'weights' is a list, not a number"));
  EXPECT_TRUE(Contains(parse_error("l1(0.1, [1], 3)"), "prox 'l1' takes 2 parameter(s)"));
  EXPECT_TRUE(Contains(parse_error("zero(1)"), "prox 'zero' takes 0 parameter(s)"));
  EXPECT_TRUE(Contains(parse_error("box(0, 1, 2)"), "prox 'box' takes 2 parameter(s)"));
}

TEST(ProxParse, ParameterGivenTwice) {
  EXPECT_TRUE(Contains(parse_error("box(0, lo=1, hi=2)"), "parameter 'lo' is given twice"));
  EXPECT_TRUE(Contains(parse_error("l1(lambda=1, lambda=2)"), "given twice"));
}

TEST(ProxParse, SyntaxErrorsCarryTheColumn) {
  EXPECT_TRUE(Contains(parse_error("l1(lambda=0.1"), "column 14"));
}

// An infinite weight would make r(0) = inf * 0 undefined (NaN), so it is rejected.
TEST(ProxParse, InfiniteWeightIsRejected) {
  EXPECT_TRUE(Contains(parse_error("l1(lambda=inf)"), "must be finite and >= 0, got inf"));
  EXPECT_TRUE(Contains(parse_error("l2sq(inf)"), "must be finite and >= 0, got inf"));
  // Infinite bounds stay valid: they are how a one-sided box is written.
  EXPECT_NO_THROW(ProxComponent::parse("box(lo=-inf, hi=0)"));
}

// Both bounds at the same infinity leave no real point: the projection would yield inf/NaN.
TEST(ProxParse, BoxWithBothBoundsAtOneInfinityIsRejected) {
  EXPECT_TRUE(Contains(parse_error("box(lo=inf, hi=inf)"), "lo and hi are both inf"));
  EXPECT_TRUE(Contains(parse_error("box(lo=-inf, hi=-inf)"), "lo and hi are both -inf"));
  EXPECT_TRUE(Contains(parse_error("box(lo=-inf, hi=-inf)"), "prox 'box'"));
  const ProxComponent open = ProxComponent::parse("box(lo=0, hi=inf)");
  EXPECT_THROW(open.with_parameter("lo", kInf), Error);
  EXPECT_NO_THROW(ProxComponent::parse("box(lo=-inf, hi=inf)"));
}

// The kernel computes with parameters rounded to T; so must the checks.
template <class T>
std::vector<double> rounded_to(const std::vector<double>& params) {
  std::vector<double> rounded;
  for (double p : params)
    rounded.push_back(static_cast<double>(static_cast<T>(p)));
  return rounded;
}

template <class T>
class ProxTyped : public ::testing::Test {};
using ScalarTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ProxTyped, ScalarTypes);

TYPED_TEST(ProxTyped, ResultSatisfiesTheOptimalityCondition) {
  using T = TypeParam;
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> log_step(-3.0, 1.0);
  const double eps = std::numeric_limits<T>::epsilon();
  for (const ProxDefinition& d : prox_registry()) {
    if (!d.traits.elementwise) continue;  // whole vector: prox_library_test.cpp
    for (const Case& c : cases_for(d.name, rng)) {
      const ProxComponent component = ProxComponent::parse(c.text);
      for (int trial = 0; trial < 5; ++trial) {
        const T step = static_cast<T>(std::pow(10.0, log_step(rng)));
        const std::vector<double> inputs = inputs_for(c, step, rng);
        std::vector<T> y(inputs.begin(), inputs.end());
        std::vector<T> p(y.size());
        component.prox<T>(y.data(), step, p.data(), y.size());
        for (std::size_t i = 0; i < y.size(); ++i) {
          const double yi = y[i];
          const double pi = p[i];
          const double g = (yi - pi) / static_cast<double>(step);
          // The rounding of y - p in T, divided by the step; p is rounded to T too.
          const double tol = 16 * eps * (1 + std::abs(yi) + std::abs(pi)) / step;
          EXPECT_TRUE(in_subdifferential(d.name, rounded_to<T>(c.params), pi, g, tol))
              << c.text << " y=" << yi << " step=" << step;
        }
      }
    }
  }
}

TYPED_TEST(ProxTyped, EqualsNaiveMinimization) {
  using T = TypeParam;
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> log_step(-2.0, 1.0);
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-7;
  for (const ProxDefinition& d : prox_registry()) {
    if (!d.traits.elementwise) continue;  // whole vector: prox_library_test.cpp
    for (const Case& c : cases_for(d.name, rng)) {
      const ProxComponent component = ProxComponent::parse(c.text);
      for (int trial = 0; trial < 2; ++trial) {
        const T step = static_cast<T>(std::pow(10.0, log_step(rng)));
        const std::vector<double> inputs = inputs_for(c, step, rng);
        std::vector<T> y(inputs.begin(), inputs.end());
        std::vector<T> p(y.size());
        component.prox<T>(y.data(), step, p.data(), y.size());
        for (std::size_t i = 0; i < y.size(); ++i) {
          const double expected = naive_prox(d.name, rounded_to<T>(c.params), y[i], step);
          EXPECT_NEAR(p[i], expected, tol * (1 + std::abs(expected)))
              << c.text << " y=" << y[i] << " step=" << step;
        }
      }
    }
  }
}

TYPED_TEST(ProxTyped, ValueMatchesTheFormula) {
  using T = TypeParam;
  const std::vector<T> x = {T(-2), T(0.5), T(0), T(3)};
  const auto value = [&](const char* text) {
    return ProxComponent::parse(text).value<T>(x.data(), x.size());
  };
  EXPECT_EQ(value("zero"), 0.0);
  EXPECT_NEAR(value("l1(0.5)"), 0.5 * 5.5, 1e-6);
  EXPECT_NEAR(value("l2sq(2)"), 0.5 * 2 * (4 + 0.25 + 9), 1e-5);
  EXPECT_EQ(value("box(-2, 3)"), 0.0);
  EXPECT_EQ(value("box(-inf, inf)"), 0.0);
  EXPECT_EQ(value("box(-1, 3)"), kInf);
  EXPECT_EQ(value("box(-2, 2.5)"), kInf);
  EXPECT_EQ(value("nonneg"), kInf);
  const std::vector<T> feasible = {T(0), T(1), T(2)};
  EXPECT_EQ(ProxComponent::parse("nonneg").value<T>(feasible.data(), feasible.size()), 0.0);
  const T nan = std::numeric_limits<T>::quiet_NaN();
  // NaN is not in any set: an indicator must not report it feasible.
  EXPECT_EQ(ProxComponent::parse("nonneg").value<T>(&nan, 1), kInf);
  EXPECT_EQ(ProxComponent::parse("box(-1, 1)").value<T>(&nan, 1), kInf);
}

TYPED_TEST(ProxTyped, IndicatorProxLandsInTheSet) {
  using T = TypeParam;
  std::mt19937 rng(3);
  for (const char* text : {"nonneg", "box(-1, 2)", "box(-inf, 0.5)", "box(0.25, 0.25)"}) {
    const ProxComponent component = ProxComponent::parse(text);
    const std::vector<double> inputs = inputs_for({text, {}}, 1.0, rng);
    std::vector<T> y(inputs.begin(), inputs.end());
    std::vector<T> p(y.size());
    component.prox<T>(y.data(), T(0.7), p.data(), y.size());
    EXPECT_EQ(component.value<T>(p.data(), p.size()), 0.0) << text;
  }
}

TYPED_TEST(ProxTyped, NanInputStaysNan) {
  using T = TypeParam;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  for (const char* text : {"zero", "l1(0.5)", "l2sq(1)", "box(-1, 1)", "nonneg"}) {
    T out = 0;
    ProxComponent::parse(text).prox<T>(&nan, T(1), &out, 1);
    EXPECT_TRUE(std::isnan(out)) << text;
  }
}

// r(x) of a long vector is evaluated as whole arrays, of a short one element by element: the
// same values and the same sum, to the last bit (the gap checks and objectives rely on it).
TEST(ProxValue, WholeArraysEqualTheElementwiseSum) {
  std::mt19937 rng(7);
  for (const ProxDefinition& d : prox_registry()) {
    if (!d.traits.elementwise) continue;
    for (const Case& c : cases_for(d.name, rng)) {
      const ProxComponent component = ProxComponent::parse(c.text);
      std::vector<double> x;
      while (x.size() < 500) {
        for (double v : inputs_for(c, 0.3, rng))
          x.push_back(v);
      }
      double one_by_one = 0.0;
      for (double v : x)
        one_by_one += component.value<double>(&v, 1);
      const double whole = component.value<double>(x.data(), x.size());
      EXPECT_TRUE(whole == one_by_one || (std::isinf(whole) && std::isinf(one_by_one)))
          << c.text << ": " << whole << " against " << one_by_one;
      std::vector<float> xf(x.begin(), x.end());
      double one_by_one_float = 0.0;
      for (float v : xf)
        one_by_one_float += component.value<float>(&v, 1);
      const double whole_float = component.value<float>(xf.data(), xf.size());
      EXPECT_TRUE(whole_float == one_by_one_float ||
                  (std::isinf(whole_float) && std::isinf(one_by_one_float)))
          << c.text;
    }
  }
}

TEST(ProxPrecision, FloatAgreesWithDouble) {
  std::mt19937 rng(4);
  for (const ProxDefinition& d : prox_registry()) {
    if (!d.traits.elementwise) continue;  // whole vector: prox_library_test.cpp
    for (const Case& c : cases_for(d.name, rng)) {
      const ProxComponent component = ProxComponent::parse(c.text);
      const std::vector<double> y = inputs_for(c, 0.3, rng);
      std::vector<double> p(y.size());
      component.prox<double>(y.data(), 0.3, p.data(), y.size());
      const std::vector<float> yf(y.begin(), y.end());
      std::vector<float> pf(y.size());
      component.prox<float>(yf.data(), 0.3f, pf.data(), y.size());
      for (std::size_t i = 0; i < y.size(); ++i) {
        EXPECT_NEAR(pf[i], p[i], 1e-5 * (1 + std::abs(p[i]))) << c.text << " y=" << y[i];
      }
    }
  }
}

}  // namespace
}  // namespace proxjit
