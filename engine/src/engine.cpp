// solve(): validate -> spec -> key -> kernel (memory cache, else compile once) -> run -> summary.
#include "proxjit/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <numeric>
#include <type_traits>
#include <unordered_map>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/reference_solver.h"
#include "proxjit/runtime/stochastic_solver.h"

namespace proxjit {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// Bumped whenever the emitted code or the kernel ABI changes: part of every key, so the disk
// cache never hands an old process's kernel to a new one.
constexpr const char* kKernelFormat = "kernel-format=15";

// A kernel as the cache holds it, with what the call that made it paid.
struct CachedKernel {
  CompiledKernel kernel;
  std::string key;
  KernelSource source = KernelSource::compiled;  // compiled, or loaded from disk
  double setup_seconds = 0.0;                    // JIT set-up paid by that call
  double cache_io_seconds = 0.0;
  std::string note;  // what went wrong with the disk cache, if anything
};

using KernelFuture = std::shared_future<std::shared_ptr<const CachedKernel>>;

SolverOptions resolved_options(const Problem& problem, const SolverOptions& requested);

}  // namespace

struct Engine::Impl {
  EngineOptions options;
  std::unique_ptr<DiskCache> disk;
  std::string disk_problem;
  // The JIT is set up on a background thread as soon as the engine exists, so that LLVM's
  // one-time set-up overlaps whatever the caller does before its first solve (loading data).
  std::shared_future<std::shared_ptr<JitCompiler>> jit_ready;
  std::atomic<JitCompiler*> jit{nullptr};
  std::mutex mutex;  // guards cache and stats
  // Keyed by the structure (spec + codegen options); the target is fixed per engine.
  std::unordered_map<std::string, KernelFuture> cache;
  CacheStats stats;

  // The JIT, once ensure_jit() has returned.
  JitCompiler& compiler() { return *jit.load(std::memory_order_acquire); }

  // Waits for the JIT; returns the seconds this call waited for its set-up (0 once it is up).
  // Rethrows the set-up's error.
  double ensure_jit() {
    if (jit.load(std::memory_order_acquire)) return 0.0;
    const Clock::time_point start = Clock::now();
    jit.store(jit_ready.get().get(), std::memory_order_release);
    return seconds_since(start);
  }

  static std::string structure_key(const KernelSpec& spec, const CodegenOptions& codegen) {
    std::string key = spec.canonical();
    key += '|';
    key += codegen.canonical();
    return key;
  }

  // The structure plus everything that makes an object wrong to reuse: the target (triple, CPU,
  // features), the LLVM and proxjit versions (in target_description) and the kernel format.
  std::string full_key(const std::string& structure) {
    return structure + "|" + kKernelFormat + "|target=" + compiler().target_description();
  }

