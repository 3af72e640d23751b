// number_text: the one formatter for doubles (shortest round trip, %g layout, fixed spellings
// of non-finite values).

#include "proxjit/runtime/number_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "proxjit/runtime/component_text.h"

namespace proxjit {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Digits of the mantissa without leading and trailing zeros: "0.0150" and "1.5e+02" have 2.
std::size_t significant_digits(const std::string& text) {
  std::string digits;
  for (const char c : text.substr(0, text.find('e'))) {
    if (c >= '0' && c <= '9') digits += c;
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 1;
  return digits.find_last_not_of('0') - first + 1;
}

TEST(NumberText, ShortestDigitsInPrintfGeneralLayout) {
  EXPECT_EQ(number_text(0.1), "0.1");
  EXPECT_EQ(number_text(0.10000000000000002), "0.10000000000000002");
  EXPECT_EQ(number_text(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(number_text(-2), "-2");
  EXPECT_EQ(number_text(0), "0");
  EXPECT_EQ(number_text(-0.0), "-0");
  EXPECT_EQ(number_text(0.001), "0.001");
  EXPECT_EQ(number_text(1e-8), "1e-08");
  EXPECT_EQ(number_text(1e-310), "1e-310");
  EXPECT_EQ(number_text(5e-324), "5e-324");
}

TEST(NumberText, IntegersUpToSixDigitsPrintPlainly) {
  EXPECT_EQ(number_text(100), "100");
  EXPECT_EQ(number_text(2500), "2500");
  EXPECT_EQ(number_text(100000), "100000");
  EXPECT_EQ(number_text(1e6), "1e+06");
  EXPECT_EQ(number_text(123456789), "123456789");  // more digits: as many as it needs
  EXPECT_EQ(number_text(2.5e8), "2.5e+08");
  EXPECT_EQ(number_text(0.0001), "0.0001");
  EXPECT_EQ(number_text(0.00015), "0.00015");
}

TEST(NumberText, NonFiniteValuesHaveOneSpelling) {
  EXPECT_EQ(number_text(kInf), "inf");
  EXPECT_EQ(number_text(-kInf), "-inf");
  EXPECT_EQ(number_text(std::nan("")), "nan");
  EXPECT_EQ(number_text(-std::nan("")), "nan");  // not "-nan"
  EXPECT_EQ(number_text(kInf, 6), "inf");
  EXPECT_EQ(number_text(-std::nan(""), 3), "nan");
}

TEST(NumberText, ReadsBackExactlyAndMatchesTheFormerPrintfLoop) {
  // The command line's former formatter: %.<p>g for the first p >= 6 that reads back.
  const auto printf_loop = [](double value) {
    char buffer[40];
    for (int precision = 6; precision <= 17; ++precision) {
      std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
      if (std::strtod(buffer, nullptr) == value) break;
    }
    return std::string(buffer);
  };
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> mantissa(-10.0, 10.0);
  std::uniform_int_distribution<int> exponent(-1000, 1000);
  for (int trial = 0; trial < 5000; ++trial) {
    const double value = std::ldexp(mantissa(random), exponent(random));
    const std::string text = number_text(value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    EXPECT_EQ(text, printf_loop(value));
  }
  // At a power of two the nearest rounding to the shortest digit count can miss the narrow side
  // of the interval that reads back; number_text keeps to_chars' digits and still reads back.
  for (int e = -1074; e < 1024; ++e) {
    const double value = std::ldexp(1.0, e);
    const std::string text = number_text(value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    char shortest[64];
    char* end =
        std::to_chars(shortest, shortest + sizeof shortest, value, std::chars_format::scientific)
            .ptr;
    EXPECT_EQ(significant_digits(text), significant_digits(std::string(shortest, end))) << text;
  }
  // The runtime's older name is the same function.
  EXPECT_EQ(shortest_number_text(100), "100");
  EXPECT_EQ(shortest_number_text(1e-5), number_text(1e-5));
}

TEST(NumberText, GivenDigitsAreThoseOfPrintf) {
  for (const double value : {0.0, 1.0, -59.611684897, 1e-3, 123456.789, 6.02214076e23, 1e-300}) {
    for (const int digits : {1, 3, 6, 10, 15}) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
      EXPECT_EQ(number_text(value, digits), buffer) << value << " with " << digits;
    }
  }
}

}  // namespace
}  // namespace proxjit
