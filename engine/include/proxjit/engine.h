#pragma once
// The engine: owns the JIT and the kernel cache, and solves problems.
//
//   proxjit::Engine engine;
//   auto problem = proxjit::Problem::parse("quadratic", "l1(lambda=0.1)", A, b);
//   proxjit::SolverOptions options;
//   options.step = 1e-3;
//   proxjit::Summary summary = engine.solve(problem, options);
//   std::cout << summary.FullReport();

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "proxjit/disk_cache.h"
#include "proxjit/options.h"
#include "proxjit/path.h"
#include "proxjit/problem.h"
#include "proxjit/runtime/error.h"
#include "proxjit/solve_plan.h"
#include "proxjit/summary.h"

namespace proxjit {

struct KernelSpec;  // proxjit/codegen/kernel_spec.h, for those who read specs

struct CacheStats {
  std::int64_t hits = 0;          // solves that found their kernel in memory
  std::int64_t misses = 0;        // solves that had to wait for a kernel (disk or compile)
  std::int64_t compiles = 0;      // kernels compiled (concurrent first calls compile once)
  std::int64_t disk_hits = 0;     // kernels loaded from the disk cache instead
  std::int64_t disk_invalid = 0;  // disk entries found truncated, corrupt or foreign (recompiled)
  std::int64_t entries = 0;       // kernels held in memory
};

struct EngineOptions {
  // Keep compiled kernels on disk across processes.
  bool disk_cache = true;
  // Where; empty means DiskCache::default_directory() ($PROXJIT_CACHE_DIR, $XDG_CACHE_HOME/proxjit
  // or ~/.cache/proxjit).
  std::string cache_directory;
  // Least-recently-used entries are evicted beyond this many bytes.
  std::int64_t cache_max_bytes = 256 << 20;

  // The defaults with the environment applied: PROXJIT_NO_CACHE (set: no disk cache). The
  // options themselves never read it; a default-constructed Engine does, through this.
  static EngineOptions from_environment();
};

class Engine {
 public:
  explicit Engine(EngineOptions options = EngineOptions::from_environment());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Solves. Invalid options or a problem/option mismatch throw proxjit::Error; a run that
  // merely does not converge is a status in the Summary. Thread-safe.
  Summary solve(const Problem& problem, const SolverOptions& options = {});

  // Every decision about the solve (solve_plan.h): the algorithm with `auto` resolved, the step
  // rule, the layout, the checks. Throws proxjit::Error when the options do not fit the problem
  // (the messages solve() would give).
  static SolvePlan plan(const Problem& problem, const SolverOptions& options);
  // The same from the components' definitions and a data trait alone (precompile, inspect
  // without data); parameters at their defaults, nothing validated.
  static SolvePlan plan_for(const SmoothDefinition& smooth, const ProxDefinition& prox,
                            const SolverOptions& options, bool sparse = false);
  // What Algorithm::automatic picks (the plan's rule): coordinate descent for a separable
  // elementwise r, FISTA otherwise; pgd with a line search for a loss without a curvature bound
  // and a non-separable r; a step that is asked for (a number, or backtracking) asks for a
  // gradient method.
  static Algorithm suggested_algorithm(const Problem& problem, const SolverOptions& options);
  static Algorithm suggested_algorithm_for(const SmoothDefinition& smooth,
                                           const ProxDefinition& prox, bool line_search,
                                           bool fixed_step = false);

  // A regularization path: solves for each value of the prox parameter `parameter` (e.g.
  // "lambda"), in the order given, each run warm-started from the previous solution (the first
  // from options.x0). Every point shares one kernel: the path compiles at most once.
  std::vector<Summary> solve_path(const Problem& problem, const std::string& parameter,
                                  const std::vector<double>& values, SolverOptions options);
  // The same over automatic_grid(problem, parameter, grid) (path.h): from lambda_max down,
  // glmnet's default grid. Throws proxjit::Error where lambda_max is not known.
  std::vector<Summary> solve_path(const Problem& problem, const std::string& parameter,
                                  SolverOptions options, const GridOptions& grid = {});

  // The structure-only spec and the full kernel key a solve would use (include
  // proxjit/codegen/kernel_spec.h to read a spec).
  KernelSpec kernel_spec(const Problem& problem, const SolverOptions& options) const;
  static KernelSpec kernel_spec(const SolvePlan& plan, const Problem& problem);
  // The same from the components' definitions and data traits alone (precompile, inspect without
  // data).
  static KernelSpec kernel_spec_for(const SmoothDefinition& smooth, const ProxDefinition& prox,
                                    const SolverOptions& options, bool sparse = false,
                                    bool weighted = false);
  std::string kernel_key(const Problem& problem, const SolverOptions& options);

  // Optimized IR / assembly of the kernel a solve would use (compiled on the side).
  std::string inspect_ir(const Problem& problem, const SolverOptions& options);
  std::string inspect_asm(const Problem& problem, const SolverOptions& options);

  CacheStats cache_stats() const;
  // The disk cache in use, or null when it is off (or its directory could not be made; see
  // disk_cache_problem()).
  DiskCache* disk_cache();
  const std::string& disk_cache_problem() const;

  // Compiles (or loads) the kernel of a structure ahead of time, as the first solve would:
  // into memory and into the disk cache. Returns where it came from.
  KernelSource precompile(const KernelSpec& spec, const CodegenOptions& codegen = {});

 private:
  // solve(), counting its kernel lookup in cache_stats() or not: the inner solves of one
  // working-set solve after its first are one user solve's, not new ones.
  Summary solve_counted(const Problem& problem, const SolverOptions& options, bool count_lookup);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace proxjit
