// SAGA on sparse logistic + L1 (make_classification(20000, 5000, 0.002, seed 0) as CSR): the JIT
// SAGA kernel (through Engine::solve, compile excluded) against a hand-written C++ sparse SAGA
// loop compiled -O3 -march=native (saga_baseline.cpp), the same algorithm with the same lagged
// updates, sample sequence and per-epoch certificate. Both run kEpochs epochs from x = 0 with
// the default step 1/(3 L_max); the counter per_epoch_ms is the time of one epoch. main checks
// first that both give the same x (1e-9 relative) and aborts otherwise. BM_HandWrittenSaga
// NoCertificate leaves the per-epoch full gradient out, for scale.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "proxjit/engine.h"
#include "proxjit/runtime/synthetic.h"
#include "saga_baseline.h"

namespace {

using proxjit::SparseMatrix;
using proxjit::Vector;

constexpr Eigen::Index kRows = 20000;
constexpr Eigen::Index kCols = 5000;
constexpr double kDensity = 0.002;
constexpr double kLambda = 1.0 / kRows;  // C = 1 in scikit-learn's scaling
constexpr std::int64_t kEpochs = 10;
constexpr std::uint64_t kSeed = 1;

struct Setup {
  SparseMatrix A;
  Vector b;
  proxjit::Problem problem;
  double step;
};

const Setup& setup() {
  static const Setup s = [] {
    proxjit::SyntheticProblem data = proxjit::make_classification(kRows, kCols, kDensity, 0);
    data.A.makeCompressed();
    proxjit::Problem problem(proxjit::SmoothComponent::parse("logistic"),
                             proxjit::ProxComponent::make("l1", {{"lambda", kLambda}}), data.A,
                             data.b);
    return Setup{std::move(data.A), std::move(data.b), std::move(problem), 0.0};
  }();
  return s;
}

proxjit::Engine& engine() {
  static proxjit::Engine e(proxjit::EngineOptions{.disk_cache = false});
  return e;
}

proxjit::SolverOptions options() {
  proxjit::SolverOptions o;
  o.algorithm = proxjit::Algorithm::saga;
  o.tolerance = 0.0;
  o.max_iterations = kEpochs;
  o.seed = kSeed;
  o.fallback_to_reference = false;
  return o;
}

proxjit::Summary run_jit() {
  const proxjit::Summary s = engine().solve(setup().problem, options());
  if (s.backend != proxjit::Backend::jit || s.iterations != kEpochs) {
    std::fprintf(stderr, "bench_saga: the JIT solve did not run: %s\n", s.message.c_str());
    std::abort();
  }
  return s;
}

Vector run_hand_written(double step, bool certificate, double* last_certificate = nullptr) {
  const Setup& s = setup();
  Vector x(kCols);
  const double c = proxjit::bench::saga_logistic_l1(
      s.A.outerIndexPtr(), s.A.innerIndexPtr(), s.A.valuePtr(), s.A.rows(), s.A.cols(), s.b.data(),
      kEpochs, step, kLambda, kSeed, certificate, x.data());
  if (last_certificate) *last_certificate = c;
  return x;
}

double jit_step = 0.0;

void check_agreement() {
  const proxjit::Summary jit = run_jit();
  jit_step = jit.step;
  double certificate = 0.0;
  const Vector hand = run_hand_written(jit_step, true, &certificate);
  const double scale = std::max(hand.lpNorm<Eigen::Infinity>(), 1e-300);
  const double diff = (jit.x - hand).lpNorm<Eigen::Infinity>() / scale;
  std::fprintf(
      stderr,
      "bench_saga: %lld x %lld, %lld nonzeros, step %.6g, %lld epochs, nnz(x) = %lld, "
      "certificate jit %.6g hand %.6g, max|x_jit - x_hand| / max|x_hand| = %.3g\n",
      static_cast<long long>(kRows), static_cast<long long>(kCols),
      static_cast<long long>(setup().A.nonZeros()), jit_step, static_cast<long long>(kEpochs),
      static_cast<long long>((hand.array() != 0.0).count()), jit.certificate, certificate, diff);
  if (!(diff <= 1e-9)) {
    std::fprintf(stderr, "bench_saga: the JIT and hand-written iterates differ; aborting\n");
    std::abort();
  }
}

void per_epoch(benchmark::State& state, double total) {
  state.counters["per_epoch_ms"] =
      total / static_cast<double>(state.iterations()) / static_cast<double>(kEpochs) * 1e3;
}

void BM_HandWrittenSaga(benchmark::State& state) {
  double total = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Vector x = run_hand_written(jit_step, true);
    benchmark::DoNotOptimize(x.data());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    total += took.count();
  }
  per_epoch(state, total);
}

void BM_HandWrittenSagaNoCertificate(benchmark::State& state) {
  double total = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Vector x = run_hand_written(jit_step, false);
    benchmark::DoNotOptimize(x.data());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    state.SetIterationTime(took.count());
    total += took.count();
  }
  per_epoch(state, total);
}

// Summary::timing.run_s: the kernel's run, without the solve's set-up (the kernel is cached).
void BM_JitSaga(benchmark::State& state) {
  double total = 0.0;
  for (auto _ : state) {
    const proxjit::Summary s = run_jit();
    state.SetIterationTime(s.timing.run_s);
    total += s.timing.run_s;
  }
  per_epoch(state, total);
}

BENCHMARK(BM_HandWrittenSaga)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandWrittenSagaNoCertificate)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitSaga)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    check_agreement();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_saga: %s\n", e.what());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
