// The seed article's example through the C++ API: min 1/2 x'Ax + b'x + lambda ||x||_1 over 50
// variables, fixed step 0.001, 20000 iterations. f and r are strings, so they can come from
// anywhere at runtime:  ./seed quadratic "l1(lambda=0.5)"   or   ./seed quadratic nonneg
#include <iostream>
#include <random>

#include "proxjit/engine.h"
#include "proxjit/runtime/error.h"

int main(int argc, char** argv) try {
  const int n = 50;
  std::mt19937 rng(0);
  std::normal_distribution<double> normal;
  const proxjit::Matrix M = proxjit::Matrix::NullaryExpr(n, n, [&] { return normal(rng); });
  proxjit::Matrix A = M.transpose() * M / n + 0.1 * proxjit::Matrix::Identity(n, n);
  A = (0.5 * (A + A.transpose())).eval();  // exactly symmetric
  const proxjit::Vector b = proxjit::Vector::NullaryExpr(n, [&] { return normal(rng); });

  const char* f = argc > 1 ? argv[1] : "quadratic";
  const char* r = argc > 2 ? argv[2] : "l1(lambda=0.1)";
  auto problem = proxjit::Problem::parse(f, r, A, b);

  proxjit::SolverOptions options;
  options.algorithm = proxjit::Algorithm::proximal_gradient;  // the article's loop
  options.step = 1e-3;
  options.max_iterations = 20000;
  options.tolerance = 0;  // run every iteration, as the article does

  proxjit::Engine engine;
  const proxjit::Summary summary = engine.solve(problem, options);
  std::cout << summary.FullReport();
  return summary.status == proxjit::SolveStatus::error ? 1 : 0;
} catch (const proxjit::Error& e) {
  std::cerr << "seed: " << e.what() << "\n";
  return 2;
}
