#include "common.h"

#include "proxjit/runtime/user_components.h"

#include "../text_util.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include <iostream>
#include <sstream>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit::cli {
namespace {

using tools::did_you_mean;
using tools::joined;
using tools::prox_names;
using tools::smooth_names;

}  // namespace

std::string with_file_context(const std::string& flag, const std::string& path,
                              const std::string& message) {
  if (message.find(path) != std::string::npos) return flag + ": " + message;
  return flag + " " + path + ": " + message;
}

void add_cache_flags(CLI::App& app, CacheFlags& flags) {
  CLI::Option* directory =
      app.add_option("--cache-dir", flags.directory,
                     "Keep compiled kernels in this directory across processes (turns the disk "
                     "cache on even if PROXJIT_NO_CACHE is set)")
          ->type_name("DIR");
  CLI::Option* off = app.add_flag("--no-cache", flags.off,
                                  "Do not use the disk kernel cache (compile in this process)");
  directory->excludes(off);
}

EngineOptions engine_options_from(const CacheFlags& flags) {
  EngineOptions options = EngineOptions::from_environment();
  if (flags.off) {
    options.disk_cache = false;
  } else if (!flags.directory.empty()) {
    options.disk_cache = true;
    options.cache_directory = flags.directory;
  }
  return options;
}

void warn_about_disk_cache(const Engine& engine) {
  if (!engine.disk_cache_problem().empty()) {
    std::cerr << "proxjit: warning: " << engine.disk_cache_problem()
              << "; continuing without the disk cache\n";
  }
}

std::filesystem::path cache_directory_from(const CacheFlags& flags) {
  return flags.directory.empty() ? DiskCache::default_directory()
                                 : std::filesystem::path(flags.directory);
}

std::string KernelSignature::text() const {
  std::string text = smooth->name + " " + prox->name + " " + std::string(to_string(scalar));
  if (smooth->kind == SmoothKind::margin) text += sparse ? " sparse" : " dense";
  return text;
}

KernelSignature parse_signature(const std::string& text, ScalarType default_scalar,
                                const std::string& flag) {
  std::istringstream words(text);
  std::vector<std::string> parts;
  for (std::string word; words >> word;)
    parts.push_back(word);
  const std::string quoted = flag + " \"" + text + "\"";
  if (parts.size() < 2 || parts.size() > 4) {
    throw Error(quoted + ": expected \"SMOOTH PROX [DTYPE] [dense|sparse]\", e.g. " +
                "\"quadratic l1\", \"least_squares box float32\" or \"logistic l1 sparse\"");
  }
  KernelSignature signature;
  signature.scalar = default_scalar;
  for (const SmoothDefinition& smooth : smooth_registry()) {
    if (smooth.name == parts[0]) signature.smooth = &smooth;
  }
  if (!signature.smooth) {
    throw Error(quoted + ": unknown smooth term '" + parts[0] + "'" +
                did_you_mean(parts[0], smooth_names()) + "; known: " + joined(smooth_names()));
  }
  // "l1(lambda=0.1)" names the same kernel as "l1": parameter values are not compiled in.
  std::string prox_name = parts[1];
  if (prox_name.find('(') != std::string::npos) {
    try {
      prox_name = parse_component_text(prox_name).name;
    } catch (const Error& error) {
      throw Error(quoted + ": " + error.what());
    }
  }
  for (const ProxDefinition& prox : prox_registry()) {
    if (prox.name == prox_name) signature.prox = &prox;
  }
  if (!signature.prox) {
    throw Error(quoted + ": unknown prox '" + prox_name + "'" +
                did_you_mean(prox_name, prox_names()) + "; known: " + joined(prox_names()));
  }
  for (std::size_t p = 2; p < parts.size(); ++p) {
    if ((parts[p] == "dense" || parts[p] == "sparse") && !signature.storage_given) {
      signature.sparse = parts[p] == "sparse";
      signature.storage_given = true;
    } else if (!signature.scalar_given) {
      signature.scalar = scalar_named(parts[p], quoted);
      signature.scalar_given = true;
    } else {
      throw Error(quoted + ": unexpected '" + parts[p] +
                  "'; expected \"SMOOTH PROX [DTYPE] [dense|sparse]\"");
    }
  }
  if (signature.sparse && signature.smooth->kind != SmoothKind::margin) {
    throw Error(quoted + ": " + signature.smooth->name +
                " takes dense data; sparse data are for losses over samples such as "
                "least_squares or logistic");
  }
  return signature;
}

