#pragma once
// The hand-written Eigen sparse loop the JIT's sparse logistic kernel is measured against. Like
// eigen_baseline.h it lives in its own translation unit (-O3 -march=native) and takes raw CSR
// pointers, so that no Eigen object crosses into code built with other flags.

#include <cstdint>

namespace proxjit::bench {

// Proximal gradient on 1/n sum_i log(1 + exp(-b_i a_i'x)) + lambda ||x||_1 from x = 0, with a
// fixed step: z = A x, d_i = -b_i sigmoid(-b_i z_i) (stable), g = A'd / n,
// x = soft_threshold(x - step g, step lambda). A is rows x cols CSR (row pointers of length
// rows + 1, 0-based column indices, values). Writes x (length cols).
void eigen_sparse_logistic_proximal_gradient(const int* row_ptr, const int* col_idx,
                                             const double* values, std::int64_t rows,
                                             std::int64_t cols, std::int64_t nnz, const double* b,
                                             std::int64_t iterations, double step, double lambda,
                                             double* x);

}  // namespace proxjit::bench
