#pragma once
// A per-client-key token-bucket rate limiter for handlers to apply (e.g. Direct Line keys it by
// token or remote address and answers too_many_requests() when refused).
//
// Each key has a bucket of `burst` tokens refilled at `rate_per_second`; a request takes `cost`
// tokens. Memory is bounded: at most `max_keys` buckets; when the table is full, buckets that have
// refilled completely (which carry no information) are evicted, at most once per second; if none
// can be evicted, new keys are refused until some can. Thread-safe (one mutex).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace baton::server {

class RateLimiter {
 public:
  struct Options {
    double rate_per_second = 20.0;  // sustained rate per key; must be > 0
    double burst = 40.0;            // bucket size; must be >= 1
    std::size_t max_keys = 100000;  // bound on tracked keys
  };

  struct Decision {
    bool allowed = true;
    // When refused: how long until `cost` tokens are available (at least 1 ms).
    std::chrono::milliseconds retry_after{0};
  };

  // `clock` must outlive the limiter and be safe to call from every thread that calls acquire()
  // (SystemClock; ManualClock only in single-threaded tests). Invalid options are clamped to the
  // nearest valid value. A `cost` above `burst` is never allowed.
  RateLimiter(Options options, const Clock& clock);

  // Takes `cost` tokens from `key`'s bucket if it has them.
  Decision acquire(std::string_view key, double cost = 1.0);

  // Number of keys currently tracked.
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    TimePoint updated;
  };

  void refill(Bucket& bucket, TimePoint now) const;
  bool make_room(TimePoint now);

  Options options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  TimePoint last_sweep_{};
};

}  // namespace baton::server
