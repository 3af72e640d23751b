// Matrix Market: "%%MatrixMarket matrix coordinate|array real|integer|pattern
// general|symmetric|skew-symmetric", '%' comments, a size line, then the entries.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io_internal.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
using namespace io_detail;
namespace {

constexpr const char* kBannerForm =
    "%%MatrixMarket matrix coordinate|array real|integer|pattern "
    "general|symmetric|skew-symmetric";

// What the parser reads goes to a sink: the shape (before any entry), then every entry, the
// mirrored ones of the symmetric kinds included. The dense and sparse loaders share the parser.
class MatrixMarketSink {
 public:
  virtual ~MatrixMarketSink() = default;
  // `entries`: the size line's count for coordinate files, the values stored for array files
  // (both checked against the file's size already).
  virtual void shape(std::int64_t rows, std::int64_t cols, bool coordinate, std::int64_t entries,
                     std::size_t size_line) = 0;
  // Coordinate entries add up (duplicates are summed); array entries come once per position.
  virtual void add(Eigen::Index row, Eigen::Index col, double value) = 0;
};

class DenseMatrixMarketSink final : public MatrixMarketSink {
 public:
  explicit DenseMatrixMarketSink(const std::string& path) : path_(path) {}
  void shape(std::int64_t rows, std::int64_t cols, bool coordinate, std::int64_t,
             std::size_t size_line) override {
    check_dense_size(path_, static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(cols));
    check_solve_memory(path_, size_line,
                       "a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix",
                       8.0L * rows * cols, rows, cols);
    matrix_ = Matrix::Zero(rows, cols);
    coordinate_ = coordinate;
  }
  void add(Eigen::Index row, Eigen::Index col, double value) override {
    // Assigning array values keeps a written -0.0 as it is.
    if (coordinate_) {
      matrix_(row, col) += value;
    } else {
      matrix_(row, col) = value;
    }
  }
  Matrix take() { return std::move(matrix_); }

 private:
  const std::string& path_;
  Matrix matrix_;
  bool coordinate_ = true;
};

class SparseMatrixMarketSink final : public MatrixMarketSink {
 public:
  explicit SparseMatrixMarketSink(const std::string& path) : path_(path) {}
  void shape(std::int64_t rows, std::int64_t cols, bool coordinate, std::int64_t entries,
             std::size_t size_line) override {
    if (rows > kMaxSparseIndex || cols > kMaxSparseIndex) {
      fail_line(path_, size_line,
                "a " + std::to_string(rows) + " x " + std::to_string(cols) +
                    " matrix is too large for sparse storage (at most " +
                    std::to_string(kMaxSparseIndex) + " rows and columns)");
    }
    // Triplets while reading, then CSR: 16 + 12 bytes an entry (twice for mirrored ones), and
    // 4 a row. A 10^9 x 10^9 matrix with 3 entries is 3 lines, but a solve over it is not.
    const long double stored = entries * (coordinate && rows == cols ? 2.0L : 1.0L);
    check_solve_memory(path_, size_line,
                       "a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix",
                       28.0L * stored + 4.0L * (rows + 1), rows, cols);
    rows_ = rows;
    cols_ = cols;
    coordinate_ = coordinate;
    // The size line is only a promise: reserve no more than a modest amount up front.
    triplets_.reserve(
        static_cast<std::size_t>(std::min<std::int64_t>(coordinate ? entries : 0, 1 << 24)));
  }
  void add(Eigen::Index row, Eigen::Index col, double value) override {
    // An array file lists its zeros; a coordinate file's explicit entries are kept.
    if (!coordinate_ && value == 0.0) return;
    if (triplets_.size() == static_cast<std::size_t>(kMaxSparseIndex)) {
      fail(path_, "has more than " + std::to_string(kMaxSparseIndex) +
                      " entries (mirrored ones included), more than sparse storage holds");
    }
    triplets_.emplace_back(static_cast<SparseMatrix::StorageIndex>(row),
                           static_cast<SparseMatrix::StorageIndex>(col), value);
  }
  SparseMatrix take() {
    SparseMatrix matrix(rows_, cols_);
    matrix.setFromTriplets(triplets_.begin(), triplets_.end());  // sums duplicates
    matrix.makeCompressed();
    triplets_.clear();
    return matrix;
  }

