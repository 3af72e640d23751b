#include "proxjit/runtime/synthetic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {
namespace {

// Our own transforms over mt19937_64's raw output (see the seed contract in synthetic.h).
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n), n >= 1: rejection of the short last block, so no modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (true) {
      const std::uint64_t r = engine_();
      if (r >= threshold) return r % n;
    }
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  // Poisson by multiplying uniforms (Knuth), in pieces of rate <= 16 whose counts add up (a sum
  // of independent Poisson variables is Poisson), so exp(-piece) never underflows.
  std::int64_t poisson(double rate) {
    std::int64_t count = 0;
    while (rate > 0.0) {
      const double piece = std::min(rate, 16.0);
      rate -= piece;
      const double limit = std::exp(-piece);
      double product = uniform();
      while (product >= limit) {
        ++count;
        product *= uniform();
      }
    }
    return count;
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// The stream for x_true, noise and labels: a fixed odd constant (2^64 / golden ratio) keeps it
// apart from the matrix's stream for the same seed.
std::uint64_t second_seed(std::uint64_t seed) {
  return seed ^ 0x9E3779B97F4A7C15ULL;
}

void check_shape(const char* function, Eigen::Index rows, Eigen::Index cols, double density) {
  const std::string name = function;
  constexpr Eigen::Index kMaxIndex = std::numeric_limits<SparseMatrix::StorageIndex>::max();
  if (rows < 1 || cols < 1 || rows > kMaxIndex || cols > kMaxIndex) {
    throw Error(name + ": rows and cols must be in 1.." + std::to_string(kMaxIndex) + ", got " +
                std::to_string(rows) + " x " + std::to_string(cols));
  }
  if (!(density > 0.0 && density <= 1.0)) {
    throw Error(name + ": density must be in (0, 1], got " + number_text(density));
  }
  const double expected_entries = density * static_cast<double>(rows) * static_cast<double>(cols);
  if (expected_entries + static_cast<double>(rows) > static_cast<double>(kMaxIndex)) {
    throw Error(name + ": about " + number_text(expected_entries) +
                " nonzeros are more than sparse storage holds (" + std::to_string(kMaxIndex) + ")");
  }
}

// `count` distinct indices in [0, n), sorted, by Floyd's algorithm: `count` draws whatever n is.
// `taken` is an all-false scratch of size n, left all false again.
void distinct_indices(Random& random, std::int64_t n, std::int64_t count, std::vector<char>& taken,
                      std::vector<std::int64_t>& out) {
  out.clear();
  for (std::int64_t j = n - count; j < n; ++j) {
    const auto t = static_cast<std::int64_t>(random.below(static_cast<std::uint64_t>(j) + 1));
    const std::int64_t pick = taken[t] ? j : t;
    taken[pick] = 1;
    out.push_back(pick);
  }
  for (std::int64_t index : out)
    taken[index] = 0;
  std::sort(out.begin(), out.end());
}

// Sparse x_true: 10% of the entries (at least one) standard normal times `scale`.
Vector sparse_weights(Random& random, Eigen::Index cols, double scale) {
  const auto count = std::max<std::int64_t>(1, std::llround(0.1 * static_cast<double>(cols)));
  std::vector<char> taken(static_cast<std::size_t>(cols), 0);
  std::vector<std::int64_t> support;
  distinct_indices(random, cols, count, taken, support);
  Vector x = Vector::Zero(cols);
  for (std::int64_t index : support)
    x[index] = scale * random.normal();
  return x;
}

}  // namespace

SparseMatrix random_sparse(Eigen::Index rows, Eigen::Index cols, double density,
                           std::uint64_t seed) {
  check_shape("random_sparse", rows, cols, density);
  Random random(seed);
  const double per_row = density * static_cast<double>(cols);
  const double whole = std::floor(per_row);
  const double fraction = per_row - whole;
  using StorageIndex = SparseMatrix::StorageIndex;
  std::vector<StorageIndex> row_starts{0};
  std::vector<StorageIndex> columns;
  std::vector<double> values;
  columns.reserve(static_cast<std::size_t>(std::ceil(per_row) * static_cast<double>(rows)));
  values.reserve(columns.capacity());
  std::vector<char> taken(static_cast<std::size_t>(cols), 0);
  std::vector<std::int64_t> picked;
  for (Eigen::Index row = 0; row < rows; ++row) {
    // Rounding up with probability `fraction` keeps the expected count at density * cols.
    auto count = static_cast<std::int64_t>(whole) + (random.uniform() < fraction ? 1 : 0);
    count = std::clamp<std::int64_t>(count, 1, cols);
    distinct_indices(random, cols, count, taken, picked);
    for (std::int64_t column : picked) {
      columns.push_back(static_cast<StorageIndex>(column));
      values.push_back(random.normal());
    }
    row_starts.push_back(static_cast<StorageIndex>(columns.size()));
  }
  SparseMatrix A(rows, cols);
  A.resizeNonZeros(static_cast<Eigen::Index>(values.size()));
  std::copy(row_starts.begin(), row_starts.end(), A.outerIndexPtr());
  std::copy(columns.begin(), columns.end(), A.innerIndexPtr());
  std::copy(values.begin(), values.end(), A.valuePtr());
  return A;
}

SyntheticProblem make_classification(Eigen::Index rows, Eigen::Index cols, double density,
                                     std::uint64_t seed) {
  check_shape("make_classification", rows, cols, density);
  SyntheticProblem problem;
  problem.A = random_sparse(rows, cols, density, seed);
  Random random(second_seed(seed));
  problem.x_true = sparse_weights(random, cols, 1.0);
  const Vector margins = problem.A * problem.x_true;
  problem.b.resize(rows);
  for (Eigen::Index i = 0; i < rows; ++i)
    problem.b[i] = margins[i] + 0.1 * random.normal() >= 0.0 ? 1.0 : -1.0;
  return problem;
}