  // Disk first (no IR is built on a hit), else compile and store.
  std::shared_ptr<CachedKernel> load_or_compile(const KernelSpec& spec,
                                                const CodegenOptions& codegen,
                                                const std::string& structure) {
    auto cached = std::make_shared<CachedKernel>();
    cached->setup_seconds = ensure_jit();
    cached->key = full_key(structure);
    const std::string symbol = "proxjit_" + stable_hash_hex(cached->key);
    if (disk) {
      const Clock::time_point start = Clock::now();
      const DiskLookup found = disk->load(cached->key);
      cached->cache_io_seconds += seconds_since(start);
      if (found.status == DiskLookupStatus::hit) {
        try {
          cached->kernel = compiler().link_object(found.object, symbol);
          cached->source = KernelSource::disk;
          std::lock_guard<std::mutex> lock(mutex);
          ++stats.disk_hits;
          return cached;
        } catch (const Error& error) {
          cached->note =
              std::string("disk entry could not be linked (") + error.what() + "); recompiled";
        }
      } else if (found.status == DiskLookupStatus::invalid) {
        cached->note = found.problem + "; recompiled";
        std::lock_guard<std::mutex> lock(mutex);
        ++stats.disk_invalid;
      }
    }
    cached->kernel = compiler().compile(spec, codegen, symbol);
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++stats.compiles;
    }
    if (disk) {
      const Clock::time_point start = Clock::now();
      std::string problem;
      if (!disk->store(cached->key, cached->kernel.object, &problem)) {
        cached->note += (cached->note.empty() ? "" : "; ") + problem;
      }
      cached->cache_io_seconds += seconds_since(start);
    }
    return cached;
  }

  struct Acquired {
    std::shared_ptr<const CachedKernel> kernel;
    bool hit = false;
    bool made_here = false;  // this call loaded or compiled the kernel
    double lookup_seconds = 0.0;
  };

  // The kernel for a spec: from memory, or compiled exactly once however many threads ask.
  Acquired acquire(const KernelSpec& spec, const CodegenOptions& codegen) {
    Acquired result;
    const Clock::time_point start = Clock::now();
    const std::string structure = structure_key(spec, codegen);
    std::promise<std::shared_ptr<const CachedKernel>> promise;
    KernelFuture future;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto found = cache.find(structure);
      if (found != cache.end()) {
        future = found->second;
        if (future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
          ++stats.hits;
          result.hit = true;
        } else {
          ++stats.misses;  // another thread is compiling it: wait below
        }
      } else {
        future = promise.get_future().share();
        cache.emplace(structure, future);
        ++stats.misses;
        result.made_here = true;
      }
    }
    result.lookup_seconds = seconds_since(start);
    if (result.hit) {
      result.kernel = future.get();
      return result;
    }
    if (result.made_here) {
      try {
        promise.set_value(load_or_compile(spec, codegen, structure));
      } catch (...) {
        // Forget the failure so that a later call may try again, and tell the waiters.
        promise.set_exception(std::current_exception());
        std::lock_guard<std::mutex> lock(mutex);
        cache.erase(structure);
      }
    }
    result.kernel = future.get();  // rethrows a failed compile
    return result;
  }
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->jit_ready = std::async(std::launch::async, [] { return std::make_shared<JitCompiler>(); });
  impl_->options = std::move(options);
  if (impl_->options.disk_cache) {
    const std::filesystem::path directory =
        impl_->options.cache_directory.empty()
            ? DiskCache::default_directory()
            : std::filesystem::path(impl_->options.cache_directory);
    try {
      impl_->disk = std::make_unique<DiskCache>(directory, impl_->options.cache_max_bytes);
    } catch (const Error& error) {
      // Without a usable directory the engine still works, compiling in every process.
      impl_->disk_problem = error.what();
    }
  }
}

DiskCache* Engine::disk_cache() {
  return impl_->disk.get();
}
const std::string& Engine::disk_cache_problem() const {
  return impl_->disk_problem;
}

KernelSource Engine::precompile(const KernelSpec& spec, const CodegenOptions& codegen) {
  const Impl::Acquired acquired = impl_->acquire(spec, codegen);
  return acquired.made_here ? acquired.kernel->source : KernelSource::memory;
}
Engine::~Engine() = default;

namespace {

bool reads_densely(const Problem& problem, const SolverOptions& options) {
  if (!problem.sparse() || is_stochastic(options.algorithm)) return false;
  // At two thirds nonzero a dense copy takes no more memory than CSR's values and indices, and
  // its whole-vector loops beat the sparse ones' gathers by far (heart_scale's cd: 3x). The
  // stochastic solvers keep CSR: their lagged steps touch one row's nonzeros.
  const double entries =
      static_cast<double>(problem.samples()) * static_cast<double>(problem.A_sparse().cols());
  return 3.0 * static_cast<double>(problem.A_sparse().nonZeros()) >= 2.0 * entries;
}

}  // namespace

KernelSpec Engine::kernel_spec(const Problem& problem, const SolverOptions& options) const {
  KernelSpec spec = kernel_spec_for(problem.f().definition(), problem.r().definition(), options,
                                    problem.sparse() && !reads_densely(problem, options),
                                    problem.sample_weights().size() != 0);
  // l1 with per-coordinate weights is separable but not one expression: it is called.
  spec.prox_call = !problem.r().is_elementwise();
  if (spec.prox_call) spec.lagged = {};
  return spec;
}

