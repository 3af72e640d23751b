#pragma once
// The values of a regularization path as the command line gives them (--values, --grid), shared
// by `path` and `cv`.

#include <string>
#include <vector>

#include "common.h"
#include "proxjit/path.h"

namespace proxjit::cli {

// A path's points run longer by default than a single solve.
SolverOptions path_defaults();
// "1,0.5,0.1"; throws naming --values.
std::vector<double> parse_values(const std::string& text);
// "auto" or "auto:..." (from lambda_max) rather than explicit values.
bool is_automatic_grid(const std::string& text);
// "auto", "auto:COUNT" or "auto:COUNT:RATIO"; throws naming --grid.
GridOptions parse_automatic_grid(const std::string& text);
// "FROM:TO:COUNT", log-spaced; throws naming --grid.
std::vector<double> parse_grid(const std::string& text);
// The prox text with `parameter` set to `value` if it was left out ("l1" is fine for a path
// over lambda: the path sets it).
std::string prox_with_parameter(const std::string& text, const std::string& parameter,
                                double value);

// --values and --grid as given: the explicit values, or none with `grid` set when automatic
// (the default when neither is given: glmnet's 100 values from lambda_max down).
struct PathValues {
  std::vector<double> values;
  bool automatic = false;
  GridOptions grid;
};
PathValues path_values_from(const std::string& values, const std::string& grid);

}  // namespace proxjit::cli
