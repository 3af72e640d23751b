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
#include <memory>
#include <string>

#include "proxjit/options.h"
#include "proxjit/problem.h"
#include "proxjit/summary.h"

namespace proxjit {

struct CacheStats {
  std::int64_t hits = 0;      // solves that found their kernel in memory
  std::int64_t misses = 0;    // solves that had to wait for a compile
  std::int64_t compiles = 0;  // kernels compiled (concurrent first calls compile once)
  std::int64_t entries = 0;   // kernels held
};

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Solves. Invalid options or a problem/option mismatch throw proxjit::Error; a run that
  // merely does not converge is a status in the Summary. Thread-safe.
  Summary solve(const Problem& problem, const SolverOptions& options = {});

  // The structure-only spec and the full kernel key a solve would use.
  KernelSpec kernel_spec(const Problem& problem, const SolverOptions& options) const;
  std::string kernel_key(const Problem& problem, const SolverOptions& options);

  // Optimized IR / assembly of the kernel a solve would use (compiled on the side).
  std::string inspect_ir(const Problem& problem, const SolverOptions& options);
  std::string inspect_asm(const Problem& problem, const SolverOptions& options);

  CacheStats cache_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace proxjit
