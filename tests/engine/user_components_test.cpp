// Components typed as formulas run in the built-ins' kernels: same iterates, same cache keys.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/synthetic.h"
#include "proxjit/runtime/user_components.h"

namespace proxjit {
namespace {

class UserComponents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    define_components(
        "# the built-ins, typed by a user\n"
        "loss my_logistic(z, y) = log1p(exp(-y * z)) ; lipschitz = 0.25\n"
        "prox my_l1(y, alpha; lambda = 0.1) = sign(y) * max(abs(y) - alpha * lambda, 0) ; "
        "value(x) = lambda * abs(x)\n"
        "loss my_squares(z, b) = 0.5 * (z - b)^2 ; lipschitz = 1\n",
        "test.pjd");
  }
  Engine engine_{EngineOptions{.disk_cache = false}};
};

TEST_F(UserComponents, SameIteratesAsTheBuiltInsWithPgdFistaCdAndSaga) {
  SyntheticProblem data = make_classification(120, 17, 0.3, 4);
  const Problem builtin(SmoothComponent::parse("logistic"), ProxComponent::parse("l1(0.02)"),
                        data.A, data.b);
  const Problem user(SmoothComponent::parse("my_logistic"),
                     ProxComponent::parse("my_l1(lambda=0.02)"), data.A, data.b);
  for (Algorithm algorithm : {Algorithm::proximal_gradient, Algorithm::fista,
                              Algorithm::coordinate_descent, Algorithm::saga}) {
    SolverOptions options;
    options.algorithm = algorithm;
    options.tolerance = 0.0;
    options.max_iterations = algorithm == Algorithm::saga ? 20 : 200;
    options.step = algorithm == Algorithm::proximal_gradient || algorithm == Algorithm::fista
                       ? 1.0 / builtin.lipschitz()
                       : 0.0;
    const Summary a = engine_.solve(builtin, options);
    const Summary b = engine_.solve(user, options);
    ASSERT_EQ(b.status, a.status) << b.message;
    // The derivative differs in form (symbolic: -y e^{-yz}/(1+e^{-yz}); built-in: the stable
    // sigmoid), so the two agree to rounding, not bit for bit.
    EXPECT_LE((a.x - b.x).norm(), 1e-12 * std::max(1.0, a.x.norm())) << to_string(algorithm);
    EXPECT_NEAR(a.objective, b.objective, 1e-12) << to_string(algorithm);
  }
}

// Formulas are typed by the kernel's scalar: a float kernel computes them in float.
TEST_F(UserComponents, FloatKernelsAgreeWithTheBuiltInsInFloat) {
  SyntheticProblem data = make_classification(120, 17, 0.3, 6);
  const Problem builtin(SmoothComponent::parse("logistic"), ProxComponent::parse("l1(0.02)"),
                        data.A, data.b);
  const Problem user(SmoothComponent::parse("my_logistic"),
                     ProxComponent::parse("my_l1(lambda=0.02)"), data.A, data.b);
  SolverOptions options;
  options.scalar = ScalarType::f32;
  options.algorithm = Algorithm::fista;
  options.tolerance = 0.0;
  options.max_iterations = 100;
  options.step = 1.0 / builtin.lipschitz();
  const Summary a = engine_.solve(builtin, options);
  const Summary b = engine_.solve(user, options);
  EXPECT_NE(b.kernel_key.find("|float32|"), std::string::npos);
  EXPECT_LE((a.x - b.x).norm(), 1e-5 * std::max(1.0, a.x.norm()));
}

