// The solve plan: every rule about how a problem is solved, decided here once.
#include "proxjit/solve_plan.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine_internal.h"
#include "progress_monitor.h"
#include "working_set.h"
#include "proxjit/codegen/kernel_spec.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/objective.h"

namespace proxjit {
namespace {

using detail::short_number;

// sup phi'' for the given parameters; a quadratic's gradient is always Lipschitz.
bool curvature_is_bounded(const SmoothDefinition& smooth, std::span<const double> parameters) {
  if (smooth.kind == SmoothKind::quadratic) return true;
  return std::isfinite(smooth.curvature ? smooth.curvature(parameters) : 0.0);
}

// The `auto` rule. A step that is asked for (a number, or backtracking) asks for a gradient
// method; otherwise coordinate descent is what scikit-learn, glmnet and liblinear use for these
// problems: exact or Newton steps along each coordinate, no step size, epochs as cheap as one
// gradient. It needs r one coordinate at a time; a loss without a curvature bound takes
// coordinate Newton steps (with their line search), or pgd's line search when r is not
// separable. FISTA otherwise.
Algorithm choose_algorithm(const SmoothDefinition& smooth, bool by_coordinates, bool bounded,
                           bool line_search, bool fixed_step) {
  if (line_search) return Algorithm::proximal_gradient;
  if (fixed_step) return Algorithm::fista;
  if (!bounded) {
    return by_coordinates && smooth.coordinate_newton() ? Algorithm::coordinate_descent
                                                        : Algorithm::proximal_gradient;
  }
  return by_coordinates ? Algorithm::coordinate_descent : Algorithm::fista;
}

// At two thirds nonzero a dense copy takes no more memory than CSR's values and indices, and
// its whole-vector loops beat the sparse ones' gathers by far (heart_scale's cd: 3x). The
// stochastic solvers keep CSR: their lagged steps touch one row's nonzeros.
bool mostly_nonzero(const Problem& problem) {
  if (!problem.sparse()) return false;
  const double entries =
      static_cast<double>(problem.samples()) * static_cast<double>(problem.A_sparse().cols());
  return 3.0 * static_cast<double>(problem.A_sparse().nonZeros()) >= 2.0 * entries;
}

// The plan from the components and the data's traits alone (precompile and inspect need no
// data). `by_coordinates`: r can be taken one coordinate at a time with these arguments.
SolvePlan plan_from(const SmoothDefinition& smooth, bool by_coordinates, bool bounded,
                    const SolverOptions& requested, bool sparse, bool mostly_dense) {
  SolvePlan plan;
  plan.options = requested;
  SolverOptions& options = plan.options;
  plan.bounded_curvature = bounded;
  if (options.algorithm == Algorithm::automatic) {
    plan.automatic = true;
    options.algorithm =
        choose_algorithm(smooth, by_coordinates, bounded, options.line_search, options.step > 0.0);
  }
  // A proximal gradient run on a loss without a Lipschitz bound finds its steps by a line search
  // (the only way to).
  if (!bounded && options.step <= 0.0 && options.algorithm == Algorithm::proximal_gradient) {
    options.line_search = true;
  }
  const Algorithm algorithm = options.algorithm;
  plan.reads_densely = sparse && mostly_dense && !is_stochastic(algorithm);
  // Coordinate descent on a loss walks columns: they are stored contiguously.
  const bool columns =
      algorithm == Algorithm::coordinate_descent && smooth.kind == SmoothKind::margin;
  if (sparse && !plan.reads_densely) {
    plan.layout = columns ? Layout::csc : Layout::csr;
  } else {
    plan.layout = columns ? Layout::dense_col_major : Layout::dense_row_major;
  }
  plan.coordinate_newton = columns && smooth.coordinate_newton();
  if (algorithm == Algorithm::coordinate_descent) {
    plan.step_rule = StepRule::per_coordinate;
  } else if (options.line_search && algorithm == Algorithm::proximal_gradient) {
    plan.step_rule = StepRule::backtracking;
  } else if (options.step > 0.0) {
    plan.step_rule = StepRule::given;
  } else if (is_stochastic(algorithm)) {
    plan.step_rule = StepRule::stochastic_default;
  } else {
    plan.step_rule = StepRule::inverse_lipschitz;
  }
  plan.gap_check_every = options.gap_tolerance > 0.0 ? detail::gap_check_interval(options) : 0;
  return plan;
}

std::vector<double> default_parameters(const SmoothDefinition& smooth) {
  std::vector<double> values;
  for (const ParameterSpec& p : smooth.parameters)
    values.push_back(p.default_value);
  return values;
}

}  // namespace

namespace detail {
void check_stochastic(const Problem& problem, const SolverOptions& options);
}  // namespace detail

namespace {

// What the plan's algorithm needs of the problem; throws proxjit::Error naming what to change.
void check_plan(const SolvePlan& plan, const Problem& problem) {
  const SolverOptions& options = plan.options;
  std::string invalid;
  if (!options.IsValid(&invalid)) throw Error("invalid solver options: " + invalid);
  if (options.x0.size() != 0 && options.x0.size() != problem.variables()) {
    throw Error("x0 has length " + std::to_string(options.x0.size()) + ", but the problem has " +
                std::to_string(problem.variables()) + " unknowns" +
                (problem.fit_intercept() ? " (the features, then the intercept)" : ""));
  }
  if (options.algorithm == Algorithm::coordinate_descent) {
    if (!problem.r().definition().traits.separable) {
      throw Error("coordinate descent needs a separable r (a sum over coordinates), but " +
                  problem.r().name() + " is not; use fista or pgd instead");
    }
    if (!problem.r().is_elementwise()) {
      throw Error("coordinate descent takes r one coordinate at a time, but " +
                  problem.r().describe() + " is applied as a whole vector; use fista or pgd");
    }
    // A loss without a curvature bound (poisson) takes coordinate Newton steps with a line
    // search instead (SmoothDefinition::coordinate_newton).
    if (!plan.bounded_curvature && !problem.f().definition().coordinate_newton()) {
      throw Error("coordinate descent steps by the loss's curvature bound, and " +
                  problem.f().name() +
                  " has none (phi'' is unbounded); use pgd with step backtracking");
    }
  }
  if (is_stochastic(options.algorithm)) detail::check_stochastic(problem, options);
  if (!problem.r().definition().value_known) {
    const std::string missing = problem.r().name() +
                                " was defined without value(x), so r(x) and the objective are "
                                "unknown; add '; value(x) = ...' to its formula";
    if (plan.coordinate_newton) {
      throw Error("proximal Newton steps compare objectives in their line search, but " + missing +
                  " (or give the loss a lipschitz bound for plain coordinate steps)");
    }
    if (options.objective_tolerance > 0.0) {
      throw Error("objective_tolerance compares objectives, but " + missing);
    }
  }
  if (!plan.bounded_curvature && options.step <= 0.0 && !options.line_search &&
      options.algorithm != Algorithm::coordinate_descent) {
    throw Error(problem.f().name() + " has no Lipschitz bound to take a step from, and " +
                std::string(to_string(options.algorithm)) +
                " has no line search; use pgd with step backtracking, or give a step");
  }
}

}  // namespace

namespace detail {

// What a stochastic solver needs of the problem; throws proxjit::Error otherwise.
void check_stochastic(const Problem& problem, const SolverOptions& options) {
  const std::string name(to_string(options.algorithm));
  if (problem.f().kind() != SmoothKind::margin) {
    throw Error(name + " samples the terms of a loss over samples, but " + problem.f().name() +
                " is not one; use fista or pgd");
  }
  if (options.algorithm != Algorithm::sgd && options.batch_size != 1) {
    throw Error("batch_size " + std::to_string(options.batch_size) + " is for sgd; " + name +
                " takes one sample a step (batch_size 1)");
  }
}

// The default step: 1/L_max (sgd), 1/(3 L_max) (saga), 1/(4 L_max) (svrg), with
// L_max = sup phi'' max_i w_i |a_i|^2 the largest Lipschitz constant of a sample's gradient.
double default_stochastic_step(const Problem& problem, const SolverOptions& options) {
  const Objective<double> objective(problem.f(), problem.r(), problem.data_view<double>(),
                                    problem.features());
  const double largest = objective.sample_lipschitz_max();
  if (!(largest > 0.0) || !std::isfinite(largest)) {
    throw Error("cannot choose a step automatically: the per-sample Lipschitz bound of " +
                problem.f().name() + " is " + short_number(largest) + "; give a step");
  }
  const double factor = options.algorithm == Algorithm::saga   ? 3.0
                        : options.algorithm == Algorithm::svrg ? 4.0
                                                               : 1.0;
  return 1.0 / (factor * largest);
}

}  // namespace detail

std::string SolvePlan::algorithm_text() const {
  const std::string name(to_string(options.algorithm));
  return automatic ? "auto (" + name + ")" : name;
}

std::string SolvePlan::describe() const {
  std::string text = std::string(to_string(options.algorithm)) + (automatic ? " (auto)" : "");
  text += ": ";
  if (coordinate_newton) {
    text += "proximal Newton steps";
  } else {
    text += "step " + std::string(to_string(step_rule));
  }
  text += ", ";
  text += to_string(layout);
  if (reads_densely) text += " (sparse data read densely)";
  if (working_sets) text += ", working sets";
  return text;
}

namespace {

// Coordinate descent takes r one coordinate at a time; proximal Newton steps (a loss whose phi''
// varies) also need r's value for their line search.
bool takes_coordinates(const SmoothDefinition& smooth, const ProxDefinition& prox,
                       bool elementwise) {
  return prox.traits.separable && elementwise && (prox.value_known || !smooth.coordinate_newton());
}

}  // namespace

SolvePlan Engine::plan(const Problem& problem, const SolverOptions& options) {
  const bool by_coordinates = takes_coordinates(problem.f().definition(), problem.r().definition(),
                                                problem.r().is_elementwise());
  SolvePlan plan =
      plan_from(problem.f().definition(), by_coordinates,
                curvature_is_bounded(problem.f().definition(), problem.f().parameters()), options,
                problem.sparse(), mostly_nonzero(problem));
  check_plan(plan, problem);
  plan.gap_known =
      duality_gap_known(problem.f(), problem.r(), problem.features(), problem.variables());
  plan.working_sets = detail::working_sets_apply(plan, problem);
  return plan;
}

SolvePlan Engine::plan_for(const SmoothDefinition& smooth, const ProxDefinition& prox,
                           const SolverOptions& options, bool sparse) {
  const std::vector<double> defaults = default_parameters(smooth);
  return plan_from(smooth, takes_coordinates(smooth, prox, prox.traits.elementwise),
                   curvature_is_bounded(smooth, defaults), options, sparse, false);
}

Algorithm Engine::suggested_algorithm_for(const SmoothDefinition& smooth,
                                          const ProxDefinition& prox, bool line_search,
                                          bool fixed_step) {
  const std::vector<double> defaults = default_parameters(smooth);
  return choose_algorithm(smooth, takes_coordinates(smooth, prox, prox.traits.elementwise),
                          curvature_is_bounded(smooth, defaults), line_search, fixed_step);
}

Algorithm Engine::suggested_algorithm(const Problem& problem, const SolverOptions& options) {
  return choose_algorithm(problem.f().definition(),
                          takes_coordinates(problem.f().definition(), problem.r().definition(),
                                            problem.r().is_elementwise()),
                          curvature_is_bounded(problem.f().definition(), problem.f().parameters()),
                          options.line_search, options.step > 0.0);
}

namespace {

KernelSpec spec_from_plan(const SolvePlan& plan, const SmoothDefinition& smooth,
                          const ProxDefinition& prox, bool weighted) {
  const SolverOptions& options = plan.options;
  KernelSpec spec;
  spec.algorithm = options.algorithm;
  spec.smooth = smooth.kind;
  if (smooth.kind == SmoothKind::margin) {
    spec.loss_derivative = smooth.derivative;
    spec.loss_canonical = smooth.derivative_canonical;
    // The slots the emitted expressions read, not the declared parameters: what the key says
    // (by the expressions' canonical texts) is then all the code depends on.
    spec.loss_parameter_count = expr::parameter_count(smooth.derivative);
    spec.weighted = weighted;
  }
  spec.prox_call = !prox.traits.elementwise;
  if (!spec.prox_call) {
    spec.prox = prox.prox;
    spec.prox_canonical = prox.prox_canonical;
    spec.prox_parameter_count = expr::parameter_count(prox.prox);
    if (is_stochastic(options.algorithm)) spec.lagged = prox.lagged;
  }
  spec.scalar = options.scalar;
  spec.layout = plan.layout;
  if (plan.coordinate_newton) {
    spec.coordinate_newton = true;
    spec.bounded_curvature = plan.bounded_curvature;
    spec.loss_value = smooth.loss;
    spec.loss_second_derivative = smooth.second_derivative;
    spec.loss_value_canonical = smooth.loss_canonical;
    spec.loss_second_canonical = smooth.second_derivative_canonical;
    spec.prox_value = prox.value;
    spec.loss_parameter_count =
        std::max({spec.loss_parameter_count, expr::parameter_count(smooth.loss),
                  expr::parameter_count(smooth.second_derivative)});
    spec.prox_parameter_count =
        std::max(spec.prox_parameter_count, expr::parameter_count(prox.value));
  }
  spec.adaptive_restart = options.adaptive_restart;
  spec.backtracking = options.line_search && options.algorithm == Algorithm::proximal_gradient;
  return spec;
}

}  // namespace

KernelSpec Engine::kernel_spec(const SolvePlan& plan, const Problem& problem) {
  KernelSpec spec = spec_from_plan(plan, problem.f().definition(), problem.r().definition(),
                                   problem.sample_weights().size() != 0);
  // l1 with per-coordinate weights is separable but not one expression: it is called.
  spec.prox_call = !problem.r().is_elementwise();
  if (spec.prox_call) spec.lagged = {};
  return spec;
}

KernelSpec Engine::kernel_spec(const Problem& problem, const SolverOptions& options) const {
  return kernel_spec(plan(problem, options), problem);
}

KernelSpec Engine::kernel_spec_for(const SmoothDefinition& smooth, const ProxDefinition& prox,
                                   const SolverOptions& options, bool sparse, bool weighted) {
  return spec_from_plan(plan_for(smooth, prox, options, sparse), smooth, prox, weighted);
}

}  // namespace proxjit
