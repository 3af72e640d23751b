// Working sets for coordinate descent on least squares (celer's and glmnet's idea on the normal
// equations, gram.h):
//   1. the gradient over all features from G's columns of the support: g = G(:, S) x_S - linear;
//   2. each feature's optimality violation, the coordinate step's scaled move
//      L_j |prox_{r/L_j}(x_j - g_j / L_j) - x_j| (0 exactly at a coordinate-wise optimum; its norm
//      is the certificate cd reports); stop when the norm, or the duality gap, is small enough;
//   3. otherwise the working set is the support and the worst violators (at least as many as
//      the support, at least kFirstViolators), and cd solves the quadratic over G on it.
// A feature outside the set is never assumed zero: every round re-checks all of them, and only a
// check over all features ends the solve.
#include "working_set.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "gram.h"
#include "proxjit/runtime/duality_gap.h"
#include "proxjit/runtime/error.h"

namespace proxjit::detail {
namespace {

constexpr std::size_t kFirstViolators = 10;
constexpr int kMaxRounds = 200;
// Normal equations hold a column of d entries per feature ever in a set: beyond this many
// features plain cd, which keeps nothing per feature, is the one to run.
constexpr Eigen::Index kMaxGramFeatures = 100000;
// Below this, one epoch over every feature costs less than a round's bookkeeping.
constexpr Eigen::Index kMinFeatures = 16;

struct Check {
  std::vector<Eigen::Index> likely;  // features by |g_j|, largest first: the next to enter
  Vector gradient;
  Vector violation;  // L_j |step_j|
  double certificate = 0.0;
};

// The features not in the support with the largest |g_j|: those a smaller lambda lets in first.
std::vector<Eigen::Index> likely_entrants(const Vector& gradient, const Vector& x) {
  std::vector<Eigen::Index> order;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    if (x[j] == 0.0) order.push_back(j);
  }
  const std::size_t count = std::min(order.size(), 4 * LeastSquaresGram::kBatch);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                    [&](Eigen::Index a, Eigen::Index b) {
                      return std::abs(gradient[a]) > std::abs(gradient[b]);
                    });
  order.resize(count);
  return order;
}

Check check_all(LeastSquaresGram& gram, const ProxComponent& r, const Vector& x,
                std::span<const Eigen::Index> likely) {
  const Eigen::Index p = gram.features();
  std::vector<Eigen::Index> support;
  for (Eigen::Index j = 0; j < p; ++j) {
    if (x[j] != 0.0) support.push_back(j);
  }
  Check check;
  check.gradient = -gram.linear();
  const std::vector<const double*> columns = gram.columns(support, likely);
  for (std::size_t k = 0; k < support.size(); ++k) {
    check.gradient += x[support[k]] * Eigen::Map<const Vector>(columns[k], p);
  }
  const ProxDefinition& prox = r.definition();
  const std::vector<double> parameters(r.parameters().begin(), r.parameters().end());
  check.violation.resize(p);
  double squares = 0.0;
  for (Eigen::Index j = 0; j < p; ++j) {
    const double lipschitz = gram.diagonal()[j];
    // A constant feature has no curvature: cd leaves it where it is, and so does this check.
    if (!(lipschitz > 0.0)) {
      check.violation[j] = 0.0;
      continue;
    }
    const double step = 1.0 / lipschitz;
    const double moved =
        expr::evaluate<double>(prox.prox, x[j] - check.gradient[j] * step, step, parameters.data());
    check.violation[j] = lipschitz * std::abs(moved - x[j]);
    squares += check.violation[j] * check.violation[j];
  }
  check.certificate = std::sqrt(squares);
  check.likely = likely_entrants(check.gradient, x);
  return check;
}

// P(x) from the check's gradient: f = constant - linear'x + x'Gx/2 and x'Gx = x'(g + linear).
double objective_at(const LeastSquaresGram& gram, const ProxComponent& r, const Vector& x,
                    const Vector& gradient) {
  const double smooth = gram.constant() + 0.5 * x.dot(gradient) - 0.5 * gram.linear().dot(x);
  return smooth + r.value(x.data(), static_cast<std::size_t>(x.size()));
}

// The gap at theta = s (A~x - b~) / n (A~, b~ centered when there is an intercept, so that
// sum w theta = 0 holds exactly), in terms of the normal equations: A~'theta = s g,
// 1/n sum w e^2 = 2 (f - 0) and 1/n sum w e b~ = linear'x - 2 constant, e the residual.
// Known for r = l1 lambda |x| + l2/2 x^2 (DualRule::shrink without a weight list).
std::optional<double> gap_at(const LeastSquaresGram& gram, const ProxComponent& r,
                             const Vector& x, const Vector& gradient, double primal) {
  const DualRule& dual = r.definition().dual;
  if (!r.definition().value_known) return std::nullopt;
  // (r is elementwise here: no weight list was given.)
  if (dual.kind != DualRule::Kind::shrink) return std::nullopt;
  const auto slot = [&](int index) { return index < 0 ? 0.0 : r.parameters()[index]; };
  const double l1 = slot(dual.l1_slot), l2 = slot(dual.l2_slot);
  const double smooth = gram.constant() + 0.5 * x.dot(gradient) - 0.5 * gram.linear().dot(x);
  const double residual_target = gram.linear().dot(x) - 2.0 * gram.constant();
  double scale = 1.0, conjugate = 0.0;
  if (l2 > 0.0) {
    conjugate = (gradient.array().abs() - l1).max(0.0).square().sum() / (2.0 * l2);
  } else {
    const double largest = gradient.cwiseAbs().maxCoeff();
    if (largest > l1) scale = l1 / largest;
  }
  const double dual_value = -(scale * scale * smooth + scale * residual_target) - conjugate;
  return std::max(primal - dual_value, 0.0);
}

