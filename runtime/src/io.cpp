// Loaders and writers for .npy (NumPy format 1.0/2.0/3.0) and CSV/whitespace text files.
// Every error names the file first, then where (header field, line, column) and what was expected.
#include "proxjit/runtime/io.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "proxjit/runtime/component_text.h"
#include "proxjit/runtime/error.h"

namespace proxjit {
namespace {

constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr const char* kSupportedExtensions = ".npy, .csv, .txt";  // writable
constexpr const char* kSupportedDtypes = "float64, float32, int32 or int64, little-endian";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(path + ": " + what);
}

// Text-file errors read "b.csv, line 3, column 2: ..." (column 0: the whole line).
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

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() == 1) text += ",";
  return text + ")";
}

// ---------------------------------------------------------------------------------------------
// .npy header: a Python dict literal such as
//   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }

struct PyValue {
  enum class Kind { string, boolean, none, integer, sequence } kind = Kind::none;
  std::string text;
  bool boolean = false;
  std::int64_t integer = 0;
  std::vector<PyValue> items;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  std::vector<std::pair<std::string, PyValue>> dictionary() {
    std::vector<std::pair<std::string, PyValue>> entries;
    expect('{');
    while (true) {
      skip_spaces();
      if (peek() == '}') break;
      PyValue key = value();
      if (key.kind != PyValue::Kind::string) malformed("expected a quoted key");
      expect(':');
      entries.emplace_back(key.text, value());
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') malformed("expected ',' or '}'");
    }
    ++pos_;
    skip_spaces();
    if (pos_ != text_.size()) malformed("unexpected text after '}'");
    return entries;
  }

 private:
  PyValue value() {
    skip_spaces();
    PyValue v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      ++pos_;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != c)
        ++pos_;
      if (pos_ >= text_.size()) malformed("unterminated string");
      v.kind = PyValue::Kind::string;
      v.text = std::string(text_.substr(start, pos_ - start));
      ++pos_;
    } else if (c == '(' || c == '[') {
      const char close = c == '(' ? ')' : ']';
      ++pos_;
      v.kind = PyValue::Kind::sequence;
      while (true) {
        skip_spaces();
        if (peek() == close) break;
        v.items.push_back(value());
        skip_spaces();
        if (peek() == ',') {
          ++pos_;
        } else if (peek() != close) {
          malformed(std::string("expected ',' or '") + close + "'");
        }
      }
      ++pos_;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      const std::size_t start = pos_;
      if (c == '-') ++pos_;
      while (std::isdigit(static_cast<unsigned char>(peek())))
        ++pos_;
      // Python 2 era files may write long integers as `3L`.
      const std::string_view digits = text_.substr(start, pos_ - start);
      if (peek() == 'L') ++pos_;
      const auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), v.integer);
      if (ec != std::errc() || end != digits.data() + digits.size()) malformed("bad integer");
      v.kind = PyValue::Kind::integer;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      const std::size_t start = pos_;
      while (std::isalnum(static_cast<unsigned char>(peek())))
        ++pos_;
      const std::string_view word = text_.substr(start, pos_ - start);
      if (word == "True" || word == "False") {
        v.kind = PyValue::Kind::boolean;
        v.boolean = word == "True";
      } else if (word == "None") {
        v.kind = PyValue::Kind::none;
      } else {
        pos_ = start;
        malformed("unexpected word '" + std::string(word) + "'");
      }
    } else {
      malformed("expected a value");
    }
    return v;
  }

  void expect(char c) {
    skip_spaces();
    if (peek() != c) malformed(std::string("expected '") + c + "'");
    ++pos_;
  }
  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  [[noreturn]] void malformed(const std::string& what) const {
    fail(path_, "malformed .npy header at character " + std::to_string(pos_ + 1) + " (" + what +
                    "): " + std::string(text_));
  }

  std::string_view text_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

enum class Dtype { f64, f32, i32, i64 };

