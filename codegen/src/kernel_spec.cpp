#include "proxjit/codegen/kernel_spec.h"

namespace proxjit {

std::string KernelSpec::canonical() const {
  std::string text;
  text.reserve(128);
  text += to_string(algorithm);
  if (algorithm == Algorithm::fista && adaptive_restart) text += "+restart";
  if (algorithm == Algorithm::proximal_gradient && backtracking) text += "+backtracking";
  text += '|';
  text += smooth_name;
  text += '|';
  text += prox_canonical.empty() ? expr::canonical(prox) : prox_canonical;
  text += '|';
  text += to_string(scalar);
  text += '|';
  text += to_string(layout);
  return text;
}

std::string CodegenOptions::canonical() const {
  return "O" + std::to_string(optimization_level) + "|w" + std::to_string(prefer_vector_width);
}

std::int64_t kernel_work_size(const KernelSpec& spec, std::int64_t rows, std::int64_t cols) {
  // The gradient (residuals live in registers, a block of rows at a time); FISTA adds the
  // extrapolated point and the previous iterate; coordinate descent on least squares keeps the
  // residual and the coordinates' Lipschitz constants.
  if (spec.algorithm == Algorithm::coordinate_descent) {
    return spec.smooth == SmoothKind::least_squares ? padded_length(rows) + padded_length(cols)
                                                    : padded_length(cols);
  }
  const bool three = spec.algorithm == Algorithm::fista ||
                     (spec.algorithm == Algorithm::proximal_gradient && spec.backtracking);
  return (three ? 3 : 1) * padded_length(cols);
}

}  // namespace proxjit
