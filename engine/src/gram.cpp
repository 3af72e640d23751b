#include "gram.h"

namespace proxjit::detail {
namespace {

// out[c * features + j] += sum_i shares[c * n + i] * A[i * stride + j]: every row read once for
// all the columns. Built for the machine it runs on (the engine itself is built portable): the
// vector width is picked when the program loads.
__attribute__((target_clones("avx512f", "avx2,fma", "default"))) void add_row_products(
    const double* A, std::int64_t stride, std::int64_t n, std::int64_t features,
    const double* shares, std::int64_t count, double* out) {
  // Four rows at a time: four multiply-adds per load and store of the output.
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double* r0 = A + i * stride;
    const double* r1 = r0 + stride;
    const double* r2 = r1 + stride;
    const double* r3 = r2 + stride;
    for (std::int64_t c = 0; c < count; ++c) {
      const double* s = shares + c * n + i;
      const double s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
      double* column = out + c * features;
      for (std::int64_t j = 0; j < features; ++j)
        column[j] += s0 * r0[j] + s1 * r1[j] + s2 * r2[j] + s3 * r3[j];
    }
  }
  for (; i < n; ++i) {
    const double* row = A + i * stride;
    for (std::int64_t c = 0; c < count; ++c) {
      const double share = shares[c * n + i];
      double* column = out + c * features;
      for (std::int64_t j = 0; j < features; ++j)
        column[j] += share * row[j];
    }
  }
}

// out(:, k) = sum_i w_i a_i a_i,wanted[k] / n over the features, for dense row-major or CSR A
// (with `by_column`, the same CSR matrix stored by columns).
Matrix weighted_products(const Matrix* dense, const SparseMatrix* sparse,
                         const SparseColumnMatrix* by_column, const Vector& weights,
                         const std::vector<Eigen::Index>& wanted, Eigen::Index features) {
  const Eigen::Index n = weights.size();
  const auto k = static_cast<Eigen::Index>(wanted.size());
  Eigen::MatrixXd products;
  if (sparse) {
    // Only the rows where column j is nonzero contribute: a column costs the nonzeros of those
    // rows, not a pass over A.
    products.setZero(features, k);
    for (Eigen::Index c = 0; c < k; ++c) {
      double* out = products.col(c).data();
      for (SparseColumnMatrix::InnerIterator entry(*by_column, wanted[static_cast<std::size_t>(c)]);
           entry; ++entry) {
        const Eigen::Index i = entry.row();
        const double share = weights[i] * entry.value();
        for (SparseMatrix::InnerIterator it(*sparse, i); it; ++it) {
          if (it.col() < features) out[it.col()] += share * it.value();
        }
      }
    }
  } else {
    // One stream over A's rows, each adding its share to every wanted column's products: no
    // packed copy of A (a general matrix product packs all of it, every call, for a few columns).
    const Matrix& A = *dense;
    Eigen::MatrixXd gathered(n, k);  // the wanted columns, weighted: W A(:, wanted)
    for (Eigen::Index c = 0; c < k; ++c)
      gathered.col(c) = weights.cwiseProduct(A.col(wanted[static_cast<std::size_t>(c)]));
    products.setZero(features, k);
    add_row_products(A.data(), A.cols(), n, features, gathered.data(), k, products.data());
  }
  return products / static_cast<double>(n);
}

}  // namespace

