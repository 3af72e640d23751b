#pragma once
// Small helpers the engine's source files share (not installed).
#include <chrono>
#include <string>

#include "proxjit/runtime/dense.h"
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

namespace proxjit {
class Problem;
namespace detail {
// Why coordinate descent cannot step a coordinate of this problem (curvature <= 0: not convex
// or unbounded below along it), or "" (convexity_check.cpp).
std::string coordinate_curvature_problem(const Problem& problem);
// Why a quadratic with this (symmetric) A is not convex, found by `steps` power iterations for
// its smallest eigenvalue (each costs about a cd epoch), or "" when none found a proof.
std::string quadratic_not_convex(const Matrix& A, int steps);
}  // namespace detail
}  // namespace proxjit
