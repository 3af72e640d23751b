// l2_ball: r(x) = indicator of {x : ||x||_2 <= radius}.
// prox_{step r}(y) = P(y) = y * min(1, radius / ||y||_2)
#include <algorithm>

#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

template <class T>
double l2_ball_value(const ProxArguments& args, const T* x, std::size_t size) {
  const double norm = euclidean_norm(x, size);
  return norm <= args.scalar(0) * (1.0 + set_slack<T>(size)) ? 0.0 : kInfinity;
}

template <class T>
double l2_ball_projection(const ProxArguments& args, const T* y, T, T* out, std::size_t size) {
  const double radius = args.scalar(0);
  const double norm = euclidean_norm(y, size);
  const double scale = norm > radius ? radius / norm : 1.0;
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<T>(scale * static_cast<double>(y[i]));
  return l2_ball_value(args, out, size);
}

}  // namespace

ProxDefinition l2_ball_prox() {
  ProxDefinition d;
  d.name = "l2_ball";
  d.formula = "r(x) = 0 if ||x||_2 <= radius, +inf otherwise";
  d.parameters = {
      {"radius", "radius of the Euclidean ball", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = true};
  d.vector_prox_double = &l2_ball_projection<double>;
  d.vector_prox_float = &l2_ball_projection<float>;
  d.vector_value_double = &l2_ball_value<double>;
  d.vector_value_float = &l2_ball_value<float>;
  return d;
}

}  // namespace proxjit::builtin
