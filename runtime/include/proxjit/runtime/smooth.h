#pragma once
// The smooth-term contract. A smooth component f is defined in its own file under src/smooth/.
//
// Most are losses over margins, written once as expressions like the proxes:
//   f(x) = 1/n sum_i w_i phi(a_i'x, b_i)        (w_i = 1 without sample weights)
// with phi(z, b) and its derivative dphi/dz in the margin z (Op::variable) and the target b
// (Op::label). The reference path evaluates them (objective.h) and the JIT inlines dphi into
// its gradient loops, for dense and CSR data alike. The one exception is `quadratic`
// (1/2 x'Ax + b'x), whose data is a matrix of the unknowns, not samples.

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/SparseCore>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/expr.h"
#include "proxjit/runtime/expr_array.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/sparse.h"

namespace proxjit {

template <class T>
using MatrixOf = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using VectorOf = Eigen::Matrix<T, Eigen::Dynamic, 1>;
// CSR: samples are rows, always compressed.
template <class T>
using SparseMatrixOf = Eigen::SparseMatrix<T, Eigen::RowMajor>;
// CSC: what coordinate descent walks on sparse data.
template <class T>
using SparseColumnsOf = Eigen::SparseMatrix<T, Eigen::ColMajor>;

// What a fitted model predicts from the margin z = a'x (+ c): declared by each loss in its own
// file, read by Model (engine/model.h) and the metrics it reports.
enum class Prediction {
  value,       // z itself: least squares, huber, a user's loss
  rate,        // exp(z): poisson's log link
  sign_class,  // the class of sign(z): labels are -1/+1 (logistic, squared hinge)
  none,        // quadratic: no samples, nothing to predict
};

enum class SmoothKind {
  quadratic,  // 1/2 x'Ax + b'x, A symmetric d x d (dense)
  margin,     // 1/n sum_i w_i phi(a_i'x, b_i), A of n samples (dense or CSR)
};

struct SmoothDefinition {
  std::string name;
  SmoothKind kind = SmoothKind::margin;
  std::string formula;     // f(x), for `proxjit list` and the docs
  std::string data_shape;  // what A and b must be
  std::vector<ParameterSpec> parameters;

  // ---- margin losses ----
  expr::Expr loss = 0.0;        // phi(z, b)
  expr::Expr derivative = 0.0;  // dphi/dz (z, b)
  // sup over z and valid b of phi''(z, b), for the parameter values: the Lipschitz constant of
  // dphi in z. Infinite when there is none (poisson): then steps come from a line search.
  std::function<double(std::span<const double> parameters)> curvature;
  // What is wrong with one target value ("" when it is fine), e.g. logistic's labels in {-1, 1}.
  std::function<std::string(double label)> check_label;
  // phi*, for duality gaps (solver_rules.h); none unless the loss's file declares it.
  LossDual dual = LossDual::none;
  Prediction prediction = Prediction::value;
  // P(b = +1 | z) = 1 / (1 + exp(-z)): the loss is a log-likelihood (logistic), so a model has
  // predict_proba.
  bool probabilistic = false;
  // expr::canonical of loss and derivative, filled in by the registry (kernel keys read them).
  std::string derivative_canonical;
  // A data-free term f(x) = sum_i g(x_i) (a user's `smooth` formula): phi is g, and the Problem
  // supplies the identity as A with weights n, so that 1/n sum_i n g(x_i) = sum_i g(x_i).
  bool elementwise_term = false;
  // phi''(z, b): given by the loss, or (left 0) the derivative expression differentiated
  // symbolically and simplified by the registry (kinks take expr::derivative's fixed
  // subgradient, e.g. huber's where(|r| <= delta, 1, 0)); the registry fills in its canonical
  // text and that of phi. Coordinate descent takes
  // Newton steps with it when it is not a constant (coordinate_newton below).
  expr::Expr second_derivative = 0.0;
  std::string second_derivative_canonical;
  std::string loss_canonical;
  // Whether coordinate descent takes proximal Newton steps with a line search (phi'' not a
  // constant); otherwise the curvature bound is exact and steps use it.
  bool coordinate_newton() const {
    return kind == SmoothKind::margin && second_derivative.op() != expr::Op::constant;
  }

  // ---- quadratic only ----
  // Throws proxjit::Error when A and b do not fit; makes A exactly symmetric.
  void (*check_quadratic)(const Matrix& A, const Vector& b) = nullptr;
  void (*symmetrize)(Matrix& A) = nullptr;
};

const std::vector<SmoothDefinition>& smooth_registry();

// Fills in a margin loss's derived fields: the canonical texts, and phi'' (derived from the
// derivative unless given). The registry and user definitions both go through it.
void complete_loss_definition(SmoothDefinition& definition);

class SmoothComponent {
 public:
  // "least_squares", "logistic", "huber(delta=0.5)": the syntax of the proxes.
  static SmoothComponent parse(std::string_view text);
  static SmoothComponent make(std::string_view name,
                              const std::vector<std::pair<std::string, double>>& arguments = {});

  const SmoothDefinition& definition() const { return *definition_; }
  const std::string& name() const { return definition_->name; }
  SmoothKind kind() const { return definition_->kind; }
  std::span<const double> parameters() const { return parameters_; }
  // "huber(delta=0.5)": canonical text, parsable again.
  std::string describe() const;
  // sup phi'' (margin losses); infinite when unbounded.
  double curvature() const;
  // Throws proxjit::Error naming the row of the first target this loss cannot take.
  void check_targets(const Vector& b) const;

  // phi(z, b) and dphi/dz in the scalar type T (the kernels' types).
  template <class T>
  T loss(T z, T b) const {
    return expr::evaluate<T>(definition_->loss, z, T(0), typed_parameters<T>().data(), b);
  }
  template <class T>
  T derivative(T z, T b) const {
    return expr::evaluate<T>(definition_->derivative, z, T(0), typed_parameters<T>().data(), b);
  }
  // phi and dphi/dz of every sample at once (expr::evaluate_array: the same values).
  template <class T>
  expr::ArrayOf<T> loss_array(const expr::ArrayOf<T>& z, const expr::ArrayOf<T>& b) const {
    return expr::evaluate_array<T>(definition_->loss, z, typed_parameters<T>().data(), b);
  }
  template <class T>
  expr::ArrayOf<T> derivative_array(const expr::ArrayOf<T>& z, const expr::ArrayOf<T>& b) const {
    return expr::evaluate_array<T>(definition_->derivative, z, typed_parameters<T>().data(), b);
  }
  template <class T>
  T second_derivative(T z, T b) const {
    return expr::evaluate<T>(definition_->second_derivative, z, T(0), typed_parameters<T>().data(),
                             b);
  }

 private:
  template <class T>
  std::vector<T> typed_parameters() const {
    return std::vector<T>(parameters_.begin(), parameters_.end());
  }
  const SmoothDefinition* definition_ = nullptr;
  std::vector<double> parameters_;
};

// Largest eigenvalue of the symmetric positive semi-definite operator `apply` by power
// iteration from a fixed start (deterministic); used for default steps.
double largest_eigenvalue(Eigen::Index size,
                          const std::function<void(const Vector&, Vector&)>& apply);

// Throws proxjit::Error naming `what` and the first non-finite entry.
void check_finite(const Matrix& m, const std::string& what);
void check_finite(const Vector& v, const std::string& what);

}  // namespace proxjit
