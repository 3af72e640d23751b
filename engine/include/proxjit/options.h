#pragma once
// Everything a solve can be asked to do differently. Each field says what it means; IsValid
// checks them all with messages that name the field.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "proxjit/codegen/codegen_options.h"
#include "proxjit/runtime/algorithm.h"
#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/scalar.h"
#include "proxjit/runtime/stochastic_settings.h"

namespace proxjit {

// What a progress callback sees, every `trace_every` iterations.
struct IterationReport {
  std::int64_t iteration = 0;
  double seconds = 0.0;  // since the run started
  double objective = 0.0;
  double certificate = 0.0;
  double step = 0.0;
  const Vector* x = nullptr;  // the current iterate
};

// Returns false to stop the run (status interrupted). May throw: the solve rethrows.
using IterationCallback = std::function<bool(const IterationReport&)>;

enum class Backend {
  jit,        // a JIT-compiled fused kernel (compiled once per structure, then cached)
  reference,  // the plain C++ reference solver: the oracle, and the fallback
};

constexpr std::string_view to_string(Backend backend) {
  return backend == Backend::jit ? "jit" : "reference";
}

struct SolverOptions {
  // The loop. `automatic` (the default, as on the command line and in the REPL) lets the engine
  // pick for the problem (Engine::plan); the Summary says which ran. Any other value is run as
  // chosen, never overridden.
  Algorithm algorithm = Algorithm::automatic;
  // FISTA only: restart the momentum when it points uphill (part of the kernel key).
  bool adaptive_restart = true;
  // Proximal gradient only: Beck-Teboulle backtracking line search; `step` (or 1/L) is the
  // first step, which then shrinks when the sufficient-decrease test fails and grows back by
  // 1/0.9 an iteration. Needs no Lipschitz constant. Part of the kernel key.
  bool line_search = false;
  // Fixed step size; 0 picks 1/L from the smooth term's Lipschitz bound.
  double step = 0.0;
  // Upper bound on proximal-gradient steps.
  std::int64_t max_iterations = 10000;
  // Stop once the certificate ||x_{k+1} - x_k|| / step is <= tolerance (0: run all iterations).
  double tolerance = 1e-8;
  // Scalar type the kernel computes in (data are converted once).
  ScalarType scalar = ScalarType::f64;
  // Where the loop runs.
  Backend backend = Backend::jit;
  // If compiling fails, run the reference solver instead of reporting status error.
  bool fallback_to_reference = true;
  // Runs the solve this many times from the same start and reports the best run time
  // (for timing; every run gives the same result).
  int repeat = 1;
  // Start point; empty means zeros.
  Vector x0;
  // Stop (status converged) once the objective changes by at most this, relative
  // (|F_k - F_j| <= tol max(1, |F_k|)), between checks every trace_every iterations (10 when
  // there is no trace); 0: off. Each check costs an objective evaluation.
  double objective_tolerance = 0.0;
  // Stop (status converged) once the duality gap (duality_gap.h: least_squares and logistic
  // with l1, l2sq, elastic_net or a box, no intercept) is <= this; 0: off. Checked every
  // epoch of coordinate descent and every 5 iterations of the other algorithms, less often
  // (up to 10 times) where a check, about one pass over the data, would cost more than a tenth
  // of the run (so the iteration a run stops at may vary by a few between runs); ignored where
  // no gap is known.
  double gap_tolerance = 0.0;
  // Wall-clock limit on the run in seconds (0: none); the run stops with status max_time.
  double max_time = 0.0;
  // Every this many iterations (0: never) a trace row is recorded in Summary::trace and the
  // callback is called; each costs an objective evaluation.
  std::int64_t trace_every = 0;
  IterationCallback callback;
  // When set and it becomes true (e.g. from a SIGINT handler), the run stops with status
  // interrupted at its next check (every 64 iterations at most).
  const std::atomic<bool>* interrupt = nullptr;
  // Coordinate descent on least squares (a loss with LossDual::squared) and an elementwise r:
  // solve on a growing working set of features over the normal equations, checking all
  // features every round (the answer is the same; on sparse solutions far fewer passes over A).
  // Applies in float64 on the JIT to a tolerance, without traces or callbacks
  // (SolvePlan::working_sets says whether it did). Not part of the kernel key.
  bool working_sets = true;
  // Codegen choices (part of the kernel key).
  CodegenOptions codegen;
  // ---- stochastic solvers (sgd, saga, svrg; runtime/stochastic_solver.h) ----
  // max_iterations counts epochs; the step defaults to 1/L_max (sgd), 1/(3 L_max) (saga) or
  // 1/(4 L_max) (svrg) with L_max = sup phi'' max_i w_i |a_i|^2. None is part of the kernel key.
  // The sample sequence's seed (splitmix64): the same seed gives the same run.
  std::uint64_t seed = 0;
  // Samples per SGD step (saga and svrg take one).
  std::int64_t batch_size = 1;
  // SGD's step schedule.
  StepSchedule step_schedule = StepSchedule::decay;
  // Draw samples with replacement, or visit each once an epoch in a shuffled order.
  Sampling sampling = Sampling::with_replacement;
  // SGD: report the mean of the iterates (Polyak-Ruppert averaging).
  bool averaging = false;

  // True when every field is usable; otherwise false with a message naming the field.
  bool IsValid(std::string* error) const;
};

}  // namespace proxjit