KernelSpec Engine::kernel_spec_for(const SmoothDefinition& smooth, const ProxDefinition& prox,
                                   const SolverOptions& options, bool sparse, bool weighted) {
  KernelSpec spec;
  spec.algorithm = options.algorithm;
  spec.smooth = smooth.kind;
  spec.smooth_name = smooth.name;
  if (smooth.kind == SmoothKind::margin) {
    spec.loss_derivative = smooth.derivative;
    spec.loss_canonical = smooth.derivative_canonical;
    // The slots the emitted expressions read, not the declared parameters: what the key says
    // (by the expressions' canonical texts) is then all the code depends on.
    spec.loss_parameter_count = expr::parameter_count(smooth.derivative);
    spec.weighted = weighted;
  }
  spec.prox_name = prox.name;
  spec.prox_call = !prox.traits.elementwise;
  if (!spec.prox_call) {
    spec.prox = prox.prox;
    spec.prox_canonical = prox.prox_canonical;
    spec.prox_parameter_count = expr::parameter_count(prox.prox);
    if (is_stochastic(options.algorithm)) spec.lagged = prox.lagged;
  }
  spec.scalar = options.scalar;
  // Coordinate descent on a loss walks columns: they are stored contiguously.
  const bool columns =
      options.algorithm == Algorithm::coordinate_descent && smooth.kind == SmoothKind::margin;
  if (sparse) {
    spec.layout = columns ? Layout::csc : Layout::csr;
  } else {
    spec.layout = columns ? Layout::dense_col_major : Layout::dense_row_major;
  }
  if (columns && smooth.coordinate_newton()) {
    spec.coordinate_newton = true;
    spec.bounded_curvature = std::isfinite(smooth.curvature ? smooth.curvature({}) : 0.0);
    spec.loss_value = smooth.loss;
    spec.loss_second_derivative = smooth.second_derivative;
    spec.loss_value_canonical = smooth.loss_canonical;
    spec.loss_second_canonical = smooth.second_derivative_canonical;
    spec.prox_value = prox.value;
    spec.loss_parameter_count =
        std::max({spec.loss_parameter_count, expr::parameter_count(smooth.loss),
                  expr::parameter_count(smooth.second_derivative)});
    spec.prox_parameter_count =
        std::max(spec.prox_parameter_count, expr::parameter_count(prox.value));
  }
  spec.adaptive_restart = options.adaptive_restart;
  spec.backtracking = options.line_search && options.algorithm == Algorithm::proximal_gradient;
  return spec;
}

std::string Engine::kernel_key(const Problem& problem, const SolverOptions& options) {
  impl_->ensure_jit();
  return impl_->full_key(Impl::structure_key(
      kernel_spec(problem, resolved_options(problem, options)), options.codegen));
}

std::string Engine::inspect_ir(const Problem& problem, const SolverOptions& options) {
  impl_->ensure_jit();
  return impl_->compiler().optimized_ir(kernel_spec(problem, resolved_options(problem, options)),
                                        options.codegen);
}

std::string Engine::inspect_asm(const Problem& problem, const SolverOptions& options) {
  impl_->ensure_jit();
  return impl_->compiler().assembly(kernel_spec(problem, resolved_options(problem, options)),
                                    options.codegen);
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

CacheStats Engine::cache_stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  CacheStats stats = impl_->stats;
  stats.entries = static_cast<std::int64_t>(impl_->cache.size());
  return stats;
}

