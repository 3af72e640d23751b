// L1-regularized logistic regression against liblinear (Debian liblinear-dev), in one process:
// liblinear's train() (-s 6, no bias) and proxjit's Engine::solve (auto: cd, kernel compiled
// before timing) on the same CSR data, each the best (and the median) of alternating runs, to the
// same accuracy. Both times are whole calls: train() copies the data column-wise and solves; the
// solve call (on a fresh Problem, which takes the CSR matrix over and validates it inside the
// timing, as train() is handed liblinear's rows) makes its padded and CSC copies, runs the kernel
// and checks the duality gap.
//
//   liblinear -s 6 minimizes  ||w||_1 + C sum_i log(1 + exp(-y_i w'x_i))
//   proxjit minimizes         1/n sum_i log(1 + exp(-b_i a_i'x)) + lambda ||x||_1
// the same problem (scaled by 1/(C n)) when lambda = 1/(C n).
//
// proxjit runs until its duality gap is <= 1e-8; liblinear's stopping rule is relative (eps on
// its gradient norm), so eps is tightened (1e-2, 1e-3, ..., 1e-8) until liblinear's objective is
// within 1e-8 of proxjit's: the same accuracy. Timings exclude reading the data on both sides.
// Usage: proxjit_bench_vs_liblinear [heart_scale path]
#include <linear.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "proxjit/engine.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/synthetic.h"

namespace {

using proxjit::SparseMatrix;
using proxjit::Vector;

// Each side runs at least kMinRepeats times, alternating with the other (so that the shared
// machine's noise falls on both alike), and until both have run kMinSeconds (at most
// kMaxRepeats times): a 0.3 ms solve gets hundreds of runs, a 80 ms one a handful.
constexpr int kMinRepeats = 5;
constexpr int kMaxRepeats = 401;
constexpr double kMinSeconds = 0.4;
constexpr double kGapTolerance = 1e-8;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t half = values.size() / 2;
  return values.size() % 2 ? values[half] : 0.5 * (values[half - 1] + values[half]);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// liblinear's view of the same CSR rows: 1-based feature indices, each row ended by index -1.
struct LiblinearData {
  std::vector<feature_node> nodes;
  std::vector<feature_node*> rows;
  std::vector<double> labels;
  problem prob{};

