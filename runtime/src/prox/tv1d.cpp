// tv1d: r(x) = lambda * sum_{i < n-1} |x_{i+1} - x_i|   (1-D total variation).
// prox_{step r}(y) = argmin_x 1/2 ||x - y||^2 + step * lambda * TV(x), by Laurent Condat's direct
// algorithm ("A Direct Algorithm for 1D Total Variation Denoising", IEEE SPL 2013), written from
// the paper's description.
//
// With t = step * lambda, the optimality conditions read: u_k = sum_{j <= k} (y_j - x_j) stays in
// [-t, t], u_{n-1} = 0, and u_k = t where x jumps down after k, u_k = -t where it jumps up.
// The algorithm grows one segment [k0, k] of equal values at a time and keeps the range
// [vmin, vmax] of values the segment can still take, with umin / umax the value u_k would have
// for x = vmin / vmax. Reading y_{k+1} either proves a jump (the segment ends at the last place
// kminus / kplus where umin / umax touched its bound) or narrows the range. In practice each
// element is visited a bounded number of times: linear time.
#include <cmath>

#include "builtin_prox.h"

namespace proxjit::builtin {
namespace {

template <class T>
double tv_value(const ProxArguments& args, const T* x, std::size_t size) {
  double sum = 0.0;
  for (std::size_t i = 1; i < size; ++i)
    sum += std::abs(static_cast<double>(x[i]) - static_cast<double>(x[i - 1]));
  return args.scalar(0) * sum;
}

// Computed in double; reads y[j] only for j beyond every index written so far, so out may
// alias y.
template <class T>
void condat_tv1d(const T* y, double t, T* out, std::size_t n) {
  const auto input = [y](std::size_t i) { return static_cast<double>(y[i]); };
  const auto fill = [out](std::size_t from, std::size_t to, double value) {
    for (std::size_t i = from; i <= to; ++i)
      out[i] = static_cast<T>(value);
  };
  std::size_t k = 0, k0 = 0, kminus = 0, kplus = 0;
  double vmin = input(0) - t, vmax = input(0) + t;
  double umin = t, umax = -t;
  // A new segment starts at k after a jump down (u_{k-1} = t) or up (u_{k-1} = -t).
  const auto restart_after_down = [&](std::size_t start) {
    k = k0 = kminus = kplus = start;
    vmin = input(k);
    vmax = vmin + 2 * t;
    umin = t;
    umax = -t;
  };
  const auto restart_after_up = [&](std::size_t start) {
    k = k0 = kminus = kplus = start;
    vmax = input(k);
    vmin = vmax - 2 * t;
    umin = t;
    umax = -t;
  };
  while (true) {
    while (k + 1 < n) {
      const double next = input(k + 1);
      if (next + umin < vmin - t) {
        // Even at vmin, u_{k+1} < -t: x must jump down after kminus.
        fill(k0, kminus, vmin);
        restart_after_down(kminus + 1);
      } else if (next + umax > vmax + t) {
        // Even at vmax, u_{k+1} > t: x must jump up after kplus.
        fill(k0, kplus, vmax);
        restart_after_up(kplus + 1);
      } else {
        ++k;
        umin += next - vmin;
        umax += next - vmax;
        const double length = static_cast<double>(k - k0 + 1);
        if (umin >= t) {  // vmin too low: raise it so that u_k = t exactly
          vmin += (umin - t) / length;
          umin = t;
          kminus = k;
        }
        if (umax <= -t) {  // vmax too high: lower it so that u_k = -t exactly
          vmax += (umax + t) / length;
          umax = -t;
          kplus = k;
        }
      }
    }
    // At the end u_{n-1} must be 0.
    if (umin < 0.0) {
      // Even at vmin the last u is negative: the segment up to kminus is vmin, then a jump down.
      fill(k0, kminus, vmin);
      restart_after_down(kminus + 1);
    } else if (umax > 0.0) {
      fill(k0, kplus, vmax);
      restart_after_up(kplus + 1);
    } else {
      // umax <= 0 <= umin: shift the segment from vmin so that u_{n-1} = 0.
      fill(k0, n - 1, vmin + umin / static_cast<double>(k - k0 + 1));
      return;
    }
  }
}

template <class T>
double tv_prox(const ProxArguments& args, const T* y, T step, T* out, std::size_t size) {
  const double t = static_cast<double>(step) * args.scalar(0);
  if (size == 0) return 0.0;
  if (t == 0.0) {
    for (std::size_t i = 0; i < size; ++i)
      out[i] = y[i];
  } else {
    condat_tv1d(y, t, out, size);
  }
  return tv_value(args, out, size);
}

}  // namespace

ProxDefinition tv1d_prox() {
  ProxDefinition d;
  d.name = "tv1d";
  d.formula = "r(x) = lambda * sum_i |x_{i+1} - x_i|";
  d.parameters = {
      {"lambda", "weight of the total variation", 0.0, true, is_non_negative, "finite and >= 0"}};
  d.traits = {.separable = false, .elementwise = false, .convex = true, .indicator = false};
  d.vector_prox_double = &tv_prox<double>;
  d.vector_prox_float = &tv_prox<float>;
  d.vector_value_double = &tv_value<double>;
  d.vector_value_float = &tv_value<float>;
  return d;
}

}  // namespace proxjit::builtin