std::vector<KernelSignature> for_each_dtype(const KernelSignature& signature,
                                            const std::vector<ScalarType>& scalars) {
  if (signature.scalar_given || scalars.empty()) return {signature};
  std::vector<KernelSignature> typed;
  for (const ScalarType scalar : scalars) {
    KernelSignature one = signature;
    one.scalar = scalar;
    one.scalar_given = true;
    typed.push_back(one);
  }
  return typed;
}

std::vector<KernelSignature> with_both_storages(const std::vector<KernelSignature>& signatures) {
  std::vector<KernelSignature> expanded;
  for (const KernelSignature& signature : signatures) {
    expanded.push_back(signature);
    if (!signature.storage_given && signature.smooth->kind == SmoothKind::margin) {
      KernelSignature sparse = signature;
      sparse.sparse = true;
      sparse.storage_given = true;
      expanded.push_back(sparse);
    }
  }
  return expanded;
}

std::vector<KernelSignature> builtin_signatures(const std::vector<ScalarType>& scalars) {
  std::vector<KernelSignature> signatures;
  for (const ScalarType scalar : scalars) {
    for (const SmoothDefinition& smooth : smooth_registry()) {
      for (const ProxDefinition& prox : prox_registry())
        signatures.push_back({&smooth, &prox, scalar, true});
    }
  }
  return signatures;
}

KernelSpec kernel_spec_for(const KernelSignature& signature, const SolverOptions& options) {
  SolverOptions typed = options;
  typed.scalar = signature.scalar;
  // `auto` as a solve resolves it (the plan): the same kernel a first solve would want.
  return Engine::kernel_spec_for(*signature.smooth, *signature.prox, typed, signature.sparse);
}

ProxComponent sample_prox(const ProxDefinition& prox, std::int64_t size) {
  std::vector<std::pair<std::string, double>> arguments;
  std::vector<std::pair<std::string, std::vector<double>>> lists;
  for (const ParameterSpec& parameter : prox.parameters) {
    if (!parameter.required) continue;
    if (parameter.is_list) {
      // One group of everything, or non-increasing weights (slope's lambdas).
      std::vector<double> values(static_cast<std::size_t>(size));
      for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = 0.1 / static_cast<double>(i + 1);
      if (parameter.name == "groups") values = {static_cast<double>(size)};
      lists.emplace_back(parameter.name, std::move(values));
      continue;
    }
    double value = parameter.name == "lo" ? -1.0 : parameter.name == "hi" ? 1.0 : 0.1;
    if (parameter.is_valid && !parameter.is_valid(value)) value = 1.0;
    arguments.emplace_back(parameter.name, value);
  }
  return ProxComponent::make(prox.name, arguments, lists);
}

Problem synthetic_problem(const SmoothComponent& smooth, const ProxComponent& prox,
                          std::int64_t size) {
  // Tridiagonal [-1 4 -1]: symmetric, positive definite, square, so it fits every smooth term.
  Matrix A = Matrix::Zero(size, size);
  for (Eigen::Index i = 0; i < size; ++i) {
    A(i, i) = 4.0;
    if (i + 1 < size) A(i, i + 1) = A(i + 1, i) = -1.0;
  }
  Vector b = Vector::Ones(size);
  return Problem(smooth, prox, std::move(A), std::move(b));
}

void add_problem_flags(CLI::App& app, ProblemFlags& flags, bool data_required) {
  app.add_option("--f", flags.smooth, "Smooth term f, e.g. quadratic or least_squares")
      ->required()
      ->type_name("NAME");
  app.add_option("--r", flags.prox, "Prox term r, e.g. \"l1(lambda=0.1)\" (see proxjit list)")
      ->required()
      ->type_name("TEXT");
  CLI::Option* matrix =
      app.add_option("--A", flags.matrix_path, "Data matrix A (.npy, .csv or .mtx)")
          ->type_name("FILE");
  CLI::Option* vector =
      app.add_option("--b", flags.vector_path, "Data vector b (.npy, .csv or .mtx)")
          ->type_name("FILE");
  if (data_required) {
    matrix->required();
    vector->required();
  }
  app.add_option("--define", flags.define_paths,
                 "A file of user-defined components, e.g. `loss my_logistic(z, y) = "
                 "log1p(exp(-y*z))` or `prox my_l1(y, alpha; lambda) = sign(y)*max(abs(y) - "
                 "alpha*lambda, 0)`; their names then work in --f and --r (repeatable)")
      ->type_name("FILE");
  app.add_option("--dim", flags.dimension,
                 "Number of unknowns for a data-free smooth term f(x) = sum_i g(x_i) defined with "
                 "`smooth NAME(x) = ...` (instead of data)")
      ->type_name("N");
  app.add_option("--weights", flags.weights_path,
                 "One weight >= 0 per sample (.npy, .csv or .mtx): f = 1/n sum_i w_i phi_i")
      ->type_name("FILE");
  app.add_flag("--intercept", flags.intercept,
               "Fit an unpenalized intercept (the last entry of x) for a loss over samples");
}

