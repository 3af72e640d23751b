#pragma once
// Stage 1 of a compile: the IR of one fused kernel from a KernelSpec.

#include <memory>
#include <string>

#include "llvm_headers.h"
#include "proxjit/codegen/kernel_spec.h"

namespace proxjit::codegen {

// Builds `void <symbol>(KernelArgs*)`, which runs the whole solver loop.
std::unique_ptr<llvm::Module> emit_kernel(llvm::LLVMContext& context, const KernelSpec& spec,
                                          const CodegenOptions& options, const std::string& symbol);

}  // namespace proxjit::codegen
