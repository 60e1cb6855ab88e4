// A conversation's analytics session: the outcome rules (session.hpp) and its stored form.
#include "analytics/session.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace baton::analytics {
namespace {

namespace bj = boost::json;
using std::chrono::duration_cast;

std::int64_t millis_of(TimePoint t) { return duration_cast<Millis>(t.time_since_epoch()).count(); }

TimePoint time_of(std::int64_t ms) { return TimePoint{} + Millis(ms); }

// Reads `obj[key]` as an int64 (also from uint64 within range); kInvalidArgument otherwise.
Result<std::int64_t> int_field(const bj::object& obj, std::string_view key) {
  const bj::value* v = obj.if_contains(key);
  if (v != nullptr && v->is_int64()) {
    return v->as_int64();
  }
  if (v != nullptr && v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("analytics session: {}: expected an integer", key));
}

Result<bool> bool_field(const bj::object& obj, std::string_view key) {
  const bj::value* v = obj.if_contains(key);
  if (v != nullptr && v->is_bool()) {
    return v->as_bool();
  }
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("analytics session: {}: expected true or false", key));
}

Result<std::string> string_field(const bj::object& obj, std::string_view key) {
  const bj::value* v = obj.if_contains(key);
  if (v != nullptr && v->is_string() && v->as_string().size() <= 256) {
    return std::string(v->as_string());
  }
  return make_error(
      ErrorCode::kInvalidArgument,
      fmt::format("analytics session: {}: expected a string of at most 256 bytes", key));
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kUnengaged:
      return "unengaged";
    case Outcome::kResolved:
      return "resolved";
    case Outcome::kEscalated:
      return "escalated";
    case Outcome::kAbandoned:
      return "abandoned";
  }
  return "unengaged";
}

std::optional<store::AnalyticsSession> Session::touch(const std::string& conversation_id,
                                                      std::uint64_t seq, TimePoint at,
                                                      Millis timeout) {
  std::optional<store::AnalyticsSession> ended;
  if (open() && idle(at, timeout)) {
    ended = end(conversation_id);
  }
  if (!open()) {
    Session next;
    next.number_ = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(seq, 1, UINT32_MAX));
    next.open_ = true;
    next.started_ = next.last_ = at;
    *this = std::move(next);
    return ended;
  }
  last_ = std::max(last_, at);
  return ended;
}

void Session::topic_started(std::string_view name, TopicRole role) {
  if (!open()) {
    return;
  }
  switch (role) {
    case TopicRole::kConfirmsSuccess:
      confirmed_ = true;
      [[fallthrough]];
    case TopicRole::kUser:
      engaged_ = true;
      topic_ = std::string(name);
      break;
    case TopicRole::kEscalate:
    case TopicRole::kFallback:
      engaged_ = true;
      break;
    case TopicRole::kEndOfConversation:
      end_reached_ = true;
      surveyed_ = true;
      break;
    case TopicRole::kGreeting:
    case TopicRole::kStartOver:
      break;
  }
}

void Session::escalated(std::string_view reason, std::string_view queue, TimePoint at) {
  if (!open()) {
    return;
  }
  engaged_ = true;
  escalated_ = true;
  reason_ = std::string(reason);
  queue_ = std::string(queue);
  escalated_at_ = at;
}

void Session::accepted(std::string_view queue, std::string_view agent, TimePoint at) {
  if (!open()) {
    return;
  }
  if (!queue.empty()) {
    queue_ = std::string(queue);
  }
  agent_ = std::string(agent);
  if (escalated_at_ && !wait_ms_) {
    wait_ms_ = std::max<std::int64_t>(0, millis_of(at) - millis_of(*escalated_at_));
  }
}

void Session::handled_by(std::string_view agent) {
  if (open() && escalated_ && !agent.empty()) {
    agent_ = std::string(agent);
  }
}

void Session::survey(std::optional<bool> resolved, std::optional<std::int32_t> rating) {
  if (!open()) {
    return;
  }
  if (resolved) {
    resolved_ = resolved;
  }
  if (rating && *rating >= 1 && *rating <= 5) {
    rating_ = rating;
  }
}

void Session::end_reached() {
  if (open()) {
    end_reached_ = true;
  }
}

Outcome Session::outcome() const {
  if (!engaged_) {
    return Outcome::kUnengaged;
  }
  if (escalated_) {
    return Outcome::kEscalated;
  }
  if (confirmed_ || (end_reached_ && resolved_ != false)) {
    return Outcome::kResolved;
  }
  return Outcome::kAbandoned;
}

