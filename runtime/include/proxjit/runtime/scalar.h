#pragma once
// Scalar types a kernel can be specialized for.

#include <string_view>

namespace proxjit {

enum class ScalarType { f64, f32 };

constexpr std::string_view to_string(ScalarType type) {
  return type == ScalarType::f64 ? "float64" : "float32";
}

}  // namespace proxjit
