#pragma once
// Time for Baton: an injected Clock so the pure cores (dialog, hub) are deterministic in tests,
// plus ISO-8601 helpers for activity timestamps.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace baton {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

// A source of wall-clock time. Implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to; for tests and replay. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_(start) {}
  TimePoint now() const override { return now_; }
  void set(TimePoint t) { now_ = t; }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  TimePoint now_;
};

// Formats as ISO-8601 UTC with milliseconds: "2024-05-01T10:00:00.000Z".
std::string format_iso8601(TimePoint t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fff...](Z|±HH:MM)"; nullopt when malformed.
std::optional<TimePoint> parse_iso8601(std::string_view text);

// Parses a duration: "30s", "10m", "1h30m", "250ms", "90d", or a bare number of seconds. nullopt
// when malformed or negative.
std::optional<Millis> parse_duration(std::string_view text);

}  // namespace baton
