// slope: r(x) = sum_i lambda_i |x|_(i), the sorted L1 norm, with |x|_(1) >= |x|_(2) >= ... and
// lambdas non-increasing and non-negative, one per variable.
// prox_{step r}(y) (Bogdan, van den Berg, Sabatti, Su, Candes 2015, "FastProxSL1"): sort |y|
// decreasingly, fit w_i = |y|_(i) - step * lambda_i with the closest non-increasing sequence
// (pool adjacent violators, with a stack of blocks), clip at 0, then put the signs and the
// original order back.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "builtin_prox.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit::builtin {
namespace {

template <class T>
double slope_value(const ProxArguments& args, const T* x, std::size_t size) {
  const std::span<const double> lambdas = args.list(0);
  std::vector<double> magnitudes(size);
  for (std::size_t i = 0; i < size; ++i)
    magnitudes[i] = std::abs(static_cast<double>(x[i]));
  std::sort(magnitudes.begin(), magnitudes.end(), std::greater<>());
  double sum = 0.0;
  for (std::size_t i = 0; i < size; ++i)
    sum += lambdas[i] * magnitudes[i];
  return sum;
}

template <class T>
double slope_prox_of(const ProxArguments& args, const T* y, T step, T* out, std::size_t size) {
  const std::span<const double> lambdas = args.list(0);
  std::vector<std::size_t> order(size);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [y](std::size_t a, std::size_t b) {
    return std::abs(static_cast<double>(y[a])) > std::abs(static_cast<double>(y[b]));
  });
  // Blocks of the fit: [start, start + length) in sorted order, with their sum; the stack keeps
  // block means strictly decreasing.
  struct Block {
    std::size_t start;
    std::size_t length;
    double sum;
    double mean() const { return sum / static_cast<double>(length); }
  };
  std::vector<Block> blocks;
  blocks.reserve(size);
  const double scaled_step = static_cast<double>(step);
  for (std::size_t i = 0; i < size; ++i) {
    const double w = std::abs(static_cast<double>(y[order[i]])) - scaled_step * lambdas[i];
    blocks.push_back({i, 1, w});
    while (blocks.size() > 1 && blocks.back().mean() >= blocks[blocks.size() - 2].mean()) {
      const Block top = blocks.back();
      blocks.pop_back();
      blocks.back().length += top.length;
      blocks.back().sum += top.sum;
    }
  }
  // Signs of y, read before out (which may alias y) is written.
  std::vector<double> fitted(size);
  for (const Block& block : blocks) {
    const double value = std::max(block.mean(), 0.0);
    for (std::size_t i = block.start; i < block.start + block.length; ++i)
      fitted[i] = std::copysign(value, static_cast<double>(y[order[i]]));
  }
  for (std::size_t i = 0; i < size; ++i)
    out[order[i]] = static_cast<T>(fitted[i]);
  return slope_value(args, out, size);
}

std::string check_non_increasing(std::span<const double> lambdas) {
  for (std::size_t i = 1; i < lambdas.size(); ++i) {
    if (lambdas[i] > lambdas[i - 1]) {
      return "must be non-increasing, but lambdas[" + std::to_string(i) +
             "] = " + number_text(lambdas[i]) + " > lambdas[" + std::to_string(i - 1) +
             "] = " + number_text(lambdas[i - 1]);
    }
  }
  return "";
}

}  // namespace

ProxDefinition slope_prox() {
  ProxDefinition d;
  d.name = "slope";
  d.formula = "r(x) = sum_i lambda_i |x|_(i), |x|_(i) sorted decreasingly";
  ParameterSpec lambdas{
      "lambdas",        "non-increasing weights, one per variable", 0.0, true, is_non_negative,
      "finite and >= 0"};
  lambdas.is_list = true;
  lambdas.check_list = check_non_increasing;
  d.parameters = {lambdas};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = false};
  d.vector_prox_double = &slope_prox_of<double>;
  d.vector_prox_float = &slope_prox_of<float>;
  d.vector_value_double = &slope_value<double>;
  d.vector_value_float = &slope_value<float>;
  d.check_size = [](const ProxArguments& args, std::size_t size) -> std::string {
    if (args.list(0).size() == size) return "";
    return "parameter 'lambdas' has " + std::to_string(args.list(0).size()) +
           " entries but the problem has " + std::to_string(size) + " variables";
  };
  return d;
}

}  // namespace proxjit::builtin
