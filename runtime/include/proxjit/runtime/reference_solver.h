#pragma once
// The reference proximal-gradient solver: plain C++ over the components' reference math.
// It is the oracle the JIT kernels are tested against and the fallback when JIT is off.
// It follows the kernel's rules exactly:
//   x_{k+1} = prox_{step r}(x_k - step * grad f(x_k))
//   certificate_k = ||x_{k+1} - x_k|| / step  (norm of the gradient mapping)
//   stop when certificate <= tol and tol > 0 (converged; tol = 0 runs the whole budget), when it is
//   not finite or has grown by kDivergenceGrowth over the first one (diverged), or after
//   max_iterations steps.

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

#include "proxjit/runtime/objective.h"
#include "proxjit/runtime/prox.h"
#include "proxjit/runtime/smooth.h"
#include "proxjit/runtime/status.h"

namespace proxjit {

// The certificate of a convergent proximal-gradient run does not grow (the step operator is
// non-expansive for step <= 2/L); growth by this factor means the step is too large.
inline constexpr double kDivergenceGrowth = 1e10;

struct IterationBudget {
  IterationBudget() = default;
  IterationBudget(double step, std::int64_t max_iterations, double tolerance)
      : step(step), max_iterations(max_iterations), tolerance(tolerance) {}

  double step = 0.0;
  std::int64_t max_iterations = 0;
  double tolerance = 0.0;
  // As the kernels' KernelArgs::progress: called every report_every iterations (0: never) with
  // the iteration, the certificate and x; a non-zero SolveStatus code stops the run with it.
  std::function<std::int64_t(std::int64_t iteration, double certificate, const void* x)> progress;
  std::int64_t report_every = 0;
};

struct RunOutcome {
  std::int64_t iterations = 0;
  double certificate = 0.0;
  SolveStatus status = SolveStatus::max_iterations;
};

// The rules every solver applies after iteration k, in the kernels' order: divergence, the
// tolerance, then the progress hook. Returns true, with outcome.status set, when the run ends.
inline bool stop_after_iteration(RunOutcome& outcome, std::int64_t k, double certificate,
                                 double& first_certificate, const IterationBudget& budget,
                                 const void* x) {
  outcome.iterations = k + 1;
  outcome.certificate = certificate;
  if (first_certificate < 0) first_certificate = certificate;
  if (!std::isfinite(certificate) || certificate > kDivergenceGrowth * first_certificate) {
    outcome.status = SolveStatus::diverged;
    return true;
  }
  if (budget.tolerance > 0.0 && certificate <= budget.tolerance) {
    outcome.status = SolveStatus::converged;
    return true;
  }
  if (budget.report_every > 0 && (k + 1) % budget.report_every == 0) {
    if (const std::int64_t verdict = budget.progress(k + 1, certificate, x)) {
      outcome.status = static_cast<SolveStatus>(verdict);
      return true;
    }
  }
  return false;
}

template <class T>
RunOutcome reference_proximal_gradient(const Objective<T>& objective, VectorOf<T>& x,
                                       const IterationBudget& budget) {
  RunOutcome outcome;
  VectorOf<T> gradient(x.size());
  VectorOf<T> y(x.size());
  VectorOf<T> next(x.size());
  const T step = static_cast<T>(budget.step);
  double first_certificate = -1.0;
  for (std::int64_t k = 0; k < budget.max_iterations; ++k) {
    objective.smooth(x, gradient);
    y = x - step * gradient;
    objective.prox(y, step, next);
    const double certificate = static_cast<double>((next - x).norm()) / budget.step;
    x.swap(next);
    if (stop_after_iteration(outcome, k, certificate, first_certificate, budget, x.data())) {
      return outcome;
    }
  }
  outcome.status = SolveStatus::max_iterations;
  return outcome;
}

// FISTA (Beck and Teboulle 2009) with the kernels' rules: the gradient is taken at the
// extrapolated point y_k, x_{k+1} = prox(y_k - step grad f(y_k)), the certificate is
// ||x_{k+1} - y_k|| / step, t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2 and
// y_{k+1} = x_{k+1} + (t_k - 1)/t_{k+1} (x_{k+1} - x_k). With adaptive restart (O'Donoghue and
// Candes 2015, gradient scheme) the momentum is dropped, t = 1, when
// (y_k - x_{k+1}).(x_{k+1} - x_k) > 0.
template <class T>
RunOutcome reference_fista(const Objective<T>& objective, VectorOf<T>& x,
                           const IterationBudget& budget, bool adaptive_restart) {
  RunOutcome outcome;
  VectorOf<T> gradient(x.size());
  VectorOf<T> y = x;
  VectorOf<T> trial(x.size());
  VectorOf<T> next(x.size());
  const T step = static_cast<T>(budget.step);
  double t = 1.0;
  double first_certificate = -1.0;
  for (std::int64_t k = 0; k < budget.max_iterations; ++k) {
    objective.smooth(y, gradient);
    trial = y - step * gradient;
    objective.prox(trial, step, next);
    const double certificate = static_cast<double>((next - y).norm()) / budget.step;
    const double uphill = static_cast<double>((y - next).dot(next - x));
    double t_next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
    double beta = (t - 1.0) / t_next;
    if (adaptive_restart && uphill > 0.0) {
      beta = 0.0;
      t_next = 1.0;
    }
    y = next + static_cast<T>(beta) * (next - x);
    x.swap(next);
    t = t_next;
    if (stop_after_iteration(outcome, k, certificate, first_certificate, budget, x.data())) {
      return outcome;
    }
  }
  outcome.status = SolveStatus::max_iterations;
  return outcome;
}

// The coordinate Newton step's constants (Yuan, Chang, Hsieh and Lin 2010, "CDN"): h_j gets
// kNewtonFloor + kNewtonRelativeFloor * L_j added (so h_j > 0 where phi'' vanishes), a step
// is accepted when F changes by at most kNewtonSigma * beta * (g_j d + r_j(x_j + d) - r_j(x_j)),
// and at most kNewtonTrials steps beta = 1, 1/2, 1/4, ... are tried (next_newton_beta).
inline constexpr double kNewtonFloor = 1e-12;
inline constexpr double kNewtonRelativeFloor = 1e-3;
inline constexpr double kNewtonSigma = 0.01;
inline constexpr int kNewtonTrials = 20;
// A trial whose change is not finite (the loss overflowed: poisson's exp at a huge Newton step)
// shrinks beta by this instead of 1/2, so that the trials reach any scale the data need.
inline constexpr double kNewtonOverflowShrink = 1.0 / 256.0;
template <class T>
T next_newton_beta(T beta, T change) {
  return beta * (std::isfinite(change) ? T(0.5) : T(kNewtonOverflowShrink));
}
// A change within this many epsilons of the column's loss sum (1/n sum_i w_i |phi(z_i)|) is
// rounding: near the optimum the test then accepts (instead of halving 20 times on noise, and
// deciding differently in the JIT, whose sums add in another order).
inline constexpr double kNewtonRoundingUlps = 100.0;

// Proximal Newton steps (coordinate descent on a loss whose phi'' varies): the inner
// coordinate descent on the quadratic model stops after a pass whose sum (h_j delta_j)^2 is at
// most kNewtonInnerTolerance times the outer one (sum_j (h_j d0_j)^2 at x), or after
// kNewtonInnerPasses passes.
inline constexpr double kNewtonInnerTolerance = 1e-2;
inline constexpr int kNewtonInnerPasses = 100;

// One epoch of proximal coordinate Newton steps (CDN): the coordinates j = 0..d-1 in order,
// each with g_j and h_j = sum_i a_ij^2 w_i phi''(z_i) / n + floor from one pass over its
// column; the proposal d = prox_{r/h_j}(x_j - g_j / h_j) - x_j; delta = beta d for the first
// beta in 1, 1/2, ... (kNewtonTrials) with F(x + delta e_j) - F(x) <= sigma beta (g_j d +
// r_j(x_j + d) - r_j(x_j)) (up to kNewtonRoundingUlps of rounding); if none passes, the bound
// step with L_j (a loss with a curvature bound; none: no move). Returns sum_j (c_j delta_j)^2
// with c_j the curvature of the step taken (h_j, or L_j for a bound step).
template <class T>
T coordinate_newton_epoch(Objective<T>& objective, VectorOf<T>& x) {
  const bool bounded = objective.bounded_curvature();
  const T rounding = static_cast<T>(kNewtonRoundingUlps) * std::numeric_limits<T>::epsilon();
  T sum = 0;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const T L = objective.coordinate_curvature(j);
    if (!(L > T(0))) continue;
    const T old_x = x[j];
    T gradient = 0;
    T hessian = 0;
    objective.coordinate_gradient_and_hessian(j, gradient, hessian);
    T curvature = hessian + (T(kNewtonFloor) + T(kNewtonRelativeFloor) * L);
    const T step = T(1) / curvature;
    const T proposal = objective.prox_coordinate(j, old_x - gradient * step, step);
    const T direction = proposal - old_x;
    T delta = 0;
    T moved = old_x;
    if (direction != T(0)) {
      const T r_old = objective.regularizer_coordinate(j, old_x);
      const T predicted =
          gradient * direction + (objective.regularizer_coordinate(j, proposal) - r_old);
      const T bound = T(kNewtonSigma) * predicted;
      T beta = 1;
      bool accepted = false;
      for (int trial = 0; trial < kNewtonTrials; ++trial) {
        const T step_delta = beta * direction;
        const T point = beta == T(1) ? proposal : old_x + step_delta;
        T scale = 0;
        const T change = objective.coordinate_loss_change(j, step_delta, scale) +
                         (objective.regularizer_coordinate(j, point) - r_old);
        if (change <= beta * bound + rounding * scale) {
          accepted = true;
          delta = step_delta;
          moved = point;
          break;
        }
        objective.restore_coordinate(j);
        beta = next_newton_beta(beta, change);
      }
      if (!accepted) {
        curvature = L;
        if (bounded) {
          const T bound_step = T(1) / L;
          moved = objective.prox_coordinate(j, old_x - gradient * bound_step, bound_step);
          delta = moved - old_x;
          T scale = 0;
          objective.coordinate_loss_change(j, delta, scale);  // moves the margins
        }
      }
    }
    sum += (curvature * delta) * (curvature * delta);
    if (delta != T(0)) x[j] = moved;  // the accepted trial moved the margins
  }
  return sum;
}

