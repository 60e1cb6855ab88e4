// The JSON forms of the engine's events and commands (edge.hpp).
#include "engine/edge.hpp"

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/overloaded.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

bj::object ownership_json(const Ownership& o) {
  return {{"owner", to_string(o.owner)}, {"epoch", o.epoch}};
}

const char* action_name(CustomerAction a) {
  switch (a) {
    case CustomerAction::kMessage:
      return "message";
    case CustomerAction::kTyping:
      return "typing";
    case CustomerAction::kLeft:
      return "left";
    case CustomerAction::kOther:
      break;
  }
  return "other";
}

// Field readers over one JSON object; the first problem is kept and named.
class Reader {
 public:
  explicit Reader(const bj::value& json) : o_(json.if_object()) {
    if (o_ == nullptr) {
      fail("", "an object");
    }
  }

  std::string string(std::string_view key) {
    const bj::value* v = find(key);
    if (v == nullptr || !v->is_string()) {
      fail(key, "a string");
      return {};
    }
    return std::string(v->as_string());
  }

  // A string that may be absent (a field added later): "" then.
  std::string optional_string(std::string_view key) {
    return find(key) == nullptr ? std::string() : string(key);
  }

  std::uint64_t number(std::string_view key) {
    const bj::value* v = find(key);
    if (v != nullptr && v->is_uint64()) {
      return v->as_uint64();
    }
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0) {
      return static_cast<std::uint64_t>(v->as_int64());
    }
    fail(key, "a non-negative integer");
    return 0;
  }

  bool boolean(std::string_view key) {
    const bj::value* v = find(key);
    if (v == nullptr || !v->is_bool()) {
      fail(key, "true or false");
      return false;
    }
    return v->as_bool();
  }

  bj::object object(std::string_view key) {
    const bj::value* v = find(key);
    if (v == nullptr || !v->is_object()) {
      fail(key, "an object");
      return {};
    }
    return v->as_object();
  }

  std::vector<std::string> strings(std::string_view key) {
    const bj::value* v = find(key);
    std::vector<std::string> out;
    if (v == nullptr || !v->is_array()) {
      fail(key, "an array of strings");
      return out;
    }
    for (const auto& item : v->as_array()) {
      if (!item.is_string()) {
        fail(key, "an array of strings");
        return {};
      }
      out.emplace_back(item.as_string());
    }
    return out;
  }

  std::optional<int> optional_int(std::string_view key) {
    const bj::value* v = find(key);
    if (v == nullptr || v->is_null()) {
      return std::nullopt;
    }
    if (v->is_int64() && v->as_int64() >= INT32_MIN && v->as_int64() <= INT32_MAX) {
      return static_cast<int>(v->as_int64());
    }
    fail(key, "an integer or null");
    return std::nullopt;
  }

  Ownership ownership(std::string_view key) {
    const bj::value* v = find(key);
    if (v == nullptr) {
      fail(key, "an ownership");
      return {};
    }
    Reader inner(*v);
    const auto owner = parse_owner(inner.string("owner"));
    const std::uint64_t epoch = inner.number("epoch");
    if (!inner.ok() || !owner) {
      fail(key, "an ownership {owner, epoch}");
      return {};
    }
    return {*owner, epoch};
  }

  OwnershipEvent event(std::string_view key) {
    auto e = parse_ownership_event(string(key));
    if (!e) {
      fail(key, "an ownership event");
      return OwnershipEvent::kClosed;
    }
    return *e;
  }

  activity::Activity activity(std::string_view key) {
    const bj::value* v = find(key);
    if (v == nullptr) {
      fail(key, "an activity");
      return {};
    }
    auto a = activity::from_json(*v);
    if (!a.ok()) {
      fail(key, "an activity (" + a.error().message + ")");
      return {};
    }
    return std::move(*a);
  }

  bool ok() const { return error_.empty(); }
  Error error() const { return make_error(ErrorCode::kInvalidArgument, error_); }

 private:
  const bj::value* find(std::string_view key) const {
    return o_ != nullptr ? o_->if_contains(key) : nullptr;
  }
  void fail(std::string_view key, std::string_view wanted) {
    if (error_.empty()) {
      error_ = key.empty() ? fmt::format("expected {}", wanted)
                           : fmt::format("{}: expected {}", key, wanted);
    }
  }

  const bj::object* o_;
  std::string error_;
};

