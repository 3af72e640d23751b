#include "proxjit/runtime/duality_gap.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace proxjit {
namespace {

// -phi*(u, b) summed into the dual; NaN when u is outside phi*'s domain.
double negative_conjugate(const std::string& loss, double u, double b) {
  if (loss == "least_squares") return -(0.5 * u * u + u * b);
  // logistic: phi*(u) = s log s + (1 - s) log(1 - s) with s = -b u in [0, 1].
  const double s = -b * u;
  if (s < 0.0 || s > 1.0) return std::nan("");
  const auto entropy = [](double p) { return p > 0.0 ? p * std::log(p) : 0.0; };
  return -(entropy(s) + entropy(1.0 - s));
}

}  // namespace

std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r,
                                  const DataView<double>& data, Eigen::Index penalized,
                                  const Vector& x) {
  const std::string& loss = f.name();
  if (loss != "least_squares" && loss != "logistic") return std::nullopt;
  if (penalized != x.size()) return std::nullopt;
  const Eigen::Index rows = data.rows();
  const double n = static_cast<double>(rows);
  const Vector z = data.dense ? Vector(*data.dense * x) : Vector(*data.sparse * x);
  const auto weight = [&](Eigen::Index i) { return data.weights ? (*data.weights)[i] : 1.0; };
  double primal = r.value<double>(x.data(), static_cast<std::size_t>(x.size()));
  Vector theta(rows);
  // The two losses in closed form (the engine checks gaps between epochs: an expression
  // evaluation per sample would cost more than the epoch).
  const bool logistic = loss == "logistic";
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double b = (*data.b)[i];
    double value, slope;
    if (logistic) {
      const double m = -b * z[i];  // phi = softplus(m), phi' = -b sigmoid(m)
      const double e = std::exp(-std::abs(m));
      value = std::max(m, 0.0) + std::log1p(e);
      slope = -b * (m >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e));
    } else {
      const double residual = z[i] - b;
      value = 0.5 * residual * residual;
      slope = residual;
    }
    primal += weight(i) * value / n;
    theta[i] = weight(i) * slope / n;
  }
  Vector correlation = data.dense ? Vector(data.dense->transpose() * theta)
                                  : Vector(data.sparse->transpose() * theta);
  const std::string& name = r.name();
  const auto p = r.parameters();
  // Scales theta so that |A'theta|_inf <= bound (r* is then finite); false when impossible.
  const auto scale_into = [&](double bound) {
    const double largest = correlation.cwiseAbs().maxCoeff();
    if (largest <= bound) return true;
    if (bound == 0.0) return false;
    theta *= bound / largest;
    correlation *= bound / largest;
    return true;
  };
  double conjugate = 0.0;  // r*(-A'theta)
  if (name == "l1" && r.is_elementwise()) {
    if (!scale_into(p[0])) return std::nullopt;
  } else if (name == "l1") {
    // Weighted: r* is the indicator of |u_i| <= lambda w_i; scale theta by the worst ratio.
    const std::span<const double> w = r.list_parameter("weights");
    double worst = 0.0;
    for (Eigen::Index i = 0; i < correlation.size(); ++i) {
      const double bound = p[0] * w[static_cast<std::size_t>(i)];
      if (bound == 0.0) {
        if (correlation[i] != 0.0) return std::nullopt;
        continue;
      }
      worst = std::max(worst, std::abs(correlation[i]) / bound);
    }
    if (worst > 1.0) {
      theta /= worst;
      correlation /= worst;
    }
  } else if (name == "l2sq") {
    if (p[0] == 0.0) return std::nullopt;
    conjugate = correlation.squaredNorm() / (2.0 * p[0]);
  } else if (name == "elastic_net") {
    // r*(u) = sum_i max(|u_i| - l1, 0)^2 / (2 l2); with l2 = 0 it is the lasso's.
    const double l1 = p[0], l2 = p[1];
    if (l2 == 0.0) {
      if (!scale_into(l1)) return std::nullopt;
    } else {
      for (Eigen::Index i = 0; i < correlation.size(); ++i) {
        const double excess = std::max(std::abs(correlation[i]) - l1, 0.0);
        conjugate += excess * excess / (2.0 * l2);
      }
    }
  } else if (name == "box") {
    // The support function of the box at u = -A'theta.
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) return std::nullopt;
    for (Eigen::Index i = 0; i < correlation.size(); ++i) {
      const double u = -correlation[i];
      conjugate += std::max(p[0] * u, p[1] * u);
    }
  } else {
    return std::nullopt;
  }
  double dual = -conjugate;
  for (Eigen::Index i = 0; i < rows; ++i) {
    const double w = weight(i);
    if (w == 0.0) continue;
    dual += w * negative_conjugate(loss, n * theta[i] / w, (*data.b)[i]) / n;
  }
  if (!std::isfinite(dual)) return std::nullopt;
  // Rounding can make a converged gap slightly negative; it bounds a non-negative quantity.
  return std::max(0.0, primal - dual);
}

std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r, const Matrix& A,
                                  const Vector& b, const Vector& x) {
  DataView<double> data;
  data.dense = &A;
  data.b = &b;
  return duality_gap(f, r, data, A.cols(), x);
}

}  // namespace proxjit
