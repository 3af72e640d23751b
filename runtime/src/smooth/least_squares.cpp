// least_squares: f(x) = 1/(2n) sum_i w_i (a_i'x - b_i)^2, the mean squared error.
//   phi(z, b) = (z - b)^2 / 2,   dphi/dz = z - b,   phi'' = 1.
#include "builtin_smooth.h"

namespace proxjit::builtin {

SmoothDefinition least_squares_smooth() {
  using expr::Expr;
  const Expr z = Expr::variable();
  const Expr b = Expr::label();
  SmoothDefinition d;
  d.name = "least_squares";
  d.formula = "f(x) = 1/(2n) sum_i w_i (a_i'x - b_i)^2";
  d.data_shape = "A: n x d (samples are rows, dense or sparse); b: n targets";
  d.loss = 0.5 * (z - b) * (z - b);
  d.derivative = z - b;
  d.curvature = [](std::span<const double>) { return 1.0; };
  d.dual = LossDual::squared;  // phi*(u, b) = u^2 / 2 + u b
  return d;
}

}  // namespace proxjit::builtin