template <class T>
Result<T> finish(const Reader& r, T value) {
  if (!r.ok()) {
    return r.error();
  }
  return value;
}

}  // namespace

CustomerAction customer_action_of(std::string_view activity_type) {
  if (activity_type == "message") {
    return CustomerAction::kMessage;
  }
  if (activity_type == "typing") {
    return CustomerAction::kTyping;
  }
  if (activity_type == "endOfConversation") {
    return CustomerAction::kLeft;
  }
  return CustomerAction::kOther;
}

bj::object to_json(const EngineEvent& event) {
  return std::visit(Overloaded{
                        [](const HandoffRequested& e) {
                          bj::array skills;
                          for (const auto& s : e.skills) {
                            skills.emplace_back(s);
                          }
                          bj::object o{{"type", "handoff_requested"},
                                       {"conversation", e.conversation},
                                       {"epoch", e.epoch},
                                       {"handoffId", e.handoff_id},
                                       {"reason", e.reason},
                                       {"topic", e.topic},
                                       {"context", e.context},
                                       {"agentMessage", e.agent_message},
                                       {"queue", e.queue},
                                       {"skills", std::move(skills)},
                                       {"initiateSeq", e.initiate_seq},
                                       {"user", e.user},
                                       {"language", e.language}};
                          o["priority"] = e.priority ? bj::value(*e.priority) : bj::value(nullptr);
                          return o;
                        },
                        [](const HandoffCancelled& e) {
                          return bj::object{{"type", "handoff_cancelled"},
                                            {"conversation", e.conversation},
                                            {"epoch", e.epoch}};
                        },
                        [](const CustomerActed& e) {
                          return bj::object{{"type", "customer_acted"},
                                            {"conversation", e.conversation},
                                            {"action", action_name(e.action)}};
                        },
                        [](const OwnershipChanged& e) {
                          return bj::object{{"type", "ownership_changed"},
                                            {"conversation", e.conversation},
                                            {"from", ownership_json(e.from)},
                                            {"to", ownership_json(e.to)},
                                            {"event", to_string(e.event)}};
                        },
                    },
                    event);
}

Result<EngineEvent> event_from_json(const bj::value& json) {
  Reader r(json);
  const std::string type = r.string("type");
  if (!r.ok()) {
    return r.error();
  }
  if (type == "handoff_requested") {
    HandoffRequested e;
    e.conversation = r.string("conversation");
    e.epoch = r.number("epoch");
    e.handoff_id = r.string("handoffId");
    e.reason = r.string("reason");
    e.topic = r.string("topic");
    e.context = r.object("context");
    e.agent_message = r.string("agentMessage");
    e.queue = r.string("queue");
    e.skills = r.strings("skills");
    e.priority = r.optional_int("priority");
    e.initiate_seq = r.number("initiateSeq");
    e.user = r.optional_string("user");
    e.language = r.optional_string("language");
    return finish<EngineEvent>(r, std::move(e));
  }
  if (type == "handoff_cancelled") {
    HandoffCancelled e{r.string("conversation"), r.number("epoch")};
    return finish<EngineEvent>(r, std::move(e));
  }
  if (type == "customer_acted") {
    CustomerActed e;
    e.conversation = r.string("conversation");
    const std::string action = r.string("action");
    e.action = action == "message"  ? CustomerAction::kMessage
               : action == "typing" ? CustomerAction::kTyping
               : action == "left"   ? CustomerAction::kLeft
                                    : CustomerAction::kOther;
    return finish<EngineEvent>(r, std::move(e));
  }
  if (type == "ownership_changed") {
    OwnershipChanged e;
    e.conversation = r.string("conversation");
    e.from = r.ownership("from");
    e.to = r.ownership("to");
    e.event = r.event("event");
    return finish<EngineEvent>(r, std::move(e));
  }
  return make_error(ErrorCode::kInvalidArgument, fmt::format("type: unknown event '{}'", type));
}

