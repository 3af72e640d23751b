// .npy (NumPy format 1.0/2.0/3.0): loaders and the float64 writer.
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io_internal.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
using namespace io_detail;
namespace {

constexpr std::string_view kNpyMagic = "\x93NUMPY";
constexpr const char* kSupportedDtypes = "float64, float32, int32 or int64, little-endian";

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
        malformed("unexpected word '" + printable(word) + "'");
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
                    "): " + printable(text_));
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
  std::string message =
      "unsupported dtype '" + printable(d) + "' (expected " + kSupportedDtypes + ")";
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

  // The values are there, but a shape such as (0, 10^12) holds none and still asks a solve for
  // vectors that long.
  const long double extent_rows = static_cast<long double>(array.shape[0]);
  const long double extent_cols = array.shape.size() == 2 ? array.shape[1] : 1;
  check_solve_memory(path, 0, "an array of shape " + shape_text(array.shape), 8.0L * count,
                     extent_rows, extent_cols);
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

}  // namespace

namespace io_detail {

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

}  // namespace io_detail

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

}  // namespace proxjit
