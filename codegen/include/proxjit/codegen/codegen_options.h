#pragma once
// Options that change the machine code; they are part of the kernel key. LLVM-free, and free of
// the kernel ABI: the public options read it.

#include <string>

namespace proxjit {

struct CodegenOptions {
  // 0: no IR optimization, fast instruction selection; 1 and 2: the kernel pipeline (a few
  // cleanup passes) with less or default machine-code optimization; 3: LLVM's full O3.
  int optimization_level = 2;
  // Vector width preference in bits (0: let LLVM choose; 512 uses zmm on AVX-512 hosts).
  int prefer_vector_width = 0;

  std::string canonical() const {
    return "O" + std::to_string(optimization_level) + "|w" + std::to_string(prefer_vector_width);
  }
};

}  // namespace proxjit
