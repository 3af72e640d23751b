#pragma once
// Every decision about a solve, taken once from (problem, options): the algorithm (`auto`
// resolved), the step rule, the line search, the data layout, proximal Newton steps, and which
// checks run how often. Engine::solve, inspect, kernel_key, precompile, the CLI's --verbose banner
// and the REPL all read the plan; nobody derives these rules again.
//
//   const proxjit::SolvePlan plan = proxjit::Engine::plan(problem, options);
//   std::cout << plan.describe() << "\n";   // "cd (auto): proximal Newton steps, csc"

#include <cstdint>
#include <string>
#include <string_view>

#include "proxjit/options.h"
#include "proxjit/runtime/dense.h"

namespace proxjit {

enum class StepRule {
  given,               // SolverOptions::step, fixed
  inverse_lipschitz,   // 1/L from the smooth term's Lipschitz bound (a power iteration)
  backtracking,        // Beck-Teboulle line search from SolverOptions::step, or 1
  per_coordinate,      // cd: 1/c_j per coordinate from its curvature, or Newton steps
  stochastic_default,  // 1/(k L_max) from the largest per-sample bound (k = 1, 3, 4)
};

constexpr std::string_view to_string(StepRule rule) {
  switch (rule) {
    case StepRule::given:
      return "given";
    case StepRule::inverse_lipschitz:
      return "1/L";
    case StepRule::backtracking:
      return "backtracking";
    case StepRule::per_coordinate:
      return "per coordinate";
    case StepRule::stochastic_default:
      return "1/(k L_max)";
  }
  return "unknown";
}

struct SolvePlan {
  // The options as the run uses them: the algorithm resolved (never Algorithm::automatic), and
  // line_search on where it is the only way to find steps (pgd on a loss without a bound).
  SolverOptions options;
  bool automatic = false;  // `auto` chose the algorithm
  StepRule step_rule = StepRule::inverse_lipschitz;
  bool bounded_curvature = true;            // grad f has a Lipschitz bound (sup phi'' finite)
  bool coordinate_newton = false;           // cd takes proximal Newton steps (phi'' not constant)
  bool reads_densely = false;               // CSR data mostly nonzero run the dense kernels
  Layout layout = Layout::dense_row_major;  // how the kernel reads the data
  // A duality gap is known for the pair (least squares or logistic with l1, l2sq, elastic net
  // or a finite box, no intercept); gap checks then run at most every gap_check_every
  // iterations (0: no gap tolerance asked).
  bool gap_known = false;
  std::int64_t gap_check_every = 0;
  // cd on least squares runs on working sets of features over the normal equations
  // (SolverOptions::working_sets; engine/src/working_set.cpp says when).
  bool working_sets = false;

  Algorithm algorithm() const { return options.algorithm; }
  // "auto (cd)" or "fista"
  std::string algorithm_text() const;
  // One line for banners: "cd (auto): proximal Newton steps, csc"
  std::string describe() const;
};

}  // namespace proxjit
