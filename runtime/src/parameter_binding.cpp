#include "parameter_binding.h"

#include <cmath>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::detail {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words)
    text += (text.empty() ? "" : ", ") + w;
  return text;
}

std::size_t parameter_index(const std::string& who, const std::vector<ParameterSpec>& specs,
                            const std::string& key) {
  std::size_t index = 0;
  while (index < specs.size() && specs[index].name != key)
    ++index;
  if (index == specs.size()) {
    std::vector<std::string> names;
    for (const ParameterSpec& p : specs)
      names.push_back(p.name);
    std::string message = who + " has no parameter '" + key + "'";
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

NamedArguments name_arguments(const std::string& who, const std::vector<ParameterSpec>& specs,
                              const ComponentText& parsed, std::string_view text,
                              std::string_view no_parameters_hint) {
  NamedArguments named;
  std::size_t position = 0;
  for (const ComponentArgument& arg : parsed.arguments) {
    std::string key = arg.key;
    if (key.empty()) {
      if (position >= specs.size()) {
        throw Error(who + " takes " + std::to_string(specs.size()) +
                    " parameter(s), but more were given in \"" + std::string(text) + "\"" +
                    (specs.empty() ? std::string(no_parameters_hint) : ""));
      }
      key = specs[position++].name;
    }
    if (arg.is_list) {
      named.lists.emplace_back(std::move(key), arg.list);
    } else {
      named.scalars.emplace_back(std::move(key), arg.value);
    }
  }
  return named;
}

BoundParameters bind_parameters(const std::string& who, const std::string& component_name,
                                const std::vector<ParameterSpec>& specs,
                                const ScalarArguments& scalars, const ListArguments& lists) {
  BoundParameters bound;
  std::vector<bool> given(specs.size(), false);
  bound.scalars.resize(specs.size());
  bound.lists.resize(specs.size());
  const auto mark_given = [&](std::size_t index, const std::string& key) {
    if (given[index]) throw Error(who + ": parameter '" + key + "' is given twice");
    given[index] = true;
  };
  for (const auto& [key, value] : scalars) {
    const std::size_t index = parameter_index(who, specs, key);
    const ParameterSpec& spec = specs[index];
    if (spec.is_list) {
      throw Error(who + ": parameter '" + key + "' is a list, not a number; write it as " +
                  example_of(spec));
    }
    mark_given(index, key);
    if (std::isnan(value) || (spec.is_valid && !spec.is_valid(value))) {
      throw Error(who + ": parameter '" + key + "' must be " + spec.expected + ", got " +
                  number_text(value));
    }
    bound.scalars[index] = value;
  }
  for (const auto& [key, values] : lists) {
    const std::size_t index = parameter_index(who, specs, key);
    const ParameterSpec& spec = specs[index];
    if (!spec.is_list) {
      throw Error(who + ": parameter '" + key + "' is a number, not a list; write it as " +
                  example_of(spec));
    }
    mark_given(index, key);
    if (values.empty()) throw Error(who + ": parameter '" + key + "' must not be an empty list");
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i]) || (spec.is_valid && !spec.is_valid(values[i]))) {
        throw Error(who + ": parameter '" + key + "' must hold numbers " + spec.expected +
                    ", got " + number_text(values[i]) + " at index " + std::to_string(i));
      }
    }
    if (spec.check_list) {
      const std::string problem = spec.check_list(values);
      if (!problem.empty()) throw Error(who + ": parameter '" + key + "' " + problem);
    }
    bound.lists[index] = values;
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (given[i]) continue;
    const ParameterSpec& spec = specs[i];
    if (spec.required) {
      throw Error(who + " needs parameter '" + spec.name + "' (" + spec.description + "), e.g. " +
                  component_name + "(" + example_of(spec) + ")");
    }
    if (!spec.is_list) bound.scalars[i] = spec.default_value;
  }
  return bound;
}

}  // namespace proxjit::detail
