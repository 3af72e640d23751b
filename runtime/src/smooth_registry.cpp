#include <cmath>
#include <random>
#include <sstream>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "smooth/builtin_smooth.h"

namespace proxjit {

const std::vector<SmoothDefinition>& smooth_registry() {
  static const std::vector<SmoothDefinition> registry = {
      builtin::quadratic_smooth(),
      builtin::least_squares_smooth(),
  };
  return registry;
}

SmoothComponent SmoothComponent::parse(std::string_view text) {
  const ComponentText parsed = parse_component_text(text);
  std::vector<std::string> names;
  for (const SmoothDefinition& d : smooth_registry()) {
    if (d.name != parsed.name) {
      names.push_back(d.name);
      continue;
    }
    if (!parsed.arguments.empty()) {
      throw Error("smooth term '" + d.name + "' takes no parameters, but \"" + std::string(text) +
                  "\" gives some (its data come from A and b)");
    }
    SmoothComponent component;
    component.definition_ = &d;
    return component;
  }
  std::string message = "unknown smooth term '" + parsed.name + "'";
  const std::string suggestion = nearest_name(parsed.name, names);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  std::string all;
  for (const std::string& n : names)
    all += (all.empty() ? "" : ", ") + n;
  throw Error(message + " (available: " + all + ")");
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
        std::ostringstream message;
        message << what << " contains " << m(i, j) << " at row " << i << ", column " << j
                << " (all entries must be finite numbers)";
        throw Error(message.str());
      }
    }
  }
}

void check_finite(const Vector& v, const std::string& what) {
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      std::ostringstream message;
      message << what << " contains " << v[i] << " at index " << i
              << " (all entries must be finite numbers)";
      throw Error(message.str());
    }
  }
}

}  // namespace proxjit
