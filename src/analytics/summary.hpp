#pragma once
// The analytics a bot author and a supervisor read (docs/ANALYTICS.md), computed from the rolled-up
// cells in the store: a summary, and one metric over time. Each call is a few grouped sums in the
// store (O(cells in the range), never O(sessions)). Reads only; thread-safe as the Store is.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace baton::analytics {

// A range of whole hours [from_hour, to_hour) and optional filters ("" = all): a topic, or a
// queue and/or an agent (a topic with either is refused by parse_query: no rollup keeps them
// together). The bot's figures carry topic, queue and agent (a session's queue and agent are those
// of its handoff); the hub's carry queue and agent only, so a topic filter leaves the handoff
// figures at zero. The tables follow the filters: under a topic there are no agent or queue rows,
// under a queue or an agent no topic rows.
struct Query {
  std::int64_t from_hour = 0;
  std::int64_t to_hour = 0;
  std::string topic;
  std::string queue;
  std::string agent;
};

// Milliseconds: average and percentiles estimated from the first-wait buckets (linear within the
// bucket, as Prometheus' histogram_quantile; the last bucket has no upper bound, so a percentile
// falling there reads as its lower bound). nullopt when nothing was measured.
struct Durations {
  std::optional<double> avg;
  std::optional<double> p50;
  std::optional<double> p90;
};

struct TopicRow {
  std::string topic;
  std::int64_t sessions = 0;  // engaged sessions attributed to the topic
  double resolution_rate = 0;
  double escalation_rate = 0;
  double abandon_rate = 0;
};

struct AgentRow {
  std::string id;
  std::int64_t handled = 0;  // offers accepted (transfers to the agent included)
  std::optional<double> handle_time_ms_avg;
  std::optional<double> utilisation;          // Σ load time ÷ Σ capacity time while online
  std::map<std::string, double> presence_ms;  // effective presence → time
  std::int64_t offers = 0;
  std::int64_t offers_declined = 0;
  std::int64_t offers_expired = 0;
};

struct QueueRow {
  std::string queue;
  std::int64_t handoffs = 0;  // entered the queue first, or were unavailable there
  std::int64_t accepted = 0;
  std::int64_t abandoned = 0;
  Durations first_wait_ms;
  std::optional<double> service_level_20s;
  std::optional<double> service_level_60s;
};

struct Summary {
  struct {
    std::int64_t total = 0, engaged = 0, unengaged = 0, resolved = 0, escalated = 0, abandoned = 0;
  } sessions;
  // Of engaged sessions (engagement: of all); nullopt when the denominator is zero.
  struct {
    std::optional<double> engagement, resolution, escalation, abandon;
  } rates;
  struct {
    std::int64_t asked = 0, responses = 0, resolved_yes = 0, resolved_no = 0;
    std::optional<double> average;
    std::optional<double> response_rate;
    std::map<int, std::int64_t> distribution;  // 1..5, all present
  } csat;
  struct {
    std::int64_t total = 0;
    std::map<std::string, std::int64_t> by_reason;       // escalated sessions by reason
    std::map<std::string, std::int64_t> by_disposition;  // wrap-ups by disposition code
    std::int64_t accepted = 0, cancelled = 0, unavailable = 0, timed_out = 0, abandoned = 0,
                 transfers = 0, offers = 0, offers_declined = 0, offers_expired = 0;
    Durations first_wait_ms;
    std::optional<double> service_level_20s, service_level_60s;
    std::optional<double> handle_time_ms_avg;
    std::optional<double> time_to_accept_ms_avg;
  } handoffs;
  std::vector<TopicRow> topics;  // by escalation rate, then sessions, descending
  std::vector<AgentRow> agents;  // by id
  std::vector<QueueRow> queues;  // by name
};

// A query from its text form (the API's ?from=&to=&topic=&queue=&agent=, `baton report`):
// from / to are ISO-8601 times (parse_iso8601), widened to whole hours (from down, to up);
// defaults: to = now, from = to − 7 days. Errors (kInvalidArgument naming the field): a
// malformed time, to not after from, a range over kMaxRangeHours, a filter over 256 bytes, a topic
// with a queue or an agent.
inline constexpr std::int64_t kMaxRangeHours = std::int64_t{3} * 366 * 24;
struct QueryText {
  std::optional<std::string_view> from, to, topic, queue, agent;
};
Result<Query> parse_query(const QueryText& text, TimePoint now);

Result<Summary> summarize(store::Store& store, const Query& query);

// Whether an ended session passes the query's filters (its range is the caller's read).
bool matches(const Query& query, const store::AnalyticsSession& session);

// The metrics a time series can show (docs/ANALYTICS.md): sessions, engaged, resolved, escalated,
// abandoned, unengaged, csat (average rating), handoffs, accepted, first_wait (average ms),
// service_level_20s, abandoned_in_queue.
bool is_series_metric(std::string_view name);

struct SeriesPoint {
  TimePoint start{};
  std::optional<double> value;  // nullopt: nothing to average in the interval
};

inline constexpr std::int64_t kMaxSeriesPoints = 10'000;

// One point per hour (interval_hours 1) or per day (24) from the start of `from_hour`'s interval
// up to `to_hour`, empty intervals included (zero, or nullopt for averages). kInvalidArgument for
// an unknown metric, an interval other than 1 or 24, or more than kMaxSeriesPoints points.
Result<std::vector<SeriesPoint>> series(store::Store& store, const Query& query,
                                        std::string_view metric, int interval_hours);

}  // namespace baton::analytics
