// Each prox on 10^6 elements: the JIT (the prox inlined into a kernel's update pass, or called
// for whole-vector proxes) against the reference implementation (ProxComponent::prox), side by
// side in one run, best of kRepeats. The JIT side runs one proximal-gradient iteration of a
// problem whose gradient is zero (least squares over an empty CSR matrix), so it times the
// update pass: x - step*g, the prox, and the certificate sum.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "proxjit/engine.h"

namespace {

constexpr Eigen::Index kSize = 1000000;
constexpr int kRepeats = 9;

double seconds_of(const std::function<void()>& run) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main() {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  proxjit::Vector y(kSize);
  for (Eigen::Index i = 0; i < kSize; ++i)
    y[i] = normal(rng);
  const std::string decreasing = [] {
    std::string text = "[";
    for (Eigen::Index i = 0; i < kSize; ++i)
      text += (i ? "," : "") + std::to_string(1.0 / static_cast<double>(i + 1));
    return text + "]";
  }();
  const std::vector<std::string> proxes = {"l1(0.1)",
                                           "l2sq(0.1)",
                                           "elastic_net(0.1, 0.1)",
                                           "box(-0.5, 0.5)",
                                           "nonneg",
                                           "l2(0.1)",
                                           "linf(0.1)",
                                           "l1_ball(10)",
                                           "l2_ball(10)",
                                           "linf_ball(0.5)",
                                           "simplex(1)",
                                           "tv1d(0.1)",
                                           "group_l2(0.1, groups=[500000, 500000])",
                                           "slope(lambdas=" + decreasing + ")"};
  proxjit::SparseMatrix empty(1, kSize);
  empty.makeCompressed();
  proxjit::Engine engine(proxjit::EngineOptions{.disk_cache = false});
  std::printf("%-28s %12s %12s %10s\n", "prox (10^6 elements)", "reference ms", "JIT ms",
              "JIT/ref");
  for (const std::string& text : proxes) {
    const proxjit::ProxComponent r = proxjit::ProxComponent::parse(text);
    proxjit::Vector out(kSize);
    const double reference = seconds_of([&] { r.prox<double>(y.data(), 0.5, out.data(), kSize); });
    const proxjit::Problem problem(proxjit::SmoothComponent::parse("least_squares"), r, empty,
                                   proxjit::Vector::Zero(1));
    proxjit::SolverOptions options;
    options.algorithm = proxjit::Algorithm::proximal_gradient;  // one prox step
    options.step = 0.5;
    options.max_iterations = 1;
    options.tolerance = 0.0;
    options.x0 = y;
    options.repeat = kRepeats;
    options.fallback_to_reference = false;
    const proxjit::Summary s = engine.solve(problem, options);
    const std::string name = text.size() > 28 ? text.substr(0, 25) + "..." : text;
    std::printf("%-28s %12.3f %12.3f %9.2fx\n", name.c_str(), 1e3 * reference, 1e3 * s.timing.run_s,
                s.timing.run_s / reference);
  }
  return 0;
}
