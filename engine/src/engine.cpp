// solve(): validate -> spec -> key -> kernel (memory cache, else compile once) -> run -> summary.
#include "proxjit/engine.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <unordered_map>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/reference_solver.h"

namespace proxjit {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string hex_hash(const std::string& text) {
  // FNV-1a, 64 bits: stable across runs and platforms (std::hash is not).
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// A compiled kernel as the cache holds it, with the timings of the compile that made it.
struct CachedKernel {
  CompiledKernel kernel;
  std::string key;
  double setup_seconds = 0.0;  // JIT set-up paid by the compiling call
};

using KernelFuture = std::shared_future<std::shared_ptr<const CachedKernel>>;

}  // namespace

struct Engine::Impl {
  std::once_flag jit_once;
  std::unique_ptr<JitCompiler> jit;
  std::mutex mutex;  // guards cache and stats
  // Keyed by the structure (spec + codegen options); the target is fixed per engine.
  std::unordered_map<std::string, KernelFuture> cache;
  CacheStats stats;

  // Creates the JIT on first use; returns the set-up seconds this call paid (0 afterwards).
  double ensure_jit() {
    double paid = 0.0;
    std::call_once(jit_once, [&] {
      jit = std::make_unique<JitCompiler>();
      paid = jit->setup_seconds();
    });
    return paid;
  }

  static std::string structure_key(const KernelSpec& spec, const CodegenOptions& codegen) {
    std::string key = spec.canonical();
    key += '|';
    key += codegen.canonical();
    return key;
  }

  std::string full_key(const std::string& structure) {
    return structure + "|target=" + hex_hash(jit->target_description());
  }

  struct Acquired {
    std::shared_ptr<const CachedKernel> kernel;
    bool hit = false;
    bool compiled_here = false;
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
        ++stats.compiles;
        result.compiled_here = true;
      }
    }
    result.lookup_seconds = seconds_since(start);
    if (result.hit) {
      result.kernel = future.get();
      return result;
    }
    if (result.compiled_here) {
      try {
        auto cached = std::make_shared<CachedKernel>();
        cached->setup_seconds = ensure_jit();
        cached->key = full_key(structure);
        cached->kernel = jit->compile(spec, codegen, "proxjit_" + hex_hash(cached->key));
        promise.set_value(cached);
      } catch (...) {
        // Forget the failure so that a later call may try again, and tell the waiters.
        promise.set_exception(std::current_exception());
        std::lock_guard<std::mutex> lock(mutex);
        cache.erase(structure);
        --stats.compiles;
      }
    }
    result.kernel = future.get();  // rethrows a failed compile
    return result;
  }
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

KernelSpec Engine::kernel_spec(const Problem& problem, const SolverOptions& options) const {
  KernelSpec spec;
  spec.algorithm = options.algorithm;
  spec.smooth = problem.f().kind();
  spec.smooth_name = problem.f().name();
  const ProxDefinition& prox = problem.r().definition();
  spec.prox_name = prox.name;
  spec.prox = prox.prox;
  spec.prox_canonical = prox.prox_canonical;
  spec.prox_parameter_count = static_cast<int>(prox.parameters.size());
  spec.scalar = options.scalar;
  spec.layout = Layout::dense_row_major;
  return spec;
}

std::string Engine::kernel_key(const Problem& problem, const SolverOptions& options) {
  impl_->ensure_jit();
  return impl_->full_key(Impl::structure_key(kernel_spec(problem, options), options.codegen));
}

std::string Engine::inspect_ir(const Problem& problem, const SolverOptions& options) {
  impl_->ensure_jit();
  return impl_->jit->optimized_ir(kernel_spec(problem, options), options.codegen);
}

std::string Engine::inspect_asm(const Problem& problem, const SolverOptions& options) {
  impl_->ensure_jit();
  return impl_->jit->assembly(kernel_spec(problem, options), options.codegen);
}

CacheStats Engine::cache_stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  CacheStats stats = impl_->stats;
  stats.entries = static_cast<std::int64_t>(impl_->cache.size());
  return stats;
}

