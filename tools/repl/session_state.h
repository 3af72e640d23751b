#pragma once
// What a REPL session keeps between commands (the data, the problem, the options, the last
// solution), shared by the command handlers. Internal to tools/repl.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxjit/engine.h"
#include "proxjit/model.h"
#include "proxjit/runtime/error.h"
#include "repl.h"
#include "settings.h"

namespace proxjit::repl {

struct Session::State {
  Engine engine;
  std::optional<Matrix> A;
  std::optional<SparseMatrix> A_sparse;  // LIBSVM data stay CSR (sparse kernels)
  std::optional<Vector> b;
  std::string data_source;  // "gen quadratic d=50 seed=0", "A.npy, b.npy"
  std::optional<Vector> truth;
  SmoothComponent f = SmoothComponent::parse("quadratic");
  ProxComponent r = ProxComponent::parse("zero");
  bool intercept = false;          // fit an unpenalized intercept (losses over samples)
  std::optional<Problem> problem;  // built from the above on first use
  SolverOptions options;           // algorithm auto, as on the command line
  std::optional<Summary> last;
  std::optional<Model> model;  // from `fit`, `cv` or `model load`

  const Problem& current_problem() {
    if ((!A && !A_sparse) || !b) {
      throw Error("no data: use `load A.npy b.npy` or `gen lasso n=100 d=20 seed=0` first");
    }
    if (!problem) {
      ProblemOptions data_options;
      data_options.fit_intercept = intercept;
      // A classifier's two labels (0/1, 1/2) as the loss's -1/+1, as `fit` reads them.
      Vector targets = *b;
      if (f.definition().prediction == Prediction::sign_class) {
        const ClassLabels labels = ClassLabels::of(*b, "b");
        if (labels.classes.size() == 2) targets = labels.encode_binary(*b);
      }
      if (A_sparse) {
        problem.emplace(f, r, *A_sparse, targets, data_options);
      } else {
        problem.emplace(f, r, *A, targets, data_options);
      }
    }
    return *problem;
  }
  void set_sparse_data(SparseMatrix matrix, Vector vector, std::string source) {
    set_data(Matrix(), std::move(vector), std::move(source));
    A.reset();
    A_sparse = std::move(matrix);
  }
  void set_data(Matrix matrix, Vector vector, std::string source) {
    A_sparse.reset();
    A = std::move(matrix);
    b = std::move(vector);
    data_source = std::move(source);
    problem.reset();
  }
};

// True while a solve runs: Session::solving() reads it for the SIGINT handler.
std::atomic<bool>& solving_flag();

// Marks a solve in progress for the SIGINT handler, and clears the interrupt flag first.
class SolvingScope {
 public:
  explicit SolvingScope(std::atomic<bool>* interrupt) {
    if (interrupt) interrupt->store(false);
    solving_flag().store(true);
  }
  ~SolvingScope() { solving_flag().store(false); }
  SolvingScope(const SolvingScope&) = delete;
  SolvingScope& operator=(const SolvingScope&) = delete;
};

// Words separated by blanks; "double quotes" keep blanks in a word (file names).
std::vector<std::string> split_words(std::string_view line);
// Without leading and trailing blanks.
std::string trimmed(std::string_view text);

}  // namespace proxjit::repl
