// solve(): plan -> spec -> key -> kernel (memory cache, else compile once) -> run -> summary.
// The plan is solve_plan.cpp, the caches kernel_cache.cpp, the loop run.cpp (watched by
// progress_monitor.cpp), the closing message outcome.cpp.
#include "proxjit/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>

#include "engine_internal.h"
#include "kernel_cache.h"
#include "outcome.h"
#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/runtime/error.h"
#include "run.h"
#include "working_set.h"

namespace proxjit {

using detail::Clock;
using detail::short_number;

namespace detail {
double default_stochastic_step(const Problem& problem, const SolverOptions& options);
}  // namespace detail

EngineOptions EngineOptions::from_environment() {
  EngineOptions options;
  options.disk_cache = std::getenv("PROXJIT_NO_CACHE") == nullptr;
  return options;
}

struct Engine::Impl {
  explicit Impl(const EngineOptions& options) : kernels(options) {}
  detail::KernelCache kernels;
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;

DiskCache* Engine::disk_cache() {
  return impl_->kernels.disk();
}
const std::string& Engine::disk_cache_problem() const {
  return impl_->kernels.disk_problem();
}

KernelSource Engine::precompile(const KernelSpec& spec, const CodegenOptions& codegen) {
  const detail::KernelCache::Acquired acquired = impl_->kernels.acquire(spec, codegen);
  return acquired.made_here ? acquired.kernel->source : KernelSource::memory;
}

std::string Engine::kernel_key(const Problem& problem, const SolverOptions& options) {
  impl_->kernels.ensure_jit();
  return impl_->kernels.full_key(
      detail::KernelCache::structure_key(kernel_spec(problem, options), options.codegen));
}

std::string Engine::inspect_ir(const Problem& problem, const SolverOptions& options) {
  impl_->kernels.ensure_jit();
  return impl_->kernels.compiler().optimized_ir(kernel_spec(problem, options), options.codegen);
}

std::string Engine::inspect_asm(const Problem& problem, const SolverOptions& options) {
  impl_->kernels.ensure_jit();
  return impl_->kernels.compiler().assembly(kernel_spec(problem, options), options.codegen);
}

std::vector<Summary> Engine::solve_path(const Problem& problem, const std::string& parameter,
                                        const std::vector<double>& values, SolverOptions options) {
  if (values.empty()) throw Error("a path needs at least one value of '" + parameter + "'");
  std::vector<Summary> path;
  path.reserve(values.size());
  for (const double value : values) {
    const Problem point = problem.with_prox(problem.r().with_parameter(parameter, value));
    path.push_back(solve(point, options));
    const Summary& last = path.back();
    // Warm start only from a usable answer: a diverged point would poison the rest.
    if (last.status == SolveStatus::converged || last.status == SolveStatus::max_iterations) {
      options.x0 = last.x;
    }
  }
  return path;
}

std::vector<Summary> Engine::solve_path(const Problem& problem, const std::string& parameter,
                                        SolverOptions options, const GridOptions& grid) {
  return solve_path(problem, parameter, automatic_grid(problem, parameter, grid),
                    std::move(options));
}

CacheStats Engine::cache_stats() const {
  return impl_->kernels.stats();
}

namespace {

// A step below about eps/L moves x by less than its rounding (and its certificate's sum of
// squares may underflow to 0, which would read as converged). L is computed only for steps
// below kSuspiciousStep, so that ordinary runs pay nothing.
constexpr double kSuspiciousStep = 1e-6;

void check_step_moves_x(const Problem& problem, const SolverOptions& options) {
  if (!(options.step < kSuspiciousStep)) return;
  const double lipschitz = problem.lipschitz();
  if (!(lipschitz > 0.0) || !std::isfinite(lipschitz)) return;
  const double eps = options.scalar == ScalarType::f32 ? std::numeric_limits<float>::epsilon()
                                                       : std::numeric_limits<double>::epsilon();
  if (options.step * lipschitz >= eps) return;
  throw Error("step " + short_number(options.step) +
              " is too small to move x: 1/L = " + short_number(1.0 / lipschitz) +
              ", and a step below about eps * 1/L = " + short_number(eps / lipschitz) + " (" +
              (options.scalar == ScalarType::f32 ? "float32" : "float64") +
              ") rounds away entirely; leave the step automatic or give one near 1/L");
}

}  // namespace

Summary Engine::solve(const Problem& problem, const SolverOptions& options) {
  return solve_counted(problem, options, true);
}

Summary Engine::solve_counted(const Problem& problem, const SolverOptions& requested,
                              bool count_lookup) {
  const SolvePlan plan = Engine::plan(problem, requested);
  const SolverOptions& options = plan.options;
  if (options.scalar == ScalarType::f32) {
    // A value beyond float's range would be infinite from the start, not a divergence.
    const double largest = std::numeric_limits<float>::max();
    const auto check = [&](double value, const char* what) {
      if (std::abs(value) > largest) {
        throw Error(std::string(what) + " holds " + short_number(value) +
                    ", beyond the float32 range (|v| <= 3.4e38); solve in float64");
      }
    };
    check(problem.largest_magnitude(), "the data (A, b or the sample weights)");
    check(options.x0.size() ? options.x0.cwiseAbs().maxCoeff() : 0.0, "x0");
  }
  const Clock::time_point start = Clock::now();
  if (plan.working_sets) {
    bool first = count_lookup;
    return detail::solve_on_working_sets(
        problem, plan, start, [&](const Problem& subproblem, const SolverOptions& inner) {
          const bool count = std::exchange(first, false);
          return solve_counted(subproblem, inner, count);
        });
  }
  Summary summary;
  summary.algorithm = options.algorithm;
  summary.problem = problem.describe();
  summary.scalar = options.scalar;
  summary.backend = options.backend;
  if (plan.step_rule == StepRule::per_coordinate) {
    // Coordinate steps come from each coordinate's own curvature: no global step (and no
    // power iteration to estimate one, which costs as much as many epochs on large data).
    summary.step = 0.0;
  } else if (options.step > 0.0) {
    check_step_moves_x(problem, options);
    summary.step = options.step;
  } else if (plan.step_rule == StepRule::stochastic_default && plan.bounded_curvature) {
    summary.step = detail::default_stochastic_step(problem, options);
  } else if (!plan.bounded_curvature) {
    summary.step = 1.0;  // backtracking's first trial
  } else {
    const double lipschitz = problem.lipschitz();
    if (!(lipschitz > 0.0) || !std::isfinite(lipschitz)) {
      throw Error("cannot choose a step automatically: the Lipschitz bound of " +
                  problem.f().name() + " is " + short_number(lipschitz) + "; give a step");
    }
    summary.step = 1.0 / lipschitz;
  }

  if (plan.step_rule == StepRule::per_coordinate && !plan.coordinate_newton) {
    // A coordinate of curvature <= 0 is one cd cannot step (it would skip it and report the
    // rest converged): the problem is not convex, or unbounded below, along it.
    const std::string why = detail::coordinate_curvature_problem(problem);
    if (!why.empty()) {
      summary.status = SolveStatus::diverged;
      summary.x = options.x0.size() ? options.x0 : Vector(Vector::Zero(problem.variables()));
      summary.certificate = std::numeric_limits<double>::quiet_NaN();
      summary.objective = problem.objective(summary.x, options.scalar);
      summary.message = "diverged before the first iteration: " + why;
      summary.timing.run_s = detail::seconds_since(start);
      return summary;
    }
  }

  const KernelSpec spec = kernel_spec(plan, problem);
  KernelFunction kernel = nullptr;
  if (options.backend == Backend::jit) {
    try {
      const detail::KernelCache::Acquired acquired = impl_->kernels.acquire(spec, options.codegen, count_lookup);
      kernel = acquired.kernel->kernel.entry;
      // A hit is any kernel this call did not have to compile.
      summary.cache_hit = acquired.hit || acquired.kernel->source == KernelSource::disk;
      summary.source = acquired.made_here ? acquired.kernel->source : KernelSource::memory;
      if (acquired.made_here) summary.cache_note = acquired.kernel->note;
      summary.kernel_key = acquired.kernel->key;
      summary.kernel_symbol = acquired.kernel->kernel.symbol;
      summary.timing.lookup_s = acquired.lookup_seconds;
      if (acquired.made_here) {
        const CompileTimings& t = acquired.kernel->kernel.timings;
        summary.timing.setup_s = acquired.kernel->setup_seconds;
        summary.timing.ir_s = t.ir_seconds;
        summary.timing.optimize_s = t.optimize_seconds;
        summary.timing.codegen_s = t.codegen_seconds;
        summary.timing.link_s = t.link_seconds;
        summary.timing.cache_io_s = acquired.kernel->cache_io_seconds;
        summary.timing.compile_s = summary.timing.setup_s + t.total() + summary.timing.cache_io_s;
      }
    } catch (const Error& error) {
      if (!options.fallback_to_reference) {
        summary.status = SolveStatus::error;
        summary.message = std::string("JIT compile failed: ") + error.what();
        return summary;
      }
      summary.backend = Backend::reference;
      summary.message = std::string("JIT compile failed (") + error.what() +
                        "); ran the reference backend instead";
    }
  }

  std::string stopped_by;  // the objective-change rule or the gap, when one ended the run
  summary.objective = std::numeric_limits<double>::quiet_NaN();  // unless the run computes it
  if (options.scalar == ScalarType::f32) {
    stopped_by = detail::run<float>(problem, options, kernel, spec, start, summary);
  } else {
    stopped_by = detail::run<double>(problem, options, kernel, spec, start, summary);
  }
  if (std::isnan(summary.objective))
    summary.objective = problem.objective(summary.x, options.scalar);
  if (std::isnan(summary.duality_gap)) {
    if (const auto gap = duality_gap(problem.f(), problem.r(), problem.data_view<double>(),
                                     problem.features(), summary.x)) {
      summary.duality_gap = *gap;
    }
  }
  if (summary.status == SolveStatus::converged && plan.step_rule == StepRule::per_coordinate &&
      problem.f().kind() == SmoothKind::quadratic) {
    // cd's fixed points are coordinate-wise stationary: minimizers only for a PSD A. The check
    // costs `steps` products with A, about as many epochs, kept to half the run's.
    const int steps = static_cast<int>(std::clamp<std::int64_t>(summary.iterations / 2, 3, 30));
    const std::string why = detail::quadratic_not_convex(problem.A(), steps);
    if (!why.empty()) {
      summary.status = SolveStatus::diverged;
      stopped_by = "coordinate-wise stationary after " + std::to_string(summary.iterations) +
                   " iterations, but not a minimizer: " + why;
    }
  }
  const std::string outcome =
      !stopped_by.empty()
          ? stopped_by
          : detail::outcome_message(
                summary, options,
                summary.status == SolveStatus::diverged ? problem.lipschitz() : 0.0,
                summary.status == SolveStatus::max_iterations && options.tolerance > 0.0
                    ? problem.objective(
                          options.x0.size() ? options.x0 : Vector(Vector::Zero(summary.x.size())),
                          options.scalar)
                    : std::numeric_limits<double>::quiet_NaN());
  summary.message = summary.message.empty() ? outcome : summary.message + "; " + outcome;
  if (!problem.r().definition().value_known) {
    summary.message += "; objective unknown: " + problem.r().name() +
                       " has no value(x) formula, so r(x) cannot be evaluated";
  }
  return summary;
}

}  // namespace proxjit
