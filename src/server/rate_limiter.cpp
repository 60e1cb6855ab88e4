#include "server/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace baton::server {

RateLimiter::RateLimiter(Options options, const Clock& clock) : options_(options), clock_(clock) {
  options_.rate_per_second = std::max(options_.rate_per_second, 1e-6);
  options_.burst = std::max(options_.burst, 1.0);
  options_.max_keys = std::max<std::size_t>(options_.max_keys, 1);
}

void RateLimiter::refill(Bucket& bucket, TimePoint now) const {
  if (now <= bucket.updated) {
    return;  // a clock that went backwards refills nothing rather than draining
  }
  std::chrono::duration<double> elapsed = now - bucket.updated;
  bucket.tokens =
      std::min(options_.burst, bucket.tokens + elapsed.count() * options_.rate_per_second);
  bucket.updated = now;
}

bool RateLimiter::make_room(TimePoint now) {
  if (buckets_.size() < options_.max_keys) {
    return true;
  }
  if (now - last_sweep_ < std::chrono::seconds(1)) {
    return false;
  }
  last_sweep_ = now;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= options_.burst ? buckets_.erase(it) : std::next(it);
  }
  return buckets_.size() < options_.max_keys;
}

RateLimiter::Decision RateLimiter::acquire(std::string_view key, double cost) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (!make_room(now)) {
      return Decision{false, std::chrono::milliseconds(1000)};
    }
    it = buckets_.emplace(std::string(key), Bucket{options_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  refill(bucket, now);
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost;
    return Decision{true, std::chrono::milliseconds(0)};
  }
  const double missing = cost - bucket.tokens;
  auto wait_ms = static_cast<long long>(std::ceil(missing / options_.rate_per_second * 1000.0));
  return Decision{false, std::chrono::milliseconds(std::max<long long>(wait_ms, 1))};
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace baton::server
