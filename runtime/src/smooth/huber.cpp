// huber(delta): f(x) = 1/n sum_i w_i h(a_i'x - b_i) with
//   h(r) = r^2 / 2 for |r| <= delta, delta (|r| - delta / 2) beyond:  robust regression.
//   dphi/dz = clamp(r, -delta, delta),   phi'' <= 1.
#include "builtin_smooth.h"

namespace proxjit::builtin {

SmoothDefinition huber_smooth() {
  using expr::Expr;
  const Expr z = Expr::variable();
  const Expr b = Expr::label();
  const Expr delta = Expr::parameter(0, "delta");
  const Expr r = z - b;
  SmoothDefinition d;
  d.name = "huber";
  d.formula =
      "f(x) = 1/n sum_i w_i h(a_i'x - b_i), h(r) = r^2/2 if |r| <= delta, "
      "delta (|r| - delta/2) otherwise";
  d.data_shape = "A: n x d (samples are rows, dense or sparse); b: n targets";
  d.parameters = {{"delta", "where the loss turns from quadratic to linear", 1.0, false,
                   [](double v) { return v > 0.0 && std::isfinite(v); }, "> 0 and finite"}};
  d.loss = where(abs(r) <= delta, 0.5 * r * r, delta * (abs(r) - 0.5 * delta));
  d.derivative = expr::clamp(r, -delta, delta);
  d.curvature = [](std::span<const double>) { return 1.0; };
  return d;
}

}  // namespace proxjit::builtin
