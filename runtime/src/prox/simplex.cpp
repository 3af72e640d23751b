// simplex: r(x) = indicator of {x : x_i >= 0, sum_i x_i = sum} (sum = 1 by default).
// prox_{step r}(y) = P(y) = max(y - tau, 0) with tau such that the result sums to `sum`;
// tau by Condat's expected-linear-time algorithm.
#include <algorithm>
#include <cmath>

#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

template <class T>
double simplex_value(const ProxArguments& args, const T* x, std::size_t size) {
  const double total = args.scalar(0);
  double sum = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    if (!(x[i] >= T(0))) return kInfinity;  // NaN is outside too
    sum += static_cast<double>(x[i]);
  }
  return std::abs(sum - total) <= total * set_slack<T>(size) ? 0.0 : kInfinity;
}

template <class T>
double simplex_projection(const ProxArguments& args, const T* y, T, T* out, std::size_t size) {
  if (size == 0) return simplex_value(args, out, size);  // the empty simplex has no point
  const double tau = simplex_threshold([y](std::size_t i) { return static_cast<double>(y[i]); },
                                       size, args.scalar(0));
  for (std::size_t i = 0; i < size; ++i) {
    const double v = static_cast<double>(y[i]) - tau;
    out[i] = v > 0.0 ? static_cast<T>(v) : (v <= 0.0 ? T(0) : y[i]);  // NaN stays NaN
  }
  return simplex_value(args, out, size);
}

}  // namespace

ProxDefinition simplex_prox() {
  ProxDefinition d;
  d.name = "simplex";
  d.formula = "r(x) = 0 if x_i >= 0 and sum_i x_i = sum, +inf otherwise";
  d.parameters = {{"sum", "the sum of the entries", 1.0, false, is_positive, "finite and > 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = true};
  d.vector_prox_double = &simplex_projection<double>;
  d.vector_prox_float = &simplex_projection<float>;
  d.vector_value_double = &simplex_value<double>;
  d.vector_value_float = &simplex_value<float>;
  return d;
}

}  // namespace proxjit::builtin