  LiblinearData(const SparseMatrix& A, const Vector& b) {
    nodes.reserve(static_cast<std::size_t>(A.nonZeros() + A.rows()));
    std::vector<std::size_t> starts;
    for (Eigen::Index i = 0; i < A.rows(); ++i) {
      starts.push_back(nodes.size());
      for (SparseMatrix::InnerIterator it(A, i); it; ++it)
        nodes.push_back({static_cast<int>(it.col()) + 1, it.value()});
      nodes.push_back({-1, 0.0});
      labels.push_back(b[i]);
    }
    for (std::size_t start : starts)
      rows.push_back(nodes.data() + start);
    prob.l = static_cast<int>(A.rows());
    prob.n = static_cast<int>(A.cols());
    prob.y = labels.data();
    prob.x = rows.data();
    prob.bias = -1;
  }
};

// liblinear's w as proxjit's x: w scores label[0], so it is negated when label[0] is -1.
Vector train_liblinear(const LiblinearData& data, double C, double eps) {
  parameter param{};
  param.solver_type = L1R_LR;
  param.C = C;
  param.eps = eps;
  model* trained = train(&data.prob, &param);
  Vector w = Eigen::Map<const Vector>(trained->w, data.prob.n);
  if (trained->nr_class == 2 && trained->label[0] == -1) w = -w;
  free_and_destroy_model(&trained);
  return w;
}

void compare(proxjit::Engine& engine, const std::string& name, const SparseMatrix& A,
             const Vector& b, double C) {
  const double lambda = 1.0 / (C * static_cast<double>(A.rows()));
  const proxjit::Problem problem(proxjit::SmoothComponent::parse("logistic"),
                                 proxjit::ProxComponent::make("l1", {{"lambda", lambda}}), A, b);
  proxjit::SolverOptions options;
  options.algorithm = proxjit::Algorithm::automatic;
  options.tolerance = 0.0;
  options.gap_tolerance = kGapTolerance;
  options.max_iterations = 100000;
  proxjit::Summary best = engine.solve(problem, options);  // compiles
  const LiblinearData data(A, b);
  double eps = 1e-2;
  Vector w;
  double objective = 0.0;
  for (; eps >= 1e-8; eps /= 10) {
    w = train_liblinear(data, C, eps);
    objective = problem.objective(w);
    if (objective <= best.objective + kGapTolerance) break;
  }

  // The whole solve call on a fresh Problem each time: validating the data, the padded and CSC
  // copies, the kernel run and the gap checks, as train() transposes the data and solves.
  std::vector<double> proxjit_runs, liblinear_runs;
  double total = 0.0;
  while (static_cast<int>(proxjit_runs.size()) < kMaxRepeats &&
         (static_cast<int>(proxjit_runs.size()) < kMinRepeats || total < kMinSeconds)) {
    SparseMatrix moved = A;  // the caller's matrix, moved into the Problem (not copied)
    auto start = std::chrono::steady_clock::now();
    const proxjit::Problem fresh(problem.f(), problem.r(), std::move(moved), b);
    best = engine.solve(fresh, options);
    proxjit_runs.push_back(seconds_since(start));
    start = std::chrono::steady_clock::now();
    train_liblinear(data, C, eps);
    liblinear_runs.push_back(seconds_since(start));
    total += std::min(proxjit_runs.back(), liblinear_runs.back());
  }
  const double proxjit_s = *std::min_element(proxjit_runs.begin(), proxjit_runs.end());
  const double liblinear_s = *std::min_element(liblinear_runs.begin(), liblinear_runs.end());
  const double median_ratio = median(proxjit_runs) / median(liblinear_runs);
  std::printf("%-22s %6g %9.3g %10.4f %10.4f %8.3gx %8.3gx %5zu  %.12f %.12f %9.2e %4s %5lld\n",
              name.c_str(), C, eps, liblinear_s * 1e3, proxjit_s * 1e3, proxjit_s / liblinear_s,
              median_ratio, proxjit_runs.size(), objective, best.objective, best.duality_gap,
              std::string(proxjit::to_string(best.algorithm)).c_str(),
              static_cast<long long>(best.iterations));
}

}  // namespace

int main(int argc, char** argv) {
  set_print_string_function([](const char*) {});
  const std::string heart_scale =
      argc > 1 ? argv[1] : "/usr/share/doc/liblinear-tools/examples/heart_scale";
  proxjit::EngineOptions engine_options;
  engine_options.disk_cache = false;
  proxjit::Engine engine(engine_options);
  std::printf(
      "L1 logistic regression, lambda = 1/(C n): liblinear train() (-s 6, no bias, eps "
      "tightened to proxjit's accuracy) against proxjit (gap <= %g), in process; best and "
      "median of `runs` alternating runs each\n",
      kGapTolerance);
  std::printf("%-22s %6s %9s %10s %10s %9s %9s %5s  %-14s %-14s %9s %4s %5s\n", "data", "C",
              "lib_eps", "lib_ms", "proxjit_ms", "ratio", "median", "runs", "obj_liblinear",
              "obj_proxjit", "gap", "alg", "iters");
  try {
    proxjit::LabeledSparseData heart = proxjit::load_libsvm_sparse(heart_scale);
    compare(engine, "heart_scale", heart.A, heart.b, 1.0);
  } catch (const std::exception& e) {
    std::printf("heart_scale skipped: %s\n", e.what());
  }
  proxjit::SyntheticProblem synthetic = proxjit::make_classification(20000, 5000, 0.002, 0);
  synthetic.A.makeCompressed();
  for (double C : {0.05, 1.0, 5.0})
    compare(engine, "synthetic_20000x5000", synthetic.A, synthetic.b, C);
  std::printf(
      "ratio = proxjit_ms / lib_ms, the best runs; median = the ratio of the medians (below 1: "
      "proxjit faster)\n");
  return 0;
}
