// The analytics API's JSON forms (summary_json.hpp).
#include "analytics/summary_json.hpp"

#include "analytics/cells.hpp"

namespace baton::analytics {
namespace {

namespace bj = boost::json;

bj::value optional_number(const std::optional<double>& v) {
  return v ? bj::value(*v) : bj::value(nullptr);
}

bj::object durations_json(const Durations& d) {
  return {{"avg", optional_number(d.avg)},
          {"p50", optional_number(d.p50)},
          {"p90", optional_number(d.p90)}};
}

std::string hour_text(std::int64_t hour) { return format_iso8601(start_of_hour(hour)); }

}  // namespace

bj::object to_json(const Summary& s, const Query& q) {
  bj::object distribution;
  for (int rating = 1; rating <= 5; ++rating) {
    auto it = s.csat.distribution.find(rating);
    distribution[std::to_string(rating)] = it == s.csat.distribution.end() ? 0 : it->second;
  }
  bj::object by_reason;
  for (const auto& [reason, n] : s.handoffs.by_reason) {
    by_reason[reason] = n;
  }
  bj::object by_disposition;
  for (const auto& [code, n] : s.handoffs.by_disposition) {
    by_disposition[code] = n;
  }
  bj::array topics;
  for (const auto& t : s.topics) {
    topics.emplace_back(bj::object{{"topic", t.topic},
                                   {"sessions", t.sessions},
                                   {"resolutionRate", t.resolution_rate},
                                   {"escalationRate", t.escalation_rate},
                                   {"abandonRate", t.abandon_rate}});
  }
  bj::array agents;
  for (const auto& a : s.agents) {
    bj::object presence;
    for (const auto& [name, ms] : a.presence_ms) {
      presence[name] = ms;
    }
    agents.emplace_back(bj::object{{"id", a.id},
                                   {"handled", a.handled},
                                   {"handleTimeMsAvg", optional_number(a.handle_time_ms_avg)},
                                   {"utilisation", optional_number(a.utilisation)},
                                   {"offers", a.offers},
                                   {"offersDeclined", a.offers_declined},
                                   {"offersExpired", a.offers_expired},
                                   {"presenceMs", std::move(presence)}});
  }
  bj::array queues;
  for (const auto& r : s.queues) {
    queues.emplace_back(bj::object{{"queue", r.queue},
                                   {"handoffs", r.handoffs},
                                   {"accepted", r.accepted},
                                   {"abandoned", r.abandoned},
                                   {"firstWaitMs", durations_json(r.first_wait_ms)},
                                   {"serviceLevel20s", optional_number(r.service_level_20s)},
                                   {"serviceLevel60s", optional_number(r.service_level_60s)}});
  }
  const auto& h = s.handoffs;
  return {
      {"range", bj::object{{"from", hour_text(q.from_hour)}, {"to", hour_text(q.to_hour)}}},
      {"sessions", bj::object{{"total", s.sessions.total},
                              {"engaged", s.sessions.engaged},
                              {"unengaged", s.sessions.unengaged},
                              {"resolved", s.sessions.resolved},
                              {"escalated", s.sessions.escalated},
                              {"abandoned", s.sessions.abandoned}}},
      {"rates", bj::object{{"engagement", optional_number(s.rates.engagement)},
                           {"resolution", optional_number(s.rates.resolution)},
                           {"escalation", optional_number(s.rates.escalation)},
                           {"abandon", optional_number(s.rates.abandon)}}},
      {"csat", bj::object{{"asked", s.csat.asked},
                          {"responses", s.csat.responses},
                          {"responseRate", optional_number(s.csat.response_rate)},
                          {"average", optional_number(s.csat.average)},
                          {"distribution", std::move(distribution)},
                          {"resolvedYes", s.csat.resolved_yes},
                          {"resolvedNo", s.csat.resolved_no}}},
      {"handoffs",
       bj::object{{"total", h.total},
                  {"byReason", std::move(by_reason)},
                  {"byDisposition", std::move(by_disposition)},
                  {"accepted", h.accepted},
                  {"cancelled", h.cancelled},
                  {"unavailable", h.unavailable},
                  {"timedOut", h.timed_out},
                  {"abandoned", h.abandoned},
                  {"firstWaitMs", durations_json(h.first_wait_ms)},
                  {"serviceLevel20s", optional_number(h.service_level_20s)},
                  {"serviceLevel60s", optional_number(h.service_level_60s)},
                  {"handleTimeMs", bj::object{{"avg", optional_number(h.handle_time_ms_avg)}}},
                  {"timeToAcceptMs", bj::object{{"avg", optional_number(h.time_to_accept_ms_avg)}}},
                  {"transfers", h.transfers},
                  {"offers", h.offers},
                  {"offersDeclined", h.offers_declined},
                  {"offersExpired", h.offers_expired}}},
      {"topics", std::move(topics)},
      {"agents", std::move(agents)},
      {"queues", std::move(queues)},
  };
}

bj::object to_json(const std::vector<SeriesPoint>& points, std::string_view metric,
                   int interval_hours) {
  bj::array out;
  for (const auto& p : points) {
    out.emplace_back(
        bj::object{{"start", format_iso8601(p.start)}, {"value", optional_number(p.value)}});
  }
  return {{"metric", metric},
          {"interval", interval_hours == 24 ? "day" : "hour"},
          {"points", std::move(out)}};
}

}  // namespace baton::analytics
