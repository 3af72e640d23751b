#pragma once
// How a run ended. The numeric values are part of the kernel ABI (kernels write them).

#include <cstdint>
#include <string_view>

namespace proxjit {

enum class SolveStatus : std::int64_t {
  converged = 0,       // the certificate fell to the tolerance
  max_iterations = 1,  // the iteration budget ran out first
  diverged = 2,        // non-finite iterates or a certificate that exploded
  error = 3,           // the run could not start (see the message)
  max_time = 4,        // the time limit came first
  interrupted = 5,     // stopped by the caller: a progress callback or an interrupt (Ctrl-C)
};

constexpr std::string_view to_string(SolveStatus status) {
  switch (status) {
    case SolveStatus::converged:
      return "converged";
    case SolveStatus::max_iterations:
      return "max_iterations";
    case SolveStatus::diverged:
      return "diverged";
    case SolveStatus::error:
      return "error";
    case SolveStatus::max_time:
      return "max_time";
    case SolveStatus::interrupted:
      return "interrupted";
  }
  return "unknown";
}

}  // namespace proxjit
