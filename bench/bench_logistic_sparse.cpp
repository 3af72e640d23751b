// Sparse logistic + L1: one proximal-gradient iteration on make_classification(20000, 5000,
// 0.002, seed 0) as CSR, the JIT kernel (through Engine::solve, compile excluded) against a
// hand-written Eigen sparse loop compiled -O3 -march=native (eigen_sparse_baseline.cpp). Both
// run kIterations iterations from x = 0 with the fixed step 1/L; the counter per_iter_ms is the
// time of one iteration. Before timing, main checks once that both give the same x (1e-9
// relative) and aborts otherwise. Ratios, not absolute times, carry over between runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "eigen_sparse_baseline.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/synthetic.h"

namespace {

using proxjit::SparseMatrix;
using proxjit::Vector;

constexpr Eigen::Index kRows = 20000;
constexpr Eigen::Index kCols = 5000;
constexpr double kDensity = 0.002;
constexpr std::uint64_t kSeed = 0;
constexpr double kLambda = 1e-3;
constexpr std::int64_t kIterations = 50;

struct Setup {
  SparseMatrix A;  // compressed CSR, int indices
  Vector b;
  proxjit::Problem problem;
  double step;
};

proxjit::Problem make_problem(const SparseMatrix& A, const Vector& b) {
  return proxjit::Problem(proxjit::SmoothComponent::parse("logistic"),
                          proxjit::ProxComponent::make("l1", {{"lambda", kLambda}}), A, b);
}

const Setup& setup() {
  static const Setup s = [] {
    proxjit::SyntheticProblem data = proxjit::make_classification(kRows, kCols, kDensity, kSeed);
    data.A.makeCompressed();
    proxjit::Problem problem = make_problem(data.A, data.b);
    const double step = 1.0 / problem.lipschitz();
    return Setup{std::move(data.A), std::move(data.b), std::move(problem), step};
  }();
  return s;
}

proxjit::SolverOptions jit_options() {
  proxjit::SolverOptions options;
  options.algorithm = proxjit::Algorithm::proximal_gradient;
  options.tolerance = 0.0;
  options.max_iterations = kIterations;
  options.step = setup().step;
  options.fallback_to_reference = false;  // a JIT failure must not be timed as the reference
  return options;
}

proxjit::Engine& engine() {
  static proxjit::Engine e(proxjit::EngineOptions{.disk_cache = false});
  return e;
}

Vector run_eigen() {
  const Setup& s = setup();
  Vector x(kCols);
  proxjit::bench::eigen_sparse_logistic_proximal_gradient(
      s.A.outerIndexPtr(), s.A.innerIndexPtr(), s.A.valuePtr(), s.A.rows(), s.A.cols(),
      s.A.nonZeros(), s.b.data(), kIterations, s.step, kLambda, x.data());
  return x;
}

proxjit::Summary run_jit() {
  const proxjit::Summary summary = engine().solve(setup().problem, jit_options());
  if (summary.backend != proxjit::Backend::jit || summary.iterations != kIterations) {
    std::fprintf(stderr,
                 "bench_logistic_sparse: JIT solve ran backend %s for %lld iterations: %s\n",
                 std::string(proxjit::to_string(summary.backend)).c_str(),
                 static_cast<long long>(summary.iterations), summary.message.c_str());
    std::abort();
  }
  return summary;
}

// Once, untimed: compiles the kernel (warm-up) and compares the two solutions.
void check_agreement() {
  const Setup& s = setup();
  const proxjit::Summary jit = run_jit();
  const Vector eig = run_eigen();
  const double scale = std::max(eig.lpNorm<Eigen::Infinity>(), 1e-300);
  const double diff = (jit.x - eig).lpNorm<Eigen::Infinity>() / scale;
  std::fprintf(stderr,
               "bench_logistic_sparse: A %lld x %lld, %lld nonzeros, step 1/L = %.6g, %lld "
               "iterations, nnz(x) = %lld, kernel %s, max|x_jit - x_eigen| / max|x_eigen| = "
               "%.3g\n",
               static_cast<long long>(s.A.rows()), static_cast<long long>(s.A.cols()),
               static_cast<long long>(s.A.nonZeros()), s.step, static_cast<long long>(kIterations),
               static_cast<long long>((eig.array() != 0.0).count()),
               std::string(proxjit::to_string(jit.source)).c_str(), diff);
  if (!(diff <= 1e-9)) {
    std::fprintf(stderr,
                 "bench_logistic_sparse: the JIT and Eigen iterates differ (relative %.3g > "
                 "1e-9); aborting\n",
                 diff);
    std::abort();
  }
}

void set_per_iteration(benchmark::State& state, double total_s) {
  const double runs = static_cast<double>(state.iterations());
  state.counters["per_iter_ms"] = total_s / runs / static_cast<double>(kIterations) * 1e3;
  state.counters["iterations"] = static_cast<double>(kIterations);
}

// The hand-written Eigen sparse loop, timed around the call.
void BM_EigenSparseLogistic(benchmark::State& state) {
  double total = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Vector x = run_eigen();
    benchmark::DoNotOptimize(x.data());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    total += took.count();
  }
  set_per_iteration(state, total);
}

// The JIT kernel's run as Engine::solve times it (Summary::timing.run_s: the loop, without the
// solve's set-up and copies). The kernel is cached: compiling is not included.
void BM_JitSparseLogistic(benchmark::State& state) {
  double total = 0.0;
  for (auto _ : state) {
    const proxjit::Summary s = run_jit();
    if (!s.cache_hit) state.SkipWithError("expected a cache hit");
    state.SetIterationTime(s.timing.run_s);
    total += s.timing.run_s;
  }
  set_per_iteration(state, total);
}

// The whole Engine::solve call (lookup, copies, the run, the final objective), for scale.
void BM_JitSparseLogisticSolveCall(benchmark::State& state) {
  double total = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const proxjit::Summary s = run_jit();
    benchmark::DoNotOptimize(s.x.data());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    total += took.count();
  }
  set_per_iteration(state, total);
}

BENCHMARK(BM_EigenSparseLogistic)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitSparseLogistic)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitSparseLogisticSolveCall)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    check_agreement();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_logistic_sparse: %s\n", e.what());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
