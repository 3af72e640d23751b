#pragma once
// One factory per built-in smooth term, each defined in its own file in this folder.

#include <cmath>
#include <string>

#include "proxjit/runtime/smooth.h"

namespace proxjit::builtin {

SmoothDefinition quadratic_smooth();
SmoothDefinition least_squares_smooth();
SmoothDefinition logistic_smooth();
SmoothDefinition huber_smooth();
SmoothDefinition squared_hinge_smooth();
SmoothDefinition poisson_smooth();

// Classification losses take labels -1 and +1.
inline std::string check_sign_label(double label) {
  if (label == 1.0 || label == -1.0) return "";
  return "labels must be -1 or +1 (map 0/1 or other class codes to -1/+1)";
}

}  // namespace proxjit::builtin
