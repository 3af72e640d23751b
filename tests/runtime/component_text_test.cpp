#include "proxjit/runtime/component_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

std::string error_of(std::string_view text) {
  try {
    parse_component_text(text);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a proxjit::Error for \"" << text << "\"";
  return {};
}

// The caret line of an error message points at `column` (1-based) under the echoed text.
void expect_caret_at(const std::string& message, std::string_view text, std::size_t column) {
  const std::string echoed = "\n  " + std::string(text) + "\n  ";
  const std::size_t at = message.find(echoed);
  ASSERT_NE(at, std::string::npos) << message;
  const std::string caret_line = message.substr(at + echoed.size());
  EXPECT_EQ(caret_line, std::string(column - 1, ' ') + "^") << message;
}

TEST(ComponentText, BareName) {
  const ComponentText parsed = parse_component_text("nonneg");
  EXPECT_EQ(parsed.name, "nonneg");
  EXPECT_TRUE(parsed.arguments.empty());
  EXPECT_TRUE(parse_component_text("zero()").arguments.empty());
  EXPECT_EQ(parse_component_text("  l2sq  ").name, "l2sq");
}

TEST(ComponentText, KeywordArguments) {
  const ComponentText parsed = parse_component_text("box(lo=-1, hi=2.5e-1)");
  EXPECT_EQ(parsed.name, "box");
  ASSERT_EQ(parsed.arguments.size(), 2u);
  EXPECT_EQ(parsed.arguments[0].key, "lo");
  EXPECT_EQ(parsed.arguments[0].value, -1.0);
  EXPECT_EQ(parsed.arguments[1].key, "hi");
  EXPECT_EQ(parsed.arguments[1].value, 0.25);
}

TEST(ComponentText, PositionalArgumentsHaveEmptyKeys) {
  const ComponentText parsed = parse_component_text("box(-1, +2)");
  ASSERT_EQ(parsed.arguments.size(), 2u);
  EXPECT_TRUE(parsed.arguments[0].key.empty());
  EXPECT_EQ(parsed.arguments[0].value, -1.0);
  EXPECT_TRUE(parsed.arguments[1].key.empty());
  EXPECT_EQ(parsed.arguments[1].value, 2.0);
}

TEST(ComponentText, MixedPositionalAndKeyword) {
  const ComponentText parsed = parse_component_text("box(0, hi=1)");
  ASSERT_EQ(parsed.arguments.size(), 2u);
  EXPECT_TRUE(parsed.arguments[0].key.empty());
  EXPECT_EQ(parsed.arguments[1].key, "hi");
}

TEST(ComponentText, InfinitiesAsKeywordAndPositionalValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const ComponentText keyword = parse_component_text("box(lo=-inf, hi=inf)");
  ASSERT_EQ(keyword.arguments.size(), 2u);
  EXPECT_EQ(keyword.arguments[0].value, -inf);
  EXPECT_EQ(keyword.arguments[1].value, inf);
  // A bare `inf` is a value, not a parameter name.
  const ComponentText positional = parse_component_text("box(-inf, inf)");
  ASSERT_EQ(positional.arguments.size(), 2u);
  EXPECT_TRUE(positional.arguments[1].key.empty());
  EXPECT_EQ(positional.arguments[0].value, -inf);
  EXPECT_EQ(positional.arguments[1].value, inf);
  EXPECT_EQ(parse_component_text("box(lo=-INF, hi=+Inf)").arguments[1].value, inf);
}

TEST(ComponentText, SpacesAnywhereBetweenTokens) {
  const ComponentText parsed = parse_component_text("  box (  lo  =  -1 ,hi=\t2 )  ");
  EXPECT_EQ(parsed.name, "box");
  ASSERT_EQ(parsed.arguments.size(), 2u);
  EXPECT_EQ(parsed.arguments[0].key, "lo");
  EXPECT_EQ(parsed.arguments[0].value, -1.0);
  EXPECT_EQ(parsed.arguments[1].key, "hi");
  EXPECT_EQ(parsed.arguments[1].value, 2.0);
}

TEST(ComponentText, NumbersKeepFullPrecision) {
  const ComponentText parsed = parse_component_text("l1(lambda=0.10000000000000001)");
  EXPECT_EQ(parsed.arguments[0].value, 0.1);
  EXPECT_EQ(parse_component_text("l1(1e-3)").arguments[0].value, 1e-3);
  EXPECT_EQ(parse_component_text("l1(lambda=.5)").arguments[0].value, 0.5);
}

// 1e-310 is a valid (subnormal) double; strtod flags it with ERANGE, which must not be read
// as "not a number". Only overflow is out of range.
TEST(ComponentText, TinySubnormalNumbersAreNumbers) {
  try {
    EXPECT_EQ(parse_component_text("l1(lambda=1e-310)").arguments.at(0).value, 1e-310);
  } catch (const Error& e) {
    ADD_FAILURE() << "1e-310 rejected: " << e.what();
  }
}

TEST(ComponentText, UnderscoresAndDigitsInNames) {
  const ComponentText parsed = parse_component_text("least_squares2(step_size=1)");
  EXPECT_EQ(parsed.name, "least_squares2");
  EXPECT_EQ(parsed.arguments[0].key, "step_size");
}

TEST(ComponentText, MissingClosingParenthesisPointsAtTheEnd) {
  const std::string text = "l1(lambda=0.1";
  const std::string message = error_of(text);
  EXPECT_TRUE(Contains(message, "in component \"l1(lambda=0.1\", column 14: expected ')'"));
  expect_caret_at(message, text, 14);
}

TEST(ComponentText, BadNumberPointsAtItsStart) {
  const std::string text = "l1(lambda=abc)";
  const std::string message = error_of(text);
  EXPECT_TRUE(Contains(message, "column 11: expected a number"));
  expect_caret_at(message, text, 11);
}

TEST(ComponentText, NanIsRejected) {
  const std::string text = "box(lo=nan, hi=1)";
  const std::string message = error_of(text);
  EXPECT_TRUE(Contains(message, "column 8: NaN is not a valid parameter value"));
  expect_caret_at(message, text, 8);
}

TEST(ComponentText, OutOfRangeNumberIsRejected) {
  EXPECT_TRUE(Contains(error_of("l1(1e999)"), "column 4: expected a number"));
}

TEST(ComponentText, TrailingTextAfterClosingParenthesis) {
  const std::string text = "l1(0.1) x";
  const std::string message = error_of(text);
  EXPECT_TRUE(Contains(message, "column 9: unexpected text after ')'"));
  expect_caret_at(message, text, 9);
}

TEST(ComponentText, EmptyTextAndNameStartingWithDigit) {
  EXPECT_TRUE(Contains(error_of(""), "column 1: expected a component name"));
  const std::string message = error_of("1l(0)");
  EXPECT_TRUE(Contains(message, "column 1: expected a component name"));
  expect_caret_at(message, "1l(0)", 1);
}

TEST(ComponentText, MissingValuesAndSeparators) {
  EXPECT_TRUE(Contains(error_of("l1(lambda=)"), "column 11: expected a number"));
  EXPECT_TRUE(Contains(error_of("box(0,)"), "column 7: expected a number"));
  EXPECT_TRUE(Contains(error_of("box(0 1)"), "column 7: expected ')'"));
  EXPECT_TRUE(Contains(error_of("l1 0.1"), "column 4: expected '('"));
  const std::string text = "box(lo=1,, hi=2)";
  const std::string message = error_of(text);
  EXPECT_TRUE(Contains(message, "column 10: expected a number"));
  expect_caret_at(message, text, 10);
}

std::string reference_shortest(double value) {
  char buffer[64];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  return std::string(buffer, end);
}

// Digits of the mantissa without leading and trailing zeros: "0.0150" and "1.5e+02" have 2.
std::size_t significant_digits(const std::string& text) {
  std::string digits;
  for (char c : text.substr(0, text.find_first_of("eE"))) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 1;
  return digits.find_last_not_of('0') - first + 1;
}

TEST(ShortestNumberText, ShortestTextThatReadsBackExactly) {
  EXPECT_EQ(shortest_number_text(0.1), "0.1");
  EXPECT_EQ(shortest_number_text(0.5), "0.5");
  EXPECT_EQ(shortest_number_text(-2), "-2");
  EXPECT_EQ(shortest_number_text(1e-310), "1e-310");
  EXPECT_EQ(shortest_number_text(0.10000000000000002), "0.10000000000000002");
  EXPECT_EQ(shortest_number_text(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(shortest_number_text(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(ShortestNumberText, RoundTripsThroughTheComponentParser) {
  std::mt19937 rng(41);
  std::uniform_real_distribution<double> mantissa(-10.0, 10.0);
  std::uniform_int_distribution<int> exponent(-300, 300);
  for (int trial = 0; trial < 2000; ++trial) {
    const double value = std::ldexp(mantissa(rng), exponent(rng));
    const std::string text = shortest_number_text(value);
    EXPECT_LE(text.size(), 24u) << text;
    const ComponentText parsed = parse_component_text("l1(" + text + ")");
    ASSERT_EQ(parsed.arguments.size(), 1u);
    EXPECT_EQ(parsed.arguments[0].value, value) << text;
    // Scientific std::to_chars without a precision has the fewest digits that read back exactly.
    EXPECT_EQ(significant_digits(text), significant_digits(reference_shortest(value)))
        << text << " vs " << reference_shortest(value);
  }
  for (double value : {20.0, 100.0, 150.0, 2500.0, 1e5, 0.001, 123456.0}) {
    const std::string text = shortest_number_text(value);
    EXPECT_EQ(significant_digits(text), significant_digits(reference_shortest(value))) << text;
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
  }
}

TEST(NearestName, SuggestsTheClosestCandidate) {
  const std::vector<std::string> proxes = {"zero", "l1", "l2sq", "box", "nonneg"};
  EXPECT_EQ(nearest_name("nonnge", proxes), "nonneg");
  EXPECT_EQ(nearest_name("bx", proxes), "box");
  EXPECT_EQ(nearest_name("l2", proxes), "l1");  // distance 1 to l1 beats 2 to l2sq
  EXPECT_EQ(nearest_name("l2s", proxes), "l2sq");
  EXPECT_EQ(nearest_name("L1", proxes), "l1");
  EXPECT_EQ(nearest_name("lambd", {"lambda"}), "lambda");
  EXPECT_EQ(nearest_name("high", {"lo", "hi"}), "hi");
}

TEST(NearestName, NothingWhenNoCandidateIsClose) {
  const std::vector<std::string> proxes = {"zero", "l1", "l2sq", "box", "nonneg"};
  EXPECT_EQ(nearest_name("elastic_net", proxes), "");
  EXPECT_EQ(nearest_name("quadratic", proxes), "");
  EXPECT_EQ(nearest_name("anything", {}), "");
}

TEST(NearestName, ExactMatchIsItsOwnSuggestion) {
  EXPECT_EQ(nearest_name("box", {"zero", "box"}), "box");
}

}  // namespace
}  // namespace proxjit
