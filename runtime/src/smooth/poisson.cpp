// poisson: f(x) = 1/n sum_i w_i (exp(a_i'x) - b_i a_i'x), the negative log-likelihood of counts
// b_i >= 0 under a log link (up to terms without x).
//   dphi/dz = exp(z) - b,   phi'' = exp(z): unbounded, so steps come from a line search.
#include <limits>

#include "builtin_smooth.h"

namespace proxjit::builtin {

SmoothDefinition poisson_smooth() {
  using expr::Expr;
  const Expr z = Expr::variable();
  const Expr b = Expr::label();
  SmoothDefinition d;
  d.name = "poisson";
  d.prediction = Prediction::rate;
  d.formula = "f(x) = 1/n sum_i w_i (exp(a_i'x) - b_i a_i'x)";
  d.data_shape = "A: n x d (samples are rows, dense or sparse); b: n counts >= 0";
  d.loss = exp(z) - b * z;
  d.derivative = exp(z) - b;
  d.curvature = [](std::span<const double>) { return std::numeric_limits<double>::infinity(); };
  d.check_label = [](double label) -> std::string {
    if (label >= 0.0) return "";
    return "targets must be counts >= 0";
  };
  return d;
}

}  // namespace proxjit::builtin
