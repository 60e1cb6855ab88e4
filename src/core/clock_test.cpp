#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(Clock, FormatsIso8601WithMillis) {
  const TimePoint t =
      TimePoint{} + std::chrono::seconds(1714557600) + std::chrono::milliseconds(42);
  EXPECT_EQ(format_iso8601(t), "2024-05-01T10:00:00.042Z");
}

TEST(Clock, ParsesWhatItFormats) {
  const TimePoint t = TimePoint{} + std::chrono::seconds(1714557600) + std::chrono::milliseconds(7);
  auto parsed = parse_iso8601(format_iso8601(t));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, t);
}

TEST(Clock, ParsesOffsetsAndLongFractions) {
  auto a = parse_iso8601("2020-02-10T21:51:21.491453+00:00");
  auto b = parse_iso8601("2020-02-10T23:51:21.491453+02:00");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(Clock, RejectsMalformed) {
  for (const char* bad :
       {"", "2020-02-10", "2020-13-01T00:00:00Z", "2020-02-30T00:00:00Z", "2020-02-10T25:00:00Z",
        "2020-02-10T10:00:00", "2020-02-10T10:00:00Zjunk", "2020-02-10T10:00:00."}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock;
  const auto start = clock.now();
  clock.advance(std::chrono::seconds(30));
  EXPECT_EQ(clock.now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace baton
