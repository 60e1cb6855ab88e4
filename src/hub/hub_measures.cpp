// Measurements (measures.hpp): emitting measures, and the agents' spans with their cuts at hour
// boundaries. The handlers call measure() where a fact happens and touch() where an agent's
// presence, load or capacity may change; apply() settles the touched agents once the input is done,
// so a quantity that changes and changes back within one input does not cut its span.

#include <fmt/format.h>

#include <algorithm>

#include "hub/hub_state.hpp"

namespace baton::hub {

std::string describe(const Measure& m) {
  return fmt::format("{} {} q={} a={} n={} v={}", format_iso8601(m.at), m.metric, m.queue, m.agent,
                     m.count, m.value);
}

namespace detail {
namespace {

constexpr std::chrono::hours kHour{1};

const char* presence_metric(Presence presence) {
  switch (presence) {
    case Presence::kAvailable:
      return metric::kPresenceAvailable;
    case Presence::kBusy:
      return metric::kPresenceBusy;
    case Presence::kAway:
      return metric::kPresenceAway;
    case Presence::kOffline:
      return metric::kPresenceOffline;
  }
  return metric::kPresenceOffline;
}

// The first hour boundary after `t`.
TimePoint next_hour(TimePoint t) { return std::chrono::floor<std::chrono::hours>(t) + kHour; }

}  // namespace

Millis HubState::since(TimePoint then) const {
  return now_ > then ? std::chrono::duration_cast<Millis>(now_ - then) : Millis{0};
}

void HubState::measure(const char* metric, std::string_view queue, std::string_view agent,
                       Millis value) {
  if (sink_ == nullptr) {
    return;
  }
  sink_->push_back(Measure{now_, metric, std::string(queue), std::string(agent), 1,
                           static_cast<double>(value.count())});
}

TimePoint HubState::cut_span(const AgentState& agent, const char* metric, int rate, TimePoint from,
                             TimePoint until, bool ends) {
  if (sink_ == nullptr || rate == 0) {
    // Nothing to emit: only where the open rest starts.
    TimePoint last = std::chrono::floor<std::chrono::hours>(until);
    return last > from ? last : from;
  }
  auto piece = [&](TimePoint begin, TimePoint end, TimePoint at, std::int64_t count) {
    const auto ms = std::chrono::duration_cast<Millis>(end - begin).count();
    sink_->push_back(Measure{at, metric, "", agent.agent.id, count,
                             static_cast<double>(ms) * static_cast<double>(rate)});
  };
  TimePoint start = from;
  for (TimePoint boundary = next_hour(from); boundary <= until; boundary += kHour) {
    piece(start, boundary, boundary - Millis{1}, 0);
    start = boundary;
  }
  if (ends) {
    piece(start, until, until, 1);
  }
  return start;
}

void HubState::cut_spans(AgentState& agent, bool ends) {
  Spans& s = agent.spans;
  s.presence_since = cut_span(agent, presence_metric(s.presence), 1, s.presence_since, now_, ends);
  s.load_since = cut_span(agent, metric::kLoad, s.load, s.load_since, now_, ends);
  s.capacity_since = cut_span(agent, metric::kCapacity, s.capacity, s.capacity_since, now_, ends);
}

void HubState::settle_spans(TimePoint before) {
  for (AgentState* agent : touched_) {
    Spans& s = agent->spans;
    if (!s.open) {
      if (agent->chosen == Presence::kOffline) {
        continue;  // not yet appeared
      }
      s = Spans{true, agent->effective(), now_, agent->load, now_, agent->online_capacity(), now_};
      continue;
    }
    if (Presence p = agent->effective(); p != s.presence) {
      cut_span(*agent, presence_metric(s.presence), 1, s.presence_since, now_, true);
      s.presence = p;
      s.presence_since = now_;
    }
    if (agent->load != s.load) {
      cut_span(*agent, metric::kLoad, s.load, s.load_since, now_, true);
      s.load = agent->load;
      s.load_since = now_;
    }
    if (int capacity = agent->online_capacity(); capacity != s.capacity) {
      cut_span(*agent, metric::kCapacity, s.capacity, s.capacity_since, now_, true);
      s.capacity = capacity;
      s.capacity_since = now_;
    }
  }
  if (std::chrono::floor<std::chrono::hours>(now_) >
      std::chrono::floor<std::chrono::hours>(before)) {
    for (auto& [id, agent] : agents_) {
      if (agent.spans.open) {
        cut_spans(agent, false);
      }
    }
  }
}

void HubState::close_spans(AgentState& agent) {
  if (agent.spans.open) {
    cut_spans(agent, true);
    agent.spans = Spans{};
  }
  std::erase(touched_, &agent);
}

}  // namespace detail
}  // namespace baton::hub
