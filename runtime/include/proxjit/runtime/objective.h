#pragma once
// The reference math of a whole problem f(x) + r(x) over its data, in one scalar type: what the
// reference solvers (reference_solver.h) iterate on and what the JIT kernels are tested against.
//
// Data are dense (row-major) or CSR, with optional sample weights. An unpenalized intercept is
// a last column of ones in A (the Problem appends it): r applies to the first `penalized`
// coordinates and the others pass through its prox unchanged.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"

namespace proxjit {

// Borrowed views of a problem's data in the scalar type T.
template <class T>
struct DataView {
  const MatrixOf<T>* dense = nullptr;         // n x d row-major, or
  const SparseMatrixOf<T>* sparse = nullptr;  // n x d CSR
  const VectorOf<T>* b = nullptr;
  const VectorOf<T>* weights = nullptr;  // per-sample weights (margin losses), null for all 1

  Eigen::Index rows() const { return dense ? dense->rows() : sparse->rows(); }
  Eigen::Index cols() const { return dense ? dense->cols() : sparse->cols(); }
};

template <class T>
class Objective {
 public:
  Objective(const SmoothComponent& f, const ProxComponent& r, DataView<T> data,
            Eigen::Index penalized)
      : f_(f), r_(r), data_(data), penalized_(penalized) {}

  const SmoothComponent& f() const { return f_; }
  const ProxComponent& r() const { return r_; }
  Eigen::Index variables() const { return data_.cols(); }
  Eigen::Index penalized() const { return penalized_; }

  // f(x) (summed in double), and grad f(x) into g (sized by the caller).
  // f(x) alone (no gradient: half the work of smooth()).
  double smooth_value(const VectorOf<T>& x) const {
    if (f_.kind() == SmoothKind::quadratic) {
      return 0.5 * static_cast<double>(x.dot(*data_.dense * x)) +
             static_cast<double>(data_.b->dot(x));
    }
    const VectorOf<T> z =
        data_.dense ? VectorOf<T>(*data_.dense * x) : VectorOf<T>(*data_.sparse * x);
    const expr::ArrayOf<T> losses = f_.loss_array<T>(z.array(), data_.b->array());
    double value = 0.0;
    for (Eigen::Index i = 0; i < z.size(); ++i)
      value += static_cast<double>(weight(i) * losses[i]);
    return value / static_cast<double>(z.size());
  }
  double smooth(const VectorOf<T>& x, VectorOf<T>& g) const {
    if (f_.kind() == SmoothKind::quadratic) {
      g.noalias() = *data_.dense * x;
      const double value =
          0.5 * static_cast<double>(x.dot(g)) + static_cast<double>(data_.b->dot(x));
      g += *data_.b;
      return value;
    }
    const VectorOf<T> z =
        data_.dense ? VectorOf<T>(*data_.dense * x) : VectorOf<T>(*data_.sparse * x);
    VectorOf<T> scaled(z.size());
    const expr::ArrayOf<T> losses = f_.loss_array<T>(z.array(), data_.b->array());
    const expr::ArrayOf<T> slopes = f_.derivative_array<T>(z.array(), data_.b->array());
    double value = 0.0;
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      const T w = weight(i);
      value += static_cast<double>(w * losses[i]);
      scaled[i] = w * slopes[i];
    }
    const T inverse_n = T(1) / static_cast<T>(z.size());
    if (data_.dense) {
      g.noalias() = data_.dense->transpose() * scaled;
    } else {
      g.noalias() = data_.sparse->transpose() * scaled;
    }
    g *= inverse_n;
    return value / static_cast<double>(z.size());
  }

  // out = prox_{step r}(y) on the penalized coordinates, y elsewhere; returns r(out).
  double prox(const VectorOf<T>& y, T step, VectorOf<T>& out) const {
    const auto size = static_cast<std::size_t>(penalized_);
    r_.prox<T>(y.data(), step, out.data(), size);
    const Eigen::Index rest = y.size() - penalized_;
    if (rest > 0) out.tail(rest) = y.tail(rest);
    return r_.value<T>(out.data(), size);
  }
  double regularizer(const VectorOf<T>& x) const {
    return r_.value<T>(x.data(), static_cast<std::size_t>(penalized_));
  }

  // ---- per-sample access (stochastic solvers, stochastic_solver.h) ----
  Eigen::Index samples() const { return data_.rows(); }
  bool sparse_rows() const { return data_.sparse != nullptr; }
  T sample_weight(Eigen::Index i) const { return weight(i); }
  // Visits the entries of sample i: visit(j, a_ij) over its nonzeros (CSR) or every column.
  template <class Visit>
  void for_sample(Eigen::Index i, Visit visit) const {
    if (data_.dense) {
      for (Eigen::Index j = 0; j < data_.dense->cols(); ++j)
        visit(j, (*data_.dense)(i, j));
      return;
    }
    for (typename SparseMatrixOf<T>::InnerIterator it(*data_.sparse, i); it; ++it)
      visit(it.index(), it.value());
  }
  // a_i'x, summed in the order for_sample visits.
  T sample_margin(Eigen::Index i, const VectorOf<T>& x) const {
    T sum = 0;
    for_sample(i, [&](Eigen::Index j, T a) { sum += a * x[j]; });
    return sum;
  }
  // w_i dphi(z, b_i): the scalar that grad f_i(x) = (that) a_i.
  T sample_derivative(Eigen::Index i, T margin) const {
    return weight(i) * f_.derivative<T>(margin, (*data_.b)[i]);
  }
  // curvature * max_i w_i |a_i|^2: the Lipschitz bound of each sample's gradient (in double).
  double sample_lipschitz_max() const {
    double largest = 0.0;
    for (Eigen::Index i = 0; i < samples(); ++i) {
      double sum = 0.0;
      for_sample(i, [&](Eigen::Index, T a) { sum += static_cast<double>(a) * a; });
      largest = std::max(largest, static_cast<double>(weight(i)) * sum);
    }
    return f_.curvature() * largest;
  }