namespace {

// Runs the chosen backend in the scalar type T; fills x, iterations, certificate, status and
// the run timings of the summary.
template <class T>
void run(const Problem& problem, const SolverOptions& options, KernelFunction kernel,
         const KernelSpec& spec, Clock::time_point first_call_start, Summary& summary) {
  // The reference path reads A and b in T (float copies are made only when it needs them).
  const auto reference_data = [&]() -> std::pair<const MatrixOf<T>*, const VectorOf<T>*> {
    if constexpr (std::is_same_v<T, float>) {
      return {&problem.A_float(), &problem.b_float()};
    } else {
      return {&problem.A(), &problem.b()};
    }
  };
  const Eigen::Index d = problem.variables();
  const VectorOf<T> start = options.x0.size() ? VectorOf<T>(options.x0.cast<T>())
                                              : VectorOf<T>(VectorOf<T>::Zero(d));
  VectorOf<T> x(d);
  // The kernel runs on padded, aligned copies (kernel_data.h); padding of x stays zero.
  AlignedBuffer<T> kernel_x;
  AlignedBuffer<T> work;
  KernelArgs args;
  if (kernel) {
    const KernelData<T>& data = problem.kernel_data<T>();
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
  }
  const IterationBudget budget{summary.step, options.max_iterations, options.tolerance};
  double best = INFINITY;
  for (int attempt = 0; attempt < options.repeat; ++attempt) {
    x = start;
    const Clock::time_point begin = Clock::now();
    if (kernel) {
      std::copy(start.data(), start.data() + d, kernel_x.data());
      kernel(&args);
      std::copy(kernel_x.data(), kernel_x.data() + d, x.data());
      summary.iterations = args.iterations;
      summary.certificate = args.certificate;
      summary.status = static_cast<SolveStatus>(args.status);
    } else {
      const auto [A, b] = reference_data();
      const RunOutcome outcome =
          reference_proximal_gradient<T>(problem.f(), problem.r(), *A, *b, x, budget);
      summary.iterations = outcome.iterations;
      summary.certificate = outcome.certificate;
      summary.status = outcome.status;
    }
    best = std::min(best, seconds_since(begin));
    if (attempt == 0) summary.timing.first_call_s = seconds_since(first_call_start);
  }
  summary.timing.run_s = best;
  summary.x = x.template cast<double>();
}

std::string outcome_message(const Summary& s, const SolverOptions& options, double lipschitz) {
  switch (s.status) {
    case SolveStatus::converged:
      return "certificate <= tolerance " + number_text(options.tolerance) + " after " +
             std::to_string(s.iterations) + (s.iterations == 1 ? " iteration" : " iterations");
    case SolveStatus::max_iterations:
      if (options.tolerance == 0.0) {
        return "ran all " + std::to_string(s.iterations) + " iterations (tolerance 0)";
      }
      return "stopped at max_iterations = " + std::to_string(options.max_iterations) +
             " with certificate " + number_text(s.certificate) + " > tolerance " +
             number_text(options.tolerance) + "; raise max_iterations or the tolerance";
    case SolveStatus::diverged:
      return "diverged at iteration " + std::to_string(s.iterations) + " (certificate " +
             number_text(s.certificate) + "): step " + number_text(s.step) +
             " is too large for this problem, whose gradient has Lipschitz bound L = " +
             number_text(lipschitz) + "; use a step <= 1/L = " + number_text(1.0 / lipschitz) +
             ", or leave the step automatic";
    case SolveStatus::error: return s.message;
  }
  return "";
}

}  // namespace

Summary Engine::solve(const Problem& problem, const SolverOptions& options) {
  std::string invalid;
  if (!options.IsValid(&invalid)) throw Error("invalid solver options: " + invalid);
  if (options.x0.size() != 0 && options.x0.size() != problem.variables()) {
    throw Error("x0 has length " + std::to_string(options.x0.size()) + ", but the problem has " +
                std::to_string(problem.variables()) + " unknowns");
  }
  const Clock::time_point start = Clock::now();
  Summary summary;
  summary.problem = problem.describe();
  summary.scalar = options.scalar;
  summary.backend = options.backend;
  if (options.step > 0.0) {
    summary.step = options.step;
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
      summary.cache_hit = acquired.hit;
      summary.source = acquired.compiled_here ? KernelSource::compiled : KernelSource::memory;
      summary.kernel_key = acquired.kernel->key;
      summary.kernel_symbol = acquired.kernel->kernel.symbol;
      summary.timing.lookup_s = acquired.lookup_seconds;
      if (acquired.compiled_here) {
        const CompileTimings& t = acquired.kernel->kernel.timings;
        summary.timing.setup_s = acquired.kernel->setup_seconds;
        summary.timing.ir_s = t.ir_seconds;
        summary.timing.optimize_s = t.optimize_seconds;
        summary.timing.codegen_s = t.codegen_seconds;
        summary.timing.link_s = t.link_seconds;
        summary.timing.compile_s = summary.timing.setup_s + t.total();
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

  if (options.scalar == ScalarType::f32) {
    run<float>(problem, options, kernel, spec, start, summary);
  } else {
    run<double>(problem, options, kernel, spec, start, summary);
  }
  summary.objective = problem.objective(summary.x, options.scalar);
  const std::string outcome =
      outcome_message(summary, options, summary.status == SolveStatus::diverged
                                            ? problem.lipschitz()
                                            : 0.0);
  summary.message = summary.message.empty() ? outcome : summary.message + "; " + outcome;
  return summary;
}

}  // namespace proxjit