// The gap by the loss's and the prox's own rules (duality_gap.h), one pass over the data: for
// the proxes whose conjugate the Gram form above does not know.
std::optional<double> general_gap(const Problem& problem, const Vector& x) {
  return duality_gap(problem.f(), problem.r(), problem.data_view<double>(), problem.features(), x);
}

// The worst violators outside the set, most violated first.
std::vector<Eigen::Index> violators(const Vector& violation, const std::vector<char>& in_set,
                                    std::size_t count) {
  std::vector<Eigen::Index> candidates;
  for (Eigen::Index j = 0; j < violation.size(); ++j) {
    if (!in_set[static_cast<std::size_t>(j)] && violation[j] > 0.0) candidates.push_back(j);
  }
  count = std::min(count, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(count),
                    candidates.end(),
                    [&](Eigen::Index a, Eigen::Index b) { return violation[a] > violation[b]; });
  candidates.resize(count);
  return candidates;
}

}  // namespace

bool working_sets_apply(const SolvePlan& plan, const Problem& problem) {
  const SolverOptions& options = plan.options;
  return options.working_sets && options.algorithm == Algorithm::coordinate_descent &&
         problem.f().kind() == SmoothKind::margin &&
         problem.f().definition().dual == LossDual::squared && problem.r().is_elementwise() &&
         options.scalar == ScalarType::f64 && options.backend == Backend::jit &&
         (options.tolerance > 0.0 || options.gap_tolerance > 0.0) && options.trace_every == 0 &&
         !options.callback && options.objective_tolerance == 0.0 && options.repeat == 1 &&
         problem.features() >= kMinFeatures && problem.features() <= kMaxGramFeatures;
}

