// A regularization path: least squares + lambda ||x||_1 for 10 values of lambda on one data set.
// The kernel is compiled once, for the structure "least_squares + l1"; every other lambda is a
// cache hit (Problem::with_prox shares the data and changes only the parameter).
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"

int main() try {
  // 200 samples, 60 features, a sparse truth with 8 nonzeros, a little noise.
  const int samples = 200, features = 60;
  std::mt19937 rng(1);
  std::normal_distribution<double> normal;
  const proxjit::Matrix A =
      proxjit::Matrix::NullaryExpr(samples, features, [&] { return normal(rng); });
  proxjit::Vector truth = proxjit::Vector::Zero(features);
  for (int i = 0; i < 8; ++i)
    truth[i * 7] = (i % 2 ? -1.0 : 1.0) * (1.0 + i);
  const proxjit::Vector b =
      A * truth + 0.1 * proxjit::Vector::NullaryExpr(samples, [&] { return normal(rng); });

  // From lambda_max = ||A'b||_inf / samples on, the solution is 0: sweep down from half of it.
  const double lambda_max = (A.transpose() * b).cwiseAbs().maxCoeff() / samples;
  const auto problem = proxjit::Problem::parse("least_squares", "zero", A, b);

  proxjit::SolverOptions options;  // step 0: 1/L from the Lipschitz bound
  options.max_iterations = 20000;
  options.tolerance = 1e-8;

  // The in-memory cache only: a kernel left on disk by an earlier run would hide the one compile.
  proxjit::EngineOptions memory_only;
  memory_only.disk_cache = false;
  proxjit::Engine engine(memory_only);
  std::printf("%12s  %14s  %9s  %-15s  %s\n", "lambda", "objective", "nonzeros", "status",
              "cache hit");
  for (int k = 1; k <= 10; ++k) {
    const double lambda = lambda_max * std::pow(0.5, k);
    const auto with_l1 =
        problem.with_prox(proxjit::ProxComponent::make("l1", {{"lambda", lambda}}));
    const proxjit::Summary s = engine.solve(with_l1, options);
    if (s.status == proxjit::SolveStatus::error) throw proxjit::Error(s.message);
    std::printf("%12.6g  %14.8g  %9ld  %-15s  %s\n", lambda, s.objective,
                static_cast<long>((s.x.array() != 0.0).count()),
                std::string(proxjit::to_string(s.status)).c_str(), s.cache_hit ? "yes" : "no");
  }
  const long compiles = static_cast<long>(engine.cache_stats().compiles);
  std::printf("kernel compiles: %ld\n", compiles);
  return compiles == 1 ? 0 : 1;
} catch (const proxjit::Error& e) {
  std::fprintf(stderr, "regularization_sweep: %s\n", e.what());
  return 2;
}
