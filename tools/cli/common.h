#pragma once
// Flags and helpers shared by several subcommands: the problem description (--f, --r, --A,
// --b), the kernel choices (--algorithm, --dtype, codegen), and data loading with messages
// that name the flag and the file.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "proxjit/options.h"
#include "proxjit/problem.h"

namespace proxjit::cli {

struct ProblemFlags {
  std::string smooth;       // --f
  std::string prox;         // --r
  std::string matrix_path;  // --A
  std::string vector_path;  // --b
};

struct KernelFlags {
  std::string algorithm = std::string(to_string(SolverOptions{}.algorithm));
  std::string dtype = std::string(to_string(SolverOptions{}.scalar));
  int optimization_level = SolverOptions{}.codegen.optimization_level;
  int prefer_vector_width = SolverOptions{}.codegen.prefer_vector_width;
};

struct AlgorithmEntry {
  std::string name;  // what --algorithm accepts
  Algorithm algorithm;
  std::string description;
};

// Every algorithm the engine knows, in the order `proxjit list` shows them.
const std::vector<AlgorithmEntry>& algorithm_table();

void add_problem_flags(CLI::App& app, ProblemFlags& flags, bool data_required);
void add_kernel_flags(CLI::App& app, KernelFlags& flags);

// Options holding the kernel choices, everything else at its default. Not yet validated.
SolverOptions kernel_options_from(const KernelFlags& flags);
Backend backend_named(const std::string& name);
// options.IsValid, with a failure thrown as proxjit::Error that also names the flag to change.
void validate_options(const SolverOptions& options);

// Loaders whose errors always name the file (and the flag it came from).
Matrix load_matrix_for(const std::string& flag, const std::string& path);
Vector load_vector_for(const std::string& flag, const std::string& path);

// The problem the flags describe, with its data loaded from --A and --b.
Problem load_problem(const ProblemFlags& flags);
// The problem the flags describe on deterministic synthetic data with `size` variables
// (A symmetric positive definite, size x size; b of length size): for inspecting kernels,
// whose code depends on shapes only.
Problem synthetic_problem(const ProblemFlags& flags, std::int64_t size);

// Shortest text that reads back as the same double.
std::string format_number(double value);

}  // namespace proxjit::cli