// The proximal Newton model of F at x (step 1 of proximal_newton_step below).
template <class T>
struct NewtonModel {
  VectorOf<T> gradient;  // g_j (0 where L_j = 0): the whole gradient of f at x
  VectorOf<T> hessian;   // h_j for the coordinates that take part, 0 for the others
  VectorOf<T> target;    // x + d, d = 0 to start
  T sum = 0;             // the certificate's sum of squares at x
};

// Step 1 at x: for every j with L_j > 0, g_j, h_j (+ the CDN floor) and d0_j =
// prox_{r/h_j}(x_j - g_j / h_j) - x_j; the certificate is sqrt(sum_j (h_j d0_j)^2), the scaled
// gradient mapping, zero exactly at a solution. Coordinates with d0_j = 0 sit out the step
// (shrinking: at a solution of their own subproblem, as most zeros of a sparse solution are).
template <class T>
NewtonModel<T> newton_model(Objective<T>& objective, const VectorOf<T>& x) {
  const Eigen::Index d = x.size();
  NewtonModel<T> model{VectorOf<T>::Zero(d), VectorOf<T>::Zero(d), x, T(0)};
  for (Eigen::Index j = 0; j < d; ++j) {
    const T L = objective.coordinate_curvature(j);
    if (!(L > T(0))) continue;
    T g = 0, h = 0;
    objective.coordinate_gradient_and_hessian(j, g, h);
    const T curvature = h + (T(kNewtonFloor) + T(kNewtonRelativeFloor) * L);
    const T step = T(1) / curvature;
    const T first = objective.prox_coordinate(j, x[j] - g * step, step) - x[j];
    model.sum += (curvature * first) * (curvature * first);
    model.gradient[j] = g;
    if (first != T(0)) model.hessian[j] = curvature;
  }
  return model;
}

