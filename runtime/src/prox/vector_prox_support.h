#pragma once
// Shared pieces of the whole-vector proxes: norms computed without overflow, the rounding slack
// of the set-membership tests, and the simplex / l1-ball threshold (Condat's algorithm).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace proxjit::builtin {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// ||x||_2 accumulated in double; rescaled by max |x_i| only when the plain sum overflows.
template <class T>
double euclidean_norm(const T* x, std::size_t size) {
  double sum = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    const double v = static_cast<double>(x[i]);
    sum += v * v;
  }
  if (std::isfinite(sum)) return std::sqrt(sum);
  double largest = 0.0;
  for (std::size_t i = 0; i < size; ++i)
    largest = std::max(largest, std::abs(static_cast<double>(x[i])));
  if (!std::isfinite(largest)) return largest;  // inf, or NaN propagated by the sum
  double scaled = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    const double v = static_cast<double>(x[i]) / largest;
    scaled += v * v;
  }
  return largest * std::sqrt(scaled);
}

// Relative slack of the set tests of indicator values: a projection rounded to T lands within
// a few ulps of the boundary per element, growing like sqrt(n) for sums of such roundings, so
// value(prox(y)) is 0 and not +inf for a point the projection put on the boundary.
template <class T>
double set_slack(std::size_t size) {
  return 16.0 * std::numeric_limits<T>::epsilon() * std::sqrt(static_cast<double>(size) + 1.0);
}

// The threshold tau of the projection onto the simplex {p >= 0, sum p = total}: the projection
// is max(v_i - tau, 0). Laurent Condat, "Fast projection onto the simplex and the l1 ball"
// (Math. Programming 2016): one pass keeps a candidate support `active` whose running mean
// gives tau, parks dropped candidates in `parked` (re-examined once), then prunes the support
// until it is stable. Expected linear time. value(i) gives v_i; total > 0.
template <class Value>
double simplex_threshold(const Value& value, std::size_t size, double total) {
  std::vector<double> active;
  std::vector<double> parked;
  active.reserve(64);
  const double first = value(0);
  active.push_back(first);
  double tau = first - total;
  for (std::size_t i = 1; i < size; ++i) {
    const double v = value(i);
    if (!(v > tau)) continue;
    tau += (v - tau) / static_cast<double>(active.size() + 1);
    if (tau > v - total) {
      active.push_back(v);
    } else {
      // v alone beats the whole current support: restart the support from v.
      parked.insert(parked.end(), active.begin(), active.end());
      active.assign(1, v);
      tau = v - total;
    }
  }
  for (const double v : parked) {
    if (v > tau) {
      active.push_back(v);
      tau += (v - tau) / static_cast<double>(active.size());
    }
  }
  // Drop elements at or below tau until none is left to drop; tau rises with each drop.
  std::size_t previous_size = 0;
  while (previous_size != active.size()) {
    previous_size = active.size();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < active.size(); ++i) {
      const double v = active[i];
      const std::size_t remaining = active.size() - (i + 1) + kept;
      if (v <= tau && remaining > 0) {
        tau += (tau - v) / static_cast<double>(remaining);
      } else {
        active[kept++] = v;
      }
    }
    active.resize(kept);
  }
  return tau;
}

// The soft threshold of the projection onto the l1 ball of this radius: the projection is
// sign(y) * max(|y| - tau, 0); tau = 0 when y is inside the ball.
template <class T>
double l1_ball_threshold(const T* y, std::size_t size, double radius) {
  double l1_norm = 0.0;
  double largest = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    const double a = std::abs(static_cast<double>(y[i]));
    l1_norm += a;
    largest = std::max(largest, a);
  }
  if (std::isnan(l1_norm)) return l1_norm;
  if (l1_norm <= radius) return 0.0;
  if (radius == 0.0) return largest;  // the ball is {0}
  return simplex_threshold([y](std::size_t i) { return std::abs(static_cast<double>(y[i])); }, size,
                           radius);
}

}  // namespace proxjit::builtin
