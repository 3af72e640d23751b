// `proxjit gen`: seeded synthetic data on the command line (runtime/synthetic.h, the REPL's
// generators), written as .npy, CSV, Matrix Market or LIBSVM, so every example can start from
// files anyone can make.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>

#include "../text_util.h"
#include "commands.h"
#include "common.h"
#include "output_files.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/number_text.h"
#include "proxjit/runtime/synthetic.h"

namespace proxjit::cli {
namespace {

const std::vector<std::string> kKinds = {"lasso",  "quadratic", "classification",
                                         "regression", "counts", "multiclass"};

struct GenFlags {
  std::string kind;
  std::int64_t n = 1000;
  std::int64_t d = 0;  // 0: the kind's default
  std::int64_t seed = 0;
  double noise = 0.1;
  std::int64_t nnz = -1;
  double density = 0.1;
  std::int64_t classes = 3;
  bool zero_one = false;
  std::string out_path;
  std::string b_out_path;
  std::string x_true_out_path;
};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool is_libsvm(const std::string& path) {
  const std::string lower = lowercase(path);
  return lower.ends_with(".svm") || lower.ends_with(".libsvm") || lower.ends_with(".svmlight");
}

bool is_matrix_market(const std::string& path) { return lowercase(path).ends_with(".mtx"); }

// A and b as files: LIBSVM holds both; otherwise A in --out and b in --b-out.
void write_data(const GenFlags& flags, const SparseMatrix* sparse, const Matrix* dense,
                const Vector& b) {
  if (is_libsvm(flags.out_path)) {
    if (!flags.b_out_path.empty()) {
      throw Error("--b-out: a LIBSVM file (--out " + flags.out_path + ") holds b already");
    }
    save_libsvm(flags.out_path, sparse ? *sparse : SparseMatrix(dense->sparseView()), b);
    return;
  }
  if (flags.b_out_path.empty()) {
    throw Error("--b-out FILE is needed: --out " + flags.out_path +
                " holds A only (a .svm file would hold both)");
  }
  if (is_matrix_market(flags.out_path)) {
    save_matrix_market(flags.out_path, sparse ? *sparse : SparseMatrix(dense->sparseView()));
  } else if (sparse) {
    if (double(sparse->rows()) * double(sparse->cols()) > 2e8) {
      throw Error("--out " + flags.out_path + ": " + std::to_string(sparse->rows()) + " x " +
                  std::to_string(sparse->cols()) +
                  " is too large to write densely; write .svm or .mtx");
    }
    save_matrix(flags.out_path, Matrix(*sparse));
  } else {
    save_matrix(flags.out_path, *dense);
  }
  if (is_matrix_market(flags.b_out_path)) {
    // An n x 1 matrix, as load_vector reads a Matrix Market vector.
    save_matrix_market(flags.b_out_path, SparseMatrix(Matrix(b).sparseView()));
  } else {
    save_vector(flags.b_out_path, b);
  }
}

int run_gen(const GenFlags& flags) {
  if (std::find(kKinds.begin(), kKinds.end(), flags.kind) == kKinds.end()) {
    throw Error("gen: unknown kind '" + printable(flags.kind) + "'" +
                tools::did_you_mean(flags.kind, kKinds) + "; expected " + tools::joined(kKinds));
  }
  check_output_files({}, {{"--out", flags.out_path},
                          {"--b-out", flags.b_out_path},
                          {"--x-true-out", flags.x_true_out_path}});
  const bool dense_kind = flags.kind == "lasso" || flags.kind == "quadratic";
  const std::int64_t d = flags.d > 0 ? flags.d : (flags.kind == "quadratic" ? 50 : 200);
  if (flags.n < 1) throw Error("--n must be >= 1, got " + std::to_string(flags.n));
  if (flags.d < 0) throw Error("--d must be >= 1, got " + std::to_string(flags.d));
  if (flags.seed < 0) throw Error("--seed must be >= 0, got " + std::to_string(flags.seed));
  const double entries = flags.kind == "quadratic" ? double(d) * double(d)
                         : dense_kind             ? double(flags.n) * double(d)
                                                  : double(flags.n) * double(d) * flags.density;
  if (entries > 2e8) {
    throw Error("gen: " + number_text(entries) + " entries would be generated; at most 2e8");
  }
  if (flags.zero_one && flags.kind != "classification") {
    throw Error("--zero-one applies to classification (two labels)");
  }
  const auto seed = static_cast<std::uint64_t>(flags.seed);
  Vector x_true;
  std::string what;
  if (dense_kind) {
    DenseProblem data;
    if (flags.kind == "lasso") {
      const std::int64_t nnz = flags.nnz < 0 ? std::min<std::int64_t>(10, d) : flags.nnz;
      if (nnz > d) {
        throw Error("--nnz must be <= --d (" + std::to_string(d) + "), got " +
                    std::to_string(nnz));
      }
      data = make_dense_regression(flags.n, d, nnz, flags.noise, seed);
      what = "lasso data: A " + std::to_string(flags.n) + " x " + std::to_string(d) +
             " dense, b = A x_true + noise " + number_text(flags.noise) + ", x_true with " +
             std::to_string(nnz) + " nonzeros (for --f least_squares)";
    } else {
      data = make_dense_quadratic(d, seed);
      what = "quadratic data: A " + std::to_string(d) + " x " + std::to_string(d) +
             " symmetric positive definite, b " + std::to_string(d) + " (for --f quadratic)";
    }
    write_data(flags, nullptr, &data.A, data.b);
    x_true = std::move(data.x_true);
  } else {
    SyntheticProblem data;
    if (flags.kind == "classification") {
      data = make_classification(flags.n, d, flags.density, seed);
      if (flags.zero_one) data.b = data.b.unaryExpr([](double y) { return y > 0 ? 1.0 : 0.0; });
      what = std::string("classification data: labels ") + (flags.zero_one ? "0/1" : "-1/+1") +
             " (for --f logistic or squared_hinge)";
    } else if (flags.kind == "multiclass") {
      data = make_multiclass(flags.n, d, flags.density, flags.classes, seed);
      what = "multiclass data: labels 0.." + std::to_string(flags.classes - 1) +
             " (proxjit fit fits one against the rest)";
    } else if (flags.kind == "regression") {
      data = make_regression(flags.n, d, flags.density, seed);
      what = "regression data: b = A x_true + noise 0.1 (for --f least_squares or huber)";
    } else {
      data = make_counts(flags.n, d, flags.density, seed);
      what = "count data: b ~ Poisson(exp(A x_true)) (for --f poisson)";
    }
    what += ", A " + std::to_string(flags.n) + " x " + std::to_string(d) + " sparse (" +
            std::to_string(data.A.nonZeros()) + " nonzeros)";
    write_data(flags, &data.A, nullptr, data.b);
    x_true = std::move(data.x_true);
  }
  if (!flags.x_true_out_path.empty()) {
    if (x_true.size() == 0) throw Error("--x-true-out: quadratic data have no x_true");
    save_vector(flags.x_true_out_path, x_true);
  }
  std::cout << "generated " << what << " (seed " << flags.seed << ")\n  written to "
            << flags.out_path << (flags.b_out_path.empty() ? "" : " and " + flags.b_out_path)
            << "\n";
  return kExitOk;
}

}  // namespace

Command add_gen_command(CLI::App& root) {
  auto flags = std::make_shared<GenFlags>();
  CLI::App* app = root.add_subcommand(
      "gen", "Generate seeded synthetic data (the same seed gives the same file on every machine).");
  app->add_option("kind", flags->kind, "lasso | quadratic (dense); classification | regression | "
                                       "counts | multiclass (sparse)")
      ->required();
  app->add_option("--n", flags->n, "Samples (rows of A)")->capture_default_str();
  app->add_option("--d", flags->d, "Features (columns); default 200, quadratic 50");
  app->add_option("--seed", flags->seed, "The seed")->capture_default_str();
  app->add_option("--noise", flags->noise, "lasso: the noise's standard deviation")
      ->capture_default_str();
  app->add_option("--nnz", flags->nnz, "lasso: nonzeros of x_true (default min(10, d))");
  app->add_option("--density", flags->density, "Sparse kinds: the fraction of nonzero entries")
      ->capture_default_str();
  app->add_option("--classes", flags->classes, "multiclass: the number of classes")
      ->capture_default_str();
  app->add_flag("--zero-one", flags->zero_one, "classification: labels 0/1 instead of -1/+1");
  app->add_option("--out", flags->out_path,
                  "A (.npy, .csv, .mtx), or A and b together (.svm, .libsvm: LIBSVM)")
      ->type_name("FILE")
      ->required();
  app->add_option("--b-out", flags->b_out_path, "b (.npy, .csv, .mtx), unless --out is LIBSVM")
      ->type_name("FILE");
  app->add_option("--x-true-out", flags->x_true_out_path, "The planted solution (.npy or .csv)")
      ->type_name("FILE");
  app->footer(
      "Examples:\n"
      "  proxjit gen lasso --n 500 --d 100 --seed 0 --out A.npy --b-out b.npy\n"
      "  proxjit gen classification --n 2000 --d 300 --density 0.05 --out train.svm\n"
      "  proxjit gen classification --n 500 --d 300 --density 0.05 --seed 1 --zero-one "
      "--out labels01.svm\n"
      "  proxjit gen multiclass --n 3000 --d 100 --classes 4 --out three.svm\n"
      "  proxjit gen quadratic --d 50 --out Q.mtx --b-out q.csv");
  return {app, [flags] { return run_gen(*flags); }};
}

}  // namespace proxjit::cli
