// l1: r(x) = lambda * ||x||_1, or lambda * sum_i w_i |x_i| with per-coordinate weights w >= 0.
// prox_{step r}(y)_i = sign(y_i) * max(|y_i| - step * lambda * w_i, 0)   (soft thresholding)
// Without weights it is the elementwise expression below (fused into the JIT kernel); with
// weights the whole-vector functions run, since the weight differs per coordinate.
#include <cmath>
#include <string>

#include "builtin_prox.h"

namespace proxjit::builtin {
namespace {

constexpr std::size_t kLambda = 0;
constexpr std::size_t kWeights = 1;

template <class T>
double weighted_value(const ProxArguments& args, const T* x, std::size_t size) {
  const std::span<const double> weights = args.list(kWeights);
  double sum = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    sum += w * std::abs(static_cast<double>(x[i]));
  }
  return args.scalar(kLambda) * sum;
}

template <class T>
double weighted_prox(const ProxArguments& args, const T* y, T step, T* out, std::size_t size) {
  const std::span<const double> weights = args.list(kWeights);
  const T base = step * static_cast<T>(args.scalar(kLambda));
  for (std::size_t i = 0; i < size; ++i) {
    const T threshold = weights.empty() ? base : base * static_cast<T>(weights[i]);
    const T magnitude = std::abs(y[i]) - threshold;
    // Written so that NaN propagates, like the expression's sign(y) * max(...).
    out[i] = magnitude > T(0) ? std::copysign(magnitude, y[i]) : (magnitude <= T(0) ? T(0) : y[i]);
  }
  return weighted_value(args, out, size);
}

}  // namespace

ProxDefinition l1_prox() {
  using expr::Expr;
  const Expr y = Expr::variable();
  const Expr lambda = Expr::parameter(0, "lambda");
  ProxDefinition d;
  d.name = "l1";
  d.formula = "r(x) = lambda * sum_i w_i |x_i| (w_i = 1 unless weights are given)";
  ParameterSpec weights{
      "weights",        "per-coordinate weights w_i, one per variable", 0.0, false, is_non_negative,
      "finite and >= 0"};
  weights.is_list = true;
  d.parameters = {
      {"lambda", "weight of the L1 norm", 0.0, true, is_non_negative, "finite and >= 0"}, weights};
  d.prox = sign(y) * max(abs(y) - Expr::step() * lambda, 0.0);
  d.value = lambda * abs(y);
  d.vector_prox_double = &weighted_prox<double>;
  d.vector_prox_float = &weighted_prox<float>;
  d.vector_value_double = &weighted_value<double>;
  d.vector_value_float = &weighted_value<float>;
  d.check_size = [](const ProxArguments& args, std::size_t size) -> std::string {
    const std::span<const double> w = args.list(kWeights);
    if (w.empty() || w.size() == size) return "";
    return "parameter 'weights' has " + std::to_string(w.size()) + " entries but the problem has " +
           std::to_string(size) + " variables";
  };
  // Solvers may exploit: soft thresholding composes in closed form over skipped steps; r* is
  // the indicator of |u_i| <= lambda w_i; x = 0 is optimal from lambda = max_i |g_i| / w_i.
  // (With weights the prox is called as a whole vector: no lagged steps then.)
  d.lagged = {LaggedRule::Kind::shrink, /*l1_slot=*/0};
  d.dual = {DualRule::Kind::shrink, /*l1_slot=*/0};
  d.dual.weights_list = "weights";
  d.lambda_max = {LambdaMaxRule::Kind::linf, /*slot=*/0, "weights"};
  return d;
}

}  // namespace proxjit::builtin
