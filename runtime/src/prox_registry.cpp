#include <cmath>

#include "parameter_binding.h"
#include "prox/builtin_prox.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/user_components.h"

namespace proxjit {
namespace {

std::vector<std::string> names_of(const std::vector<ProxDefinition>& registry) {
  std::vector<std::string> names;
  for (const ProxDefinition& d : registry)
    names.push_back(d.name);
  return names;
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words)
    text += (text.empty() ? "" : ", ") + w;
  return text;
}

const ProxDefinition& find_prox(std::string_view name) {
  for (const ProxDefinition& d : prox_registry()) {
    if (d.name == name) return d;
  }
  if (const ProxDefinition* user = find_user_prox(name)) return *user;
  std::vector<std::string> names = names_of(prox_registry());
  for (const ProxDefinition* d : user_prox_definitions())
    names.push_back(d->name);
  std::string message = "unknown prox '" + std::string(name) + "'";
  const std::string suggestion = nearest_name(name, names);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  throw Error(message + " (available: " + join(names) + ")");
}

}  // namespace

const std::vector<ProxDefinition>& prox_registry() {
  static const std::vector<ProxDefinition> registry = [] {
    std::vector<ProxDefinition> all = {
        builtin::zero_prox(),        builtin::l1_prox(),      builtin::l2sq_prox(),
        builtin::elastic_net_prox(), builtin::l2_prox(),      builtin::group_l2_prox(),
        builtin::linf_prox(),        builtin::box_prox(),     builtin::nonneg_prox(),
        builtin::l1_ball_prox(),     builtin::l2_ball_prox(), builtin::linf_ball_prox(),
        builtin::simplex_prox(),     builtin::tv1d_prox(),    builtin::slope_prox(),
    };
    for (ProxDefinition& d : all) {
      d.prox_canonical = d.traits.elementwise ? expr::canonical(d.prox) : "call:" + d.name;
    }
    return all;
  }();
  return registry;
}

ProxComponent ProxComponent::parse(std::string_view text) {
  const ComponentText parsed = parse_component_text(text);
  const ProxDefinition& definition = find_prox(parsed.name);
  const detail::NamedArguments named =
      detail::name_arguments("prox '" + definition.name + "'", definition.parameters, parsed, text);
  return make(parsed.name, named.scalars, named.lists);
}

ProxComponent ProxComponent::make(std::string_view name,
                                  const std::vector<std::pair<std::string, double>>& arguments) {
  return make(name, arguments, {});
}

ProxComponent ProxComponent::make(
    std::string_view name, const std::vector<std::pair<std::string, double>>& arguments,
    const std::vector<std::pair<std::string, std::vector<double>>>& list_arguments) {
  ProxComponent component;
  component.definition_ = &find_prox(name);
  const ProxDefinition& d = *component.definition_;
  const std::string who = "prox '" + d.name + "'";
  detail::BoundParameters bound =
      detail::bind_parameters(who, d.name, d.parameters, arguments, list_arguments);
  component.parameters_ = std::move(bound.scalars);
  component.lists_ = std::move(bound.lists);
  if (d.check_together) {
    const std::string problem = d.check_together(component.parameters_);
    if (!problem.empty()) throw Error(who + ": " + problem);
  }
  return component;
}

ProxComponent ProxComponent::with_parameter(std::string_view name, double value) const {
  std::vector<std::pair<std::string, double>> arguments;
  std::vector<std::pair<std::string, std::vector<double>>> list_arguments;
  bool found = false;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const ParameterSpec& spec = definition_->parameters[i];
    const std::string& key = spec.name;
    if (key == name) {
      found = true;
      arguments.emplace_back(key, value);  // make() says so if key is a list
    } else if (spec.is_list) {
      if (!lists_[i].empty()) list_arguments.emplace_back(key, lists_[i]);
    } else {
      arguments.emplace_back(key, parameters_[i]);
    }
  }
  if (!found) arguments.emplace_back(std::string(name), value);  // make() names the problem
  return make(definition_->name, arguments, list_arguments);
}

std::span<const double> ProxComponent::list_parameter(std::string_view name) const {
  for (std::size_t i = 0; i < lists_.size(); ++i) {
    if (definition_->parameters[i].name == name) return lists_[i];
  }
  return {};
}

bool ProxComponent::is_elementwise() const {
  if (!definition_->traits.elementwise) return false;
  for (const std::vector<double>& list : lists_) {
    if (!list.empty()) return false;
  }
  return true;
}

void ProxComponent::check_size(std::size_t size) const {
  if (!definition_->check_size) return;
  const std::string problem = definition_->check_size(arguments(), size);
  if (!problem.empty()) throw Error("prox '" + definition_->name + "': " + problem);
}

std::string ProxComponent::describe() const {
  std::string text = definition_->name;
  if (parameters_.empty()) return text;
  std::string inside;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const ParameterSpec& spec = definition_->parameters[i];
    if (spec.is_list && lists_[i].empty()) continue;  // an optional list not given
    if (!inside.empty()) inside += ", ";
    inside += spec.name + "=" + (spec.is_list ? list_text(lists_[i]) : number_text(parameters_[i]));
  }
  return inside.empty() ? text : text + "(" + inside + ")";
}

}  // namespace proxjit
