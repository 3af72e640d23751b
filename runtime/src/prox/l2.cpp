// l2: r(x) = lambda * ||x||_2 (the Euclidean norm, not squared).
// prox_{step r}(y) = max(1 - step * lambda / ||y||_2, 0) * y   (block soft thresholding: the
// whole vector shrinks toward 0 and is exactly 0 when ||y||_2 <= step * lambda)
#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

template <class T>
double l2_value(const ProxArguments& args, const T* x, std::size_t size) {
  return args.scalar(0) * euclidean_norm(x, size);
}

template <class T>
double l2_prox_of(const ProxArguments& args, const T* y, T step, T* out, std::size_t size) {
  const double lambda = args.scalar(0);
  const double threshold = static_cast<double>(step) * lambda;
  const double norm = euclidean_norm(y, size);
  const double scale = norm > threshold ? 1.0 - threshold / norm : 0.0;
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<T>(scale * static_cast<double>(y[i]));
  return lambda * euclidean_norm(out, size);
}

}  // namespace

ProxDefinition l2_prox() {
  ProxDefinition d;
  d.name = "l2";
  d.formula = "r(x) = lambda * ||x||_2 (not squared)";
  d.parameters = {
      {"lambda", "weight of the Euclidean norm", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = false};
  d.vector_prox_double = &l2_prox_of<double>;
  d.vector_prox_float = &l2_prox_of<float>;
  d.vector_value_double = &l2_value<double>;
  d.vector_value_float = &l2_value<float>;
  return d;
}

}  // namespace proxjit::builtin
