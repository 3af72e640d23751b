#pragma once
// What a kernel is specialized for, and the ABI it is called with. LLVM-free: the engine and
// the tests include this; only codegen/src sees LLVM.
//
// A spec holds structure only (algorithm, component kinds and their math, scalar type, data
// layout). Parameter values, sizes and pointers are KernelArgs, so a new lambda or new data
// reuses the same compiled kernel.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxjit/codegen/codegen_options.h"
#include "proxjit/runtime/algorithm.h"
#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/expr.h"
#include "proxjit/runtime/scalar.h"
#include "proxjit/runtime/smooth.h"
#include "proxjit/runtime/solver_rules.h"

namespace proxjit {

struct KernelSpec {
  Algorithm algorithm = Algorithm::proximal_gradient;
  SmoothKind smooth = SmoothKind::quadratic;
  std::string smooth_name;  // for symbol names and reports
  // Margin losses: dphi/dz (z, b), inlined into the gradient loops, and its canonical text.
  expr::Expr loss_derivative = expr::Expr(0.0);
  std::string loss_canonical;
  int loss_parameter_count = 0;
  // Coordinate descent on a loss whose phi'' is not constant: proximal coordinate Newton steps
  // with a line search (reference_solver.h). They read phi, phi'' and r's value expression;
  // the bound step is the fallback when the loss has a curvature bound.
  bool coordinate_newton = false;
  bool bounded_curvature = true;
  expr::Expr loss_value = expr::Expr(0.0);              // phi(z, b)
  expr::Expr loss_second_derivative = expr::Expr(0.0);  // phi''(z, b)
  std::string loss_value_canonical;
  std::string loss_second_canonical;
  expr::Expr prox_value = expr::Expr(0.0);  // r(x) per element
  bool weighted = false;                    // per-sample weights multiply dphi
  std::string prox_name;                    // for symbol names and reports
  expr::Expr prox = expr::Expr(0.0);        // elementwise prox, inlined into the update pass
  std::string prox_canonical;               // expr::canonical(prox) if known (saves a tree walk)
  int prox_parameter_count = 0;
  // A prox that is not elementwise (tv1d, projections, slope, ...): the kernel writes the trial
  // point to a buffer and calls KernelArgs::prox_call on it (precompiled runtime code).
  bool prox_call = false;
  // Stochastic solvers with an elementwise prox: how skipped steps are caught up on sparse data
  // (the prox's declared rule, solver_rules.h; none elsewhere, as nothing else reads it).
  LaggedRule lagged;
  ScalarType scalar = ScalarType::f64;
  Layout layout = Layout::dense_row_major;
  // FISTA: drop the momentum when it points uphill (O'Donoghue and Candes' gradient scheme).
  bool adaptive_restart = true;
  // Proximal gradient: Beck-Teboulle backtracking on the step (KernelArgs::step is the first).
  bool backtracking = false;

