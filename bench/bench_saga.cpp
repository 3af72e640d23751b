// SAGA on sparse logistic + L1 (make_classification(20000, 5000, 0.002, seed 0) as CSR): the JIT
// SAGA kernel (through Engine::solve, compile excluded) against a hand-written C++ sparse SAGA
// loop compiled -O3 -march=native (saga_baseline.cpp), the same algorithm with the same lagged
// updates, sample sequence and per-epoch certificate. Both run kEpochs epochs from x = 0 with
// the default step 1/(3 L_max); the counter per_epoch_ms is the time of one epoch. main checks
// first that both give the same x (1e-9 relative) and aborts otherwise. BM_HandWrittenSaga
// NoCertificate leaves the per-epoch full gradient out, for scale.
//
// BM_JitSagaGroupLagged / BM_JitSagaGroupDense: SAGA on the same data with group_l2 (groups of
// 10 or 50 features, the argument), one JIT kernel called directly with and without
// KernelArgs::groups: lagged per-group steps against dense steps (the whole x and a prox call every
// step). main checks that both give the same x (1e-9 relative) first.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/codegen/kernel_data.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/stochastic_solver.h"
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

// ---- group_l2: lagged against dense steps ----
constexpr double kGroupLambda = 5e-4;

struct GroupSetup {
  proxjit::Problem problem;
  proxjit::KernelSpec spec;
  proxjit::CompiledKernel kernel;
  std::vector<std::int64_t> groups;  // KernelArgs::groups
  double step;
};

const GroupSetup& group_setup(Eigen::Index group_size) {
  static proxjit::JitCompiler compiler;
  static std::map<Eigen::Index, GroupSetup> setups;
  if (auto found = setups.find(group_size); found != setups.end()) return found->second;
  GroupSetup made = [&] {
    const Setup& base = setup();
    std::string text = "group_l2(lambda=" + std::to_string(kGroupLambda) + ", groups=[";
    for (Eigen::Index g = 0; g < kCols / group_size; ++g)
      text += (g ? ", " : "") + std::to_string(group_size);
    proxjit::Problem problem(proxjit::SmoothComponent::parse("logistic"),
                             proxjit::ProxComponent::parse(text + "])"), base.A, base.b);
    const proxjit::KernelSpec spec = engine().kernel_spec(problem, options());
    const proxjit::GroupLag lag = proxjit::group_lag(problem.r(), problem.features());
    if (!lag.active()) std::abort();
    std::vector<std::int64_t> groups = lag.of;
    groups.insert(groups.end(), lag.start.begin(), lag.start.end());
    proxjit::CompiledKernel kernel =
        compiler.compile(spec, {}, "bench_saga_group" + std::to_string(group_size));
    return GroupSetup{std::move(problem), spec, std::move(kernel), std::move(groups), jit_step};
  }();
  return setups.emplace(group_size, std::move(made)).first->second;
}

void call_prox(void* context, const void* y, double step, void* out, std::int64_t n) {
  static_cast<const proxjit::ProxComponent*>(context)->prox<double>(
      static_cast<const double*>(y), step, static_cast<double*>(out), static_cast<std::size_t>(n));
}

// kEpochs epochs of SAGA from x = 0; returns x and the seconds they took.
Vector run_group(Eigen::Index group_size, bool lagged, double* seconds) {
  const GroupSetup& s = group_setup(group_size);
  const proxjit::KernelData<double>& data = s.problem.kernel_data<double>(s.spec.layout);
  proxjit::AlignedBuffer<double> x(proxjit::padded_length(data.cols));
  proxjit::AlignedBuffer<double> work(proxjit::kernel_work_size(s.spec, data.rows, data.cols));
  proxjit::KernelArgs args;
  args.A = data.A.data();
  args.b = data.b.data();
  args.x = x.data();
  args.work = work.data();
  args.rows = data.rows;
  args.cols = data.cols;
  args.params = s.problem.r().parameters().data();
  args.step = jit_step;
  args.max_iterations = kEpochs;
  args.offsets = data.offsets.data();
  args.indices = data.indices.data();
  args.loss_params = s.problem.f().parameters().data();
  args.penalized = s.problem.features();
  args.prox_call = call_prox;
  args.prox_context = const_cast<proxjit::ProxComponent*>(&s.problem.r());
  args.seed = kSeed;
  args.groups = lagged ? s.groups.data() : nullptr;
  const auto start = std::chrono::steady_clock::now();
  s.kernel.entry(&args);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (seconds) *seconds = took.count();
  return Vector(Eigen::Map<const Vector>(x.data(), data.cols));
}

void check_group_agreement(Eigen::Index group_size) {
  double lagged_seconds = 0.0, dense_seconds = 0.0;
  const Vector lagged = run_group(group_size, true, &lagged_seconds);
  const Vector dense = run_group(group_size, false, &dense_seconds);
  const double scale = std::max(dense.lpNorm<Eigen::Infinity>(), 1e-300);
  const double diff = (lagged - dense).lpNorm<Eigen::Infinity>() / scale;
  Eigen::Index nonzero_groups = 0;
  for (Eigen::Index g = 0; g < kCols / group_size; ++g)
    nonzero_groups += dense.segment(g * group_size, group_size).squaredNorm() > 0.0;
  std::fprintf(stderr,
               "bench_saga: group_l2(lambda=%g, %lld groups of %lld): %lld nonzero groups after "
               "%lld epochs, max|x_lagged - x_dense| / max|x_dense| = %.3g, one run: lagged "
               "%.2f ms/epoch, dense %.2f ms/epoch\n",
               kGroupLambda, static_cast<long long>(kCols / group_size),
               static_cast<long long>(group_size), static_cast<long long>(nonzero_groups),
               static_cast<long long>(kEpochs), diff, lagged_seconds / kEpochs * 1e3,
               dense_seconds / kEpochs * 1e3);
  if (!(diff <= 1e-9)) {
    std::fprintf(stderr, "bench_saga: the lagged and dense group iterates differ; aborting\n");
    std::abort();
  }
}

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

void BM_JitSagaGroup(benchmark::State& state, bool lagged) {
  double total = 0.0;
  for (auto _ : state) {
    double seconds = 0.0;
    Vector x = run_group(state.range(0), lagged, &seconds);
    benchmark::DoNotOptimize(x.data());
    state.SetIterationTime(seconds);
    total += seconds;
  }
  per_epoch(state, total);
}
void BM_JitSagaGroupLagged(benchmark::State& state) {
  BM_JitSagaGroup(state, true);
}
void BM_JitSagaGroupDense(benchmark::State& state) {
  BM_JitSagaGroup(state, false);
}

BENCHMARK(BM_HandWrittenSaga)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandWrittenSagaNoCertificate)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitSaga)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitSagaGroupLagged)->Arg(10)->Arg(50)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JitSagaGroupDense)->Arg(10)->Arg(50)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    check_agreement();
    check_group_agreement(10);
    check_group_agreement(50);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_saga: %s\n", e.what());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
