#pragma once
// The reference stochastic solvers for margin losses f(x) = 1/n sum_i w_i phi(a_i'x, b_i):
// prox-SGD, SAGA (Defazio, Bach and Lacoste-Julien 2014) and prox-SVRG (Xiao and Zhang 2014).
// They are the oracle of the JIT kernels (codegen/src/emit_kernel.cpp, emit_stochastic_*),
// which follow exactly the same rules:
//
// - An iteration is an epoch: n steps of one sample (SAGA, SVRG) or ceil(n / batch) steps of a
//   mini-batch (SGD). After each epoch the certificate is the norm of the gradient mapping at the
//   reported point with the base step: |x - prox_{step r}(x - step grad f(x))| / step, from a
//   full gradient; the divergence, tolerance and progress rules are the deterministic solvers'
//   (stop_after_iteration).
// - Samples come from splitmix64 seeded with StochasticSettings::seed (the kernels carry the same
//   generator in their IR): with replacement, i = floor(u * n / 2^64) for a 64-bit draw u, or
//   shuffled epochs, a Fisher-Yates shuffle of the previous epoch's order at the start of each
//   epoch (j = draw below i + 1 for i = n-1 down to 1). An SGD batch takes the next `batch`
//   positions of the epoch's order, wrapping around at its end.
// - SAGA keeps one scalar per sample, alpha_i = w_i phi'(a_i'x, b_i) at the sample's last visit
//   (all set at the start point by one full pass), and their average gradient
//   g = 1/n sum_i alpha_i a_i; a step on sample i with d = w_i phi'(a_i'x, b_i) is
//     x <- prox_{step r}(x - step ((d - alpha_i) a_i + g)),  g += (d - alpha_i) a_i / n,
//     alpha_i = d.
// - SVRG keeps the snapshot's full gradient mu and its per-sample scalars alpha_i (one full pass
//   per epoch, at the iterate the epoch starts from; the last inner iterate is the next snapshot,
//   Xiao and Zhang's option without averaging); a step is x <- prox(x - step ((d - alpha_i) a_i
//   + mu)), n steps an epoch.
// - SGD: x <- prox_{s_t r}(x - s_t / B sum_{i in batch} d_i a_i), with s_t = step * factor(t)
//   (StepSchedule); with averaging the reported point is the mean of all iterates since the
//   start (the iterate goes on; the certificate is taken at the mean).
//
// Sparse data (CSR) with a separable elementwise r (l1, l2sq, elastic_net, zero, box, nonneg):
// SAGA and SVRG touch only the sample's nonzeros. For a coordinate j outside the sample, a step
// is x_j <- prox(x_j - step c_j) with c_j = g_j (SAGA) or mu_j (SVRG), which does not change
// until j is touched: each coordinate keeps the step it was last brought up to, and when a
// sample touches it (and at the end of each epoch) the k skipped steps are applied at once
// (catch_up below):
//   - l1, l2sq, elastic_net, zero (r = l1 |x| + l2/2 x^2): while the sign does not change, k
//     steps are one affine map, x_k = rho^k x - (1 - rho^k)/l2 (c + sign(x) l1) with
//     rho = 1/(1 + step l2) (x - k step (c + sign(x) l1) when l2 = 0), evaluated with exp and
//     expm1 (no cancellation for small l2). When it stays of one sign, that is the answer; when
//     it crosses zero and |c| <= l1, zero is a fixed point and the answer is 0; otherwise (a
//     coordinate that crosses zero towards the other sign, rare) the k steps are applied one by
//     one. So the result is the dense iterate's up to rounding, never an approximation.
//   - box, nonneg: x_k = clip(clip(x - step c) - (k - 1) step c) (moving by a constant and
//     clipping, k times, is clipping the whole move once inside the box).
//   - group_l2 (block soft thresholding per group, GroupLag below): the lags are per group. While
//     no sample touches a group G, c_G is constant, and the skipped steps keep x_G in
//     span{x0, c_G} (x0 = x_G at its last update): x = a x0 + b c, and a step is
//     y = a x0 + (b - step) c, |y|^2 from the Gram numbers x0.x0, x0.c, c.c (then carried: a
//     step maps y to s y - step c), s = max(0, 1 - step lambda / |y|), a <- s a,
//     b <- s (b - step): k steps are O(k) scalar work plus O(|G|)
//     for the Gram numbers and writing x_G back (group_catch_up). Once a = 0 (x0 = 0, or the
//     group was zeroed) x stays on the ray -c and b <- min(0, b - step (1 - lambda / |c|)) in
//     closed form; a fixed point (a, b unchanged) ends the loop too. A sample's step brings
//     every group holding one of its nonzeros up to date, then takes the whole group's step
//     x_G <- prox(x_G - step (delta a_iG + c_G)). Only where the groups allow it: when the
//     largest group is at most a quarter of the penalized coordinates (else most steps would
//     touch a large share of x anyway, and the dense step is simpler and as fast).
// Other proxes (whole-vector ones, weighted l1...) and dense data take dense steps: the whole x
// each step.
//
// SGD on sparse data with r = l1, l2sq, zero, box or nonneg (and no averaging) touches only the
// batch's nonzeros too. A coordinate outside the batch has a zero gradient, so a step is
// x_j <- prox_{s_t r}(x_j), and these prox-only steps compose in closed form (sgd_catch_up):
//   - l1: soft-thresholds add up, S_a(S_b(x)) = S_{a+b}(x); a running total of s_t lambda over
//     the steps, and each coordinate's total at its last update, give the threshold to apply.
//   - l2sq: x / prod_t (1 + s_t lambda) = x exp(-(L_now - L_last)), L a running sum of
//     log1p(s_t lambda).
//   - box, nonneg: projecting is idempotent, so the skipped steps are one projection; zero:
//     nothing.
// The running totals use each step's actual s_t (any schedule; one step per mini-batch) and
// restart at zero each epoch, after every coordinate is brought up to date (before the
// certificate and the progress hook). A step first brings the batch's coordinates up to date
// and takes the margins, then updates each touched coordinate once (the batch's samples are
// drawn again from the generator's saved state). elastic_net, whole-vector and block proxes, and
// SGD with averaging (the mean needs every coordinate every step) take dense steps (O(d)).
//
// Default steps (the engine's): L_max = sup phi'' max_i w_i |a_i|^2; SAGA 1/(3 L_max), SVRG
// 1/(4 L_max), SGD 1/L_max.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

