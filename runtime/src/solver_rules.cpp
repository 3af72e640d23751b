#include "proxjit/runtime/solver_rules.h"

#include <algorithm>
#include <cmath>

namespace proxjit {
namespace {

std::string slot_text(int slot) {
  return slot < 0 ? "-" : "p" + std::to_string(slot);
}

}  // namespace

std::string LaggedRule::canonical() const {
  switch (kind) {
    case Kind::none:
      return "";
    case Kind::shrink:
      return "shrink(l1=" + slot_text(l1_slot) + ",l2=" + slot_text(l2_slot) + ")";
    case Kind::box:
      return "box";
    case Kind::group:
      return "group(l1=" + slot_text(l1_slot) + ")";
  }
  return "";
}

std::optional<double> lambda_max_from_gradient(const LambdaMaxRule& rule,
                                               std::span<const double> gradient,
                                               std::span<const double> weights,
                                               std::span<const double> groups) {
  double largest = 0.0;
  if (rule.kind == LambdaMaxRule::Kind::linf) {
    if (!weights.empty() && weights.size() != gradient.size()) return std::nullopt;
    for (std::size_t i = 0; i < gradient.size(); ++i) {
      const double w = weights.empty() ? 1.0 : weights[i];
      // A zero weight leaves its coordinate unpenalized: it never becomes 0 by lambda alone.
      if (w == 0.0) {
        if (gradient[i] != 0.0) return std::nullopt;
        continue;
      }
      largest = std::max(largest, std::abs(gradient[i]) / w);
    }
    return largest;
  }
  if (rule.kind == LambdaMaxRule::Kind::group) {
    std::size_t start = 0;
    for (const double size : groups) {
      const auto end = start + static_cast<std::size_t>(size);
      if (end > gradient.size()) return std::nullopt;
      double squares = 0.0;
      for (std::size_t i = start; i < end; ++i)
        squares += gradient[i] * gradient[i];
      largest = std::max(largest, std::sqrt(squares));
      start = end;
    }
    if (start != gradient.size()) return std::nullopt;
    return largest;
  }
  return std::nullopt;
}

}  // namespace proxjit
