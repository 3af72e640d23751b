#pragma once
// The solver loops, by name. LLVM-free and dependency-free: the options, the plan, the kernel
// spec and the tools all name algorithms with it.

#include <string_view>

namespace proxjit {

enum class Algorithm {
  // Let the engine pick for the problem (SolvePlan): cd where it applies, pgd with a line search
  // for a loss without a curvature bound and a non-separable r, FISTA otherwise. Never reaches a
  // kernel: the plan resolves it.
  automatic,
  proximal_gradient,   // x+ = prox(x - step grad f(x))
  fista,               // the same from an extrapolated point (Beck and Teboulle), O(1/k^2)
  coordinate_descent,  // cyclic proximal coordinate descent (separable r); an iteration is an
                       // epoch over all coordinates
  // Stochastic solvers for margin losses (runtime/stochastic_solver.h); an iteration is an epoch.
  sgd,   // proximal stochastic gradient, step schedules, mini-batches, optional averaging
  saga,  // SAGA, one stored scalar gradient per sample
  svrg,  // proximal SVRG, a full-gradient snapshot per epoch
};

constexpr bool is_stochastic(Algorithm algorithm) {
  return algorithm == Algorithm::sgd || algorithm == Algorithm::saga ||
         algorithm == Algorithm::svrg;
}

constexpr std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::automatic:
      return "auto";
    case Algorithm::proximal_gradient:
      return "pgd";
    case Algorithm::fista:
      return "fista";
    case Algorithm::coordinate_descent:
      return "cd";
    case Algorithm::sgd:
      return "sgd";
    case Algorithm::saga:
      return "saga";
    case Algorithm::svrg:
      return "svrg";
  }
  return "unknown";
}

}  // namespace proxjit