#include "proxjit/runtime/objective.h"
#include "proxjit/runtime/reference_solver.h"
#include "proxjit/runtime/stochastic_settings.h"

namespace proxjit {

// splitmix64 (Steele, Lea and Flood 2014): a counter through a mixing function.
struct SampleGenerator {
  std::uint64_t state = 0;
  std::uint64_t next() {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // floor(u * n / 2^64): uniform in [0, n) up to a bias below n / 2^64.
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
};

class SampleOrder {
 public:
  SampleOrder(Eigen::Index n, const StochasticSettings& settings)
      : n_(n), sampling_(settings.sampling), generator_{settings.seed} {
    if (sampling_ == Sampling::shuffle) {
      order_.resize(static_cast<std::size_t>(n));
      std::iota(order_.begin(), order_.end(), std::int64_t{0});
    }
  }
  void start_epoch() {
    if (sampling_ != Sampling::shuffle) return;
    for (std::int64_t i = n_ - 1; i >= 1; --i) {
      const auto j = static_cast<std::int64_t>(generator_.below(static_cast<std::uint64_t>(i + 1)));
      std::swap(order_[i], order_[j]);
    }
  }
  // The sample at a position of the epoch (positions in order, from 0).
  // The generator's state, to draw the same samples again.
  std::uint64_t mark() const { return generator_.state; }
  void rewind(std::uint64_t state) { generator_.state = state; }
  Eigen::Index at(std::int64_t position) {
    if (sampling_ == Sampling::shuffle) return order_[position % n_];
    return static_cast<Eigen::Index>(generator_.below(static_cast<std::uint64_t>(n_)));
  }

