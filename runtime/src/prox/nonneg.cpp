// nonneg: r(x) = indicator of the non-negative orthant {x : x_i >= 0}.
// prox_{step r}(y) = max(y, 0)
#include "builtin_prox.h"

#include <limits>

namespace proxjit::builtin {

ProxDefinition nonneg_prox() {
  using expr::Expr;
  const Expr y = Expr::variable();
  ProxDefinition d;
  d.name = "nonneg";
  d.formula = "r(x) = 0 if x_i >= 0 for all i, +inf otherwise";
  d.traits.indicator = true;
  d.prox = max(y, 0.0);
  d.value = where(y >= 0.0, 0.0, std::numeric_limits<double>::infinity());
  // Solvers may exploit: a projection, so two steps give any number of skipped ones.
  d.lagged = {LaggedRule::Kind::box};
  return d;
}

}  // namespace proxjit::builtin
