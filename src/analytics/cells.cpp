// Ended sessions and the hub's samples as hourly cells (cells.hpp).
#include "analytics/cells.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace baton::analytics {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;

store::AnalyticsCell cell(std::int64_t hour, std::string metric, const store::AnalyticsSession& s) {
  store::AnalyticsCell c;
  c.hour = hour;
  c.metric = std::move(metric);
  c.topic = s.topic;
  c.queue = s.queue;
  c.agent = s.agent;
  c.count = 1;
  return c;
}

}  // namespace

std::int64_t hour_of(TimePoint t) {
  const std::int64_t ms = std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  return ms >= 0 ? ms / kHourMs : -((-ms + kHourMs - 1) / kHourMs);
}

TimePoint start_of_hour(std::int64_t hour) { return TimePoint{} + Millis(hour * kHourMs); }

std::string first_wait_bucket(std::int64_t wait_ms) {
  for (const std::int64_t bound : kFirstWaitBoundsMs) {
    if (wait_ms <= bound) {
      return fmt::format("{}{}", kFirstWaitBucketPrefix, bound);
    }
  }
  return fmt::format("{}inf", kFirstWaitBucketPrefix);
}

std::vector<store::AnalyticsCell> session_cells(const store::AnalyticsSession& s) {
  const std::int64_t hour = hour_of(s.ended);
  std::vector<store::AnalyticsCell> cells;
  auto& total = cells.emplace_back(cell(hour, "session", s));
  total.sum = static_cast<double>(std::chrono::duration_cast<Millis>(s.ended - s.started).count());
  cells.push_back(cell(hour, "session." + s.outcome, s));
  if (!s.reason.empty()) {
    cells.push_back(cell(hour, "session.reason." + s.reason, s));
  }
  if (s.surveyed) {
    cells.push_back(cell(hour, "csat.asked", s));
  }
  if (s.rating) {
    auto& rating = cells.emplace_back(cell(hour, "csat.rating", s));
    rating.sum = *s.rating;
    cells.push_back(cell(hour, fmt::format("csat.rating.{}", *s.rating), s));
  }
  if (s.resolved) {
    cells.push_back(cell(hour, *s.resolved ? "csat.resolved.yes" : "csat.resolved.no", s));
  }
  return cells;
}

std::vector<store::AnalyticsCell> sample_cells(const std::vector<Sample>& samples) {
  using Key = std::tuple<std::int64_t, std::string, std::string, std::string>;
  std::map<Key, store::AnalyticsCell> merged;
  auto add = [&](std::int64_t hour, const std::string& metric, const Sample& s, std::int64_t count,
                 double value) {
    auto [it, inserted] = merged.try_emplace(Key{hour, metric, s.queue, s.agent});
    store::AnalyticsCell& c = it->second;
    if (inserted) {
      c.hour = hour;
      c.metric = metric;
      c.queue = s.queue;
      c.agent = s.agent;
    }
    c.count += count;
    c.sum += value;
  };
  for (const Sample& s : samples) {
    const std::int64_t hour = hour_of(s.at);
    add(hour, s.metric, s, s.count, s.value);
    if (s.metric == "handoff.accepted" && s.count > 0) {
      add(hour,
          first_wait_bucket(static_cast<std::int64_t>(s.value / static_cast<double>(s.count))), s,
          s.count, 0);
    }
  }
  std::vector<store::AnalyticsCell> cells;
  cells.reserve(merged.size());
  for (auto& [key, c] : merged) {
    cells.push_back(std::move(c));
  }
  return cells;
}

}  // namespace baton::analytics
