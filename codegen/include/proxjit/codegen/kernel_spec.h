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

// The kernel ABI: one pointer to KernelArgs. Every field is 8 bytes; the struct and the field
// indices the IR emitter reads them by (KernelArgField) are both made from this one list, so
// they cannot drift, and the order here is the ABI. X(type, name, default value).
//
// Progress: every `report_every` iterations (0: never) the kernel calls
//   progress(progress_context, iteration, certificate, x)
// and stops with the returned SolveStatus code if it is non-zero. Traces, callbacks, time limits
// and interrupts are built on it; it is a pointer, so cached kernels stay valid.
using KernelProgress = std::int64_t (*)(void* context, std::int64_t iteration, double certificate,
                                        const void* x);
// spec.prox_call: out[0, n) = prox_{step r}(y[0, n)), in the kernel's scalar type.
using KernelProxCall = void (*)(void* context, const void* y, double step, void* out,
                                std::int64_t n);
// clang-format off
#define PROXJIT_KERNEL_ARGS(X)                                                                  \
  /* dense: padded_length(rows) x padded_length(cols), zero padding (quadratic: rows = cols);  \
     sparse: the nonzeros (kernel_data.h) */                                                    \
  X(const void*, A, nullptr)                                                                    \
  X(const void*, b, nullptr)         /* padded length: cols (quadratic) or rows (losses) */     \
  X(void*, x, nullptr)               /* in: start point; out: last iterate (padded length      \
                                        cols, padding 0) */                                     \
  X(void*, work, nullptr)            /* scratch, kernel_work_size elements (WorkLayout) */      \
  X(std::int64_t, rows, 0)           /* samples n (losses) or d (quadratic), unpadded */        \
  X(std::int64_t, cols, 0)           /* unknowns d, unpadded */                                 \
  X(const double*, params, nullptr)  /* prox parameters, in the slots the spec's expression    \
                                        reads */                                                \
  X(double, step, 0.0)                                                                          \
  X(double, tolerance, 0.0)          /* stop when the certificate <= tolerance (0: run the     \
                                        whole budget) */                                        \
  X(std::int64_t, max_iterations, 0)                                                            \
  X(KernelProgress, progress, nullptr)                                                          \
  X(void*, progress_context, nullptr)                                                           \
  X(std::int64_t, report_every, 0)                                                              \
  /* Outputs. */                                                                                \
  X(std::int64_t, iterations, 0)                                                                \
  X(double, certificate, 0.0)        /* ||x_{k+1} - x_k|| / step at the last step */            \
  X(std::int64_t, status, 0)         /* a proxjit::SolveStatus value */                         \
  /* Sparse layouts: A holds the nonzero values; offsets (outer size + 1) and 32-bit indices. */\
  X(const std::int64_t*, offsets, nullptr)                                                      \
  X(const std::int32_t*, indices, nullptr)                                                      \
  X(const void*, weights, nullptr)   /* per-sample weights (padded rows), when spec.weighted */ \
  X(const double*, loss_params, nullptr) /* the loss's parameters, by slot */                   \
  X(std::int64_t, penalized, 0)      /* r applies to x[0, penalized); the rest (an intercept)  \
                                        takes plain gradient steps */                           \
  X(double, curvature, 0.0)          /* sup phi'' (coordinate descent; 1 if unbounded) */       \
  X(KernelProxCall, prox_call, nullptr)                                                         \
  X(void*, prox_context, nullptr)                                                               \
  /* Stochastic solvers (sgd, saga, svrg; runtime/stochastic_solver.h): splitmix64's seed,     \
     SGD's mini-batch size, step schedule (a StepSchedule value) and averaging (0 or 1), and   \
     the sampling (a Sampling value). max_iterations counts epochs. */                          \
  X(std::uint64_t, seed, 0)                                                                     \
  X(std::int64_t, batch_size, 1)                                                                \
  X(std::int64_t, step_schedule, 0)                                                             \
  X(std::int64_t, sampling, 0)                                                                  \
  X(std::int64_t, averaging, 0)                                                                 \
  /* SAGA and SVRG on CSR with a called block prox (group_l2) whose groups allow lagged steps  \
     (GroupLag in stochastic_solver.h): each penalized coordinate's group, then the groups'    \
     starts (groups + 1 entries, the last = penalized). nullptr: dense steps. */                \
  X(const std::int64_t*, groups, nullptr)
// clang-format on

struct KernelArgs {
#define PROXJIT_KERNEL_ARG_FIELD(type, name, initial) type name = initial;
  PROXJIT_KERNEL_ARGS(PROXJIT_KERNEL_ARG_FIELD)
#undef PROXJIT_KERNEL_ARG_FIELD
};

// A field's index in KernelArgs, in 8-byte words: what the kernel's loads address.
enum class KernelArgField : unsigned {
#define PROXJIT_KERNEL_ARG_INDEX(type, name, initial) name,
  PROXJIT_KERNEL_ARGS(PROXJIT_KERNEL_ARG_INDEX)
#undef PROXJIT_KERNEL_ARG_INDEX
      count
};
static_assert(sizeof(KernelArgs) == static_cast<std::size_t>(KernelArgField::count) * 8,
              "KernelArgs fields are all 8 bytes");