 private:
  const std::string& path_;
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  bool coordinate_ = true;
  std::vector<Eigen::Triplet<double, SparseMatrix::StorageIndex>> triplets_;
};

void parse_matrix_market(const std::string& path, MatrixMarketSink& sink) {
  const std::string file = read_whole_file(path);
  if (file.empty())
    fail(path, std::string("file is empty (expected a banner \"") + kBannerForm + "\")");
  Lines lines(file);
  std::string_view line;
  lines.next(line);
  const std::vector<std::string_view> banner = split_blanks(line);
  const auto bad_banner = [&](const std::string& why) {
    fail_line(path, 1,
              "bad Matrix Market banner \"" + printable(trimmed(line)) + "\": " + why +
                  " (expected \"" + kBannerForm + "\")");
  };
  if (banner.empty() || lowercase(banner[0]) != "%%matrixmarket") {
    bad_banner("it must start with %%MatrixMarket");
  }
  if (banner.size() != 5) bad_banner("expected 4 words after %%MatrixMarket");
  const std::string object = lowercase(banner[1]);
  const std::string layout = lowercase(banner[2]);
  const std::string field = lowercase(banner[3]);
  const std::string symmetry = lowercase(banner[4]);
  if (object != "matrix") bad_banner("unsupported object '" + printable(banner[1]) + "'");
  if (layout != "coordinate" && layout != "array") {
    bad_banner("unsupported format '" + printable(banner[2]) + "'");
  }
  if (field == "complex") {
    fail_line(path, 1,
              "complex Matrix Market matrices are not supported (real, integer or "
              "pattern only)");
  }
  if (field != "real" && field != "integer" && field != "pattern" && field != "double") {
    bad_banner("unsupported field '" + printable(banner[3]) + "'");
  }
  if (symmetry == "hermitian") {
    fail_line(path, 1, "hermitian Matrix Market matrices are not supported (they are complex)");
  }
  if (symmetry != "general" && symmetry != "symmetric" && symmetry != "skew-symmetric") {
    bad_banner("unsupported symmetry '" + printable(banner[4]) + "'");
  }
  const bool coordinate = layout == "coordinate";
  const bool pattern = field == "pattern";
  const bool symmetric = symmetry == "symmetric";
  const bool skew = symmetry == "skew-symmetric";
  if (pattern && !coordinate) bad_banner("a pattern matrix must be in coordinate format");

  // Data lines: not comments, not blank.
  const auto next_data_line = [&](std::vector<std::string_view>& tokens) {
    while (lines.next(line)) {
      if (line.starts_with('%')) continue;
      tokens = split_blanks(line);
      if (!tokens.empty()) return true;
    }
    return false;
  };

  std::vector<std::string_view> tokens;
  const std::string size_form = coordinate ? "\"rows columns entries\"" : "\"rows columns\"";
  if (!next_data_line(tokens)) fail(path, "has no size line (expected " + size_form + ")");
  const std::size_t size_line = lines.number();
  std::vector<std::int64_t> sizes;
  for (std::string_view token : tokens) {
    const std::optional<std::int64_t> value = parse_index(token);
    if (!value) break;
    sizes.push_back(*value);
  }
  if (sizes.size() != tokens.size() || sizes.size() != (coordinate ? 3u : 2u)) {
    fail_line(path, size_line,
              "expected the size line " + size_form + ", got \"" + printable(trimmed(line)) + "\"");
  }
  const std::int64_t rows = sizes[0];
  const std::int64_t cols = sizes[1];
  if ((symmetric || skew) && rows != cols) {
    fail_line(path, size_line,
              "a " + symmetry + " matrix must be square, got " + std::to_string(rows) + " x " +
                  std::to_string(cols));
  }
  // How many entries the file holds: the size line's count, or the stored part of the array.
  // In 128 bits: rows and columns are each up to 2^63.
  using Wide = unsigned __int128;
  const Wide wide_rows = static_cast<Wide>(rows);
  Wide declared = 0;
  if (coordinate) {
    declared = static_cast<Wide>(sizes[2]);
  } else if (symmetric) {
    declared = wide_rows * (wide_rows + 1) / 2;
  } else if (skew) {
    declared = rows == 0 ? 0 : wide_rows * (wide_rows - 1) / 2;
  } else {
    declared = wide_rows * static_cast<Wide>(cols);
  }
  // A few bytes can declare 10^18 entries: each needs a few bytes in the file ("1 1 1\n", "1 1\n",
  // "1\n"), so refuse what the rest of the file cannot hold before allocating for it. Small
  // declarations are left to the count check after the entries, which says the same.
  const std::size_t entry_bytes = coordinate ? (pattern ? 4 : 6) : 2;
  const Wide room = (static_cast<Wide>(lines.remaining()) + 1) / entry_bytes;
  const long double bytes = static_cast<long double>(declared) * (coordinate ? 16 : 8);
  if (declared > room && bytes > (1 << 20)) {
    std::uint64_t present = 0;
    Lines rest = lines;
    std::string_view rest_line;
    while (rest.next(rest_line)) {
      if (rest_line.starts_with('%')) continue;
      const std::size_t tokens = split_blanks(rest_line).size();
      present += coordinate ? (tokens > 0 ? 1 : 0) : tokens;
    }
    const std::string size = std::to_string(rows) + " x " + std::to_string(cols);
    const std::string declared_text = count_text(static_cast<long double>(declared));
    std::string what;
    if (coordinate) {
      what = "the header declares " + declared_text + " entries for a " + size + " matrix (" +
             bytes_text(bytes) + " as row, column, value), but the file holds " +
             std::to_string(present);
    } else {
      what = "the header declares " + (symmetric || skew ? "a " + symmetry + " " : std::string()) +
             size + (symmetric || skew ? " matrix, " : " = ") + declared_text +
             (symmetric || skew ? " stored values" : " entries") + " (" + bytes_text(bytes) +
             " as float64), but the file holds " + std::to_string(present) + " values";
    }
    fail_line(path, size_line, what);
  }
  const auto expected = static_cast<std::int64_t>(declared);
  sink.shape(rows, cols, coordinate, expected, size_line);

  const auto promise = [&] {
    return "the size line (line " + std::to_string(size_line) + ") promises " +
           std::to_string(expected) + (coordinate ? " entries" : " values");
  };
  const auto value_of = [&](std::string_view token) {
    const std::optional<double> value = parse_number(token);
    if (!value) {
      fail_line(path, lines.number(), "expected a number, got \"" + printable(token) + "\"");
    }
    return *value;
  };

  std::int64_t count = 0;
  if (coordinate) {
    const std::size_t width = pattern ? 2 : 3;
    const std::string entry_form = pattern ? "\"row column\"" : "\"row column value\"";
    while (next_data_line(tokens)) {
      if (count == expected) {
        fail_line(path, lines.number(), "more entries than " + promise());
      }
      if (tokens.size() != width) {
        fail_line(path, lines.number(),
                  "expected an entry " + entry_form + ", got \"" + printable(trimmed(line)) + "\"");
      }
      const std::optional<std::int64_t> i = parse_index(tokens[0]);
      const std::optional<std::int64_t> j = parse_index(tokens[1]);
      if (!i || !j) {
        fail_line(path, lines.number(),
                  "expected an entry " + entry_form + " with integer indices, got \"" +
                      printable(trimmed(line)) + "\"");
      }
      if (*i < 1 || *i > rows) {
        fail_line(
            path, lines.number(),
            "row index " + std::to_string(*i) + " out of range (1.." + std::to_string(rows) + ")");
      }
      if (*j < 1 || *j > cols) {
        fail_line(path, lines.number(),
                  "column index " + std::to_string(*j) + " out of range (1.." +
                      std::to_string(cols) + ")");
      }
      const double value = pattern ? 1.0 : value_of(tokens[2]);
      const Eigen::Index r = *i - 1;
      const Eigen::Index c = *j - 1;
      if (skew && r == c) {
        fail_line(path, lines.number(),
                  "a skew-symmetric matrix has no diagonal entries, got (" + std::to_string(*i) +
                      ", " + std::to_string(*j) + ")");
      }
      // Duplicates add up, as most readers do.
      sink.add(r, c, value);
      if ((symmetric || skew) && r != c) sink.add(c, r, skew ? -value : value);
      ++count;
    }
  } else {
    // Column after column; the symmetric kinds store the lower triangle only.
    Eigen::Index r = skew ? 1 : 0;
    Eigen::Index c = 0;
    while (next_data_line(tokens)) {
      for (std::string_view token : tokens) {
        if (count == expected) fail_line(path, lines.number(), "more values than " + promise());
        const double value = value_of(token);
        sink.add(r, c, value);
        if ((symmetric || skew) && r != c) sink.add(c, r, skew ? -value : value);
        ++count;
        if (++r == rows) {
          ++c;
          r = symmetric ? c : skew ? c + 1 : 0;
        }
      }
    }
  }
  if (count != expected) {
    fail(path, promise() + ", found " + std::to_string(count));
  }
}

Matrix read_matrix_market_dense(const std::string& path) {
  DenseMatrixMarketSink sink(path);
  parse_matrix_market(path, sink);
  return sink.take();
}

}  // namespace