namespace {

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
std::int64_t gap_check_interval(const SolverOptions& options) {
  return options.algorithm == Algorithm::coordinate_descent ? 1 : 5;
}
constexpr double kGapShare = 0.1;
constexpr std::int64_t kGapMaxIntervals = 10;

// How often the objective-change rule compares objectives when there is no trace to follow.
constexpr std::int64_t kObjectiveCheckEvery = 10;

std::int64_t objective_check_interval(const SolverOptions& options) {
  return options.trace_every > 0 ? options.trace_every : kObjectiveCheckEvery;
}

// Checks for limits and interrupts this often when there is no trace to take.
constexpr std::int64_t kCheckEvery = 64;

// A fixed-step run whose objective exceeds the start's by this factor (of max(1, |start|))
// diverges: convergent proximal-gradient and FISTA runs stay near or below their start.
constexpr double kObjectiveGrowth = 1e6;

// Fixed-step gradient methods are watched for a growing objective at iterations 64, 128, 256,
// ...: doubling intervals keep the cost of the objective evaluations negligible.
bool watches_objective(const SolverOptions& options) {
  return !options.line_search && (options.algorithm == Algorithm::proximal_gradient ||
                                  options.algorithm == Algorithm::fista);
}
bool is_doubling_check(std::int64_t iteration) {
  return iteration >= kCheckEvery && (iteration & (iteration - 1)) == 0;
}

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

// How often the progress hook runs: at every trace row, and at least every kCheckEvery
// iterations when there is a limit or an interrupt to watch (0: never).
std::int64_t report_interval(const SolverOptions& options) {
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

// What a stochastic solver needs of the problem; throws proxjit::Error otherwise.
void check_stochastic(const Problem& problem, const SolverOptions& options) {
  const std::string name(to_string(options.algorithm));
  if (problem.f().kind() != SmoothKind::margin) {
    throw Error(name + " samples the terms of a loss over samples, but " + problem.f().name() +
                " is not one; use fista or pgd");
  }
  if (options.algorithm != Algorithm::sgd && options.batch_size != 1) {
    throw Error("batch_size " + std::to_string(options.batch_size) + " is for sgd; " + name +
                " takes one sample a step (batch_size 1)");
  }
}

// The default step: 1/L_max (sgd), 1/(3 L_max) (saga), 1/(4 L_max) (svrg), with
// L_max = sup phi'' max_i w_i |a_i|^2 the largest Lipschitz constant of a sample's gradient.
double default_stochastic_step(const Problem& problem, const SolverOptions& options) {
  const Objective<double> objective(problem.f(), problem.r(), problem.data_view<double>(),
                                    problem.features());
  const double largest = objective.sample_lipschitz_max();
  if (!(largest > 0.0) || !std::isfinite(largest)) {
    throw Error("cannot choose a step automatically: the per-sample Lipschitz bound of " +
                problem.f().name() + " is " + number_text(largest) + "; give a step");
  }
  const double factor = options.algorithm == Algorithm::saga   ? 3.0
                        : options.algorithm == Algorithm::svrg ? 4.0
                                                               : 1.0;
  return 1.0 / (factor * largest);
}

// An epoch may take long: with a time limit or an interrupt to watch, the progress hook runs
// after every epoch (else as report_interval says).
std::int64_t stochastic_report_interval(const SolverOptions& options) {
  const bool watch = options.max_time > 0.0 || options.interrupt != nullptr;
  return watch ? 1 : report_interval(options);
}

template <class T>
RunOutcome run_reference_stochastic(const Objective<T>& objective, VectorOf<T>& x,
                                    const IterationBudget& budget, const SolverOptions& options) {
  return reference_stochastic<T>(stochastic_method(options.algorithm), objective, x, budget,
                                 stochastic_settings(options));
}

// Runs the chosen backend in the scalar type T; fills x, iterations, certificate, status and
// the run timings of the summary.
template <class T>
// Returns what ended the run when it was the objective-change rule or the duality gap ("" for
// the kernel's own reasons).
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
        "the objective grew from " + number_text(progress.start_objective) + " at the start past " +
        number_text(progress.start_objective +
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
    return "duality gap " + number_text(progress.gap) + " <= gap_tolerance " +
           number_text(options.gap_tolerance) + " after " + std::to_string(summary.iterations) +
           " iterations";
  }
  if (progress.objective_stalled) {
    return "relative objective change <= objective_tolerance " +
           number_text(options.objective_tolerance) + " after " +
           std::to_string(summary.iterations) + " iterations";
  }
  return "";
}

// `start_objective`: F at the start when the run ended at max_iterations (else NaN).
std::string outcome_message(const Summary& s, const SolverOptions& options, double lipschitz,
                            double start_objective) {
  switch (s.status) {
    case SolveStatus::converged:
      return "certificate <= tolerance " + number_text(options.tolerance) + " after " +
             std::to_string(s.iterations) + (s.iterations == 1 ? " iteration" : " iterations");
    case SolveStatus::max_iterations:
      if (options.tolerance == 0.0) {
        return "ran all " + std::to_string(s.iterations) + " iterations (tolerance 0)";
      }
      if (std::isfinite(start_objective) && !(s.objective < start_objective)) {
        // Not slow: stuck. More iterations would not help.
        return "stopped at max_iterations = " + std::to_string(options.max_iterations) +
               " without lowering the objective from its start (" + number_text(s.objective) +
               ", certificate " + number_text(s.certificate) +
               "): no step found a decrease. The start may be optimal to within rounding (then "
               "raise the tolerance), or the loss overflows at this scale of the data (rescale "
               "A or b, or try pgd with step backtracking)";
      }
      return "stopped at max_iterations = " + std::to_string(options.max_iterations) +
             " with certificate " + number_text(s.certificate) + " > tolerance " +
             number_text(options.tolerance) + "; raise max_iterations or the tolerance";
    case SolveStatus::diverged: {
      const std::string where = "diverged at iteration " + std::to_string(s.iterations) +
                                " (certificate " + number_text(s.certificate) + ")";
      if (!(s.step > 0.0) || !std::isfinite(lipschitz)) {
        // No global step to blame (coordinate descent steps by each coordinate's curvature).
        return where +
               ": values overflowed the scalar type (the data's scale, or f unbounded "
               "below); rescale A or b, or solve in float64";
      }
      if (s.step * lipschitz <= 1.0 + 1e-9) {
        // Not the step's fault: 1/L is safe for a convex f.
        return where + " although the step " + number_text(s.step) +
               " is <= 1/L = " + number_text(1.0 / lipschitz) +
               ": f may be unbounded below (a quadratic with a non positive semi-definite A) or "
               "values overflowed the scalar type; check the data, or solve in float64";
      }
      return where + ": step " + number_text(s.step) +
             " is too large for this problem, whose gradient has Lipschitz bound L = " +
             number_text(lipschitz) + "; use a step <= 1/L = " + number_text(1.0 / lipschitz) +
             ", or leave the step automatic";
    }
    case SolveStatus::max_time:
      return "stopped at the time limit of " + number_text(options.max_time) + " s after " +
             std::to_string(s.iterations) + " iterations (certificate " +
             number_text(s.certificate) + "); raise max_time for a closer answer";
    case SolveStatus::interrupted:
      return "interrupted after " + std::to_string(s.iterations) + " iterations (certificate " +
             number_text(s.certificate) + ")";
    case SolveStatus::error:
      return s.message;
  }
  return "";
}

}  // namespace

