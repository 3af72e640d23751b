// Every loss x prox x {float, double} x {dense, CSR}: the JIT kernel equals the reference path,
// CSR storage gives what dense storage gives, and coordinate descent runs where the traits let
// it. Sample weights and an intercept go through the same kernels.
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

constexpr Eigen::Index kSamples = 37, kFeatures = 13;

const char* const kLosses[] = {"least_squares", "logistic", "huber(delta=0.5)", "squared_hinge",
                               "poisson"};
// Each prox with parameters for 13 unknowns (or for 12 and an intercept: group sizes and list
// lengths follow the features).
std::vector<std::string> proxes(Eigen::Index features) {
  std::string ones = "[", decreasing = "[";
  for (Eigen::Index i = 0; i < features; ++i) {
    ones += (i ? ", " : "") + std::to_string(0.5 + 0.1 * static_cast<double>(i % 3));
    decreasing += (i ? ", " : "") + std::to_string(0.2 - 0.01 * static_cast<double>(i));
  }
  ones += "]";
  decreasing += "]";
  return {"zero",
          "l1(lambda=0.05)",
          "l1(lambda=0.05, weights=" + ones + ")",
          "l2sq(lambda=0.1)",
          "elastic_net(l1=0.03, l2=0.1)",
          "l2(lambda=0.05)",
          "group_l2(lambda=0.05, groups=[5, " + std::to_string(features - 5) + "])",
          "linf(lambda=0.05)",
          "box(lo=-0.3, hi=0.2)",
          "nonneg",
          "l1_ball(radius=0.8)",
          "l2_ball(radius=0.5)",
          "linf_ball(radius=0.2)",
          "simplex(sum=1)",
          "tv1d(lambda=0.05)",
          "slope(lambdas=" + decreasing + ")"};
}

struct Data {
  SparseMatrix A;
  Vector b;
};

Data data_for(const SmoothComponent& f, unsigned seed) {
  SyntheticProblem p = f.name() == "logistic" || f.name() == "squared_hinge"
                           ? make_classification(kSamples, kFeatures, 0.4, seed)
                       : f.name() == "poisson" ? make_counts(kSamples, kFeatures, 0.4, seed)
                                               : make_regression(kSamples, kFeatures, 0.4, seed);
  return {std::move(p.A), std::move(p.b)};
}

struct BothRuns {
  Summary jit, reference;
};

BothRuns run_both(const Problem& problem, SolverOptions options) {
  options.backend = Backend::reference;
  BothRuns run;
  run.reference = shared_engine().solve(problem, options);
  options.backend = Backend::jit;
  options.fallback_to_reference = false;
  run.jit = shared_engine().solve(problem, options);
  return run;
}

// Vectorized sums add in another order than Eigen's: iterates agree to rounding, amplified a
// little by the iterations (1e-12 relative in double, 1e-5 in float, as the standards ask).
// poisson runs a line search on exp(a_i'x): exp turns a rounding difference in a margin into a
// relative one as large as the margin, and a trial accepted on one side of the rounding and
// rejected on the other changes the step; 1e-10 and 5e-4 are the tightest that hold.
double tolerance_for(const std::string& what, ScalarType scalar) {
  const bool poisson = what.rfind("poisson", 0) == 0;
  if (scalar == ScalarType::f64) return poisson ? 1e-10 : 1e-12;
  return poisson ? 5e-4 : 1e-5;
}

void expect_same(const BothRuns& run, ScalarType scalar, const std::string& what) {
  const double tolerance = tolerance_for(what, scalar);
  ASSERT_EQ(run.jit.backend, Backend::jit) << what << ": " << run.jit.message;
  EXPECT_EQ(run.jit.status, run.reference.status) << what << ": " << run.jit.message;
  EXPECT_EQ(run.jit.iterations, run.reference.iterations) << what;
  const double scale = std::max(1.0, run.reference.x.norm());
  EXPECT_LE((run.jit.x - run.reference.x).norm(), tolerance * scale)
      << what << "\njit " << run.jit.x.transpose() << "\nref " << run.reference.x.transpose();
}