SparseMatrix load_matrix_market_sparse(const std::string& path) {
  SparseMatrixMarketSink sink(path);
  parse_matrix_market(path, sink);
  return sink.take();
}

void save_matrix_market(const std::string& path, const SparseMatrix& A) {
  std::string text = "%%MatrixMarket matrix coordinate real general\n";
  text += std::to_string(A.rows()) + " " + std::to_string(A.cols()) + " " +
          std::to_string(A.nonZeros()) + "\n";
  for (Eigen::Index row = 0; row < A.outerSize(); ++row) {
    for (SparseMatrix::InnerIterator it(A, row); it; ++it) {
      text += std::to_string(row + 1) + " " + std::to_string(it.col() + 1) + " " +
              shortest_number_text(it.value()) + "\n";
    }
  }
  write_file(path, text);
}

Matrix load_matrix_market_matrix(const std::string& path) {
  return read_matrix_market_dense(path);
}

Vector load_matrix_market_vector(const std::string& path) {
  const Matrix m = read_matrix_market_dense(path);
  if (m.rows() != 1 && m.cols() != 1) {
    fail(path, "expected a vector (an n x 1 or 1 x n matrix), got " + std::to_string(m.rows()) +
                   " x " + std::to_string(m.cols()));
  }
  return Eigen::Map<const Vector>(m.data(), m.size());
}

}  // namespace proxjit