TEST_F(UserComponents, TheSameMathSharesTheKernel) {
  SyntheticProblem data = make_regression(50, 9, 0.5, 2);
  SolverOptions options;
  options.max_iterations = 10;
  const Problem builtin(SmoothComponent::parse("least_squares"),
                        ProxComponent::parse("l1(lambda=0.1)"), data.A, data.b);
  const Problem user(SmoothComponent::parse("my_squares"),
                     ProxComponent::parse("my_l1(lambda=0.3)"), data.A, data.b);
  // 0.5 (z - b)^2 differentiates to z - b, and my_l1 is l1's expression: one kernel.
  EXPECT_EQ(engine_.kernel_key(builtin, options), engine_.kernel_key(user, options));
  engine_.solve(builtin, options);
  EXPECT_TRUE(engine_.solve(user, options).cache_hit);
  // The same formula typed again with other names and spacing is still that kernel.
  define_components("prox soft(v,t;k=1)=sign(v)*max(abs(v)-t*k,0)", "<again>");
  const Problem again = builtin.with_prox(ProxComponent::parse("soft(k=0.2)"));
  EXPECT_TRUE(engine_.solve(again, options).cache_hit);
}

// A twin of l1 compiled first (into memory and onto disk) must not hand the built-in another
// kernel: the lagged SAGA steps are chosen from the prox's declared rule, which both share, and
// the rule is in the key. (They were once chosen from the name, outside the key: the built-in
// then ran the twin's dense-step kernel, 4x slower and with other rounding.)
TEST_F(UserComponents, ATwinCompiledFirstLeavesTheBuiltInItsLaggedKernel) {
  SyntheticProblem data = make_classification(300, 80, 0.05, 12);
  SolverOptions options;
  options.algorithm = Algorithm::saga;
  options.max_iterations = 8;
  options.tolerance = 0.0;
  const Problem builtin(SmoothComponent::parse("logistic"), ProxComponent::parse("l1(0.01)"),
                        data.A, data.b);
  const Problem twin = builtin.with_prox(ProxComponent::parse("my_l1(lambda=0.01)"));
  const Summary alone = Engine(EngineOptions{.disk_cache = false}).solve(builtin, options);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("proxjit-twin-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  EngineOptions on_disk{.disk_cache = true, .cache_directory = dir.string()};
  const Summary twin_first = Engine(on_disk).solve(twin, options);
  const Summary after_twin = Engine(on_disk).solve(builtin, options);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(after_twin.source, KernelSource::disk);
  EXPECT_EQ(after_twin.kernel_key, twin_first.kernel_key);
  EXPECT_NE(alone.kernel_key.find("+lagged:shrink(l1=p0,l2=-)"), std::string::npos)
      << alone.kernel_key;
  // The same kernel whichever compiled it: the same iterates, bit for bit.
  EXPECT_TRUE(after_twin.x == alone.x) << (after_twin.x - alone.x).norm();
  EXPECT_TRUE(twin_first.x == alone.x) << (twin_first.x - alone.x).norm();
}

// A prox formula without value(x) leaves r(x) unknown: the objective is reported as unknown
// (NaN, with a note), never as f(x) alone under the name "objective".
TEST_F(UserComponents, WithoutValueTheObjectiveIsUnknownNotPartial) {
  define_components(
      "prox soft_no_value(y, alpha; lambda=0.1) = sign(y) * max(abs(y) - alpha * lambda, 0)\n",
      "no_value.pjd");
  SyntheticProblem data = make_regression(60, 10, 0.5, 3);
  const Problem known(SmoothComponent::parse("least_squares"), ProxComponent::parse("l1(0.05)"),
                      data.A, data.b);
  const Problem unknown = known.with_prox(ProxComponent::parse("soft_no_value(lambda=0.05)"));
  SolverOptions options;
  options.algorithm = Algorithm::fista;
  const Summary a = engine_.solve(known, options);
  const Summary b = engine_.solve(unknown, options);
  ASSERT_EQ(b.status, SolveStatus::converged) << b.message;
  EXPECT_TRUE(a.x == b.x);  // the same kernel, the same answer
  // The known objective, checked independently: 1/(2n) |A x - b|^2 + lambda |x|_1.
  const Vector residual = data.A * a.x - data.b;
  EXPECT_NEAR(a.objective, residual.squaredNorm() / (2.0 * 60) + 0.05 * a.x.lpNorm<1>(),
              1e-12 * std::abs(a.objective));
  EXPECT_TRUE(std::isnan(b.objective));
  EXPECT_NE(b.message.find("objective unknown"), std::string::npos) << b.message;
  EXPECT_TRUE(std::isnan(unknown.objective(b.x)));
  // Rules that compare objectives say why they cannot run.
  SolverOptions by_objective = options;
  by_objective.objective_tolerance = 1e-9;
  EXPECT_THROW(engine_.solve(unknown, by_objective), Error);
  // auto on a loss that would take proximal Newton steps (their line search needs r(x)) picks
  // a gradient method instead; cd asked for says why it cannot.
  const SyntheticProblem classes = make_classification(60, 10, 0.5, 4);
  const Problem logistic(SmoothComponent::parse("logistic"),
                         ProxComponent::parse("soft_no_value(lambda=0.01)"), classes.A, classes.b);
  EXPECT_NE(Engine::plan(logistic, SolverOptions{}).algorithm(), Algorithm::coordinate_descent);
  SolverOptions cd;
  cd.algorithm = Algorithm::coordinate_descent;
  EXPECT_THROW(engine_.solve(logistic, cd), Error);
}

TEST_F(UserComponents, DefinitionsFromTheExpressionBuilders) {
  using expr::Expr;
  const Expr y = Expr::variable(), lambda = Expr::parameter(0, "lambda");
  ProxDefinition soft;
  soft.name = "built_soft";
  soft.parameters = {{"lambda", "threshold", 0.1, false}};
  soft.prox = sign(y) * max(abs(y) - Expr::step() * lambda, 0.0);
  soft.value = lambda * abs(y);
  define_prox(soft);
  SmoothDefinition squares;
  squares.name = "built_squares";
  const Expr z = Expr::variable(), b = Expr::label();
  squares.loss = 0.5 * (z - b) * (z - b);
  squares.derivative = z - b;
  squares.curvature = [](std::span<const double>) { return 1.0; };
  define_loss(squares);
  // Without a derivative, the symbolic one: the same values (its tree is not the same).
  SmoothDefinition derived = squares;
  derived.name = "derived_squares";
  derived.derivative = 0.0;
  define_loss(derived);
  const SmoothComponent f = SmoothComponent::parse("derived_squares");
  EXPECT_DOUBLE_EQ(f.derivative<double>(1.5, -0.25), 1.75);
  SyntheticProblem data = make_regression(40, 7, 0.5, 8);
  SolverOptions options;
  options.max_iterations = 30;
  options.tolerance = 0.0;
  const Problem builtin(SmoothComponent::parse("least_squares"), ProxComponent::parse("l1(0.1)"),
                        data.A, data.b);
  const Problem built(SmoothComponent::parse("built_squares"),
                      ProxComponent::parse("built_soft(0.1)"), data.A, data.b);
  EXPECT_EQ(engine_.kernel_key(builtin, options), engine_.kernel_key(built, options));
  const Summary a = engine_.solve(builtin, options), c = engine_.solve(built, options);
  EXPECT_TRUE(c.cache_hit);
  EXPECT_EQ(a.x, c.x);
  EXPECT_DOUBLE_EQ(a.objective, c.objective);
}

// Kernels compute exp in registers (a polynomial, not libm): a prox y -> exp(y) applied once to
// x0 shows it within 2 ulp of std::exp over the whole range, to 0 below and inf above.
TEST_F(UserComponents, KernelExpIsWithinTwoUlpOfLibm) {
  define_components("prox exponential(y, alpha) = exp(y)", "<exp>");
  for (ScalarType scalar : {ScalarType::f64, ScalarType::f32}) {
    const bool wide = scalar == ScalarType::f64;
    std::vector<double> points = {-800,
                                  -745.5,
                                  -740,
                                  -708.5,
                                  -103,
                                  -88,
                                  -30.25,
                                  -1,
                                  -1e-9,
                                  0,
                                  1e-300,
                                  0.5,
                                  0.6931471805599453,
                                  1,
                                  2.5,
                                  30,
                                  88.5,
                                  89,
                                  700,
                                  709.7,
                                  709.8,
                                  800};
    for (int i = 0; i < 400; ++i)
      points.push_back(-60.0 + 0.3 * i + 1e-3 * (i % 7));
    const Eigen::Index d = static_cast<Eigen::Index>(points.size());
    const Problem problem(SmoothComponent::parse("least_squares"),
                          ProxComponent::parse("exponential"), Matrix::Zero(3, d), Vector::Zero(3));
    SolverOptions options;
    options.scalar = scalar;
    options.step = 1.0;
    options.max_iterations = 1;
    options.tolerance = 0.0;
    options.x0 = Eigen::Map<const Vector>(points.data(), d);
    const Summary s = engine_.solve(problem, options);
    ASSERT_EQ(s.backend, Backend::jit);
    for (Eigen::Index i = 0; i < d; ++i) {
      const double expected =
          wide ? std::exp(points[i]) : static_cast<double>(std::exp(static_cast<float>(points[i])));
      const double ulp = wide ? std::numeric_limits<double>::epsilon()
                              : static_cast<double>(std::numeric_limits<float>::epsilon());
      if (std::isinf(expected) || expected == 0.0) {
        EXPECT_EQ(s.x[i], expected) << points[i];
      } else if (expected < (wide ? 1e-307 : 1e-37)) {
        EXPECT_NEAR(s.x[i], expected, 2 * (wide ? 5e-324 : 1.4e-45)) << points[i];  // subnormal
      } else {
        EXPECT_LE(std::abs(s.x[i] - expected), 2 * ulp * expected) << points[i];
      }
    }
  }
}

// log and log1p in registers too (emit_log): within 2 ulp of std::log / std::log1p over the
// positive range, subnormals included, and log(0) = -inf, NaN below 0.
TEST_F(UserComponents, KernelLogIsWithinTwoUlpOfLibm) {
  define_components("prox logarithm(y, alpha) = log(y)\nprox logarithm1p(y, alpha) = log1p(y)",
                    "<log>");
  for (ScalarType scalar : {ScalarType::f64, ScalarType::f32}) {
    const bool wide = scalar == ScalarType::f64;
    for (const bool shifted : {false, true}) {
      std::vector<double> points = {0.0,
                                    -1.0,
                                    1e-320,
                                    4e-310,
                                    1e-40,
                                    1e-300,
                                    1e-30,
                                    0.5,
                                    0.7071067811865476,
                                    0.70710678,
                                    1.0,
                                    1.0 + 1e-15,
                                    1.4142135,
                                    1.4142135623730951,
                                    2.0,
                                    10.0,
                                    1e30,
                                    1e300,
                                    1.7e308};
      if (shifted)
        points = {-1.0,  -0.999, -0.5, -1e-10, -1e-300, 0.0,  1e-300,
                  1e-16, 1e-8,   0.25, 1.0,    3.0,     1e10, 1e300};
      for (int i = 0; i < 400; ++i)
        points.push_back(std::exp(-40.0 + 0.2 * i + 1e-3 * (i % 7)) - (shifted ? 0.9 : 0.0));
      if (!wide) std::erase_if(points, [](double v) { return std::abs(v) > 3e38; });
      const Eigen::Index d = static_cast<Eigen::Index>(points.size());
      const Problem problem(SmoothComponent::parse("least_squares"),
                            ProxComponent::parse(shifted ? "logarithm1p" : "logarithm"),
                            Matrix::Zero(3, d), Vector::Zero(3));
      SolverOptions options;
      options.scalar = scalar;
      options.step = 1.0;
      options.max_iterations = 1;
      options.tolerance = 0.0;
      options.x0 = Eigen::Map<const Vector>(points.data(), d);
      const Summary s = engine_.solve(problem, options);
      ASSERT_EQ(s.backend, Backend::jit);
      for (Eigen::Index i = 0; i < d; ++i) {
        const float narrow = static_cast<float>(points[i]);
        const double expected =
            wide ? (shifted ? std::log1p(points[i]) : std::log(points[i]))
                 : static_cast<double>(shifted ? std::log1p(narrow) : std::log(narrow));
        const double ulp = wide ? std::numeric_limits<double>::epsilon()
                                : static_cast<double>(std::numeric_limits<float>::epsilon());
        const std::string what = std::string(shifted ? "log1p(" : "log(") +
                                 std::to_string(points[i]) + (wide ? ") double" : ") float");
        if (std::isnan(expected)) {
          EXPECT_TRUE(std::isnan(s.x[i])) << what << " = " << s.x[i];
        } else if (std::isinf(expected) || expected == 0.0) {
          EXPECT_EQ(s.x[i], expected) << what;
        } else {
          EXPECT_LE(std::abs(s.x[i] - expected), 2 * ulp * std::abs(expected)) << what;
        }
      }
    }
  }
}

// A data-free smooth term: f(x) = sum_i 0.5 (x_i - c)^2 with l1 has the solution
// soft_threshold(c, lambda) in every coordinate, whatever the algorithm.
TEST_F(UserComponents, DataFreeSmoothTermsSumOverTheUnknowns) {
  define_components("smooth pull(x; c = 1) = 0.5 * (x - c)^2 ; lipschitz = 1", "<smooth>");
  const Problem problem =
      Problem::elementwise(SmoothComponent::parse("pull(c=2)"), ProxComponent::parse("l1(0.5)"), 9);
  EXPECT_EQ(problem.variables(), 9);
  for (Algorithm algorithm :
       {Algorithm::proximal_gradient, Algorithm::fista, Algorithm::coordinate_descent}) {
    SolverOptions options;
    options.algorithm = algorithm;
    options.tolerance = 1e-12;
    const Summary s = engine_.solve(problem, options);
    ASSERT_EQ(s.status, SolveStatus::converged) << s.message;
    EXPECT_LE((s.x - Vector::Constant(9, 1.5)).norm(), 1e-10) << to_string(algorithm);
    // sum_i 0.5 (1.5 - 2)^2 + 0.5 * 1.5 = 9 * (0.125 + 0.75)
    EXPECT_NEAR(s.objective, 9 * 0.875, 1e-10) << to_string(algorithm);
  }
  EXPECT_THROW(
      Problem::elementwise(SmoothComponent::parse("logistic"), ProxComponent::parse("zero"), 3),
      Error);
}

TEST_F(UserComponents, ParametersDefaultsAndErrors) {
  EXPECT_EQ(ProxComponent::parse("my_l1").describe(), "my_l1(lambda=0.1)");
  try {
    define_components("prox l1(y, alpha) = y", "defs.txt");
    ADD_FAILURE() << "redefining a built-in must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("defs.txt:1: 'l1' is a built-in"), std::string::npos)
        << e.what();
  }
  try {
    ProxComponent::parse("my_l2");
    ADD_FAILURE() << "unknown name";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'my_l1'"), std::string::npos) << e.what();
  }
  // Without a curvature bound: coordinate Newton steps with their line search (phi'' = exp(z)
  // is derived symbolically), or proximal gradient with backtracking when r is not separable.
  define_components("loss my_exp(z, y) = exp(z) - y * z", "<test>");
  SyntheticProblem counts = make_counts(80, 6, 0.5, 1);
  const Problem problem(SmoothComponent::parse("my_exp"), ProxComponent::parse("my_l1(0.01)"),
                        counts.A, counts.b);
  SolverOptions automatic;
  automatic.algorithm = Algorithm::automatic;
  automatic.tolerance = 1e-8;
  automatic.max_iterations = 100000;
  const Summary s = engine_.solve(problem, automatic);
  EXPECT_EQ(s.algorithm, Algorithm::coordinate_descent);
  EXPECT_EQ(s.status, SolveStatus::converged) << s.message;
  const Summary t = engine_.solve(problem.with_prox(ProxComponent::parse("l2(0.01)")), automatic);
  EXPECT_EQ(t.algorithm, Algorithm::proximal_gradient);
  EXPECT_EQ(t.status, SolveStatus::converged) << t.message;
}

}  // namespace
}  // namespace proxjit
