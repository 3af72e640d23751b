#pragma once
// One factory per built-in prox, each defined in its own file in this folder.

#include <cmath>

#include "proxjit/runtime/prox.h"

namespace proxjit::builtin {

ProxDefinition zero_prox();
ProxDefinition l1_prox();
ProxDefinition l2sq_prox();
ProxDefinition box_prox();
ProxDefinition nonneg_prox();
ProxDefinition elastic_net_prox();
ProxDefinition l2_prox();
ProxDefinition group_l2_prox();
ProxDefinition linf_prox();
ProxDefinition l1_ball_prox();
ProxDefinition l2_ball_prox();
ProxDefinition linf_ball_prox();
ProxDefinition simplex_prox();
ProxDefinition tv1d_prox();
ProxDefinition slope_prox();

// Weights must be finite: lambda = inf would make r(0) = inf * 0 undefined.
inline bool is_non_negative(double v) {
  return v >= 0.0 && v < INFINITY;
}
inline bool is_finite_or_infinite(double v) {
  return v == v;
}
inline bool is_positive(double v) {
  return v > 0.0 && v < INFINITY;
}

}  // namespace proxjit::builtin
