#pragma once
// A conversation's analytics session: what the bot author's view counts (docs/ANALYTICS.md has
// the definitions, after Copilot Studio's). Pure: the engine, which owns the conversation, feeds
// one Session with what each turn did and stores it; nothing here reads a clock or does I/O.
//
//   a session starts with the conversation's first activity, or the first after the previous
//   session ended; it ends after `timeout` without any activity (customer, bot or agent) or when
//   the conversation ends.
//   engaged    once a non-system topic starts, the Fallback topic starts or the bot escalates
//   escalated  the bot escalated (Escalate topic, transfer / handover node), taken or not
//   resolved   else: End of Conversation reached (its topic started, or an end_conversation node
//              ran) and the survey's "did that answer your question" not answered no; or a topic
//              marked confirms_success started
//   abandoned  else, engaged
//   unengaged  not engaged (e.g. only the greeting)
// A session is attributed to its last non-system topic.
//
// Thread safety: none; a plain value with one owner.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace baton::analytics {

// The Copilot Studio default.
inline constexpr Millis kDefaultSessionTimeout = std::chrono::minutes(30);

// What a topic is to analytics (from bot::SystemTopic and the topic's confirms_success flag).
enum class TopicRole {
  kUser,             // an author's topic: engages, becomes the session's topic
  kConfirmsSuccess,  // an author's topic marked confirms_success: also resolves
  kGreeting,
  kStartOver,
  kEscalate,          // engages (the escalation itself is told by escalated())
  kFallback,          // engages
  kEndOfConversation  // the survey: End of Conversation reached, survey asked
};

enum class Outcome { kUnengaged, kResolved, kEscalated, kAbandoned };
// "unengaged", "resolved", "escalated", "abandoned" (store::AnalyticsSession::outcome).
const char* to_string(Outcome outcome);

class Session {
 public:
  // Something happened in the conversation at `at` (any activity: the customer's, the bot's, an
  // agent's; `seq` is the first activity's sequence number). When the open session has been idle
  // for `timeout` or longer, it ends first (at its last activity) and is returned; then a session
  // is open (a new one, numbered `seq`, if none was), last activity = at. Times before the last
  // activity count as the last activity.
  std::optional<store::AnalyticsSession> touch(const std::string& conversation_id,
                                               std::uint64_t seq, TimePoint at, Millis timeout);

  // What the turn that touch() opened did. No effect while no session is open.
  void topic_started(std::string_view name, TopicRole role);
  // The bot escalated (reason: explicit | requested | no_match | invalid_answer); `queue` is the
  // routing hint until an agent's acceptance names the queue it was routed to.
  void escalated(std::string_view reason, std::string_view queue, TimePoint at);
  // An agent took the session's open handoff: queue and agent as routed; the first wait counts
  // from the latest escalation.
  void accepted(std::string_view queue, std::string_view agent, TimePoint at);
  // The agent who has the session's handoff now or had it last (after a transfer, at its end).
  void handled_by(std::string_view agent);
  // The survey's answers as they stand (SurveyResolved / SurveyRating; the latest counts).
  void survey(std::optional<bool> resolved, std::optional<std::int32_t> rating);
  void end_reached();

  // The open session ends now (the conversation ended, or it is idle: pass the time it ended).
  // nullopt when none is open.
  std::optional<store::AnalyticsSession> end(const std::string& conversation_id);

  // Whether a session is open and idle at `now` for `timeout` or longer.
  bool idle(TimePoint now, Millis timeout) const;
  bool open() const { return open_; }
  bool surveyed() const { return open_ && surveyed_; }
  TimePoint last() const { return last_; }

  // The persistent form of an open session (docs/ANALYTICS.md, "Open sessions"):
  // {"v":1,"n":number,"started":ms,...}. It leaves out the last activity, which is the
  // conversation row's `updated` (written with every activity): from_json takes it back, so the
  // form changes only when a fact does. from_json: kInvalidArgument naming the first bad field;
  // never throws.
  boost::json::object to_json() const;
  static Result<Session> from_json(const boost::json::value& json, TimePoint last);

  friend bool operator==(const Session&, const Session&) = default;

 private:
  Outcome outcome() const;

  std::uint32_t number_ = 0;  // the seq of the activity that opened it
  bool open_ = false;
  TimePoint started_{};
  TimePoint last_{};
  bool engaged_ = false;
  bool escalated_ = false;
  bool end_reached_ = false;
  bool confirmed_ = false;
  bool surveyed_ = false;
  std::string topic_;
  std::string reason_;
  std::string queue_;
  std::string agent_;
  std::optional<TimePoint> escalated_at_;
  std::optional<std::int64_t> wait_ms_;
  std::optional<std::int32_t> rating_;
  std::optional<bool> resolved_;
};

}  // namespace baton::analytics
