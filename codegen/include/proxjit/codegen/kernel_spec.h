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

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/expr.h"
#include "proxjit/runtime/scalar.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit {

enum class Algorithm { proximal_gradient };

constexpr std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::proximal_gradient: return "pgd";
  }
  return "unknown";
}

struct KernelSpec {
  Algorithm algorithm = Algorithm::proximal_gradient;
  SmoothKind smooth = SmoothKind::quadratic;
  std::string smooth_name;           // for symbol names and reports
  std::string prox_name;             // for symbol names and reports
  expr::Expr prox = expr::Expr(0.0);  // elementwise prox, inlined into the update pass
  std::string prox_canonical;         // expr::canonical(prox) if known (saves a tree walk)
  int prox_parameter_count = 0;
  ScalarType scalar = ScalarType::f64;
  Layout layout = Layout::dense_row_major;

  // Canonical text of everything above that changes the machine code.
  std::string canonical() const;
};

// Options that change the machine code; they are part of the kernel key.
struct CodegenOptions {
  int optimization_level = 2;  // 0..3, the new pass manager's default<On> pipeline
  // Vector width preference in bits (0: let LLVM choose; 512 uses zmm on AVX-512 hosts).
  int prefer_vector_width = 0;

  std::string canonical() const;
};

// The kernel ABI: one pointer to this struct. Every field is 8 bytes; the IR emitter reads them
// by index (see kernel_args_fields in codegen), so the order here is the ABI.
struct KernelArgs {
  const void* A = nullptr;        // dense row-major rows x cols, in the kernel's scalar type
  const void* b = nullptr;        // length: cols (quadratic) or rows (least_squares)
  void* x = nullptr;              // in: start point; out: last iterate (length cols)
  void* work = nullptr;           // scratch: gradient (cols) then residual (rows)
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  const double* params = nullptr;  // prox parameters, in the slots the spec's expression reads
  double step = 0.0;
  double tolerance = 0.0;         // stop when the certificate <= tolerance
  std::int64_t max_iterations = 0;
  // Outputs.
  std::int64_t iterations = 0;
  double certificate = 0.0;       // ||x_{k+1} - x_k|| / step at the last step
  std::int64_t status = 0;        // a proxjit::SolveStatus value
};
static_assert(sizeof(KernelArgs) == 13 * 8, "KernelArgs fields are all 8 bytes");

using KernelFunction = void (*)(KernelArgs*);

// Scratch elements a kernel needs in KernelArgs::work.
std::int64_t kernel_work_size(const KernelSpec& spec, std::int64_t rows, std::int64_t cols);

}  // namespace proxjit
