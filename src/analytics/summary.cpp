// The summary and the time series from the store's grouped sums (summary.hpp).
#include "analytics/summary.hpp"

#include <algorithm>
#include <charconv>

#include "analytics/cells.hpp"

namespace baton::analytics {
namespace {

struct Sum {
  std::int64_t count = 0;
  double sum = 0;
};

// One group's metrics: metric name → its summed cell.
class Metrics {
 public:
  void add(const store::AnalyticsCell& c) {
    Sum& s = by_name_[c.metric];
    s.count += c.count;
    s.sum += c.sum;
  }
  std::int64_t count(std::string_view metric) const {
    auto it = by_name_.find(metric);
    return it == by_name_.end() ? 0 : it->second.count;
  }
  double sum(std::string_view metric) const {
    auto it = by_name_.find(metric);
    return it == by_name_.end() ? 0 : it->second.sum;
  }
  std::optional<double> average(std::string_view metric) const {
    const std::int64_t n = count(metric);
    return n > 0 ? std::optional<double>(sum(metric) / static_cast<double>(n)) : std::nullopt;
  }
  // Every metric starting with `prefix`, by the rest of its name.
  std::map<std::string, Sum> with_prefix(std::string_view prefix) const {
    std::map<std::string, Sum> out;
    for (auto it = by_name_.lower_bound(prefix);
         it != by_name_.end() && it->first.starts_with(prefix); ++it) {
      out[it->first.substr(prefix.size())] = it->second;
    }
    return out;
  }

 private:
  std::map<std::string, Sum, std::less<>> by_name_;
};

std::optional<double> ratio(double part, double whole) {
  return whole > 0 ? std::optional<double>(part / whole) : std::nullopt;
}

// The first-wait buckets of `m` in bound order: (upper bound ms, or -1 for "inf"; count).
std::vector<std::pair<std::int64_t, std::int64_t>> first_wait_buckets(const Metrics& m) {
  std::vector<std::pair<std::int64_t, std::int64_t>> buckets;
  for (const auto& [bound, sum] : m.with_prefix(kFirstWaitBucketPrefix)) {
    std::int64_t value = -1;
    if (bound != "inf") {
      const auto [end, ec] = std::from_chars(bound.data(), bound.data() + bound.size(), value);
      if (ec != std::errc() || end != bound.data() + bound.size()) {
        continue;
      }
    }
    buckets.emplace_back(value, sum.count);
  }
  std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) {
    return (a.first < 0 ? INT64_MAX : a.first) < (b.first < 0 ? INT64_MAX : b.first);
  });
  return buckets;
}

// The bound below `bound` in kFirstWaitBoundsMs (0 for the first; the last for "inf", -1).
double lower_bound_of(std::int64_t bound) {
  if (bound < 0) {
    return static_cast<double>(kFirstWaitBoundsMs.back());
  }
  double lower = 0;
  for (const std::int64_t b : kFirstWaitBoundsMs) {
    if (b >= bound) {
      break;
    }
    lower = static_cast<double>(b);
  }
  return lower;
}

std::optional<double> percentile(const std::vector<std::pair<std::int64_t, std::int64_t>>& buckets,
                                 double q) {
  std::int64_t total = 0;
  for (const auto& [bound, n] : buckets) {
    total += n;
  }
  if (total == 0) {
    return std::nullopt;
  }
  const double target = q * static_cast<double>(total);
  double cumulative = 0;
  for (const auto& [bound, n] : buckets) {
    if (n > 0 && cumulative + static_cast<double>(n) >= target) {
      const double lower = lower_bound_of(bound);
      if (bound < 0) {
        return lower;
      }
      return lower +
             (static_cast<double>(bound) - lower) * (target - cumulative) / static_cast<double>(n);
    }
    cumulative += static_cast<double>(n);
  }
  return lower_bound_of(buckets.back().first);
}

