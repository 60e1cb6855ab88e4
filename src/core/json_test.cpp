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

TEST(Json, LimitsDepth) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(parse(deep).ok());
}

}  // namespace
}  // namespace baton::json
