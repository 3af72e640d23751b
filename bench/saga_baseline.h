#pragma once
// The hand-written sparse SAGA loop the JIT's SAGA kernel is measured against (bench_saga.cpp).
// Its own translation unit, compiled -O3 -march=native, raw CSR pointers in.

#include <cstdint>

namespace proxjit::bench {

// SAGA on 1/n sum_i log(1 + exp(-b_i a_i'x)) + lambda |x|_1 over CSR data, the algorithm of
// runtime/stochastic_solver.h exactly: splitmix64 from `seed`, samples drawn with replacement,
// one stored scalar per sample (all set at x by a first full pass), lagged updates of the
// coordinates a sample does not touch, caught up in closed form (one by one when a coordinate
// crosses zero towards the other sign). After each epoch, like the kernel, the full gradient and
// the gradient-mapping norm (returned for the last epoch) when `certificate` is true.
double saga_logistic_l1(const int* row_ptr, const int* col_idx, const double* values,
                        std::int64_t rows, std::int64_t cols, const double* b, std::int64_t epochs,
                        double step, double lambda, std::uint64_t seed, bool certificate,
                        double* x);

}  // namespace proxjit::bench
