// The problem the flags describe: component definitions, data files in every format, and
// a classifier's labels as users have them (two labels re-coded to -1/+1 with a note).
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "common.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/user_components.h"

namespace proxjit::cli {

Matrix load_matrix_for(const std::string& flag, const std::string& path, DataFormat format) {
  try {
    return load_matrix(path, format);
  } catch (const Error& error) {
    throw Error(with_file_context(flag, path, error.what()));
  }
}

Vector load_vector_for(const std::string& flag, const std::string& path, DataFormat format) {
  try {
    return load_vector(path, format);
  } catch (const Error& error) {
    throw Error(with_file_context(flag, path, error.what()));
  }
}

LibsvmOptions libsvm_options_from(const ProblemFlags& flags) {
  LibsvmOptions options;
  options.index_base = flags.zero_based   ? IndexBase::zero
                       : flags.one_based ? IndexBase::one
                                         : IndexBase::automatic;
  options.features = flags.n_features;
  options.ignore_extra_features = flags.ignore_extra_features;
  return options;
}

LoadedData load_data(const ProblemFlags& flags, bool sparse_matrix_market) {
  const bool data_file = !flags.data_path.empty();
  if (data_file && (!flags.matrix_path.empty() || !flags.vector_path.empty())) {
    throw Error("--data holds both A and b; do not combine it with --A or --b");
  }
  if (!data_file && flags.matrix_path.empty() && flags.vector_path.empty()) {
    throw Error("the data are missing: pass --A and --b (or --data FILE for a LIBSVM file)");
  }
  if (!data_file && (flags.matrix_path.empty() || flags.vector_path.empty())) {
    throw Error(
        std::string("the data are incomplete: ") +
        (flags.matrix_path.empty() ? "--b is given but not --A" : "--A is given but not --b") +
        "; pass both (or --data FILE)");
  }
  const DataFormat format = data_format_named(flags.format);
  if (data_file && format != DataFormat::automatic && format != DataFormat::libsvm) {
    throw Error("--format " + flags.format +
                " applies to --A and --b; --data is always a LIBSVM/svmlight file");
  }
  if (!data_file && (flags.zero_based || flags.one_based || flags.n_features > 0 ||
                     flags.ignore_extra_features)) {
    throw Error(
        "--zero-based, --one-based, --n-features and --ignore-extra-features are about LIBSVM "
        "files: they apply to --data only");
  }
  LoadedData loaded;
  if (data_file) {
    // Read straight into CSR: the kernels are specialized for sparse rows.
    try {
      LabeledSparseData data = load_libsvm_sparse(flags.data_path, libsvm_options_from(flags));
      loaded.sparse.swap(data.A);
      loaded.b = std::move(data.b);
    } catch (const Error& error) {
      throw Error(with_file_context("--data", flags.data_path, error.what()));
    }
    loaded.is_sparse = true;
    loaded.targets_source = "--data " + flags.data_path;
    return loaded;
  }
  loaded.targets_source = "--b " + flags.vector_path;
  const bool matrix_market =
      format == DataFormat::matrix_market ||
      (format == DataFormat::automatic && flags.matrix_path.ends_with(".mtx"));
  if (matrix_market && sparse_matrix_market) {
    try {
      loaded.sparse = load_matrix_market_sparse(flags.matrix_path);
    } catch (const Error& error) {
      throw Error(with_file_context("--A", flags.matrix_path, error.what()));
    }
    loaded.is_sparse = true;
  } else {
    loaded.dense = load_matrix_for("--A", flags.matrix_path, format);
  }
  loaded.b = load_vector_for("--b", flags.vector_path, format);
  return loaded;
}

ProblemData load_problem_data(const ProblemFlags& flags) {
  define_from_files(flags.define_paths);
  // Parse the components first: a typo in --r is reported before a slow data load.
  ProblemData problem{SmoothComponent::parse(flags.smooth), ProxComponent::parse(flags.prox)};
  problem.options.fit_intercept = flags.intercept;
  if (!flags.weights_path.empty()) {
    problem.options.sample_weights =
        load_vector_for("--weights", flags.weights_path, DataFormat::automatic);
  }
  problem.weights_path = flags.weights_path;
  problem.data = load_data(flags, problem.smooth.kind() == SmoothKind::margin);
  if (problem.classifier()) {
    try {
      problem.classes = ClassLabels::of(problem.data.b);
    } catch (const Error& error) {
      throw Error(problem.data.targets_source + ": " + error.what());
    }
  }
  return problem;
}

bool ProblemData::classifier() const {
  return smooth.definition().prediction == Prediction::sign_class;
}

Problem ProblemData::make_problem(const Vector& targets) const {
  // The weights' length is checked against the data by the Problem; the message then names the
  // file.
  try {
    if (data.is_sparse) return Problem(smooth, prox, data.sparse, targets, options);
    return Problem(smooth, prox, data.dense, targets, options);
  } catch (const Error& error) {
    const std::string text = error.what();
    if (!weights_path.empty() && text.rfind("sample weights", 0) == 0) {
      throw Error("--weights " + weights_path + ": " + text);
    }
    throw;
  }
}

Problem ProblemData::binary_problem(bool note) const {
  if (!classes) return make_problem(data.b);
  if (classes->classes.size() > 2) {
    throw Error(data.targets_source + ": " + std::to_string(classes->classes.size()) + " classes; " +
                smooth.name() +
                " takes two here (proxjit fit --model-out FILE fits one model per class, one "
                "against the rest)");
  }
  if (classes->classes == std::vector<double>{-1.0, 1.0}) return make_problem(data.b);
  if (note) {
    std::cerr << "proxjit: note: labels read as " << classes->describe_binary() << "\n";
  }
  return make_problem(classes->encode_binary(data.b));
}

Problem load_problem(const ProblemFlags& flags) {
  if (flags.dimension > 0) {
    if (!flags.data_path.empty() || !flags.matrix_path.empty() || !flags.vector_path.empty()) {
      throw Error("--dim is for a data-free smooth term; do not combine it with data");
    }
    define_from_files(flags.define_paths);
    return Problem::elementwise(SmoothComponent::parse(flags.smooth),
                                ProxComponent::parse(flags.prox), flags.dimension);
  }
  return load_problem_data(flags).binary_problem(/*note=*/true);
}

Problem synthetic_problem(const ProblemFlags& flags, std::int64_t size) {
  if (!flags.matrix_path.empty() || !flags.vector_path.empty()) {
    throw Error("--n makes a synthetic problem; do not combine it with --A or --b");
  }
  define_from_files(flags.define_paths);
  return synthetic_problem(SmoothComponent::parse(flags.smooth), ProxComponent::parse(flags.prox),
                           size);
}

void define_from_files(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error("--define " + path + ": cannot open the file");
    std::ostringstream text;
    text << file.rdbuf();
    define_components(text.str(), path);
  }
}

}  // namespace proxjit::cli
