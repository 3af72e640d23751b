#include "json.h"

#include <cmath>
#include <cstdio>

#include "proxjit/runtime/number_text.h"

namespace proxjit::cli {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          // Other control characters have no short escape; bytes >= 0x80 pass through (UTF-8).
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  return number_text(value);  // the shortest text that reads back exactly
}

void JsonWriter::begin_element() {
  if (value_follows_key_) {
    value_follows_key_ = false;
    return;
  }
  if (!scope_has_elements_.empty()) {
    if (scope_has_elements_.back()) text_ += ", ";
    scope_has_elements_.back() = true;
  }
}

void JsonWriter::open(char bracket) {
  begin_element();
  text_ += bracket;
  scope_has_elements_.push_back(false);
}

void JsonWriter::close(char bracket) {
  if (!scope_has_elements_.empty()) scope_has_elements_.pop_back();
  text_ += bracket;
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  close('}');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  begin_element();
  text_ += json_string(name);
  text_ += ": ";
  value_follows_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  begin_element();
  text_ += json_string(text);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  begin_element();
  text_ += json_number(number);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  begin_element();
  text_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  begin_element();
  text_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  begin_element();
  text_ += "null";
  return *this;
}

}  // namespace proxjit::cli
