// The seed problem (quadratic + L1, fixed step) at n = 50, 200, 1000: the JIT kernel against a
// hand-written Eigen loop compiled here with -O3 -march=native, plus the cold compile cost and
// the cache-hit lookup.
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <map>
#include <random>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/engine.h"

namespace {

using proxjit::Matrix;
using proxjit::Vector;

constexpr double kStep = 1e-3;
constexpr double kLambda = 0.1;

std::int64_t iterations_for(Eigen::Index n) { return n >= 1000 ? 2000 : 20000; }

struct SeedProblem {
  Matrix A;  // symmetric positive definite, row-major (as proxjit stores it)
  Vector b;
};

const SeedProblem& seed_problem(Eigen::Index n) {
  static std::map<Eigen::Index, SeedProblem> problems;
  auto found = problems.find(n);
  if (found != problems.end()) return found->second;
  std::mt19937 rng(0);
  std::normal_distribution<double> normal;
  Matrix m(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) m(i, j) = normal(rng);
  SeedProblem p;
  p.A = m.transpose() * m / static_cast<double>(n);
  p.A.diagonal().array() += 0.1;
  p.b.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) p.b[i] = normal(rng);
  return problems.emplace(n, std::move(p)).first->second;
}

// What a C++ programmer writes by hand with Eigen: the article's loop.
void BM_EigenLoop(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const SeedProblem& p = seed_problem(n);
  const Eigen::MatrixXd A = p.A;  // column-major, Eigen's default
  const Eigen::VectorXd b = p.b;
  const std::int64_t iterations = iterations_for(n);
  Eigen::VectorXd x(n), g(n), y(n);
  for (auto _ : state) {
    x.setZero();
    for (std::int64_t k = 0; k < iterations; ++k) {
      g.noalias() = A * x;
      y = x - kStep * (g + b);
      x = y.array().sign() * (y.array().abs() - kStep * kLambda).max(0.0);
    }
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["iterations"] = static_cast<double>(iterations);
}

proxjit::KernelSpec seed_spec() {
  const proxjit::ProxComponent l1 = proxjit::ProxComponent::parse("l1(lambda=0.1)");
  proxjit::KernelSpec spec;
  spec.smooth = proxjit::SmoothKind::quadratic;
  spec.smooth_name = "quadratic";
  spec.prox_name = "l1";
  spec.prox = l1.definition().prox;
  spec.prox_parameter_count = 1;
  return spec;
}

void BM_JitKernel(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const SeedProblem& p = seed_problem(n);
  static proxjit::JitCompiler compiler;
  static const proxjit::CompiledKernel kernel =
      compiler.compile(seed_spec(), proxjit::CodegenOptions{}, "bench_seed_kernel");
  const double lambda = kLambda;
  Vector x(n), work(n);
  proxjit::KernelArgs args;
  args.A = p.A.data();
  args.b = p.b.data();
  args.work = work.data();
  args.rows = n;
  args.cols = n;
  args.params = &lambda;
  args.step = kStep;
  args.tolerance = 0.0;
  args.max_iterations = iterations_for(n);
  for (auto _ : state) {
    x.setZero();
    args.x = x.data();
    kernel.entry(&args);
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["iterations"] = static_cast<double>(args.iterations);
}

// A new JIT (its one-time set-up included) and one compile of the seed kernel.
void BM_ColdCompile(benchmark::State& state) {
  int count = 0;
  for (auto _ : state) {
    proxjit::JitCompiler compiler;
    benchmark::DoNotOptimize(
        compiler.compile(seed_spec(), proxjit::CodegenOptions{}, "cold_" + std::to_string(count++))
            .entry);
  }
}

// Finding the compiled kernel for a new lambda: key + in-memory lookup (manual time).
void BM_CacheHitLookup(benchmark::State& state) {
  static proxjit::Engine engine;
  const SeedProblem& p = seed_problem(50);
  const proxjit::Problem problem = proxjit::Problem::parse("quadratic", "l1(lambda=0.1)", p.A, p.b);
  proxjit::SolverOptions options;
  options.step = kStep;
  options.max_iterations = 1;
  engine.solve(problem, options);  // compiles
  double lambda = 0.2;
  for (auto _ : state) {
    const proxjit::Summary s =
        engine.solve(problem.with_prox(proxjit::ProxComponent::make("l1", {{"lambda", lambda}})),
                     options);
    lambda += 1e-3;
    if (!s.cache_hit) state.SkipWithError("expected a cache hit");
    state.SetIterationTime(s.timing.lookup_s);
  }
}

BENCHMARK(BM_EigenLoop)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitKernel)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ColdCompile)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_CacheHitLookup)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
