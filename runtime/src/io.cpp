// Format detection and dispatch for the loaders and writers (one file per format in io/), and
// the helpers they share. Every error names the file first, then where (header field, line,
// column) and what was expected.
#include "proxjit/runtime/io.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "io/io_internal.h"
#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {

std::string printable(std::string_view text) {
  constexpr std::size_t kMaxChars = 80;
  std::string shown;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    char escape[8];
    if (c == '\\') {
      std::snprintf(escape, sizeof escape, "\\\\");
    } else if (c >= 0x20 && c < 0x7f) {
      std::snprintf(escape, sizeof escape, "%c", c);
    } else if (c == '\0' || c == '\t' || c == '\n' || c == '\r') {
      std::snprintf(escape, sizeof escape, "\\%c",
                    c == '\0'   ? '0'
                    : c == '\t' ? 't'
                    : c == '\n' ? 'n'
                                : 'r');
    } else {
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
    }
    if (shown.size() + std::strlen(escape) > kMaxChars) return shown + "...";
    shown += escape;
  }
  return shown;
}

namespace io_detail {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(path + ": " + what);
}

[[noreturn]] void fail_at(const std::string& path, std::size_t line, std::size_t column,
                          const std::string& what) {
  std::string where = path + ", line " + std::to_string(line);
  if (column > 0) where += ", column " + std::to_string(column);
  throw Error(where + ": " + what);
}

std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "cannot open: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  if (std::filesystem::is_regular_file(path, ec)) {
    // One read of the known size: no growing buffer (data files run to gigabytes).
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) {
      std::string contents(static_cast<std::size_t>(size), '\0');
      in.read(contents.data(), static_cast<std::streamsize>(size));
      if (in.bad()) fail(path, "cannot read the file");
      contents.resize(static_cast<std::size_t>(in.gcount()));
      return contents;
    }
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) fail(path, "cannot read the file");
  return std::move(contents).str();
}

std::string lowercase_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

std::optional<double> parse_number(std::string_view token) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty() || token.front() == '+') return std::nullopt;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (end != token.data() + token.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow too; tiny numbers are fine as the nearest double.
    const double parsed = std::strtod(std::string(token).c_str(), nullptr);
    if (std::isinf(parsed)) return std::nullopt;
    return parsed;
  }
  if (ec != std::errc()) return std::nullopt;
  return value;
}

void write_file(const std::string& path, const std::string& contents) {
  write_file_atomically(path, contents);
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> split_blanks(std::string_view line) {
  std::vector<std::string_view> tokens;
  std::size_t pos = 0;
  while (true) {
    while (pos < line.size() && is_blank(line[pos]))
      ++pos;
    if (pos >= line.size()) break;
    const std::size_t start = pos;
    while (pos < line.size() && !is_blank(line[pos]))
      ++pos;
    tokens.push_back(line.substr(start, pos - start));
  }
  return tokens;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && is_blank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back()))
    text.remove_suffix(1);
  return std::string(text);
}

std::optional<std::int64_t> parse_index(std::string_view token) {
  if (token.empty() || !std::isdigit(static_cast<unsigned char>(token.front()))) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

[[noreturn]] void fail_line(const std::string& path, std::size_t line, const std::string& what) {
  fail_at(path, line, 0, what);
}

void check_dense_size(const std::string& path, std::uint64_t rows, std::uint64_t cols) {
  std::uint64_t count = 0;
  if (__builtin_mul_overflow(rows, cols, &count) || count > kMaxDenseEntries) {
    fail(path, "a " + std::to_string(rows) + " x " + std::to_string(cols) +
                   " matrix is too large to read densely (at most " +
                   std::to_string(kMaxDenseEntries) + " entries)");
  }
}

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

std::string count_text(long double count) {
  if (count < 1e15L) return std::to_string(static_cast<std::uint64_t>(count));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3Lg", count);
  std::string text = buffer;
  if (const std::size_t plus = text.find("e+"); plus != std::string::npos) text.erase(plus + 1, 1);
  return text;
}

std::string bytes_text(long double bytes) {
  static constexpr const char* kUnits[] = {"bytes", "kB", "MB", "GB", "TB"};
  int unit = 0;
  while (unit < 4 && bytes >= 1000.0L) {
    bytes /= 1000.0L;
    ++unit;
  }
  if (bytes >= 1000.0L) return count_text(bytes * 1e12L) + " bytes";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0Lf %s" : "%.3Lg %s", bytes, kUnits[unit]);
  return buffer;
}

void check_solve_memory(const std::string& path, std::size_t line, const std::string& what,
                        long double data_bytes, long double rows, long double cols) {
  const std::uint64_t memory = physical_memory_bytes();
  const long double vectors = 8.0L * kSolveVectors * (rows + cols);
  if (memory == 0 || data_bytes + vectors <= static_cast<long double>(memory)) return;
  const std::string message = what + " needs about " + bytes_text(data_bytes + vectors) +
                              " to solve (the data, " + bytes_text(data_bytes) +
                              ", and float64 vectors over its " + count_text(rows) + " rows and " +
                              count_text(cols) + " columns, " + bytes_text(vectors) +
                              "), more than this machine's " + bytes_text(memory) + " of memory";
  if (line > 0) fail_line(path, line, message);
  fail(path, message);
}

}  // namespace io_detail

using namespace io_detail;

