#include "proxjit/runtime/formula.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/expr_calculus.h"

namespace proxjit {
namespace {

using expr::Expr;

const Expr v = Expr::variable();

FormulaDefinition parse_one(const std::string& text) {
  const std::vector<FormulaDefinition> definitions = parse_definitions(text, "<test>");
  EXPECT_EQ(definitions.size(), 1u) << text;
  return definitions.at(0);
}

// g(x) of `smooth t(x; a=...) = BODY`.
FormulaDefinition smooth(const std::string& body, const std::string& parameters = "") {
  return parse_one("smooth t(x" + (parameters.empty() ? "" : "; " + parameters) + ") = " + body);
}

double eval(const Expr& e, double variable, std::vector<double> params = {}, double label = 0.0,
            double step = 1.0) {
  return expr::evaluate<double>(e, variable, step, params.data(), label);
}

// The message of the proxjit::Error `text` throws, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_definitions(text, "<test>");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The 1-based column under the caret: the last line is "  " + padding + "^".
int caret_column(const std::string& message) {
  const std::size_t last_line = message.rfind('\n');
  if (last_line == std::string::npos) return -1;
  const std::string caret = message.substr(last_line + 1);
  if (caret.size() < 3 || caret.back() != '^' || caret.rfind("  ", 0) != 0) return -1;
  return static_cast<int>(caret.size()) - 2;
}

// ---------------------------------------------------------------------------------------------
// Derivatives against central finite differences.

struct DerivativeCase {
  std::string body;
  double lo, hi;              // sample range
  std::vector<double> kinks;  // points to stay away from
};

TEST(Derivative, MatchesCentralDifferencesForEveryFunctionAndCompositions) {
  const std::vector<DerivativeCase> cases = {
      {"abs(x)", -3, 3, {0}},
      {"sign(x) * 3 + x", -3, 3, {0}},
      {"sqrt(x)", 0.05, 5, {}},
      {"exp(x)", -5, 5, {}},
      {"log(x)", 0.05, 10, {}},
      {"log1p(x)", -0.9, 10, {}},
      {"expm1(x)", -5, 5, {}},
      {"tanh(x)", -4, 4, {}},
      {"sigmoid(x)", -10, 10, {}},
      {"softplus(x)", -10, 10, {}},
      {"min(x, 0.3)", -2, 2, {0.3}},
      {"max(x, 0.3)", -2, 2, {0.3}},
      {"max(2 * x, x^2)", -3, 3, {0, 2}},
      {"pow(x, 3)", -2, 2, {}},
      {"x^2.5", 0.05, 3, {}},
      {"2^x", -3, 3, {}},
      {"x^x", 0.1, 3, {}},
      {"pow(x + 2, x / 2 + 1)", -1, 2, {}},
      {"clamp(x, -0.5, 0.5)", -2, 2, {-0.5, 0.5}},
      {"where(x > 0, x^2, -x)", -2, 2, {0}},
      {"(x < 0.5) * x + x^3", -2, 2, {0.5}},
      {"x / (1 + x^2)", -3, 3, {}},
      {"1 / x", 0.1, 3, {}},
      {"x * exp(-x)", -3, 3, {}},
      {"log1p(exp(-3 * x))", -3, 3, {}},
      {"0.5 * (x - 1)^2", -3, 3, {}},
      {"sigmoid(2 * tanh(x))", -3, 3, {}},
      {"sqrt(1 + x^2)", -3, 3, {}},
      {"softplus(x^3 - x)", -2, 2, {-1, 0, 1}},
      {"sign(x) * max(abs(x) - 0.1, 0)", -2, 2, {-0.1, 0, 0.1}},
      {"min(x^2, exp(x))", 0.1, 1, {}},
      {"log(x)^2 - expm1(x) / x", 0.1, 3, {}},
      {"-x^2 + --x", -3, 3, {}},
      {"a * x^2 / 2 + b * x", -3, 3, {}},
      {"pow(a, x) * x", -3, 3, {}},
  };
  std::mt19937 rng(42);
  for (const DerivativeCase& c : cases) {
    const FormulaDefinition definition = smooth(c.body, "a=1.5, b=-0.25");
    const std::vector<double> params = {1.5, -0.25};
    std::uniform_real_distribution<double> uniform(c.lo, c.hi);
    int checked = 0;
    while (checked < 20) {
      const double x = uniform(rng);
      bool near_kink = false;
      for (double kink : c.kinks)
        near_kink = near_kink || std::abs(x - kink) < 1e-3;
      if (near_kink) continue;
      const double h = 1e-6 * std::max(1.0, std::abs(x));
      const double central =
          (eval(definition.value, x + h, params) - eval(definition.value, x - h, params)) / (2 * h);
      const double symbolic = eval(definition.derivative, x, params);
      EXPECT_NEAR(symbolic, central, 1e-5 * std::max(1.0, std::abs(central)))
          << c.body << " at x = " << x << "; derivative "
          << expr::to_string(definition.derivative, "x");
      ++checked;
    }
  }
}

TEST(Derivative, LossDerivativeIsInTheMarginWithTheLabelAndParametersConstant) {
  const FormulaDefinition huber = parse_one(
      "loss huber(z, y; delta=1) = where(abs(z - y) <= delta, 0.5*(z - y)^2, "
      "delta*(abs(z - y) - 0.5*delta))");
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uniform(-4, 4);
  for (int i = 0; i < 50; ++i) {
    const double z = uniform(rng), y = uniform(rng);
    if (std::abs(std::abs(z - y) - 1.0) < 1e-3) continue;
    const double h = 1e-6;
    const double central =
        (eval(huber.value, z + h, {1.0}, y) - eval(huber.value, z - h, {1.0}, y)) / (2 * h);
    EXPECT_NEAR(eval(huber.derivative, z, {1.0}, y), central, 1e-6) << z << " " << y;
    EXPECT_NEAR(eval(huber.derivative, z, {1.0}, y), std::clamp(z - y, -1.0, 1.0), 1e-12);
  }
}

TEST(Derivative, KinksTakeTheDocumentedSubgradient) {
  EXPECT_EQ(eval(expr::derivative(expr::abs(v)), 0.0), 0.0);       // sign(0) = 0
  EXPECT_EQ(eval(expr::derivative(expr::max(v, 0.0)), 0.0), 1.0);  // a >= b: a'
  EXPECT_EQ(eval(expr::derivative(expr::max(0.0, v)), 0.0), 0.0);  // a >= b: a' = 0
  EXPECT_EQ(eval(expr::derivative(expr::min(v, 0.0)), 0.0), 1.0);  // a <= b: a'
  EXPECT_EQ(eval(expr::derivative(expr::min(0.0, v)), 0.0), 0.0);
  EXPECT_EQ(eval(expr::derivative(expr::sign(v)), 0.0), 0.0);
  EXPECT_EQ(eval(expr::derivative(v >= 0.0), 0.0), 0.0);
  EXPECT_EQ(eval(expr::derivative(expr::where(v > 0.0, v, -2.0 * v)), 0.0), -2.0);
  EXPECT_EQ(eval(expr::derivative(expr::where(v > 0.0, v, -2.0 * v)), 1e-9), 1.0);
  // A soft threshold has slope 0 inside the dead zone, 1 outside, 0 on its edge (abs' there is
  // 1 but max picks the 0 branch only when abs(v) - 1 < 0, so the edge gives the outer slope).
  const Expr soft = expr::sign(v) * expr::max(expr::abs(v) - 1.0, 0.0);
  EXPECT_EQ(eval(expr::derivative(soft), 0.5), 0.0);
  EXPECT_EQ(eval(expr::derivative(soft), 2.0), 1.0);
  EXPECT_EQ(eval(expr::derivative(soft), 1.0), 1.0);
  EXPECT_EQ(eval(expr::derivative(soft), 0.0), 0.0);
}

TEST(Derivative, OfAQuadraticLossIsTheResidual) {
  const FormulaDefinition squared = parse_one("loss sq(z, y) = 0.5*(z - y)^2");
  EXPECT_EQ(expr::canonical(squared.derivative), "sub(v,b)");
  const FormulaDefinition smooth_square = smooth("x^2");
  EXPECT_EQ(expr::canonical(smooth_square.derivative), "mul(2,v)");
}

TEST(Derivative, ExponentFreeOfTheVariableUsesThePowerRule) {
  // pow(x, a) with a parameter: a * x^(a-1), no log(x) (which would be NaN for x < 0).
  const FormulaDefinition cube = smooth("x^a", "a=3");
  EXPECT_FALSE(expr::uses_op(cube.derivative, expr::Op::log));
  EXPECT_DOUBLE_EQ(eval(cube.derivative, -2.0, {3.0}), 12.0);
}

// ---------------------------------------------------------------------------------------------
// Simplification.

TEST(Simplify, FoldsConstantsAndNeutralElements) {
  const Expr p = Expr::parameter(0, "p");
  const auto simplified = [](const Expr& e) { return expr::canonical(expr::simplify(e)); };
  EXPECT_EQ(simplified(v + 0.0), "v");
  EXPECT_EQ(simplified(0.0 + v), "v");
  EXPECT_EQ(simplified(v - 0.0), "v");
  EXPECT_EQ(simplified(0.0 - v), "neg(v)");
  EXPECT_EQ(simplified(v * 1.0), "v");
  EXPECT_EQ(simplified(1.0 * v), "v");
  EXPECT_EQ(simplified(v * 0.0), "0");  // documented: not NaN-preserving for v = inf
  EXPECT_EQ(simplified(v / 1.0), "v");
  EXPECT_EQ(simplified(-(-v)), "v");
  EXPECT_EQ(simplified(expr::pow(v, 1.0)), "v");
  EXPECT_EQ(simplified(expr::pow(v, 0.0)), "1");
  EXPECT_EQ(simplified(expr::pow(v, 2.0)), "mul(v,v)");
  EXPECT_EQ(simplified(expr::pow(v + 1.0, 2.0)), "pow(add(v,1),2)");  // no duplicated subtree
  EXPECT_EQ(simplified(Expr(2.0) * 3.0 + expr::exp(Expr(0.0))), "7");
  EXPECT_EQ(simplified(2.0 * (3.0 * v)), "mul(6,v)");
  EXPECT_EQ(simplified((v * 2.0) * 0.5), "v");
  EXPECT_EQ(simplified(expr::where(Expr(1.0) < 2.0, v, p)), "v");
  EXPECT_EQ(simplified(expr::where(Expr(3.0) < 2.0, v, p)), "p0");
  EXPECT_EQ(simplified(expr::where(v < p, p + 1.0, p + 1.0)), "add(p0,1)");
  EXPECT_EQ(simplified(expr::where(v >= p, 1.0, 0.0)), "ge(v,p0)");
  EXPECT_EQ(simplified(expr::where(v, 1.0, 0.0)), "where(v,1,0)");  // v itself may be 2
  EXPECT_EQ(simplified(v * (1.0 / p)), "div(v,p0)");
  EXPECT_EQ(simplified(expr::max(v, p) + 0.0), "max(v,p0)");  // no rewrite where none applies
}

TEST(Simplify, KeepsTheValue) {
  const std::vector<std::string> bodies = {"(x + 0) * 1 - 0", "2 * (3 * (x / 1))",
                                           "--x + (-x) * (-x)", "x^2 + (x + 1)^2 - x^1 * x^0",
                                           "where(2 > 1, x, 0) + 0 / (x + 5)"};
  for (const std::string& body : bodies) {
    const FormulaDefinition definition = smooth(body);
    const Expr simplified = expr::simplify(definition.value);
    for (double x : {-2.5, -1.0, 0.0, 0.3, 4.0})
      EXPECT_DOUBLE_EQ(eval(simplified, x), eval(definition.value, x)) << body << " at " << x;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsed components against hand-written ones.

TEST(Formula, ParsedLogisticLossMatchesTheHandWrittenOne) {
  const FormulaDefinition logistic = parse_one("loss my_logistic(z, y) = log1p(exp(-y*z))");
  EXPECT_EQ(logistic.kind, FormulaKind::loss);
  EXPECT_EQ(logistic.name, "my_logistic");
  EXPECT_TRUE(logistic.parameters.empty());
  for (double y : {-1.0, 1.0, 0.5, 2.0}) {
    for (double z = -30; z <= 30; z += 0.37) {
      EXPECT_DOUBLE_EQ(eval(logistic.value, z, {}, y), std::log1p(std::exp(-y * z)));
      const double sigmoid_of_minus_yz = 1.0 / (1.0 + std::exp(y * z));
      const double expected = -y * sigmoid_of_minus_yz;
      EXPECT_NEAR(eval(logistic.derivative, z, {}, y), expected, 1e-12 * std::abs(expected))
          << "z = " << z << ", y = " << y;
    }
  }
  // Stays small: -(exp(-y z) y / (1 + exp(-y z))) or so, not an unsimplified product rule.
  EXPECT_LE(expr::tree_size(logistic.derivative, 1000), 16u)
      << expr::to_string(logistic.derivative, "z", "y");
}

TEST(Formula, ParsedL1ProxHasTheCanonicalFormOfTheBuilderOne) {
  const FormulaDefinition l1 =
      parse_one("prox my_l1(y, alpha; lambda=0.1) = sign(y)*max(abs(y) - alpha*lambda, 0)");
  const Expr step = Expr::step(), lambda = Expr::parameter(0, "lambda");
  const Expr builder = expr::sign(v) * expr::max(expr::abs(v) - step * lambda, 0.0);
  EXPECT_EQ(expr::canonical(l1.prox), expr::canonical(builder));
  ASSERT_EQ(l1.parameters.size(), 1u);
  EXPECT_EQ(l1.parameters[0].name, "lambda");
  EXPECT_EQ(l1.parameters[0].default_value, 0.1);
  EXPECT_FALSE(l1.parameters[0].required);
  EXPECT_FALSE(l1.has_value);
  EXPECT_EQ(l1.canonical.rfind("prox/1:", 0), 0u) << l1.canonical;

  // Spacing, the names of the bound variables and parameters, the defaults and the
  // component's own name do not change the key; the math does.
  const FormulaDefinition renamed =
      parse_one("prox  other ( u,a ; mu = 3 )=sign( u )*max(abs(u)-a*mu,0)   # same math");
  EXPECT_EQ(renamed.canonical, l1.canonical);
  const FormulaDefinition different =
      parse_one("prox my_l1(y, alpha; lambda=0.1) = sign(y)*max(abs(y) - lambda, 0)");
  EXPECT_NE(different.canonical, l1.canonical);
  const FormulaDefinition with_value = parse_one(
      "prox my_l1(y, alpha; lambda=0.1) = sign(y)*max(abs(y) - alpha*lambda, 0); "
      "value(x) = lambda*abs(x)");
  EXPECT_TRUE(with_value.has_value);
  EXPECT_NE(with_value.canonical, l1.canonical);
  EXPECT_DOUBLE_EQ(eval(with_value.value, -2.0, {0.1}), 0.2);
}

TEST(Formula, LossesTypedDifferentlyShareTheCanonicalForm) {
  const FormulaDefinition a = parse_one("loss a(z, y; c=1) = c * (z - y)^2");
  const FormulaDefinition b = parse_one("loss b(margin, target; scale) = scale*(margin-target)^2");
  EXPECT_EQ(a.canonical, b.canonical);
  EXPECT_EQ(a.canonical.rfind("loss/1:", 0), 0u) << a.canonical;
  const FormulaDefinition s = parse_one("smooth a(z; c=1) = c * (z - 1)^2");
  EXPECT_EQ(s.canonical.rfind("smooth/1:", 0), 0u) << s.canonical;
}

TEST(Formula, ParametersGetSlotsInDeclarationOrder) {
  const FormulaDefinition d = parse_one(
      "loss l(z, y; first=-1.5, second, third=inf) = "
      "first*z + second*y + min(third, z)");
  ASSERT_EQ(d.parameters.size(), 3u);
  EXPECT_EQ(d.parameters[0].default_value, -1.5);
  EXPECT_TRUE(d.parameters[1].required);
  EXPECT_EQ(d.parameters[2].default_value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(expr::canonical(d.value), "add(add(mul(p0,v),mul(p1,b)),min(p2,v))");
  EXPECT_DOUBLE_EQ(eval(d.value, 2.0, {10, 100, 1}, 3.0), 20 + 300 + 1);
}

TEST(Formula, GivenGradientAndLipschitzBoundAreKept) {
  const FormulaDefinition d =
      parse_one("loss sq(z, y; w=1) = 0.5*w*(z-y)^2 ; grad = w*(z - y) ; lipschitz = w");
  EXPECT_EQ(expr::canonical(d.derivative), "mul(p0,sub(v,b))");
  ASSERT_TRUE(d.lipschitz.has_value());
  EXPECT_EQ(expr::canonical(*d.lipschitz), "p0");
  EXPECT_FALSE(parse_one("loss sq(z, y) = z*z").lipschitz.has_value());
}

TEST(Formula, ManyDefinitionsWithCommentsBlankLinesAndCrlf) {
  const std::string text =
      "# my components\r\n"
      "\n"
      "loss sq(z, y) = 0.5*(z - y)^2   # squared error\r\n"
      "   \t\n"
      "smooth quartic(x) = x^4\n"
      "prox clip(y, alpha; c=1) = clamp(y, -c, c) ; value(t) = where(abs(t) <= c, 0, inf)";
  const std::vector<FormulaDefinition> d = parse_definitions(text, "defs.px");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].source_line, 3);
  EXPECT_EQ(d[0].text, "loss sq(z, y) = 0.5*(z - y)^2");
  EXPECT_EQ(d[1].source_line, 5);
  EXPECT_EQ(d[1].kind, FormulaKind::smooth);
  EXPECT_DOUBLE_EQ(eval(d[1].derivative, 2.0), 32.0);
  EXPECT_EQ(d[2].source_line, 6);
  EXPECT_EQ(d[2].kind, FormulaKind::prox);
  EXPECT_DOUBLE_EQ(eval(d[2].prox, 5.0, {1.0}), 1.0);
  EXPECT_EQ(eval(d[2].value, 5.0, {1.0}), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(parse_definitions("", "<test>").empty());
  EXPECT_TRUE(parse_definitions("# nothing\n\n", "<test>").empty());
}

// ---------------------------------------------------------------------------------------------
// Precedence, comparisons, where.

TEST(Formula, OperatorPrecedenceFollowsMathematics) {
  const auto at = [](const std::string& body, double x) { return eval(smooth(body).value, x); };
  EXPECT_EQ(at("-x^2", 3), -9);
  EXPECT_EQ(at("-2^2", 0), -4);
  EXPECT_EQ(at("(-2)^2", 0), 4);
  EXPECT_EQ(at("2^3^2", 0), 512);
  EXPECT_EQ(at("2^-1", 0), 0.5);
  EXPECT_EQ(at("x - 1 - 2", 10), 7);
  EXPECT_EQ(at("8 / 4 / 2", 0), 1);
  EXPECT_EQ(at("2 * 3 + 4", 0), 10);
  EXPECT_EQ(at("2 + 3 * 4", 0), 14);
  EXPECT_EQ(at("2 * x ^ 2", 3), 18);
  EXPECT_EQ(at("- - x", 3), 3);
  EXPECT_EQ(at("+x", 3), 3);
  EXPECT_EQ(at("1e-3 * x + .5", 1000), 1.5);
  EXPECT_EQ(at("-inf < x", 1), 1);
}

TEST(Formula, ComparisonsYieldOneOrZeroAndBindLooserThanArithmetic) {
  const auto at = [](const std::string& body, double x) { return eval(smooth(body).value, x); };
  EXPECT_EQ(at("x < 2", 1), 1);
  EXPECT_EQ(at("x < 2", 2), 0);
  EXPECT_EQ(at("x <= 2", 2), 1);
  EXPECT_EQ(at("x > 2", 2), 0);
  EXPECT_EQ(at("x >= 2", 2), 1);
  EXPECT_EQ(at("1 + 2 < x + 0.5", 3), 1);
  EXPECT_EQ(at("(x > 0) + (x > 1)", 1.5), 2);
  EXPECT_EQ(at("where(x > 1, 10, 20)", 2), 10);
  EXPECT_EQ(at("where(x > 1, 10, 20)", 1), 20);
  EXPECT_EQ(at("where(x, 10, 20)", 0), 20);
  EXPECT_EQ(at("clamp(x, -1, 1)", 5), 1);
  EXPECT_EQ(at("sigmoid(x)", 0), 0.5);
  EXPECT_DOUBLE_EQ(at("softplus(x)", 0), std::log(2.0));
}

// ---------------------------------------------------------------------------------------------
// Errors: message and caret column.

struct BadFormula {
  std::string text;
  std::string message;  // expected part of the message
  int column;           // 1-based caret column
  int line = 1;
};

TEST(FormulaErrors, NameWhatWasExpectedWithACaretUnderTheColumn) {
  const std::vector<BadFormula> catalogue = {
      {"loss l(z, y) = (z - y", "expected ')' to close '(' at column 16, found the end", 22},
      {"loss l(z, y) = z +", "expected an expression, found the end of the line", 19},
      {"loss l(z, y) = z * )", "expected an expression, found ')'", 20},
      {"loss l(z, y) = exq(z)", "unknown function 'exq'; did you mean 'exp'?", 16},
      {"prox p(y, alpha; lamda=1) = y * lambda", "unknown name 'lambda'; did you mean 'lamda'?",
       33},
      {"loss l(z, y) = max(z, y, 1)", "'max' takes 2 arguments, got 3", 16},
      {"loss l(z, y) = sqrt()", "'sqrt' takes 1 argument, got 0", 16},
      {"loss l(z, y) = max(z 1)", "expected ',' or ')' to close '(' at column 19, found '1'", 22},
      {"loss l(z, y; c, c) = z*c", "duplicate parameter 'c'", 17},
      {"loss l(z, y; z) = z", "'z' is already a bound name", 14},
      {"loss l(z, z) = z", "'z' is already a bound name", 11},
      {"loss l(z, y; exp=1) = z", "'exp' is reserved", 14},
      {"loss exp(z, y) = z", "'exp' is a function of the formula language", 6},
      {"loss l(z, y) = y^2", "the loss does not use its margin 'z'", 16},
      {"loss l(z, y) = z\nloss l(a, b) = a", "'l' is already defined on line 1", 6, 2},
      {"los l(z, y) = z", "expected 'loss', 'smooth' or 'prox', found 'los'; did you mean 'loss'",
       1},
      {"loss 3l(z, y) = z", "malformed number '3l'", 6},
      {"loss l(z) = z", "expected ',' and the names of the margin and the label", 9},
      {"smooth s(x, w) = x", "a smooth binds 1 name before ';'", 13},
      {"loss l(z, y) = z $ 2", "unexpected character '$'", 18},
      {"loss l(z, y) = 1 < z < 2", "comparisons do not chain", 22},
      {"loss l(z, y) = exp + z", "'exp' is a function; expected '(' after it", 16},
      {"loss l(z, y) = z(2)", "'z' is not a function", 16},
      {"loss l(z, y) = z ; lipschitz = z",
       "the lipschitz bound may use only parameters and constants, not 'z'", 32},
      {"prox p(y, alpha) = y ; value(x) = alpha*x", "cannot use the step 'alpha'", 35},
      {"prox p(y, alpha) = y ; value(x) = y*x", "the value formula is in 'x', not in the prox's",
       35},
      {"prox p(y, a) = y ; grad = 1", "expected 'value(x) = ...', found 'grad'", 20},
      {"loss l(z, y) = z ; grad = 1 ; grad = 2", "'grad' is given twice", 31},
      {"loss l(z, y) = z ; lipshitz = 1", "did you mean 'lipschitz'?", 20},
      {"loss l(z, y) = z )", "expected ';' or the end of the line, found ')'", 18},
      {"loss l(z, y; lambda=abc) = z", "expected a number for the default value, found 'abc'", 21},
      {"loss l(z, y) = 1e999*z", "the number '1e999' is too large", 16},
      {"loss l(z, y) = 1.2.3*z", "malformed number '1.2.3'", 16},
      {"loss l(z, y) z", "expected '=' before the formula, found 'z'", 14},
      {"loss l z", "expected '(' after the name", 8},
      {"loss (z, y) = z", "expected a name for the loss, found '('", 6},
      {"loss l(z, y = z", "expected ')' to close '(' at column 7, found '='", 13},
      {"loss l(z, y) = z ==1", "expected ';' or the end of the line, found '='", 18},
  };
  for (const BadFormula& bad : catalogue) {
    const std::string message = error_of(bad.text);
    ASSERT_FALSE(message.empty()) << "no error for: " << bad.text;
    EXPECT_NE(message.find(bad.message), std::string::npos)
        << "for: " << bad.text << "\n got: " << message;
    EXPECT_EQ(caret_column(message), bad.column) << "for: " << bad.text << "\n got: " << message;
    const std::string location =
        "<test>:" + std::to_string(bad.line) + ":" + std::to_string(bad.column) + ": ";
    EXPECT_EQ(message.rfind(location, 0), 0u) << "for: " << bad.text << "\n got: " << message;
  }
}

TEST(FormulaErrors, ShowTheOffendingLine) {
  const std::string message = error_of("loss ok(z, y) = z\n\nsmooth s(x) = x + ");
  EXPECT_EQ(message,
            "<test>:3:19: expected an expression, found the end of the line\n"
            "  smooth s(x) = x + \n"
            "                    ^");
  // Tabs are copied into the caret line so that the caret lines up in a terminal.
  const std::string tabbed = error_of("\tloss l(z, y) = (z");
  EXPECT_NE(tabbed.find("\n  \t" + std::string(17, ' ') + "^"), std::string::npos) << tabbed;
}

// ---------------------------------------------------------------------------------------------
// Hostile input: errors, never a crash.

TEST(FormulaErrors, DeepNestingIsRejectedBeforeItGrowsTheStack) {
  const std::string prefix = "loss l(z, y) = ";
  const std::string deep = prefix + std::string(4000, '(') + "z" + std::string(4000, ')');
  const std::string message = error_of(deep);
  EXPECT_NE(message.find("nested too deeply (more than 200 levels)"), std::string::npos)
      << message.substr(0, 200);
  EXPECT_EQ(caret_column(message), static_cast<int>(prefix.size()) + 201);

  EXPECT_NE(error_of(prefix + std::string(5000, '-') + "z").find("nested too deeply"),
            std::string::npos);
  std::string tower = prefix + "z";
  for (int i = 0; i < 2000; ++i)
    tower += "^z";
  EXPECT_NE(error_of(tower).find("nested too deeply"), std::string::npos);
  std::string calls = prefix;
  for (int i = 0; i < 1000; ++i)
    calls += "exp(";
  EXPECT_NE(error_of(calls + "z").find("nested too deeply"), std::string::npos);

  // Nesting right at the limit parses.
  EXPECT_NO_THROW(
      parse_definitions(prefix + std::string(190, '(') + "z" + std::string(190, ')'), "<test>"));
}

TEST(FormulaErrors, HugeInputIsRejected) {
  const std::string wide = "loss l(z, y) = " + std::string(100000, '(') + "z";
  EXPECT_NE(error_of(wide).find("<test>:1: the line is 100016 bytes long"), std::string::npos)
      << error_of(wide).substr(0, 200);
  const std::string tall(2 << 20, '\n');
  EXPECT_NE(error_of(tall).find("limited to 1048576 bytes"), std::string::npos);

  // Composites repeat their argument in the tree: nested sigmoids blow up as a tree even though
  // the text is short; the node limit catches it.
  std::string nested = "z";
  for (int i = 0; i < 20; ++i)
    nested = "sigmoid(" + nested + ")";
  const std::string message = error_of("loss l(z, y) = " + nested);
  EXPECT_NE(message.find("too large (more than 10000 nodes)"), std::string::npos) << message;
  EXPECT_EQ(caret_column(message), 16);

  std::string sum = "z";
  for (int i = 0; i < 4000; ++i)
    sum += "+z";
  EXPECT_NO_THROW(parse_definitions("loss l(z, y) = " + sum, "<test>"));
}

}  // namespace
}  // namespace proxjit