// One proximal Newton step (the outer step of glmnet and of liblinear's newGLMNET, Yuan, Ho
// and Lin 2012), for a loss whose phi'' varies, from the model at x (newton_model):
//   2. cyclic coordinate descent on the quadratic model over the coordinates that take part,
//      from d = 0, keeping u = A d (kNewtonInnerTolerance, kNewtonInnerPasses). A coordinate
//      that does not move in a pass sits out the later ones (shrinking, as liblinear's inner
//      loop does; for l1, a zero with |G_j| <= lambda);
//   3. a line search along d: beta = 1, 1/2, ... (kNewtonTrials) until
//      F(x + beta d) - F(x) <= sigma beta (g'd + r(x + d) - r(x)) up to rounding;
//   4. if no beta passes, one CDN epoch instead.
// The model is used up (its target and hessian change).
template <class T>
void proximal_newton_step(Objective<T>& objective, VectorOf<T>& x, NewtonModel<T>& model) {
  const Eigen::Index d = x.size();
  const VectorOf<T>& gradient = model.gradient;
  VectorOf<T>& hessian = model.hessian;
  VectorOf<T>& target = model.target;
  const T sum = model.sum;
  VectorOf<T> u = VectorOf<T>::Zero(objective.samples());
  for (int pass = 0; pass < kNewtonInnerPasses; ++pass) {
    T inner = 0;
    for (Eigen::Index j = 0; j < d; ++j) {
      const T curvature = hessian[j];
      if (!(curvature > T(0))) continue;
      const T g = objective.model_coordinate_gradient(j, gradient[j], u);
      const T step = T(1) / curvature;
      const T moved = objective.prox_coordinate(j, target[j] - g * step, step);
      const T delta = moved - target[j];
      inner += (curvature * delta) * (curvature * delta);
      if (delta != T(0)) {
        target[j] = moved;
        objective.model_move(j, delta, u);
      } else {
        hessian[j] = -curvature;  // shrunk: out of the later passes, still in d
      }
    }
    if (inner <= T(kNewtonInnerTolerance) * sum) break;
  }
  T predicted = 0;
  for (Eigen::Index j = 0; j < d; ++j) {
    if (hessian[j] == T(0)) continue;
    predicted +=
        gradient[j] * (target[j] - x[j]) + (objective.regularizer_coordinate(j, target[j]) -
                                            objective.regularizer_coordinate(j, x[j]));
  }
  // No coordinate takes part: x is a solution. (Otherwise predicted < 0 in exact arithmetic,
  // the inner solve lowering the model from 0; near a solution it may round to >= 0, and the
  // test below then accepts a change within rounding.)
  if (!(sum > T(0))) return;
  {
    const T rounding = static_cast<T>(kNewtonRoundingUlps) * std::numeric_limits<T>::epsilon();
    T beta = 1;
    for (int trial = 0; trial < kNewtonTrials; ++trial) {
      T scale = 0;
      T change = objective.model_step_loss_change(beta, u, scale);
      T regularizer_change = 0;
      for (Eigen::Index j = 0; j < d; ++j) {
        if (hessian[j] == T(0)) continue;
        const T point = beta == T(1) ? target[j] : x[j] + beta * (target[j] - x[j]);
        regularizer_change +=
            objective.regularizer_coordinate(j, point) - objective.regularizer_coordinate(j, x[j]);
      }
      change += regularizer_change;
      if (change <= T(kNewtonSigma) * beta * predicted + rounding * scale) {
        for (Eigen::Index j = 0; j < d; ++j) {
          if (hessian[j] != T(0))
            x[j] = beta == T(1) ? target[j] : x[j] + beta * (target[j] - x[j]);
        }
        objective.accept_model_step(beta, u);
        return;
      }
      beta = next_newton_beta(beta, change);
    }
  }
  coordinate_newton_epoch(objective, x);
}