namespace {

constexpr const char* kSupportedExtensions = ".npy, .csv, .txt";  // writable

enum class Format { npy, text };

Format format_of(const std::string& path) {
  const std::string extension = lowercase_extension(path);
  if (extension == ".npy") return Format::npy;
  if (extension == ".csv" || extension == ".txt") return Format::text;
  if (extension.empty()) {
    fail(path, std::string("has no file extension; cannot tell its format (supported: ") +
                   kSupportedExtensions + ")");
  }
  fail(path,
       "unsupported file extension '" + extension + "' (supported: " + kSupportedExtensions + ")");
}

// Written to be read back: the shortest text that reads back exactly (number_text.h).
std::string format_number(double value) {
  return number_text(value);
}

char text_separator(const std::string& path) {
  return lowercase_extension(path) == ".txt" ? ' ' : ',';
}

constexpr const char* kLoadableExtensions = ".npy, .csv, .txt, .mtx, .svm, .libsvm, .svmlight";

DataFormat resolve_format(const std::string& path, DataFormat format) {
  if (format != DataFormat::automatic) return format;
  const std::string extension = lowercase_extension(path);
  if (extension == ".npy") return DataFormat::npy;
  if (extension == ".csv" || extension == ".txt") return DataFormat::csv;
  if (extension == ".mtx") return DataFormat::matrix_market;
  if (extension == ".svm" || extension == ".libsvm" || extension == ".svmlight") {
    return DataFormat::libsvm;
  }
  if (extension.empty()) {
    fail(path, std::string("has no file extension; cannot tell its format (supported: ") +
                   kLoadableExtensions + ")");
  }
  fail(path,
       "unsupported file extension '" + extension + "' (supported: " + kLoadableExtensions + ")");
}

[[noreturn]] void fail_libsvm_alone(const std::string& path, const char* what) {
  fail(path, std::string("is a LIBSVM file, which holds A and b together (a label, then "
                         "index:value features, on each line); it cannot be read as ") +
                 what + ": load it with --data (load_libsvm)");
}

}  // namespace

Matrix load_matrix(const std::string& path, DataFormat format) {
  switch (resolve_format(path, format)) {
    case DataFormat::npy:
      return load_npy_matrix(path);
    case DataFormat::matrix_market:
      return load_matrix_market_matrix(path);
    case DataFormat::libsvm:
      fail_libsvm_alone(path, "the matrix A alone");
    case DataFormat::csv:
    case DataFormat::automatic:
      break;
  }
  return load_csv_matrix(path);
}

Vector load_vector(const std::string& path, DataFormat format) {
  switch (resolve_format(path, format)) {
    case DataFormat::npy:
      return load_npy_vector(path);
    case DataFormat::matrix_market:
      return load_matrix_market_vector(path);
    case DataFormat::libsvm:
      fail_libsvm_alone(path, "a vector alone");
    case DataFormat::csv:
    case DataFormat::automatic:
      break;
  }
  return load_csv_vector(path);
}

DataFormat parse_data_format(std::string_view name) {
  static const std::vector<std::pair<std::string, DataFormat>> names = {
      {"auto", DataFormat::automatic},
      {"npy", DataFormat::npy},
      {"csv", DataFormat::csv},
      {"mtx", DataFormat::matrix_market},
      {"matrix_market", DataFormat::matrix_market},
      {"libsvm", DataFormat::libsvm},
      {"svmlight", DataFormat::libsvm},
  };
  const std::string lower = lowercase(name);
  std::vector<std::string> accepted;
  for (const auto& [text, format] : names) {
    if (lower == text) return format;
    accepted.push_back(text);
  }
  std::string message = "unknown data format '" + printable(name) + "'";
  const std::string suggestion = nearest_name(lower, accepted);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  std::string list;
  for (const std::string& text : accepted)
    list += (list.empty() ? "" : ", ") + text;
  throw Error(message + " (accepted: " + list + ")");
}

SparseMatrix load_sparse_matrix(const std::string& path, DataFormat format) {
  switch (resolve_format(path, format)) {
    case DataFormat::matrix_market:
      return load_matrix_market_sparse(path);
    case DataFormat::libsvm:
      // Dropping the labels silently would hide a mistake: A and b come together.
      fail(path,
           "is a LIBSVM file, which holds A and b together (a label, then index:value "
           "features, on each line); it cannot be read as the matrix A alone: load it "
           "with --data (load_libsvm_sparse)");
    case DataFormat::npy:
    case DataFormat::csv:
    case DataFormat::automatic:
      break;
  }
  return to_sparse(load_matrix(path, format));
}

void save_vector(const std::string& path, const Vector& v) {
  if (format_of(path) == Format::npy) {
    write_npy(path, {v.size()}, v.data(), static_cast<std::size_t>(v.size()));
    return;
  }
  std::string text;
  for (Eigen::Index i = 0; i < v.size(); ++i)
    text += format_number(v[i]) + "\n";
  write_file(path, text);
}

void save_matrix(const std::string& path, const Matrix& m) {
  if (format_of(path) == Format::npy) {
    write_npy(path, {m.rows(), m.cols()}, m.data(), static_cast<std::size_t>(m.size()));
    return;
  }
  const char separator = text_separator(path);
  std::string text;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (j) text += separator;
      text += format_number(m(i, j));
    }
    text += '\n';
  }
  write_file(path, text);
}

std::string read_text_file(const std::string& path) { return io_detail::read_whole_file(path); }

}  // namespace proxjit
