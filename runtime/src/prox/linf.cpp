// linf: r(x) = lambda * max_i |x_i|.
// By Moreau's identity prox_{step r}(y) = y - P_B(y) with B the l1 ball of radius step * lambda
// (the dual norm's ball). With tau the soft threshold of that projection,
//   prox_{step r}(y)_i = sign(y_i) * min(|y_i|, tau)   (the largest entries are clipped to tau),
// and 0 when ||y||_1 <= step * lambda.
#include <algorithm>

#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

template <class T>
double linf_value(const ProxArguments& args, const T* x, std::size_t size) {
  double largest = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    const double a = std::abs(static_cast<double>(x[i]));
    if (!(a <= largest)) largest = a;  // NaN sticks
  }
  return args.scalar(0) * largest;
}

template <class T>
double linf_prox_of(const ProxArguments& args, const T* y, T step, T* out, std::size_t size) {
  const double radius = static_cast<double>(step) * args.scalar(0);
  // Inside the dual ball y - P_B(y) = 0, and tau = 0 says the same.
  const double tau = l1_ball_threshold(y, size, radius);
  for (std::size_t i = 0; i < size; ++i) {
    const double v = static_cast<double>(y[i]);
    out[i] = static_cast<T>(std::clamp(v, -tau, tau));
    if (v != v) out[i] = y[i];
  }
  return linf_value(args, out, size);
}

}  // namespace

ProxDefinition linf_prox() {
  ProxDefinition d;
  d.name = "linf";
  d.formula = "r(x) = lambda * max_i |x_i|";
  d.parameters = {
      {"lambda", "weight of the max norm", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = false};
  d.vector_prox_double = &linf_prox_of<double>;
  d.vector_prox_float = &linf_prox_of<float>;
  d.vector_value_double = &linf_value<double>;
  d.vector_value_float = &linf_value<float>;
  return d;
}

}  // namespace proxjit::builtin
