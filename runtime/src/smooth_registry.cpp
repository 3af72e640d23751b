#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "parameter_binding.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/expr_calculus.h"
#include "proxjit/runtime/number_text.h"
#include "proxjit/runtime/user_components.h"
#include "smooth/builtin_smooth.h"

namespace proxjit {

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string all;
  for (const std::string& w : words)
    all += (all.empty() ? "" : ", ") + w;
  return all;
}

const SmoothDefinition& find_smooth(std::string_view name) {
  std::vector<std::string> names;
  for (const SmoothDefinition& d : smooth_registry()) {
    if (d.name == name) return d;
    names.push_back(d.name);
  }
  if (const SmoothDefinition* user = find_user_smooth(name)) return *user;
  for (const SmoothDefinition* d : user_smooth_definitions())
    names.push_back(d->name);
  std::string message = "unknown smooth term '" + std::string(name) + "'";
  const std::string suggestion = nearest_name(name, names);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  throw Error(message + " (available: " + joined(names) + ")");
}

}  // namespace

void complete_loss_definition(SmoothDefinition& d) {
  d.derivative_canonical = expr::canonical(d.derivative);
  // Given by the loss where symbolic differentiation would take a kink's subgradient at a point
  // where phi'' is smooth (logistic); otherwise derived.
  const bool given =
      d.second_derivative.op() != expr::Op::constant || d.second_derivative.constant() != 0.0;
  if (!given) d.second_derivative = expr::simplify(expr::derivative(d.derivative));
  d.second_derivative_canonical = expr::canonical(d.second_derivative);
  d.loss_canonical = expr::canonical(d.loss);
}

const std::vector<SmoothDefinition>& smooth_registry() {
  static const std::vector<SmoothDefinition> registry = [] {
    std::vector<SmoothDefinition> all = {
        builtin::quadratic_smooth(), builtin::least_squares_smooth(), builtin::logistic_smooth(),
        builtin::huber_smooth(),     builtin::squared_hinge_smooth(), builtin::poisson_smooth(),
    };
    for (SmoothDefinition& d : all) {
      if (d.kind == SmoothKind::margin) complete_loss_definition(d);
    }
    return all;
  }();
  return registry;
}

SmoothComponent SmoothComponent::parse(std::string_view text) {
  const ComponentText parsed = parse_component_text(text);
  const SmoothDefinition& definition = find_smooth(parsed.name);
  const detail::NamedArguments named =
      detail::name_arguments("smooth term '" + definition.name + "'", definition.parameters, parsed,
                             text, " (its data come from A and b)");
  if (!named.lists.empty()) {
    throw Error("smooth term '" + definition.name + "' takes no list parameters");
  }
  return make(parsed.name, named.scalars);
}

SmoothComponent SmoothComponent::make(
    std::string_view name, const std::vector<std::pair<std::string, double>>& arguments) {
  SmoothComponent component;
  component.definition_ = &find_smooth(name);
  const SmoothDefinition& d = *component.definition_;
  component.parameters_ =
      detail::bind_parameters("smooth term '" + d.name + "'", d.name, d.parameters, arguments, {})
          .scalars;
  return component;
}

std::string SmoothComponent::describe() const {
  std::string text = definition_->name;
  if (parameters_.empty()) return text;
  text += "(";
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (i) text += ", ";
    text += definition_->parameters[i].name + "=" + number_text(parameters_[i]);
  }
  return text + ")";
}

double SmoothComponent::curvature() const {
  return definition_->curvature ? definition_->curvature(parameters_) : 0.0;
}

void SmoothComponent::check_targets(const Vector& b) const {
  if (!definition_->check_label) return;
  // Labels repeat (classes, counts): a value just accepted needs no second check.
  double accepted[2] = {std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::quiet_NaN()};
  for (Eigen::Index i = 0; i < b.size(); ++i) {
    // (A non-short-circuit test: labels alternate unpredictably between the two.)
    if ((b[i] == accepted[0]) | (b[i] == accepted[1])) continue;
    const std::string problem = definition_->check_label(b[i]);
    accepted[1] = accepted[0];
    accepted[0] = b[i];
    if (!problem.empty()) {
      throw Error(name() + ": b[" + std::to_string(i) + "] = " + number_text(b[i]) + ", but " +
                  problem);
    }
  }
}

double largest_eigenvalue(Eigen::Index size,
                          const std::function<void(const Vector&, Vector&)>& apply) {
  if (size == 0) return 0.0;
  // A seeded random start: deterministic, and orthogonal to the top eigenvector only with
  // probability zero (a structured start such as all-ones can be, and then misses it).
  std::mt19937_64 rng(0x5eed);
  std::uniform_real_distribution<double> uniform(0.5, 1.5);
  Vector v(size);
  for (Eigen::Index i = 0; i < size; ++i)
    v[i] = (i % 2 ? -1.0 : 1.0) * uniform(rng);
  v.normalize();
  Vector w(size);
  double estimate = 0.0;
  for (int iteration = 0; iteration < 100; ++iteration) {
    apply(v, w);
    const double norm = w.norm();
    if (norm == 0.0 || !std::isfinite(norm)) return norm;
    const double previous = estimate;
    estimate = v.dot(w);
    v = w / norm;
    if (iteration > 5 && std::abs(estimate - previous) <= 1e-6 * std::abs(estimate)) break;
  }
  // Power iteration approaches from below; a small margin keeps 1/L a safe step.
  apply(v, w);
  return 1.02 * std::max(estimate, w.norm());
}

void check_finite(const Matrix& m, const std::string& what) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (!std::isfinite(m(i, j))) {
        throw Error(what + " contains " + number_text(m(i, j)) + " at row " + std::to_string(i) +
                    ", column " + std::to_string(j) + " (all entries must be finite numbers)");
      }
    }
  }
}

void check_finite(const Vector& v, const std::string& what) {
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      throw Error(what + " contains " + number_text(v[i]) + " at index " + std::to_string(i) +
                  " (all entries must be finite numbers)");
    }
  }
}

}  // namespace proxjit
