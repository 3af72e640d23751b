#pragma once
// Matching the arguments of `name(key=value, ...)` to a component's declared parameters, with
// the checks and messages every kind of component (prox, smooth term) shares.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/prox.h"

namespace proxjit::detail {

using ScalarArguments = std::vector<std::pair<std::string, double>>;
using ListArguments = std::vector<std::pair<std::string, std::vector<double>>>;

struct NamedArguments {
  ScalarArguments scalars;
  ListArguments lists;
};

struct BoundParameters {
  std::vector<double> scalars;             // by declared index (a list's slot holds 0)
  std::vector<std::vector<double>> lists;  // by declared index (empty for scalars)
};

// Gives positional arguments their declared names; `who` ("prox 'l1'") starts the messages and
// `no_parameters_hint` follows the one for too many arguments when there are no parameters.
NamedArguments name_arguments(const std::string& who, const std::vector<ParameterSpec>& specs,
                              const ComponentText& parsed, std::string_view text,
                              std::string_view no_parameters_hint = "");

// Checks every argument against its spec (unknown names with a suggestion, given twice, scalar
// for list and back, validity), fills in defaults and throws for missing required ones.
BoundParameters bind_parameters(const std::string& who, const std::string& component_name,
                                const std::vector<ParameterSpec>& specs,
                                const ScalarArguments& scalars, const ListArguments& lists);

}  // namespace proxjit::detail
