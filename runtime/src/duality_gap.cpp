#include "proxjit/runtime/duality_gap.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace proxjit {

std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r,
                                  const DataView<double>& data, Eigen::Index penalized,
                                  const Vector& x, double* primal_out, const SampleValues& at_x) {
  const std::string& loss = f.name();
  if (loss != "least_squares" && loss != "logistic") return std::nullopt;
  if (penalized != x.size()) return std::nullopt;
  const Eigen::Index rows = data.rows();
  const double n = static_cast<double>(rows);
  const Vector z = at_x.margins ? Vector(Eigen::Map<const Vector>(at_x.margins, rows))
                   : data.dense ? Vector(*data.dense * x)
                                : Vector(*data.sparse * x);
  double primal = r.value<double>(x.data(), static_cast<std::size_t>(x.size()));
  const Eigen::ArrayXd w =
      data.weights ? Eigen::ArrayXd(data.weights->array()) : Eigen::ArrayXd::Ones(rows);
  const Eigen::ArrayXd b = data.b->array();
  // The two losses in closed form, as whole arrays: the engine checks gaps between iterations.
  const bool logistic = loss == "logistic";
  Eigen::ArrayXd value, slope;
  Eigen::ArrayXd sigmoid, log_sigmoid;  // logistic: sigmoid(m) and its log, for the dual
  if (logistic && at_x.loss && at_x.weighted_slope) {
    // From the solver's phi and w phi': sigmoid(m) = -b phi', log sigmoid(m) = m - phi.
    value = Eigen::Map<const Eigen::ArrayXd>(at_x.loss, rows);
    const Eigen::Map<const Eigen::ArrayXd> weighted_slope(at_x.weighted_slope, rows);
    slope = (w > 0.0).select(weighted_slope / w, 0.0);
    sigmoid = -b * slope;
    log_sigmoid = -b * z.array() - value;
  } else if (logistic) {
    const Eigen::ArrayXd m = -b * z.array();  // phi = softplus(m), phi' = -b sigmoid(m)
    const Eigen::ArrayXd e = (-m.abs()).exp();
    const Eigen::ArrayXd log1p_e = e.log1p();
    value = m.max(0.0) + log1p_e;
    sigmoid = (m >= 0.0).select(1.0 / (1.0 + e), e / (1.0 + e));
    log_sigmoid = -((-m).max(0.0) + log1p_e);  // log sigmoid(m) = -softplus(-m)
    slope = -b * sigmoid;
  } else {
    const Eigen::ArrayXd residual = z.array() - b;
    value = 0.5 * residual.square();
    slope = residual;
  }
  primal += (w * value).sum() / n;
  Vector theta = (w * slope / n).matrix();
  Vector correlation = data.dense ? Vector(data.dense->transpose() * theta)
                                  : Vector(data.sparse->transpose() * theta);
  const std::string& name = r.name();
  const auto p = r.parameters();
  // Scales theta so that |A'theta|_inf <= bound (r* is then finite); false when impossible.
  double kappa = 1.0;  // theta is kappa times w * phi' / n
  const auto scale_into = [&](double bound) {
    const double largest = correlation.cwiseAbs().maxCoeff();
    if (largest <= bound) return true;
    if (bound == 0.0) return false;
    theta *= bound / largest;
    correlation *= bound / largest;
    kappa *= bound / largest;
    return true;
  };
  double conjugate = 0.0;  // r*(-A'theta)
  if (name == "l1" && r.is_elementwise()) {
    if (!scale_into(p[0])) return std::nullopt;
  } else if (name == "l1") {
    // Weighted: r* is the indicator of |u_i| <= lambda w_i; scale theta by the worst ratio.
    const std::span<const double> feature_weights = r.list_parameter("weights");
    double worst = 0.0;
    for (Eigen::Index i = 0; i < correlation.size(); ++i) {
      const double bound = p[0] * feature_weights[static_cast<std::size_t>(i)];
      if (bound == 0.0) {
        if (correlation[i] != 0.0) return std::nullopt;
        continue;
      }
      worst = std::max(worst, std::abs(correlation[i]) / bound);
    }
    if (worst > 1.0) {
      theta /= worst;
      correlation /= worst;
      kappa /= worst;
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
  // -phi*(u_i, b_i) with u_i = n theta_i / w_i, over the samples with w_i > 0.
  const Eigen::Array<bool, Eigen::Dynamic, 1> counted = w > 0.0;
  Eigen::ArrayXd terms;
  if (logistic) {
    // phi*(u) = s log s + (1 - s) log(1 - s) with s = -b u = kappa sigmoid(m) in [0, 1]: log s
    // = log kappa + log sigmoid(m), and at kappa = 1, 1 - s = sigmoid(-m) whose log is -phi.
    // Logs from the primal's: a gap check costs little more than a gradient.
    const Eigen::ArrayXd s_dual = kappa * sigmoid;
    const Eigen::ArrayXd q = 1.0 - s_dual;
    const Eigen::ArrayXd log_q = kappa == 1.0 ? Eigen::ArrayXd(-value) : Eigen::ArrayXd(q.log());
    terms = -((s_dual > 0.0).select(s_dual * (std::log(kappa) + log_sigmoid), 0.0) +
              (q > 0.0).select(q * log_q, 0.0));
  } else {
    const Eigen::ArrayXd u = n * theta.array() / w;  // = kappa phi'
    terms = -(0.5 * u.square() + u * b);
  }
  const double dual = -conjugate + (counted.select(w * terms, 0.0)).sum() / n;
  if (!std::isfinite(dual)) return std::nullopt;
  if (primal_out) *primal_out = primal;
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
