// The seed problem (quadratic + L1, fixed step) at n = 50, 200, 1000: the JIT kernel against a
// hand-written Eigen loop compiled with -O3 -march=native, plus the cold compile cost and the
// cache-hit lookup. Ratios, not absolute times, carry over between runs on shared machines.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <vector>

#include "eigen_baseline.h"
#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/codegen/kernel_data.h"
#include "proxjit/disk_cache.h"
#include "proxjit/engine.h"

namespace {

using proxjit::Matrix;
using proxjit::Vector;

constexpr double kStep = 1e-3;
constexpr double kLambda = 0.1;

std::int64_t iterations_for(Eigen::Index n) {
  return n >= 1000 ? 2000 : 20000;
}

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
    for (Eigen::Index j = 0; j < n; ++j)
      m(i, j) = normal(rng);
  SeedProblem p;
  p.A = m.transpose() * m / static_cast<double>(n);
  p.A.diagonal().array() += 0.1;
  p.b.resize(n);
  for (Eigen::Index i = 0; i < n; ++i)
    p.b[i] = normal(rng);
  return problems.emplace(n, std::move(p)).first->second;
}

// What a C++ programmer writes by hand with Eigen (eigen_baseline.cpp, -O3 -march=native).
void BM_EigenLoop(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const SeedProblem& p = seed_problem(n);
  const std::int64_t iterations = iterations_for(n);
  std::vector<double> x(n);
  for (auto _ : state) {
    proxjit::bench::eigen_proximal_gradient(p.A.data(), p.b.data(), n, iterations, kStep, kLambda,
                                            x.data());
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["iterations"] = static_cast<double>(iterations);
}

void BM_EigenSymvLoop(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const SeedProblem& p = seed_problem(n);
  const std::int64_t iterations = iterations_for(n);
  std::vector<double> x(n);
  for (auto _ : state) {
    proxjit::bench::eigen_proximal_gradient_symv(p.A.data(), p.b.data(), n, iterations, kStep,
                                                 kLambda, x.data());
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["iterations"] = static_cast<double>(iterations);
}

proxjit::KernelSpec seed_spec() {
  const proxjit::ProxComponent l1 = proxjit::ProxComponent::parse("l1(lambda=0.1)");
  proxjit::KernelSpec spec;
  spec.smooth = proxjit::SmoothKind::quadratic;
  spec.prox = l1.definition().prox;
  spec.prox_parameter_count = 1;
  return spec;
}

proxjit::CodegenOptions bench_codegen() {
  proxjit::CodegenOptions options;
  if (const char* width = std::getenv("PROXJIT_BENCH_VECTOR_WIDTH")) {
    options.prefer_vector_width = std::atoi(width);
  }
  return options;
}

// The kernel alone, on its padded data, as Engine::solve runs it (without the copies).
void BM_JitKernel(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const SeedProblem& p = seed_problem(n);
  static proxjit::JitCompiler compiler;
  static const proxjit::CompiledKernel kernel =
      compiler.compile(seed_spec(), bench_codegen(), "bench_seed_kernel");
  const auto data = proxjit::make_kernel_data<double>(p.A, p.b);
  const double lambda = kLambda;
  proxjit::AlignedBuffer<double> x(proxjit::padded_length(n));
  proxjit::AlignedBuffer<double> work(kernel_work_size(seed_spec(), n, n));
  proxjit::KernelArgs args;
  args.A = data.A.data();
  args.b = data.b.data();
  args.x = x.data();
  args.work = work.data();
  args.rows = n;
  args.cols = n;
  args.params = &lambda;
  args.step = kStep;
  args.tolerance = 0.0;
  args.max_iterations = iterations_for(n);
  for (auto _ : state) {
    std::fill(x.data(), x.data() + x.size(), 0.0);
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
        compiler.compile(seed_spec(), bench_codegen(), "cold_" + std::to_string(count++)).entry);
  }
}

// The JIT's one-time set-up alone (LLJIT for the host; Engine starts it in the background).
void BM_JitSetup(benchmark::State& state) {
  for (auto _ : state) {
    proxjit::JitCompiler compiler;
    benchmark::DoNotOptimize(&compiler);
  }
}

// A later kernel in a process whose JIT is up: IR, optimization, codegen and link.
void BM_WarmCompile(benchmark::State& state) {
  static proxjit::JitCompiler compiler;
  int count = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        compiler.compile(seed_spec(), bench_codegen(), "warm_" + std::to_string(count++)).entry);
  }
}

// A kernel found in the disk cache: read and check the entry, link it, look up its entry point.
void BM_DiskHitLoad(benchmark::State& state) {
  static proxjit::JitCompiler compiler;
  const auto directory = std::filesystem::temp_directory_path() / "proxjit_bench_disk_cache";
  std::filesystem::remove_all(directory);
  proxjit::DiskCache cache(directory);
  const proxjit::CompiledKernel kernel =
      compiler.compile(seed_spec(), bench_codegen(), "disk_seed_kernel");
  cache.store("bench seed kernel", kernel.object);
  for (auto _ : state) {
    const proxjit::DiskLookup found = cache.load("bench seed kernel");
    benchmark::DoNotOptimize(compiler.link_object(found.object, "disk_seed_kernel").entry);
  }
  std::filesystem::remove_all(directory);
}

// Finding the compiled kernel for a new lambda: key + in-memory lookup (manual time).
void BM_CacheHitLookup(benchmark::State& state) {
  static proxjit::Engine engine(proxjit::EngineOptions{.disk_cache = false});
  const SeedProblem& p = seed_problem(50);
  const proxjit::Problem problem = proxjit::Problem::parse("quadratic", "l1(lambda=0.1)", p.A, p.b);
  proxjit::SolverOptions options;
  options.algorithm = proxjit::Algorithm::proximal_gradient;  // the seed kernel
  options.step = kStep;
  options.max_iterations = 1;
  engine.solve(problem, options);  // compiles
  double lambda = 0.2;
  for (auto _ : state) {
    const proxjit::Summary s = engine.solve(
        problem.with_prox(proxjit::ProxComponent::make("l1", {{"lambda", lambda}})), options);
    lambda += 1e-3;
    if (!s.cache_hit) state.SkipWithError("expected a cache hit");
    state.SetIterationTime(s.timing.lookup_s);
  }
}

BENCHMARK(BM_EigenLoop)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EigenSymvLoop)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitKernel)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ColdCompile)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_JitSetup)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_WarmCompile)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_DiskHitLoad)->Unit(benchmark::kMicrosecond)->Iterations(200);
BENCHMARK(BM_CacheHitLookup)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
