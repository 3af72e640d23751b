// zero: r(x) = 0. Its prox is the identity; with it the solver is plain gradient descent.
#include "builtin_prox.h"

namespace proxjit::builtin {

ProxDefinition zero_prox() {
  using expr::Expr;
  ProxDefinition d;
  d.name = "zero";
  d.formula = "r(x) = 0";
  d.prox = Expr::variable();
  d.value = 0.0;
  // Solvers may exploit: a plain gradient step per skipped step (shrink with nothing).
  d.lagged = {LaggedRule::Kind::shrink};
  return d;
}

}  // namespace proxjit::builtin
