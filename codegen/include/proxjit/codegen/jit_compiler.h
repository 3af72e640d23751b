#pragma once
// KernelSpec in, callable kernel out. Hides LLVM (IR emission, the new-PM optimization
// pipeline, machine-code generation and ORC LLJIT linking) behind a small interface.
//
// Set PROXJIT_DUMP_IR=1 to print the IR after each stage, with the time each stage took,
// on stderr (or PROXJIT_DUMP_IR=<dir> to write <symbol>.<stage>.ll files there).

#include <memory>
#include <string>

#include "proxjit/codegen/kernel_spec.h"

namespace proxjit {

struct CompileTimings {
  double ir_seconds = 0.0;        // building the IR
  double optimize_seconds = 0.0;  // the pass pipeline
  double codegen_seconds = 0.0;   // machine code to an object in memory
  double link_seconds = 0.0;      // JIT link and symbol lookup
  double total() const { return ir_seconds + optimize_seconds + codegen_seconds + link_seconds; }
};

struct CompiledKernel {
  KernelFunction entry = nullptr;
  std::string symbol;
  CompileTimings timings;
  // The relocatable object the kernel was linked from: what the disk cache stores. External
  // references in it are by name, so it links into any process of the same target.
  std::string object;
};

class JitCompiler {
 public:
  // Sets up LLVM's native target and an LLJIT for the host CPU. Throws proxjit::Error.
  JitCompiler();
  ~JitCompiler();
  JitCompiler(const JitCompiler&) = delete;
  JitCompiler& operator=(const JitCompiler&) = delete;

  // Compiles and links one kernel. Thread-safe; throws proxjit::Error if LLVM fails.
  CompiledKernel compile(const KernelSpec& spec, const CodegenOptions& options,
                         const std::string& symbol);

  // Links an object made by `compile` (in this or another process) and returns its entry.
  // Throws proxjit::Error if the object cannot be linked; only link_seconds is set.
  CompiledKernel link_object(const std::string& object, const std::string& symbol);

  // Triple, CPU name and features, and LLVM version: the part of a kernel key that says
  // where the machine code may run.
  const std::string& target_description() const;
  // Seconds spent creating the JIT (one-time set-up).
  double setup_seconds() const;

  // Optimized IR and assembly of a spec, compiled on the side (not linked).
  std::string optimized_ir(const KernelSpec& spec, const CodegenOptions& options);
  std::string assembly(const KernelSpec& spec, const CodegenOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace proxjit
