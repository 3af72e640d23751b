// group_l2: r(x) = lambda * sum_g ||x_g||_2 over contiguous groups of the given sizes
// (the group lasso). groups=[2, 3, 5]: x_0..x_1, x_2..x_4, x_5..x_9; the sizes sum to n.
// prox_{step r}(y)_g = max(1 - step * lambda / ||y_g||_2, 0) * y_g   (block soft thresholding
// per group)
#include <cmath>
#include <string>

#include "builtin_prox.h"
#include "vector_prox_support.h"

namespace proxjit::builtin {
namespace {

constexpr std::size_t kLambda = 0;
constexpr std::size_t kGroups = 1;

template <class T>
double group_value(const ProxArguments& args, const T* x, std::size_t) {
  double sum = 0.0;
  std::size_t start = 0;
  for (const double group_size : args.list(kGroups)) {
    const auto length = static_cast<std::size_t>(group_size);
    sum += euclidean_norm(x + start, length);
    start += length;
  }
  return args.scalar(kLambda) * sum;
}

template <class T>
double group_prox(const ProxArguments& args, const T* y, T step, T* out, std::size_t size) {
  const double threshold = static_cast<double>(step) * args.scalar(kLambda);
  std::size_t start = 0;
  for (const double group_size : args.list(kGroups)) {
    const auto length = static_cast<std::size_t>(group_size);
    const double norm = euclidean_norm(y + start, length);
    const double scale = norm > threshold ? 1.0 - threshold / norm : 0.0;
    for (std::size_t i = start; i < start + length; ++i)
      out[i] = static_cast<T>(scale * static_cast<double>(y[i]));
    start += length;
  }
  return group_value(args, out, size);
}

bool is_group_size(double v) {
  return v >= 1.0 && v < 1e15 && v == std::floor(v);
}

}  // namespace

ProxDefinition group_l2_prox() {
  ProxDefinition d;
  d.name = "group_l2";
  d.formula = "r(x) = lambda * sum_g ||x_g||_2 over contiguous groups of the given sizes";
  ParameterSpec groups{"groups",      "sizes of the contiguous groups, summing to the dimension",
                       0.0,           true,
                       is_group_size, "whole and >= 1"};
  groups.is_list = true;
  d.parameters = {{"lambda", "weight of each group's Euclidean norm", 0.0, true, is_non_negative,
                   "finite and >= 0"},
                  groups};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = false};
  d.vector_prox_double = &group_prox<double>;
  d.vector_prox_float = &group_prox<float>;
  d.vector_value_double = &group_value<double>;
  d.vector_value_float = &group_value<float>;
  d.check_size = [](const ProxArguments& args, std::size_t size) -> std::string {
    double total = 0.0;
    for (const double group_size : args.list(kGroups))
      total += group_size;
    if (total == static_cast<double>(size)) return "";
    return "parameter 'groups' has sizes summing to " + std::to_string(std::llround(total)) +
           " but the problem has " + std::to_string(size) + " variables";
  };
  // Solvers may exploit: a group's skipped steps follow a two-number recurrence (GroupLag);
  // x = 0 is optimal from lambda = max_g ||g_G||_2.
  d.lagged = {LaggedRule::Kind::group, /*l1_slot=*/0};
  d.lambda_max = {LambdaMaxRule::Kind::group, /*slot=*/0, "", "groups"};
  return d;
}

}  // namespace proxjit::builtin
