#include "proxjit/problem.h"

#include <limits>
#include <mutex>

#include "gram.h"
#include "proxjit/codegen/kernel_data.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/objective.h"

namespace proxjit {

constexpr int kLayouts = 4;

// Data shared by every Problem made from the same A and b (with_prox copies), with the derived
// quantities computed once on first use.
struct Problem::Data {
  bool sparse = false;
  Matrix A;
  SparseMatrix A_sparse;
  Vector b;
  Vector weights;
  bool intercept = false;
  std::once_flag lipschitz_once;
  double lipschitz = 0.0;
  std::once_flag float_once;
  MatrixOf<float> A_float;
  SparseMatrixOf<float> A_sparse_float;
  VectorOf<float> b_float;
  VectorOf<float> weights_float;
  // Kernel layouts, made on first use: [layout][0 = double, 1 = float].
  std::once_flag kernel_once[kLayouts][2];
  KernelData<double> kernel_f64[kLayouts];
  KernelData<float> kernel_f32[kLayouts];
  std::once_flag gram_once;
  std::unique_ptr<detail::LeastSquaresGram> gram;
};

namespace {

// A loss over samples: A is n x d, b has one entry per sample.
void check_sample_shapes(const SmoothComponent& f, Eigen::Index rows, Eigen::Index cols,
                         Eigen::Index targets) {
  if (rows == 0 || cols == 0 || targets != rows) {
    throw Error(f.name() + ": A must be n x d with n, d >= 1 and b must have one entry per row " +
                "of A (n = " + std::to_string(rows) + "), got " + std::to_string(targets) +
                " (A is " + std::to_string(rows) + " x " + std::to_string(cols) + ")");
  }
}

void check_margin_options(const SmoothComponent& f, const ProblemOptions& options, Eigen::Index n) {
  if (f.kind() != SmoothKind::margin) {
    if (options.sample_weights.size() || options.fit_intercept) {
      throw Error(f.name() +
                  " takes no sample weights or intercept (they belong to losses over "
                  "samples, such as least_squares or logistic)");
    }
    return;
  }
  const Vector& w = options.sample_weights;
  if (w.size() == 0) return;
  if (w.size() != n) {
    throw Error("sample weights: one per sample (n = " + std::to_string(n) + ") expected, got " +
                std::to_string(w.size()));
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(w[i] >= 0.0) || !std::isfinite(w[i])) {
      throw Error("sample weights: w[" + std::to_string(i) + "] = " + std::to_string(w[i]) +
                  ", but weights must be finite and >= 0");
    }
  }
}

}  // namespace

Problem::Problem(SmoothComponent f, ProxComponent r, Matrix A, Vector b, ProblemOptions options)
    : f_(std::move(f)), r_(std::move(r)), data_(std::make_shared<Data>()) {
  if (f_.kind() == SmoothKind::quadratic) {
    f_.definition().check_quadratic(A, b);
  } else {
    check_sample_shapes(f_, A.rows(), A.cols(), b.size());
  }
  check_finite(A, "A");
  check_finite(b, "b");
  check_margin_options(f_, options, A.rows());
  if (f_.kind() == SmoothKind::quadratic) f_.definition().symmetrize(A);
  if (options.fit_intercept) {
    A.conservativeResize(Eigen::NoChange, A.cols() + 1);
    A.col(A.cols() - 1).setOnes();
  }
  data_->A = std::move(A);
  data_->b = std::move(b);
  data_->weights = std::move(options.sample_weights);
  data_->intercept = options.fit_intercept;
  validate();
}

Problem::Problem(SmoothComponent f, ProxComponent r, const SparseMatrix& A, Vector b,
                 ProblemOptions options)
    : Problem(std::move(f), std::move(r), SparseMatrix(A), std::move(b), std::move(options)) {}

