#pragma once
// The normal equations of a least-squares loss, for coordinate descent on working sets: with
// them a gradient over all features costs d * |support| operations instead of a pass over A.
//
//   f(x) = 1/(2n) sum_i w_i (a_i'x + c - b_i)^2
// with the intercept c (when fitted) at its optimum for x, c = beta - mu'x (mu and beta the
// w-weighted means of the columns and of b), is, over the features alone,
//   f(x) = constant - linear'x + x'Gx / 2,   G = 1/n sum_i w_i (a_i - mu)(a_i - mu)'.
// Without an intercept mu = beta = 0. G's columns are computed on demand, several at once (one
// matrix product), and kept: a path needs the columns of the features ever active only. Sparse
// A is also kept by columns (a copy of A's size), so that a column reads only its own rows.

#include <deque>
#include <mutex>
#include <span>
#include <vector>

#include "proxjit/problem.h"

namespace proxjit::detail {

using SparseColumnMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor>;

class LeastSquaresGram {
 public:
  // One pass over A: linear, the diagonal, the means, the constant.
  explicit LeastSquaresGram(const Problem& problem);

  Eigen::Index features() const { return static_cast<Eigen::Index>(linear_.size()); }
  const Vector& linear() const { return linear_; }      // 1/n sum w_i (a_i - mu)(b_i - beta)
  const Vector& diagonal() const { return diagonal_; }  // G_jj
  double constant() const { return constant_; }         // 1/(2n) sum w_i (b_i - beta)^2
  // The intercept's optimum for these features (0 without one).
  double intercept(const Vector& features) const;

  // Column j of G for each j of `wanted` (the missing ones computed together). The pointers stay
  // valid as long as the cache does. Thread-safe. When a pass over A is needed, the first of
  // `likely` (features that may be wanted soon, most likely first) not held yet share it, up to
  // kBatch columns: a pass costs about the same for one column as for several.
  std::vector<const double*> columns(std::span<const Eigen::Index> wanted,
                                     std::span<const Eigen::Index> likely = {});
  static constexpr std::size_t kBatch = 16;
  std::size_t columns_held() const;

 private:
  void compute(const std::vector<Eigen::Index>& missing);

  // The data, in the Problem::Data that owns this cache (so they outlive it).
  const Matrix* dense_ = nullptr;
  const SparseMatrix* sparse_ = nullptr;
  SparseColumnMatrix by_column_;  // sparse A by columns: a column's rows without a pass over A
  Eigen::Index features_ = 0;
  bool intercept_ = false;
  Vector weights_;  // w, all ones when unweighted
  Vector means_;    // mu (zero without an intercept)
  double target_mean_ = 0.0;
  double weight_share_ = 1.0;  // sum w / n
  Vector linear_;
  Vector diagonal_;
  double constant_ = 0.0;
  mutable std::mutex mutex_;
  std::vector<int> slot_;       // per feature: index into columns_, or -1
  std::deque<Vector> columns_;  // stable addresses
};

}  // namespace proxjit::detail
