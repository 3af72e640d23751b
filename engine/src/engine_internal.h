#pragma once
// Small helpers the engine's source files share (not installed).
#include <chrono>
#include <string>

#include "proxjit/runtime/number_text.h"

namespace proxjit::detail {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Messages quote numbers to 6 digits (proxjit::number_text, the one formatter).
inline std::string short_number(double value) {
  return proxjit::number_text(value, 6);
}

}  // namespace proxjit::detail