SyntheticProblem make_multiclass(Eigen::Index rows, Eigen::Index cols, double density,
                                 Eigen::Index classes, std::uint64_t seed) {
  check_shape("make_multiclass", rows, cols, density);
  if (classes < 2) {
    throw Error("make_multiclass: classes must be >= 2, got " + std::to_string(classes));
  }
  SyntheticProblem problem;
  problem.A = random_sparse(rows, cols, density, seed);
  Random random(second_seed(seed));
  // Feature-major: x_true[j * classes + k] weighs feature j for class k.
  Matrix weights(cols, classes);
  for (Eigen::Index k = 0; k < classes; ++k)
    weights.col(k) = sparse_weights(random, cols, 1.0);
  problem.x_true = Eigen::Map<const Vector>(Matrix(weights.transpose()).data(), cols * classes);
  const Matrix scores = problem.A * weights;
  problem.b.resize(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    Eigen::Index best = 0;
    double best_score = -std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < classes; ++k) {
      const double score = scores(i, k) + 0.1 * random.normal();
      if (score > best_score) best_score = score, best = k;
    }
    problem.b[i] = static_cast<double>(best);
  }
  return problem;
}

SyntheticProblem make_regression(Eigen::Index rows, Eigen::Index cols, double density,
                                 std::uint64_t seed) {
  check_shape("make_regression", rows, cols, density);
  SyntheticProblem problem;
  problem.A = random_sparse(rows, cols, density, seed);
  Random random(second_seed(seed));
  problem.x_true = sparse_weights(random, cols, 1.0);
  problem.b = problem.A * problem.x_true;
  for (Eigen::Index i = 0; i < rows; ++i)
    problem.b[i] += 0.1 * random.normal();
  return problem;
}

SyntheticProblem make_counts(Eigen::Index rows, Eigen::Index cols, double density,
                             std::uint64_t seed) {
  check_shape("make_counts", rows, cols, density);
  SyntheticProblem problem;
  problem.A = random_sparse(rows, cols, density, seed);
  Random random(second_seed(seed));
  // A row meets about density * cols * 10% nonzeros of x_true: scale them so that a_i' x_true
  // has standard deviation about 0.5, whatever the shape.
  const double overlap = std::max(1.0, 0.1 * density * static_cast<double>(cols));
  problem.x_true = sparse_weights(random, cols, 0.5 / std::sqrt(overlap));
  const Vector log_rates = problem.A * problem.x_true;
  problem.b.resize(rows);
  for (Eigen::Index i = 0; i < rows; ++i)
    problem.b[i] = static_cast<double>(random.poisson(std::exp(log_rates[i])));
  return problem;
}

DenseProblem make_dense_regression(Eigen::Index rows, Eigen::Index cols, Eigen::Index nonzeros,
                                   double noise, std::uint64_t seed) {
  if (rows < 1 || cols < 1) {
    throw Error("make_dense_regression: rows and cols must be >= 1, got " + std::to_string(rows) +
                " x " + std::to_string(cols));
  }
  if (nonzeros < 0 || nonzeros > cols) {
    throw Error("make_dense_regression: nonzeros must be in 0..cols (" + std::to_string(cols) +
                "), got " + std::to_string(nonzeros));
  }
  if (!(noise >= 0.0) || !std::isfinite(noise)) {
    throw Error("make_dense_regression: noise must be a finite number >= 0, got " +
                number_text(noise));
  }
  DenseProblem problem;
  Random random(seed);
  problem.A.resize(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j)
      problem.A(i, j) = random.normal();
  }
  Random second(second_seed(seed));
  std::vector<char> taken(static_cast<std::size_t>(cols), 0);
  std::vector<std::int64_t> support;
  distinct_indices(second, cols, nonzeros, taken, support);
  problem.x_true = Vector::Zero(cols);
  for (const std::int64_t index : support) {
    const double sign = second.below(2) == 0 ? -1.0 : 1.0;
    problem.x_true[index] = sign * (1.0 + second.uniform());
  }
  problem.b.resize(rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    double margin = 0.0;
    for (const std::int64_t index : support)
      margin += problem.A(i, index) * problem.x_true[index];
    problem.b[i] = margin + noise * second.normal();
  }
  return problem;
}

DenseProblem make_dense_quadratic(Eigen::Index d, std::uint64_t seed) {
  if (d < 1) throw Error("make_dense_quadratic: d must be >= 1, got " + std::to_string(d));
  Random random(seed);
  Matrix M(d, d);
  for (Eigen::Index i = 0; i < d; ++i) {
    for (Eigen::Index j = 0; j < d; ++j)
      M(i, j) = random.normal();
  }
  // The upper triangle of M'M, summed over k in order, then mirrored: exactly symmetric.
  Matrix gram = Matrix::Zero(d, d);
  for (Eigen::Index k = 0; k < d; ++k) {
    for (Eigen::Index i = 0; i < d; ++i) {
      const double m_ki = M(k, i);
      for (Eigen::Index j = i; j < d; ++j)
        gram(i, j) += m_ki * M(k, j);
    }
  }
  DenseProblem problem;
  problem.A.resize(d, d);
  for (Eigen::Index i = 0; i < d; ++i) {
    for (Eigen::Index j = i; j < d; ++j) {
      problem.A(i, j) = gram(i, j) / static_cast<double>(d) + (i == j ? 0.1 : 0.0);
      problem.A(j, i) = problem.A(i, j);
    }
  }
  Random second(second_seed(seed));
  problem.b.resize(d);
  for (Eigen::Index i = 0; i < d; ++i)
    problem.b[i] = second.normal();
  return problem;
}

}  // namespace proxjit
