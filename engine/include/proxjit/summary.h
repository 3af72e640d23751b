#pragma once
// What a solve reports: the answer, how it ended, how good it provably is, and what it cost.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "proxjit/options.h"
#include "proxjit/runtime/status.h"

namespace proxjit {

enum class KernelSource {
  none,      // the reference backend ran; no kernel was involved
  compiled,  // compiled by this call
  memory,    // found in the in-memory cache
  disk,      // loaded from the disk cache by this call (no IR, no compile)
};

constexpr std::string_view to_string(KernelSource source) {
  switch (source) {
    case KernelSource::none:
      return "none";
    case KernelSource::compiled:
      return "compiled";
    case KernelSource::memory:
      return "memory";
    case KernelSource::disk:
      return "disk";
  }
  return "unknown";
}

struct Timings {
  double setup_s = 0.0;       // time this call waited for the one-time JIT set-up (which starts
                              // in the background when the Engine is made)
  double ir_s = 0.0;          // building the kernel's IR
  double optimize_s = 0.0;    // the optimization pipeline
  double codegen_s = 0.0;     // machine code generation
  double link_s = 0.0;        // JIT linking and symbol lookup
  double cache_io_s = 0.0;    // reading and writing the disk cache
  double compile_s = 0.0;     // setup + ir + optimize + codegen + link + cache I/O: what this call
                              // paid to get its kernel (0 on a memory hit)
  double lookup_s = 0.0;      // kernel key and in-memory cache lookup (before any compile)
  double run_s = 0.0;         // the best run over `repeat`
  double first_call_s = 0.0;  // lookup + compile + the first run: what a first call costs
};

struct TraceRow {
  std::int64_t iteration = 0;
  double seconds = 0.0;
  double objective = 0.0;
  double certificate = 0.0;
  double step = 0.0;
};

struct Summary {
  Vector x;
  SolveStatus status = SolveStatus::error;
  std::string message;  // why it stopped, with a hint when it did not converge
  double objective = 0.0;
  double certificate = 0.0;  // ||G(x)||: the norm of the gradient mapping at the last step
  // P(x) - P* <= duality_gap, where a dual is known (least_squares with l1, l2sq or a finite
  // box); NaN otherwise.
  double duality_gap = std::numeric_limits<double>::quiet_NaN();
  std::int64_t iterations = 0;
  double step = 0.0;
  Algorithm algorithm = Algorithm::proximal_gradient;  // the one that ran
  Backend backend = Backend::jit;
  ScalarType scalar = ScalarType::f64;
  std::string problem;  // "quadratic + l1(lambda=0.1)"
  Timings timing;
  bool cache_hit = false;
  KernelSource source = KernelSource::none;
  std::string kernel_key;
  std::string cache_note;
  // One row every SolverOptions::trace_every iterations (of the last run when repeat > 1).
  std::vector<TraceRow>
      trace;  // e.g. a disk entry found corrupt and recompiled; empty if all went well
  std::string kernel_symbol;

  // One line: status, objective, certificate, iterations, time.
  std::string BriefReport() const;
  // Every field, one per line, for humans.
  std::string FullReport() const;
};

}  // namespace proxjit
