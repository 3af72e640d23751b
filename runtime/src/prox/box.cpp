// box: r(x) = indicator of {x : lo <= x_i <= hi for all i}.
// prox_{step r}(y) = min(max(y, lo), hi)   (projection, independent of the step)
#include "builtin_prox.h"

#include <cmath>
#include <limits>
#include <string>

namespace proxjit::builtin {

ProxDefinition box_prox() {
  using expr::Expr;
  const Expr y = Expr::variable();
  const Expr lo = Expr::parameter(0, "lo");
  const Expr hi = Expr::parameter(1, "hi");
  const double inf = std::numeric_limits<double>::infinity();
  ProxDefinition d;
  d.name = "box";
  d.formula = "r(x) = 0 if lo <= x_i <= hi for all i, +inf otherwise";
  d.parameters = {{"lo", "lower bound (may be -inf)", 0.0, true, is_finite_or_infinite, "a number"},
                  {"hi", "upper bound (may be inf)", 0.0, true, is_finite_or_infinite, "a number"}};
  d.traits.indicator = true;
  d.prox = min(max(y, lo), hi);
  d.value = where(y >= lo, where(y <= hi, 0.0, inf), inf);
  d.check_together = [](std::span<const double> p) -> std::string {
    if (p[0] > p[1]) return "lo must be <= hi (the box is empty)";
    // lo = hi = +-inf is no set of real points: the projection would return inf (then NaN).
    if (std::isinf(p[0]) && p[0] == p[1])
      return std::string("lo and hi are both ") + (p[0] > 0 ? "inf" : "-inf") +
             ", so the box holds no real point; give a finite bound (lo=-inf, hi=inf is no "
             "constraint)";
    return "";
  };
  // Solvers may exploit: a projection, so two steps give any number of skipped ones; r* is the
  // support function of the box (finite bounds).
  d.lagged = {LaggedRule::Kind::box};
  d.dual = {DualRule::Kind::box};
  d.dual.lo_slot = 0;
  d.dual.hi_slot = 1;
  return d;
}

}  // namespace proxjit::builtin