Algorithm Engine::suggested_algorithm_for(const SmoothDefinition& smooth,
                                          const ProxDefinition& prox, bool line_search,
                                          bool fixed_step) {
  // Only proximal gradient searches for its step; a loss without a curvature bound needs it.
  const bool bounded = smooth.kind == SmoothKind::quadratic ||
                       std::isfinite(smooth.curvature ? smooth.curvature({}) : 0.0);
  if (line_search) return Algorithm::proximal_gradient;
  // A step given is for a gradient method (coordinate descent would ignore it): FISTA's.
  if (fixed_step) return Algorithm::fista;
  // Coordinate descent is what scikit-learn, glmnet and liblinear use for these problems:
  // exact or Newton steps along each coordinate, no step size, epochs as cheap as one
  // gradient. It needs r one coordinate at a time; a loss without a curvature bound takes
  // coordinate Newton steps (with their line search).
  const bool by_coordinates = prox.traits.separable && prox.traits.elementwise;
  if (!bounded) {
    return by_coordinates && smooth.coordinate_newton() ? Algorithm::coordinate_descent
                                                        : Algorithm::proximal_gradient;
  }
  if (by_coordinates) return Algorithm::coordinate_descent;
  return Algorithm::fista;
}

Algorithm Engine::suggested_algorithm(const Problem& problem, const SolverOptions& options) {
  const Algorithm algorithm = suggested_algorithm_for(
      problem.f().definition(), problem.r().definition(), options.line_search, options.step > 0.0);
  // Weighted l1 is separable but applied as a whole vector.
  if (algorithm == Algorithm::coordinate_descent && !problem.r().is_elementwise()) {
    const bool bounded =
        problem.f().kind() == SmoothKind::quadratic || std::isfinite(problem.f().curvature());
    return bounded ? Algorithm::fista : Algorithm::proximal_gradient;
  }
  return algorithm;
}

namespace {

bool bounded_curvature(const Problem& problem) {
  return problem.f().kind() == SmoothKind::quadratic || std::isfinite(problem.f().curvature());
}

// What a solve runs: the automatic algorithm resolved, and a line search for a proximal
// gradient run on a loss without a Lipschitz bound (the only way to find its steps).
SolverOptions resolved_options(const Problem& problem, const SolverOptions& requested) {
  SolverOptions options = requested;
  if (options.automatic_algorithm) {
    options.algorithm = Engine::suggested_algorithm(problem, requested);
  }
  if (!bounded_curvature(problem) && options.step <= 0.0 &&
      options.algorithm == Algorithm::proximal_gradient) {
    options.line_search = true;
  }
  return options;
}

}  // namespace

