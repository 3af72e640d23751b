#pragma once
// Shared by the loaders and writers in runtime/src/io/ (one file per format) and io.cpp (format
// detection and dispatch). Internal: not installed, not part of the API.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxjit/runtime/io.h"  // printable
#include "proxjit/runtime/sparse.h"

namespace proxjit::io_detail {

using proxjit::printable;

[[noreturn]] void fail(const std::string& path, const std::string& what);
// Text-file errors read "b.csv, line 3, column 2: ..." (column 0: the whole line).
[[noreturn]] void fail_at(const std::string& path, std::size_t line, std::size_t column,
                          const std::string& what);
[[noreturn]] void fail_line(const std::string& path, std::size_t line, const std::string& what);

std::string read_whole_file(const std::string& path);
void write_file(const std::string& path, const std::string& contents);

std::string lowercase_extension(const std::string& path);
std::string lowercase(std::string_view text);


// A number, all of the token (a leading '+' allowed); nullopt otherwise.
std::optional<double> parse_number(std::string_view token);
// A positive or zero decimal integer, all of the token; nullopt otherwise (also on overflow).
std::optional<std::int64_t> parse_index(std::string_view token);

bool is_blank(char c);
std::vector<std::string_view> split_blanks(std::string_view line);
std::string trimmed(std::string_view text);

// Dense results only (the sparse layout follows): refuse shapes that cannot be held.
constexpr std::uint64_t kMaxDenseEntries = std::uint64_t{1} << 28;  // 2 GiB of doubles
void check_dense_size(const std::string& path, std::uint64_t rows, std::uint64_t cols);

// Eigen's sparse matrices index with int: larger shapes are refused with the line that needs them.
constexpr std::int64_t kMaxSparseIndex = std::numeric_limits<SparseMatrix::StorageIndex>::max();

// Physical memory in bytes (sysconf); 0 when unknown, and then no size is refused for it.
std::uint64_t physical_memory_bytes();
// Counts and sizes for messages: "3", "1e18"; "512 kB", "16 GB".
std::string count_text(long double count);
std::string bytes_text(long double bytes);
// A few bytes of input can declare terabytes: refuses `what` (e.g. "a 10 x 10 matrix") when its
// data (`data_bytes` as stored) and a solve's float64 vectors (kSolveVectors per row and per
// column: b, A x, a residual; x, a gradient, a step) need more than the machine's memory.
constexpr int kSolveVectors = 3;
void check_solve_memory(const std::string& path, std::size_t line, const std::string& what,
                        long double data_bytes, long double rows, long double cols);

// float64, C order, 1-D or 2-D (npy.cpp).
void write_npy(const std::string& path, const std::vector<std::int64_t>& shape,
               const double* values, std::size_t count);

// ---------------------------------------------------------------------------------------------
// Line-oriented text (LIBSVM, Matrix Market): lines without their '\n' (and '\r').

class Lines {
 public:
  explicit Lines(const std::string& file) : rest_(file) {
    if (rest_.starts_with("\xEF\xBB\xBF")) rest_.remove_prefix(3);  // UTF-8 byte order mark
  }
  // The next line, or false at the end of the file.
  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    const std::size_t newline = rest_.find('\n');
    line = rest_.substr(0, newline);
    rest_ = newline == std::string_view::npos ? std::string_view() : rest_.substr(newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    ++number_;
    return true;
  }
  std::size_t number() const { return number_; }
  // Bytes not read yet: bounds what the rest of the file can hold.
  std::size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
  std::size_t number_ = 0;
};

}  // namespace proxjit::io_detail
