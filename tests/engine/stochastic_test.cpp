// The stochastic solvers (sgd, saga, svrg): they reach FISTA's optimum, the JIT kernels follow
// the reference path step by step for a fixed seed, CSR and dense storage of the same data give
// the same iterates (lagged sparse updates are exact), and the seed decides the path.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "proxjit/codegen/jit_compiler.h"
#include "proxjit/codegen/kernel_data.h"
#include "proxjit/engine.h"
#include "proxjit/runtime/stochastic_solver.h"
#include "proxjit/runtime/synthetic.h"

namespace proxjit {
namespace {

Engine& shared_engine() {
  static Engine engine(EngineOptions{.disk_cache = false});
  return engine;
}

constexpr Eigen::Index kSamples = 200, kFeatures = 30;

struct Data {
  SparseMatrix A;
  Vector b;
};

Data data_for(const std::string& loss, double density = 0.3, unsigned seed = 0) {
  SyntheticProblem p = loss == "logistic" || loss == "squared_hinge"
                           ? make_classification(kSamples, kFeatures, density, seed)
                           : make_regression(kSamples, kFeatures, density, seed);
  return {std::move(p.A), std::move(p.b)};
}

Problem make_problem(const std::string& loss, const std::string& prox, bool sparse,
                     double density = 0.3) {
  Data data = data_for(loss, density);
  if (sparse) {
    return Problem(SmoothComponent::parse(loss), ProxComponent::parse(prox), data.A, data.b);
  }
  return Problem(SmoothComponent::parse(loss), ProxComponent::parse(prox), Matrix(data.A), data.b);
}

SolverOptions stochastic(Algorithm algorithm) {
  SolverOptions o;
  o.algorithm = algorithm;
  o.fallback_to_reference = false;
  return o;
}

Vector oracle(const Problem& problem) {
  SolverOptions o;
  o.algorithm = Algorithm::fista;
  o.tolerance = 1e-12;
  o.max_iterations = 200000;
  const Summary s = shared_engine().solve(problem, o);
  EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
  return s.x;
}

double relative_distance(const Vector& x, const Vector& reference) {
  return (x - reference).norm() / std::max(1.0, reference.norm());
}

const char* const kProxes[] = {"l1(lambda=0.02)", "elastic_net(l1=0.02, l2=0.05)",
                               "l2sq(lambda=0.1)", "group_l2(lambda=0.05, groups=[10, 20])"};

// SAGA and SVRG converge linearly on these problems: with the certificate (the gradient mapping
// at the base step, which bounds the distance to the optimum by certificate / mu for a
// mu-strongly convex objective, and is zero exactly at the optimum) at 1e-9, the distance to
// FISTA's answer (itself at certificate 1e-12) is well below 1e-6.
TEST(Stochastic, VarianceReducedReachFistasOptimum) {
  for (const char* loss : {"least_squares", "logistic", "squared_hinge"}) {
    for (const char* prox : kProxes) {
      for (const bool sparse : {false, true}) {
        const Problem problem = make_problem(loss, prox, sparse);
        const Vector best = oracle(problem);
        for (const Algorithm algorithm : {Algorithm::saga, Algorithm::svrg}) {
          SolverOptions o = stochastic(algorithm);
          o.tolerance = 1e-9;
          o.max_iterations = 5000;
          const Summary s = shared_engine().solve(problem, o);
          SCOPED_TRACE(std::string(loss) + " " + prox + (sparse ? " csr " : " dense ") +
                       std::string(to_string(algorithm)));
          EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
          EXPECT_LT(relative_distance(s.x, best), 1e-6);
        }
      }
    }
  }
}

// SGD with the whole data as its batch and a constant step is proximal gradient: it converges
// to the optimum (with shuffled epochs, a batch is every sample once). With one sample a step,
// a decaying step and averaging it gets close (a sublinear rate).
TEST(Stochastic, SgdReachesFistasOptimum) {
  for (const bool sparse : {false, true}) {
    const Problem problem = make_problem("logistic", "l1(lambda=0.02)", sparse);
    const Vector best = oracle(problem);
    SolverOptions full = stochastic(Algorithm::sgd);
    full.batch_size = kSamples;
    full.step_schedule = StepSchedule::constant;
    full.sampling = Sampling::shuffle;  // each batch is every sample once
    full.tolerance = 1e-9;
    full.max_iterations = 100000;
    full.step = 1.0 / problem.lipschitz();
    const Summary exact = shared_engine().solve(problem, full);
    EXPECT_EQ(exact.status, SolveStatus::converged) << exact.message;
    EXPECT_LT(relative_distance(exact.x, best), 1e-6);

    SolverOptions small = stochastic(Algorithm::sgd);
    small.tolerance = 0;
    small.max_iterations = 300;
    small.averaging = true;
    const Summary near = shared_engine().solve(problem, small);
    EXPECT_LT(relative_distance(near.x, best), 0.1) << (sparse ? "csr" : "dense");
    EXPECT_LT(near.objective - problem.objective(best), 1e-3);
  }
}

struct Case {
  Algorithm algorithm;
  std::string loss, prox;
  bool sparse;
  ScalarType scalar;
  Sampling sampling;
  std::int64_t batch;
  StepSchedule schedule;
  bool averaging;
};

Summary run_case(const Case& c, Backend backend, const Problem& problem) {
  SolverOptions o = stochastic(c.algorithm);
  o.backend = backend;
  o.scalar = c.scalar;
  o.tolerance = 0;
  o.max_iterations = 4;
  o.seed = 7;
  o.sampling = c.sampling;
  o.batch_size = c.batch;
  o.step_schedule = c.schedule;
  o.averaging = c.averaging;
  return shared_engine().solve(problem, o);
}

TEST(Stochastic, JitFollowsTheReference) {
  std::vector<Case> cases;
  std::string weights = "[";
  for (int j = 0; j < kFeatures; ++j)
    weights += (j ? ", " : "") + std::to_string(0.5 + 0.05 * j);
  weights += "]";
  const std::vector<std::string> proxes = {"l1(lambda=0.02)",
                                           "elastic_net(l1=0.02, l2=0.05)",
                                           "l2sq(lambda=0.1)",
                                           "box(lo=-0.2, hi=0.3)",
                                           "group_l2(lambda=0.05, groups=[10, 20])",
                                           "l1(lambda=0.02, weights=" + weights + ")"};
  for (const Algorithm algorithm : {Algorithm::sgd, Algorithm::saga, Algorithm::svrg}) {
    for (const std::string& prox : proxes) {
      for (const bool sparse : {false, true}) {
        for (const char* loss : {"logistic", "least_squares"}) {
          cases.push_back({algorithm, loss, prox, sparse, ScalarType::f64,
                           Sampling::with_replacement, 1, StepSchedule::decay, false});
        }
      }
    }
    cases.push_back({algorithm, "huber(delta=0.5)", "l1(lambda=0.02)", true, ScalarType::f64,
                     Sampling::shuffle, 1, StepSchedule::inv_sqrt_t, false});
    cases.push_back({algorithm, "logistic", "elastic_net(l1=0.02, l2=0.05)", true, ScalarType::f32,
                     Sampling::with_replacement, 1, StepSchedule::decay, false});
    cases.push_back({algorithm, "logistic", "l1(lambda=0.02)", false, ScalarType::f32,
                     Sampling::shuffle, 1, StepSchedule::decay, false});
  }
  for (const bool sparse : {false, true}) {
    cases.push_back({Algorithm::sgd, "logistic", "l1(lambda=0.02)", sparse, ScalarType::f64,
                     Sampling::shuffle, 16, StepSchedule::inv_t, true});
    cases.push_back({Algorithm::sgd, "least_squares", "l2sq(lambda=0.1)", sparse, ScalarType::f64,
                     Sampling::with_replacement, 7, StepSchedule::constant, true});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.algorithm)) + " " + c.loss + " " + c.prox +
                 (c.sparse ? " csr " : " dense ") + std::string(to_string(c.scalar)) + " " +
                 std::string(to_string(c.sampling)));
    const Problem problem = make_problem(c.loss, c.prox, c.sparse);
    const Summary reference = run_case(c, Backend::reference, problem);
    const Summary jit = run_case(c, Backend::jit, problem);
    ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
    ASSERT_EQ(reference.status, SolveStatus::max_iterations) << reference.message;
    EXPECT_EQ(jit.status, reference.status);
    EXPECT_EQ(jit.iterations, reference.iterations);
    const double tolerance = c.scalar == ScalarType::f64 ? 1e-12 : 1e-5;
    EXPECT_LE((jit.x - reference.x).norm(), tolerance * std::max(1.0, reference.x.norm()));
    EXPECT_NEAR(jit.certificate, reference.certificate,
                (c.scalar == ScalarType::f64 ? 1e-9 : 1e-3) * std::max(1.0, reference.certificate));
  }
}

