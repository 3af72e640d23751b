#include "json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>

namespace proxjit::cli {
namespace {

TEST(JsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_string("line\nnext\ttab\r"), "\"line\\nnext\\ttab\\r\"");
  EXPECT_EQ(json_string(std::string_view("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

TEST(JsonNumber, KeepsEveryDigitAndWritesNonFiniteAsNull) {
  EXPECT_EQ(std::strtod(json_number(0.1).c_str(), nullptr), 0.1);
  EXPECT_EQ(std::strtod(json_number(1.0 / 3.0).c_str(), nullptr), 1.0 / 3.0);
  EXPECT_EQ(json_number(0.0), "0");
  EXPECT_EQ(json_number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(json_number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(json_number(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriter, NestsObjectsAndArraysWithSeparators) {
  JsonWriter json;
  json.begin_object();
  json.field("name", "l1");
  json.field("count", 3);
  json.field("ok", true);
  json.key("nothing").null();
  json.key("inner").begin_object().field("x", 1.5).end_object();
  json.key("list").begin_array().value(1).value("two").begin_object().end_object().end_array();
  json.end_object();
  EXPECT_EQ(json.text(),
            "{\"name\": \"l1\", \"count\": 3, \"ok\": true, \"nothing\": null, "
            "\"inner\": {\"x\": 1.5}, \"list\": [1, \"two\", {}]}");
}

TEST(JsonWriter, EmptyContainers) {
  JsonWriter json;
  json.begin_object().key("a").begin_array().end_array().end_object();
  EXPECT_EQ(json.text(), "{\"a\": []}");
}

}  // namespace
}  // namespace proxjit::cli
