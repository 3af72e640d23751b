// CSV/whitespace text: numbers separated by commas or whitespace, '#' starts a comment.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io_internal.h"
#include "proxjit/runtime/error.h"
#include "proxjit/runtime/io.h"

namespace proxjit {
using namespace io_detail;
namespace {

struct TextRow {
  std::size_t line = 0;  // 1-based line number in the file
  std::vector<double> values;
};

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
        fail_at(path, line_number, 0,
                "expected numbers, got \"" +
                    printable(std::string_view(
                        fields.front().data(),
                        fields.back().data() + fields.back().size() - fields.front().data())) +
                    "\", which looks like a header line: remove the header line (or start it "
                    "with '#')");
      }
      std::string message = "expected a number, got \"" + printable(fields[column]) + "\"";
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

}  // namespace

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

}  // namespace proxjit