bj::object to_json(const EngineCommand& command) {
  return std::visit(Overloaded{
                        [](const ChangeOwnership& c) {
                          return bj::object{{"type", "change_ownership"},
                                            {"conversation", c.conversation},
                                            {"expectedEpoch", c.expected_epoch},
                                            {"event", to_string(c.event)},
                                            {"outcome", dialog::to_string(c.outcome)},
                                            {"agent", c.end.agent},
                                            {"abandoned", c.end.abandoned},
                                            {"unavailable", c.end.unavailable},
                                            {"message", c.end.message},
                                            {"routeQueue", c.route.queue},
                                            {"routeAgent", c.route.agent}};
                        },
                        [](const PostAsOwner& c) {
                          return bj::object{{"type", "post_as_owner"},
                                            {"conversation", c.conversation},
                                            {"expectedEpoch", c.expected_epoch},
                                            {"activity", activity::to_json(c.activity)}};
                        },
                        [](const PostNotice& c) {
                          return bj::object{{"type", "post_notice"},
                                            {"conversation", c.conversation},
                                            {"activity", activity::to_json(c.activity)}};
                        },
                        [](const SetAgentsOnline& c) {
                          return bj::object{{"type", "set_agents_online"}, {"online", c.online}};
                        },
                        [](const RecordWrapUp& c) {
                          return bj::object{{"type", "record_wrap_up"},
                                            {"conversation", c.conversation},
                                            {"agent", c.agent},
                                            {"disposition", c.disposition},
                                            {"note", c.note}};
                        },
                    },
                    command);
}

Result<EngineCommand> command_from_json(const bj::value& json) {
  Reader r(json);
  const std::string type = r.string("type");
  if (!r.ok()) {
    return r.error();
  }
  if (type == "change_ownership") {
    ChangeOwnership c;
    c.conversation = r.string("conversation");
    c.expected_epoch = r.number("expectedEpoch");
    c.event = r.event("event");
    const auto outcome = dialog::parse_handoff_outcome(r.string("outcome"));
    c.end.agent = r.string("agent");
    c.end.abandoned = r.string("abandoned");
    c.end.unavailable = r.optional_string("unavailable");
    c.end.message = r.optional_string("message");
    c.route.queue = r.optional_string("routeQueue");
    c.route.agent = r.optional_string("routeAgent");
    if (r.ok() && !outcome) {
      return make_error(ErrorCode::kInvalidArgument, "outcome: expected a handoff outcome");
    }
    c.outcome = outcome.value_or(dialog::HandoffOutcome::kCompleted);
    return finish<EngineCommand>(r, std::move(c));
  }
  if (type == "post_as_owner") {
    PostAsOwner c;
    c.conversation = r.string("conversation");
    c.expected_epoch = r.number("expectedEpoch");
    c.activity = r.activity("activity");
    return finish<EngineCommand>(r, std::move(c));
  }
  if (type == "post_notice") {
    PostNotice c;
    c.conversation = r.string("conversation");
    c.activity = r.activity("activity");
    return finish<EngineCommand>(r, std::move(c));
  }
  if (type == "record_wrap_up") {
    RecordWrapUp c;
    c.conversation = r.string("conversation");
    c.agent = r.string("agent");
    c.disposition = r.optional_string("disposition");
    c.note = r.optional_string("note");
    return finish<EngineCommand>(r, std::move(c));
  }
  if (type == "set_agents_online") {
    SetAgentsOnline c{r.boolean("online")};
    return finish<EngineCommand>(r, c);
  }
  return make_error(ErrorCode::kInvalidArgument, fmt::format("type: unknown command '{}'", type));
}

}  // namespace baton::engine
