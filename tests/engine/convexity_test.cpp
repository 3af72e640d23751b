// Issue 19 "Trust": a run that did not solve the problem never says converged. Coordinate
// descent on a problem that is not convex (or unbounded below) along a coordinate, and fixed
// steps too small to move x.
#include <gtest/gtest.h>

#include <string>

#include "proxjit/engine.h"
#include "proxjit/runtime/user_components.h"
#include "support/problems.h"

namespace proxjit {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class NotConvex : public ::testing::TestWithParam<Backend> {
 protected:
  SolverOptions options(Algorithm algorithm = Algorithm::coordinate_descent) const {
    SolverOptions o;
    o.backend = GetParam();
    o.fallback_to_reference = false;
    o.algorithm = algorithm;
    o.tolerance = 1e-10;
    o.max_iterations = 10000;
    return o;
  }
  Engine engine_{EngineOptions{.disk_cache = false}};
};

Matrix matrix(std::initializer_list<std::initializer_list<double>> rows) {
  Matrix A(rows.size(), rows.begin()->size());
  Eigen::Index i = 0;
  for (const auto& row : rows) {
    Eigen::Index j = 0;
    for (double v : row)
      A(i, j++) = v;
    ++i;
  }
  return A;
}

TEST_P(NotConvex, NegativeDiagonalIsDivergedWithAHint) {
  const Matrix A = matrix({{2, 0, 0}, {0, -0.3, 0}, {0, 0, 1}});
  const Problem problem = Problem::parse("quadratic", "l1(lambda=0.1)", A, Vector::Ones(3));
  for (Algorithm algorithm : {Algorithm::coordinate_descent, Algorithm::automatic}) {
    const Summary s = engine_.solve(problem, options(algorithm));
    EXPECT_EQ(s.status, SolveStatus::diverged) << s.message;
    EXPECT_TRUE(Contains(s.message, "coordinate 1 has curvature A_jj = -0.3 <= 0")) << s.message;
    EXPECT_TRUE(Contains(s.message, "positive semi-definite")) << s.message;
  }
}

TEST_P(NotConvex, ZeroDiagonalWithASteepLinearTermIsUnbounded) {
  const Matrix A = matrix({{2, 0}, {0, 0}});
  Vector b(2);
  b << 1.0, 0.5;  // |b_1| > lambda: f + r -> -inf along x_1
  const Problem steep = Problem::parse("quadratic", "l1(lambda=0.1)", A, b);
  const Summary s = engine_.solve(steep, options());
  EXPECT_EQ(s.status, SolveStatus::diverged) << s.message;
  EXPECT_TRUE(Contains(s.message, "unbounded below")) << s.message;
  // |b_1| <= lambda: bounded, x_1 = 0 is optimal.
  b[1] = 0.05;
  const Summary bounded =
      engine_.solve(Problem::parse("quadratic", "l1(lambda=0.1)", A, b), options());
  EXPECT_EQ(bounded.status, SolveStatus::converged) << bounded.message;
  // A zero diagonal with an off-diagonal entry: not PSD.
  const Matrix coupled = matrix({{2, 1}, {1, 0}});
  const Summary s2 =
      engine_.solve(Problem::parse("quadratic", "l1(lambda=0.1)", coupled, b), options());
  EXPECT_EQ(s2.status, SolveStatus::diverged) << s2.message;
  EXPECT_TRUE(Contains(s2.message, "not positive semi-definite")) << s2.message;
}

// A positive diagonal but an indefinite A: cd stops at a coordinate-wise stationary point.
TEST_P(NotConvex, IndefiniteMatrixWithPositiveDiagonalIsCaughtAfterTheRun) {
  const Matrix A = matrix({{1, 2}, {2, 1}});  // eigenvalues 3 and -1
  const Problem problem = Problem::parse("quadratic", "l1(lambda=0.1)", A, Vector::Zero(2));
  const Summary s = engine_.solve(problem, options());
  EXPECT_EQ(s.status, SolveStatus::diverged) << s.message;
  EXPECT_TRUE(Contains(s.message, "not a minimizer")) << s.message;
  EXPECT_TRUE(Contains(s.message, "positive semi-definite")) << s.message;
  // A PSD but singular, not diagonally dominant A still converges (b in A's range keeps the
  // problem bounded along A's null space).
  const Matrix X = testing::gaussian_matrix(5, 12, 3);
  const Matrix gram = X.transpose() * X;
  const Vector in_range = gram * testing::gaussian_vector(12, 4);
  const Summary psd =
      engine_.solve(Problem::parse("quadratic", "l1(lambda=0.1)", gram, in_range), options());
  EXPECT_EQ(psd.status, SolveStatus::converged) << psd.message;
}

TEST_P(NotConvex, ConcaveSmoothFormulaIsDiverged) {
  if (find_user_smooth("concave") == nullptr)
    define_components("smooth concave(x) = -0.5 * x^2 ; lipschitz = 1", "<concave>");
  const Problem problem = Problem::elementwise(SmoothComponent::parse("concave"),
                                               ProxComponent::parse("l1(lambda=0.1)"), 4);
  for (Algorithm algorithm : {Algorithm::coordinate_descent, Algorithm::automatic}) {
    const Summary s = engine_.solve(problem, options(algorithm));
    EXPECT_EQ(s.status, SolveStatus::diverged) << s.message;
    EXPECT_TRUE(Contains(s.message, "unbounded below")) << s.message;
  }
}

TEST_P(NotConvex, StepTooSmallToMoveXIsRefused) {
  const Problem problem = testing::make_problem("quadratic", "l1(lambda=0.1)", 6, 6, 3);
  for (Algorithm algorithm : {Algorithm::proximal_gradient, Algorithm::fista}) {
    for (ScalarType scalar : {ScalarType::f64, ScalarType::f32}) {
      SolverOptions o = options(algorithm);
      o.scalar = scalar;
      o.step = 1e-170;
      try {
        const Summary s = engine_.solve(problem, o);
        ADD_FAILURE() << "step 1e-170 accepted: " << s.message;
      } catch (const Error& e) {
        EXPECT_TRUE(Contains(e.what(), "step 1e-170 is too small to move x")) << e.what();
        EXPECT_TRUE(Contains(e.what(), "1/L = ")) << e.what();
      }
    }
  }
  // A small step that still moves x runs as before.
  SolverOptions o = options(Algorithm::proximal_gradient);
  o.step = 1e-7;
  o.max_iterations = 3;
  EXPECT_NO_THROW(engine_.solve(problem, o));
}

INSTANTIATE_TEST_SUITE_P(Backends, NotConvex, ::testing::Values(Backend::jit, Backend::reference),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(to_string(info.param));
                         });

}  // namespace
}  // namespace proxjit
