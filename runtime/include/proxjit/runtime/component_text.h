#pragma once
// The `name(key=value, ...)` syntax shared by the C++ API, the CLI and the REPL.
//   "l1(lambda=0.1)"   "box(lo=-1, hi=1)"   "l1(0.1)" (positional, in declared order)   "nonneg"
//   "slope(lambdas=[0.3, 0.2, 0.1])" (a list value)

#include <string>
#include <string_view>
#include <vector>

namespace proxjit {

struct ComponentArgument {
  std::string key;           // empty for a positional argument
  double value = 0.0;        // a number
  std::vector<double> list;  // a list `[a, b, ...]` (may be empty: `[]`)
  bool is_list = false;
};

struct ComponentText {
  std::string name;
  std::vector<ComponentArgument> arguments;
};

// Parses a component description. Throws proxjit::Error naming the column, with the text
// and a caret under the offending character.
ComponentText parse_component_text(std::string_view text);

// number_text(value) (number_text.h), under the name its older callers use.
std::string shortest_number_text(double value);
// "[0.3, 0.2, 0.1]": a list as the parser reads it back exactly.
std::string list_text(const std::vector<double>& values);

// Closest candidate by edit distance, or empty when nothing is reasonably close.
std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace proxjit
