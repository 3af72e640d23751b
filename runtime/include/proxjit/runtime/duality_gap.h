#pragma once
// Duality gaps: a bound P(x) - P* <= gap that certifies how far from optimal an answer is,
// whatever algorithm produced it.

#include <optional>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit {

// Known for least_squares (P(x) = 1/(2n)|Ax - b|^2 + r(x)) with r = l1, l2sq, elastic_net, or a box
// with finite bounds, by Fenchel duality: D(theta) = -theta'b - n/2 |theta|^2 - r*(-A'theta), at
// theta = (Ax - b)/n, rescaled into the dual domain for l1. Empty for other pairs.
std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r, const Matrix& A,
                                  const Vector& b, const Vector& x);

}  // namespace proxjit