  // ---- coordinate descent (separable elementwise r) ----
  // Sets up what follows x: the gradient (quadratic) or the margins a_i'x, and the coordinate
  // curvatures L_j (A_jj, or sup phi'' * sum_i w_i a_ij^2 / n; for a loss without a curvature
  // bound, poisson, sum_i w_i a_ij^2 / n: a scale only, for the Newton step's floor).
  void start_coordinates(const VectorOf<T>& x) {
    const Eigen::Index d = variables();
    curvatures_.resize(d);
    if (f_.kind() == SmoothKind::quadratic) {
      follow_ = *data_.dense * x + *data_.b;
      for (Eigen::Index j = 0; j < d; ++j)
        curvatures_[j] = (*data_.dense)(j, j);
      return;
    }
    if (data_.sparse && columns_.size() == 0) columns_ = *data_.sparse;
    follow_ = data_.dense ? VectorOf<T>(*data_.dense * x) : VectorOf<T>(*data_.sparse * x);
    const T inverse_n = T(1) / static_cast<T>(data_.rows());
    const double bound = f_.curvature();
    const T curvature = static_cast<T>(std::isfinite(bound) ? bound : 1.0);
    for (Eigen::Index j = 0; j < d; ++j) {
      T sum = 0;
      for_column(j, [&](Eigen::Index i, T a) { sum += weight(i) * a * a; });
      curvatures_[j] = curvature * sum * inverse_n;
    }
    if (coordinate_newton()) {
      const Eigen::Index n = data_.rows();
      for (int c = 0; c < kCached; ++c) {
        cached_[c].resize(n);
        trial_[c].resize(n);
      }
      trial_margins_.resize(n);
      for (Eigen::Index i = 0; i < n; ++i)
        evaluate_sample(i, follow_[i]);
    }
  }
  T coordinate_curvature(Eigen::Index j) const { return curvatures_[j]; }
  T coordinate_gradient(Eigen::Index j) const {
    if (f_.kind() == SmoothKind::quadratic) return follow_[j];
    T sum = 0;
    for_column(j, [&](Eigen::Index i, T a) {
      sum += a * weight(i) * f_.derivative<T>(follow_[i], (*data_.b)[i]);
    });
    return sum / static_cast<T>(data_.rows());
  }
  // Newton steps (SmoothDefinition::coordinate_newton): phi'' varies, so the bound L_j is loose.
  // Per sample they keep phi(z_i), w_i phi'(z_i) and w_i phi''(z_i) (computed where z_i moves,
  // so that a column's g_j and h_j cost no loss evaluation). A trial moves them, keeping the old
  // ones to restore when the trial is rejected.
  bool coordinate_newton() const { return f_.definition().coordinate_newton(); }
  bool bounded_curvature() const { return std::isfinite(f_.curvature()); }
  // g_j and h_j = sum_i a_ij^2 w_i phi''(z_i, b_i) / n in one pass over the column.
  void coordinate_gradient_and_hessian(Eigen::Index j, T& gradient, T& hessian) const {
    T g = 0, h = 0;
    for_column(j, [&](Eigen::Index i, T a) {
      g += a * cached_[kSlope][i];
      h += (a * a) * cached_[kCurvature][i];
    });
    const T inverse_n = T(1) / static_cast<T>(data_.rows());
    gradient = g * inverse_n;
    hessian = h * inverse_n;
  }
  // Moves the margins of column j's samples by delta a_ij (x_j by delta) with their values,
  // keeping the old ones for restore_coordinate, and returns f's change
  // 1/n sum_i w_i (phi(z_i + delta a_ij) - phi(z_i)); into `scale` 1/n sum_i w_i |phi(z_i)|
  // over the column (what the change's rounding is relative to).
  T coordinate_loss_change(Eigen::Index j, T delta, T& scale) {
    T sum = 0, magnitude = 0;
    for_column(j, [&](Eigen::Index i, T a) {
      const T w = weight(i);
      const T before = cached_[kLoss][i];
      trial_margins_[i] = follow_[i];
      for (int c = 0; c < kCached; ++c)
        trial_[c][i] = cached_[c][i];
      evaluate_sample(i, follow_[i] + a * delta);
      sum += w * (cached_[kLoss][i] - before);
      magnitude += w * std::abs(before);
    });
    const T inverse_n = T(1) / static_cast<T>(data_.rows());
    scale = magnitude * inverse_n;
    return sum * inverse_n;
  }
  // Undoes the last coordinate_loss_change of column j (a rejected trial).
  void restore_coordinate(Eigen::Index j) {
    for_column(j, [&](Eigen::Index i, T) {
      follow_[i] = trial_margins_[i];
      for (int c = 0; c < kCached; ++c)
        cached_[c][i] = trial_[c][i];
    });
  }
  // ---- proximal Newton steps (coordinate descent's outer loop for those losses) ----
  // The quadratic model of f around the margins z: f(x + d) ~ f(x) + g'd + 1/2 u' C u with
  // u = A d and C = diag(w_i phi''(z_i)) / n. Its coordinate gradient at d is
  // g_j + 1/n sum_i a_ij w_i phi''(z_i) u_i.
  T model_coordinate_gradient(Eigen::Index j, T gradient, const VectorOf<T>& u) const {
    T sum = 0;
    for_column(j, [&](Eigen::Index i, T a) { sum += a * (cached_[kCurvature][i] * u[i]); });
    return gradient + sum / static_cast<T>(data_.rows());
  }
  // u += delta a_j (d_j moved by delta).
  void model_move(Eigen::Index j, T delta, VectorOf<T>& u) const {
    for_column(j, [&](Eigen::Index i, T a) { u[i] += delta * a; });
  }
  // f(x + beta d) - f(x) = 1/n sum_i w_i (phi(z_i + beta u_i) - phi(z_i)); into `scale`
  // 1/n sum_i w_i |phi(z_i)|, what its rounding is relative to. Nothing moves.
  T model_step_loss_change(T beta, const VectorOf<T>& u, T& scale) const {
    T sum = 0, magnitude = 0;
    for (Eigen::Index i = 0; i < data_.rows(); ++i) {
      const T w = weight(i);
      const T before = cached_[kLoss][i];
      sum += w * (f_.loss<T>(follow_[i] + beta * u[i], (*data_.b)[i]) - before);
      magnitude += w * std::abs(before);
    }
    const T inverse_n = T(1) / static_cast<T>(data_.rows());
    scale = magnitude * inverse_n;
    return sum * inverse_n;
  }
  // The margins become z + beta u, with their values.
  void accept_model_step(T beta, const VectorOf<T>& u) {
    for (Eigen::Index i = 0; i < data_.rows(); ++i)
      evaluate_sample(i, follow_[i] + beta * u[i]);
  }