  // Canonical text of everything above that changes the machine code.
  std::string canonical() const;
};

// Kernels work on whole vectors of kKernelLanes elements: every row of A is padded with zeros
// to a multiple of kKernelLanes (the row stride) and so is every vector, and buffers are
// aligned to a vector. Then no loop needs a scalar remainder, whatever the size. The padded
// copies are made once per problem (see kernel_data.h).
inline constexpr std::int64_t kKernelLanes = 8;
constexpr std::int64_t padded_length(std::int64_t n) {
  return (n + kKernelLanes - 1) / kKernelLanes * kKernelLanes;
}

// The kernel ABI: one pointer to this struct. Every field is 8 bytes; the IR emitter reads them
// by index (see ArgField in codegen/src/emit_kernel.cpp), so the order here is the ABI.
struct KernelArgs {
  const void* A = nullptr;  // dense: padded_length(rows) x padded_length(cols), zero padding
                            // (quadratic: rows = cols); sparse: the nonzeros (kernel_data.h)
  const void* b = nullptr;  // padded length: cols (quadratic) or rows (losses)
  void* x = nullptr;        // in: start point; out: last iterate (padded length cols, padding 0)
  void* work = nullptr;     // scratch, kernel_work_size elements
  std::int64_t rows = 0;    // samples n (losses) or d (quadratic), unpadded
  std::int64_t cols = 0;    // unknowns d, unpadded
  const double* params = nullptr;  // prox parameters, in the slots the spec's expression reads
  double step = 0.0;
  double tolerance = 0.0;  // stop when the certificate <= tolerance (0: run the whole budget)
  std::int64_t max_iterations = 0;
  // Progress: every `report_every` iterations (0: never) the kernel calls
  //   progress(progress_context, iteration, certificate, x)
  // and stops with the returned SolveStatus code if it is non-zero. Traces, callbacks, time
  // limits and interrupts are built on it; it is a pointer, so cached kernels stay valid.
  std::int64_t (*progress)(void* context, std::int64_t iteration, double certificate,
                           const void* x) = nullptr;
  void* progress_context = nullptr;
  std::int64_t report_every = 0;
  // Outputs.
  std::int64_t iterations = 0;
  double certificate = 0.0;  // ||x_{k+1} - x_k|| / step at the last step
  std::int64_t status = 0;   // a proxjit::SolveStatus value
  // Sparse layouts: A holds the nonzero values; offsets (outer size + 1) and 32-bit indices.
  const std::int64_t* offsets = nullptr;
  const std::int32_t* indices = nullptr;
  const void* weights = nullptr;        // per-sample weights (padded rows), when spec.weighted
  const double* loss_params = nullptr;  // the loss's parameters, by slot
  std::int64_t penalized = 0;           // r applies to x[0, penalized); the rest (an intercept)
                                        // takes plain gradient steps
  double curvature = 0.0;               // sup phi'' (coordinate descent; 1 if unbounded)
  // spec.prox_call: out[0, n) = prox_{step r}(y[0, n)), in the kernel's scalar type.
  void (*prox_call)(void* context, const void* y, double step, void* out, std::int64_t n) = nullptr;
  void* prox_context = nullptr;
  // Stochastic solvers (sgd, saga, svrg; runtime/stochastic_solver.h): splitmix64's seed, SGD's
  // mini-batch size, step schedule (a StepSchedule value) and averaging (0 or 1), and the
  // sampling (a Sampling value). max_iterations counts epochs.
  std::uint64_t seed = 0;
  std::int64_t batch_size = 1;
  std::int64_t step_schedule = 0;
  std::int64_t sampling = 0;
  std::int64_t averaging = 0;
  // SAGA and SVRG on CSR with a called block prox (group_l2) whose groups allow lagged steps
  // (GroupLag in stochastic_solver.h): each penalized coordinate's group, then the groups'
  // starts (groups + 1 entries, the last = penalized). nullptr: dense steps.
  const std::int64_t* groups = nullptr;
};
static_assert(sizeof(KernelArgs) == 30 * 8, "KernelArgs fields are all 8 bytes");

using KernelFunction = void (*)(KernelArgs*);

// Scratch elements a kernel needs in KernelArgs::work (aligned like the data).
std::int64_t kernel_work_size(const KernelSpec& spec, std::int64_t rows, std::int64_t cols);

// Where coordinate descent on a loss keeps its state in the work buffer, as element offsets:
// the margins z = A x after the five vectors of the unknowns, then (coordinate Newton)
// phi(z_i, b_i), w_i phi'(z_i, b_i) and w_i phi''(z_i, b_i); proximal Newton steps keep the
// gradient of f in the first vector. Between iterations they hold the values at the current x,
// so the engine's gap checks read them instead of recomputing.
struct CoordinateWorkLayout {
  std::int64_t margins = 0;
  std::int64_t loss = 0;
  std::int64_t weighted_slope = 0;
  std::int64_t gradient = 0;
};
inline constexpr std::int64_t kMarginsWorkVector = 5;  // in vectors of the padded unknowns
constexpr CoordinateWorkLayout coordinate_work_layout(std::int64_t rows, std::int64_t cols) {
  const std::int64_t margins = kMarginsWorkVector * padded_length(cols);
  return {margins, margins + padded_length(rows), margins + 2 * padded_length(rows), 0};
}

}  // namespace proxjit