Summary solve_on_working_sets(const Problem& problem, const SolvePlan& plan,
                              Clock::time_point start, const SubproblemSolver& solve_set) {
  const SolverOptions& options = plan.options;
  LeastSquaresGram& gram = problem.least_squares_gram();
  const Eigen::Index p = problem.features();
  Vector x = options.x0.size() ? Vector(options.x0.head(p)) : Vector(Vector::Zero(p));

  Summary summary;
  summary.algorithm = Algorithm::coordinate_descent;
  summary.backend = Backend::jit;
  summary.problem = problem.describe();
  summary.status = SolveStatus::max_iterations;
  SolverOptions inner = options;
  inner.working_sets = false;
  inner.gap_tolerance = 0.0;
  inner.tolerance = 0.5 * options.tolerance;
  std::int64_t epochs = 0;
  int rounds = 0;
  std::size_t largest_set = 0;
  bool first_solve = true;
  std::string stopped_by;
  Check check = check_all(gram, problem.r(), x, {});
  double objective = objective_at(gram, problem.r(), x, check.gradient);
  std::optional<double> gap = gap_at(gram, problem.r(), x, check.gradient, objective);
  const auto with_intercept = [&](const Vector& coefficients) {
    Vector full(problem.variables());
    full.head(p) = coefficients;
    if (problem.fit_intercept()) full[p] = gram.intercept(coefficients);
    return full;
  };
  for (;;) {
    const bool certified = options.tolerance > 0.0 && check.certificate <= options.tolerance;
    const bool gap_closed = options.gap_tolerance > 0.0 && gap && *gap <= options.gap_tolerance;
    // At least one set is solved, even from an optimal start (then for one epoch), so that
    // every solve reports its kernel (and a path its one compile).
    const bool optimal_start = first_solve && (certified || gap_closed);
    if (!first_solve && certified) {
      summary.status = SolveStatus::converged;
      break;
    }
    if (!first_solve && gap_closed) {
      summary.status = SolveStatus::converged;
      stopped_by = "duality gap " + short_number(*gap) + " <= gap_tolerance " +
                   short_number(options.gap_tolerance);
      break;
    }
    if (epochs >= options.max_iterations || rounds >= kMaxRounds) break;
    if (options.interrupt && options.interrupt->load()) {
      summary.status = SolveStatus::interrupted;
      break;
    }
    if (options.max_time > 0.0 && seconds_since(start) >= options.max_time) {
      summary.status = SolveStatus::max_time;
      break;
    }
    // The set: the support, then the worst violators.
    std::vector<char> in_set(static_cast<std::size_t>(p), 0);
    std::vector<Eigen::Index> set;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (x[j] != 0.0) {
        set.push_back(j);
        in_set[static_cast<std::size_t>(j)] = 1;
      }
    }
    const std::vector<Eigen::Index> added =
        violators(check.violation, in_set, std::max(kFirstViolators, set.size()));
    if (added.empty() && options.tolerance > 0.0 && !optimal_start) {
      // Every violation is inside the support: the inner tolerance was too loose for the
      // outer one. Tighten it and solve the support again.
      inner.tolerance *= 0.25;
    }
    set.insert(set.end(), added.begin(), added.end());
    if (set.empty()) set.push_back(check.likely.empty() ? 0 : check.likely.front());
    std::sort(set.begin(), set.end());
    largest_set = std::max(largest_set, set.size());
    ++rounds;
    // With only a gap to reach, each round solves a little tighter than the last check.
    if (options.tolerance == 0.0) inner.tolerance = std::max(1e-14, 0.1 * check.certificate);

    const auto k = static_cast<Eigen::Index>(set.size());
    const std::vector<const double*> columns = gram.columns(set, check.likely);
    Matrix Q(k, k);
    Vector q(k), start_point(k);
    for (Eigen::Index c = 0; c < k; ++c) {
      for (Eigen::Index r = 0; r < k; ++r) Q(r, c) = columns[static_cast<std::size_t>(c)][set[r]];
      q[c] = -gram.linear()[set[c]];
      start_point[c] = x[set[c]];
    }
    const Problem subproblem =
        Problem(SmoothComponent::make("quadratic"), problem.r(), std::move(Q), std::move(q));
    inner.x0 = start_point;
    inner.max_iterations = optimal_start ? 1 : options.max_iterations - epochs;
    if (options.max_time > 0.0) {
      inner.max_time = std::max(options.max_time - seconds_since(start), 1e-6);
    }
    const Summary solved = solve_set(subproblem, inner);
    epochs += solved.iterations;
    if (first_solve) {
      first_solve = false;
      summary.cache_hit = solved.cache_hit;
      summary.source = solved.source;
      summary.kernel_key = solved.kernel_key;
      summary.kernel_symbol = solved.kernel_symbol;
      summary.cache_note = solved.cache_note;
      summary.timing.setup_s = solved.timing.setup_s;
      summary.timing.ir_s = solved.timing.ir_s;
      summary.timing.optimize_s = solved.timing.optimize_s;
      summary.timing.codegen_s = solved.timing.codegen_s;
      summary.timing.link_s = solved.timing.link_s;
      summary.timing.cache_io_s = solved.timing.cache_io_s;
      summary.timing.compile_s = solved.timing.compile_s;
      summary.timing.lookup_s = solved.timing.lookup_s;
    }
    if (solved.status == SolveStatus::error || solved.status == SolveStatus::diverged) {
      summary.status = solved.status;
      stopped_by = "on a working set of " + std::to_string(k) + " features: " + solved.message;
      break;
    }
    for (Eigen::Index c = 0; c < k; ++c) x[set[c]] = solved.x[c];
    check = check_all(gram, problem.r(), x, check.likely);
    objective = objective_at(gram, problem.r(), x, check.gradient);
    gap = gap_at(gram, problem.r(), x, check.gradient, objective);
    if (!gap && options.gap_tolerance > 0.0) gap = general_gap(problem, with_intercept(x));
    if (solved.status == SolveStatus::interrupted || solved.status == SolveStatus::max_time) {
      summary.status = solved.status;
      break;
    }
  }
  summary.x = with_intercept(x);
  summary.iterations = epochs;
  summary.certificate = check.certificate;
  summary.objective = problem.r().definition().value_known
                          ? objective
                          : std::numeric_limits<double>::quiet_NaN();
  if (!gap) gap = general_gap(problem, summary.x);
  if (gap) summary.duality_gap = *gap;
  summary.timing.run_s = seconds_since(start);
  summary.timing.first_call_s = summary.timing.run_s;
  const std::string sets = std::to_string(epochs) + " epochs on working sets (" +
                           std::to_string(rounds) + " round" + (rounds == 1 ? "" : "s") +
                           ", at most " + std::to_string(largest_set) + " of " +
                           std::to_string(p) + " features)";
  switch (summary.status) {
    case SolveStatus::converged:
      summary.message = (stopped_by.empty() ? "converged: certificate " +
                                                  short_number(check.certificate) +
                                                  " <= tolerance " + short_number(options.tolerance)
                                            : stopped_by) +
                        " after " + sets;
      break;
    case SolveStatus::max_iterations:
      summary.message = "stopped after " + sets + " at certificate " +
                        short_number(check.certificate) + " > tolerance " +
                        short_number(options.tolerance) + "; raise max_iterations";
      break;
    default:
      summary.message = std::string(to_string(summary.status)) + " after " + sets +
                        (stopped_by.empty() ? "" : ": " + stopped_by);
  }
  return summary;
}

}  // namespace proxjit::detail
