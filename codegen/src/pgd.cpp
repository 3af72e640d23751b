// Proximal gradient with a fixed step: x+ = prox(x - step grad f(x)), one fused pass after the
// gradient.
#include "emitter.h"

namespace proxjit::codegen {

const KernelEmitter::AlgorithmEmitter KernelEmitter::kProximalGradient = {
    .name = "pgd",
    .matches =
        [](const KernelSpec& spec) {
          return spec.algorithm == Algorithm::proximal_gradient && !spec.backtracking;
        },
    .iterate = &KernelEmitter::pgd_iterate};

KernelEmitter::Iteration KernelEmitter::pgd_iterate(const LoopState&) {
  return {.squared_change = emit_update(emit_gradient())};
}

}  // namespace proxjit::codegen
