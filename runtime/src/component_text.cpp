#include "proxjit/runtime/component_text.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "proxjit/runtime/error.h"
#include "proxjit/runtime/number_text.h"

namespace proxjit {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  ComponentText parse() {
    ComponentText result;
    skip_spaces();
    result.name = identifier("a component name");
    skip_spaces();
    if (at_end()) return result;
    expect('(');
    skip_spaces();
    if (peek() == ')') {
      ++pos_;
    } else {
      while (true) {
        result.arguments.push_back(argument());
        skip_spaces();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(')');
        break;
      }
    }
    skip_spaces();
    if (!at_end()) fail("unexpected text after ')'");
    return result;
  }

 private:
  ComponentArgument argument() {
    skip_spaces();
    ComponentArgument arg;
    if (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_') {
      const std::size_t start = pos_;
      std::string word = identifier("a parameter name");
      skip_spaces();
      if (peek() == '=') {
        ++pos_;
        arg.key = std::move(word);
      } else {
        pos_ = start;  // a bare word such as `inf` is a positional value
      }
    }
    skip_spaces();
    if (peek() == '[') {
      arg.is_list = true;
      arg.list = list();
    } else {
      arg.value = number();
    }
    return arg;
  }

  // `[` number (`,` number)* `]`, or `[]`.
  std::vector<double> list() {
    expect('[');
    std::vector<double> values;
    skip_spaces();
    if (peek() == ']') {
      ++pos_;
      return values;
    }
    while (true) {
      skip_spaces();
      values.push_back(number());
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return values;
      }
      fail(at_end() ? "expected ']' to close the list" : "expected ',' or ']' in the list");
    }
  }

  std::string identifier(const char* what) {
    const std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')) {
      ++pos_;
    }
    if (start == pos_ || std::isdigit(static_cast<unsigned char>(text_[start]))) {
      pos_ = start;
      fail(std::string("expected ") + what);
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  double number() {
    const std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' ||
                         peek() == '+' || peek() == '-')) {
      ++pos_;
    }
    std::string word(text_.substr(start, pos_ - start));
    std::string lower = word;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "inf" || lower == "+inf") return std::numeric_limits<double>::infinity();
    if (lower == "-inf") return -std::numeric_limits<double>::infinity();
    if (lower == "nan" || lower == "+nan" || lower == "-nan") {
      pos_ = start;
      fail("NaN is not a valid parameter value");
    }
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(word.c_str(), &end);
    // ERANGE on underflow still gives the (subnormal or zero) value; only overflow is an error.
    if (word.empty() || end != word.c_str() + word.size() ||
        (errno == ERANGE && std::isinf(value))) {
      pos_ = start;
      fail("expected a number");
    }
    return value;
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  void skip_spaces() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek())))
      ++pos_;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("in component \"" + std::string(text_) + "\", column " + std::to_string(pos_ + 1) +
                ": " + what + "\n  " + std::string(text_) + "\n  " + std::string(pos_, ' ') + "^");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

ComponentText parse_component_text(std::string_view text) {
  return Parser(text).parse();
}

std::string shortest_number_text(double value) {
  return number_text(value);
}

std::string list_text(const std::vector<double>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) text += ", ";
    text += number_text(values[i]);
  }
  return text + "]";
}

std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // Suggest only names that share most of their letters with what was typed.
  if (best_distance > std::max<std::size_t>(2, name.size() / 2)) return {};
  return best;
}

}  // namespace proxjit
