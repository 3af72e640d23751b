#include "proxjit/runtime/user_components.h"

#include <cmath>
#include <deque>
#include <limits>
#include <mutex>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/expr_calculus.h"
#include "proxjit/runtime/formula.h"

namespace proxjit {
namespace {

// Definitions live as long as the process: components point at them. A deque keeps their
// addresses stable as more are added.
struct UserRegistry {
  std::mutex mutex;
  std::deque<SmoothDefinition> losses;
  std::deque<ProxDefinition> proxes;
};

UserRegistry& registry() {
  static UserRegistry instance;
  return instance;
}

std::vector<ParameterSpec> parameters_of(const FormulaDefinition& formula) {
  std::vector<ParameterSpec> parameters;
  for (const FormulaParameter& p : formula.parameters) {
    ParameterSpec spec;
    spec.name = p.name;
    spec.description = "parameter of " + formula.name;
    spec.default_value = p.default_value;
    spec.required = p.required;
    spec.is_valid = [](double v) { return std::isfinite(v); };
    spec.expected = "a finite number";
    parameters.push_back(std::move(spec));
  }
  return parameters;
}

// A formula with a built-in's math gets the built-in's solver rules (solver_rules.h), as it gets
// its kernels: its lagged steps and lambda_max from the prox, its conjugate (duality gaps) only
// when its value(x) is the built-in's too.
void inherit_solver_rules(ProxDefinition& d) {
  for (const ProxDefinition& builtin : prox_registry()) {
    if (!builtin.traits.elementwise || builtin.prox_canonical != d.prox_canonical) continue;
    // Equal canonical texts read equal slots, so the rules' slots exist in the formula too.
    d.lagged = builtin.lagged;
    d.lambda_max = builtin.lambda_max;
    d.lambda_max.weights_list.clear();  // a formula has no list parameters
    if (expr::canonical(builtin.value) == expr::canonical(d.value)) {
      d.dual = builtin.dual;
      d.dual.weights_list.clear();
    }
    return;
  }
}

void inherit_solver_rules(SmoothDefinition& d) {
  for (const SmoothDefinition& builtin : smooth_registry()) {
    // phi* follows from phi alone (the derivative may be written in another form).
    if (builtin.kind == SmoothKind::margin && builtin.loss_canonical == d.loss_canonical &&
        !d.elementwise_term) {
      d.dual = builtin.dual;
      return;
    }
  }
}

SmoothDefinition loss_from(const FormulaDefinition& formula) {
  SmoothDefinition d;
  d.name = formula.name;
  d.kind = SmoothKind::margin;
  d.formula = formula.text;
  d.data_shape = "A: n x d (samples are rows, dense or sparse); b: n targets";
  if (formula.kind == FormulaKind::smooth) {
    d.elementwise_term = true;
    d.data_shape = "no data: f(x) = sum_i g(x_i) over the unknowns (give their number)";
  }
  d.parameters = parameters_of(formula);
  d.loss = formula.value;
  d.derivative = formula.derivative;
  complete_loss_definition(d);
  inherit_solver_rules(d);
  if (formula.lipschitz) {
    const expr::Expr bound = *formula.lipschitz;
    d.curvature = [bound](std::span<const double> parameters) {
      return expr::evaluate<double>(bound, 0.0, 0.0, parameters.data());
    };
  } else {
    d.curvature = [](std::span<const double>) { return std::numeric_limits<double>::infinity(); };
  }
  return d;
}

ProxDefinition prox_from(const FormulaDefinition& formula) {
  ProxDefinition d;
  d.name = formula.name;
  d.formula = formula.text + (formula.has_value ? "" : "   (no value(x): objectives unknown)");
  d.value_known = formula.has_value;
  d.parameters = parameters_of(formula);
  d.prox = formula.prox;
  d.value = formula.has_value ? formula.value : expr::Expr(0.0);
  d.prox_canonical = expr::canonical(formula.prox);
  inherit_solver_rules(d);
  return d;
}

bool is_builtin(std::string_view name) {
  for (const SmoothDefinition& d : smooth_registry()) {
    if (d.name == name) return true;
  }
  for (const ProxDefinition& d : prox_registry()) {
    if (d.name == name) return true;
  }
  return false;
}

template <class Definition>
const Definition* latest(const std::deque<Definition>& all, std::string_view name) {
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

template <class Definition>
std::vector<const Definition*> in_force(const std::deque<Definition>& all) {
  std::vector<const Definition*> result;
  for (const Definition& d : all) {
    if (latest(all, d.name) == &d) result.push_back(&d);
  }
  return result;
}

}  // namespace

// (A `smooth` formula g(x) becomes a margin loss phi(z, b) = g(z) over the identity.)
std::vector<std::string> define_components(std::string_view text, std::string_view source) {
  const std::vector<FormulaDefinition> formulas = parse_definitions(text, source);
  for (const FormulaDefinition& formula : formulas) {
    const std::string where =
        std::string(source) + ":" + std::to_string(formula.source_line) + ": ";
    if (is_builtin(formula.name)) {
      throw Error(where + "'" + formula.name +
                  "' is a built-in component; give the definition another name");
    }
  }
  UserRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const FormulaDefinition& formula : formulas) {
    // A name is a loss or a prox, not both: the latest definition decides.
    if (formula.kind != FormulaKind::prox) {
      if (latest(r.proxes, formula.name)) {
        throw Error(std::string(source) + ":" + std::to_string(formula.source_line) + ": '" +
                    formula.name + "' is already defined as a prox");
      }
      r.losses.push_back(loss_from(formula));
    } else {
      if (latest(r.losses, formula.name)) {
        throw Error(std::string(source) + ":" + std::to_string(formula.source_line) + ": '" +
                    formula.name + "' is already defined as a loss");
      }
      r.proxes.push_back(prox_from(formula));
    }
    names.push_back(formula.name);
  }
  return names;
}

void define_prox(ProxDefinition definition) {
  if (is_builtin(definition.name)) {
    throw Error("'" + definition.name +
                "' is a built-in component; give the definition another name");
  }
  definition.traits = ProxTraits{};
  definition.prox_canonical = expr::canonical(definition.prox);
  definition.lagged = {};
  definition.dual = {};
  definition.lambda_max = {};
  inherit_solver_rules(definition);
  UserRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (latest(r.losses, definition.name)) {
    throw Error("'" + definition.name + "' is already defined as a loss");
  }
  r.proxes.push_back(std::move(definition));
}

void define_loss(SmoothDefinition definition) {
  if (is_builtin(definition.name)) {
    throw Error("'" + definition.name +
                "' is a built-in component; give the definition another name");
  }
  definition.kind = SmoothKind::margin;
  if (definition.derivative.op() == expr::Op::constant && definition.derivative.constant() == 0.0) {
    definition.derivative = expr::simplify(expr::derivative(definition.loss));
  }
  complete_loss_definition(definition);
  definition.dual = LossDual::none;
  inherit_solver_rules(definition);
  if (!definition.curvature) {
    definition.curvature = [](std::span<const double>) {
      return std::numeric_limits<double>::infinity();
    };
  }
  UserRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (latest(r.proxes, definition.name)) {
    throw Error("'" + definition.name + "' is already defined as a prox");
  }
  r.losses.push_back(std::move(definition));
}

std::vector<const SmoothDefinition*> user_smooth_definitions() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return in_force(registry().losses);
}
std::vector<const ProxDefinition*> user_prox_definitions() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return in_force(registry().proxes);
}
const SmoothDefinition* find_user_smooth(std::string_view name) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return latest(registry().losses, name);
}
const ProxDefinition* find_user_prox(std::string_view name) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return latest(registry().proxes, name);
}

}  // namespace proxjit