std::size_t item_size(Dtype dtype) {
  return dtype == Dtype::f64 || dtype == Dtype::i64 ? 8 : 4;
}

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // in C (row-major) order
};

template <class Bits>
Bits read_little_endian(const unsigned char* bytes) {
  Bits bits = 0;
  for (std::size_t i = 0; i < sizeof(Bits); ++i)
    bits |= static_cast<Bits>(bytes[i]) << (8 * i);
  return bits;
}

double read_value(const unsigned char* bytes, Dtype dtype) {
  switch (dtype) {
    case Dtype::f64:
      return std::bit_cast<double>(read_little_endian<std::uint64_t>(bytes));
    case Dtype::f32:
      return static_cast<double>(std::bit_cast<float>(read_little_endian<std::uint32_t>(bytes)));
    case Dtype::i32:
      return static_cast<double>(
          std::bit_cast<std::int32_t>(read_little_endian<std::uint32_t>(bytes)));
    case Dtype::i64:
      return static_cast<double>(
          std::bit_cast<std::int64_t>(read_little_endian<std::uint64_t>(bytes)));
  }
  return std::nan("");
}

const PyValue& header_field(const std::vector<std::pair<std::string, PyValue>>& entries,
                            const std::string& key, const std::string& path) {
  for (const auto& [name, value] : entries) {
    if (name == key) return value;
  }
  fail(path, "the .npy header has no '" + key + "' field");
}

Dtype parse_dtype(const PyValue& descr, const std::string& path) {
  if (descr.kind != PyValue::Kind::string) {
    fail(path, std::string("structured arrays are not supported (expected a plain dtype: ") +
                   kSupportedDtypes + ")");
  }
  const std::string& d = descr.text;
  if (d == "<f8") return Dtype::f64;
  if (d == "<f4") return Dtype::f32;
  if (d == "<i4") return Dtype::i32;
  if (d == "<i8") return Dtype::i64;
  std::string message = "unsupported dtype '" + d + "' (expected " + kSupportedDtypes + ")";
  if (d.size() == 3 && d[0] == '>' &&
      (d.substr(1) == "f8" || d.substr(1) == "f4" || d.substr(1) == "i4" || d.substr(1) == "i8")) {
    message += "; the data are big-endian: convert with a.astype('<" + d.substr(1) + "')";
  }
  fail(path, message);
}