#define PROXJIT_KERNEL_ARG_OFFSET(type, name, initial)                                            \
  static_assert(offsetof(KernelArgs, name) == static_cast<std::size_t>(KernelArgField::name) * 8, \
                "KernelArgs::" #name " is at its index");
PROXJIT_KERNEL_ARGS(PROXJIT_KERNEL_ARG_OFFSET)
#undef PROXJIT_KERNEL_ARG_OFFSET

using KernelFunction = void (*)(KernelArgs*);

// The work buffer (KernelArgs::work), in elements of the kernel's scalar type: the one layout the
// emitter, kernel_work_size and the engine read. A slot starts `unknowns` padded vectors of the
// unknowns plus `samples` padded vectors of the samples into the buffer. A slot is one role;
// roles of algorithms that never run together share storage: five vectors of the unknowns,
// then vectors of the samples.
struct WorkSlot {
  std::int64_t unknowns = 0;
  std::int64_t samples = 0;
  constexpr std::int64_t offset(std::int64_t rows, std::int64_t cols) const {
    return unknowns * padded_length(cols) + samples * padded_length(rows);
  }
};

struct WorkLayout {
  static constexpr std::int64_t kUnknownVectors = 5;
  // Vector 0.
  static constexpr WorkSlot gradient{0, 0};  // grad f at the point (proximal Newton: g_j)
  // Vector 1.
  static constexpr WorkSlot fista_point{1, 0};     // FISTA's extrapolated point y
  static constexpr WorkSlot trial_gradient{1, 0};  // backtracking: grad f at the trial point
  static constexpr WorkSlot lipschitz{1, 0};       // coordinate descent's L_j
  static constexpr WorkSlot mean_gradient{1, 0};   // SAGA's average gradient, SVRG's snapshot's
  static constexpr WorkSlot batch_gradient{1, 0};  // SGD's batch gradient (zero between steps)
  // Vector 2.
  static constexpr WorkSlot fista_previous{2, 0};    // FISTA: the iterate before x
  static constexpr WorkSlot trial_point{2, 0};       // backtracking's trial point z
  static constexpr WorkSlot newton_curvature{2, 0};  // proximal Newton: the step's h_j
  static constexpr WorkSlot sgd_iterate{2, 0};       // SGD's iterate (x is what it reports)
  static constexpr WorkSlot direction{2, 0};         // SAGA/SVRG dense steps: the direction
  static constexpr WorkSlot group_step{2, 0};        // lagged group steps: a step's delta a_i
  // Vectors 3 and 4.
  static constexpr WorkSlot prox_input{3, 0};    // a called prox's trial points
  static constexpr WorkSlot newton_point{3, 0};  // proximal Newton: x + d
  static constexpr WorkSlot prox_output{4, 0};   // a called prox's output
  // Vectors of the samples. Coordinate descent on a loss: z = A x; CSR gradients stage the
  // margins and then the derivatives there.
  static constexpr WorkSlot margins{kUnknownVectors, 0};
  // Coordinate Newton: phi, w phi', w phi'' per sample at the margins and at the last trial
  // point, then the trial's margins; proximal Newton keeps u = A d in the trial's margins and
  // its (u_i, w_i phi''(z_i)) pairs (CSC) over the trial's w phi' and w phi''.
  static constexpr WorkSlot sample_values[3] = {
      {kUnknownVectors, 1}, {kUnknownVectors, 2}, {kUnknownVectors, 3}};
  static constexpr WorkSlot trial_values[3] = {
      {kUnknownVectors, 4}, {kUnknownVectors, 5}, {kUnknownVectors, 6}};
  static constexpr WorkSlot trial_margins{kUnknownVectors, 7};
  static constexpr WorkSlot direction_margins{kUnknownVectors, 7};
  static constexpr WorkSlot model_pairs{kUnknownVectors, 5};
  static constexpr WorkSlot newton_end{kUnknownVectors, 8};
  // Stochastic solvers: the per-sample scalars (SAGA's memory, SVRG's snapshot), then 64-bit
  // words (two elements' room each, for f32): each coordinate's last step (lagged updates) and
  // the epoch's sample order; then SGD's sum of iterates (averaging) or lagged totals.
  static constexpr WorkSlot sample_memory{kUnknownVectors, 0};
  static constexpr WorkSlot lags{kUnknownVectors, 1};
  static constexpr WorkSlot order{kUnknownVectors + 2, 1};
  static constexpr WorkSlot iterate_sum{kUnknownVectors + 2, 3};
  static constexpr WorkSlot stochastic_end{kUnknownVectors + 3, 3};
};

// Scratch elements a kernel needs in KernelArgs::work (aligned like the data).
std::int64_t kernel_work_size(const KernelSpec& spec, std::int64_t rows, std::int64_t cols);

// Where coordinate descent on a loss keeps its state between iterations (WorkLayout), as
// element offsets: the margins z = A x, then (coordinate Newton) phi(z_i, b_i) and
// w_i phi'(z_i, b_i); proximal Newton steps keep the gradient of f. They hold the values at the
// current x, so the engine's gap checks read them instead of recomputing.
struct CoordinateWorkLayout {
  std::int64_t margins = 0;
  std::int64_t loss = 0;
  std::int64_t weighted_slope = 0;
  std::int64_t gradient = 0;
};
constexpr CoordinateWorkLayout coordinate_work_layout(std::int64_t rows, std::int64_t cols) {
  return {WorkLayout::margins.offset(rows, cols), WorkLayout::sample_values[0].offset(rows, cols),
          WorkLayout::sample_values[1].offset(rows, cols), WorkLayout::gradient.offset(rows, cols)};
}

}  // namespace proxjit