SolverOptions fixed_budget(ScalarType scalar, Algorithm algorithm) {
  SolverOptions options;
  options.max_iterations = 40;
  options.tolerance = 0.0;
  options.scalar = scalar;
  options.algorithm = algorithm;
  return options;
}

TEST(Components, EveryLossProxScalarAndStorageJitEqualsReference) {
  for (const char* loss : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(loss);
    const Data data = data_for(f, 3);
    for (const std::string& prox : proxes(kFeatures)) {
      const ProxComponent r = ProxComponent::parse(prox);
      const Problem sparse(f, r, data.A, data.b);
      const Problem dense(f, r, to_dense(data.A), data.b);
      for (ScalarType scalar : {ScalarType::f64, ScalarType::f32}) {
        const std::string what =
            std::string(loss) + " + " + prox + " " + std::string(to_string(scalar));
        const SolverOptions options = fixed_budget(scalar, Algorithm::proximal_gradient);
        const BothRuns on_sparse = run_both(sparse, options);
        const BothRuns on_dense = run_both(dense, options);
        expect_same(on_sparse, scalar, what + " csr");
        expect_same(on_dense, scalar, what + " dense");
        // The same data stored both ways: the same iterates up to rounding.
        const double tolerance = tolerance_for(what, scalar);
        EXPECT_LE((on_sparse.jit.x - on_dense.jit.x).norm(),
                  tolerance * std::max(1.0, on_dense.jit.x.norm()))
            << what;
      }
    }
  }
}

TEST(Components, FistaAndCoordinateDescentOnEveryLoss) {
  for (const char* loss : kLosses) {
    const SmoothComponent f = SmoothComponent::parse(loss);
    const Data data = data_for(f, 5);
    for (const char* prox : {"l1(lambda=0.05)", "elastic_net(l1=0.02, l2=0.1)", "tv1d(0.05)"}) {
      const ProxComponent r = ProxComponent::parse(prox);
      for (const bool sparse : {false, true}) {
        const Problem problem =
            sparse ? Problem(f, r, data.A, data.b) : Problem(f, r, to_dense(data.A), data.b);
        const std::string what = std::string(loss) + " + " + prox + (sparse ? " csr" : " dense");
        if (f.name() != "poisson") {
          expect_same(run_both(problem, fixed_budget(ScalarType::f64, Algorithm::fista)),
                      ScalarType::f64, what + " fista");
        }
        // poisson too: its unbounded curvature takes coordinate Newton steps.
        const bool cd_allowed = r.definition().traits.separable;
        if (cd_allowed) {
          expect_same(
              run_both(problem, fixed_budget(ScalarType::f64, Algorithm::coordinate_descent)),
              ScalarType::f64, what + " cd");
        }
      }
    }
  }
}

TEST(Components, WeightsAndInterceptGoThroughTheKernels) {
  const SmoothComponent f = SmoothComponent::parse("logistic");
  const Data data = data_for(f, 9);
  ProblemOptions with;
  with.fit_intercept = true;
  with.sample_weights = Vector::LinSpaced(kSamples, 0.5, 2.0);
  for (const std::string& prox : proxes(kFeatures)) {
    const Problem problem(f, ProxComponent::parse(prox), data.A, data.b, with);
    ASSERT_EQ(problem.variables(), kFeatures + 1);
    for (Algorithm algorithm : {Algorithm::proximal_gradient, Algorithm::fista}) {
      expect_same(run_both(problem, fixed_budget(ScalarType::f64, algorithm)), ScalarType::f64,
                  prox + " weighted + intercept " + std::string(to_string(algorithm)));
    }
  }
  const Problem lasso(f, ProxComponent::parse("l1(0.02)"), to_dense(data.A), data.b, with);
  expect_same(run_both(lasso, fixed_budget(ScalarType::f64, Algorithm::coordinate_descent)),
              ScalarType::f64, "cd weighted + intercept");
}

