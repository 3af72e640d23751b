// cd for losses whose phi'' varies: proximal Newton steps with coordinate descent on the model,
// and coordinate Newton epochs (CDN) as their fallback. JIT == reference on every loss, few
// iterations on logistic + l1, and the duality-gap stopping rule.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "proxjit/engine.h"
#include "proxjit/runtime/io.h"
#include "proxjit/runtime/synthetic.h"

namespace proxjit {
namespace {

Engine& shared_engine() {
  static Engine engine(EngineOptions{.disk_cache = false});
  return engine;
}

const char* const kHeartScale = "/usr/share/doc/liblinear-tools/examples/heart_scale";
// Measured: 10 proximal Newton steps to a gap of 1e-10; coordinate Newton epochs alone took 59,
// the bound steps 210.
constexpr std::int64_t kHeartScaleEpochBound = 15;

TEST(CoordinateNewton, SecondDerivativesComeFromTheLossesDerivatives) {
  EXPECT_FALSE(SmoothComponent::parse("least_squares").definition().coordinate_newton());
  for (const char* loss : {"logistic", "huber", "squared_hinge", "poisson"}) {
    const SmoothComponent f = SmoothComponent::parse(loss);
    EXPECT_TRUE(f.definition().coordinate_newton()) << loss;
  }
  // logistic: phi'' = sigma(z) (1 - sigma(z)) for b = 1, against a central difference.
  const SmoothComponent logistic = SmoothComponent::parse("logistic");
  for (double z : {-3.0, -0.5, 0.0, 0.7, 4.0}) {
    const double s = 1.0 / (1.0 + std::exp(-z));
    EXPECT_NEAR(logistic.second_derivative<double>(z, 1.0), s * (1.0 - s), 1e-14) << z;
    EXPECT_NEAR(logistic.second_derivative<double>(z, -1.0), s * (1.0 - s), 1e-14) << z;
  }
  const SmoothComponent poisson = SmoothComponent::parse("poisson");
  EXPECT_NEAR(poisson.second_derivative<double>(0.3, 2.0), std::exp(0.3), 1e-14);
}

SyntheticProblem data_for(const std::string& loss, unsigned seed) {
  if (loss == "logistic" || loss == "squared_hinge") return make_classification(41, 15, 0.4, seed);
  if (loss == "poisson") return make_counts(41, 15, 0.4, seed);
  return make_regression(41, 15, 0.4, seed);
}

// The same rules in both backends: the same acceptance decisions, iterates equal to rounding.
TEST(CoordinateNewton, JitEqualsReferenceOnEveryLossDenseAndCsr) {
  for (const char* loss :
       {"least_squares", "logistic", "huber(delta=0.5)", "squared_hinge", "poisson"}) {
    const SmoothComponent f = SmoothComponent::parse(loss);
    const SyntheticProblem data = data_for(f.name(), 7);
    for (const char* prox :
         {"l1(lambda=0.03)", "elastic_net(l1=0.02, l2=0.1)", "box(lo=-0.3, hi=0.4)", "zero"}) {
      for (const bool sparse : {false, true}) {
        for (const bool intercept : {false, true}) {
          ProblemOptions with;
          with.fit_intercept = intercept;
          if (intercept) with.sample_weights = Vector::LinSpaced(data.b.size(), 0.5, 2.0);
          const ProxComponent r = ProxComponent::parse(prox);
          const Problem problem = sparse ? Problem(f, r, data.A, data.b, with)
                                         : Problem(f, r, to_dense(data.A), data.b, with);
          const std::string what = std::string(loss) + " + " + prox + (sparse ? " csr" : " dense") +
                                   (intercept ? " weighted + intercept" : "");
          SolverOptions options;
          options.algorithm = Algorithm::coordinate_descent;
          options.max_iterations = 30;
          options.tolerance = 0.0;
          options.backend = Backend::reference;
          const Summary reference = shared_engine().solve(problem, options);
          options.backend = Backend::jit;
          options.fallback_to_reference = false;
          const Summary jit = shared_engine().solve(problem, options);
          ASSERT_EQ(jit.backend, Backend::jit) << what << ": " << jit.message;
          EXPECT_EQ(jit.status, reference.status) << what;
          EXPECT_EQ(jit.iterations, reference.iterations) << what;
          const double tolerance = f.name() == "poisson" ? 1e-10 : 1e-12;
          EXPECT_LE((jit.x - reference.x).norm(), tolerance * std::max(1.0, reference.x.norm()))
              << what << "\njit " << jit.x.transpose() << "\nref " << reference.x.transpose();
          EXPECT_TRUE(jit.x.allFinite()) << what;
        }
      }
    }
  }
}

// A Newton direction whose every trial overflows (poisson counts of 1e100 from x = 0: exp of
// about 1e50 even after 20 trials shrinking by 1/256) fails the line search: the step falls
// back to a CDN epoch, identically in both backends, and x stays finite.
TEST(CoordinateNewton, AFailedLineSearchFallsBackToACoordinateEpochInBothBackends) {
  SyntheticProblem data = make_counts(12, 4, 1.0, 3);
  data.b.setConstant(1e100);
  const Problem problem(SmoothComponent::parse("poisson"), ProxComponent::parse("l1(lambda=0.1)"),
                        data.A, data.b);
  SolverOptions options;
  options.algorithm = Algorithm::coordinate_descent;
  options.max_iterations = 3;
  options.tolerance = 0.0;
  options.backend = Backend::reference;
  const Summary reference = shared_engine().solve(problem, options);
  options.backend = Backend::jit;
  options.fallback_to_reference = false;
  const Summary jit = shared_engine().solve(problem, options);
  ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
  EXPECT_TRUE(reference.x.allFinite()) << reference.x.transpose();
  EXPECT_EQ(jit.status, reference.status);
  EXPECT_LE((jit.x - reference.x).norm(), 1e-12 * std::max(1.0, reference.x.norm()))
      << "jit " << jit.x.transpose() << "\nref " << reference.x.transpose();
  // Stuck, not slow: the report says so rather than asking for more iterations.
  options.tolerance = 1e-8;
  const Summary stuck = shared_engine().solve(problem, options);
  EXPECT_EQ(stuck.status, SolveStatus::max_iterations);
  EXPECT_NE(stuck.message.find("without lowering the objective"), std::string::npos)
      << stuck.message;
  EXPECT_NE(stuck.message.find("overflows"), std::string::npos) << stuck.message;
  // Counts of 1e300 overflow the certificate itself: diverged, and cd has no step to blame.
  SyntheticProblem huge = data;
  huge.b.setConstant(1e300);
  const Problem overflowing(problem.f(), problem.r(), huge.A, huge.b);
  const Summary diverged = shared_engine().solve(overflowing, options);
  EXPECT_EQ(diverged.status, SolveStatus::diverged);
  EXPECT_NE(diverged.message.find("values overflowed"), std::string::npos) << diverged.message;
  EXPECT_EQ(diverged.message.find("step 0"), std::string::npos) << diverged.message;
}

// Counts of 1e12 from x = 0: a Newton step of about 1e12 whose trials overflow exp. Trials
// after an overflow shrink by 1/256 instead of 1/2 (next_newton_beta), so the line search
// reaches the scale of the data and cd ends where pgd with backtracking does, in both backends.
TEST(CoordinateNewton, OverflowingTrialsShrinkFastEnoughToConverge) {
  SyntheticProblem data = make_counts(12, 4, 1.0, 3);
  data.b.setConstant(1e12);
  const Problem problem(SmoothComponent::parse("poisson"), ProxComponent::parse("l1(lambda=0.1)"),
                        data.A, data.b);
  SolverOptions pgd;
  pgd.line_search = true;
  pgd.tolerance = 1e-8;
  pgd.max_iterations = 100000;
  const Summary by_pgd = shared_engine().solve(problem, pgd);
  ASSERT_EQ(by_pgd.status, SolveStatus::converged) << by_pgd.message;
  for (Backend backend : {Backend::jit, Backend::reference}) {
    SolverOptions cd;
    cd.backend = backend;
    cd.algorithm = Algorithm::coordinate_descent;
    cd.tolerance = 0;
    cd.max_iterations = 200;
    const Summary by_cd = shared_engine().solve(problem, cd);
    // The objective is about -7.5e12: agreement to rounding at that scale.
    EXPECT_NEAR(by_cd.objective, by_pgd.objective, 1e-12 * std::abs(by_pgd.objective))
        << to_string(backend);
    EXPECT_LT(by_cd.objective, -1e12) << to_string(backend);  // it left x = 0 (objective 1)
  }
}

// Newton steps converge where the bound steps would: poisson runs cd now, to a point where
// FISTA with backtracking agrees.
TEST(CoordinateNewton, PoissonConvergesToTheProximalGradientSolution) {
  const SmoothComponent f = SmoothComponent::parse("poisson");
  const SyntheticProblem data = data_for("poisson", 11);
  const Problem problem(f, ProxComponent::parse("l1(lambda=0.02)"), data.A, data.b);
  for (Backend backend : {Backend::jit, Backend::reference}) {
    SolverOptions cd;
    cd.backend = backend;
    cd.algorithm = Algorithm::coordinate_descent;
    cd.tolerance = 1e-10;
    cd.max_iterations = 10000;
    const Summary by_cd = shared_engine().solve(problem, cd);
    ASSERT_EQ(by_cd.status, SolveStatus::converged) << by_cd.message;
    SolverOptions pgd;
    pgd.line_search = true;
    pgd.tolerance = 1e-10;
    pgd.max_iterations = 200000;
    const Summary by_pgd = shared_engine().solve(problem, pgd);
    ASSERT_EQ(by_pgd.status, SolveStatus::converged) << by_pgd.message;
    EXPECT_NEAR(by_cd.objective, by_pgd.objective, 1e-10);
    EXPECT_LE((by_cd.x - by_pgd.x).norm(), 1e-6 * std::max(1.0, by_pgd.x.norm()));
  }
}

Problem heart_scale_problem(double lambda) {
  LabeledSparseData data = load_libsvm_sparse(kHeartScale);
  return Problem(SmoothComponent::parse("logistic"),
                 ProxComponent::make("l1", {{"lambda", lambda}}), std::move(data.A),
                 std::move(data.b));
}

// liblinear's -s 6 problem at C = 1 (lambda = 1/n): proximal Newton steps reach a gap of 1e-10
// in a few iterations.
TEST(CoordinateNewton, LogisticL1OnHeartScaleReachesATinyGapInFewEpochs) {
  const Problem problem = heart_scale_problem(1.0 / 270.0);
  for (Backend backend : {Backend::jit, Backend::reference}) {
    SolverOptions options;
    options.backend = backend;
    options.algorithm = Algorithm::coordinate_descent;
    options.tolerance = 0.0;
    options.gap_tolerance = 1e-10;
    options.max_iterations = 1000;
    const Summary s = shared_engine().solve(problem, options);
    ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
    EXPECT_LE(s.duality_gap, 1e-10);
    EXPECT_LE(s.iterations, kHeartScaleEpochBound) << s.message;
    EXPECT_NE(s.message.find("duality gap"), std::string::npos) << s.message;
  }
}

// The gap rule ends a run by itself (tolerance 0 would run the whole budget), with any
// algorithm, and says so; pairs without a known gap ignore it.
TEST(CoordinateNewton, GapToleranceEndsARunAndSaysSo) {
  const Problem problem = heart_scale_problem(0.01);
  for (Algorithm algorithm : {Algorithm::coordinate_descent, Algorithm::fista}) {
    SolverOptions options;
    options.algorithm = algorithm;
    options.tolerance = 0.0;
    options.gap_tolerance = 1e-6;
    options.max_iterations = 100000;
    const Summary s = shared_engine().solve(problem, options);
    EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
    EXPECT_LT(s.iterations, options.max_iterations);
    EXPECT_LE(s.duality_gap, 1e-6);
    EXPECT_NE(s.message.find("duality gap"), std::string::npos) << s.message;
    EXPECT_NE(s.message.find("gap_tolerance"), std::string::npos) << s.message;
  }
  const SyntheticProblem counts = data_for("poisson", 3);
  const Problem no_gap(SmoothComponent::parse("poisson"), ProxComponent::parse("l1(0.02)"),
                       counts.A, counts.b);
  SolverOptions options;
  options.algorithm = Algorithm::coordinate_descent;
  options.tolerance = 0.0;
  options.gap_tolerance = 1e-6;
  options.max_iterations = 50;
  const Summary s = shared_engine().solve(no_gap, options);
  EXPECT_EQ(s.status, SolveStatus::max_iterations) << s.message;
  EXPECT_EQ(s.iterations, 50);
  SolverOptions invalid;
  invalid.gap_tolerance = -1.0;
  std::string error;
  EXPECT_FALSE(invalid.IsValid(&error));
  EXPECT_NE(error.find("gap_tolerance"), std::string::npos) << error;
}

TEST(CoordinateNewton, KernelKeysSayNewton) {
  const SyntheticProblem data = data_for("logistic", 1);
  const Problem problem(SmoothComponent::parse("logistic"), ProxComponent::parse("l1(0.1)"), data.A,
                        data.b);
  SolverOptions options;
  options.algorithm = Algorithm::coordinate_descent;
  EXPECT_NE(shared_engine().kernel_key(problem, options).find("+newton("), std::string::npos);
  options.algorithm = Algorithm::fista;
  EXPECT_EQ(shared_engine().kernel_key(problem, options).find("+newton("), std::string::npos);
}

}  // namespace
}  // namespace proxjit
