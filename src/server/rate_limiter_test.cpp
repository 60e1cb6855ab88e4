#include "server/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace baton::server {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsBurstThenRefusesWithRetryAfter) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 2.0, .burst = 3.0, .max_keys = 10}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  auto refused = limiter.acquire("a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 500ms);  // one token at 2/s
}

TEST(RateLimiter, RefillsWithTimeUpToBurst) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 2.0, .burst = 2.0, .max_keys = 10}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_FALSE(limiter.acquire("a").allowed);
  clock.advance(250ms);  // half a token
  auto refused = limiter.acquire("a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 250ms);
  clock.advance(250ms);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  clock.advance(1h);  // refills to burst, not beyond
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_FALSE(limiter.acquire("a").allowed);
}

TEST(RateLimiter, KeysAreIndependent) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 1.0, .burst = 1.0, .max_keys = 10}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_FALSE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("b").allowed);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, CostAboveAvailableTokens) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 10.0, .burst = 5.0, .max_keys = 10}, clock);
  EXPECT_TRUE(limiter.acquire("a", 4.0).allowed);
  auto refused = limiter.acquire("a", 3.0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 200ms);  // 2 missing tokens at 10/s
}

TEST(RateLimiter, BoundedKeysEvictOnlyFullBuckets) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 1.0, .burst = 2.0, .max_keys = 2}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("b").allowed);
  clock.advance(2s);  // both buckets refill completely
  EXPECT_TRUE(limiter.acquire("c").allowed);
  EXPECT_EQ(limiter.size(), 1u);  // a and b were full again, so they were evicted
  EXPECT_TRUE(limiter.acquire("d").allowed);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, RefusesNewKeysWhileTableIsFullOfActiveBuckets) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 1.0, .burst = 2.0, .max_keys = 2}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("b").allowed);
  auto refused = limiter.acquire("c");
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retry_after, 0ms);
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_TRUE(limiter.acquire("a").allowed);  // known keys keep working
}

TEST(RateLimiter, ClockGoingBackwardsGrantsNothing) {
  ManualClock clock(TimePoint{} + 1000s);
  RateLimiter limiter({.rate_per_second = 1.0, .burst = 1.0, .max_keys = 10}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  clock.advance(-10s);
  EXPECT_FALSE(limiter.acquire("a").allowed);
}

}  // namespace
}  // namespace baton::server
