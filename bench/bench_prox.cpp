// The reference prox implementations (runtime only, no JIT) on 10^6 elements, and tv1d from
// 10^4 to 10^7 elements: items/s stays flat when the algorithm is linear in practice.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "proxjit/runtime/prox.h"

namespace {

std::vector<double> random_signal(std::size_t n) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> y(n);
  double level = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (rng() % 100 == 0) level = 4 * noise(rng);  // piecewise constant plus noise
    y[i] = level + noise(rng);
  }
  return y;
}

proxjit::ProxComponent component_for(const std::string& name, std::size_t n) {
  using proxjit::ProxComponent;
  if (name == "group_l2") {
    return ProxComponent::make("group_l2", {{"lambda", 0.5}},
                               {{"groups", std::vector<double>(n / 10, 10.0)}});
  }
  if (name == "slope") {
    std::vector<double> lambdas(n);
    for (std::size_t i = 0; i < n; ++i)
      lambdas[i] = 1.0 - static_cast<double>(i) / static_cast<double>(n);
    return ProxComponent::make("slope", {}, {{"lambdas", lambdas}});
  }
  if (name == "l1_weighted") {
    return ProxComponent::make("l1", {{"lambda", 0.5}}, {{"weights", std::vector<double>(n, 2)}});
  }
  if (name == "simplex") return ProxComponent::make("simplex", {{"sum", 10}});
  if (name.find("ball") != std::string::npos) return ProxComponent::make(name, {{"radius", 100}});
  if (name == "zero" || name == "nonneg") return ProxComponent::make(name);
  if (name == "box") return ProxComponent::make("box", {{"lo", -1}, {"hi", 1}});
  if (name == "elastic_net") return ProxComponent::make(name, {{"l1", 0.5}, {"l2", 0.1}});
  return ProxComponent::make(name, {{"lambda", 0.5}});
}

void BM_Prox(benchmark::State& state, const std::string& name) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const proxjit::ProxComponent prox = component_for(name, n);
  const std::vector<double> y = random_signal(n);
  std::vector<double> out(n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(prox.prox<double>(y.data(), 0.8, out.data(), n));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n));
}

const int kRegistered = [] {
  for (const char* name :
       {"zero", "l1", "l1_weighted", "l2sq", "elastic_net", "l2", "group_l2", "linf", "box",
        "nonneg", "l1_ball", "l2_ball", "linf_ball", "simplex", "tv1d", "slope"}) {
    benchmark::RegisterBenchmark((std::string("BM_Prox/") + name).c_str(), BM_Prox,
                                 std::string(name))
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_Tv1dScaling", BM_Prox, std::string("tv1d"))
      ->RangeMultiplier(10)
      ->Range(10'000, 10'000'000)
      ->Unit(benchmark::kMillisecond);
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