std::int64_t answered_within(const Metrics& m, std::int64_t ms) {
  std::int64_t n = 0;
  for (const auto& [bound, count] : first_wait_buckets(m)) {
    if (bound >= 0 && bound <= ms) {
      n += count;
    }
  }
  return n;
}

// Handoffs that waited in a queue and left it: the service level's denominator.
std::int64_t left_queue(const Metrics& m) {
  return m.count("handoff.accepted") + m.count("handoff.cancelled") + m.count("handoff.timed_out") +
         m.count("handoff.abandoned");
}

Durations first_wait(const Metrics& m) {
  const auto buckets = first_wait_buckets(m);
  return {m.average("handoff.accepted"), percentile(buckets, 0.5), percentile(buckets, 0.9)};
}

std::int64_t handoffs_of(const Metrics& m) {
  return m.count("handoff.queued") + m.count("handoff.unavailable");
}

store::AnalyticsFilter filter_of(const Query& q) { return {q.topic, q.queue, q.agent}; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The rollup holding the query's filters and `group`'s dimension (cells.hpp); nullopt when no
// rollup holds them together (the topic with a queue or an agent).
std::optional<Dims> rollup_for(const Query& q, store::AnalyticsGroup group) {
  const bool topic = !q.topic.empty() || group == store::AnalyticsGroup::kTopic;
  const bool queue = !q.queue.empty() || group == store::AnalyticsGroup::kQueue;
  const bool agent = !q.agent.empty() || group == store::AnalyticsGroup::kAgent;
  if (topic) {
    return queue || agent ? std::nullopt : std::optional<Dims>(Dims::kTopic);
  }
  if (queue && agent) {
    return Dims::kQueueAgent;
  }
  return queue ? Dims::kQueue : agent ? Dims::kAgent : Dims::kTotal;
}

// The rollup's cells of hours [from_hour, to_hour), summed per metric and `group`: whole UTC days
// from the daily cells (unless `hourly`), the hours at the edges from the hourly ones. Grouped by
// period, a cell's period is the first hour it covers.
Result<std::vector<store::AnalyticsCell>> read_rollup(store::Store& store, Dims dims,
                                                      std::int64_t from_hour, std::int64_t to_hour,
                                                      const store::AnalyticsFilter& filter,
                                                      store::AnalyticsGroup group, bool hourly) {
  std::vector<store::AnalyticsCell> out;
  auto read = [&](Grain grain, std::int64_t from, std::int64_t to) -> Status {
    if (from >= to) {
      return {};
    }
    auto cells = store.read_analytics(period_key(grain, dims, from), period_key(grain, dims, to),
                                      filter, group);
    if (!cells.ok()) {
      return cells.error();
    }
    for (auto& c : *cells) {
      if (group == store::AnalyticsGroup::kPeriod) {
        c.period = index_of(c.period) * (grain == Grain::kDay ? 24 : 1);
      }
      out.push_back(std::move(c));
    }
    return {};
  };
  const std::int64_t first_day = floor_div(from_hour + 23, 24);
  const std::int64_t end_day = floor_div(to_hour, 24);
  Status status;
  if (hourly || first_day >= end_day) {
    status = read(Grain::kHour, from_hour, to_hour);
  } else {
    status = read(Grain::kHour, from_hour, first_day * 24);
    if (status.ok()) {
      status = read(Grain::kDay, first_day, end_day);
    }
    if (status.ok()) {
      status = read(Grain::kHour, end_day * 24, to_hour);
    }
  }
  if (!status.ok()) {
    return status.error();
  }
  return out;
}

// Grouped sums: the group's value → its metrics. Empty when no rollup answers the query.
Result<std::map<std::string, Metrics>> grouped(store::Store& store, const Query& q,
                                               store::AnalyticsGroup group) {
  std::map<std::string, Metrics> out;
  const std::optional<Dims> dims = rollup_for(q, group);
  if (!dims) {
    return out;
  }
  auto cells = read_rollup(store, *dims, q.from_hour, q.to_hour, filter_of(q), group, false);
  if (!cells.ok()) {
    return cells.error();
  }
  for (const auto& c : *cells) {
    switch (group) {
      case store::AnalyticsGroup::kTopic:
        out[c.topic].add(c);
        break;
      case store::AnalyticsGroup::kQueue:
        out[c.queue].add(c);
        break;
      case store::AnalyticsGroup::kAgent:
        out[c.agent].add(c);
        break;
      case store::AnalyticsGroup::kPeriod:
        out[std::to_string(c.period)].add(c);
        break;
      case store::AnalyticsGroup::kNone:
        out[""].add(c);
        break;
    }
  }
  return out;
}

void fill_totals(const Metrics& m, Summary& s) {
  s.sessions.total = m.count("session");
  s.sessions.unengaged = m.count("session.unengaged");
  s.sessions.engaged = s.sessions.total - s.sessions.unengaged;
  s.sessions.resolved = m.count("session.resolved");
  s.sessions.escalated = m.count("session.escalated");
  s.sessions.abandoned = m.count("session.abandoned");
  const auto engaged = static_cast<double>(s.sessions.engaged);
  s.rates.engagement = ratio(engaged, static_cast<double>(s.sessions.total));
  s.rates.resolution = ratio(static_cast<double>(s.sessions.resolved), engaged);
  s.rates.escalation = ratio(static_cast<double>(s.sessions.escalated), engaged);
  s.rates.abandon = ratio(static_cast<double>(s.sessions.abandoned), engaged);

  s.csat.asked = m.count("csat.asked");
  s.csat.responses = m.count("csat.rating");
  s.csat.average = m.average("csat.rating");
  s.csat.response_rate =
      ratio(static_cast<double>(s.csat.responses), static_cast<double>(s.csat.asked));
  for (int r = 1; r <= 5; ++r) {
    s.csat.distribution[r] = m.count("csat.rating." + std::to_string(r));
  }
  s.csat.resolved_yes = m.count("csat.resolved.yes");
  s.csat.resolved_no = m.count("csat.resolved.no");

  auto& h = s.handoffs;
  h.total = handoffs_of(m);
  for (const auto& [reason, sum] : m.with_prefix("session.reason.")) {
    h.by_reason[reason] = sum.count;
  }
  for (const auto& [code, sum] : m.with_prefix(kDispositionPrefix)) {
    h.by_disposition[code] = sum.count;
  }
  h.accepted = m.count("handoff.accepted");
  h.cancelled = m.count("handoff.cancelled");
  h.unavailable = m.count("handoff.unavailable");
  h.timed_out = m.count("handoff.timed_out");
  h.abandoned = m.count("handoff.abandoned");
  h.transfers = m.count("transfer");
  h.offers = m.count("offer.made");
  h.offers_declined = m.count("offer.declined");
  h.offers_expired = m.count("offer.expired");
  h.first_wait_ms = first_wait(m);
  const auto waited = static_cast<double>(left_queue(m));
  h.service_level_20s = ratio(static_cast<double>(answered_within(m, 20'000)), waited);
  h.service_level_60s = ratio(static_cast<double>(answered_within(m, 60'000)), waited);
  h.handle_time_ms_avg = m.average("handle");
  h.time_to_accept_ms_avg = m.average("offer.accepted");
}

}  // namespace

Result<Query> parse_query(const QueryText& text, TimePoint now) {
  auto time = [](std::optional<std::string_view> value, const char* field,
                 TimePoint fallback) -> Result<TimePoint> {
    if (!value || value->empty()) {
      return fallback;
    }
    if (auto t = parse_iso8601(*value)) {
      return *t;
    }
    return make_error(
        ErrorCode::kInvalidArgument,
        std::string(field) + ": expected an ISO-8601 time such as 2026-12-01T00:00:00Z");
  };
  auto to = time(text.to, "to", now);
  if (!to.ok()) {
    return to.error();
  }
  auto from = time(text.from, "from", *to - std::chrono::hours(24 * 7));
  if (!from.ok()) {
    return from.error();
  }
  Query q;
  q.from_hour = hour_of(*from);
  q.to_hour = hour_of(*to);
  if (start_of_hour(q.to_hour) < *to) {
    ++q.to_hour;  // an hour begun is counted whole
  }
  if (*to <= *from) {
    return make_error(ErrorCode::kInvalidArgument, "to: must be after from");
  }
  if (q.to_hour - q.from_hour > kMaxRangeHours) {
    return make_error(ErrorCode::kInvalidArgument, "from: the range may span at most 3 years");
  }
  const std::pair<std::optional<std::string_view>, std::string*> filters[] = {
      {text.topic, &q.topic}, {text.queue, &q.queue}, {text.agent, &q.agent}};
  const char* names[] = {"topic", "queue", "agent"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& [value, target] = filters[i];
    if (value && value->size() > 256) {
      return make_error(ErrorCode::kInvalidArgument, std::string(names[i]) + ": at most 256 bytes");
    }
    *target = std::string(value.value_or(""));
  }
  if (!q.topic.empty() && (!q.queue.empty() || !q.agent.empty())) {
    return make_error(ErrorCode::kInvalidArgument,
                      "topic: cannot be combined with queue or agent (the figures are kept by "
                      "topic, by queue, by agent, and by queue and agent)");
  }
  return q;
}

Result<Summary> summarize(store::Store& store, const Query& query) {
  Summary s;
  auto totals = grouped(store, query, store::AnalyticsGroup::kNone);
  if (!totals.ok()) {
    return totals.error();
  }
  fill_totals((*totals)[""], s);

  auto topics = grouped(store, query, store::AnalyticsGroup::kTopic);
  if (!topics.ok()) {
    return topics.error();
  }
  for (const auto& [name, m] : *topics) {
    const std::int64_t engaged = m.count("session") - m.count("session.unengaged");
    if (name.empty() || engaged <= 0) {
      continue;
    }
    const auto n = static_cast<double>(engaged);
    s.topics.push_back({name, engaged, static_cast<double>(m.count("session.resolved")) / n,
                        static_cast<double>(m.count("session.escalated")) / n,
                        static_cast<double>(m.count("session.abandoned")) / n});
  }
  std::sort(s.topics.begin(), s.topics.end(), [](const TopicRow& a, const TopicRow& b) {
    if (a.escalation_rate != b.escalation_rate) {
      return a.escalation_rate > b.escalation_rate;
    }
    if (a.sessions != b.sessions) {
      return a.sessions > b.sessions;
    }
    return a.topic < b.topic;
  });

  auto agents = grouped(store, query, store::AnalyticsGroup::kAgent);
  if (!agents.ok()) {
    return agents.error();
  }
  for (const auto& [id, m] : *agents) {
    if (id.empty()) {
      continue;
    }
    AgentRow row;
    row.id = id;
    row.handled = m.count("offer.accepted");
    row.handle_time_ms_avg = m.average("handle");
    row.utilisation = ratio(m.sum("agent.load"), m.sum("agent.capacity"));
    for (const auto& [presence, sum] : m.with_prefix("agent.presence.")) {
      row.presence_ms[presence] = sum.sum;
    }
    row.offers = m.count("offer.made");
    row.offers_declined = m.count("offer.declined");
    row.offers_expired = m.count("offer.expired");
    s.agents.push_back(std::move(row));
  }

  auto queues = grouped(store, query, store::AnalyticsGroup::kQueue);
  if (!queues.ok()) {
    return queues.error();
  }
  for (const auto& [name, m] : *queues) {
    if (name.empty() || handoffs_of(m) == 0) {
      continue;
    }
    QueueRow row;
    row.queue = name;
    row.handoffs = handoffs_of(m);
    row.accepted = m.count("handoff.accepted");
    row.abandoned = m.count("handoff.abandoned");
    row.first_wait_ms = first_wait(m);
    const auto waited = static_cast<double>(left_queue(m));
    row.service_level_20s = ratio(static_cast<double>(answered_within(m, 20'000)), waited);
    row.service_level_60s = ratio(static_cast<double>(answered_within(m, 60'000)), waited);
    s.queues.push_back(std::move(row));
  }
  return s;
}

namespace {

constexpr std::string_view kSeriesMetrics[] = {
    "sessions", "engaged",  "resolved", "escalated",  "abandoned",         "unengaged",
    "csat",     "handoffs", "accepted", "first_wait", "service_level_20s", "abandoned_in_queue"};

std::optional<double> series_value(const Metrics& m, std::string_view metric) {
  if (metric == "sessions") {
    return static_cast<double>(m.count("session"));
  }
  if (metric == "engaged") {
    return static_cast<double>(m.count("session") - m.count("session.unengaged"));
  }
  if (metric == "resolved" || metric == "escalated" || metric == "abandoned" ||
      metric == "unengaged") {
    return static_cast<double>(m.count("session." + std::string(metric)));
  }
  if (metric == "csat") {
    return m.average("csat.rating");
  }
  if (metric == "handoffs") {
    return static_cast<double>(handoffs_of(m));
  }
  if (metric == "accepted") {
    return static_cast<double>(m.count("handoff.accepted"));
  }
  if (metric == "first_wait") {
    return m.average("handoff.accepted");
  }
  if (metric == "service_level_20s") {
    return ratio(static_cast<double>(answered_within(m, 20'000)),
                 static_cast<double>(left_queue(m)));
  }
  return static_cast<double>(m.count("handoff.abandoned"));  // abandoned_in_queue
}

}  // namespace

bool matches(const Query& query, const store::AnalyticsSession& session) {
  return (query.topic.empty() || query.topic == session.topic) &&
         (query.queue.empty() || query.queue == session.queue) &&
         (query.agent.empty() || query.agent == session.agent);
}

bool is_series_metric(std::string_view name) {
  return std::find(std::begin(kSeriesMetrics), std::end(kSeriesMetrics), name) !=
         std::end(kSeriesMetrics);
}

Result<std::vector<SeriesPoint>> series(store::Store& store, const Query& query,
                                        std::string_view metric, int interval_hours) {
  if (!is_series_metric(metric)) {
    return make_error(ErrorCode::kInvalidArgument, "unknown metric");
  }
  if (interval_hours != 1 && interval_hours != 24) {
    return make_error(ErrorCode::kInvalidArgument, "interval: expected hour or day");
  }
  const std::int64_t first = floor_div(query.from_hour, interval_hours);
  const std::int64_t last = floor_div(query.to_hour - 1, interval_hours);
  if (last < first) {
    return std::vector<SeriesPoint>{};
  }
  if (last - first >= kMaxSeriesPoints) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the range holds too many intervals; choose a shorter range or interval=day");
  }
  const std::optional<Dims> dims = rollup_for(query, store::AnalyticsGroup::kNone);
  if (!dims) {
    return make_error(ErrorCode::kInvalidArgument, "topic: cannot be combined with queue or agent");
  }
  auto cells = read_rollup(store, *dims, query.from_hour, query.to_hour, filter_of(query),
                           store::AnalyticsGroup::kPeriod, interval_hours == 1);
  if (!cells.ok()) {
    return cells.error();
  }
  std::vector<Metrics> buckets(static_cast<std::size_t>(last - first + 1));
  for (const auto& c : *cells) {
    buckets[static_cast<std::size_t>(floor_div(c.period, interval_hours) - first)].add(c);
  }
  std::vector<SeriesPoint> points;
  points.reserve(buckets.size());
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    points.push_back({start_of_hour((first + static_cast<std::int64_t>(i)) * interval_hours),
                      series_value(buckets[i], metric)});
  }
  return points;
}

}  // namespace baton::analytics
