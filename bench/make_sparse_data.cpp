// Writes make_classification(rows, cols, density, seed) as a LIBSVM file, for
// logistic_vs_liblinear.sh:  proxjit_make_sparse_data OUT [rows cols density seed]
// (defaults 20000 5000 0.002 0).
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "proxjit/runtime/io.h"
#include "proxjit/runtime/synthetic.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 6) {
    std::cerr << "usage: " << argv[0] << " OUT.svm [rows cols density seed]\n";
    return 2;
  }
  try {
    const Eigen::Index rows = argc == 6 ? std::stoll(argv[2]) : 20000;
    const Eigen::Index cols = argc == 6 ? std::stoll(argv[3]) : 5000;
    const double density = argc == 6 ? std::stod(argv[4]) : 0.002;
    const std::uint64_t seed = argc == 6 ? std::stoull(argv[5]) : 0;
    const proxjit::SyntheticProblem p = proxjit::make_classification(rows, cols, density, seed);
    proxjit::save_libsvm(argv[1], p.A, p.b);
    std::cout << argv[1] << ": " << p.A.rows() << " x " << p.A.cols() << ", " << p.A.nonZeros()
              << " nonzeros\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
