// LIBSVM / svmlight: "label index:value index:value ... # comment", one sample per line.
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

// The file as CSR arrays with 64-bit, 0-based column indices: one parser for the sparse and the
// dense loaders, each of which then checks that the shape fits what it builds.
struct LibsvmRows {
  std::vector<std::int64_t> row_starts{0};  // row i: entries row_starts[i] .. row_starts[i+1]
  std::vector<std::int64_t> columns;
  std::vector<double> values;
  std::vector<double> labels;
  std::int64_t largest_index = -1;  // as written (its base not yet decided); -1: no feature
  std::size_t largest_index_line = 0;
  std::size_t zero_index_line = 0;  // the first line with an index 0; 0 when there is none
  std::int64_t base = 1;            // the index of the first column: 0 or 1
};

LibsvmRows parse_libsvm(const std::string& path, IndexBase index_base) {
  const std::string file = read_whole_file(path);
  if (file.empty()) fail(path, "file is empty (expected LIBSVM lines \"label index:value ...\")");
  LibsvmRows rows;
  Lines lines(file);
  std::string_view line;
  while (lines.next(line)) {
    const std::size_t n = lines.number();
    if (const std::size_t comment = line.find('#'); comment != std::string_view::npos) {
      line = line.substr(0, comment);
    }
    // Tokens are taken in place (no per-line or per-token allocation: files have millions).
    std::size_t pos = 0;
    const auto next_token = [&]() {
      while (pos < line.size() && is_blank(line[pos]))
        ++pos;
      const std::size_t start = pos;
      while (pos < line.size() && !is_blank(line[pos]))
        ++pos;
      return line.substr(start, pos - start);
    };
    const std::string_view first = next_token();
    if (first.empty()) continue;
    if (const std::optional<double> label = parse_number(first)) {
      rows.labels.push_back(*label);
    } else {
      std::string what = "expected a label (a number) first, got \"" + printable(first) + "\"";
      if (first.find(':') != std::string_view::npos) what += " (the label is missing)";
      fail_line(path, n, what);
    }
    std::int64_t previous = -1;
    for (std::string_view token = next_token(); !token.empty(); token = next_token()) {
      if (token.starts_with("qid:")) continue;  // svmlight query ids: not used here
      const std::size_t colon = token.find(':');
      const auto quoted = [&] { return "\"" + printable(token) + "\""; };
      if (colon == std::string_view::npos) {
        fail_line(path, n, "expected index:value, got " + quoted());
      }
      const std::optional<std::int64_t> index = parse_index(token.substr(0, colon));
      if (!index) {
        fail_line(path, n,
                  "expected index:value, got " + quoted() +
                      " (the index must be a "
                      "whole number >= 0)");
      }
      const std::optional<double> value = parse_number(token.substr(colon + 1));
      if (!value) {
        fail_line(path, n,
                  "expected index:value, got " + quoted() + " (the value is not a number)");
      }
      if (*index == 0) {
        if (index_base == IndexBase::one) {
          fail_line(path, n,
                    "index 0 in " + quoted() +
                        " (indices start at 1 here; read zero-based files with --zero-based)");
        }
        if (rows.zero_index_line == 0) rows.zero_index_line = n;
      }
      if (*index <= previous) {
        fail_line(path, n,
                  "indices must increase (" + std::to_string(*index) + " after " +
                      std::to_string(previous) + ")");
      }
      previous = *index;
      rows.columns.push_back(*index);
      rows.values.push_back(*value);
    }
    if (previous > rows.largest_index) {
      rows.largest_index = previous;
      rows.largest_index_line = n;
    }
    rows.row_starts.push_back(static_cast<std::int64_t>(rows.columns.size()));
  }
  if (rows.labels.empty()) fail(path, "contains no samples (only blank or comment lines)");
  // scikit-learn's zero_based="auto": a file with an index 0 is zero-based (dump_svmlight_file's
  // default); otherwise indices start at 1 (LIBSVM's convention).
  rows.base = index_base == IndexBase::zero || (index_base == IndexBase::automatic &&
                                                rows.zero_index_line != 0)
                  ? 0
                  : 1;
  if (rows.base == 1) {
    for (std::int64_t& column : rows.columns)
      --column;
  }
  // From here on: the count of columns the file needs.
  rows.largest_index = rows.largest_index < 0 ? 0 : rows.largest_index + 1 - rows.base;
  return rows;
}

// Drops the entries in columns >= width (a test file read at its training width).
void drop_columns_from(LibsvmRows& rows, std::int64_t width) {
  std::size_t kept = 0;
  std::size_t entry = 0;
  for (std::size_t row = 0; row + 1 < rows.row_starts.size(); ++row) {
    const auto end = static_cast<std::size_t>(rows.row_starts[row + 1]);
    for (; entry < end; ++entry) {
      if (rows.columns[entry] >= width) continue;
      rows.columns[kept] = rows.columns[entry];
      rows.values[kept] = rows.values[entry];
      ++kept;
    }
    rows.row_starts[row + 1] = static_cast<std::int64_t>(kept);
  }
  rows.columns.resize(kept);
  rows.values.resize(kept);
  rows.largest_index = std::min(rows.largest_index, width);
}