  // r's term of coordinate j (0 on an intercept).
  T regularizer_coordinate(Eigen::Index j, T value) const {
    if (j >= penalized_) return T(0);
    return static_cast<T>(r_.value<T>(&value, 1));
  }
  void move_coordinate(Eigen::Index j, T delta) {
    if (f_.kind() == SmoothKind::quadratic) {
      follow_ += delta * data_.dense->row(j).transpose();
      return;
    }
    for_column(j, [&](Eigen::Index i, T a) { follow_[i] += delta * a; });
  }
  // prox_{step r} of one coordinate (the identity on an intercept).
  T prox_coordinate(Eigen::Index j, T trial, T step) const {
    if (j >= penalized_) return trial;
    T moved = 0;
    r_.prox<T>(&trial, step, &moved, 1);
    return moved;
  }

 private:
  T weight(Eigen::Index i) const { return data_.weights ? (*data_.weights)[i] : T(1); }
  enum { kLoss, kSlope, kCurvature, kCached };
  // Sample i's margin becomes z, with phi(z), w phi'(z), w phi''(z).
  void evaluate_sample(Eigen::Index i, T z) {
    const T b = (*data_.b)[i], w = weight(i);
    follow_[i] = z;
    cached_[kLoss][i] = f_.loss<T>(z, b);
    cached_[kSlope][i] = w * f_.derivative<T>(z, b);
    cached_[kCurvature][i] = w * f_.second_derivative<T>(z, b);
  }
  template <class Visit>
  void for_column(Eigen::Index j, Visit visit) const {
    if (data_.dense) {
      for (Eigen::Index i = 0; i < data_.dense->rows(); ++i)
        visit(i, (*data_.dense)(i, j));
      return;
    }
    for (typename SparseColumnsOf<T>::InnerIterator it(columns_, j); it; ++it)
      visit(it.row(), it.value());
  }

  const SmoothComponent& f_;
  const ProxComponent& r_;
  DataView<T> data_;
  Eigen::Index penalized_ = 0;
  VectorOf<T> follow_;
  VectorOf<T> curvatures_;
  SparseColumnsOf<T> columns_;   // CSC copy for coordinate descent on CSR data
  VectorOf<T> cached_[kCached];  // Newton steps: per-sample values at the margins
  VectorOf<T> trial_[kCached];   // and before the last trial, to restore
  VectorOf<T> trial_margins_;
};

// An upper bound on the Lipschitz constant of grad f (power iteration, slightly inflated);
// infinite for losses without a curvature bound (poisson).
double lipschitz_bound(const SmoothComponent& f, const DataView<double>& data);

}  // namespace proxjit
