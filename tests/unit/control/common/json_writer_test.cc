#include "control/common/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace sbc::control {
namespace {

TEST(JsonWriterTest, PlacesCommasInNestedObjectsAndArrays) {
  JsonWriter json;
  json.beginObject();
  json.field("name", "access0").field("up", true).field("vlan", uint16_t{100});
  json.key("addresses").beginArray().value("198.18.1.1/24").value("2001:db8::1/64").endArray();
  json.key("empty").beginArray().endArray();
  json.key("inner").beginObject().key("tap").null().endObject();
  json.endObject();
  EXPECT_EQ(json.text(),
            R"({"name":"access0","up":true,"vlan":100,)"
            R"("addresses":["198.18.1.1/24","2001:db8::1/64"],"empty":[],"inner":{"tap":null}})");
}

TEST(JsonWriterTest, WritesNumbersAtTheirLimits) {
  JsonWriter json;
  json.beginArray()
      .value(std::numeric_limits<uint64_t>::max())
      .value(std::numeric_limits<int64_t>::min())
      .value(0u)
      .value(false)
      .endArray();
  EXPECT_EQ(json.text(), "[18446744073709551615,-9223372036854775808,0,false]");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlBytes) {
  EXPECT_EQ(jsonQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(jsonQuote("line\nfeed\ttab\rcr\bbs\fff"), R"("line\nfeed\ttab\rcr\bbs\fff")");
  EXPECT_EQ(jsonQuote(std::string_view("\x00\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(jsonQuote("/ stays"), R"("/ stays")");
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(jsonQuote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e\"");
  // A lone continuation byte, a truncated sequence, an overlong '/', a UTF-16 surrogate,
  // a code point above U+10FFFF.
  EXPECT_EQ(jsonQuote("\x80"), R"("\ufffd")");
  EXPECT_EQ(jsonQuote("\xe2\x82"), R"("\ufffd\ufffd")");
  EXPECT_EQ(jsonQuote("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(jsonQuote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(jsonQuote("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
}

TEST(JsonWriterTest, EscapesKeysToo) {
  JsonWriter json;
  json.beginObject().field("we\"ird", 1).endObject();
  EXPECT_EQ(json.text(), R"({"we\"ird":1})");
}

}  // namespace
}  // namespace sbc::control
