// Solves a 3 x 3 problem through the installed proxjit package and checks the answer.
#include <cmath>
#include <iostream>

#include <Eigen/Cholesky>

#include "proxjit/engine.h"

int main() {
  proxjit::Matrix A(3, 3);
  A << 4, 1, 0,    //
      1, 3, -0.5,  //
      0, -0.5, 2;
  const proxjit::Vector b = Eigen::Vector3d(1, -2, 0.5);

  // min 1/2 x'Ax + b'x has the solution x = -A^{-1} b.
  proxjit::Engine engine;
  proxjit::SolverOptions options;
  options.tolerance = 1e-10;
  const proxjit::Summary summary =
      engine.solve(proxjit::Problem::parse("quadratic", "zero", A, b), options);
  std::cout << summary.FullReport();

  const proxjit::Vector exact = A.ldlt().solve(-b);
  const double error = (summary.x - exact).lpNorm<Eigen::Infinity>();
  std::cout << "consumer: max |x - x*| = " << error << "\n";
  if (summary.status != proxjit::SolveStatus::converged || !(error < 1e-6)) return 1;
  std::cout << "consumer: OK\n";
  return 0;
}