LabeledSparseData libsvm_to_csr(const std::string& path, const LibsvmRows& rows,
                                std::int64_t min_features) {
  if (rows.largest_index > kMaxSparseIndex) {
    fail_line(path, rows.largest_index_line,
              "feature index " + std::to_string(rows.largest_index - 1 + rows.base) +
                  " is too large (sparse storage holds at most " + std::to_string(kMaxSparseIndex) +
                  " features)");
  }
  if (rows.values.size() > static_cast<std::size_t>(kMaxSparseIndex) ||
      rows.labels.size() > static_cast<std::size_t>(kMaxSparseIndex)) {
    fail(path, "has " + std::to_string(rows.labels.size()) + " samples with " +
                   std::to_string(rows.values.size()) +
                   " features in all; sparse storage holds at most " +
                   std::to_string(kMaxSparseIndex) + " of each");
  }
  const auto samples = static_cast<Eigen::Index>(rows.labels.size());
  const auto features = static_cast<Eigen::Index>(std::max(rows.largest_index, min_features));
  // One large index makes every vector over the features that long (x: 8 bytes a feature).
  const std::string what = rows.largest_index >= min_features
                               ? "feature index " +
                                     std::to_string(rows.largest_index - 1 + rows.base) + " (so " +
                                     std::to_string(features) + " columns)"
                               : std::to_string(features) + " features (min_features)";
  check_solve_memory(path, rows.largest_index >= min_features ? rows.largest_index_line : 0, what,
                     12.0L * rows.values.size() + 4.0L * (samples + 1), samples, features);
  LabeledSparseData data;
  data.A.resize(samples, features);
  data.A.resizeNonZeros(static_cast<Eigen::Index>(rows.values.size()));
  // The parser produced CSR already (indices increase within a row): copy the arrays in.
  using StorageIndex = SparseMatrix::StorageIndex;
  std::transform(rows.row_starts.begin(), rows.row_starts.end(), data.A.outerIndexPtr(),
                 [](std::int64_t start) { return static_cast<StorageIndex>(start); });
  std::transform(rows.columns.begin(), rows.columns.end(), data.A.innerIndexPtr(),
                 [](std::int64_t column) { return static_cast<StorageIndex>(column); });
  std::copy(rows.values.begin(), rows.values.end(), data.A.valuePtr());
  data.b = Eigen::Map<const Vector>(rows.labels.data(), samples);
  return data;
}

}  // namespace

LabeledSparseData load_libsvm_sparse(const std::string& path) {
  return load_libsvm_sparse(path, LibsvmOptions{});
}

LabeledSparseData load_libsvm_sparse(const std::string& path, Eigen::Index min_features) {
  if (min_features < 0) {
    throw Error("load_libsvm_sparse(" + path + "): min_features must be >= 0, got " +
                std::to_string(min_features));
  }
  return libsvm_to_csr(path, parse_libsvm(path, IndexBase::automatic), min_features);
}

LabeledSparseData load_libsvm_sparse(const std::string& path, const LibsvmOptions& options) {
  if (options.features < 0) {
    throw Error("load_libsvm_sparse(" + path + "): features must be >= 0, got " +
                std::to_string(options.features));
  }
  LibsvmRows rows = parse_libsvm(path, options.index_base);
  if (options.features > 0 && rows.largest_index > options.features) {
    if (!options.ignore_extra_features) {
      const std::int64_t first = options.features + rows.base;  // as written in the file
      fail_line(path, rows.largest_index_line,
                "feature index " + std::to_string(rows.largest_index - 1 + rows.base) +
                    " is beyond the " + std::to_string(options.features) +
                    " features expected (indices from " + std::to_string(rows.base) + " to " +
                    std::to_string(first - 1) +
                    "); the model never saw it: pass --ignore-extra-features to drop such "
                    "features");
    }
    drop_columns_from(rows, options.features);
  }
  return libsvm_to_csr(path, rows, options.features);
}

LabeledData load_libsvm(const std::string& path) {
  // The sparse reading, converted: the two loaders cannot disagree. The dense size is checked
  // first so that a huge index reads "too large to read densely" rather than a sparse limit.
  const LibsvmRows rows = parse_libsvm(path, IndexBase::automatic);
  check_dense_size(path, rows.labels.size(),
                   static_cast<std::uint64_t>(std::max<std::int64_t>(rows.largest_index, 0)));
  LabeledSparseData sparse = libsvm_to_csr(path, rows, 0);
  return LabeledData{to_dense(sparse.A), std::move(sparse.b)};
}

void save_libsvm(const std::string& path, const SparseMatrix& A, const Vector& b) {
  if (b.size() != A.rows()) {
    throw Error("save_libsvm(" + path + "): " + std::to_string(A.rows()) + " samples but " +
                std::to_string(b.size()) + " labels (expected one label per row of A)");
  }
  std::string text;
  for (Eigen::Index row = 0; row < A.outerSize(); ++row) {
    text += shortest_number_text(b[row]);
    for (SparseMatrix::InnerIterator it(A, row); it; ++it) {
      text += ' ';
      text += std::to_string(it.col() + 1);
      text += ':';
      text += shortest_number_text(it.value());
    }
    text += '\n';
  }
  write_file(path, text);
}

}  // namespace proxjit
