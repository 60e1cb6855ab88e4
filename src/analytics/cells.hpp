#pragma once
// The aggregate cells analytics keeps (store::AnalyticsCell): their metric names, their rollups,
// and how an ended session and the hub's measurements become cells. Cells are written in the same
// batch as the fact they count (the session's end, the hub input that measured it) and only ever
// added to, so a summary over any range is a sum in the store, whatever the number of sessions.
// Pure functions; thread-safe.
//
// Rollups. Each fact (a count at a time, with a topic, queue and agent) is added to up to ten
// cells: in its hour and in its UTC day, each under the dimension sets that have a value —
// (none), (topic), (queue), (agent), (queue, agent) — with the other dimensions "". A query reads
// the one rollup its filters and grouping name (rollup_for), whole days from the daily cells and
// the hours at the range's edges from the hourly ones, so a summary over a month of a million
// sessions reads thousands of cells, not millions. The store's period key holds the rollup and the
// hour or day index in one number (period_key).
//
// Metric names (docs/ANALYTICS.md defines each):
//   session, session.<outcome>, session.reason.<reason>                 {topic, queue, agent}
//   csat.asked, csat.rating (sum = ratings), csat.rating.<1..5>,
//   csat.resolved.yes, csat.resolved.no                                 {topic, queue, agent}
//   the hub's measurements under their own names (hub/measures.hpp)     {queue, agent}
//   handoff.first_wait.le.<ms>: accepted handoffs whose first wait was at most <ms> and more than
//   the next lower bound (kFirstWaitBoundsMs; "inf" for the rest)      {queue, agent}
//   wrapup.disposition.<code>: wrap-ups with that disposition (the engine's, as a Sample)
//                                                                       {queue, agent}

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace baton::analytics {

// Whole UTC hours since the epoch (floor, also before 1970), and back.
std::int64_t hour_of(TimePoint t);
TimePoint start_of_hour(std::int64_t hour);

// Upper bounds of the first-wait histogram's buckets, in milliseconds: what the service levels
// (20 s, 60 s) and the percentiles are read from.
inline constexpr std::array<std::int64_t, 12> kFirstWaitBoundsMs = {
    5'000,   10'000,  20'000,    30'000,    60'000,    120'000,
    300'000, 600'000, 1'800'000, 3'600'000, 7'200'000, 14'400'000};
inline constexpr std::string_view kFirstWaitBucketPrefix = "handoff.first_wait.le.";
// The bucket name a first wait of `wait_ms` counts in ("handoff.first_wait.le.20000", or
// "handoff.first_wait.le.inf").
std::string first_wait_bucket(std::int64_t wait_ms);

// The metric of a wrap-up's disposition is this prefix and its code.
inline constexpr std::string_view kDispositionPrefix = "wrapup.disposition.";

// Which sums a cell holds.
enum class Grain : std::int64_t { kHour = 0, kDay = 1 };
enum class Dims : std::int64_t { kTotal = 0, kTopic = 1, kQueue = 2, kAgent = 3, kQueueAgent = 4 };

// The store's period key of a rollup's hour or day `index` (0 and up: times before 1970 count in
// the first), and back.
std::int64_t period_key(Grain grain, Dims dims, std::int64_t index);
std::int64_t index_of(std::int64_t period_key);

// The cells one ended session adds, at the time it ended.
std::vector<store::AnalyticsCell> session_cells(const store::AnalyticsSession& session);

// One measurement of the hub's (hub::Measure), as the engagement hands it over: `count`
// occurrences of `metric` with values summing to `value`, at `at`.
struct Sample {
  TimePoint at{};
  std::string metric;
  std::string queue;
  std::string agent;
  std::int64_t count = 1;
  double value = 0;
};

// The cells of the hub's samples (and of the engine's own handoff counts), each at the time it was
// measured; handoff.accepted also adds its first-wait bucket. Cells with the same key are merged.
std::vector<store::AnalyticsCell> sample_cells(const std::vector<Sample>& samples);

}  // namespace baton::analytics
