#pragma once
// Runs a solve's loop: the kernel (on the problem's padded kernel data) or the reference solver,
// with the progress monitor watching. Fills x, iterations, certificate, status and run timings.
#include <string>

#include "engine_internal.h"
#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/problem.h"
#include "proxjit/summary.h"

namespace proxjit::detail {

// Runs the chosen backend (the kernel, or the reference solver when it is null) in the scalar
// type T. Returns what ended the run when it was the objective-change rule or the duality gap
// ("" for the kernel's own reasons).
template <class T>
std::string run(const Problem& problem, const SolverOptions& options, KernelFunction kernel,
                const KernelSpec& spec, Clock::time_point first_call_start, Summary& summary);

}  // namespace proxjit::detail
