#include "run.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "progress_monitor.h"
#include "proxjit/codegen/kernel_data.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/objective.h"
#include "proxjit/runtime/reference_solver.h"
#include "proxjit/runtime/stochastic_solver.h"

namespace proxjit::detail {
namespace {

// KernelArgs::prox_call for proxes that are not one expression: the component's own code.
template <class T>
void call_prox(void* context, const void* y, double step, void* out, std::int64_t n) {
  static_cast<const ProxComponent*>(context)->prox<T>(static_cast<const T*>(y),
                                                      static_cast<T>(step), static_cast<T*>(out),
                                                      static_cast<std::size_t>(n));
}

// ---- stochastic solvers (sgd, saga, svrg) ----

StochasticSettings stochastic_settings(const SolverOptions& options) {
  StochasticSettings settings;
  settings.seed = options.seed;
  settings.batch_size = options.algorithm == Algorithm::sgd ? options.batch_size : 1;
  settings.schedule = options.step_schedule;
  settings.sampling = options.sampling;
  settings.averaging = options.algorithm == Algorithm::sgd && options.averaging;
  return settings;
}

void fill_stochastic_args(KernelArgs& args, const SolverOptions& options) {
  const StochasticSettings settings = stochastic_settings(options);
  args.seed = settings.seed;
  args.batch_size = settings.batch_size;
  args.step_schedule = static_cast<std::int64_t>(settings.schedule);
  args.sampling = static_cast<std::int64_t>(settings.sampling);
  args.averaging = settings.averaging ? 1 : 0;
}

StochasticMethod stochastic_method(Algorithm algorithm) {
  return algorithm == Algorithm::sgd    ? StochasticMethod::sgd
         : algorithm == Algorithm::saga ? StochasticMethod::saga
                                        : StochasticMethod::svrg;
}

template <class T>
RunOutcome run_reference_stochastic(const Objective<T>& objective, VectorOf<T>& x,
                                    const IterationBudget& budget, const SolverOptions& options) {
  return reference_stochastic<T>(stochastic_method(options.algorithm), objective, x, budget,
                                 stochastic_settings(options));
}

}  // namespace

template <class T>
std::string run(const Problem& problem, const SolverOptions& options, KernelFunction kernel,
                const KernelSpec& spec, Clock::time_point first_call_start, Summary& summary) {
  const Eigen::Index d = problem.variables();
  const VectorOf<T> start =
      options.x0.size() ? VectorOf<T>(options.x0.cast<T>()) : VectorOf<T>(VectorOf<T>::Zero(d));
  VectorOf<T> x(d);
  // The kernel runs on padded, aligned copies (kernel_data.h); padding of x stays zero.
  AlignedBuffer<T> kernel_x;
  AlignedBuffer<T> work;
  std::vector<std::int64_t> groups;  // KernelArgs::groups
  KernelArgs args;
  if (kernel) {
    const KernelData<T>& data = problem.kernel_data<T>(spec.layout);
    kernel_x = AlignedBuffer<T>(padded_length(d));
    work = AlignedBuffer<T>(kernel_work_size(spec, data.rows, data.cols));
    args.A = data.A.data();
    args.b = data.b.data();
    args.x = kernel_x.data();
    args.work = work.data();
    args.rows = data.rows;
    args.cols = data.cols;
    args.params = problem.r().parameters().data();
    args.step = summary.step;
    args.tolerance = options.tolerance;
    args.max_iterations = options.max_iterations;
    args.offsets = data.offsets.size() ? data.offsets.data() : nullptr;
    args.indices = data.indices.size() ? data.indices.data() : nullptr;
    args.weights = data.weights.size() ? data.weights.data() : nullptr;
    args.loss_params = problem.f().parameters().data();
    args.penalized = problem.features();
    // Coordinate descent's L_j scale: sup phi'', or 1 without a bound (Newton steps then).
    args.curvature = problem.f().kind() == SmoothKind::margin
                         ? (std::isfinite(problem.f().curvature()) ? problem.f().curvature() : 1.0)
                         : 0.0;
    args.prox_call = call_prox<T>;
    args.prox_context = const_cast<ProxComponent*>(&problem.r());
    fill_stochastic_args(args, options);
    if (spec.prox_call && spec.layout == Layout::csr &&
        (spec.algorithm == Algorithm::saga || spec.algorithm == Algorithm::svrg)) {
      const GroupLag lag = group_lag(problem.r(), problem.features());
      if (lag.active()) {
        groups = lag.of;
        groups.insert(groups.end(), lag.start.begin(), lag.start.end());
        args.groups = groups.data();
      }
    }
  }
  ProgressState progress;
  if constexpr (std::is_same_v<T, double>) {
    if (kernel && spec.algorithm == Algorithm::coordinate_descent &&
        spec.smooth == SmoothKind::margin) {
      const CoordinateWorkLayout layout = coordinate_work_layout(args.rows, args.cols);
      progress.at_x.margins = work.data() + layout.margins;
      if (spec.coordinate_newton) {
        progress.at_x.loss = work.data() + layout.loss;
        progress.at_x.weighted_slope = work.data() + layout.weighted_slope;
        progress.at_x.gradient = work.data() + layout.gradient;
      }
    }
  }
  progress.problem = &problem;
  progress.options = &options;
  progress.summary = &summary;
  progress.variables = d;
  progress.check_gap = options.gap_tolerance > 0.0;
  progress.watch_objective = watches_objective(options) && options.max_iterations >= kCheckEvery;
  if (progress.watch_objective) {
    progress.start_objective = problem.objective(start.template cast<double>(), options.scalar);
    // A start outside r's domain (an indicator) has no objective to compare with.
    progress.watch_objective = std::isfinite(progress.start_objective);
  }
  const std::int64_t report_every = is_stochastic(options.algorithm)
                                        ? stochastic_report_interval(options)
                                        : report_interval(options);
  args.progress = report_progress<T>;
  args.progress_context = &progress;
  args.report_every = report_every;
  IterationBudget budget;
  budget.step = summary.step;
  budget.max_iterations = options.max_iterations;
  budget.tolerance = options.tolerance;
  budget.report_every = report_every;
  budget.progress = [&](std::int64_t iteration, double certificate, const void* x) {
    return report_progress<T>(&progress, iteration, certificate, x);
  };
  double best = INFINITY;
  for (int attempt = 0; attempt < options.repeat; ++attempt) {
    x = start;
    summary.trace.clear();
    progress.previous_objective = std::numeric_limits<double>::quiet_NaN();
    progress.objective_stalled = false;
    progress.objective_grew = false;
    progress.gap_reached = false;
    progress.check_gap = options.gap_tolerance > 0.0;
    progress.next_gap_check = gap_check_interval(options);
    progress.last_gap_check = 0;
    progress.last_gap_end = 0.0;
    const Clock::time_point begin = Clock::now();
    progress.start = begin;
    if (kernel) {
      std::copy(start.data(), start.data() + d, kernel_x.data());
      kernel(&args);
      std::copy(kernel_x.data(), kernel_x.data() + d, x.data());
      summary.iterations = args.iterations;
      summary.certificate = args.certificate;
      summary.status = static_cast<SolveStatus>(args.status);
    } else {
      Objective<T> objective(problem.f(), problem.r(), problem.data_view<T>(), problem.features());
      RunOutcome outcome;
      switch (options.algorithm) {
        case Algorithm::proximal_gradient:
          outcome = options.line_search
                        ? reference_proximal_gradient_backtracking<T>(objective, x, budget)
                        : reference_proximal_gradient<T>(objective, x, budget);
          break;
        case Algorithm::fista:
          outcome = reference_fista<T>(objective, x, budget, options.adaptive_restart);
          break;
        case Algorithm::coordinate_descent:
          outcome = reference_coordinate_descent<T>(objective, x, budget);
          break;
        case Algorithm::sgd:
        case Algorithm::saga:
        case Algorithm::svrg:
          outcome = run_reference_stochastic<T>(objective, x, budget, options);
          break;
        case Algorithm::automatic:  // the plan resolves it before any run
          throw Error("internal error: the algorithm was not resolved");
      }
      summary.iterations = outcome.iterations;
      summary.certificate = outcome.certificate;
      summary.status = outcome.status;
    }
    best = std::min(best, seconds_since(begin));
    if (attempt == 0) summary.timing.first_call_s = seconds_since(first_call_start);
  }
  if (progress.error) std::rethrow_exception(progress.error);
  if (progress.objective_stalled) summary.status = SolveStatus::converged;
  if (progress.objective_grew) {
    summary.message =
        "the objective grew from " + short_number(progress.start_objective) +
        " at the start past " +
        short_number(progress.start_objective +
                     kObjectiveGrowth * std::max(1.0, std::abs(progress.start_objective)));
  }
  summary.timing.run_s = best;
  summary.x = x.template cast<double>();
  if (progress.gap_reached) {
    summary.status = SolveStatus::converged;
    // At this very x: neither the gap nor (in double, where r's value is the same) P(x) need
    // computing again.
    summary.duality_gap = progress.gap;
    if (options.scalar == ScalarType::f64) summary.objective = progress.gap_objective;
    return "duality gap " + short_number(progress.gap) + " <= gap_tolerance " +
           short_number(options.gap_tolerance) + " after " + std::to_string(summary.iterations) +
           " iterations";
  }
  if (progress.objective_stalled) {
    return "relative objective change <= objective_tolerance " +
           short_number(options.objective_tolerance) + " after " +
           std::to_string(summary.iterations) + " iterations";
  }
  return "";
}

template std::string run<double>(const Problem&, const SolverOptions&, KernelFunction,
                                 const KernelSpec&, Clock::time_point, Summary&);
template std::string run<float>(const Problem&, const SolverOptions&, KernelFunction,
                                const KernelSpec&, Clock::time_point, Summary&);

}  // namespace proxjit::detail