// Lagged updates on CSR data give the dense iterates: the skipped steps are applied exactly (in
// closed form, or one by one when a coordinate changes sign), only the rounding differs.
TEST(Stochastic, SparseAndDenseStorageGiveTheSameIterates) {
  for (const Algorithm algorithm : {Algorithm::sgd, Algorithm::saga, Algorithm::svrg}) {
    for (const char* prox : {"l1(lambda=0.02)", "elastic_net(l1=0.02, l2=0.05)", "l2sq(lambda=0.1)",
                             "box(lo=-0.2, hi=0.3)", "nonneg", "zero"}) {
      for (const char* loss : {"logistic", "least_squares"}) {
        for (const Backend backend : {Backend::jit, Backend::reference}) {
          SCOPED_TRACE(std::string(to_string(algorithm)) + " " + loss + " " + prox + " " +
                       std::string(to_string(backend)));
          // A sparser matrix: most coordinates skip many steps between visits.
          const Problem dense = make_problem(loss, prox, false, 0.1);
          const Problem sparse = make_problem(loss, prox, true, 0.1);
          SolverOptions o = stochastic(algorithm);
          o.backend = backend;
          o.tolerance = 0;
          o.max_iterations = 10;
          o.seed = 3;
          const Summary a = shared_engine().solve(dense, o);
          const Summary b = shared_engine().solve(sparse, o);
          EXPECT_LE((a.x - b.x).norm(), 1e-10 * std::max(1.0, a.x.norm()));
        }
      }
    }
  }
}

