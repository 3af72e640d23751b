// The JIT kernel and the reference solver run the same algorithm on the same data: their
// iterates must agree for every f x r pair, at sizes around the vector widths.
#include <gtest/gtest.h>

#include <tuple>

#include "proxjit/engine.h"
#include "support/problems.h"

namespace proxjit {
namespace {

using testing::make_problem;

const char* const kSmooth[] = {"quadratic", "least_squares"};
const char* const kProx[] = {"zero",
                             "l1(lambda=0.1)",
                             "l2sq(lambda=0.5)",
                             "box(lo=-0.3, hi=0.2)",
                             "nonneg",
                             "elastic_net(l1=0.1, l2=0.3)"};
// 1 and sizes that are not multiples of any vector width or of the matvec block.
const Eigen::Index kSizes[] = {1, 2, 3, 5, 7, 13, 17, 33, 50, 67};

Engine& shared_engine() {
  static Engine engine;
  return engine;
}

struct Case {
  std::string f, r;
  Eigen::Index d, n;
  ScalarType scalar;
  Algorithm algorithm = Algorithm::proximal_gradient;
  bool adaptive_restart = true;
  bool line_search = false;
};

void expect_paths_agree(const Case& c, double relative_tolerance) {
  SCOPED_TRACE(c.f + " + " + c.r + ", d = " + std::to_string(c.d) + ", n = " + std::to_string(c.n) +
               ", " + std::string(to_string(c.scalar)));
  const Problem problem = make_problem(c.f, c.r, c.d, c.n, 7 + static_cast<unsigned>(c.d));
  SolverOptions options;
  options.max_iterations = 150;
  options.tolerance = 0.0;
  options.scalar = c.scalar;
  options.algorithm = c.algorithm;
  options.adaptive_restart = c.adaptive_restart;
  options.line_search = c.line_search;
  options.backend = Backend::reference;
  const Summary reference = shared_engine().solve(problem, options);
  options.backend = Backend::jit;
  options.fallback_to_reference = false;
  const Summary jit = shared_engine().solve(problem, options);

  ASSERT_EQ(jit.backend, Backend::jit) << jit.message;
  EXPECT_EQ(jit.status, reference.status);
  EXPECT_EQ(jit.iterations, reference.iterations);
  const double scale = std::max(1.0, reference.x.norm());
  EXPECT_LE((jit.x - reference.x).norm(), relative_tolerance * scale)
      << "jit " << jit.x.transpose() << "\nref " << reference.x.transpose();
  EXPECT_NEAR(jit.objective, reference.objective,
              relative_tolerance * std::max(1.0, std::abs(reference.objective)));
}

TEST(JitVsReference, EveryPairAndSizeInDouble) {
  for (const char* f : kSmooth) {
    for (const char* r : kProx) {
      for (Eigen::Index d : kSizes) {
        // Least squares with more samples than unknowns, and with fewer.
        for (Eigen::Index n : {2 * d + 1, std::max<Eigen::Index>(1, d / 2)}) {
          expect_paths_agree({f, r, d, n, ScalarType::f64}, 1e-12);
          if (std::string(f) == "quadratic") break;  // n plays no part
        }
      }
    }
  }
}

TEST(JitVsReference, EveryPairInFloat) {
  for (const char* f : kSmooth) {
    for (const char* r : kProx) {
      for (Eigen::Index d : {1, 7, 50})
        expect_paths_agree({f, r, d, 3 * d, ScalarType::f32}, 1e-5);
    }
  }
}

TEST(JitVsReference, FistaEveryPairAndSizeInDouble) {
  for (const char* f : kSmooth) {
    for (const char* r : kProx) {
      for (Eigen::Index d : kSizes) {
        for (bool restart : {true, false}) {
          expect_paths_agree({f, r, d, 2 * d + 1, ScalarType::f64, Algorithm::fista, restart},
                             1e-12);
        }
      }
    }
  }
}

TEST(JitVsReference, FistaInFloat) {
  for (const char* f : kSmooth) {
    for (const char* r : kProx) {
      expect_paths_agree({f, r, 13, 40, ScalarType::f32, Algorithm::fista, true}, 1e-5);
    }
  }
}

TEST(JitVsReference, CoordinateDescentEveryPairAndSize) {
  for (const char* f : kSmooth) {
    for (const char* r : kProx) {
      for (Eigen::Index d : kSizes) {
        for (Eigen::Index n : {2 * d + 1, std::max<Eigen::Index>(1, d / 2)}) {
          expect_paths_agree({f, r, d, n, ScalarType::f64, Algorithm::coordinate_descent}, 1e-12);
          if (std::string(f) == "quadratic") break;
        }
      }
      expect_paths_agree({f, r, 11, 30, ScalarType::f32, Algorithm::coordinate_descent}, 1e-5);
    }
  }
}

// Backtracking is compared at convergence (tests/engine/line_search_test.cpp), not iterate by
// iterate: its accept/reject test compares f values, and a rounding difference in f (the kernel
// sums in another order) can flip a near-tie, after which the two step sequences differ.

TEST(JitVsReference, StoppingRulesAgree) {
  // With a tolerance the two paths stop at the same iteration, for the same reason.
  const Problem problem = make_problem("quadratic", "l1(lambda=0.1)", 20, 20, 3);
  SolverOptions options;
  options.tolerance = 1e-6;
  options.max_iterations = 100000;
  options.backend = Backend::reference;
  const Summary reference = shared_engine().solve(problem, options);
  options.backend = Backend::jit;
  const Summary jit = shared_engine().solve(problem, options);
  EXPECT_EQ(reference.status, SolveStatus::converged);
  EXPECT_EQ(jit.status, SolveStatus::converged);
  EXPECT_EQ(jit.iterations, reference.iterations);
  EXPECT_LE(jit.certificate, 1e-6);
}

}  // namespace
}  // namespace proxjit
