#include "proxjit/codegen/kernel_spec.h"

namespace proxjit {

std::string KernelSpec::canonical() const {
  std::string text;
  text.reserve(128);
  text += to_string(algorithm);
  if (algorithm == Algorithm::fista && adaptive_restart) text += "+restart";
  if (algorithm == Algorithm::proximal_gradient && backtracking) text += "+backtracking";
  text += '|';
  // Losses by their math, so a user's formula equal to a built-in shares its kernel.
  if (smooth == SmoothKind::quadratic) {
    text += "quadratic";
  } else {
    text += "margin(";
    text += loss_canonical.empty() ? expr::canonical(loss_derivative) : loss_canonical;
    text += weighted ? ")+weights" : ")";
    if (coordinate_newton) {
      text += "+newton(";
      text += loss_value_canonical.empty() ? expr::canonical(loss_value) : loss_value_canonical;
      text += ';';
      text += loss_second_canonical.empty() ? expr::canonical(loss_second_derivative)
                                            : loss_second_canonical;
      text += ';';
      text += expr::canonical(prox_value);
      text += bounded_curvature ? ")" : ";unbounded)";
    }
  }
  text += '|';
  if (prox_call) {
    text += "call";
  } else {
    text += prox_canonical.empty() ? expr::canonical(prox) : prox_canonical;
  }
  if (lagged.kind != LaggedRule::Kind::none) {
    text += "+lagged:";
    text += lagged.canonical();
  }
  text += '|';
  text += to_string(scalar);
  text += '|';
  text += to_string(layout);
  return text;
}

std::int64_t kernel_work_size(const KernelSpec& spec, std::int64_t rows, std::int64_t cols) {
  // Five padded vectors of the unknowns: the gradient, FISTA's extrapolated point (or the
  // backtracking's second gradient, or coordinate descent's L_j), the previous iterate, and the
  // trial point and its prox for a called prox. Coordinate descent on a loss adds the margins.
  std::int64_t size = 5 * padded_length(cols);
  // Coordinate descent on a loss keeps the margins; CSR gradients stage them (and then the
  // derivatives) there.
  if ((spec.algorithm == Algorithm::coordinate_descent && spec.smooth == SmoothKind::margin) ||
      spec.layout == Layout::csr) {
    size += padded_length(rows);
    // Coordinate Newton steps: phi, w phi', w phi'' per sample, and a trial point's margins and
    // the same three.
    if (spec.coordinate_newton) size += 7 * padded_length(rows);
  }
  if (is_stochastic(spec.algorithm)) {
    // The per-sample scalars (SAGA's memory, SVRG's snapshot), then 64-bit words: each
    // coordinate's last step (lagged updates) and the epoch's sample order, then SGD's sum of
    // iterates (averaging).
    const std::int64_t p = padded_length(cols), r = padded_length(rows);
    size += r + 2 * p + 2 * r + p;
  }
  return size;
}

}  // namespace proxjit