Summary Engine::solve(const Problem& problem, const SolverOptions& requested) {
  SolverOptions options = resolved_options(problem, requested);
  std::string invalid;
  if (!options.IsValid(&invalid)) throw Error("invalid solver options: " + invalid);
  if (options.x0.size() != 0 && options.x0.size() != problem.variables()) {
    throw Error("x0 has length " + std::to_string(options.x0.size()) + ", but the problem has " +
                std::to_string(problem.variables()) + " unknowns" +
                (problem.fit_intercept() ? " (the features, then the intercept)" : ""));
  }
  if (options.scalar == ScalarType::f32) {
    // A value beyond float's range would be infinite from the start, not a divergence.
    const double largest = std::numeric_limits<float>::max();
    const auto check = [&](double value, const char* what) {
      if (std::abs(value) > largest) {
        throw Error(std::string(what) + " holds " + number_text(value) +
                    ", beyond the float32 range (|v| <= 3.4e38); solve in float64");
      }
    };
    check(problem.largest_magnitude(), "the data (A, b or the sample weights)");
    check(options.x0.size() ? options.x0.cwiseAbs().maxCoeff() : 0.0, "x0");
  }
  const bool bounded_curvature = proxjit::bounded_curvature(problem);
  if (options.algorithm == Algorithm::coordinate_descent) {
    if (!problem.r().definition().traits.separable) {
      throw Error("coordinate descent needs a separable r (a sum over coordinates), but " +
                  problem.r().name() + " is not; use fista or pgd instead");
    }
    if (!problem.r().is_elementwise()) {
      throw Error("coordinate descent takes r one coordinate at a time, but " +
                  problem.r().describe() + " is applied as a whole vector; use fista or pgd");
    }
    // A loss without a curvature bound (poisson) takes coordinate Newton steps with a line
    // search instead (SmoothDefinition::coordinate_newton).
    if (!bounded_curvature && !problem.f().definition().coordinate_newton()) {
      throw Error("coordinate descent steps by the loss's curvature bound, and " +
                  problem.f().name() +
                  " has none (phi'' is unbounded); use pgd with step backtracking");
    }
  }
  if (is_stochastic(options.algorithm)) check_stochastic(problem, options);
  if (!bounded_curvature && options.step <= 0.0 && !options.line_search &&
      options.algorithm != Algorithm::coordinate_descent) {
    throw Error(problem.f().name() + " has no Lipschitz bound to take a step from, and " +
                std::string(to_string(options.algorithm)) +
                " has no line search; use pgd with step backtracking, or give a step");
  }
  const Clock::time_point start = Clock::now();
  Summary summary;
  summary.algorithm = options.algorithm;
  summary.problem = problem.describe();
  summary.scalar = options.scalar;
  summary.backend = options.backend;
  if (options.algorithm == Algorithm::coordinate_descent) {
    // Coordinate steps come from each coordinate's own curvature: no global step (and no
    // power iteration to estimate one, which costs as much as many epochs on large data).
    summary.step = 0.0;
  } else if (options.step > 0.0) {
    summary.step = options.step;
  } else if (is_stochastic(options.algorithm) && bounded_curvature) {
    summary.step = default_stochastic_step(problem, options);
  } else if (!bounded_curvature) {
    summary.step = 1.0;  // backtracking's first trial
  } else {
    const double lipschitz = problem.lipschitz();
    if (!(lipschitz > 0.0) || !std::isfinite(lipschitz)) {
      throw Error("cannot choose a step automatically: the Lipschitz bound of " +
                  problem.f().name() + " is " + number_text(lipschitz) + "; give a step");
    }
    summary.step = 1.0 / lipschitz;
  }

  const KernelSpec spec = kernel_spec(problem, options);
  KernelFunction kernel = nullptr;
  if (options.backend == Backend::jit) {
    try {
      const Impl::Acquired acquired = impl_->acquire(spec, options.codegen);
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
    stopped_by = run<float>(problem, options, kernel, spec, start, summary);
  } else {
    stopped_by = run<double>(problem, options, kernel, spec, start, summary);
  }
  if (std::isnan(summary.objective))
    summary.objective = problem.objective(summary.x, options.scalar);
  if (std::isnan(summary.duality_gap)) {
    if (const auto gap = duality_gap(problem.f(), problem.r(), problem.data_view<double>(),
                                     problem.features(), summary.x)) {
      summary.duality_gap = *gap;
    }
  }
  const std::string outcome =
      !stopped_by.empty()
          ? stopped_by
          : outcome_message(
                summary, options,
                summary.status == SolveStatus::diverged ? problem.lipschitz() : 0.0,
                summary.status == SolveStatus::max_iterations && options.tolerance > 0.0
                    ? problem.objective(
                          options.x0.size() ? options.x0 : Vector(Vector::Zero(summary.x.size())),
                          options.scalar)
                    : std::numeric_limits<double>::quiet_NaN());
  summary.message = summary.message.empty() ? outcome : summary.message + "; " + outcome;
  return summary;
}

}  // namespace proxjit