// Cyclic proximal coordinate descent, with the kernels' rules. Coordinates with L_j = 0 are
// left alone.
//   Exact curvature (quadratic: L_j = A_jj; a loss with constant phi'', least_squares:
//   L_j = phi'' sum_i w_i a_ij^2 / n): one iteration is an epoch over the coordinates
//   j = 0..d-1 in order, x_j = prox_{r/L_j}(x_j - g_j / L_j), the gradient (quadratic) or the
//   margins following every move; the certificate is sqrt(sum_j (L_j delta_j)^2).
//   Other losses (SmoothDefinition::coordinate_newton): one iteration is a proximal Newton
//   step whose inner solver is coordinate descent (proximal_newton_step), and the model at the
//   new point, whose certificate is the iteration's: it certifies the x it returns with.
template <class T>
RunOutcome reference_coordinate_descent(Objective<T>& objective, VectorOf<T>& x,
                                        const IterationBudget& budget) {
  RunOutcome outcome;
  const Eigen::Index d = x.size();
  objective.start_coordinates(x);
  const bool newton = objective.coordinate_newton();
  NewtonModel<T> model;
  if (newton) model = newton_model(objective, x);
  double first_certificate = -1.0;
  for (std::int64_t k = 0; k < budget.max_iterations; ++k) {
    T sum = 0;
    if (newton) {
      proximal_newton_step(objective, x, model);
      model = newton_model(objective, x);
      sum = model.sum;
    } else {
      for (Eigen::Index j = 0; j < d; ++j) {
        const T L = objective.coordinate_curvature(j);
        if (!(L > T(0))) continue;
        const T old_x = x[j];
        const T gradient = objective.coordinate_gradient(j);
        const T step = T(1) / L;
        const T moved = objective.prox_coordinate(j, old_x - gradient * step, step);
        const T delta = moved - old_x;
        sum += (L * delta) * (L * delta);
        if (delta != T(0)) {
          x[j] = moved;
          objective.move_coordinate(j, delta);
        }
      }
    }
    const double certificate = std::sqrt(static_cast<double>(sum));
    if (stop_after_iteration(outcome, k, certificate, first_certificate, budget, x.data())) {
      return outcome;
    }
  }
  outcome.status = SolveStatus::max_iterations;
  return outcome;
}

