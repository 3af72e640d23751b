#include "proxjit/path.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"
#include "proxjit/runtime/objective.h"

namespace proxjit {
namespace {

// d/dc of sum_i w_i phi(c, b_i): nondecreasing in c for a convex phi.
double intercept_slope(const Problem& problem, double c) {
  const SmoothComponent& f = problem.f();
  const Vector& b = problem.b();
  const Vector& w = problem.sample_weights();
  double slope = 0.0;
  for (Eigen::Index i = 0; i < b.size(); ++i) {
    slope += (w.size() ? w[i] : 1.0) * f.derivative<double>(c, b[i]);
  }
  return slope;
}

int parameter_slot(const ProxDefinition& prox, std::string_view parameter) {
  for (std::size_t i = 0; i < prox.parameters.size(); ++i) {
    if (prox.parameters[i].name == parameter) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::optional<double> intercept_only_optimum(const Problem& problem) {
  if (!problem.fit_intercept()) return 0.0;
  // Bracket the root of the slope by doubling, then bisect to the last bit: a few hundred passes
  // over b, nothing next to a solve.
  double lo = -1.0, hi = 1.0;
  while (intercept_slope(problem, lo) > 0.0) {
    hi = lo;
    lo *= 2.0;
    if (!std::isfinite(lo) || lo < -1e300) return std::nullopt;
  }
  while (intercept_slope(problem, hi) < 0.0) {
    lo = hi;
    hi *= 2.0;
    if (!std::isfinite(hi) || hi > 1e300) return std::nullopt;
  }
  for (int k = 0; k < 2100; ++k) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (intercept_slope(problem, mid) < 0.0 ? lo : hi) = mid;
  }
  const double c = 0.5 * (lo + hi);
  // A true root has the slope change sign strictly around it; logistic with one class has a
  // slope that only underflows to 0 (its optimum is at infinity).
  const double delta = 1e-3 * std::max(1.0, std::abs(c));
  if (!(intercept_slope(problem, c - delta) < 0.0 && intercept_slope(problem, c + delta) > 0.0)) {
    return std::nullopt;
  }
  return c;
}

std::optional<double> lambda_max(const Problem& problem, std::string_view parameter) {
  const ProxComponent& r = problem.r();
  const LambdaMaxRule& rule = r.definition().lambda_max;
  if (rule.kind == LambdaMaxRule::Kind::none) return std::nullopt;
  if (rule.slot != parameter_slot(r.definition(), parameter)) return std::nullopt;
  Vector x = Vector::Zero(problem.variables());
  if (problem.fit_intercept()) {
    const std::optional<double> c = intercept_only_optimum(problem);
    if (!c) return std::nullopt;
    x[x.size() - 1] = *c;
  }
  const Objective<double> objective(problem.f(), r, problem.data_view<double>(),
                                    problem.features());
  Vector g(problem.variables());
  objective.smooth(x, g);
  const std::span<const double> gradient(g.data(), static_cast<std::size_t>(problem.features()));
  const auto list = [&](const std::string& name) {
    return name.empty() ? std::span<const double>() : r.list_parameter(name);
  };
  return lambda_max_from_gradient(rule, gradient, list(rule.weights_list), list(rule.groups_list));
}

std::vector<double> automatic_grid(const Problem& problem, std::string_view parameter,
                                   const GridOptions& options) {
  if (options.count < 1) {
    throw Error("grid: the number of values must be at least 1, got " +
                std::to_string(options.count));
  }
  if (options.min_ratio < 0.0 || options.min_ratio >= 1.0 || !std::isfinite(options.min_ratio)) {
    throw Error("grid: the ratio of the last value to the first must be in (0, 1), got " +
                number_text(options.min_ratio));
  }
  const std::optional<double> largest = lambda_max(problem, parameter);
  const std::string name = problem.r().name();
  if (!largest) {
    throw Error("grid auto: " + name + " declares no lambda_max for parameter '" +
                std::string(parameter) +
                "' (or no value of it makes every coefficient zero here); give the values "
                "with --values or --grid FROM:TO:COUNT");
  }
  if (!(*largest > 0.0)) {
    throw Error("grid auto: lambda_max is 0 for " + name +
                ": the solution is zero for every value of '" + std::string(parameter) + "'");
  }
  const double ratio = options.min_ratio > 0.0 ? options.min_ratio
                       : problem.samples() > problem.features() ? 1e-4
                                                                : 1e-2;
  std::vector<double> values(static_cast<std::size_t>(options.count));
  for (int k = 0; k < options.count; ++k) {
    const double t = options.count == 1 ? 0.0 : static_cast<double>(k) / (options.count - 1);
    values[static_cast<std::size_t>(k)] = *largest * std::pow(ratio, t);
  }
  return values;
}

}  // namespace proxjit
