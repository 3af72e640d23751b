// elastic_net: r(x) = l1 * ||x||_1 + l2/2 * ||x||_2^2.
// prox_{step r}(y) = sign(y) * max(|y| - step * l1, 0) / (1 + step * l2)
#include "builtin_prox.h"

namespace proxjit::builtin {

ProxDefinition elastic_net_prox() {
  using expr::Expr;
  const Expr y = Expr::variable();
  const Expr l1 = Expr::parameter(0, "l1");
  const Expr l2 = Expr::parameter(1, "l2");
  ProxDefinition d;
  d.name = "elastic_net";
  d.formula = "r(x) = l1 * sum_i |x_i| + l2/2 * sum_i x_i^2";
  d.parameters = {
      {"l1", "weight of the L1 norm", 0.0, true, is_non_negative, "finite and >= 0"},
      {"l2", "weight of the squared L2 norm", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.prox = sign(y) * max(abs(y) - Expr::step() * l1, 0.0) / (1.0 + Expr::step() * l2);
  d.value = l1 * abs(y) + 0.5 * l2 * y * y;
  // Solvers may exploit: skipped steps in closed form; r*(u) = sum max(|u_i| - l1, 0)^2 / (2 l2);
  // x = 0 is optimal from l1 = |g|_inf, whatever l2.
  d.lagged = {LaggedRule::Kind::shrink, /*l1_slot=*/0, /*l2_slot=*/1};
  d.dual = {DualRule::Kind::shrink, /*l1_slot=*/0, /*l2_slot=*/1};
  d.lambda_max = {LambdaMaxRule::Kind::linf, /*slot=*/0};
  return d;
}

}  // namespace proxjit::builtin
