#include <cmath>
#include <cstdio>
#include <string>

#include "proxjit/options.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {

namespace {

// As written, "1e-08" or "-1", not std::to_string's "-1.000000" (and "0.000000" for 1e-9).
std::string number(double value) {
  return number_text(value, 6);
}

}  // namespace

bool SolverOptions::IsValid(std::string* error) const {
  const auto fail = [&](const std::string& message) {
    if (error) *error = message;
    return false;
  };
  if (!(std::isfinite(step) && step >= 0.0)) {
    return fail("step must be a finite number > 0, or 0 for automatic (1/L); got " + number(step));
  }
  if (max_iterations < 1) {
    return fail("max_iterations must be >= 1; got " + std::to_string(max_iterations));
  }
  if (!(tolerance >= 0.0) || std::isinf(tolerance)) {
    return fail("tolerance must be a finite number >= 0 (0 runs every iteration); got " +
                number(tolerance));
  }
  if (batch_size < 1) {
    return fail("batch_size must be >= 1; got " + std::to_string(batch_size));
  }
  if (repeat < 1) return fail("repeat must be >= 1; got " + std::to_string(repeat));
  if (!(max_time >= 0.0) || std::isinf(max_time)) {
    return fail("max_time must be a finite number of seconds >= 0 (0: no limit); got " +
                number(max_time));
  }
  if (!(objective_tolerance >= 0.0) || std::isinf(objective_tolerance)) {
    return fail("objective_tolerance must be a finite number >= 0 (0: off); got " +
                number(objective_tolerance));
  }
  if (!(gap_tolerance >= 0.0) || std::isinf(gap_tolerance)) {
    return fail("gap_tolerance must be a finite number >= 0 (0: off); got " +
                number(gap_tolerance));
  }
  if (trace_every < 0) {
    return fail("trace_every must be >= 0 (0: no trace); got " + std::to_string(trace_every));
  }
  if (callback && trace_every == 0) {
    return fail(
        "callback is set but trace_every is 0, so it would never be called; set "
        "trace_every to how often to call it");
  }
  if (codegen.optimization_level < 0 || codegen.optimization_level > 3) {
    return fail("codegen.optimization_level must be 0, 1, 2 or 3; got " +
                std::to_string(codegen.optimization_level));
  }
  if (codegen.prefer_vector_width != 0 && codegen.prefer_vector_width != 128 &&
      codegen.prefer_vector_width != 256 && codegen.prefer_vector_width != 512) {
    return fail("codegen.prefer_vector_width must be 0 (automatic), 128, 256 or 512; got " +
                std::to_string(codegen.prefer_vector_width));
  }
  for (Eigen::Index i = 0; i < x0.size(); ++i) {
    if (!std::isfinite(x0[i])) {
      return fail("x0 must be finite; entry " + std::to_string(i) + " is " + std::to_string(x0[i]));
    }
  }
  return true;
}

}  // namespace proxjit
