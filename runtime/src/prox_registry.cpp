#include <cmath>

#include "prox/builtin_prox.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
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

std::vector<std::string> parameter_names(const ProxDefinition& d) {
  std::vector<std::string> names;
  for (const ParameterSpec& p : d.parameters)
    names.push_back(p.name);
  return names;
}

std::size_t parameter_index(const ProxDefinition& d, const std::string& key) {
  std::size_t index = 0;
  while (index < d.parameters.size() && d.parameters[index].name != key)
    ++index;
  if (index == d.parameters.size()) {
    const std::vector<std::string> names = parameter_names(d);
    std::string message = "prox '" + d.name + "' has no parameter '" + key + "'";
    const std::string suggestion = nearest_name(key, names);
    if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
    message += names.empty() ? " (it takes none)" : " (parameters: " + join(names) + ")";
    throw Error(message);
  }
  return index;
}

// An example of the parameter's syntax for messages: lambda=0.1, groups=[2, 3].
std::string example_of(const ParameterSpec& p) {
  return p.name + (p.is_list ? "=[0.1, 0.2]" : "=0.1");
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
  std::vector<std::pair<std::string, double>> arguments;
  std::vector<std::pair<std::string, std::vector<double>>> list_arguments;
  const ProxDefinition& definition = find_prox(parsed.name);
  std::size_t position = 0;
  for (const ComponentArgument& arg : parsed.arguments) {
    std::string key = arg.key;
    if (key.empty()) {
      if (position >= definition.parameters.size()) {
        throw Error("prox '" + definition.name + "' takes " +
                    std::to_string(definition.parameters.size()) +
                    " parameter(s), but more were given in \"" + std::string(text) + "\"");
      }
      key = definition.parameters[position++].name;
    }
    if (arg.is_list) {
      list_arguments.emplace_back(std::move(key), arg.list);
    } else {
      arguments.emplace_back(std::move(key), arg.value);
    }
  }
  return make(parsed.name, arguments, list_arguments);
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
  std::vector<bool> given(d.parameters.size(), false);
  component.parameters_.resize(d.parameters.size());
  component.lists_.resize(d.parameters.size());
  const auto mark_given = [&](std::size_t index, const std::string& key) {
    if (given[index]) throw Error(who + ": parameter '" + key + "' is given twice");
    given[index] = true;
  };
  for (const auto& [key, value] : arguments) {
    const std::size_t index = parameter_index(d, key);
    const ParameterSpec& spec = d.parameters[index];
    if (spec.is_list) {
      throw Error(who + ": parameter '" + key + "' is a list, not a number; write it as " +
                  example_of(spec));
    }
    mark_given(index, key);
    if (std::isnan(value) || (spec.is_valid && !spec.is_valid(value))) {
      throw Error(who + ": parameter '" + key + "' must be " + spec.expected + ", got " +
                  shortest_number_text(value));
    }
    component.parameters_[index] = value;
  }
  for (const auto& [key, values] : list_arguments) {
    const std::size_t index = parameter_index(d, key);
    const ParameterSpec& spec = d.parameters[index];
    if (!spec.is_list) {
      throw Error(who + ": parameter '" + key + "' is a number, not a list; write it as " +
                  example_of(spec));
    }
    mark_given(index, key);
    if (values.empty()) throw Error(who + ": parameter '" + key + "' must not be an empty list");
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i]) || (spec.is_valid && !spec.is_valid(values[i]))) {
        throw Error(who + ": parameter '" + key + "' must hold numbers " + spec.expected +
                    ", got " + shortest_number_text(values[i]) + " at index " + std::to_string(i));
      }
    }
    if (spec.check_list) {
      const std::string problem = spec.check_list(values);
      if (!problem.empty()) throw Error(who + ": parameter '" + key + "' " + problem);
    }
    component.lists_[index] = values;
  }
  for (std::size_t i = 0; i < d.parameters.size(); ++i) {
    if (given[i]) continue;
    const ParameterSpec& spec = d.parameters[i];
    if (spec.required) {
      throw Error(who + " needs parameter '" + spec.name + "' (" + spec.description + "), e.g. " +
                  d.name + "(" + example_of(spec) + ")");
    }
    if (!spec.is_list) component.parameters_[i] = spec.default_value;
  }
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
    inside += spec.name + "=" +
              (spec.is_list ? list_text(lists_[i]) : shortest_number_text(parameters_[i]));
  }
  return inside.empty() ? text : text + "(" + inside + ")";
}

}  // namespace proxjit
