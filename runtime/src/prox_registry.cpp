#include <cmath>

#include "prox/builtin_prox.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/prox.h"

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
  const std::vector<std::string> names = names_of(prox_registry());
  std::string message = "unknown prox '" + std::string(name) + "'";
  const std::string suggestion = nearest_name(name, names);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  throw Error(message + " (available: " + join(names) + ")");
}

}  // namespace

const std::vector<ProxDefinition>& prox_registry() {
  static const std::vector<ProxDefinition> registry = [] {
    std::vector<ProxDefinition> all = {
        builtin::zero_prox(), builtin::l1_prox(),     builtin::l2sq_prox(),
        builtin::box_prox(),  builtin::nonneg_prox(), builtin::elastic_net_prox(),
    };
    for (ProxDefinition& d : all)
      d.prox_canonical = expr::canonical(d.prox);
    return all;
  }();
  return registry;
}

ProxComponent ProxComponent::parse(std::string_view text) {
  const ComponentText parsed = parse_component_text(text);
  std::vector<std::pair<std::string, double>> arguments;
  const ProxDefinition& definition = find_prox(parsed.name);
  std::size_t position = 0;
  for (const ComponentArgument& arg : parsed.arguments) {
    if (!arg.key.empty()) {
      arguments.emplace_back(arg.key, arg.value);
      continue;
    }
    if (position >= definition.parameters.size()) {
      throw Error("prox '" + definition.name + "' takes " +
                  std::to_string(definition.parameters.size()) +
                  " parameter(s), but more were given in \"" + std::string(text) + "\"");
    }
    arguments.emplace_back(definition.parameters[position++].name, arg.value);
  }
  return make(parsed.name, arguments);
}

ProxComponent ProxComponent::make(std::string_view name,
                                  const std::vector<std::pair<std::string, double>>& arguments) {
  ProxComponent component;
  component.definition_ = &find_prox(name);
  const ProxDefinition& d = *component.definition_;
  const std::string who = "prox '" + d.name + "'";
  std::vector<bool> given(d.parameters.size(), false);
  component.parameters_.resize(d.parameters.size());
  for (const auto& [key, value] : arguments) {
    std::size_t index = 0;
    while (index < d.parameters.size() && d.parameters[index].name != key)
      ++index;
    if (index == d.parameters.size()) {
      std::vector<std::string> names;
      for (const ParameterSpec& p : d.parameters)
        names.push_back(p.name);
      std::string message = who + " has no parameter '" + key + "'";
      const std::string suggestion = nearest_name(key, names);
      if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
      message += names.empty() ? " (it takes none)" : " (parameters: " + join(names) + ")";
      throw Error(message);
    }
    if (given[index]) throw Error(who + ": parameter '" + key + "' is given twice");
    const ParameterSpec& spec = d.parameters[index];
    if (std::isnan(value) || (spec.is_valid && !spec.is_valid(value))) {
      throw Error(who + ": parameter '" + key + "' must be " + spec.expected + ", got " +
                  shortest_number_text(value));
    }
    given[index] = true;
    component.parameters_[index] = value;
  }
  for (std::size_t i = 0; i < d.parameters.size(); ++i) {
    if (given[i]) continue;
    if (d.parameters[i].required) {
      throw Error(who + " needs parameter '" + d.parameters[i].name + "' (" +
                  d.parameters[i].description + "), e.g. " + d.name + "(" + d.parameters[i].name +
                  "=0.1)");
    }
    component.parameters_[i] = d.parameters[i].default_value;
  }
  if (d.check_together) {
    const std::string problem = d.check_together(component.parameters_);
    if (!problem.empty()) throw Error(who + ": " + problem);
  }
  return component;
}

ProxComponent ProxComponent::with_parameter(std::string_view name, double value) const {
  std::vector<std::pair<std::string, double>> arguments;
  bool found = false;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::string& key = definition_->parameters[i].name;
    found = found || key == name;
    arguments.emplace_back(key, key == name ? value : parameters_[i]);
  }
  if (!found) arguments.emplace_back(std::string(name), value);  // make() names the problem
  return make(definition_->name, arguments);
}

std::string ProxComponent::describe() const {
  std::string text = definition_->name;
  if (parameters_.empty()) return text;
  text += "(";
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (i) text += ", ";
    text += definition_->parameters[i].name + "=" + shortest_number_text(parameters_[i]);
  }
  return text + ")";
}

}  // namespace proxjit
