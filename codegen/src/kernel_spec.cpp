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
  // The vectors of the unknowns (WorkLayout), then: coordinate descent on a loss keeps the
  // margins, and CSR gradients stage them there; coordinate Newton steps add their per-sample
  // values; the stochastic solvers keep their state.
  WorkSlot end{WorkLayout::kUnknownVectors, 0};
  if ((spec.algorithm == Algorithm::coordinate_descent && spec.smooth == SmoothKind::margin) ||
      spec.layout == Layout::csr) {
    end =
        spec.coordinate_newton ? WorkLayout::newton_end : WorkSlot{WorkLayout::kUnknownVectors, 1};
  }
  if (is_stochastic(spec.algorithm)) end = WorkLayout::stochastic_end;
  return end.offset(rows, cols);
}

}  // namespace proxjit