Problem::Problem(SmoothComponent f, ProxComponent r, SparseMatrix&& A, Vector b,
                 ProblemOptions options)
    : f_(std::move(f)), r_(std::move(r)), data_(std::make_shared<Data>()) {
  if (f_.kind() == SmoothKind::quadratic) {
    throw Error(
        "quadratic takes a dense matrix A (d x d); sparse data are for losses over "
        "samples such as least_squares or logistic");
  }
  check_sample_shapes(f_, A.rows(), A.cols(), b.size());
  A.makeCompressed();  // (check_finite then scans the values in one pass)
  check_finite(A, "A");
  check_finite(b, "b");
  check_margin_options(f_, options, A.rows());
  if (options.fit_intercept) {
    SparseMatrix augmented(A.rows(), A.cols() + 1);
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(static_cast<std::size_t>(A.nonZeros() + A.rows()));
    for (Eigen::Index i = 0; i < A.outerSize(); ++i) {
      for (SparseMatrix::InnerIterator it(A, i); it; ++it)
        entries.emplace_back(it.row(), it.col(), it.value());
      entries.emplace_back(i, A.cols(), 1.0);
    }
    augmented.setFromTriplets(entries.begin(), entries.end());
    A.swap(augmented);
  }
  A.makeCompressed();
  data_->sparse = true;
  data_->A_sparse.swap(A);
  data_->b = std::move(b);
  data_->weights = std::move(options.sample_weights);
  data_->intercept = options.fit_intercept;
  validate();
}

void Problem::validate() {
  f_.check_targets(data_->b);
  if (features() == 0) throw Error(f_.name() + ": the problem has no unknowns (A has no columns)");
  r_.check_size(static_cast<std::size_t>(features()));
}

Problem::Problem(SmoothComponent f, ProxComponent r, std::shared_ptr<Data> data)
    : f_(std::move(f)), r_(std::move(r)), data_(std::move(data)) {}

Problem Problem::parse(std::string_view f, std::string_view r, Matrix A, Vector b,
                       ProblemOptions options) {
  return Problem(SmoothComponent::parse(f), ProxComponent::parse(r), std::move(A), std::move(b),
                 std::move(options));
}

Problem Problem::elementwise(SmoothComponent f, ProxComponent r, Eigen::Index dimension) {
  if (!f.definition().elementwise_term) {
    throw Error(f.name() +
                " is a loss over samples and needs data (A and b); only a data-free "
                "`smooth` term f(x) = sum_i g(x_i) takes just a dimension");
  }
  if (dimension < 1) throw Error("the dimension of " + f.name() + " must be >= 1");
  SparseMatrix identity(dimension, dimension);
  identity.setIdentity();
  identity.makeCompressed();
  ProblemOptions options;
  options.sample_weights = Vector::Constant(dimension, static_cast<double>(dimension));
  return Problem(std::move(f), std::move(r), std::move(identity), Vector::Zero(dimension),
                 std::move(options));
}

bool Problem::sparse() const {
  return data_->sparse;
}
const Matrix& Problem::A() const {
  if (data_->sparse) throw Error("internal: Problem::A() on sparse data (use A_sparse())");
  return data_->A;
}
const SparseMatrix& Problem::A_sparse() const {
  if (!data_->sparse) throw Error("internal: Problem::A_sparse() on dense data (use A())");
  return data_->A_sparse;
}
const Vector& Problem::b() const {
  return data_->b;
}
const Vector& Problem::sample_weights() const {
  return data_->weights;
}
bool Problem::fit_intercept() const {
  return data_->intercept;
}
Eigen::Index Problem::samples() const {
  return data_->sparse ? data_->A_sparse.rows() : data_->A.rows();
}
Eigen::Index Problem::variables() const {
  return data_->sparse ? data_->A_sparse.cols() : data_->A.cols();
}
Eigen::Index Problem::features() const {
  return variables() - (data_->intercept ? 1 : 0);
}

Problem Problem::with_prox(ProxComponent r) const {
  r.check_size(static_cast<std::size_t>(features()));
  return Problem(f_, std::move(r), data_);
}

std::string Problem::describe() const {
  return f_.describe() + " + " + r_.describe() + (data_->intercept ? " + intercept" : "");
}

double Problem::objective(const Vector& x, ScalarType scalar) const {
  if (!r_.definition().value_known) return std::numeric_limits<double>::quiet_NaN();
  const DataView<double> data = data_view<double>();
  const Objective<double> full(f_, r_, data, features());
  const double smooth = full.smooth_value(x);
  const auto size = static_cast<std::size_t>(features());
  if (scalar == ScalarType::f32) {
    const VectorOf<float> x_float = x.cast<float>();
    return smooth + r_.value<float>(x_float.data(), size);
  }
  return smooth + r_.value<double>(x.data(), size);
}

