// The algorithm registry: one line per algorithm emitter; the first that matches a spec emits
// its kernel.
#include <stdexcept>

#include "emitter.h"

namespace proxjit::codegen {

const KernelEmitter::AlgorithmEmitter& KernelEmitter::algorithm_for(const KernelSpec& spec) {
  static const AlgorithmEmitter* const kAlgorithms[] = {
      &kProximalGradient,   // pgd.cpp
      &kBacktracking,       // backtracking.cpp
      &kFista,              // fista.cpp
      &kCoordinateDescent,  // coordinate_descent.cpp
      &kProximalNewton,     // proximal_newton.cpp
      &kSgd,                // sgd.cpp
      &kSaga,               // saga_svrg.cpp
      &kSvrg,               // saga_svrg.cpp
  };
  for (const AlgorithmEmitter* algorithm : kAlgorithms) {
    if (algorithm->matches(spec)) return *algorithm;
  }
  throw std::logic_error("proxjit: no kernel emitter for " + spec.canonical());
}

}  // namespace proxjit::codegen
