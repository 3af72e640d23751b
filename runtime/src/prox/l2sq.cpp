// l2sq: r(x) = lambda/2 * ||x||_2^2 (ridge).
// prox_{step r}(y) = y / (1 + step * lambda)
#include "builtin_prox.h"

namespace proxjit::builtin {

ProxDefinition l2sq_prox() {
  using expr::Expr;
  const Expr y = Expr::variable();
  const Expr lambda = Expr::parameter(0, "lambda");
  ProxDefinition d;
  d.name = "l2sq";
  d.formula = "r(x) = lambda/2 * sum_i x_i^2";
  d.parameters = {
      {"lambda", "weight of the squared L2 norm", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.prox = y / (1.0 + Expr::step() * lambda);
  d.value = 0.5 * lambda * y * y;
  // Solvers may exploit: skipped steps are a geometric decay; r*(u) = |u|^2 / (2 lambda).
  d.lagged = {LaggedRule::Kind::shrink, -1, /*l2_slot=*/0};
  d.dual = {DualRule::Kind::shrink, -1, /*l2_slot=*/0};
  return d;
}

}  // namespace proxjit::builtin