TEST(Components, LogisticL1ConvergesWithACertificateOnEveryAlgorithm) {
  const SmoothComponent f = SmoothComponent::parse("logistic");
  const Data data = data_for(f, 13);
  const Problem problem(f, ProxComponent::parse("l1(lambda=0.02)"), data.A, data.b);
  for (Algorithm algorithm :
       {Algorithm::proximal_gradient, Algorithm::fista, Algorithm::coordinate_descent}) {
    SolverOptions options;
    options.algorithm = algorithm;
    options.tolerance = 1e-10;
    options.max_iterations = 200000;
    const Summary s = shared_engine().solve(problem, options);
    EXPECT_EQ(s.status, SolveStatus::converged) << to_string(algorithm) << ": " << s.message;
    ASSERT_TRUE(std::isfinite(s.duality_gap)) << to_string(algorithm);
    EXPECT_LE(s.duality_gap, 1e-8) << to_string(algorithm);
  }
}

TEST(Components, WeightedL1HasADualityGap) {
  const SmoothComponent f = SmoothComponent::parse("logistic");
  const Data data = data_for(f, 21);
  std::string ones = "[", mixed = "[";
  for (Eigen::Index i = 0; i < kFeatures; ++i) {
    ones += (i ? ", " : "") + std::string("1");
    mixed += (i ? ", " : "") + std::string(i % 3 ? "1" : "2.5");
  }
  SolverOptions options;
  options.algorithm = Algorithm::proximal_gradient;  // the same algorithm for all three
  options.tolerance = 1e-11;
  options.max_iterations = 100000;
  const Problem plain(f, ProxComponent::parse("l1(0.02)"), data.A, data.b);
  const Problem unit(f, ProxComponent::parse("l1(0.02, weights=" + ones + "])"), data.A, data.b);
  const Problem weighted(f, ProxComponent::parse("l1(0.02, weights=" + mixed + "])"), data.A,
                         data.b);
  const Summary a = shared_engine().solve(plain, options);
  const Summary b = shared_engine().solve(unit, options);
  const Summary c = shared_engine().solve(weighted, options);
  // Unit weights are plain l1: the same answer and certificate.
  EXPECT_NEAR(a.duality_gap, b.duality_gap, 1e-12);
  EXPECT_LE((a.x - b.x).norm(), 1e-9);
  ASSERT_TRUE(std::isfinite(c.duality_gap)) << c.message;
  EXPECT_GE(c.duality_gap, 0.0);
  EXPECT_LE(c.duality_gap, 1e-9);
}

TEST(Components, PairingsAnAlgorithmCannotRunAreRejectedWithAReason) {
  const SmoothComponent poisson = SmoothComponent::parse("poisson");
  const Data data = data_for(poisson, 2);
  const Problem counts(poisson, ProxComponent::parse("l1(0.01)"), data.A, data.b);
  SolverOptions cd;
  cd.algorithm = Algorithm::coordinate_descent;
  // poisson has no curvature bound: FISTA (no line search) is refused, cd takes coordinate
  // Newton steps with their line search.
  SolverOptions fista;
  fista.algorithm = Algorithm::fista;
  try {
    shared_engine().solve(counts, fista);
    ADD_FAILURE() << "fista on poisson should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("step backtracking"), std::string::npos) << e.what();
  }
  // Automatic choices pick what works: coordinate Newton steps for poisson + l1, a line
  // search with a prox that is not separable.
  SolverOptions automatic;
  automatic.algorithm = Algorithm::automatic;
  automatic.tolerance = 1e-8;
  automatic.max_iterations = 100000;
  const Summary s = shared_engine().solve(counts, automatic);
  EXPECT_EQ(s.algorithm, Algorithm::coordinate_descent);
  EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
  const Problem counts_tv(poisson, ProxComponent::parse("tv1d(0.01)"), data.A, data.b);
  EXPECT_EQ(Engine::suggested_algorithm(counts_tv, automatic), Algorithm::proximal_gradient);

  const Problem tv(SmoothComponent::parse("least_squares"), ProxComponent::parse("tv1d(0.1)"),
                   data.A, data.b);
  try {
    shared_engine().solve(tv, cd);
    ADD_FAILURE() << "cd with tv1d should be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fista"), std::string::npos) << e.what();
  }
  EXPECT_EQ(Engine::suggested_algorithm(tv, automatic), Algorithm::fista);
}

}  // namespace
}  // namespace proxjit