LeastSquaresGram::LeastSquaresGram(const Problem& problem)
    : features_(problem.features()), intercept_(problem.fit_intercept()) {
  if (problem.sparse()) {
    sparse_ = &problem.A_sparse();
    by_column_ = SparseColumnMatrix(problem.A_sparse());
  } else {
    dense_ = &problem.A();
  }
  const Eigen::Index n = problem.samples();
  const Vector& b = problem.b();
  weights_ = problem.sample_weights().size() ? problem.sample_weights() : Vector(Vector::Ones(n));
  const double weight_sum = weights_.sum();
  weight_share_ = weight_sum / static_cast<double>(n);
  Vector weighted_sums = Vector::Zero(features_);    // sum_i w_i a_ij
  Vector weighted_target = Vector::Zero(features_);  // sum_i w_i b_i a_ij
  Vector squares = Vector::Zero(features_);          // sum_i w_i a_ij^2
  const auto add_entry = [&](Eigen::Index i, Eigen::Index j, double a) {
    weighted_sums[j] += weights_[i] * a;
    weighted_target[j] += weights_[i] * b[i] * a;
    squares[j] += weights_[i] * a * a;
  };
  if (problem.sparse()) {
    const SparseMatrix& A = problem.A_sparse();
    for (Eigen::Index i = 0; i < n; ++i) {
      for (SparseMatrix::InnerIterator it(A, i); it; ++it) {
        if (it.col() < features_) add_entry(i, it.col(), it.value());
      }
    }
  } else {
    const Matrix& A = problem.A();
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto row = A.row(i).head(features_);
      weighted_sums += weights_[i] * row.transpose();
      weighted_target += (weights_[i] * b[i]) * row.transpose();
      squares += weights_[i] * row.transpose().cwiseAbs2();
    }
  }
  const double inverse_n = 1.0 / static_cast<double>(n);
  means_ = Vector::Zero(features_);
  if (intercept_ && weight_sum > 0.0) {
    means_ = weighted_sums / weight_sum;
    target_mean_ = weights_.dot(b) / weight_sum;
  }
  // sum w (a - mu)(b - beta) = sum w a b - beta sum w a (and sum w (b - beta) = 0).
  linear_ = (weighted_target - target_mean_ * weighted_sums) * inverse_n;
  diagonal_ = (squares - weighted_sums.cwiseProduct(means_)) * inverse_n;
  constant_ = 0.5 * inverse_n * weights_.dot((b.array() - target_mean_).square().matrix());
  slot_.assign(static_cast<std::size_t>(features_), -1);
}

double LeastSquaresGram::intercept(const Vector& features) const {
  return intercept_ ? target_mean_ - means_.dot(features) : 0.0;
}

std::vector<const double*> LeastSquaresGram::columns(std::span<const Eigen::Index> wanted,
                                                     std::span<const Eigen::Index> likely) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Eigen::Index> missing;
  for (const Eigen::Index j : wanted) {
    if (slot_[static_cast<std::size_t>(j)] < 0) {
      slot_[static_cast<std::size_t>(j)] = -2;  // (counted once when listed twice)
      missing.push_back(j);
    }
  }
  for (std::size_t k = 0; k < likely.size() && !missing.empty() && missing.size() < kBatch; ++k) {
    const auto j = static_cast<std::size_t>(likely[k]);
    if (slot_[j] == -1) {
      slot_[j] = -2;
      missing.push_back(likely[k]);
    }
  }
  if (!missing.empty()) compute(missing);
  std::vector<const double*> out;
  out.reserve(wanted.size());
  for (const Eigen::Index j : wanted)
    out.push_back(columns_[static_cast<std::size_t>(slot_[static_cast<std::size_t>(j)])].data());
  return out;
}

std::size_t LeastSquaresGram::columns_held() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return columns_.size();
}

void LeastSquaresGram::compute(const std::vector<Eigen::Index>& missing) {
  const Matrix products =
      weighted_products(dense_, sparse_, &by_column_, weights_, missing, features_);
  for (std::size_t c = 0; c < missing.size(); ++c) {
    const Eigen::Index j = missing[c];
    // G(:, j) = 1/n sum w a a_j - (sum w / n) mu mu_j: the centering, exactly as in diagonal_.
    columns_.emplace_back(products.col(static_cast<Eigen::Index>(c)) -
                          weight_share_ * means_[j] * means_);
    slot_[static_cast<std::size_t>(j)] = static_cast<int>(columns_.size() - 1);
  }
}

}  // namespace proxjit::detail
