#pragma once
// A composite problem min_x f(x) + r(x), described at runtime: components chosen by name and
// parameters, bound to data. Names, parameters and shapes are validated here, once.

#include <memory>
#include <string_view>

#include "proxjit/codegen/kernel_data.h"
#include "proxjit/runtime/dense.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/scalar.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit {

class Problem {
 public:
  // Throws proxjit::Error when the data do not fit f or hold non-finite values.
  Problem(SmoothComponent f, ProxComponent r, Matrix A, Vector b);
  // From the `name(key=value, ...)` syntax: Problem::parse("quadratic", "l1(lambda=0.1)", A, b).
  static Problem parse(std::string_view f, std::string_view r, Matrix A, Vector b);

  // The same f and data (shared, not copied) with another r: a new lambda is a cheap copy.
  Problem with_prox(ProxComponent r) const;

  const SmoothComponent& f() const { return f_; }
  const ProxComponent& r() const { return r_; }
  const Matrix& A() const;
  const Vector& b() const;
  Eigen::Index variables() const;
  // "quadratic + l1(lambda=0.1)"
  std::string describe() const;

  // f(x) + r(x), summed in double. r is evaluated in `scalar`, the type the solve ran in, so
  // that a float iterate projected onto float bounds is feasible for them.
  double objective(const Vector& x, ScalarType scalar = ScalarType::f64) const;
  // The Lipschitz bound of grad f, computed on first use and shared by with_prox copies.
  double lipschitz() const;
  // The data in float, converted on first use and shared.
  const MatrixOf<float>& A_float() const;
  const VectorOf<float>& b_float() const;
  // The data in a kernel's padded, aligned layout, made on first use and shared.
  template <class T>
  const KernelData<T>& kernel_data(Layout layout = Layout::dense_row_major) const;

 private:
  struct Data;
  Problem(SmoothComponent f, ProxComponent r, std::shared_ptr<Data> data);
  SmoothComponent f_;
  ProxComponent r_;
  std::shared_ptr<Data> data_;
};

}  // namespace proxjit
