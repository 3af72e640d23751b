// logistic: f(x) = 1/n sum_i w_i log(1 + exp(-b_i a_i'x)), labels b_i in {-1, +1}.
//   phi(z, b) = softplus(-b z) = max(-bz, 0) + log1p(exp(-|bz|))   (no overflow for any margin)
//   dphi/dz  = -b sigmoid(-b z),  with sigmoid evaluated on exp of non-positive numbers only
//   phi''    = sigmoid(bz) sigmoid(-bz) <= 1/4.
#include "builtin_smooth.h"

namespace proxjit::builtin {

SmoothDefinition logistic_smooth() {
  using expr::Expr;
  const Expr z = Expr::variable();
  const Expr b = Expr::label();
  SmoothDefinition d;
  d.name = "logistic";
  d.prediction = Prediction::sign_class;
  d.probabilistic = true;
  d.formula = "f(x) = 1/n sum_i w_i log(1 + exp(-b_i a_i'x))";
  d.data_shape = "A: n x d (samples are rows, dense or sparse); b: n labels in {-1, +1}";
  d.loss = expr::softplus(-(b * z));
  d.derivative = -b * expr::sigmoid(-(b * z));
  // phi'' = b^2 sigma(bz) sigma(-bz) = b^2 e / (1 + e)^2 with e = exp(-|bz|). Given, because
  // differentiating sigmoid's exp(-|a|) takes abs's subgradient 0 at a = 0, where phi'' is 1/4.
  const Expr e = exp(-abs(b * z));
  d.second_derivative = (b * b) * (e / ((1.0 + e) * (1.0 + e)));
  d.curvature = [](std::span<const double>) { return 0.25; };
  d.check_label = check_sign_label;
  d.dual = LossDual::logistic;  // phi*(u, b) = s log s + (1 - s) log(1 - s), s = -b u
  return d;
}

}  // namespace proxjit::builtin
