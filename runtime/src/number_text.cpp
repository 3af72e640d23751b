#include "proxjit/runtime/number_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace proxjit {
namespace {

// "nan", "inf", "-inf"; empty for finite values. to_chars would write "-nan" for a NaN with its
// sign bit set, which says nothing useful.
std::string non_finite_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return "";
}

std::string general_text(double value, int precision) {
  char buffer[64];  // "-d.<16 digits>e-308" at most
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, precision);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::string number_text(double value) {
  if (std::string text = non_finite_text(value); !text.empty()) return text;
  // The shortest round trip in scientific form, "-1.2345e+02", then laid out as %g would.
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const std::size_t e_at = scientific.find('e');
  const bool negative = scientific.front() == '-';
  std::string digits;
  for (std::size_t i = 0; i < e_at; ++i) {
    if (scientific[i] >= '0' && scientific[i] <= '9') digits += scientific[i];
  }
  const int exponent = std::stoi(scientific.substr(e_at + 1));
  // %g's rule, with a precision of at least 6 so that integers such as 100 or 25000 stay out
  // of exponent form.
  const int precision = std::max(static_cast<int>(digits.size()), 6);
  if (exponent < -4 || exponent >= precision) return scientific;
  std::string text = negative ? "-" : "";
  if (exponent < 0) return text + "0." + std::string(-exponent - 1, '0') + digits;
  const auto whole = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= whole) return text + digits + std::string(whole - digits.size(), '0');
  return text + digits.substr(0, whole) + "." + digits.substr(whole);
}

std::string number_text(double value, int significant_digits) {
  if (std::string text = non_finite_text(value); !text.empty()) return text;
  return general_text(value, std::max(significant_digits, 1));
}

}  // namespace proxjit
