#pragma once
// One factory per built-in smooth term, each defined in its own file in this folder.

#include "proxjit/runtime/smooth.h"

namespace proxjit::builtin {

SmoothDefinition quadratic_smooth();
SmoothDefinition least_squares_smooth();

}  // namespace proxjit::builtin
