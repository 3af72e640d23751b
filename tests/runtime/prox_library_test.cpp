// The whole-vector proxes (l2, group_l2, linf, balls, simplex, tv1d, slope, weighted l1):
// each against a slow naive solve, its optimality condition, Moreau's identity with its
// conjugate, and its parameter checks; in double and float.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/prox.h"

namespace proxjit {
namespace {

using Vector = std::vector<double>;
constexpr double kInf = std::numeric_limits<double>::infinity();

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

template <class F>
std::string error_of(F&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

double dot(const Vector& a, const Vector& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}
double norm2(const Vector& a) {
  return std::sqrt(dot(a, a));
}
double norm1(const Vector& a) {
  double s = 0;
  for (double v : a)
    s += std::abs(v);
  return s;
}
double norm_inf(const Vector& a) {
  double s = 0;
  for (double v : a)
    s = std::max(s, std::abs(v));
  return s;
}

// Bisection for the root of a monotone function on [lo, hi] to the last bit.
double bisect(const std::function<double(double)>& f, double lo, double hi) {
  const bool increasing = f(hi) > f(lo);
  for (int i = 0; i < 400 && lo < hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if ((f(mid) > 0) == increasing) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// ---- Naive proxes, written from the definitions, independent of the library's algorithms ----

// Block soft thresholding by bisection on the scale a in [0, 1]: the objective's derivative
// (a - 1) ||y||^2 + t ||y|| is increasing in a.
Vector naive_shrink(const Vector& y, double t) {
  const double n = norm2(y);
  if (n <= t) return Vector(y.size(), 0.0);
  const double a = bisect([&](double s) { return (s - 1) * n * n + t * n; }, 0.0, 1.0);
  Vector p(y);
  for (double& v : p)
    v *= a;
  return p;
}

Vector naive_prox(const ProxComponent& c, const Vector& y, double step) {
  const std::string& name = c.name();
  const std::size_t n = y.size();
  Vector p(n);
  if (name == "l1") {  // one scalar soft thresholding per coordinate, via the expression path
    const auto w = c.list_parameter("weights");
    for (std::size_t i = 0; i < n; ++i) {
      const ProxComponent scalar =
          ProxComponent::make("l1", {{"lambda", c.parameters()[0] * w[i]}});
      scalar.prox<double>(&y[i], step, &p[i], 1);
    }
  } else if (name == "l2") {
    p = naive_shrink(y, step * c.parameters()[0]);
  } else if (name == "group_l2") {
    std::size_t start = 0;
    for (double size : c.list_parameter("groups")) {
      const Vector block(y.begin() + start, y.begin() + start + std::size_t(size));
      const Vector shrunk = naive_shrink(block, step * c.parameters()[0]);
      std::copy(shrunk.begin(), shrunk.end(), p.begin() + start);
      start += std::size_t(size);
    }
  } else if (name == "linf") {
    // p_i = sign(y_i) min(|y_i|, m); the objective's derivative in m is increasing.
    const double t = step * c.parameters()[0];
    double m = 0;
    if (norm1(y) > t) {
      m = bisect(
          [&](double cap) {
            double d = t;
            for (double v : y)
              d += std::abs(v) > cap ? cap - std::abs(v) : 0.0;
            return d;
          },
          0.0, norm_inf(y));
    }
    for (std::size_t i = 0; i < n; ++i)
      p[i] = std::copysign(std::min(std::abs(y[i]), m), y[i]);
  } else if (name == "l1_ball") {
    const double r = c.parameters()[0];
    double tau = 0;
    if (norm1(y) > r) {
      tau = bisect(
          [&](double s) {
            double sum = -r;
            for (double v : y)
              sum += std::max(std::abs(v) - s, 0.0);
            return sum;
          },
          0.0, norm_inf(y));
    }
    for (std::size_t i = 0; i < n; ++i)
      p[i] = std::copysign(std::max(std::abs(y[i]) - tau, 0.0), y[i]);
  } else if (name == "l2_ball") {
    const double r = c.parameters()[0], ny = norm2(y);
    // p = y / (1 + mu) with mu >= 0 the multiplier of ||p|| <= r.
    const double mu =
        ny <= r || r == 0 ? 0.0 : bisect([&](double m) { return ny / (1 + m) - r; }, 0, ny / r);
    for (std::size_t i = 0; i < n; ++i)
      p[i] = ny > r && r == 0 ? 0.0 : y[i] / (1 + mu);
  } else if (name == "linf_ball") {
    const double r = c.parameters()[0];
    for (std::size_t i = 0; i < n; ++i)
      p[i] = y[i] < -r ? -r : (y[i] > r ? r : y[i]);
  } else if (name == "simplex") {
    const double s = c.parameters()[0];
    const double hi = *std::max_element(y.begin(), y.end());
    const double tau = bisect(
        [&](double tt) {
          double sum = -s;
          for (double v : y)
            sum += std::max(v - tt, 0.0);
          return sum;
        },
        hi - s - 1, hi);
    for (std::size_t i = 0; i < n; ++i)
      p[i] = std::max(y[i] - tau, 0.0);
  } else if (name == "tv1d") {
    // Dual: min_u 1/2 ||y - D'u||^2, |u_k| <= t, (D'u)_i = u_{i-1} - u_i. Exact projected
    // coordinate minimization; D D' is positive definite, so it converges linearly.
    const double t = step * c.parameters()[0];
    Vector u(n > 0 ? n - 1 : 0, 0.0);
    const auto primal = [&](std::size_t i) {
      return y[i] - ((i > 0 ? u[i - 1] : 0.0) - (i + 1 < n ? u[i] : 0.0));
    };
    for (int sweep = 0; sweep < 200000; ++sweep) {
      double change = 0;
      for (std::size_t k = 0; k + 1 < n; ++k) {
        // p_k = a + u_k and p_{k+1} = b - u_k: minimize (a + u_k)^2 + (b - u_k)^2 in u_k.
        const double a = primal(k) - u[k];
        const double b = primal(k + 1) + u[k];
        const double best = std::clamp(0.5 * (b - a), -t, t);
        change = std::max(change, std::abs(best - u[k]));
        u[k] = best;
      }
      if (change < 1e-16 * (1 + t)) break;
    }
    for (std::size_t i = 0; i < n; ++i)
      p[i] = primal(i);
  } else if (name == "slope") {
    // Sorted |y| decreasingly; the non-increasing least-squares fit of w by the min-max formula
    // fit_i = min_{j <= i} max_{k >= i} mean(w_j..w_k), clipped at 0. O(n^4), fine for n <= 31.
    const auto lambdas = c.list_parameter("lambdas");
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return std::abs(y[a]) > std::abs(y[b]); });
    Vector w(n);
    for (std::size_t i = 0; i < n; ++i)
      w[i] = std::abs(y[order[i]]) - step * lambdas[i];
    for (std::size_t i = 0; i < n; ++i) {
      double best = kInf;
      for (std::size_t j = 0; j <= i; ++j) {
        double highest = -kInf;
        for (std::size_t k = i; k < n; ++k) {
          double sum = 0;
          for (std::size_t m = j; m <= k; ++m)
            sum += w[m];
          highest = std::max(highest, sum / double(k - j + 1));
        }
        best = std::min(best, highest);
      }
      p[order[i]] = std::copysign(std::max(best, 0.0), y[order[i]]);
    }
  } else {
    ADD_FAILURE() << "no naive prox for " << name;
  }
  return p;
}

// ---- r, its dual norm or support function, written from the formulas ----

double sorted_l1(const ProxComponent& c, const Vector& x) {
  Vector a(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    a[i] = std::abs(x[i]);
  std::sort(a.begin(), a.end(), std::greater<>());
  const auto lambdas = c.list_parameter("lambdas");
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += lambdas[i] * a[i];
  return s;
}

// Is g in the subdifferential of r at p? For a norm N: N_dual(g) <= 1 and <g, p> = N(p);
// for the indicator of C: p in C and <g, p> = sigma_C(g); tv1d: its dual certificate.
::testing::AssertionResult optimality(const ProxComponent& c, const Vector& p, const Vector& g,
                                      double tol) {
  const std::string& name = c.name();
  const std::size_t n = p.size();
  const double lambda = c.parameters().empty() ? 0.0 : c.parameters()[0];
  const double scale = 1 + norm_inf(p) + norm_inf(g);
  std::string why;
  const auto need = [&](bool ok, const std::string& what) {
    if (!ok && why.empty()) why = what;
  };
  if (name == "l1") {
    const auto w = c.list_parameter("weights");
    for (std::size_t i = 0; i < n; ++i) {
      need(std::abs(g[i]) <= lambda * w[i] + tol, "|g_i| > lambda w_i");
      need(std::abs(g[i] * p[i] - lambda * w[i] * std::abs(p[i])) <= tol * scale, "g_i p_i");
    }
  } else if (name == "l2") {
    need(norm2(g) <= lambda + tol, "||g|| > lambda");
    need(std::abs(dot(g, p) - lambda * norm2(p)) <= tol * scale * std::sqrt(n), "<g,p>");
  } else if (name == "group_l2") {
    std::size_t start = 0;
    for (double size : c.list_parameter("groups")) {
      const Vector gp(g.begin() + start, g.begin() + start + std::size_t(size));
      const Vector pp(p.begin() + start, p.begin() + start + std::size_t(size));
      need(norm2(gp) <= lambda + tol, "||g_group|| > lambda");
      need(std::abs(dot(gp, pp) - lambda * norm2(pp)) <= tol * scale * std::sqrt(n), "<g,p>_g");
      start += std::size_t(size);
    }
  } else if (name == "linf") {
    need(norm1(g) <= lambda + tol * n, "||g||_1 > lambda");
    need(std::abs(dot(g, p) - lambda * norm_inf(p)) <= tol * scale * n, "<g,p>");
  } else if (name == "slope") {
    Vector a(n);
    for (std::size_t i = 0; i < n; ++i)
      a[i] = std::abs(g[i]);
    std::sort(a.begin(), a.end(), std::greater<>());
    const auto lambdas = c.list_parameter("lambdas");
    double partial_g = 0, partial_lambda = 0;
    for (std::size_t k = 0; k < n; ++k) {
      partial_g += a[k];
      partial_lambda += lambdas[k];
      need(partial_g <= partial_lambda + tol * (k + 1), "dual sorted-l1 norm of g > 1");
    }
    need(std::abs(dot(g, p) - sorted_l1(c, p)) <= tol * scale * n, "<g,p>");
  } else if (name == "l1_ball" || name == "l2_ball" || name == "linf_ball" || name == "simplex") {
    const double r = lambda;
    double support = 0, feasible_excess = 0;
    if (name == "l1_ball") {
      support = r * norm_inf(g);
      feasible_excess = norm1(p) - r;
    } else if (name == "l2_ball") {
      support = r * norm2(g);
      feasible_excess = norm2(p) - r;
    } else if (name == "linf_ball") {
      support = r * norm1(g);
      feasible_excess = norm_inf(p) - r;
    } else {
      support = r * *std::max_element(g.begin(), g.end());
      feasible_excess = std::abs(std::accumulate(p.begin(), p.end(), 0.0) - r);
      for (double v : p)
        need(v >= 0, "p_i < 0");
    }
    need(feasible_excess <= tol * (1 + r) * n, "p outside the set");
    need(std::abs(dot(g, p) - support) <= tol * scale * (1 + r) * n, "<g,p> != sigma_C(g)");
  } else if (name == "tv1d") {
    // u_k = sum_{j <= k} g_j: |u_k| <= lambda, u_{n-1} = 0, u_k = -lambda sign(p_{k+1} - p_k).
    double u = 0;
    for (std::size_t k = 0; k < n; ++k) {
      u += g[k];
      const double slack = tol * double(k + 1);
      need(std::abs(u) <= lambda + slack, "|u_k| > lambda");
      if (k + 1 == n) {
        need(std::abs(u) <= slack, "u_{n-1} != 0");
      } else if (std::abs(p[k + 1] - p[k]) > 1e3 * tol * scale) {
        need(std::abs(u + lambda * (p[k + 1] > p[k] ? 1 : -1)) <= slack, "u_k at a jump");
      }
    }
  }
  if (why.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << why;
}

// ---- Random cases ----

struct Case {
  ProxComponent component;
  std::size_t size;
};

ProxComponent random_component(const std::string& name, std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<double> weight(0.0, 2.0);
  if (name == "l1") {
    Vector w(n);
    for (double& v : w)
      v = rng() % 5 == 0 ? 0.0 : weight(rng);
    return ProxComponent::make("l1", {{"lambda", weight(rng)}}, {{"weights", w}});
  }
  if (name == "group_l2") {
    Vector groups;
    std::size_t left = n;
    while (left > 0) {
      const std::size_t g = std::min<std::size_t>(left, 1 + rng() % 4);
      groups.push_back(double(g));
      left -= g;
    }
    return ProxComponent::make("group_l2", {{"lambda", weight(rng)}}, {{"groups", groups}});
  }
  if (name == "slope") {
    Vector lambdas(n);
    for (double& v : lambdas)
      v = weight(rng);
    std::sort(lambdas.begin(), lambdas.end(), std::greater<>());
    if (n > 2) lambdas[1] = lambdas[0];  // ties between weights too
    return ProxComponent::make("slope", {}, {{"lambdas", lambdas}});
  }
  if (name == "simplex") return ProxComponent::make("simplex", {{"sum", 0.1 + weight(rng)}});
  const std::string key = name.find("ball") != std::string::npos ? "radius" : "lambda";
  const double value = rng() % 6 == 0 ? 0.0 : weight(rng);
  return ProxComponent::make(name, {{key, value}});
}

const std::vector<std::string> kVectorProxes = {
    "l1", "l2", "group_l2", "linf", "l1_ball", "l2_ball", "linf_ball", "simplex", "tv1d", "slope"};
const std::vector<std::size_t> kSizes = {1, 2, 3, 5, 8, 17, 31};

Vector random_input(std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<double> uniform(-3.0, 3.0);
  Vector y(n);
  for (double& v : y)
    v = uniform(rng);
  // Repeated values and plateaus: ties for the sorts and the segments.
  if (n > 3 && rng() % 2) y[n - 1] = y[0], y[2] = y[1];
  return y;
}

template <class T>
Vector rounded(const Vector& v) {
  Vector r(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    r[i] = static_cast<double>(static_cast<T>(v[i]));
  return r;
}

template <class T>
Vector run_prox(const ProxComponent& c, const Vector& y, double step, double* returned = nullptr) {
  std::vector<T> in(y.begin(), y.end()), out(y.size());
  const double value = c.prox<T>(in.data(), static_cast<T>(step), out.data(), y.size());
  if (returned) *returned = value;
  return Vector(out.begin(), out.end());
}

template <class T>
class ProxLibrary : public ::testing::Test {};
using ScalarTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ProxLibrary, ScalarTypes);

// Relative accuracy: double to about 1e-10 of the data's scale; float to its rounding, which
// grows with the sums over the vector (norms, thresholds) -- 2e-5 holds for n <= 31.
template <class T>
double accuracy() {
  return std::is_same_v<T, float> ? 2e-5 : 1e-10;
}

TYPED_TEST(ProxLibrary, EqualsNaiveSolveAndSatisfiesOptimality) {
  using T = TypeParam;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> log_step(-1.0, 0.5);
  for (const std::string& name : kVectorProxes) {
    for (const std::size_t n : kSizes) {
      for (int trial = 0; trial < 6; ++trial) {
        const ProxComponent c = random_component(name, n, rng);
        const double step = static_cast<double>(static_cast<T>(std::pow(10.0, log_step(rng))));
        const Vector y = rounded<T>(random_input(n, rng));
        double returned = 0;
        const Vector p = run_prox<T>(c, y, step, &returned);
        const Vector expected = naive_prox(c, y, step);
        const double scale = 1 + norm_inf(y);
        for (std::size_t i = 0; i < n; ++i) {
          EXPECT_NEAR(p[i], expected[i], accuracy<T>() * scale)
              << c.describe() << " n=" << n << " i=" << i << " step=" << step;
        }
        Vector g(n);
        for (std::size_t i = 0; i < n; ++i)
          g[i] = (y[i] - p[i]) / step;
        // (y - p) / step loses the digits y and p share: the tolerance scales with 1 / step.
        EXPECT_TRUE(optimality(c, p, g, 4 * accuracy<T>() * scale / step))
            << c.describe() << " n=" << n << " step=" << step;
        // The value returned is r(out), as value() computes it.
        std::vector<T> out(p.begin(), p.end());
        EXPECT_EQ(returned, c.value<T>(out.data(), n)) << c.describe();
        if (c.definition().traits.indicator) {
          EXPECT_EQ(returned, 0.0) << c.describe() << " n=" << n;
        }
      }
    }
  }
}

// r(q) >= r(p) + <g, q - p> for every q: the subgradient inequality, at random points q
// (projections of random points for the indicators, where r(q) is finite).
TYPED_TEST(ProxLibrary, SubgradientInequalityAtRandomPoints) {
  using T = TypeParam;
  std::mt19937 rng(8);
  for (const std::string& name : kVectorProxes) {
    for (const std::size_t n : {1, 4, 9, 30}) {
      const ProxComponent c = random_component(name, n, rng);
      const double step = 0.7;
      const Vector y = rounded<T>(random_input(n, rng));
      const Vector p = run_prox<T>(c, y, step);
      const std::vector<T> pt(p.begin(), p.end());
      const double rp = c.value<T>(pt.data(), n);
      for (int trial = 0; trial < 20; ++trial) {
        Vector q = rounded<T>(random_input(n, rng));
        if (c.definition().traits.indicator) q = run_prox<T>(c, q, step);
        const std::vector<T> qt(q.begin(), q.end());
        const double rq = c.value<T>(qt.data(), n);
        double linear = 0;
        for (std::size_t i = 0; i < n; ++i)
          linear += (y[i] - p[i]) / step * (q[i] - p[i]);
        EXPECT_GE(rq, rp + linear - 100 * accuracy<T>() * (1 + std::abs(rp) + std::abs(linear)))
            << c.describe();
      }
    }
  }
}

// y = prox_{step r}(y) + step * prox_{r*/step}(y / step), where r* is the indicator of the
// dual ball (for a norm r) or the scaled dual norm (for a ball's indicator r).
TYPED_TEST(ProxLibrary, MoreauIdentityWithTheConjugate) {
  using T = TypeParam;
  std::mt19937 rng(9);
  struct Pair {
    std::string norm, ball;
  };
  const std::vector<Pair> pairs = {{"l1", "linf_ball"}, {"l2", "l2_ball"}, {"linf", "l1_ball"}};
  for (const std::size_t n : {1, 2, 7, 30}) {
    for (const Pair& pair : pairs) {
      for (int trial = 0; trial < 5; ++trial) {
        const double lambda = static_cast<T>(0.1 + 2.0 * (rng() % 1000) / 1000.0);
        const double step = static_cast<T>(0.25 * (1 + rng() % 8));
        const Vector y = rounded<T>(random_input(n, rng));
        const ProxComponent norm = pair.norm == "l1"
                                       ? ProxComponent::make("l1", {{"lambda", lambda}})
                                       : ProxComponent::make(pair.norm, {{"lambda", lambda}});
        const ProxComponent ball = ProxComponent::make(pair.ball, {{"radius", lambda}});
        Vector scaled(n);
        for (std::size_t i = 0; i < n; ++i)
          scaled[i] = y[i] / step;
        const Vector p = run_prox<T>(norm, y, step);
        const Vector projected = run_prox<T>(ball, scaled, 1.0);
        for (std::size_t i = 0; i < n; ++i) {
          EXPECT_NEAR(p[i] + step * projected[i], y[i], accuracy<T>() * (1 + norm_inf(y)))
              << pair.norm << " / " << pair.ball << " n=" << n;
        }
        // The other way round: the ball's projection and the norm with weight radius / step.
        const Vector projection = run_prox<T>(ball, y, step);
        const Vector q = run_prox<T>(norm, scaled, 1.0 / step);
        for (std::size_t i = 0; i < n; ++i) {
          EXPECT_NEAR(projection[i] + step * q[i], y[i], accuracy<T>() * (1 + norm_inf(y)))
              << pair.ball << " / " << pair.norm << " n=" << n;
        }
      }
    }
    // group_l2 <-> the product of the groups' l2 balls, projected group by group.
    const ProxComponent group = random_component("group_l2", n, rng);
    const double lambda = group.parameters()[0];
    const ProxComponent ball = ProxComponent::make("l2_ball", {{"radius", lambda}});
    const double step = 0.5;
    const Vector y = rounded<T>(random_input(n, rng));
    const Vector p = run_prox<T>(group, y, step);
    std::size_t start = 0;
    for (double size : group.list_parameter("groups")) {
      Vector block(static_cast<std::size_t>(size));
      for (std::size_t i = 0; i < block.size(); ++i)
        block[i] = y[start + i] / step;
      const Vector projected = run_prox<T>(ball, block, 1.0);
      for (std::size_t i = 0; i < block.size(); ++i) {
        EXPECT_NEAR(p[start + i] + step * projected[i], y[start + i],
                    accuracy<T>() * (1 + norm_inf(y)));
      }
      start += block.size();
    }
  }
}

TYPED_TEST(ProxLibrary, InPlaceEqualsOutOfPlace) {
  using T = TypeParam;
  std::mt19937 rng(10);
  for (const std::string& name : kVectorProxes) {
    for (const std::size_t n : kSizes) {
      const ProxComponent c = random_component(name, n, rng);
      const Vector y = random_input(n, rng);
      std::vector<T> data(y.begin(), y.end()), out(n);
      const double separate = c.prox<T>(data.data(), T(0.6), out.data(), n);
      const double in_place = c.prox<T>(data.data(), T(0.6), data.data(), n);
      EXPECT_EQ(data, out) << c.describe();
      EXPECT_EQ(in_place, separate) << c.describe();
    }
  }
}

TYPED_TEST(ProxLibrary, ValuesMatchTheFormulas) {
  using T = TypeParam;
  const std::vector<T> x = {T(-2), T(0.5), T(0), T(3)};
  const auto value = [&](const ProxComponent& c) { return c.value<T>(x.data(), x.size()); };
  const auto make = [](const char* text) { return ProxComponent::parse(text); };
  const ProxComponent simplex = make("simplex"), simplex2 = make("simplex(sum=2)");
  const ProxComponent l1 = make("l1(0.5)");
  EXPECT_NEAR(value(make("l2(2)")), 2 * std::sqrt(4 + 0.25 + 9), 1e-5);
  EXPECT_NEAR(value(make("group_l2(1, groups=[1, 3])")), 2 + std::sqrt(0.25 + 9), 1e-5);
  EXPECT_NEAR(value(make("linf(0.5)")), 1.5, 1e-6);
  EXPECT_NEAR(value(make("l1(2, weights=[1, 0, 2, 0.5])")), 2 * (2 + 0 + 0 + 1.5), 1e-5);
  EXPECT_NEAR(value(make("tv1d(1)")), 2.5 + 0.5 + 3, 1e-5);
  EXPECT_NEAR(value(make("slope([3, 2, 1, 0])")), 3 * 3 + 2 * 2 + 1 * 0.5, 1e-5);
  EXPECT_EQ(value(make("l1_ball(5.5)")), 0.0);
  EXPECT_EQ(value(make("l1_ball(5.4)")), kInf);
  EXPECT_EQ(value(make("l2_ball(3.7)")), 0.0);
  EXPECT_EQ(value(make("l2_ball(3.5)")), kInf);
  EXPECT_EQ(value(make("linf_ball(3)")), 0.0);
  EXPECT_EQ(value(make("linf_ball(2.9)")), kInf);
  EXPECT_EQ(value(make("simplex")), kInf);  // negative entries
  const std::vector<T> point = {T(0.25), T(0), T(0.75)};
  EXPECT_EQ(simplex.value<T>(point.data(), 3), 0.0);
  EXPECT_EQ(simplex2.value<T>(point.data(), 3), kInf);
  // The elementwise path reports r(out) from prox() too.
  std::vector<T> out(4);
  EXPECT_NEAR(l1.prox<T>(x.data(), T(1), out.data(), 4), 0.5 * (1.5 + 0 + 0 + 2.5), 1e-6);
}

TEST(ProxLibraryTraits, MatchTheMath) {
  for (const ProxDefinition& d : prox_registry()) {
    const bool whole_vector = d.name == "l2" || d.name == "group_l2" || d.name == "linf" ||
                              d.name == "l1_ball" || d.name == "l2_ball" || d.name == "linf_ball" ||
                              d.name == "simplex" || d.name == "tv1d" || d.name == "slope";
    EXPECT_EQ(d.traits.elementwise, !whole_vector) << d.name;
    EXPECT_EQ(d.traits.separable, !whole_vector) << d.name;
    EXPECT_TRUE(d.traits.convex) << d.name;
    const bool indicator = d.name == "box" || d.name == "nonneg" ||
                           d.name.find("ball") != std::string::npos || d.name == "simplex";
    EXPECT_EQ(d.traits.indicator, indicator) << d.name;
    EXPECT_EQ(d.has_vector_functions(), whole_vector || d.name == "l1") << d.name;
    if (whole_vector) EXPECT_EQ(d.prox_canonical, "call:" + d.name);
    if (!whole_vector) EXPECT_EQ(d.prox_canonical, expr::canonical(d.prox)) << d.name;
  }
  EXPECT_TRUE(ProxComponent::parse("l1(0.1)").is_elementwise());
  EXPECT_FALSE(ProxComponent::parse("l1(0.1, weights=[1, 2])").is_elementwise());
  EXPECT_FALSE(ProxComponent::parse("tv1d(0.1)").is_elementwise());
}

TEST(ProxLibraryParse, ListsRoundTripThroughDescribe) {
  for (const char* text :
       {"slope(lambdas=[0.3, 0.2, 0.1])", "group_l2(lambda=0.1, groups=[2, 3, 5])",
        "l1(lambda=0.5, weights=[1, 0, 2.5])", "l1(lambda=0.5)", "simplex(sum=1)", "tv1d(lambda=2)",
        "l1_ball(radius=1e-300)"}) {
    const ProxComponent c = ProxComponent::parse(text);
    EXPECT_EQ(c.describe(), text);
    EXPECT_EQ(ProxComponent::parse(c.describe()).describe(), text);
  }
  EXPECT_EQ(ProxComponent::parse("slope([0.1,0.1 ,  0.05])").describe(),
            "slope(lambdas=[0.1, 0.1, 0.05])");
  EXPECT_EQ(ProxComponent::parse("simplex").describe(), "simplex(sum=1)");
  const Vector exact = {0.1, 1.0 / 3.0, 1e-310};
  const ProxComponent slope = ProxComponent::make("slope", {}, {{"lambdas", {1.0 / 3.0, 0.1, 0}}});
  const ProxComponent again = ProxComponent::parse(slope.describe());
  const auto lambdas = again.list_parameter("lambdas");
  EXPECT_EQ(Vector(lambdas.begin(), lambdas.end()), (Vector{1.0 / 3.0, 0.1, 0}));
  const ProxComponent weighted = ProxComponent::make("l1", {{"lambda", 1}}, {{"weights", exact}});
  const auto weights = weighted.list_parameter("weights");
  EXPECT_EQ(Vector(weights.begin(), weights.end()), exact);
  EXPECT_TRUE(ProxComponent::parse("l1(1)").list_parameter("weights").empty());
  EXPECT_TRUE(ProxComponent::parse("l1(1)").list_parameter("lambda").empty());
  // make() with list arguments equals parse(); with_parameter keeps the lists.
  const ProxComponent made =
      ProxComponent::make("group_l2", {{"lambda", 0.1}}, {{"groups", {2, 3}}});
  EXPECT_EQ(made.describe(), "group_l2(lambda=0.1, groups=[2, 3])");
  EXPECT_EQ(made.with_parameter("lambda", 0.2).describe(), "group_l2(lambda=0.2, groups=[2, 3])");
}

TEST(ProxLibraryParse, ComponentTextReadsLists) {
  const ComponentText parsed = parse_component_text("slope( lambdas = [ 3 , -inf,1e-3 ] , 2)");
  ASSERT_EQ(parsed.arguments.size(), 2u);
  EXPECT_TRUE(parsed.arguments[0].is_list);
  EXPECT_EQ(parsed.arguments[0].list, (Vector{3, -kInf, 1e-3}));
  EXPECT_FALSE(parsed.arguments[1].is_list);
  EXPECT_EQ(parsed.arguments[1].value, 2.0);
  EXPECT_TRUE(parse_component_text("f(a=[])").arguments[0].is_list);
  EXPECT_TRUE(parse_component_text("f([1])").arguments[0].key.empty());
  EXPECT_EQ(list_text({0.1, 2, kInf}), "[0.1, 2, inf]");
}

// The caret sits under the offending character, as for scalar values.
TEST(ProxLibraryParse, ListSyntaxErrorsCarryACaret) {
  const auto expect_error = [](const std::string& text, std::size_t column, const char* what) {
    const std::string message = error_of([&] { parse_component_text(text); });
    EXPECT_TRUE(Contains(message, "column " + std::to_string(column) + ": " + what)) << message;
    EXPECT_TRUE(Contains(message, "\n  " + text + "\n  " + std::string(column - 1, ' ') + "^"))
        << message;
  };
  expect_error("slope(lambdas=[0.3, 0.2)", 24, "expected ',' or ']' in the list");
  expect_error("slope(lambdas=[0.3 0.2])", 20, "expected ',' or ']' in the list");
  expect_error("slope(lambdas=[0.3,,0.2])", 20, "expected a number");
  expect_error("slope(lambdas=[0.3, x])", 21, "expected a number");
  expect_error("slope(lambdas=[0.3, nan])", 21, "NaN is not a valid parameter value");
  expect_error("slope(lambdas=[0.3", 19, "expected ']' to close the list");
  expect_error("slope(lambdas=[0.3],)", 21, "expected a number");
}

TEST(ProxLibraryParse, InvalidParametersNameTheParameter) {
  const auto parse_error = [](const char* text) {
    return error_of([&] { ProxComponent::parse(text); });
  };
  EXPECT_TRUE(Contains(parse_error("l2(-1)"), "parameter 'lambda' must be finite and >= 0"));
  EXPECT_TRUE(Contains(parse_error("linf(lambda=-0.5)"), "parameter 'lambda'"));
  EXPECT_TRUE(Contains(parse_error("tv1d(inf)"), "parameter 'lambda' must be finite and >= 0"));
  for (const char* ball : {"l1_ball(-1)", "l2_ball(-1)", "linf_ball(radius=-2)"}) {
    EXPECT_TRUE(Contains(parse_error(ball), "parameter 'radius' must be finite and >= 0")) << ball;
  }
  EXPECT_TRUE(Contains(parse_error("simplex(0)"), "parameter 'sum' must be finite and > 0"));
  EXPECT_TRUE(Contains(parse_error("slope(lambdas=[0.1, 0.3])"),
                       "prox 'slope': parameter 'lambdas' must be non-increasing, but "
                       "lambdas[1] = 0.3 > lambdas[0] = 0.1"));
  EXPECT_TRUE(
      Contains(parse_error("slope(lambdas=[0.3, -0.1])"),
               "parameter 'lambdas' must hold numbers finite and >= 0, got -0.1 at index 1"));
  EXPECT_TRUE(
      Contains(parse_error("slope(lambdas=[])"), "parameter 'lambdas' must not be an empty list"));
  EXPECT_TRUE(Contains(parse_error("group_l2(0.1, groups=[2, 0])"),
                       "parameter 'groups' must hold numbers whole and >= 1, got 0 at index 1"));
  EXPECT_TRUE(Contains(parse_error("group_l2(0.1, groups=[2, 1.5])"), "got 1.5 at index 1"));
  EXPECT_TRUE(Contains(parse_error("group_l2(0.1, groups=[-2])"), "parameter 'groups'"));
  EXPECT_TRUE(Contains(parse_error("l1(0.1, weights=[1, -1])"), "parameter 'weights'"));
  EXPECT_TRUE(Contains(parse_error("group_l2(0.1)"), "needs parameter 'groups'"));
  EXPECT_TRUE(Contains(parse_error("group_l2(0.1)"), "group_l2(groups=[0.1, 0.2])"));
  // A scalar for a list and a list for a scalar.
  EXPECT_TRUE(Contains(parse_error("slope(lambdas=0.1)"),
                       "parameter 'lambdas' is a list, not a number; write it as lambdas=["));
  EXPECT_TRUE(Contains(parse_error("l2(lambda=[0.1])"),
                       "parameter 'lambda' is a number, not a list; write it as lambda=0.1"));
  EXPECT_TRUE(Contains(error_of([] {
                         ProxComponent::make("slope", {{"lambdas", 0.1}});
                       }),
                       "parameter 'lambdas' is a list"));
  EXPECT_TRUE(Contains(error_of([] {
                         ProxComponent::make("l2", {}, {{"lambda", {1.0}}});
                       }),
                       "parameter 'lambda' is a number"));
  // NaN through the C++ API (the parser refuses it earlier, with a caret).
  const double nan = std::nan("");
  EXPECT_TRUE(Contains(error_of([&] {
                         ProxComponent::make("slope", {}, {{"lambdas", {nan}}});
                       }),
                       "parameter 'lambdas' must hold numbers finite and >= 0, got nan"));
  EXPECT_TRUE(Contains(error_of([&] {
                         ProxComponent::make("l2_ball", {{"radius", nan}});
                       }),
                       "parameter 'radius'"));
  EXPECT_TRUE(Contains(error_of([&] {
                         ProxComponent::make("l1", {{"lambda", 1}}, {{"weights", {1, nan}}});
                       }),
                       "parameter 'weights'"));
}

TEST(ProxLibrarySize, ListsMustFitTheDimension) {
  const ProxComponent group = ProxComponent::parse("group_l2(0.1, groups=[2, 3, 5])");
  EXPECT_NO_THROW(group.check_size(10));
  EXPECT_TRUE(Contains(error_of([&] { group.check_size(9); }),
                       "prox 'group_l2': parameter 'groups' has sizes summing to 10 but the "
                       "problem has 9 variables"));
  const ProxComponent slope = ProxComponent::parse("slope([0.3, 0.2, 0.1])");
  EXPECT_NO_THROW(slope.check_size(3));
  EXPECT_TRUE(Contains(error_of([&] { slope.check_size(4); }),
                       "parameter 'lambdas' has 3 entries but the problem has 4 variables"));
  const ProxComponent weighted = ProxComponent::parse("l1(0.1, weights=[1, 2])");
  EXPECT_TRUE(Contains(error_of([&] { weighted.check_size(1); }),
                       "parameter 'weights' has 2 entries but the problem has 1 variables"));
  // prox() and value() check too, rather than read past a list.
  std::vector<double> y(4, 1.0), out(4);
  EXPECT_TRUE(Contains(error_of([&] { slope.prox<double>(y.data(), 1.0, out.data(), 4); }),
                       "parameter 'lambdas'"));
  EXPECT_TRUE(Contains(error_of([&] { group.value<double>(y.data(), 4); }), "parameter 'groups'"));
  // Elementwise and list-free proxes take any size.
  for (const char* text : {"l1(0.1)", "tv1d(1)", "l2(1)", "simplex", "box(0, 1)"}) {
    EXPECT_NO_THROW(ProxComponent::parse(text).check_size(0)) << text;
    EXPECT_NO_THROW(ProxComponent::parse(text).check_size(12345)) << text;
  }
}

// Large inputs: tv1d runs (speed is measured in bench/bench_prox.cpp, not here) and meets its
// optimality conditions; a noisy piecewise-constant signal has many segments.
TEST(ProxLibraryLarge, Tv1dOnLongSignals) {
  std::mt19937 rng(12);
  std::normal_distribution<double> noise(0.0, 0.5);
  for (const std::size_t n : {10'000u, 100'000u, 1'000'000u}) {
    const ProxComponent tv = ProxComponent::make("tv1d", {{"lambda", 1.0}});
    Vector y(n);
    double level = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (rng() % 200 == 0) level = noise(rng) * 8;
      y[i] = level + noise(rng);
    }
    Vector p(n);
    const double returned = tv.prox<double>(y.data(), 0.8, p.data(), n);
    EXPECT_EQ(returned, tv.value<double>(p.data(), n));
    Vector g(n);
    for (std::size_t i = 0; i < n; ++i)
      g[i] = (y[i] - p[i]) / 0.8;
    EXPECT_TRUE(optimality(tv, p, g, 1e-12)) << n;
  }
}

TYPED_TEST(ProxLibrary, ProjectionsOfLargeVectorsAreFeasible) {
  using T = TypeParam;
  std::mt19937 rng(13);
  const std::size_t n = 200'000;
  std::vector<T> y(n);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (T& v : y)
    v = static_cast<T>(normal(rng));
  for (const char* text : {"l1_ball(10)", "l2_ball(2)", "linf_ball(0.5)", "simplex(3)"}) {
    std::vector<T> out(n);
    EXPECT_EQ(ProxComponent::parse(text).prox<T>(y.data(), T(1), out.data(), n), 0.0) << text;
  }
}

}  // namespace
}  // namespace proxjit