std::optional<store::AnalyticsSession> Session::end(const std::string& conversation_id) {
  if (!open()) {
    return std::nullopt;
  }
  open_ = false;
  store::AnalyticsSession row;
  row.conversation_id = conversation_id;
  row.number = number_;
  row.started = started_;
  row.ended = last_;
  row.outcome = to_string(outcome());
  row.topic = topic_;
  row.reason = escalated_ ? reason_ : std::string();
  row.queue = escalated_ ? queue_ : std::string();
  row.agent = agent_;
  row.wait_ms = wait_ms_;
  row.rating = rating_;
  row.resolved = resolved_;
  row.surveyed = surveyed_;
  return row;
}

bool Session::idle(TimePoint now, Millis timeout) const { return open() && now - last_ >= timeout; }

bj::object Session::to_json() const {
  bj::object o;
  o["v"] = 1;
  o["n"] = number_;
  o["started"] = millis_of(started_);
  o["engaged"] = engaged_;
  o["escalated"] = escalated_;
  o["end"] = end_reached_;
  o["confirmed"] = confirmed_;
  o["surveyed"] = surveyed_;
  o["topic"] = topic_;
  o["reason"] = reason_;
  o["queue"] = queue_;
  o["agent"] = agent_;
  if (escalated_at_) {
    o["escalatedAt"] = millis_of(*escalated_at_);
  }
  if (wait_ms_) {
    o["waitMs"] = *wait_ms_;
  }
  if (rating_) {
    o["rating"] = *rating_;
  }
  if (resolved_) {
    o["resolved"] = *resolved_;
  }
  return o;
}

Result<Session> Session::from_json(const bj::value& json, TimePoint last) {
  if (!json.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "analytics session: expected an object");
  }
  const bj::object& o = json.as_object();
  auto version = int_field(o, "v");
  if (!version.ok() || *version != 1) {
    return make_error(ErrorCode::kInvalidArgument, "analytics session: v: expected 1");
  }
  Session s;
  s.open_ = true;
  s.last_ = last;
  auto n = int_field(o, "n");
  if (!n.ok() || *n < 1 || *n > UINT32_MAX) {
    return make_error(ErrorCode::kInvalidArgument, "analytics session: n: out of range");
  }
  s.number_ = static_cast<std::uint32_t>(*n);
  auto started = int_field(o, "started");
  if (!started.ok()) {
    return started.error();
  }
  s.started_ = time_of(*started);
  s.last_ = std::max(last, s.started_);
  const std::pair<const char*, bool*> flags[] = {{"engaged", &s.engaged_},
                                                 {"escalated", &s.escalated_},
                                                 {"end", &s.end_reached_},
                                                 {"confirmed", &s.confirmed_},
                                                 {"surveyed", &s.surveyed_}};
  for (const auto& [key, target] : flags) {
    auto v = bool_field(o, key);
    if (!v.ok()) {
      return v.error();
    }
    *target = *v;
  }
  const std::pair<const char*, std::string*> texts[] = {
      {"topic", &s.topic_}, {"reason", &s.reason_}, {"queue", &s.queue_}, {"agent", &s.agent_}};
  for (const auto& [key, target] : texts) {
    auto v = string_field(o, key);
    if (!v.ok()) {
      return v.error();
    }
    *target = std::move(*v);
  }
  if (o.contains("escalatedAt")) {
    auto at = int_field(o, "escalatedAt");
    if (!at.ok()) {
      return at.error();
    }
    s.escalated_at_ = time_of(*at);
  }
  if (o.contains("waitMs")) {
    auto wait = int_field(o, "waitMs");
    if (!wait.ok() || *wait < 0) {
      return make_error(ErrorCode::kInvalidArgument, "analytics session: waitMs: out of range");
    }
    s.wait_ms_ = *wait;
  }
  if (o.contains("rating")) {
    auto rating = int_field(o, "rating");
    if (!rating.ok() || *rating < 1 || *rating > 5) {
      return make_error(ErrorCode::kInvalidArgument, "analytics session: rating: expected 1..5");
    }
    s.rating_ = static_cast<std::int32_t>(*rating);
  }
  if (o.contains("resolved")) {
    auto resolved = bool_field(o, "resolved");
    if (!resolved.ok()) {
      return resolved.error();
    }
    s.resolved_ = *resolved;
  }
  return s;
}

}  // namespace baton::analytics
