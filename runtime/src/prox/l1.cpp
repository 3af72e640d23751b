// l1: r(x) = lambda * ||x||_1.
// prox_{step r}(y) = sign(y) * max(|y| - step * lambda, 0)   (soft thresholding)
#include "builtin_prox.h"

namespace proxjit::builtin {

ProxDefinition l1_prox() {
  using expr::Expr;
  const Expr y = Expr::variable();
  const Expr lambda = Expr::parameter(0, "lambda");
  ProxDefinition d;
  d.name = "l1";
  d.formula = "r(x) = lambda * sum_i |x_i|";
  d.parameters = {
      {"lambda", "weight of the L1 norm", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.prox = sign(y) * max(abs(y) - Expr::step() * lambda, 0.0);
  d.value = lambda * abs(y);
  return d;
}

}  // namespace proxjit::builtin
