#pragma once
// What a finished run's message says: why it stopped, and for a run that did not converge, what
// to change.
#include <string>

#include "proxjit/options.h"
#include "proxjit/summary.h"

namespace proxjit::detail {

// `lipschitz`: L when the run diverged (else unused); `start_objective`: F at the start when the
// run ended at max_iterations (else NaN).
std::string outcome_message(const Summary& s, const SolverOptions& options, double lipschitz,
                            double start_objective);

}  // namespace proxjit::detail
