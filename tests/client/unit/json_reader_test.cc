// The strict JSON reader (client/src/json_reader.h): RFC 8259 accepted, and
// everything json_reader.h promises to refuse, refused with an offset.
#include "client/src/json_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace securebase::client {
namespace {

JsonValue Parse(const std::string& text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : JsonValue();
}

void ExpectRefused(const std::string& text, const std::string& why) {
  auto parsed = ParseJson(text);
  ASSERT_FALSE(parsed.ok()) << "accepted: " << text;
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("invalid JSON at byte"), std::string::npos);
  EXPECT_NE(parsed.status().message().find(why), std::string::npos) << parsed.status().message();
}

TEST(JsonReader, ValuesOfEveryType) {
  JsonValue v = Parse(R"( {"a": [1, -2.5e3, true, false, null, "x"], "b": {}} )");
  ASSERT_EQ(v.type(), JsonValue::Type::kObject);
  ASSERT_EQ(v.object().size(), 2u);
  const JsonValue* a = v.Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array().size(), 6u);
  EXPECT_EQ(a->array()[0].AsUint(10), 1u);
  EXPECT_EQ(a->array()[1].AsDouble(), -2500.0);
  EXPECT_TRUE(a->array()[2].boolean());
  EXPECT_FALSE(a->array()[3].boolean());
  EXPECT_TRUE(a->array()[4].is_null());
  EXPECT_EQ(a->array()[5].string(), "x");
  EXPECT_EQ(v.Find("b")->type(), JsonValue::Type::kObject);
  EXPECT_EQ(v.Find("missing"), nullptr);
}

TEST(JsonReader, Strings) {
  EXPECT_EQ(Parse(R"("\"\\\/\b\f\n\r\t")").string(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(Parse(R"("\u00e9\u20ac")").string(), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(Parse(R"("\ud83d\ude42")").string(), "\xF0\x9F\x99\x82");  // A surrogate pair.
  EXPECT_EQ(Parse("\"\xF0\x9F\x99\x82 raw\"").string(), "\xF0\x9F\x99\x82 raw");
  ExpectRefused("\"\xC3\"", "UTF-8");
  ExpectRefused("\"\xED\xA0\x80\"", "UTF-8");  // An encoded surrogate.
  ExpectRefused("\"tab\there\"", "control character");
  ExpectRefused(R"("\ud83d")", "surrogate");
  ExpectRefused(R"("\ude42")", "surrogate");
  ExpectRefused(R"("\ud83d\u0041")", "surrogate");
  ExpectRefused(R"("\x")", "escape");
  ExpectRefused(R"("\u12")", "\\u");
  ExpectRefused(R"("open)", "not closed");
}

TEST(JsonReader, Numbers) {
  EXPECT_EQ(Parse("0").AsUint(0), 0u);
  EXPECT_EQ(Parse("4294967295").AsUint(4294967295u), 4294967295u);
  EXPECT_FALSE(Parse("4294967296").AsUint(4294967295u).has_value());
  EXPECT_EQ(Parse("1e2").AsUint(1000), 100u);
  EXPECT_EQ(Parse("7.0").AsUint(10), 7u);
  EXPECT_FALSE(Parse("7.5").AsUint(10).has_value());
  EXPECT_FALSE(Parse("-1").AsUint(10).has_value());
  EXPECT_FALSE(Parse("1e400").AsDouble().has_value());
  EXPECT_EQ(Parse("-0.25").AsDouble(), -0.25);
  ExpectRefused("01", "leading zero");
  ExpectRefused("1.", "decimal point");
  ExpectRefused("1e", "exponent");
  ExpectRefused("-", "cut short");
  ExpectRefused("+1", "expected a value");
  ExpectRefused("NaN", "expected a value");
  ExpectRefused(".5", "expected a value");
}

TEST(JsonReader, Structure) {
  ExpectRefused("", "end of input");
  ExpectRefused("   ", "end of input");
  ExpectRefused("[1,]", "expected a value");
  ExpectRefused("[1 2]", "','");
  ExpectRefused(R"({"a":1,})", "member name");
  ExpectRefused(R"({"a" 1})", "':'");
  ExpectRefused(R"({a:1})", "member name");
  ExpectRefused(R"({"a":1,"a":2})", "twice");
  ExpectRefused("{} {}", "trailing");
  ExpectRefused("tru", "unexpected");
  ExpectRefused("// comment\n1", "expected a value");
}

TEST(JsonReader, Bounds) {
  std::string deep(32, '[');
  deep += std::string(32, ']');
  EXPECT_EQ(Parse(deep).type(), JsonValue::Type::kArray);
  std::string too_deep(33, '[');
  too_deep += std::string(33, ']');
  ExpectRefused(too_deep, "deeper than 32");
  std::string nested_objects;
  for (int i = 0; i < 33; ++i) nested_objects += "{\"a\":";
  nested_objects += "1" + std::string(33, '}');
  ExpectRefused(nested_objects, "deeper than 32");
  auto big = ParseJson("\"" + std::string(kMaxJsonBytes, 'x') + "\"");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("1 MiB"), std::string::npos);
}

TEST(JsonReader, ErrorsDoNotQuoteTheInput) {
  auto parsed = ParseJson(R"({"secret": "my private words" oops})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().find("private"), std::string::npos);
}

}  // namespace
}  // namespace securebase::client
