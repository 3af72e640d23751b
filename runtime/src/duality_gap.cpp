#include "proxjit/runtime/duality_gap.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace proxjit {

bool duality_gap_known(const SmoothComponent& f, const ProxComponent& r, Eigen::Index penalized,
                       Eigen::Index variables) {
  const DualRule& rule = r.definition().dual;
  if (f.definition().dual == LossDual::none || penalized != variables) return false;
  const auto slot = [&](int index) { return index < 0 ? 0.0 : r.parameters()[index]; };
  switch (rule.kind) {
    case DualRule::Kind::none:
      return false;
    case DualRule::Kind::shrink:
      // Weighted l1 plus an l2 term has no closed form here.
      return rule.weights_list.empty() || r.list_parameter(rule.weights_list).empty() ||
             rule.l2_slot < 0;
    case DualRule::Kind::box:
      return std::isfinite(slot(rule.lo_slot)) && std::isfinite(slot(rule.hi_slot));
  }
  return false;
}

std::optional<double> duality_gap(const SmoothComponent& f, const ProxComponent& r,
                                  const DataView<double>& data, Eigen::Index penalized,
                                  const Vector& x, double* primal_out, const SampleValues& at_x) {
  // Before any pass over the data: most pairs have no gap, and every solve asks once.
  if (!duality_gap_known(f, r, penalized, x.size())) return std::nullopt;
  const LossDual loss = f.definition().dual;
  const Eigen::Index rows = data.rows();
  const double n = static_cast<double>(rows);
  const Vector z = at_x.margins ? Vector(Eigen::Map<const Vector>(at_x.margins, rows))
                   : data.dense ? Vector(*data.dense * x)
                                : Vector(*data.sparse * x);
  double primal = r.value<double>(x.data(), static_cast<std::size_t>(x.size()));
  const auto weight = [&](Eigen::Index i) { return data.weights ? (*data.weights)[i] : 1.0; };
  const Vector& b = *data.b;
  // The two losses in closed form, one fused pass over the samples (no temporaries): the engine
  // checks gaps between iterations. Logistic: phi = softplus(m) with m = -b z, phi' = -b
  // sigmoid(m); sigmoid(m) and its log are kept for the dual.
  const bool logistic = loss == LossDual::logistic;
  const bool from_values = logistic && at_x.loss && at_x.weighted_slope;
  std::vector<double> value(static_cast<std::size_t>(rows));
  std::vector<double> sigmoid(logistic ? value.size() : 0), log_sigmoid(sigmoid.size());
  Vector theta(rows);  // w phi' / n
  double loss_sum = 0.0;
  for (Eigen::Index i = 0; i < rows; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double w = weight(i);
    double slope;
    if (from_values) {
      // From the solver's phi and w phi': sigmoid(m) = -b phi', log sigmoid(m) = m - phi.
      value[k] = at_x.loss[i];
      slope = w > 0.0 ? at_x.weighted_slope[i] / w : 0.0;
      sigmoid[k] = -b[i] * slope;
      log_sigmoid[k] = -b[i] * z[i] - value[k];
    } else if (logistic) {
      const double m = -b[i] * z[i];
      const double e = std::exp(-std::abs(m));
      const double log1p_e = std::log1p(e);
      value[k] = std::max(m, 0.0) + log1p_e;
      sigmoid[k] = m >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      log_sigmoid[k] = -(std::max(-m, 0.0) + log1p_e);  // log sigmoid(m) = -softplus(-m)
      slope = -b[i] * sigmoid[k];
    } else {
      const double residual = z[i] - b[i];
      value[k] = 0.5 * residual * residual;
      slope = residual;
    }
    loss_sum += w * value[k];
    theta[i] = w * slope / n;
  }
  primal += loss_sum / n;
  Vector correlation = at_x.gradient ? Vector(Eigen::Map<const Vector>(at_x.gradient, x.size()))
                       : data.dense  ? Vector(data.dense->transpose() * theta)
                                     : Vector(data.sparse->transpose() * theta);
  const DualRule& rule = r.definition().dual;
  const auto slot = [&](int index) { return index < 0 ? 0.0 : r.parameters()[index]; };
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
  const std::span<const double> feature_weights =
      rule.weights_list.empty() ? std::span<const double>() : r.list_parameter(rule.weights_list);
  if (rule.kind == DualRule::Kind::shrink && !feature_weights.empty()) {
    // Weighted (and no l2 term: duality_gap_known): r* is the indicator of |u_i| <= l1 w_i;
    // scale theta by the worst ratio.
    const double l1 = slot(rule.l1_slot);
    double worst = 0.0;
    for (Eigen::Index i = 0; i < correlation.size(); ++i) {
      const double bound = l1 * feature_weights[static_cast<std::size_t>(i)];
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
  } else if (rule.kind == DualRule::Kind::shrink) {
    // r*(u) = sum_i max(|u_i| - l1, 0)^2 / (2 l2); with l2 = 0 the indicator of |u_i| <= l1.
    const double l1 = slot(rule.l1_slot), l2 = slot(rule.l2_slot);
    if (l2 == 0.0) {
      if (!scale_into(l1)) return std::nullopt;
    } else if (rule.l1_slot < 0) {
      conjugate = correlation.squaredNorm() / (2.0 * l2);
    } else {
      for (Eigen::Index i = 0; i < correlation.size(); ++i) {
        const double excess = std::max(std::abs(correlation[i]) - l1, 0.0);
        conjugate += excess * excess / (2.0 * l2);
      }
    }
  } else if (rule.kind == DualRule::Kind::box) {
    // The support function of the box (finite: duality_gap_known) at u = -A'theta.
    const double lo = slot(rule.lo_slot), hi = slot(rule.hi_slot);
    for (Eigen::Index i = 0; i < correlation.size(); ++i) {
      const double u = -correlation[i];
      conjugate += std::max(lo * u, hi * u);
    }
  } else {
    return std::nullopt;
  }
  // -phi*(u_i, b_i) with u_i = n theta_i / w_i, over the samples with w_i > 0. Logistic:
  // phi*(u) = s log s + (1 - s) log(1 - s) with s = -b u = kappa sigmoid(m) in [0, 1]: log s =
  // log kappa + log sigmoid(m), and at kappa = 1, 1 - s = sigmoid(-m) whose log is -phi. Logs
  // from the primal's: a gap check costs little more than a gradient.
  const double log_kappa = std::log(kappa);
  double dual_sum = 0.0;
  for (Eigen::Index i = 0; i < rows; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double w = weight(i);
    if (!(w > 0.0)) continue;
    double term;
    if (logistic) {
      const double s_dual = kappa * sigmoid[k];
      const double q = 1.0 - s_dual;
      const double log_q = kappa == 1.0 ? -value[k] : std::log(q);
      term = -((s_dual > 0.0 ? s_dual * (log_kappa + log_sigmoid[k]) : 0.0) +
               (q > 0.0 ? q * log_q : 0.0));
    } else {
      const double u = n * theta[i] / w;  // = kappa phi'
      term = -(0.5 * u * u + u * b[i]);
    }
    dual_sum += w * term;
  }
  const double dual = -conjugate + dual_sum / n;
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
