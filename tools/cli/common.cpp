#include "common.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit::cli {
namespace {

std::vector<std::string> algorithm_names() {
  std::vector<std::string> names;
  for (const AlgorithmEntry& entry : algorithm_table())
    names.push_back(entry.name);
  return names;
}

// io errors should name the file already; this guarantees it, and adds which flag it was.
std::string with_file_context(const std::string& flag, const std::string& path,
                              const std::string& message) {
  if (message.find(path) != std::string::npos) return flag + ": " + message;
  return flag + " " + path + ": " + message;
}

}  // namespace

const std::vector<AlgorithmEntry>& algorithm_table() {
  static const std::vector<AlgorithmEntry> table = {
      {std::string(to_string(Algorithm::proximal_gradient)), Algorithm::proximal_gradient,
       "proximal gradient: x <- prox_{step r}(x - step * grad f(x))"},
  };
  return table;
}

void add_problem_flags(CLI::App& app, ProblemFlags& flags, bool data_required) {
  app.add_option("--f", flags.smooth, "Smooth term f, e.g. quadratic or least_squares")
      ->required()
      ->type_name("NAME");
  app.add_option("--r", flags.prox, "Prox term r, e.g. \"l1(lambda=0.1)\" (see proxjit list)")
      ->required()
      ->type_name("TEXT");
  CLI::Option* matrix =
      app.add_option("--A", flags.matrix_path, "Data matrix A (.npy or .csv)")->type_name("FILE");
  CLI::Option* vector =
      app.add_option("--b", flags.vector_path, "Data vector b (.npy or .csv)")->type_name("FILE");
  if (data_required) {
    matrix->required();
    vector->required();
  }
}

void add_kernel_flags(CLI::App& app, KernelFlags& flags) {
  app.add_option("--algorithm", flags.algorithm, "Solver loop (see proxjit list)")
      ->check(CLI::IsMember(algorithm_names()))
      ->capture_default_str();
  app.add_option("--dtype", flags.dtype, "Scalar type the kernel computes in")
      ->check(CLI::IsMember(
          {std::string(to_string(ScalarType::f64)), std::string(to_string(ScalarType::f32))}))
      ->capture_default_str();
  app.add_option("--opt-level", flags.optimization_level, "LLVM optimization level, 0..3")
      ->capture_default_str();
  app.add_option("--prefer-vector-width", flags.prefer_vector_width,
                 "Preferred vector width in bits (0: let LLVM choose)")
      ->capture_default_str();
}

SolverOptions kernel_options_from(const KernelFlags& flags) {
  SolverOptions options;
  for (const AlgorithmEntry& entry : algorithm_table()) {
    if (entry.name == flags.algorithm) options.algorithm = entry.algorithm;
  }
  options.scalar = flags.dtype == to_string(ScalarType::f32) ? ScalarType::f32 : ScalarType::f64;
  options.codegen.optimization_level = flags.optimization_level;
  options.codegen.prefer_vector_width = flags.prefer_vector_width;
  return options;
}

Backend backend_named(const std::string& name) {
  if (name == to_string(Backend::jit)) return Backend::jit;
  if (name == to_string(Backend::reference)) return Backend::reference;
  throw Error("--backend must be jit or reference, got '" + name + "'");
}

void validate_options(const SolverOptions& options) {
  std::string error;
  if (options.IsValid(&error)) return;
  // IsValid names SolverOptions fields; a command-line user needs the flag.
  static const std::vector<std::pair<std::string, std::string>> field_flags = {
      {"codegen.optimization_level", "--opt-level"},
      {"codegen.prefer_vector_width", "--prefer-vector-width"},
      {"max_iterations", "--max-iter"},
      {"tolerance", "--tol"},
      {"repeat", "--repeat"},
      {"step", "--step"},
      {"x0", "--x0"},
      {"algorithm", "--algorithm"},
      {"scalar", "--dtype"},
      {"backend", "--backend"},
  };
  for (const auto& [field, flag] : field_flags) {
    if (error.starts_with(field)) throw Error(flag + ": " + error);
  }
  throw Error(error);
}

Matrix load_matrix_for(const std::string& flag, const std::string& path) {
  try {
    return load_matrix(path);
  } catch (const Error& error) {
    throw Error(with_file_context(flag, path, error.what()));
  }
}

Vector load_vector_for(const std::string& flag, const std::string& path) {
  try {
    return load_vector(path);
  } catch (const Error& error) {
    throw Error(with_file_context(flag, path, error.what()));
  }
}

Problem load_problem(const ProblemFlags& flags) {
  if (flags.matrix_path.empty() || flags.vector_path.empty()) {
    throw Error("the data are missing: pass --A and --b (or --n for a synthetic problem)");
  }
  // Parse the components first: a typo in --r is reported before a slow data load.
  const SmoothComponent smooth = SmoothComponent::parse(flags.smooth);
  const ProxComponent prox = ProxComponent::parse(flags.prox);
  Matrix A = load_matrix_for("--A", flags.matrix_path);
  Vector b = load_vector_for("--b", flags.vector_path);
  return Problem(smooth, prox, std::move(A), std::move(b));
}

Problem synthetic_problem(const ProblemFlags& flags, std::int64_t size) {
  if (!flags.matrix_path.empty() || !flags.vector_path.empty()) {
    throw Error("--n makes a synthetic problem; do not combine it with --A or --b");
  }
  const SmoothComponent smooth = SmoothComponent::parse(flags.smooth);
  const ProxComponent prox = ProxComponent::parse(flags.prox);
  // Tridiagonal [-1 4 -1]: symmetric, positive definite, square, so it fits every smooth term.
  Matrix A = Matrix::Zero(size, size);
  for (Eigen::Index i = 0; i < size; ++i) {
    A(i, i) = 4.0;
    if (i + 1 < size) A(i, i + 1) = A(i + 1, i) = -1.0;
  }
  Vector b = Vector::Ones(size);
  return Problem(smooth, prox, std::move(A), std::move(b));
}

std::string format_number(double value) {
  char buffer[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

}  // namespace proxjit::cli