 private:
  std::int64_t n_;
  Sampling sampling_;
  SampleGenerator generator_;
  std::vector<std::int64_t> order_;
};

// How skipped steps are caught up on sparse data (see the top of this file).
struct LaggedProx {
  enum Kind { none, shrink, box } kind = none;
  double l1 = 0.0, l2 = 0.0;  // shrink: r = l1 |x| + l2/2 x^2
};

inline LaggedProx lagged_prox(const ProxComponent& r) {
  LaggedProx lag;
  if (!r.is_elementwise()) return lag;
  const LaggedRule& rule = r.definition().lagged;
  const auto slot = [&](int index) { return index < 0 ? 0.0 : r.parameters()[index]; };
  if (rule.kind == LaggedRule::Kind::shrink) {
    lag = {LaggedProx::shrink, slot(rule.l1_slot), slot(rule.l2_slot)};
  } else if (rule.kind == LaggedRule::Kind::box) {
    lag.kind = LaggedProx::box;
  }
  return lag;
}

// SGD's prox-only steps on sparse data (see the top of this file).
struct SgdLag {
  enum Kind { none, l1, l2sq, zero, box } kind = none;
  double lambda = 0.0;
};

inline SgdLag sgd_lag(const ProxComponent& r) {
  SgdLag lag;
  const LaggedRule& rule = r.definition().lagged;
  if (!r.is_elementwise() || !rule.composes_for_sgd()) return lag;
  if (rule.kind == LaggedRule::Kind::box) {
    lag.kind = SgdLag::box;
  } else if (rule.l1_slot >= 0) {
    lag = {SgdLag::l1, r.parameters()[rule.l1_slot]};
  } else if (rule.l2_slot >= 0) {
    lag = {SgdLag::l2sq, r.parameters()[rule.l2_slot]};
  } else {
    lag.kind = SgdLag::zero;
  }
  return lag;
}

// What one SGD step of rate s adds to the running total.
template <class T>
T sgd_total_increment(const SgdLag& lag, T rate) {
  if (lag.kind == SgdLag::l1) return rate * static_cast<T>(lag.lambda);
  if (lag.kind == SgdLag::l2sq) return std::log1p(rate * static_cast<T>(lag.lambda));
  return T(0);
}

// The skipped prox-only steps of coordinate j, whose running total grew by gap since.
template <class T>
T sgd_catch_up(const Objective<T>& objective, const SgdLag& lag, Eigen::Index j, T x, T gap,
               T step) {
  if (j >= objective.penalized()) return x;
  switch (lag.kind) {
    case SgdLag::l1:
      return x > gap ? x - gap : (x < -gap ? x + gap : T(0));
    case SgdLag::l2sq:
      return x * std::exp(-gap);
    case SgdLag::box:
      return objective.prox_coordinate(j, x, step);
    default:
      return x;
  }
}

// k >= 1 steps of x <- prox_{step r}(x - step c) on coordinate j, at once.
template <class T>
T catch_up(const Objective<T>& objective, const LaggedProx& lag, Eigen::Index j, T x, T c,
           std::int64_t k, T step) {
  const T kk = static_cast<T>(k);
  if (j >= objective.penalized()) return x - kk * step * c;
  if (lag.kind == LaggedProx::box) {
    const T first = objective.prox_coordinate(j, x - step * c, step);
    if (k == 1) return first;
    return objective.prox_coordinate(j, first - static_cast<T>(k - 1) * step * c, step);
  }
  const T l1 = static_cast<T>(lag.l1);
  const T l2 = static_cast<T>(lag.l2);
  T decay = 1, span = kk * step;
  if (l2 > T(0)) {
    const T log_rho = std::log1p(step * l2);
    decay = std::exp(-kk * log_rho);
    span = -std::expm1(-kk * log_rho) / l2;
  }
  if (l1 == T(0)) return decay * x - span * c;
  const bool settles = std::abs(c) <= l1;
  if (x > T(0)) {
    const T p = decay * x - span * (c + l1);
    if (p > T(0)) return p;
    if (settles) return T(0);
  } else if (x < T(0)) {
    const T p = decay * x - span * (c - l1);
    if (p < T(0)) return p;
    if (settles) return T(0);
  } else if (settles) {
    return x;
  }
  for (std::int64_t s = 0; s < k; ++s)
    x = objective.prox_coordinate(j, x - step * c, step);
  return x;
}

// group_l2's groups for lagged steps (see the top of this file); empty (active() false) when r
// is not group_l2 or its groups do not allow them.
struct GroupLag {
  std::vector<std::int64_t> start;  // group g is [start[g], start[g + 1])
  std::vector<std::int64_t> of;     // each penalized coordinate's group
  double lambda = 0.0;
  bool active() const { return !start.empty(); }
  // The lag slot of coordinate j: its group, or j itself past the penalized ones (no group
  // index reaches them, there are at most `penalized` groups).
  std::int64_t slot(Eigen::Index j) const {
    return j < static_cast<Eigen::Index>(of.size()) ? of[j] : j;
  }
};

inline GroupLag group_lag(const ProxComponent& r, Eigen::Index penalized) {
  GroupLag lag;
  const LaggedRule& rule = r.definition().lagged;
  if (rule.kind != LaggedRule::Kind::group) return lag;
  const std::span<const double> sizes = r.list_parameter("groups");
  double largest = 0.0, total = 0.0;
  for (const double size : sizes) {
    largest = std::max(largest, size);
    total += size;
  }
  // A step touches whole groups: with a group of more than a quarter of x, lagging saves little.
  if (sizes.empty() || total != static_cast<double>(penalized) ||
      4.0 * largest > static_cast<double>(penalized)) {
    return lag;
  }
  lag.start.push_back(0);
  for (const double size : sizes) {
    const auto group = static_cast<std::int64_t>(lag.start.size() - 1);
    lag.of.insert(lag.of.end(), static_cast<std::size_t>(size), group);
    lag.start.push_back(lag.start.back() + static_cast<std::int64_t>(size));
  }
  lag.lambda = r.parameters()[rule.l1_slot];
  return lag;
}

// k >= 1 steps of x_G <- prox_{step lambda |.|}(x_G - step c_G) on x[begin, end), at once.
template <class T>
void group_catch_up(VectorOf<T>& x, const VectorOf<T>& c, std::int64_t begin, std::int64_t end,
                    std::int64_t k, T step, T lambda) {
  T xx = 0, xc = 0, cc = 0;
  for (std::int64_t j = begin; j < end; ++j) {
    xx += x[j] * x[j];
    xc += x[j] * c[j];
    cc += c[j] * c[j];
  }
  const T tau = step * lambda;
  T a = xx > T(0) ? T(1) : T(0);  // x = a x0 + b c
  T b = 0;
  // |y|^2 and y.c for y = a x0 + (b - step) c, the point the next step takes the prox of: a
  // step maps y to scale y - step c, so they follow from the last ones (a shorter chain of
  // dependent operations than from a, b and the Gram numbers).
  const T e = -step;
  T squared = a * a * xx + T(2) * a * e * xc + e * e * cc;
  T yc = a * xc + e * cc;
  const T two_step = T(2) * step, step_cc = step * cc, step2_cc = step * step_cc;
  std::int64_t s = 0;
  for (; s < k && a != T(0); ++s) {
    const T norm = std::sqrt(std::max(squared, T(0)));
    // tau / norm as norm (tau / |y|^2): the square root and the division run side by side.
    const T scale = norm > tau ? T(1) - norm * (tau / squared) : T(0);
    const T next_a = scale * a, next_b = scale * (b - step);
    if (next_a == a && next_b == b) {  // a fixed point: the remaining steps change nothing
      s = k;
      break;
    }
    a = next_a;
    b = next_b;
    squared = scale * scale * squared - two_step * scale * yc + step2_cc;
    yc = scale * yc - step_cc;
  }
  // On the ray -c (b <= 0): each step moves b by -(step - tau / |c|), and stops at 0.
  if (s < k && cc > T(0)) {
    b = std::min(T(0), b - static_cast<T>(k - s) * (step - tau / std::sqrt(cc)));
  }
  for (std::int64_t j = begin; j < end; ++j)
    x[j] = a * x[j] + b * c[j];
}

// gradient = grad f(x) = 1/n sum_i d_i a_i, summed sample by sample; alpha_i = d_i when given.
template <class T>
void stochastic_full_gradient(const Objective<T>& objective, const VectorOf<T>& x,
                              VectorOf<T>& gradient, VectorOf<T>* alpha) {
  gradient.setZero();
  for (Eigen::Index i = 0; i < objective.samples(); ++i) {
    const T d = objective.sample_derivative(i, objective.sample_margin(i, x));
    if (alpha) (*alpha)[i] = d;
    objective.for_sample(i, [&](Eigen::Index j, T a) { gradient[j] += d * a; });
  }
  gradient *= T(1) / static_cast<T>(objective.samples());
}

template <class T>
RunOutcome reference_stochastic(StochasticMethod method, const Objective<T>& objective,
                                VectorOf<T>& x, const IterationBudget& budget,
                                const StochasticSettings& settings) {
  RunOutcome outcome;
  const Eigen::Index n = objective.samples();
  const Eigen::Index d = x.size();
  const T step = static_cast<T>(budget.step);
  const T inverse_n = T(1) / static_cast<T>(n);
  SampleOrder order(n, settings);
  const LaggedProx lag = lagged_prox(objective.r());
  const bool lagged =
      method != StochasticMethod::sgd && objective.sparse_rows() && lag.kind != LaggedProx::none;
  VectorOf<T> alpha = VectorOf<T>::Zero(n);
  VectorOf<T> average = VectorOf<T>::Zero(d);  // SAGA's g, SVRG's mu
  VectorOf<T> gradient(d), trial(d), next(d);
  std::vector<std::int64_t> last(static_cast<std::size_t>(d), 0);
  std::int64_t t = 0;
  const GroupLag groups = method != StochasticMethod::sgd && objective.sparse_rows()
                              ? group_lag(objective.r(), objective.penalized())
                              : GroupLag{};
  const T lambda = static_cast<T>(groups.lambda);
  // Lagged group steps: the sample's part of the direction, delta a_i, zero between steps.
  VectorOf<T> part = VectorOf<T>::Zero(groups.active() ? d : 0);
  // Brings coordinate j (its group, or itself past the penalized ones) up to step t.
  const auto bring_up_group = [&](Eigen::Index j, std::int64_t now) {
    const std::int64_t slot = groups.slot(j);
    if (last[slot] >= now) return;
    if (j < objective.penalized()) {
      group_catch_up(x, average, groups.start[slot], groups.start[slot + 1], now - last[slot], step,
                     lambda);
    } else {
      x[j] = catch_up(objective, lag, j, x[j], average[j], now - last[slot], step);
    }
    last[slot] = now;
  };
  // SGD's lagged steps: the running total and each coordinate's total at its last update.
  const SgdLag sgd_lagged = sgd_lag(objective.r());
  const bool lagged_sgd = method == StochasticMethod::sgd && objective.sparse_rows() &&
                          sgd_lagged.kind != SgdLag::none && !settings.averaging;
  T total = 0;
  std::vector<T> since(lagged_sgd ? static_cast<std::size_t>(d) : 0, T(0));
  if (method != StochasticMethod::sgd) stochastic_full_gradient(objective, x, average, &alpha);
  // SGD with averaging reports the mean of the iterates; the iterate is `x` until the end.
  const bool averaging = method == StochasticMethod::sgd && settings.averaging;
  VectorOf<T> sum = VectorOf<T>::Zero(d);
  VectorOf<T> report = x;
  const std::int64_t batch = method == StochasticMethod::sgd ? settings.batch_size : 1;
  const std::int64_t steps = (n + batch - 1) / batch;
  double first_certificate = -1.0;
  for (std::int64_t epoch = 0; epoch < budget.max_iterations; ++epoch) {
    order.start_epoch();
    if (lagged_sgd) gradient.setZero();  // the certificate's full gradient was there
    for (std::int64_t s = 0; s < steps; ++s, ++t) {
      if (lagged_sgd) {
        const T rate = static_cast<T>(budget.step * schedule_factor(settings.schedule, t, steps));
        // gradient is zero between steps; it holds the batch's gradient on its nonzeros.
        const std::uint64_t mark = order.mark();
        for (std::int64_t b = 0; b < batch; ++b) {
          const Eigen::Index i = order.at(s * batch + b);
          T margin = 0;
          objective.for_sample(i, [&](Eigen::Index j, T a) {
            if (last[j] < t) {
              x[j] = sgd_catch_up(objective, sgd_lagged, j, x[j], total - since[j], step);
              last[j] = t;
              since[j] = total;
            }
            margin += a * x[j];
          });
          const T di = objective.sample_derivative(i, margin);
          objective.for_sample(i, [&](Eigen::Index j, T a) { gradient[j] += di * a; });
        }
        const T next_total = total + sgd_total_increment(sgd_lagged, rate);
        const T scaled = rate / static_cast<T>(batch);
        order.rewind(mark);
        for (std::int64_t b = 0; b < batch; ++b) {
          const Eigen::Index i = order.at(s * batch + b);
          objective.for_sample(i, [&](Eigen::Index j, T) {
            if (last[j] != t) return;  // already updated in this step
            x[j] = objective.prox_coordinate(j, x[j] - scaled * gradient[j], rate);
            gradient[j] = 0;
            last[j] = t + 1;
            since[j] = next_total;
          });
        }
        total = next_total;
        continue;
      }
      if (method == StochasticMethod::sgd) {
        const T rate = static_cast<T>(budget.step * schedule_factor(settings.schedule, t, steps));
        gradient.setZero();
        for (std::int64_t b = 0; b < batch; ++b) {
          const Eigen::Index i = order.at(s * batch + b);
          const T di = objective.sample_derivative(i, objective.sample_margin(i, x));
          objective.for_sample(i, [&](Eigen::Index j, T a) { gradient[j] += di * a; });
        }
        trial = x - (rate / static_cast<T>(batch)) * gradient;
        objective.prox(trial, rate, next);
        x.swap(next);
        if (averaging) sum += x;
        continue;
      }
      const Eigen::Index i = order.at(s);
      if (groups.active()) {
        T margin = 0;
        objective.for_sample(i, [&](Eigen::Index j, T a) {
          bring_up_group(j, t);
          margin += a * x[j];
        });
        const T di = objective.sample_derivative(i, margin);
        const T delta = di - alpha[i];
        objective.for_sample(i, [&](Eigen::Index j, T a) { part[j] += delta * a; });
        // Each touched group's step, once: x_G <- prox(x_G - step (delta a_iG + c_G)).
        objective.for_sample(i, [&](Eigen::Index j, T) {
          const std::int64_t slot = groups.slot(j);
          if (last[slot] != t) return;
          last[slot] = t + 1;
          if (j >= objective.penalized()) {
            x[j] = x[j] - step * (part[j] + average[j]);
            return;
          }
          T squared = 0;
          for (std::int64_t m = groups.start[slot]; m < groups.start[slot + 1]; ++m) {
            x[m] = x[m] - step * (part[m] + average[m]);
            squared += x[m] * x[m];
          }
          const T norm = std::sqrt(squared);
          const T scale = norm > step * lambda ? T(1) - step * lambda / norm : T(0);
          for (std::int64_t m = groups.start[slot]; m < groups.start[slot + 1]; ++m)
            x[m] *= scale;
        });
        objective.for_sample(i, [&](Eigen::Index j, T a) {
          if (method == StochasticMethod::saga) average[j] += delta * a * inverse_n;
          part[j] = 0;
        });
        if (method == StochasticMethod::saga) alpha[i] = di;
        continue;
      }
      if (!lagged) {
        const T di = objective.sample_derivative(i, objective.sample_margin(i, x));
        const T delta = di - alpha[i];
        gradient = average;
        objective.for_sample(i, [&](Eigen::Index j, T a) { gradient[j] += delta * a; });
        trial = x - step * gradient;
        objective.prox(trial, step, next);
        x.swap(next);
        if (method == StochasticMethod::saga) {
          objective.for_sample(i,
                               [&](Eigen::Index j, T a) { average[j] += delta * a * inverse_n; });
          alpha[i] = di;
        }
        continue;
      }
      T margin = 0;
      objective.for_sample(i, [&](Eigen::Index j, T a) {
        if (last[j] < t) {
          x[j] = catch_up(objective, lag, j, x[j], average[j], t - last[j], step);
          last[j] = t;
        }
        margin += a * x[j];
      });
      const T di = objective.sample_derivative(i, margin);
      const T delta = di - alpha[i];
      objective.for_sample(i, [&](Eigen::Index j, T a) {
        x[j] = objective.prox_coordinate(j, x[j] - step * (delta * a + average[j]), step);
        last[j] = t + 1;
        if (method == StochasticMethod::saga) average[j] += delta * a * inverse_n;
      });
      if (method == StochasticMethod::saga) alpha[i] = di;
    }
    if (groups.active()) {
      for (Eigen::Index j = 0; j < d; ++j)
        bring_up_group(j, t);
    }
    if (lagged) {
      for (Eigen::Index j = 0; j < d; ++j) {
        if (last[j] < t) x[j] = catch_up(objective, lag, j, x[j], average[j], t - last[j], step);
        last[j] = t;
      }
    }
    if (lagged_sgd) {
      for (Eigen::Index j = 0; j < d; ++j) {
        if (last[j] < t) {
          x[j] = sgd_catch_up(objective, sgd_lagged, j, x[j], total - since[j], step);
        }
        last[j] = t;
        since[j] = 0;
      }
      total = 0;
    }
    report = averaging ? VectorOf<T>(sum * (T(1) / static_cast<T>(t))) : x;
    // The certificate's full gradient; for SVRG also the next epoch's snapshot.
    stochastic_full_gradient(objective, report, gradient,
                             method == StochasticMethod::svrg ? &alpha : nullptr);
    if (method == StochasticMethod::svrg) average = gradient;
    trial = report - step * gradient;
    objective.prox(trial, step, next);
    const double certificate = static_cast<double>((next - report).norm()) / budget.step;
    if (stop_after_iteration(outcome, epoch, certificate, first_certificate, budget,
                             report.data())) {
      x = report;
      return outcome;
    }
  }
  x = report;
  outcome.status = SolveStatus::max_iterations;
  return outcome;
}

}  // namespace proxjit