NpyArray read_npy(const std::string& path) {
  const std::string file = read_whole_file(path);
  if (file.empty()) fail(path, "file is empty (expected a NumPy .npy file)");
  if (file.size() < kNpyMagic.size() + 2 || std::string_view(file).substr(0, 6) != kNpyMagic) {
    fail(path,
         "not a NumPy .npy file (it does not start with the \\x93NUMPY magic); for text "
         "data use a .csv or .txt extension");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  const int major = bytes[6];
  const int minor = bytes[7];
  if (minor != 0 || major < 1 || major > 3) {
    fail(path, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 (UTF-8 header) in 4.
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (file.size() < 8 + length_bytes) fail(path, "file is truncated inside the .npy header");
  const std::size_t header_length = major == 1 ? read_little_endian<std::uint16_t>(bytes + 8)
                                               : read_little_endian<std::uint32_t>(bytes + 8);
  const std::size_t data_offset = 8 + length_bytes + header_length;
  if (file.size() < data_offset) {
    fail(path, "file is truncated: the header promises " + std::to_string(header_length) +
                   " header bytes, found " + std::to_string(file.size() - 8 - length_bytes));
  }
  const std::string_view header(file.data() + 8 + length_bytes, header_length);
  const auto entries = HeaderParser(header, path).dictionary();

  const Dtype dtype = parse_dtype(header_field(entries, "descr", path), path);
  const PyValue& fortran = header_field(entries, "fortran_order", path);
  if (fortran.kind != PyValue::Kind::boolean) {
    fail(path, "the .npy header field 'fortran_order' must be True or False");
  }
  const PyValue& shape = header_field(entries, "shape", path);
  if (shape.kind != PyValue::Kind::sequence) {
    fail(path, "the .npy header field 'shape' must be a tuple of integers");
  }
  NpyArray array;
  std::uint64_t count = 1;
  for (const PyValue& extent : shape.items) {
    if (extent.kind != PyValue::Kind::integer || extent.integer < 0) {
      fail(path, "the .npy header field 'shape' must be a tuple of non-negative integers");
    }
    array.shape.push_back(extent.integer);
    if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(extent.integer), &count)) {
      fail(path, "the array shape " + shape_text(array.shape) + " is too large");
    }
  }
  if (array.shape.size() != 1 && array.shape.size() != 2) {
    fail(path, "expected a 1-D or 2-D array, got " + std::to_string(array.shape.size()) +
                   " dimensions, shape " + shape_text(array.shape));
  }

  const std::size_t size = item_size(dtype);
  const std::size_t available = (file.size() - data_offset) / size;
  if (count > available) {
    fail(path, "file is truncated: header promises " + std::to_string(count) + " values, found " +
                   std::to_string(available));
  }
  if (file.size() - data_offset != count * size) {
    fail(path, "has " + std::to_string(file.size() - data_offset - count * size) +
                   " extra bytes after the " + std::to_string(count) +
                   " values its header promises (is the header's shape right?)");
  }

  array.values.resize(count);
  const unsigned char* data = bytes + data_offset;
  const bool fortran_order = fortran.boolean && array.shape.size() == 2;
  const std::size_t rows = static_cast<std::size_t>(array.shape[0]);
  const std::size_t cols = array.shape.size() == 2 ? static_cast<std::size_t>(array.shape[1]) : 1;
  for (std::size_t i = 0; i < count; ++i) {
    // Fortran order stores column after column; place each value at its row-major index.
    const std::size_t target = fortran_order ? (i % rows) * cols + i / rows : i;
    array.values[target] = read_value(data + i * size, dtype);
  }
  return array;
}

// ---------------------------------------------------------------------------------------------
// Text: numbers separated by commas or whitespace, '#' starts a comment.

struct TextRow {
  std::size_t line = 0;  // 1-based line number in the file
  std::vector<double> values;
};

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

bool is_out_of_range(std::string_view token) {
  double value = 0.0;
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  return ec == std::errc::result_out_of_range && end == token.data() + token.size();
}

// Splits a line into its fields: commas or runs of whitespace separate values, and whitespace
// around a comma belongs to it. An empty field (",," or a trailing comma) is reported.
std::vector<std::string_view> split_fields(std::string_view line, const std::string& path,
                                           std::size_t line_number) {
  std::vector<std::string_view> fields;
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v'; };
  std::size_t pos = 0;
  bool need_field = true;  // at the start, and after a comma
  while (true) {
    while (pos < line.size() && is_space(line[pos]))
      ++pos;
    if (pos >= line.size()) break;
    if (line[pos] == ',') {
      if (need_field) {
        fail_at(path, line_number, fields.size() + 1,
                "empty value (two separators in a row, or a leading comma)");
      }
      need_field = true;
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    while (pos < line.size() && line[pos] != ',' && !is_space(line[pos]))
      ++pos;
    fields.push_back(line.substr(start, pos - start));
    need_field = false;
  }
  if (need_field && !fields.empty()) {
    fail_at(path, line_number, fields.size() + 1, "empty value after a trailing comma");
  }
  return fields;
}

std::vector<TextRow> read_text_rows(const std::string& path) {
  std::string file = read_whole_file(path);
  if (file.empty()) fail(path, "file is empty (expected rows of numbers)");
  std::string_view rest(file);
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<TextRow> rows;
  std::size_t line_number = 0;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    ++line_number;
    if (const std::size_t comment = line.find('#'); comment != std::string_view::npos) {
      line = line.substr(0, comment);
    }
    const std::vector<std::string_view> fields = split_fields(line, path, line_number);
    if (fields.empty()) continue;

    TextRow row{line_number, {}};
    row.values.reserve(fields.size());
    for (std::size_t column = 0; column < fields.size(); ++column) {
      if (const std::optional<double> value = parse_number(fields[column])) {
        row.values.push_back(*value);
        continue;
      }
      // A first line of words (column names) is a header, which these files do not have.
      const bool header_like =
          rows.empty() && std::all_of(fields.begin(), fields.end(), [](std::string_view f) {
            return !parse_number(f) && (std::isalpha(static_cast<unsigned char>(f.front())) ||
                                        f.front() == '"' || f.front() == '\'' || f.front() == '_');
          });
      if (header_like) {
        fail_at(
            path, line_number, 0,
            "expected numbers, got \"" +
                std::string(fields.front().data(), fields.back().data() + fields.back().size()) +
                "\", which looks like a header line: remove the header line (or start it "
                "with '#')");
      }
      std::string message = "expected a number, got \"" + std::string(fields[column]) + "\"";
      if (is_out_of_range(fields[column])) message += " (out of the float64 range)";
      if (fields[column].find(';') != std::string_view::npos) {
        message += " (values must be separated by commas or whitespace)";
      }
      fail_at(path, line_number, column + 1, message);
    }
    if (!rows.empty() && row.values.size() != rows.front().values.size()) {
      fail_at(path, line_number, 0,
              "has " + std::to_string(row.values.size()) + " values, but line " +
                  std::to_string(rows.front().line) + " has " +
                  std::to_string(rows.front().values.size()));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) fail(path, "contains no numbers (only blank or comment lines)");
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Writers.

std::string format_number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void write_file(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, std::string("cannot open for writing: ") + std::strerror(errno));
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) fail(path, "cannot write the file (disk full?)");
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& shape,
               const double* values, std::size_t count) {
  std::string header =
      "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // NumPy pads with spaces and ends with '\n' so that the data start on a 64-byte boundary.
  const std::size_t prefix = kNpyMagic.size() + 2 + 2;
  const std::size_t padding = 64 - (prefix + header.size() + 1) % 64;
  header.append(padding % 64, ' ');
  header += '\n';
  std::string contents(kNpyMagic);
  contents += '\x01';
  contents += '\x00';
  contents += static_cast<char>(header.size() & 0xff);
  contents += static_cast<char>((header.size() >> 8) & 0xff);
  contents += header;
  contents.reserve(contents.size() + count * 8);
  for (std::size_t i = 0; i < count; ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(values[i]);
    for (int byte = 0; byte < 8; ++byte)
      contents += static_cast<char>((bits >> (8 * byte)) & 0xff);
  }
  write_file(path, contents);
}

char text_separator(const std::string& path) {
  return lowercase_extension(path) == ".txt" ? ' ' : ',';
}

}  // namespace

