#include "core/json.hpp"

#include <gtest/gtest.h>

namespace baton::json {
namespace {

TEST(Json, ParsesDocument) {
  auto v = parse(R"({"a":[1,2,{"b":null}]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at("a").as_array().size(), 3u);
}

TEST(Json, ReportsOffsetOfMalformedInput) {
  auto v = parse(R"({"a": tru})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kParse);
  EXPECT_NE(v.error().message.find("byte"), std::string::npos);
}

TEST(Json, RejectsTrailingData) { EXPECT_FALSE(parse("{} {}").ok()); }

// A number past a double's range would be stored as infinity and serialised as `Infinity`, which
// is not JSON (found by the activity fuzzer).
TEST(Json, RejectsNumbersPastADoublesRange) {
  for (const char* text : {"1e999", "[1, {\"a\": -18888888888888e88885}]", "{\"x\": [[2e308]]}"}) {
    auto parsed = parse(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    EXPECT_NE(parsed.error().message.find("out of range"), std::string::npos);
  }
  ASSERT_TRUE(parse("[1.7976931348623157e308, -1e-400, 18446744073709551615]").ok());
}

TEST(Json, LimitsDepth) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(parse(deep).ok());
}

}  // namespace
}  // namespace baton::json

namespace baton::json {
namespace {

TEST(Json, ParseObjectIsEmptyForAnythingButAnObject) {
  EXPECT_EQ(parse_object(R"({"a":1})").at("a").as_int64(), 1);
  EXPECT_TRUE(parse_object("[1]").empty());
  EXPECT_TRUE(parse_object("not json").empty());
  EXPECT_TRUE(parse_object("").empty());
}

TEST(Json, StringAtIsEmptyForMissingOrNonStrings) {
  const auto o = parse_object(R"({"s":"x","n":1})");
  EXPECT_EQ(string_at(o, "s"), "x");
  EXPECT_EQ(string_at(o, "n"), "");
  EXPECT_EQ(string_at(o, "missing"), "");
}

}  // namespace
}  // namespace baton::json
