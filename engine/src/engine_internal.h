#pragma once
// Small helpers the engine's source files share (not installed).
#include <chrono>
#include <cstdio>
#include <string>

namespace proxjit::detail {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

}  // namespace proxjit::detail
