#pragma once
// Flags and helpers shared by several subcommands: the problem description (--f, --r, --A,
// --b), the kernel choices (--algorithm, --dtype, codegen), and data loading with messages
// that name the flag and the file.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/engine.h"
#include "proxjit/model.h"
#include "proxjit/options.h"
#include "proxjit/problem.h"
#include "proxjit/runtime/io.h"
#include "settings.h"

namespace proxjit::cli {

struct ProblemFlags {
  std::string smooth;                     // --f
  std::string prox;                       // --r
  std::string matrix_path;                // --A
  std::string vector_path;                // --b
  std::string data_path;                  // --data: a LIBSVM/svmlight file holding both A and b
  std::string format = "auto";            // --format of --A and --b
  std::vector<std::string> define_paths;  // --define: files of user-defined components
  std::int64_t dimension = 0;             // --dim: unknowns of a data-free smooth term
  std::string weights_path;               // --weights: one weight per sample
  bool intercept = false;                 // --intercept: fit an unpenalized intercept
  // LIBSVM files as written in the wild (--data only).
  bool zero_based = false;             // --zero-based (default: detected)
  bool one_based = false;              // --one-based
  std::int64_t n_features = 0;         // --n-features: the width to read (a training width)
  bool ignore_extra_features = false;  // --ignore-extra-features: drop indices beyond it
};

// Solver settings given as flags (tools/settings.h), by setting name, as typed.
struct SettingFlags {
  std::map<std::string, std::string> given;
};

// The settings every kernel-building subcommand takes: --algorithm, --dtype, codegen, and the
// stochastic solvers' --seed, --batch-size, ...
const std::vector<std::string>& kernel_setting_names();

// Where compiled kernels persist across processes: --cache-dir, --no-cache.
struct CacheFlags {
  std::string directory;  // --cache-dir: an explicit directory turns the disk cache on
  bool off = false;       // --no-cache
};

using tools::algorithm_table;
using tools::AlgorithmEntry;
using tools::scalar_named;

// Options for the commands: the automatic algorithm, as `proxjit solve` runs by default.
SolverOptions default_solver_options();

void add_problem_flags(CLI::App& app, ProblemFlags& flags, bool data_required);
// --format (of --A and --b) and --data FILE (LIBSVM: A and b in one file; excludes --A/--b).
void add_data_file_flags(CLI::App& app, ProblemFlags& flags);
// --format's text as a DataFormat ("auto" is DataFormat::automatic); throws naming --format.
DataFormat data_format_named(const std::string& name);
// Registers the flag of each named setting (settings.h), its default taken from `defaults`.
// Returns the options by setting name.
std::map<std::string, CLI::Option*> add_setting_flags(CLI::App& app, SettingFlags& flags,
                                                      const std::vector<std::string>& names,
                                                      const SolverOptions& defaults);
// `base` with every setting given applied in table order; errors name the flag. Not yet
// validated (validate_options).
SolverOptions apply_setting_flags(const SettingFlags& flags, SolverOptions base);

// --cache-dir DIR and --no-cache (mutually exclusive).
void add_cache_flags(CLI::App& app, CacheFlags& flags);
// EngineOptions for the flags: --no-cache turns the disk cache off, --cache-dir turns it on in
// DIR (even with PROXJIT_NO_CACHE set); otherwise the EngineOptions defaults apply.
EngineOptions engine_options_from(const CacheFlags& flags);
// Prints "proxjit: warning: ..." on stderr when the engine could not open its disk cache.
void warn_about_disk_cache(const Engine& engine);
// The directory `cache`, `precompile` and friends work on: --cache-dir, else the default.
std::filesystem::path cache_directory_from(const CacheFlags& flags);

// A kernel signature: the structure a kernel is compiled for, independent of parameter
// values and data ("quadratic l1 float64").
struct KernelSignature {
  const SmoothDefinition* smooth = nullptr;
  const ProxDefinition* prox = nullptr;
  ScalarType scalar = ScalarType::f64;
  bool scalar_given = false;  // the text named the dtype
  // The data's storage, for losses over samples: sparse data (LIBSVM files, CSR matrices)
  // run other kernels than dense ones. Mostly nonzero sparse data run the dense ones.
  bool sparse = false;
  bool storage_given = false;  // the text said dense or sparse

