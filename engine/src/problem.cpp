#include "proxjit/problem.h"

#include <mutex>

#include "proxjit/runtime/error.h"

namespace proxjit {

// Data shared by every Problem made from the same A and b (with_prox copies), with the derived
// quantities computed once on first use.
struct Problem::Data {
  Matrix A;
  Vector b;
  std::once_flag lipschitz_once;
  double lipschitz = 0.0;
  std::once_flag float_once;
  MatrixOf<float> A_float;
  VectorOf<float> b_float;
  // Kernel layouts, made on first use: [layout][0 = double, 1 = float].
  std::once_flag kernel_once[2][2];
  KernelData<double> kernel_f64[2];
  KernelData<float> kernel_f32[2];
};

namespace {

template <class T>
KernelData<T> make_for_layout(const Matrix& A, const Vector& b, Layout layout) {
  if (layout == Layout::dense_col_major) {
    // Straight from the transpose expression: no intermediate copy of A.
    KernelData<T> data = make_kernel_data<T>(A.transpose(), b);
    std::swap(data.rows, data.cols);  // the problem's shape, not the stored one
    return data;
  }
  return make_kernel_data<T>(A, b);
}

}  // namespace

Problem::Problem(SmoothComponent f, ProxComponent r, Matrix A, Vector b)
    : f_(std::move(f)), r_(std::move(r)), data_(std::make_shared<Data>()) {
  f_.definition().check_data(A, b);
  check_finite(A, "A");
  check_finite(b, "b");
  if (f_.definition().normalize_data) f_.definition().normalize_data(A);
  data_->A = std::move(A);
  data_->b = std::move(b);
  if (variables() == 0) throw Error(f_.name() + ": the problem has no unknowns (A has no columns)");
}

Problem::Problem(SmoothComponent f, ProxComponent r, std::shared_ptr<Data> data)
    : f_(std::move(f)), r_(std::move(r)), data_(std::move(data)) {}

Problem Problem::parse(std::string_view f, std::string_view r, Matrix A, Vector b) {
  return Problem(SmoothComponent::parse(f), ProxComponent::parse(r), std::move(A), std::move(b));
}

const Matrix& Problem::A() const {
  return data_->A;
}
const Vector& Problem::b() const {
  return data_->b;
}
Eigen::Index Problem::variables() const {
  return f_.definition().variables(data_->A);
}

Problem Problem::with_prox(ProxComponent r) const {
  return Problem(f_, std::move(r), data_);
}

std::string Problem::describe() const {
  return f_.describe() + " + " + r_.describe();
}

double Problem::objective(const Vector& x, ScalarType scalar) const {
  Vector gradient(x.size());
  const double smooth = f_.value_and_gradient<double>(data_->A, data_->b, x, gradient);
  const auto size = static_cast<std::size_t>(x.size());
  if (scalar == ScalarType::f32) {
    const VectorOf<float> x_float = x.cast<float>();
    return smooth + r_.value<float>(x_float.data(), size);
  }
  return smooth + r_.value<double>(x.data(), size);
}

double Problem::lipschitz() const {
  std::call_once(data_->lipschitz_once,
                 [&] { data_->lipschitz = f_.definition().lipschitz(data_->A); });
  return data_->lipschitz;
}

const MatrixOf<float>& Problem::A_float() const {
  std::call_once(data_->float_once, [&] {
    data_->A_float = data_->A.cast<float>();
    data_->b_float = data_->b.cast<float>();
  });
  return data_->A_float;
}

template <>
const KernelData<double>& Problem::kernel_data<double>(Layout layout) const {
  const int l = static_cast<int>(layout);
  std::call_once(data_->kernel_once[l][0], [&] {
    data_->kernel_f64[l] = make_for_layout<double>(data_->A, data_->b, layout);
  });
  return data_->kernel_f64[l];
}

template <>
const KernelData<float>& Problem::kernel_data<float>(Layout layout) const {
  const int l = static_cast<int>(layout);
  std::call_once(data_->kernel_once[l][1], [&] {
    data_->kernel_f32[l] = make_for_layout<float>(data_->A, data_->b, layout);
  });
  return data_->kernel_f32[l];
}

const VectorOf<float>& Problem::b_float() const {
  A_float();
  return data_->b_float;
}

}  // namespace proxjit
