#pragma once
// The smooth-term contract. A smooth component f is defined in its own file under src/smooth/:
// its formula, the shape it expects of the data (A, b), a reference value-and-gradient in plain
// C++ for float and double, and a bound on the Lipschitz constant of its gradient.
// The JIT emits the matching gradient for the data layout in codegen/.

#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "proxjit/runtime/dense.h"

namespace proxjit {

template <class T>
using MatrixOf = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using VectorOf = Eigen::Matrix<T, Eigen::Dynamic, 1>;

enum class SmoothKind { quadratic, least_squares };

struct SmoothDefinition {
  std::string name;
  SmoothKind kind;
  std::string formula;     // f(x), for `proxjit list` and the docs
  std::string data_shape;  // what A and b must be
  // Throws proxjit::Error when A and b do not fit this term.
  void (*check_data)(const Matrix& A, const Vector& b);
  // Makes checked data exact where the math relies on it (quadratic: A = (A + A')/2, so that
  // a kernel may read one triangle); null when nothing is needed.
  void (*normalize_data)(Matrix& A);
  // Number of unknowns x for this data.
  Eigen::Index (*variables)(const Matrix& A);
  // f(x), and its gradient into g (already sized).
  double (*value_and_gradient_f64)(const MatrixOf<double>& A, const VectorOf<double>& b,
                                   const VectorOf<double>& x, VectorOf<double>& g);
  double (*value_and_gradient_f32)(const MatrixOf<float>& A, const VectorOf<float>& b,
                                   const VectorOf<float>& x, VectorOf<float>& g);
  // An upper bound on the Lipschitz constant of grad f (power iteration; slightly inflated).
  double (*lipschitz)(const Matrix& A);
};

const std::vector<SmoothDefinition>& smooth_registry();

class SmoothComponent {
 public:
  // "quadratic", "least_squares" (no parameters yet; the syntax matches the prox one).
  static SmoothComponent parse(std::string_view text);
  static SmoothComponent make(std::string_view name) { return parse(name); }

  const SmoothDefinition& definition() const { return *definition_; }
  const std::string& name() const { return definition_->name; }
  SmoothKind kind() const { return definition_->kind; }
  std::string describe() const { return definition_->name; }

  template <class T>
  double value_and_gradient(const MatrixOf<T>& A, const VectorOf<T>& b, const VectorOf<T>& x,
                            VectorOf<T>& g) const {
    if constexpr (std::is_same_v<T, float>) {
      return definition_->value_and_gradient_f32(A, b, x, g);
    } else {
      return definition_->value_and_gradient_f64(A, b, x, g);
    }
  }

 private:
  const SmoothDefinition* definition_ = nullptr;
};

// Largest eigenvalue of the symmetric positive semi-definite operator `apply` by power
// iteration from a fixed start (deterministic); used for default steps.
double largest_eigenvalue(Eigen::Index size,
                          const std::function<void(const Vector&, Vector&)>& apply);

// Throws proxjit::Error naming `what` and the first non-finite entry.
void check_finite(const Matrix& m, const std::string& what);
void check_finite(const Vector& v, const std::string& what);

}  // namespace proxjit