// SGD on CSR data with l1, l2sq, nonneg or box takes lagged steps (only the batch's nonzeros;
// the skipped prox-only steps composed in closed form): for every step schedule, one sample or a
// mini-batch a step, the JIT follows the reference and CSR storage gives the dense iterates.
TEST(Stochastic, LaggedSgdFollowsTheDenseIterates) {
  for (const char* prox :
       {"l1(lambda=0.02)", "l2sq(lambda=0.1)", "nonneg", "box(lo=-0.2, hi=0.3)"}) {
    for (const StepSchedule schedule : {StepSchedule::constant, StepSchedule::inv_t,
                                        StepSchedule::inv_sqrt_t, StepSchedule::decay}) {
      for (const std::int64_t batch : {1, 5}) {
        const Sampling sampling = batch == 1 ? Sampling::with_replacement : Sampling::shuffle;
        const char* loss = batch == 1 ? "logistic" : "least_squares";
        SCOPED_TRACE(std::string(prox) + " " + std::string(to_string(schedule)) + " batch " +
                     std::to_string(batch));
        const Problem dense = make_problem(loss, prox, false, 0.1);
        const Problem sparse = make_problem(loss, prox, true, 0.1);
        const Case c{Algorithm::sgd, loss,  prox,     true, ScalarType::f64,
                     sampling,       batch, schedule, false};
        const Summary reference = run_case(c, Backend::reference, sparse);
        const Summary jit = run_case(c, Backend::jit, sparse);
        ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
        EXPECT_LE((jit.x - reference.x).norm(), 1e-12 * std::max(1.0, reference.x.norm()));
        EXPECT_NEAR(jit.certificate, reference.certificate,
                    1e-9 * std::max(1.0, reference.certificate));
        for (const Backend backend : {Backend::jit, Backend::reference}) {
          const Summary a = run_case(c, backend, dense);
          const Summary b = backend == Backend::jit ? jit : reference;
          EXPECT_LE((a.x - b.x).norm(), 1e-10 * std::max(1.0, a.x.norm())) << to_string(backend);
        }
      }
    }
  }
  // Single precision: the JIT follows the reference.
  const Case c{Algorithm::sgd,    "logistic", "l1(lambda=0.02)",   true, ScalarType::f32,
               Sampling::shuffle, 3,          StepSchedule::inv_t, false};
  const Problem problem = make_problem(c.loss, c.prox, true, 0.1);
  const Summary reference = run_case(c, Backend::reference, problem);
  const Summary jit = run_case(c, Backend::jit, problem);
  EXPECT_LE((jit.x - reference.x).norm(), 1e-5 * std::max(1.0, reference.x.norm()));
}