Matrix load_npy_matrix(const std::string& path) {
  NpyArray array = read_npy(path);
  if (array.shape.size() != 2) {
    fail(path, "expected a 2-D array (a matrix), got a 1-D array of shape " +
                   shape_text(array.shape) + " (reshape it, e.g. a.reshape(-1, 1))");
  }
  Matrix m(array.shape[0], array.shape[1]);
  std::copy(array.values.begin(), array.values.end(), m.data());
  return m;
}

Vector load_npy_vector(const std::string& path) {
  NpyArray array = read_npy(path);
  if (array.shape.size() == 2 && array.shape[0] != 1 && array.shape[1] != 1) {
    fail(path, "expected a vector (a 1-D array, or an n x 1 or 1 x n 2-D one), got shape " +
                   shape_text(array.shape));
  }
  Vector v(static_cast<Eigen::Index>(array.values.size()));
  std::copy(array.values.begin(), array.values.end(), v.data());
  return v;
}

Matrix load_csv_matrix(const std::string& path) {
  const std::vector<TextRow> rows = read_text_rows(path);
  const auto cols = static_cast<Eigen::Index>(rows.front().values.size());
  Matrix m(static_cast<Eigen::Index>(rows.size()), cols);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy(rows[i].values.begin(), rows[i].values.end(), m.row(i).data());
  }
  return m;
}

