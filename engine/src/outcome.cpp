#include "outcome.h"

#include <cmath>

#include "engine_internal.h"

namespace proxjit::detail {

std::string outcome_message(const Summary& s, const SolverOptions& options, double lipschitz,
                            double start_objective) {
  switch (s.status) {
    case SolveStatus::converged:
      return "certificate <= tolerance " + short_number(options.tolerance) + " after " +
             std::to_string(s.iterations) + (s.iterations == 1 ? " iteration" : " iterations");
    case SolveStatus::max_iterations:
      if (options.tolerance == 0.0) {
        return "ran all " + std::to_string(s.iterations) + " iterations (tolerance 0)";
      }
      if (std::isfinite(start_objective) && !(s.objective < start_objective)) {
        // Not slow: stuck. More iterations would not help.
        return "stopped at max_iterations = " + std::to_string(options.max_iterations) +
               " without lowering the objective from its start (" + short_number(s.objective) +
               ", certificate " + short_number(s.certificate) +
               "): no step found a decrease. The start may be optimal to within rounding (then "
               "raise the tolerance), or the loss overflows at this scale of the data (rescale "
               "A or b, or try pgd with step backtracking)";
      }
      return "stopped at max_iterations = " + std::to_string(options.max_iterations) +
             " with certificate " + short_number(s.certificate) + " > tolerance " +
             short_number(options.tolerance) + "; raise max_iterations or the tolerance";
    case SolveStatus::diverged: {
      const std::string where = "diverged at iteration " + std::to_string(s.iterations) +
                                " (certificate " + short_number(s.certificate) + ")";
      if (!(s.step > 0.0) || !std::isfinite(lipschitz)) {
        // No global step to blame (coordinate descent steps by each coordinate's curvature).
        return where +
               ": values overflowed the scalar type (the data's scale, or f unbounded "
               "below); rescale A or b, or solve in float64";
      }
      if (s.step * lipschitz <= 1.0 + 1e-9) {
        // Not the step's fault: 1/L is safe for a convex f.
        return where + " although the step " + short_number(s.step) +
               " is <= 1/L = " + short_number(1.0 / lipschitz) +
               ": f may be unbounded below (a quadratic with a non positive semi-definite A) or "
               "values overflowed the scalar type; check the data, or solve in float64";
      }
      return where + ": step " + short_number(s.step) +
             " is too large for this problem, whose gradient has Lipschitz bound L = " +
             short_number(lipschitz) + "; use a step <= 1/L = " + short_number(1.0 / lipschitz) +
             ", or leave the step automatic";
    }
    case SolveStatus::max_time:
      return "stopped at the time limit of " + short_number(options.max_time) + " s after " +
             std::to_string(s.iterations) + " iterations (certificate " +
             short_number(s.certificate) + "); raise max_time for a closer answer";
    case SolveStatus::interrupted:
      return "interrupted after " + std::to_string(s.iterations) + " iterations (certificate " +
             short_number(s.certificate) + ")";
    case SolveStatus::error:
      return s.message;
  }
  return "";
}

}  // namespace proxjit::detail