// group_l2 on CSR data takes lagged per-group steps where the groups allow it (the largest at
// most a quarter of the features); they are the dense iterates up to rounding.
const char* const kSmallGroups[] = {"group_l2(lambda=0.05, groups=[4, 6, 5, 7, 3, 5])",
                                    // Large enough to zero groups: the closed form on the ray.
                                    "group_l2(lambda=0.3, groups=[3, 3, 3, 3, 3, 3, 3, 3, 3, 3])"};

Problem group_problem(const std::string& loss, const std::string& prox, bool sparse,
                      bool intercept) {
  Data data = data_for(loss, 0.1);
  ProblemOptions options;
  options.fit_intercept = intercept;
  if (sparse) {
    return Problem(SmoothComponent::parse(loss), ProxComponent::parse(prox), data.A, data.b,
                   options);
  }
  return Problem(SmoothComponent::parse(loss), ProxComponent::parse(prox), Matrix(data.A), data.b,
                 options);
}

TEST(Stochastic, GroupsAllowLaggedSteps) {
  for (const char* prox : kSmallGroups)
    EXPECT_TRUE(group_lag(ProxComponent::parse(prox), kFeatures).active()) << prox;
  // One group, or one over a quarter of x: most steps would touch much of x; dense steps.
  for (const char* prox :
       {"group_l2(lambda=0.05, groups=[30])", "group_l2(lambda=0.05, groups=[10, 20])",
        "group_l2(lambda=0.05, groups=[8, 2, 5, 5, 5, 5])", "l1(lambda=0.1)"}) {
    EXPECT_FALSE(group_lag(ProxComponent::parse(prox), kFeatures).active()) << prox;
  }
  const GroupLag lag = group_lag(ProxComponent::parse(kSmallGroups[0]), kFeatures);
  EXPECT_EQ(lag.start, (std::vector<std::int64_t>{0, 4, 10, 15, 22, 25, 30}));
  EXPECT_EQ(lag.slot(3), 0);
  EXPECT_EQ(lag.slot(4), 1);
  EXPECT_EQ(lag.slot(29), 5);
  EXPECT_EQ(lag.slot(30), 30);  // an intercept keeps its own lag
  EXPECT_DOUBLE_EQ(lag.lambda, 0.05);
}

// A catch-up of k skipped steps is the k steps one by one (the block prox of the dense path).
TEST(Stochastic, GroupCatchUpIsTheStepsOneByOne) {
  const double step = 0.1;
  Vector c(3);
  c << 0.3, -0.2, 0.5;
  for (const double lambda : {0.0, 0.2, 0.6, 1.0}) {
    for (const double scale : {0.0, 0.01, 1.0}) {
      for (const std::int64_t k : {1, 2, 7, 40, 500}) {
        Vector x(3);
        x << 1.0 * scale, 2.0 * scale, -0.5 * scale;
        Vector stepped = x;
        for (std::int64_t s = 0; s < k; ++s) {
          const Vector y = stepped - step * c;
          const double norm = y.norm();
          stepped = (norm > step * lambda ? 1.0 - step * lambda / norm : 0.0) * y;
        }
        group_catch_up<double>(x, c, 0, 3, k, step, lambda);
        EXPECT_LE((x - stepped).norm(), 1e-12 * std::max(1.0, stepped.norm()))
            << "lambda " << lambda << " scale " << scale << " k " << k;
      }
    }
  }
}