Vector load_csv_vector(const std::string& path) {
  const std::vector<TextRow> rows = read_text_rows(path);
  const std::size_t cols = rows.front().values.size();
  if (rows.size() == 1) {
    return Eigen::Map<const Vector>(rows.front().values.data(), static_cast<Eigen::Index>(cols));
  }
  if (cols != 1) {
    fail(path, "expected a vector (one number per line, or a single row), got " +
                   std::to_string(rows.size()) + " rows of " + std::to_string(cols) + " values");
  }
  Vector v(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    v[i] = rows[i].values.front();
  return v;
}

namespace {

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

 private:
  std::string_view rest_;
  std::size_t number_ = 0;
};

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

// A positive or zero decimal integer, all of the token; nullopt otherwise (also on overflow).
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

// Dense results only (the sparse layout follows): refuse shapes that cannot be held.
constexpr std::uint64_t kMaxDenseEntries = std::uint64_t{1} << 28;  // 2 GiB of doubles

void check_dense_size(const std::string& path, std::uint64_t rows, std::uint64_t cols) {
  std::uint64_t count = 0;
  if (__builtin_mul_overflow(rows, cols, &count) || count > kMaxDenseEntries) {
    fail(path, "a " + std::to_string(rows) + " x " + std::to_string(cols) +
                   " matrix is too large to read densely (at most " +
                   std::to_string(kMaxDenseEntries) + " entries)");
  }
}

// ---------------------------------------------------------------------------------------------
// LIBSVM / svmlight: "label index:value index:value ... # comment", one sample per line.

// The file as CSR arrays with 64-bit, 0-based column indices: one parser for the sparse and the
// dense loaders, each of which then checks that the shape fits what it builds.
struct LibsvmRows {
  std::vector<std::int64_t> row_starts{0};  // row i: entries row_starts[i] .. row_starts[i+1]
  std::vector<std::int64_t> columns;
  std::vector<double> values;
  std::vector<double> labels;
  std::int64_t largest_index = 0;  // 1-based, 0 when no sample has a feature
  std::size_t largest_index_line = 0;
};

LibsvmRows parse_libsvm(const std::string& path) {
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
      std::string what = "expected a label (a number) first, got \"" + std::string(first) + "\"";
      if (first.find(':') != std::string_view::npos) what += " (the label is missing)";
      fail_line(path, n, what);
    }
    std::int64_t previous = 0;
    for (std::string_view token = next_token(); !token.empty(); token = next_token()) {
      if (token.starts_with("qid:")) continue;  // svmlight query ids: not used here
      const std::size_t colon = token.find(':');
      const auto quoted = [&] { return "\"" + std::string(token) + "\""; };
      if (colon == std::string_view::npos) {
        fail_line(path, n, "expected index:value, got " + quoted());
      }
      const std::optional<std::int64_t> index = parse_index(token.substr(0, colon));
      if (!index) {
        fail_line(path, n,
                  "expected index:value, got " + quoted() +
                      " (the index must be a "
                      "positive integer)");
      }
      const std::optional<double> value = parse_number(token.substr(colon + 1));
      if (!value) {
        fail_line(path, n,
                  "expected index:value, got " + quoted() + " (the value is not a number)");
      }
      if (*index == 0) fail_line(path, n, "index 0 in " + quoted() + " (indices start at 1)");
      if (*index <= previous) {
        fail_line(path, n,
                  "indices must increase (" + std::to_string(*index) + " after " +
                      std::to_string(previous) + ")");
      }
      previous = *index;
      rows.columns.push_back(*index - 1);
      rows.values.push_back(*value);
    }
    if (previous > rows.largest_index) {
      rows.largest_index = previous;
      rows.largest_index_line = n;
    }
    rows.row_starts.push_back(static_cast<std::int64_t>(rows.columns.size()));
  }
  if (rows.labels.empty()) fail(path, "contains no samples (only blank or comment lines)");
  return rows;
}

