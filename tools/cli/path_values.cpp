#include "path_values.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "../text_util.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::cli {

// A path's points run longer by default than a single solve.
SolverOptions path_defaults() {
  SolverOptions options = default_solver_options();
  options.max_iterations = 100000;
  options.tolerance = 1e-8;
  return options;
}

std::vector<double> parse_values(const std::string& text) {
  std::vector<double> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    char* end = nullptr;
    const double value = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(value)) {
      throw Error("--values: expected numbers separated by commas, got \"" + item + "\"");
    }
    values.push_back(value);
  }
  return values;
}

bool is_automatic_grid(const std::string& text) {
  return text == "auto" || text.rfind("auto:", 0) == 0;
}

// "auto", "auto:COUNT" or "auto:COUNT:RATIO" (the last value over the first).
GridOptions parse_automatic_grid(const std::string& text) {
  GridOptions grid;
  std::stringstream stream(text.substr(std::min<std::size_t>(text.size(), 5)));
  std::string item;
  const auto fail = [&] {
    throw Error("--grid: expected auto, auto:COUNT or auto:COUNT:RATIO (e.g. auto:50:0.001), "
                "got \"" + text + "\"");
  };
  if (std::getline(stream, item, ':')) {
    char* end = nullptr;
    const long count = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || count < 1 || count > 100000) fail();
    grid.count = static_cast<int>(count);
  }
  if (std::getline(stream, item, ':')) {
    char* end = nullptr;
    grid.min_ratio = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !(grid.min_ratio > 0.0 && grid.min_ratio < 1.0)) fail();
  }
  if (std::getline(stream, item, ':')) fail();
  return grid;
}

std::vector<double> parse_grid(const std::string& text) {
  if (auto values = tools::log_grid(text, "--grid")) return *values;
  throw Error("--grid: expected FROM:TO:COUNT, e.g. 1:0.001:20, or auto; got \"" + text + "\"");
}

// The prox text with the path's parameter set to `value` if it was left out ("l1" is fine for
// a path over lambda: the path sets it).
std::string prox_with_parameter(const std::string& text, const std::string& parameter,
                                double value) {
  const ComponentText parsed = parse_component_text(text);
  std::string rebuilt = parsed.name + "(";
  bool given = false;
  for (const ComponentArgument& argument : parsed.arguments) {
    if (argument.key.empty()) return text;  // positional: leave it to the prox's own checks
    given = given || argument.key == parameter;
    rebuilt += argument.key + "=" +
               (argument.is_list ? list_text(argument.list) : number_text(argument.value)) + ", ";
  }
  if (given) return text;
  return rebuilt + parameter + "=" + number_text(value) + ")";
}

PathValues path_values_from(const std::string& values, const std::string& grid_text) {
  if (!values.empty() && !grid_text.empty()) {
    throw Error("give the path's values with one of --values and --grid, not both");
  }
  const std::string grid = values.empty() && grid_text.empty() ? "auto" : grid_text;
  PathValues out;
  out.automatic = is_automatic_grid(grid);
  if (out.automatic) {
    out.grid = parse_automatic_grid(grid);
  } else {
    out.values = grid.empty() ? parse_values(values) : parse_grid(grid);
  }
  return out;
}

}  // namespace proxjit::cli