TEST(Stochastic, LaggedGroupStepsFollowTheDenseIterates) {
  for (const Algorithm algorithm : {Algorithm::saga, Algorithm::svrg}) {
    for (const char* prox : kSmallGroups) {
      for (const char* loss : {"logistic", "least_squares"}) {
        for (const bool intercept : {false, true}) {
          SCOPED_TRACE(std::string(to_string(algorithm)) + " " + loss + " " + prox +
                       (intercept ? " intercept" : ""));
          const Problem dense = group_problem(loss, prox, false, intercept);
          const Problem sparse = group_problem(loss, prox, true, intercept);
          for (const ScalarType scalar : {ScalarType::f64, ScalarType::f32}) {
            const Case c{
                algorithm,           loss, prox, true, scalar, Sampling::with_replacement, 1,
                StepSchedule::decay, false};
            const Summary reference = run_case(c, Backend::reference, sparse);
            const Summary jit = run_case(c, Backend::jit, sparse);
            ASSERT_EQ(reference.status, SolveStatus::max_iterations) << reference.message;
            ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
            ASSERT_EQ(jit.status, SolveStatus::max_iterations) << jit.message;
            const double tolerance = scalar == ScalarType::f64 ? 1e-12 : 1e-5;
            EXPECT_LE((jit.x - reference.x).norm(), tolerance * std::max(1.0, reference.x.norm()));
            EXPECT_NEAR(
                jit.certificate, reference.certificate,
                (scalar == ScalarType::f64 ? 1e-9 : 1e-3) * std::max(1.0, reference.certificate));
            if (scalar == ScalarType::f32) continue;
            for (const Backend backend : {Backend::jit, Backend::reference}) {
              const Summary a = run_case(c, backend, dense);
              const Summary b = backend == Backend::jit ? jit : reference;
              EXPECT_LE((a.x - b.x).norm(), 1e-10 * std::max(1.0, a.x.norm()))
                  << to_string(backend);
            }
          }
          // Shuffled epochs.
          const Case shuffled{
              algorithm,           loss, prox, true, ScalarType::f64, Sampling::shuffle, 1,
              StepSchedule::decay, false};
          const Summary reference = run_case(shuffled, Backend::reference, sparse);
          const Summary jit = run_case(shuffled, Backend::jit, sparse);
          EXPECT_LE((jit.x - reference.x).norm(), 1e-12 * std::max(1.0, reference.x.norm()));
          const Summary a = run_case(shuffled, Backend::reference, dense);
          EXPECT_LE((a.x - reference.x).norm(), 1e-10 * std::max(1.0, a.x.norm()));
        }
      }
    }
  }
}

// The kernel's lagged group path takes no whole-vector step: it calls the prox (on all of x)
// only for each epoch's certificate, where dense steps call it every step too. Counted on a
// kernel called directly, with and without KernelArgs::groups.
struct CountingProx {
  const ProxComponent* r = nullptr;
  std::int64_t calls = 0;
};
void counting_prox(void* context, const void* y, double step, void* out, std::int64_t n) {
  auto* counting = static_cast<CountingProx*>(context);
  ++counting->calls;
  counting->r->prox<double>(static_cast<const double*>(y), step, static_cast<double*>(out),
                            static_cast<std::size_t>(n));
}

TEST(Stochastic, LaggedGroupStepsTouchOnlyTheSamplesGroups) {
  for (const Algorithm algorithm : {Algorithm::saga, Algorithm::svrg}) {
    SCOPED_TRACE(std::string(to_string(algorithm)));
    const Problem problem = group_problem("logistic", kSmallGroups[0], true, true);
    SolverOptions o = stochastic(algorithm);
    const KernelSpec spec = shared_engine().kernel_spec(problem, o);
    ASSERT_TRUE(spec.prox_call);
    ASSERT_EQ(spec.layout, Layout::csr);
    JitCompiler compiler;
    const CompiledKernel kernel =
        compiler.compile(spec, CodegenOptions{}, "group_lazy_" + std::string(to_string(algorithm)));
    const KernelData<double>& data = problem.kernel_data<double>(spec.layout);
    const GroupLag lag = group_lag(problem.r(), problem.features());
    ASSERT_TRUE(lag.active());
    std::vector<std::int64_t> groups = lag.of;
    groups.insert(groups.end(), lag.start.begin(), lag.start.end());
    constexpr std::int64_t kEpochs = 3;
    const auto run = [&](const std::int64_t* group_array, CountingProx& counting) {
      AlignedBuffer<double> x(padded_length(data.cols));
      AlignedBuffer<double> work(kernel_work_size(spec, data.rows, data.cols));
      KernelArgs args;
      args.A = data.A.data();
      args.b = data.b.data();
      args.x = x.data();
      args.work = work.data();
      args.rows = data.rows;
      args.cols = data.cols;
      args.params = problem.r().parameters().data();
      args.step = 0.05;
      args.max_iterations = kEpochs;
      args.offsets = data.offsets.data();
      args.indices = data.indices.data();
      args.loss_params = problem.f().parameters().data();
      args.penalized = problem.features();
      args.prox_call = counting_prox;
      args.prox_context = &counting;
      args.seed = 5;
      args.groups = group_array;
      kernel.entry(&args);
      EXPECT_EQ(args.iterations, kEpochs);
      return Vector(Eigen::Map<const Vector>(x.data(), data.cols));
    };
    CountingProx lagged{&problem.r()}, dense{&problem.r()};
    const Vector a = run(groups.data(), lagged);
    const Vector b = run(nullptr, dense);
    EXPECT_EQ(lagged.calls, kEpochs);                   // the certificates only
    EXPECT_EQ(dense.calls, kEpochs * (data.rows + 1));  // and every step
    EXPECT_LE((a - b).norm(), 1e-10 * std::max(1.0, b.norm()));
  }
}