// Eigen's sparse matrices index with int: larger shapes are refused with the line that needs them.
constexpr std::int64_t kMaxSparseIndex = std::numeric_limits<SparseMatrix::StorageIndex>::max();

LabeledSparseData libsvm_to_csr(const std::string& path, const LibsvmRows& rows,
                                std::int64_t min_features) {
  if (rows.largest_index > kMaxSparseIndex) {
    fail_line(path, rows.largest_index_line,
              "feature index " + std::to_string(rows.largest_index) +
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

// ---------------------------------------------------------------------------------------------
// Matrix Market: "%%MatrixMarket matrix coordinate|array real|integer|pattern
// general|symmetric|skew-symmetric", '%' comments, a size line, then the entries.

constexpr const char* kBannerForm =
    "%%MatrixMarket matrix coordinate|array real|integer|pattern "
    "general|symmetric|skew-symmetric";

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// What the parser reads goes to a sink: the shape (before any entry), then every entry, the
// mirrored ones of the symmetric kinds included. The dense and sparse loaders share the parser.
class MatrixMarketSink {
 public:
  virtual ~MatrixMarketSink() = default;
  // `coordinate_entries`: the size line's count for coordinate files, 0 for array files.
  virtual void shape(std::int64_t rows, std::int64_t cols, bool coordinate,
                     std::int64_t coordinate_entries, std::size_t size_line) = 0;
  // Coordinate entries add up (duplicates are summed); array entries come once per position.
  virtual void add(Eigen::Index row, Eigen::Index col, double value) = 0;
};

class DenseMatrixMarketSink final : public MatrixMarketSink {
 public:
  explicit DenseMatrixMarketSink(const std::string& path) : path_(path) {}
  void shape(std::int64_t rows, std::int64_t cols, bool coordinate, std::int64_t,
             std::size_t) override {
    check_dense_size(path_, static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(cols));
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
  void shape(std::int64_t rows, std::int64_t cols, bool coordinate, std::int64_t coordinate_entries,
             std::size_t size_line) override {
    if (rows > kMaxSparseIndex || cols > kMaxSparseIndex) {
      fail_line(path_, size_line,
                "a " + std::to_string(rows) + " x " + std::to_string(cols) +
                    " matrix is too large for sparse storage (at most " +
                    std::to_string(kMaxSparseIndex) + " rows and columns)");
    }
    rows_ = rows;
    cols_ = cols;
    coordinate_ = coordinate;
    // The size line is only a promise: reserve no more than a modest amount up front.
    triplets_.reserve(
        static_cast<std::size_t>(std::min<std::int64_t>(coordinate_entries, 1 << 24)));
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
              "bad Matrix Market banner \"" + trimmed(line) + "\": " + why + " (expected \"" +
                  kBannerForm + "\")");
  };
  if (banner.empty() || lowercase(banner[0]) != "%%matrixmarket") {
    bad_banner("it must start with %%MatrixMarket");
  }
  if (banner.size() != 5) bad_banner("expected 4 words after %%MatrixMarket");
  const std::string object = lowercase(banner[1]);
  const std::string layout = lowercase(banner[2]);
  const std::string field = lowercase(banner[3]);
  const std::string symmetry = lowercase(banner[4]);
  if (object != "matrix") bad_banner("unsupported object '" + std::string(banner[1]) + "'");
  if (layout != "coordinate" && layout != "array") {
    bad_banner("unsupported format '" + std::string(banner[2]) + "'");
  }
  if (field == "complex") {
    fail_line(path, 1,
              "complex Matrix Market matrices are not supported (real, integer or "
              "pattern only)");
  }
  if (field != "real" && field != "integer" && field != "pattern" && field != "double") {
    bad_banner("unsupported field '" + std::string(banner[3]) + "'");
  }
  if (symmetry == "hermitian") {
    fail_line(path, 1, "hermitian Matrix Market matrices are not supported (they are complex)");
  }
  if (symmetry != "general" && symmetry != "symmetric" && symmetry != "skew-symmetric") {
    bad_banner("unsupported symmetry '" + std::string(banner[4]) + "'");
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
              "expected the size line " + size_form + ", got \"" + trimmed(line) + "\"");
  }
  const std::int64_t rows = sizes[0];
  const std::int64_t cols = sizes[1];
  if ((symmetric || skew) && rows != cols) {
    fail_line(path, size_line,
              "a " + symmetry + " matrix must be square, got " + std::to_string(rows) + " x " +
                  std::to_string(cols));
  }
  sink.shape(rows, cols, coordinate, coordinate ? sizes[2] : 0, size_line);

  // How many entries the file holds: the size line's count, or the stored part of the array.
  std::int64_t expected = 0;
  if (coordinate) {
    expected = sizes[2];
  } else if (symmetric) {
    expected = rows * (rows + 1) / 2;
  } else if (skew) {
    expected = rows * (rows - 1) / 2;
  } else {
    expected = rows * cols;
  }
  const auto promise = [&] {
    return "the size line (line " + std::to_string(size_line) + ") promises " +
           std::to_string(expected) + (coordinate ? " entries" : " values");
  };
  const auto value_of = [&](std::string_view token) {
    const std::optional<double> value = parse_number(token);
    if (!value) {
      fail_line(path, lines.number(), "expected a number, got \"" + std::string(token) + "\"");
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
                  "expected an entry " + entry_form + ", got \"" + trimmed(line) + "\"");
      }
      const std::optional<std::int64_t> i = parse_index(tokens[0]);
      const std::optional<std::int64_t> j = parse_index(tokens[1]);
      if (!i || !j) {
        fail_line(path, lines.number(),
                  "expected an entry " + entry_form + " with integer indices, got \"" +
                      trimmed(line) + "\"");
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
  std::string message = "unknown data format '" + std::string(name) + "'";
  const std::string suggestion = nearest_name(lower, accepted);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  std::string list;
  for (const std::string& text : accepted)
    list += (list.empty() ? "" : ", ") + text;
  throw Error(message + " (accepted: " + list + ")");
}

LabeledSparseData load_libsvm_sparse(const std::string& path) {
  return load_libsvm_sparse(path, 0);
}

LabeledSparseData load_libsvm_sparse(const std::string& path, Eigen::Index min_features) {
  if (min_features < 0) {
    throw Error("load_libsvm_sparse(" + path + "): min_features must be >= 0, got " +
                std::to_string(min_features));
  }
  return libsvm_to_csr(path, parse_libsvm(path), min_features);
}

LabeledData load_libsvm(const std::string& path) {
  // The sparse reading, converted: the two loaders cannot disagree. The dense size is checked
  // first so that a huge index reads "too large to read densely" rather than a sparse limit.
  const LibsvmRows rows = parse_libsvm(path);
  check_dense_size(path, rows.labels.size(), static_cast<std::uint64_t>(rows.largest_index));
  LabeledSparseData sparse = libsvm_to_csr(path, rows, 0);
  return LabeledData{to_dense(sparse.A), std::move(sparse.b)};
}

SparseMatrix load_matrix_market_sparse(const std::string& path) {
  SparseMatrixMarketSink sink(path);
  parse_matrix_market(path, sink);
  return sink.take();
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

}  // namespace proxjit
