#pragma once
// The progress monitor: what the kernels' progress hook (and the reference solvers' budget)
// calls between iterations. Limits, interrupts, the trace and the user's callback, divergence
// of fixed-step runs, the objective-change rule and duality-gap checks.
#include <cstdint>
#include <exception>
#include <limits>
#include <numeric>

#include "engine_internal.h"
#include "proxjit/problem.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/summary.h"

namespace proxjit::detail {

// Checked between iterations, through the kernels' progress hook: limits, interrupts, the
// trace and the user's callback. Exceptions stop the run and are rethrown after it.
struct ProgressState {
  const Problem* problem = nullptr;
  const SolverOptions* options = nullptr;
  Summary* summary = nullptr;
  Eigen::Index variables = 0;
  Clock::time_point start;
  std::exception_ptr error;
  Vector x;  // the iterate in double, for the objective and the callback
  double previous_objective = std::numeric_limits<double>::quiet_NaN();
  bool objective_stalled = false;  // the run ended on SolverOptions::objective_tolerance
  // Divergence of a fixed-step run, from its objective: f + r at the start, and whether the run
  // ended because the objective grew far past it.
  bool watch_objective = false;
  double start_objective = 0.0;
  bool objective_grew = false;
  // SolverOptions::gap_tolerance: checked while the pair has a known gap; the gap that ended
  // the run.
  bool check_gap = false;
  bool gap_reached = false;
  double gap = 0.0;
  double gap_objective = 0.0;  // P(x) at the last gap check
  // The gap is checked at next_gap_check, then after an interval that keeps the checks near
  // kGapShare of the run time (from the last check's cost and the iterations' since).
  std::int64_t next_gap_check = 0;
  std::int64_t last_gap_check = 0;
  double last_gap_end = 0.0;
  // The last gap and the certificate then: the gap shrinks about like the certificate squared,
  // so a certificate that predicts a gap below the tolerance brings the check forward (a fast
  // solver does not overshoot by a whole interval).
  double last_gap = -1.0;
  double last_gap_certificate = 0.0;
  // What the kernel holds at x between iterations (coordinate descent in double), so that a
  // gap check need not recompute it.
  SampleValues at_x;
};

// What the progress hook returns to end a run on the objective-change rule: not a public
// status (the run converged); the engine reads it back as converged.
constexpr std::int64_t kObjectiveStalled = 100;

// What the progress hook returns to end a run on SolverOptions::gap_tolerance (read back as
// converged).
constexpr std::int64_t kGapReached = 101;

// How often the duality gap is checked at most: every epoch of coordinate descent (a gap costs
// about one), every 5 iterations of the others. Where a check costs more than kGapShare of the
// iterations between checks, the interval grows (up to kGapMaxIntervals times this).
inline std::int64_t gap_check_interval(const SolverOptions& options) {
  return options.algorithm == Algorithm::coordinate_descent ? 1 : 5;
}
constexpr double kGapShare = 0.1;
constexpr std::int64_t kGapMaxIntervals = 10;

// How often the objective-change rule compares objectives when there is no trace to follow.
constexpr std::int64_t kObjectiveCheckEvery = 10;

inline std::int64_t objective_check_interval(const SolverOptions& options) {
  return options.trace_every > 0 ? options.trace_every : kObjectiveCheckEvery;
}

// Checks for limits and interrupts this often when there is no trace to take.
constexpr std::int64_t kCheckEvery = 64;

// A fixed-step run whose objective exceeds the start's by this factor (of max(1, |start|))
// diverges: convergent proximal-gradient and FISTA runs stay near or below their start.
constexpr double kObjectiveGrowth = 1e6;

// Fixed-step gradient methods are watched for a growing objective at iterations 64, 128, 256,
// ...: doubling intervals keep the cost of the objective evaluations negligible.
inline bool watches_objective(const SolverOptions& options) {
  return !options.line_search && (options.algorithm == Algorithm::proximal_gradient ||
                                  options.algorithm == Algorithm::fista);
}
inline bool is_doubling_check(std::int64_t iteration) {
  return iteration >= kCheckEvery && (iteration & (iteration - 1)) == 0;
}

// The kernels' progress hook (KernelArgs::progress), for a run in scalar type T.
template <class T>
std::int64_t report_progress(void* context, std::int64_t iteration, double certificate,
                             const void* x) noexcept;

// How often the progress hook runs: at every trace row, and at least every kCheckEvery
// iterations when there is a limit or an interrupt to watch (0: never).
inline std::int64_t report_interval(const SolverOptions& options) {
  const bool watch =
      options.max_time > 0.0 || options.interrupt != nullptr || watches_objective(options);
  std::int64_t every = options.trace_every;
  if (options.objective_tolerance > 0.0) every = objective_check_interval(options);
  if (options.gap_tolerance > 0.0) {
    every = every > 0 ? std::gcd(every, gap_check_interval(options)) : gap_check_interval(options);
  }
  if (watch) every = every > 0 ? std::gcd(every, kCheckEvery) : kCheckEvery;
  return every;
}

// An epoch may take long: with a time limit or an interrupt to watch, the progress hook runs
// after every epoch (else as report_interval says).
inline std::int64_t stochastic_report_interval(const SolverOptions& options) {
  const bool watch = options.max_time > 0.0 || options.interrupt != nullptr;
  return watch ? 1 : report_interval(options);
}

}  // namespace proxjit::detail
