#pragma once
// A tiny JSON writer for `--json` output: objects, arrays, strings, numbers, booleans, null.
// Numbers are the shortest text that reads back exactly (number_text.h); NaN and infinities,
// which JSON cannot express, are written as null.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace proxjit::cli {

// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);
// `value` as a JSON number, or null when it is not finite.
std::string json_number(double value);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next value inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();

  // key(name).value(v) in one call.
  template <class T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  // The text written so far; complete once every object and array is closed.
  const std::string& text() const { return text_; }

 private:
  // Writes the separator a new element needs in the current object or array.
  void begin_element();
  void open(char bracket);
  void close(char bracket);

  std::string text_;
  // One entry per open object/array: whether it already holds an element.
  std::vector<bool> scope_has_elements_;
  bool value_follows_key_ = false;
};

}  // namespace proxjit::cli
