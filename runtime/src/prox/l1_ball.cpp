// l1_ball: r(x) = indicator of {x : ||x||_1 <= radius}.
// prox_{step r}(y) = P(y) = y when ||y||_1 <= radius, else sign(y_i) * max(|y_i| - tau, 0) with
// tau > 0 such that the result has l1 norm radius: tau is the threshold of the projection of
// |y| onto the simplex of sum radius (Condat's expected-linear-time algorithm).
#include <cmath>

#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

template <class T>
double l1_ball_value(const ProxArguments& args, const T* x, std::size_t size) {
  const double radius = args.scalar(0);
  double l1_norm = 0.0;
  for (std::size_t i = 0; i < size; ++i)
    l1_norm += std::abs(static_cast<double>(x[i]));
  return l1_norm <= radius * (1.0 + set_slack<T>(size)) ? 0.0 : kInfinity;
}

template <class T>
double l1_ball_projection(const ProxArguments& args, const T* y, T, T* out, std::size_t size) {
  const double tau = l1_ball_threshold(y, size, args.scalar(0));
  for (std::size_t i = 0; i < size; ++i) {
    const double v = static_cast<double>(y[i]);
    const double magnitude = std::abs(v) - tau;
    out[i] = magnitude > 0.0 ? static_cast<T>(std::copysign(magnitude, v))
                             : (magnitude <= 0.0 ? T(0) : y[i]);  // NaN stays NaN
  }
  return l1_ball_value(args, out, size);
}

}  // namespace

ProxDefinition l1_ball_prox() {
  ProxDefinition d;
  d.name = "l1_ball";
  d.formula = "r(x) = 0 if sum_i |x_i| <= radius, +inf otherwise";
  d.parameters = {
      {"radius", "radius of the l1 ball", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = true};
  d.vector_prox_double = &l1_ball_projection<double>;
  d.vector_prox_float = &l1_ball_projection<float>;
  d.vector_value_double = &l1_ball_value<double>;
  d.vector_value_float = &l1_ball_value<float>;
  return d;
}

}  // namespace proxjit::builtin
