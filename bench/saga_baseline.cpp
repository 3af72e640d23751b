#include "saga_baseline.h"

#include <cmath>
#include <vector>

namespace proxjit::bench {
namespace {

struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
};

// -b sigmoid(-b z), exp of a non-positive number only.
inline double derivative(double z, double b) {
  const double a = -(b * z);
  const double e = std::exp(-std::abs(a));
  const double s = a >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return -b * s;
}

inline double soft(double y, double t) {
  const double m = std::abs(y) - t;
  return m > 0.0 ? std::copysign(m, y) : 0.0;
}

// k steps of x <- soft(x - step c, step lambda).
inline double catch_up(double x, double c, std::int64_t k, double step, double lambda) {
  const double span = static_cast<double>(k) * step;
  const bool settles = std::abs(c) <= lambda;
  if (x > 0.0) {
    const double p = x - span * (c + lambda);
    if (p > 0.0) return p;
    if (settles) return 0.0;
  } else if (x < 0.0) {
    const double p = x - span * (c - lambda);
    if (p < 0.0) return p;
    if (settles) return 0.0;
  } else if (settles) {
    return x;
  }
  for (std::int64_t s = 0; s < k; ++s)
    x = soft(x - step * c, step * lambda);
  return x;
}

}  // namespace

double saga_logistic_l1(const int* row_ptr, const int* col_idx, const double* values,
                        std::int64_t rows, std::int64_t cols, const double* b, std::int64_t epochs,
                        double step, double lambda, std::uint64_t seed, bool certificate,
                        double* x) {
  std::vector<double> alpha(rows), average(cols, 0.0), gradient(cols);
  std::vector<std::int64_t> last(cols, 0);
  for (std::int64_t j = 0; j < cols; ++j)
    x[j] = 0.0;
  const double inverse_n = 1.0 / static_cast<double>(rows);
  const auto full_gradient = [&](std::vector<double>& g, bool keep) {
    std::fill(g.begin(), g.end(), 0.0);
    for (std::int64_t i = 0; i < rows; ++i) {
      double z = 0.0;
      for (int k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
        z += values[k] * x[col_idx[k]];
      const double d = derivative(z, b[i]);
      if (keep) alpha[i] = d;
      for (int k = row_ptr[i]; k < row_ptr[i + 1]; ++k)
        g[col_idx[k]] += d * values[k];
    }
    for (double& v : g)
      v *= inverse_n;
  };
  full_gradient(average, true);
  SplitMix generator{seed};
  std::int64_t t = 0;
  double result = 0.0;
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    for (std::int64_t s = 0; s < rows; ++s, ++t) {
      const auto i = static_cast<std::int64_t>(generator.below(static_cast<std::uint64_t>(rows)));
      double z = 0.0;
      for (int k = row_ptr[i]; k < row_ptr[i + 1]; ++k) {
        const int j = col_idx[k];
        if (last[j] < t) {
          x[j] = catch_up(x[j], average[j], t - last[j], step, lambda);
          last[j] = t;
        }
        z += values[k] * x[j];
      }
      const double d = derivative(z, b[i]);
      const double delta = d - alpha[i];
      for (int k = row_ptr[i]; k < row_ptr[i + 1]; ++k) {
        const int j = col_idx[k];
        const double a = values[k];
        x[j] = soft(x[j] - step * (delta * a + average[j]), step * lambda);
        last[j] = t + 1;
        average[j] += delta * a * inverse_n;
      }
      alpha[i] = d;
    }
    for (std::int64_t j = 0; j < cols; ++j) {
      if (last[j] < t) x[j] = catch_up(x[j], average[j], t - last[j], step, lambda);
      last[j] = t;
    }
    if (certificate) {
      full_gradient(gradient, false);
      double sum = 0.0;
      for (std::int64_t j = 0; j < cols; ++j) {
        const double moved = soft(x[j] - step * gradient[j], step * lambda) - x[j];
        sum += moved * moved;
      }
      result = std::sqrt(sum) / step;
    }
  }
  return result;
}

}  // namespace proxjit::bench
