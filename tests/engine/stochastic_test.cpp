// The stochastic solvers (sgd, saga, svrg): they reach FISTA's optimum, the JIT kernels follow
// the reference path step by step for a fixed seed, CSR and dense storage of the same data give
// the same iterates (lagged sparse updates are exact), and the seed decides the path.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "proxjit/engine.h"
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