void add_data_file_flags(CLI::App& app, ProblemFlags& flags) {
  app.add_option("--format", flags.format,
                 "Format of --A and --b: npy, csv, mtx, libsvm or auto (by extension: .npy, "
                 ".csv/.txt, .mtx, .svm/.libsvm/.svmlight)")
      ->type_name("FORMAT")
      ->capture_default_str();
  CLI::Option* data =
      app.add_option("--data", flags.data_path,
                     "A LIBSVM/svmlight file holding both A (features) and b (labels), "
                     "instead of --A and --b")
          ->type_name("FILE");
  for (const char* name : {"--A", "--b"}) {
    if (CLI::Option* other = app.get_option_no_throw(name)) data->excludes(other);
  }
  CLI::Option* zero = app.add_flag(
      "--zero-based", flags.zero_based,
      "--data's feature indices start at 0 (scikit-learn's dump_svmlight_file). Default: "
      "zero-based when some index is 0, else one-based (LIBSVM)");
  CLI::Option* one =
      app.add_flag("--one-based", flags.one_based, "--data's indices start at 1 (an index 0 is an error)");
  zero->excludes(one);
  app.add_option("--n-features", flags.n_features,
                 "Read --data at this width (a test file at its training width); an index beyond "
                 "it is an error")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_flag("--ignore-extra-features", flags.ignore_extra_features,
               "With --n-features: drop the entries of features beyond it instead of failing");
}

DataFormat data_format_named(const std::string& name) {
  if (name == "auto") return DataFormat::automatic;
  try {
    return parse_data_format(name);
  } catch (const Error& error) {
    const std::string message = error.what();
    if (message.starts_with("--format")) throw;
    throw Error("--format: " + message);
  }
}

const std::vector<std::string>& kernel_setting_names() {
  static const std::vector<std::string> names = {
      "algorithm", "dtype",    "opt_level",  "prefer_vector_width",
      "restart",   "seed",     "batch_size", "step_schedule",
      "sampling",  "averaging"};
  return names;
}

SolverOptions default_solver_options() {
  SolverOptions options;
  // Algorithm::automatic by default: the pair decides (the plan).
  return options;
}

namespace {

// The default as a value the flag takes: "auto" of the REPL's "auto (1/L)", "60" of "60 s".
std::string typed_default(const tools::Setting& setting, const SolverOptions& defaults) {
  const std::string shown = setting.print(defaults);
  return shown.substr(0, shown.find(' '));
}

}  // namespace

std::map<std::string, CLI::Option*> add_setting_flags(CLI::App& app, SettingFlags& flags,
                                                      const std::vector<std::string>& names,
                                                      const SolverOptions& defaults) {
  std::map<std::string, CLI::Option*> options;
  for (const std::string& name : names) {
    const tools::Setting& setting = tools::setting_named(name);
    std::map<std::string, std::string>& given = flags.given;
    CLI::Option* option = nullptr;
    if (!setting.switch_value.empty()) {
      option = app.add_flag_callback(
          setting.flag, [&given, name, value = setting.switch_value] { given[name] = value; },
          setting.help);
    } else {
      option = app.add_option_function<std::string>(
                      setting.flag, [&given, name](const std::string& text) { given[name] = text; },
                      setting.help)
                   ->type_name(setting.value_name)
                   ->default_str(typed_default(setting, defaults));
    }
    options[name] = option;
  }
  for (const auto& [name, option] : options) {
    const std::string& excluded = tools::setting_named(name).excludes;
    if (!excluded.empty() && options.count(excluded)) option->excludes(options[excluded]);
  }
  return options;
}

SolverOptions apply_setting_flags(const SettingFlags& flags, SolverOptions base) {
  for (const tools::Setting& setting : tools::solver_settings()) {
    const auto given = flags.given.find(setting.name);
    if (given != flags.given.end()) setting.parse(given->second, base, setting.flag);
  }
  return base;
}

void validate_options(const SolverOptions& options) {
  // IsValid names SolverOptions fields; a command-line user needs the flag.
  tools::validate_settings(options, [](const tools::Setting& setting) { return setting.flag; },
                           {{"x0", "--x0"}, {"trace_every", "--trace-every"}});
}

}  // namespace proxjit::cli
