#include "store/activity_body.hpp"

#include <gtest/gtest.h>

#include <string>

#include "store/store_test_util.hpp"

namespace baton::store {
namespace {

using testing::at_ms;

constexpr char kId[] = "c1|0000007";

std::string body(const std::string& timestamp, const std::string& rest) {
  return std::string(R"({"type":"message","id":"c1|0000007","timestamp":")") + timestamp + "\"," +
         rest;
}

TEST(ActivityBody, AServerStampedBodyIsKeptWithoutItsPrefixAndReadBackByteForByte) {
  const TimePoint t = at_ms(1'700'000'000'123);
  const std::string json = body(format_iso8601(t), R"("channelId":"directline","text":"hi"})");
  const std::string packed = pack_activity_body(json, "message", kId, t);
  EXPECT_EQ(packed, R"({,"channelId":"directline","text":"hi"})");
  EXPECT_EQ(unpack_activity_body(packed, "message", kId, t), json);
}

TEST(ActivityBody, BodiesThatDoNotRepeatTheirColumnsAreKeptAsTheyAre) {
  const TimePoint t = at_ms(1'700'000'000'123);
  const std::string other_time = body(format_iso8601(at_ms(1'700'000'000'124)), R"("text":"hi"})");
  const std::string other_order = R"({"id":"c1|0000007","type":"message","text":"hi"})";
  const std::string legacy = R"({"type":"message","text":"hello"})";
  for (const std::string& json : {other_time, other_order, legacy}) {
    EXPECT_EQ(pack_activity_body(json, "message", kId, t), json);
    EXPECT_EQ(unpack_activity_body(json, "message", kId, t), json) << "read as it is";
  }
  // Another type or id than the row's: kept whole.
  const std::string json = body(format_iso8601(t), R"("text":"hi"})");
  EXPECT_EQ(pack_activity_body(json, "event", kId, t), json);
  EXPECT_EQ(pack_activity_body(json, "message", "c1|0000008", t), json);
  // Nothing after the prefix: not a whole object, kept.
  const std::string bare = body(format_iso8601(t), "");
  EXPECT_EQ(pack_activity_body(bare, "message", kId, t), bare);
}

TEST(ActivityBody, IdsNeedingJsonEscapesRoundTrip) {
  const TimePoint t = at_ms(1'700'000'000'000);
  const std::string id = R"(x"y\z)";
  const std::string json = std::string(R"({"type":"message","id":"x\"y\\z","timestamp":")") +
                           format_iso8601(t) + R"(","text":"hi"})";
  const std::string packed = pack_activity_body(json, "message", id, t);
  EXPECT_EQ(packed, R"({,"text":"hi"})");
  EXPECT_EQ(unpack_activity_body(packed, "message", id, t), json);
}

}  // namespace
}  // namespace baton::store