  std::string text() const;  // "quadratic l1 float64", "logistic l1 float64 sparse"
};

// "SMOOTH PROX [DTYPE] [dense|sparse]" (the last two in either order); PROX may be written with
// arguments ("l1(lambda=0.1)"), which are ignored. Names are checked against the registries, with
// the nearest name suggested; a missing dtype is `default_scalar`, a missing storage dense. Throws
// proxjit::Error naming `flag`.
KernelSignature parse_signature(const std::string& text, ScalarType default_scalar,
                                const std::string& flag);
// The signature as it is when it names its dtype (or `scalars` is empty), else once for each
// of `scalars` (the --dtype flags).
std::vector<KernelSignature> for_each_dtype(const KernelSignature& signature,
                                            const std::vector<ScalarType>& scalars);
// Each signature of a loss over samples that names no storage, for dense and for sparse data
// (precompile: a deployment may read either); the others as they are.
std::vector<KernelSignature> with_both_storages(const std::vector<KernelSignature>& signatures);
// Every smooth term x every prox, for each scalar type, in registry order.
std::vector<KernelSignature> builtin_signatures(const std::vector<ScalarType>& scalars);
// The KernelSpec a solve of this signature would use (as Engine::kernel_spec builds it).
KernelSpec kernel_spec_for(const KernelSignature& signature, const SolverOptions& options);
// The prox with sample values for its required parameters (lambda 0.1, box [-1, 1]): for
// synthetic problems, whose kernels do not depend on parameter values.
ProxComponent sample_prox(const ProxDefinition& prox, std::int64_t size);
// Deterministic synthetic data with `size` variables: A tridiagonal [-1 4 -1] (symmetric
// positive definite, square, so it fits every smooth term), b all ones.
Problem synthetic_problem(const SmoothComponent& smooth, const ProxComponent& prox,
                          std::int64_t size);

// options.IsValid, with a failure thrown as proxjit::Error that also names the flag to change.
void validate_options(const SolverOptions& options);

// Loaders whose errors always name the file (and the flag it came from).
Matrix load_matrix_for(const std::string& flag, const std::string& path,
                       DataFormat format = DataFormat::automatic);
Vector load_vector_for(const std::string& flag, const std::string& path,
                       DataFormat format = DataFormat::automatic);

// "FLAG PATH: message", or "FLAG: message" when the message names the file already.
std::string with_file_context(const std::string& flag, const std::string& path,
                              const std::string& message);

// The data of --A and --b (in --format), or of --data (LIBSVM, read as --zero-based,
// --n-features, ... say).
struct LoadedData {
  Matrix dense;
  SparseMatrix sparse;  // CSR, when is_sparse
  bool is_sparse = false;
  Vector b;                    // the targets as read
  std::string targets_source;  // "--data train.svm", for messages about the targets

  Eigen::Index samples() const { return is_sparse ? sparse.rows() : dense.rows(); }
  Eigen::Index features() const { return is_sparse ? sparse.cols() : dense.cols(); }
};
// Matrix Market --A is read sparse when `sparse_matrix_market` (losses over samples).
LoadedData load_data(const ProblemFlags& flags, bool sparse_matrix_market);
LibsvmOptions libsvm_options_from(const ProblemFlags& flags);

// The components and data the flags describe, before the targets are fitted to the loss.
struct ProblemData {
  SmoothComponent smooth;
  ProxComponent prox;
  ProblemOptions options;  // --intercept, --weights
  std::string weights_path;
  LoadedData data;
  std::optional<ClassLabels> classes;  // a classifier's labels as read

  bool classifier() const;
  // The problem with these targets (the message of a --weights mismatch names the file).
  Problem make_problem(const Vector& targets) const;
  // The problem of the targets as read; a classifier's two labels re-coded to -1/+1 (with a
  // note on stderr when `note` and they were not -1/+1). More than two classes: an error that
  // points to `proxjit fit`.
  Problem binary_problem(bool note) const;
};
ProblemData load_problem_data(const ProblemFlags& flags);

// The problem the flags describe, with its data loaded from --A and --b (in --format), or
// from --data; a classifier's two labels re-coded to -1/+1 with a note.
Problem load_problem(const ProblemFlags& flags);
// Registers the user-defined components of each file (formula.h syntax); errors name the file.
void define_from_files(const std::vector<std::string>& paths);
// The problem the flags describe on deterministic synthetic data with `size` variables
// (A symmetric positive definite, size x size; b of length size): for inspecting kernels,
// whose code depends on shapes only.
Problem synthetic_problem(const ProblemFlags& flags, std::int64_t size);

}  // namespace proxjit::cli
