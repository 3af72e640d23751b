#pragma once
// A composite problem min_x f(x) + r(x), described at runtime: components chosen by name and
// parameters, bound to data. Names, parameters and shapes are validated here, once.
//
// Data are dense or CSR sparse. Losses over samples may weight them and fit an unpenalized
// intercept: it is the last unknown, with a column of ones appended to A, and r applies to the
// other `features()` unknowns only.

#include <memory>
#include <string_view>

#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/scalar.h"
#include "proxjit/runtime/smooth.h"
#include "proxjit/runtime/sparse.h"

namespace proxjit {

// The data as the reference solvers (proxjit/runtime/objective.h) and the kernels
// (proxjit/codegen/kernel_data.h) read them; include those to use data_view and kernel_data.
template <class T>
struct DataView;
template <class T>
struct KernelData;
namespace detail {
class LeastSquaresGram;  // engine/src/gram.h
}  // namespace detail

struct ProblemOptions {
  // One weight >= 0 per sample (margin losses): f(x) = 1/n sum_i w_i phi(a_i'x, b_i). Empty: 1.
  Vector sample_weights;
  // An unpenalized intercept c (margin losses): phi(a_i'x + c, b_i).
  bool fit_intercept = false;
};

class Problem {
 public:
  // Throw proxjit::Error when the data do not fit f or hold non-finite values.
  Problem(SmoothComponent f, ProxComponent r, Matrix A, Vector b, ProblemOptions options = {});
  // A sparse A is copied, or taken over without a copy when moved in (Eigen 3.4's SparseMatrix
  // has no move constructor: the rvalue overload swaps it in).
  Problem(SmoothComponent f, ProxComponent r, const SparseMatrix& A, Vector b,
          ProblemOptions options = {});
  Problem(SmoothComponent f, ProxComponent r, SparseMatrix&& A, Vector b,
          ProblemOptions options = {});
  // A data-free smooth term f(x) = sum_i g(x_i) (SmoothDefinition::elementwise_term) over
  // `dimension` unknowns: A is the identity (CSR), b zero, the weights n.
  static Problem elementwise(SmoothComponent f, ProxComponent r, Eigen::Index dimension);
  // From the `name(key=value, ...)` syntax: Problem::parse("quadratic", "l1(lambda=0.1)", A, b).
  static Problem parse(std::string_view f, std::string_view r, Matrix A, Vector b,
                       ProblemOptions options = {});

  // The same f and data (shared, not copied) with another r: a new lambda is a cheap copy.
  Problem with_prox(ProxComponent r) const;

  const SmoothComponent& f() const { return f_; }
  const ProxComponent& r() const { return r_; }
  bool sparse() const;
  // The data as the solvers see them: with the intercept's column of ones when fit_intercept.
  // A() is for dense problems, A_sparse() for sparse ones (each throws for the other kind).
  const Matrix& A() const;
  const SparseMatrix& A_sparse() const;
  const Vector& b() const;
  const Vector& sample_weights() const;  // empty when unweighted
  bool fit_intercept() const;
  Eigen::Index samples() const;    // rows of A
  Eigen::Index variables() const;  // unknowns: features (+ 1 for the intercept)
  Eigen::Index features() const;   // the unknowns r applies to
  // "logistic + l1(lambda=0.1)" (with " + intercept" when fitted)
  std::string describe() const;

  // f(x) + r(x), summed in double. r is evaluated in `scalar`, the type the solve ran in, so
  // that a float iterate projected onto float bounds is feasible for them. NaN when r(x) is
  // unknown (a prox formula without value(x)): f(x) alone is not the objective.
  double objective(const Vector& x, ScalarType scalar = ScalarType::f64) const;
  // The Lipschitz bound of grad f (infinite without one), computed on first use and shared.
  double lipschitz() const;
  // Largest |entry| of A, b and the weights (the float32 range check).
  double largest_magnitude() const;
  // The data in T for the reference path, converted on first use and shared.
  template <class T>
  DataView<T> data_view() const;
  // The data in a kernel's padded, aligned layout, made on first use and shared.
  template <class T>
  const KernelData<T>& kernel_data(Layout layout) const;

  // The normal equations of a least-squares loss (engine/src/gram.h: the working-set solver's),
  // made on first use and shared by every Problem with these data, as a path's points are.
  detail::LeastSquaresGram& least_squares_gram() const;

  struct Data;  // shared, with derived data made on first use (problem.cpp)

 private:
  Problem(SmoothComponent f, ProxComponent r, std::shared_ptr<Data> data);
  void validate();
  SmoothComponent f_;
  ProxComponent r_;
  std::shared_ptr<Data> data_;
};

template <>
DataView<double> Problem::data_view<double>() const;
template <>
DataView<float> Problem::data_view<float>() const;
template <>
const KernelData<double>& Problem::kernel_data<double>(Layout layout) const;
template <>
const KernelData<float>& Problem::kernel_data<float>(Layout layout) const;

}  // namespace proxjit