TEST(Stochastic, LaggedGroupStepsReachFistasOptimum) {
  for (const char* prox : kSmallGroups) {
    for (const char* loss : {"logistic", "least_squares"}) {
      const Problem problem = group_problem(loss, prox, true, false);
      const Vector best = oracle(problem);
      for (const Algorithm algorithm : {Algorithm::saga, Algorithm::svrg}) {
        SCOPED_TRACE(std::string(loss) + " " + prox + " " + std::string(to_string(algorithm)));
        SolverOptions o = stochastic(algorithm);
        o.tolerance = 1e-9;
        o.max_iterations = 5000;
        const Summary s = shared_engine().solve(problem, o);
        EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
        EXPECT_LT(relative_distance(s.x, best), 1e-6);
        EXPECT_NEAR(s.objective, problem.objective(best), 1e-10);
      }
    }
  }
}

TEST(Stochastic, TheSeedDecidesThePath) {
  for (const Algorithm algorithm : {Algorithm::sgd, Algorithm::saga, Algorithm::svrg}) {
    for (const Sampling sampling : {Sampling::with_replacement, Sampling::shuffle}) {
      const Problem problem = make_problem("logistic", "l1(lambda=0.02)", true);
      SolverOptions o = stochastic(algorithm);
      o.sampling = sampling;
      o.tolerance = 0;
      o.max_iterations = 3;
      o.seed = 11;
      const Summary first = shared_engine().solve(problem, o);
      const Summary again = shared_engine().solve(problem, o);
      EXPECT_EQ(first.x, again.x);
      o.seed = 12;
      const Summary other = shared_engine().solve(problem, o);
      EXPECT_GT((first.x - other.x).norm(), 1e-8);
      if (algorithm == Algorithm::sgd) continue;
      // ... and the same optimum.
      o.tolerance = 1e-9;
      o.max_iterations = 5000;
      const Summary end_a = shared_engine().solve(problem, o);
      o.seed = 11;
      const Summary end_b = shared_engine().solve(problem, o);
      EXPECT_EQ(end_a.status, SolveStatus::converged);
      EXPECT_LT(relative_distance(end_a.x, end_b.x), 1e-6);
    }
  }
}

TEST(Stochastic, OptionsAndErrors) {
  const Problem problem = make_problem("logistic", "l1(lambda=0.02)", true);
  SolverOptions o = stochastic(Algorithm::saga);
  o.batch_size = 4;
  EXPECT_THROW(shared_engine().solve(problem, o), Error);
  o.batch_size = 0;
  EXPECT_THROW(shared_engine().solve(problem, o), Error);
  Matrix Q = Matrix::Identity(3, 3);
  const Problem quadratic = Problem::parse("quadratic", "l1(lambda=0.1)", Q, Vector::Ones(3));
  EXPECT_THROW(shared_engine().solve(quadratic, stochastic(Algorithm::svrg)), Error);
  EXPECT_EQ(to_string(Algorithm::sgd), "sgd");
  EXPECT_EQ(to_string(Algorithm::saga), "saga");
  EXPECT_EQ(to_string(Algorithm::svrg), "svrg");
  // The default step: 1/(3 L_max) for SAGA; one progress report per epoch.
  SolverOptions traced = stochastic(Algorithm::saga);
  traced.max_iterations = 5;
  traced.tolerance = 0;
  traced.trace_every = 1;
  const Summary s = shared_engine().solve(problem, traced);
  EXPECT_EQ(s.trace.size(), 5u);
  EXPECT_GT(s.step, 0.0);
}

}  // namespace
}  // namespace proxjit
