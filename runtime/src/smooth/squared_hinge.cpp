// squared_hinge: f(x) = 1/n sum_i w_i max(1 - b_i a_i'x, 0)^2, labels in {-1, +1}
// (the L2-loss linear SVM of liblinear and scikit-learn's LinearSVC).
//   dphi/dz = -2 b max(1 - b z, 0),   phi'' <= 2.
#include "builtin_smooth.h"

namespace proxjit::builtin {

SmoothDefinition squared_hinge_smooth() {
  using expr::Expr;
  const Expr z = Expr::variable();
  const Expr b = Expr::label();
  const Expr slack = max(1.0 - b * z, 0.0);
  SmoothDefinition d;
  d.name = "squared_hinge";
  d.prediction = Prediction::sign_class;
  d.formula = "f(x) = 1/n sum_i w_i max(1 - b_i a_i'x, 0)^2";
  d.data_shape = "A: n x d (samples are rows, dense or sparse); b: n labels in {-1, +1}";
  d.loss = slack * slack;
  d.derivative = -2.0 * b * slack;
  d.curvature = [](std::span<const double>) { return 2.0; };
  d.check_label = check_sign_label;
  return d;
}

}  // namespace proxjit::builtin
