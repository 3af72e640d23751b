#include "progress_monitor.h"

#include <algorithm>
#include <cmath>

namespace proxjit::detail {

template <class T>
std::int64_t report_progress(void* context, std::int64_t iteration, double certificate,
                             const void* x) noexcept {
  auto& state = *static_cast<ProgressState*>(context);
  const SolverOptions& options = *state.options;
  try {
    const double seconds = seconds_since(state.start);
    if (options.interrupt && options.interrupt->load(std::memory_order_relaxed)) {
      return static_cast<std::int64_t>(SolveStatus::interrupted);
    }
    if (options.max_time > 0.0 && seconds > options.max_time) {
      return static_cast<std::int64_t>(SolveStatus::max_time);
    }
    const bool trace = options.trace_every > 0 && iteration % options.trace_every == 0;
    const bool compare =
        options.objective_tolerance > 0.0 && iteration % objective_check_interval(options) == 0;
    const bool divergence_check = state.watch_objective && is_doubling_check(iteration);
    const double certificate_ratio =
        state.last_gap_certificate > 0.0 ? certificate / state.last_gap_certificate : 1.0;
    const bool gap_predicted =
        state.last_gap >= 0.0 &&
        state.last_gap * certificate_ratio * certificate_ratio <= state.options->gap_tolerance;
    const bool gap_check = state.check_gap && (iteration >= state.next_gap_check || gap_predicted);
    if (!trace && !compare && !divergence_check && !gap_check) return 0;
    state.x = Eigen::Map<const VectorOf<T>>(static_cast<const T*>(x), state.variables)
                  .template cast<double>();
    if (gap_check) {
      const Problem& problem = *state.problem;
      const auto gap = duality_gap(problem.f(), problem.r(), problem.data_view<double>(),
                                   problem.features(), state.x, &state.gap_objective, state.at_x);
      state.check_gap = gap.has_value();  // no gap for this pair: stop asking
      const double end = seconds_since(state.start);
      const double per_iteration =
          (seconds - state.last_gap_end) / static_cast<double>(iteration - state.last_gap_check);
      const std::int64_t base = gap_check_interval(options);
      const double wanted = (end - seconds) / (kGapShare * std::max(per_iteration, 1e-12));
      const std::int64_t intervals = std::clamp<std::int64_t>(
          static_cast<std::int64_t>(std::ceil(wanted / static_cast<double>(base))), 1,
          kGapMaxIntervals);
      state.next_gap_check = iteration + intervals * base;
      state.last_gap_check = iteration;
      state.last_gap_end = end;
      state.last_gap = gap.value_or(-1.0);
      state.last_gap_certificate = certificate;
      if (gap && *gap <= options.gap_tolerance) {
        state.gap_reached = true;
        state.gap = *gap;
        return kGapReached;
      }
      if (!trace && !compare && !divergence_check) return 0;
    }
    const double objective = state.problem->objective(state.x, options.scalar);
    if (divergence_check &&
        objective > state.start_objective +
                        kObjectiveGrowth * std::max(1.0, std::abs(state.start_objective))) {
      state.objective_grew = true;
      return static_cast<std::int64_t>(SolveStatus::diverged);
    }
    if (trace) {
      TraceRow row{iteration, seconds, objective, certificate, state.summary->step};
      state.summary->trace.push_back(row);
      if (options.callback && !options.callback({row.iteration, row.seconds, row.objective,
                                                 row.certificate, row.step, &state.x})) {
        return static_cast<std::int64_t>(SolveStatus::interrupted);
      }
    }
    if (compare) {
      const double change = std::abs(objective - state.previous_objective);
      state.previous_objective = objective;
      if (change <= options.objective_tolerance * std::max(1.0, std::abs(objective))) {
        state.objective_stalled = true;
        return kObjectiveStalled;
      }
    }
    return 0;
  } catch (...) {
    state.error = std::current_exception();
    return static_cast<std::int64_t>(SolveStatus::error);
  }
}

template std::int64_t report_progress<double>(void*, std::int64_t, double, const void*) noexcept;
template std::int64_t report_progress<float>(void*, std::int64_t, double, const void*) noexcept;

}  // namespace proxjit::detail
