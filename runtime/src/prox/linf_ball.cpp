// linf_ball: r(x) = indicator of {x : max_i |x_i| <= radius}.
// prox_{step r}(y)_i = min(max(y_i, -radius), radius)   (projection, coordinate by coordinate;
// the ball is a box, but it is listed with the other balls and is the conjugate side of l1)
#include <algorithm>
#include <cmath>

#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

template <class T>
double linf_ball_value(const ProxArguments& args, const T* x, std::size_t size) {
  // The projection clips to radius rounded to T, which may exceed radius by half an ulp.
  const double radius =
      std::max(args.scalar(0), static_cast<double>(static_cast<T>(args.scalar(0))));
  for (std::size_t i = 0; i < size; ++i) {
    if (!(std::abs(static_cast<double>(x[i])) <= radius)) return kInfinity;  // NaN is outside
  }
  return 0.0;
}

template <class T>
double linf_ball_projection(const ProxArguments& args, const T* y, T, T* out, std::size_t size) {
  const T radius = static_cast<T>(args.scalar(0));
  for (std::size_t i = 0; i < size; ++i) {
    const T v = y[i];
    out[i] = v > radius ? radius : (v < -radius ? -radius : v);
  }
  return linf_ball_value(args, out, size);
}

}  // namespace

ProxDefinition linf_ball_prox() {
  ProxDefinition d;
  d.name = "linf_ball";
  d.formula = "r(x) = 0 if max_i |x_i| <= radius, +inf otherwise";
  d.parameters = {
      {"radius", "radius of the max-norm ball", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = true};
  d.vector_prox_double = &linf_ball_projection<double>;
  d.vector_prox_float = &linf_ball_projection<float>;
  d.vector_value_double = &linf_ball_value<double>;
  d.vector_value_float = &linf_ball_value<float>;
  return d;
}

}  // namespace proxjit::builtin