detail::LeastSquaresGram& Problem::least_squares_gram() const {
  std::call_once(data_->gram_once,
                 [&] { data_->gram = std::make_unique<detail::LeastSquaresGram>(*this); });
  return *data_->gram;
}

double Problem::lipschitz() const {
  std::call_once(data_->lipschitz_once,
                 [&] { data_->lipschitz = lipschitz_bound(f_, data_view<double>()); });
  return data_->lipschitz;
}

double Problem::largest_magnitude() const {
  double largest = 0.0;
  if (data_->sparse) {
    for (Eigen::Index k = 0; k < data_->A_sparse.nonZeros(); ++k)
      largest = std::max(largest, std::abs(data_->A_sparse.valuePtr()[k]));
  } else if (data_->A.size()) {
    largest = data_->A.cwiseAbs().maxCoeff();
  }
  if (data_->b.size()) largest = std::max(largest, data_->b.cwiseAbs().maxCoeff());
  if (data_->weights.size()) largest = std::max(largest, data_->weights.cwiseAbs().maxCoeff());
  return largest;
}

template <>
DataView<double> Problem::data_view<double>() const {
  DataView<double> view;
  if (data_->sparse) {
    view.sparse = &data_->A_sparse;
  } else {
    view.dense = &data_->A;
  }
  view.b = &data_->b;
  if (data_->weights.size()) view.weights = &data_->weights;
  return view;
}

template <>
DataView<float> Problem::data_view<float>() const {
  std::call_once(data_->float_once, [&] {
    if (data_->sparse) {
      data_->A_sparse_float = data_->A_sparse.cast<float>();
    } else {
      data_->A_float = data_->A.cast<float>();
    }
    data_->b_float = data_->b.cast<float>();
    data_->weights_float = data_->weights.cast<float>();
  });
  DataView<float> view;
  if (data_->sparse) {
    view.sparse = &data_->A_sparse_float;
  } else {
    view.dense = &data_->A_float;
  }
  view.b = &data_->b_float;
  if (data_->weights.size()) view.weights = &data_->weights_float;
  return view;
}

namespace {

template <class T>
KernelData<T> make_for_layout(const Problem::Data& d, Layout layout) {
  KernelData<T> data;
  if (d.sparse && (layout == Layout::dense_row_major || layout == Layout::dense_col_major)) {
    // Mostly nonzero sparse data (Engine::kernel_spec): the kernel reads them densely.
    data = make_dense_kernel_data_from_rows<T>(d.A_sparse, d.b, layout == Layout::dense_col_major);
    set_kernel_weights(data, d.weights);
    return data;
  }
  switch (layout) {
    case Layout::dense_row_major:
      data = make_kernel_data<T>(d.A, d.b);
      break;
    case Layout::dense_col_major:
      // Straight from the transpose expression: no intermediate copy of A.
      data = make_kernel_data<T>(d.A.transpose(), d.b);
      std::swap(data.rows, data.cols);  // the problem's shape, not the stored one
      break;
    case Layout::csr:
      data = make_sparse_kernel_data<T>(d.A_sparse, d.b, d.A_sparse.rows(), d.A_sparse.cols());
      break;
    case Layout::csc:
      data = make_csc_kernel_data<T>(d.A_sparse, d.b);
      break;
  }
  set_kernel_weights(data, d.weights);
  return data;
}

}  // namespace

template <>
const KernelData<double>& Problem::kernel_data<double>(Layout layout) const {
  const int l = static_cast<int>(layout);
  std::call_once(data_->kernel_once[l][0],
                 [&] { data_->kernel_f64[l] = make_for_layout<double>(*data_, layout); });
  return data_->kernel_f64[l];
}

template <>
const KernelData<float>& Problem::kernel_data<float>(Layout layout) const {
  const int l = static_cast<int>(layout);
  std::call_once(data_->kernel_once[l][1],
                 [&] { data_->kernel_f32[l] = make_for_layout<float>(*data_, layout); });
  return data_->kernel_f32[l];
}

}  // namespace proxjit
