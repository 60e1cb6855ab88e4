// Ended sessions and the hub's samples as cells in every rollup they belong to (cells.hpp).
#include "analytics/cells.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace baton::analytics {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr int kIndexBits = 40;
constexpr std::int64_t kIndexMask = (std::int64_t{1} << kIndexBits) - 1;

// One fact before it is rolled up.
struct Fact {
  TimePoint at;
  std::string metric;
  const std::string* topic;
  const std::string* queue;
  const std::string* agent;
  std::int64_t count;
  double sum;
};

using Key = std::tuple<std::int64_t, std::string, std::string, std::string, std::string>;

// Adds the fact to every rollup it belongs to (cells.hpp).
void roll_up(const Fact& f, std::map<Key, store::AnalyticsCell>& out) {
  static const std::string kNone;
  const std::int64_t hour = hour_of(f.at);
  const std::int64_t day = hour >= 0 ? hour / 24 : -1;
  auto add = [&](Grain grain, Dims dims, const std::string& topic, const std::string& queue,
                 const std::string& agent) {
    const std::int64_t key = period_key(grain, dims, grain == Grain::kHour ? hour : day);
    auto [it, inserted] = out.try_emplace(Key{key, f.metric, topic, queue, agent});
    store::AnalyticsCell& c = it->second;
    if (inserted) {
      c.period = key;
      c.metric = f.metric;
      c.topic = topic;
      c.queue = queue;
      c.agent = agent;
    }
    c.count += f.count;
    c.sum += f.sum;
  };
  for (const Grain grain : {Grain::kHour, Grain::kDay}) {
    add(grain, Dims::kTotal, kNone, kNone, kNone);
    if (!f.topic->empty()) {
      add(grain, Dims::kTopic, *f.topic, kNone, kNone);
    }
    if (!f.queue->empty()) {
      add(grain, Dims::kQueue, kNone, *f.queue, kNone);
    }
    if (!f.agent->empty()) {
      add(grain, Dims::kAgent, kNone, kNone, *f.agent);
    }
    if (!f.queue->empty() && !f.agent->empty()) {
      add(grain, Dims::kQueueAgent, kNone, *f.queue, *f.agent);
    }
  }
}

std::vector<store::AnalyticsCell> cells_of(std::map<Key, store::AnalyticsCell>&& merged) {
  std::vector<store::AnalyticsCell> cells;
  cells.reserve(merged.size());
  for (auto& [key, c] : merged) {
    cells.push_back(std::move(c));
  }
  return cells;
}

}  // namespace

std::int64_t hour_of(TimePoint t) {
  const std::int64_t ms = std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  return ms >= 0 ? ms / kHourMs : -((-ms + kHourMs - 1) / kHourMs);
}

TimePoint start_of_hour(std::int64_t hour) { return TimePoint{} + Millis(hour * kHourMs); }

std::int64_t period_key(Grain grain, Dims dims, std::int64_t index) {
  const auto rollup = static_cast<std::int64_t>(grain) * 8 + static_cast<std::int64_t>(dims);
  return (rollup << kIndexBits) + std::clamp<std::int64_t>(index, 0, kIndexMask);
}

std::int64_t index_of(std::int64_t key) { return key & kIndexMask; }

std::string first_wait_bucket(std::int64_t wait_ms) {
  for (const std::int64_t bound : kFirstWaitBoundsMs) {
    if (wait_ms <= bound) {
      return fmt::format("{}{}", kFirstWaitBucketPrefix, bound);
    }
  }
  return fmt::format("{}inf", kFirstWaitBucketPrefix);
}

std::vector<store::AnalyticsCell> session_cells(const store::AnalyticsSession& s) {
  std::map<Key, store::AnalyticsCell> out;
  auto fact = [&](std::string metric, double sum = 0) {
    roll_up({s.ended, std::move(metric), &s.topic, &s.queue, &s.agent, 1, sum}, out);
  };
  fact("session",
       static_cast<double>(std::chrono::duration_cast<Millis>(s.ended - s.started).count()));
  fact("session." + s.outcome);
  if (!s.reason.empty()) {
    fact("session.reason." + s.reason);
  }
  if (s.surveyed) {
    fact("csat.asked");
  }
  if (s.rating) {
    fact("csat.rating", *s.rating);
    fact(fmt::format("csat.rating.{}", *s.rating));
  }
  if (s.resolved) {
    fact(*s.resolved ? "csat.resolved.yes" : "csat.resolved.no");
  }
  return cells_of(std::move(out));
}

std::vector<store::AnalyticsCell> sample_cells(const std::vector<Sample>& samples) {
  static const std::string kNoTopic;
  std::map<Key, store::AnalyticsCell> out;
  for (const Sample& s : samples) {
    roll_up({s.at, s.metric, &kNoTopic, &s.queue, &s.agent, s.count, s.value}, out);
    if (s.metric == "handoff.accepted" && s.count > 0) {
      const auto wait = static_cast<std::int64_t>(s.value / static_cast<double>(s.count));
      roll_up({s.at, first_wait_bucket(wait), &kNoTopic, &s.queue, &s.agent, s.count, 0}, out);
    }
  }
  return cells_of(std::move(out));
}

}  // namespace baton::analytics