// Proximal gradient with backtracking, with the kernels' rules: each iteration lets the step
// grow (L *= 0.9), then tries z = prox_{r/L}(x - grad f(x)/L) and accepts when
// 2 (grad f(z) - grad f(x)).(z - x) <= L |z - x|^2 (which implies Beck and Teboulle's
// sufficient decrease for a convex f, without comparing f values that rounding blurs near the
// optimum), doubling L otherwise (at most 60 trials). The certificate is |z - x| L.
// budget.step is the first step (1/L_0).
template <class T>
RunOutcome reference_proximal_gradient_backtracking(const Objective<T>& objective, VectorOf<T>& x,
                                                    const IterationBudget& budget) {
  RunOutcome outcome;
  VectorOf<T> gradient(x.size());
  VectorOf<T> trial_gradient(x.size());
  VectorOf<T> y(x.size());
  VectorOf<T> z(x.size());
  objective.smooth(x, gradient);
  double curvature = 1.0 / budget.step;
  double first_certificate = -1.0;
  for (std::int64_t k = 0; k < budget.max_iterations; ++k) {
    double trial_curvature = curvature * 0.9;
    T squared = 0;
    for (int trial = 1;; ++trial) {
      const T step = static_cast<T>(1.0 / trial_curvature);
      y = x - step * gradient;
      objective.prox(y, step, z);
      squared = (z - x).squaredNorm();
      objective.smooth(z, trial_gradient);
      const double along = static_cast<double>((trial_gradient - gradient).dot(z - x));
      if (2.0 * along <= trial_curvature * static_cast<double>(squared) || trial >= 60) break;
      trial_curvature *= 2.0;
    }
    x = z;
    gradient.swap(trial_gradient);
    curvature = trial_curvature;
    const double certificate = std::sqrt(static_cast<double>(squared)) * curvature;
    if (stop_after_iteration(outcome, k, certificate, first_certificate, budget, x.data())) {
      return outcome;
    }
  }
  outcome.status = SolveStatus::max_iterations;
  return outcome;
}

// The same solvers on dense data without weights (tests and small tools).
template <class T>
Objective<T> dense_objective(const SmoothComponent& f, const ProxComponent& r, const MatrixOf<T>& A,
                             const VectorOf<T>& b) {
  DataView<T> data;
  data.dense = &A;
  data.b = &b;
  return Objective<T>(f, r, data, A.cols());
}
template <class T>
RunOutcome reference_proximal_gradient(const SmoothComponent& f, const ProxComponent& r,
                                       const MatrixOf<T>& A, const VectorOf<T>& b, VectorOf<T>& x,
                                       const IterationBudget& budget) {
  return reference_proximal_gradient<T>(dense_objective<T>(f, r, A, b), x, budget);
}
template <class T>
RunOutcome reference_fista(const SmoothComponent& f, const ProxComponent& r, const MatrixOf<T>& A,
                           const VectorOf<T>& b, VectorOf<T>& x, const IterationBudget& budget,
                           bool adaptive_restart) {
  return reference_fista<T>(dense_objective<T>(f, r, A, b), x, budget, adaptive_restart);
}
template <class T>
RunOutcome reference_coordinate_descent(const SmoothComponent& f, const ProxComponent& r,
                                        const MatrixOf<T>& A, const VectorOf<T>& b, VectorOf<T>& x,
                                        const IterationBudget& budget) {
  Objective<T> objective = dense_objective<T>(f, r, A, b);
  return reference_coordinate_descent<T>(objective, x, budget);
}
template <class T>
RunOutcome reference_proximal_gradient_backtracking(const SmoothComponent& f,
                                                    const ProxComponent& r, const MatrixOf<T>& A,
                                                    const VectorOf<T>& b, VectorOf<T>& x,
                                                    const IterationBudget& budget) {
  return reference_proximal_gradient_backtracking<T>(dense_objective<T>(f, r, A, b), x, budget);
}

}  // namespace proxjit
