#include "hub/event_json.hpp"

namespace baton::hub {
namespace {

namespace bj = boost::json;

bj::array to_array(const std::vector<std::string>& items) {
  bj::array out;
  for (const auto& s : items) {
    out.emplace_back(s);
  }
  return out;
}

struct ToJson {
  bj::object& o;

  void operator()(const HandoffSubmitted& e) const {
    o["type"] = "handoff_submitted";
    o["conversation"] = e.conversation;
    o["context"] = e.context;
    o["reason"] = e.reason;
    o["language"] = e.language;
    o["queue"] = e.queue_hint;
    o["skills"] = to_array(e.skills);
    if (e.priority) {
      o["priority"] = *e.priority;
    }
    if (!e.user.empty()) {
      o["user"] = e.user;
    }
  }
  void operator()(const HandoffCancelled& e) const {
    conv("handoff_cancelled", e.conversation);
    if (e.closed) {
      o["closed"] = true;
    }
  }
  void operator()(const CustomerActivity& e) const { conv("customer_activity", e.conversation); }
  void operator()(const CustomerLeft& e) const { conv("customer_left", e.conversation); }
  void operator()(const AgentRegistered& e) const {
    o["type"] = "agent_registered";
    o["agent"] = bj::object{{"id", e.agent.id},
                            {"name", e.agent.display_name},
                            {"role", to_string(e.agent.role)},
                            {"skills", to_array(e.agent.skills)},
                            {"capacity", e.agent.capacity}};
  }
  void operator()(const AgentRemoved& e) const {
    o["type"] = "agent_removed";
    o["agent"] = e.agent;
  }
  void operator()(const PresenceSet& e) const {
    o["type"] = "presence_set";
    o["agent"] = e.agent;
    o["presence"] = to_string(e.presence);
  }
  void operator()(const OfferAccepted& e) const {
    offer("offer_accepted", e.conversation, e.agent, e.offer_id);
  }
  void operator()(const OfferDeclined& e) const {
    offer("offer_declined", e.conversation, e.agent, e.offer_id);
  }
  void operator()(const TransferRequested& e) const {
    o["type"] = "transfer_requested";
    o["conversation"] = e.conversation;
    o["from_agent"] = e.from_agent;
    o["to_queue"] = e.to_queue;
    o["to_agent"] = e.to_agent;
    o["note"] = e.note;
  }
  void operator()(const ConversationEnded& e) const {
    conv("conversation_ended", e.conversation);
    o["agent"] = e.agent;
  }
  void operator()(const WrapUpDone& e) const {
    conv("wrap_up_done", e.conversation);
    o["agent"] = e.agent;
  }
  void operator()(const SupervisorAssign& e) const {
    conv("supervisor_assign", e.conversation);
    o["supervisor"] = e.supervisor;
    o["agent"] = e.agent;
    o["note"] = e.note;
    o["take_over"] = e.take_over;
  }
  void operator()(const SupervisorRequeue& e) const {
    conv("supervisor_requeue", e.conversation);
    o["supervisor"] = e.supervisor;
    o["to_queue"] = e.to_queue;
    o["note"] = e.note;
  }
  void operator()(const ExternalStatus& e) const {
    conv("external_status", e.conversation);
    o["state"] = to_string(e.state);
    if (!e.message.empty()) {
      o["message"] = e.message;
    }
  }
  void operator()(const Tick&) const { o["type"] = "tick"; }
  void operator()(const Recover&) const { o["type"] = "recover"; }

  void conv(const char* type, const std::string& id) const {
    o["type"] = type;
    o["conversation"] = id;
  }
  void offer(const char* type, const std::string& c, const std::string& a, std::uint64_t id) const {
    conv(type, c);
    o["agent"] = a;
    o["offer_id"] = id;
  }
};

// Field readers: absent → default; present with the wrong kind → error.
class Reader {
 public:
  explicit Reader(const bj::object& o) : o_(o) {}

  std::string str(const char* key) {
    const bj::value* v = o_.if_contains(key);
    if (v == nullptr) {
      return {};
    }
    if (!v->is_string()) {
      fail(key);
      return {};
    }
    return std::string(v->as_string());
  }

  std::vector<std::string> strings(const char* key) {
    std::vector<std::string> out;
    const bj::value* v = o_.if_contains(key);
    if (v == nullptr) {
      return out;
    }
    if (!v->is_array()) {
      fail(key);
      return out;
    }
    for (const auto& item : v->as_array()) {
      if (!item.is_string()) {
        fail(key);
        return {};
      }
      out.emplace_back(item.as_string());
    }
    return out;
  }

  std::optional<std::int64_t> integer(const char* key) {
    const bj::value* v = o_.if_contains(key);
    if (v == nullptr) {
      return std::nullopt;
    }
    if (v->is_int64()) {
      return v->as_int64();
    }
    if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
      return static_cast<std::int64_t>(v->as_uint64());
    }
    fail(key);
    return std::nullopt;
  }

  bj::object object(const char* key) {
    const bj::value* v = o_.if_contains(key);
    if (v == nullptr) {
      return {};
    }
    if (!v->is_object()) {
      fail(key);
      return {};
    }
    return v->as_object();
  }

  bool boolean(const char* key) {
    const bj::value* v = o_.if_contains(key);
    if (v == nullptr) {
      return false;
    }
    if (!v->is_bool()) {
      fail(key);
      return false;
    }
    return v->as_bool();
  }

  void fail(const char* key) {
    if (bad_.empty()) {
      bad_ = key;
    }
  }
  const std::string& bad() const { return bad_; }

 private:
  const bj::object& o_;
  std::string bad_;
};

std::optional<Event> read_agent_event(const std::string& type, Reader& r) {
  if (type == "agent_registered") {
    bj::object a = r.object("agent");
    Reader ar(a);
    Agent agent;
    agent.id = ar.str("id");
    agent.display_name = ar.str("name");
    auto role = parse_role(ar.str("role"));
    agent.role = role.value_or(Role::kAgent);
    agent.skills = ar.strings("skills");
    agent.capacity = static_cast<int>(ar.integer("capacity").value_or(1));
    if (!ar.bad().empty()) {
      r.fail("agent");
    }
    return AgentRegistered{std::move(agent)};
  }
  if (type == "agent_removed") {
    return AgentRemoved{r.str("agent")};
  }
  if (type == "presence_set") {
    auto presence = parse_presence(r.str("presence"));
    if (!presence) {
      r.fail("presence");
    }
    return PresenceSet{r.str("agent"), presence.value_or(Presence::kOffline)};
  }
  return std::nullopt;
}

std::optional<Event> read_event(const std::string& type, Reader& r) {
  if (auto agent_event = read_agent_event(type, r)) {
    return agent_event;
  }
  if (type == "handoff_submitted") {
    HandoffSubmitted e;
    e.conversation = r.str("conversation");
    e.context = r.object("context");
    e.reason = r.str("reason");
    e.language = r.str("language");
    e.queue_hint = r.str("queue");
    e.skills = r.strings("skills");
    if (auto p = r.integer("priority")) {
      e.priority = static_cast<int>(*p);
    }
    e.user = r.str("user");  // absent in logs written before agent affinity
    return e;
  }
  std::string conv = r.str("conversation");
  std::string agent = r.str("agent");
  auto offer_id = static_cast<std::uint64_t>(r.integer("offer_id").value_or(0));
  if (type == "handoff_cancelled") {
    return HandoffCancelled{conv, r.boolean("closed")};  // absent before external hubs' notices
  }
  if (type == "customer_activity") {
    return CustomerActivity{conv};
  }
  if (type == "customer_left") {
    return CustomerLeft{conv};
  }
  if (type == "offer_accepted") {
    return OfferAccepted{conv, agent, offer_id};
  }
  if (type == "offer_declined") {
    return OfferDeclined{conv, agent, offer_id};
  }
  if (type == "conversation_ended") {
    return ConversationEnded{conv, agent};
  }
  if (type == "wrap_up_done") {
    return WrapUpDone{conv, agent};
  }
  if (type == "tick") {
    return Tick{};
  }
  if (type == "recover") {
    return Recover{};
  }
  if (type == "transfer_requested") {
    return TransferRequested{conv, r.str("from_agent"), r.str("to_queue"), r.str("to_agent"),
                             r.str("note")};
  }
  if (type == "supervisor_assign") {
    return SupervisorAssign{conv, r.str("supervisor"), agent, r.str("note"),
                            r.boolean("take_over")};
  }
  if (type == "external_status") {
    auto state = parse_external_state(r.str("state"));
    if (!state) {
      r.fail("state");
    }
    return ExternalStatus{conv, state.value_or(ExternalState::kFailed), r.str("message")};
  }
  if (type == "supervisor_requeue") {
    return SupervisorRequeue{conv, r.str("supervisor"), r.str("to_queue"), r.str("note")};
  }
  return std::nullopt;
}

}  // namespace

boost::json::object input_to_json(const Input& input) {
  bj::object o;
  o["at"] = format_iso8601(input.at);
  std::visit(ToJson{o}, input.event);
  return o;
}

Result<Input> input_from_json(const boost::json::value& json) {
  if (!json.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "a hub input must be a JSON object");
  }
  Reader r(json.as_object());
  auto at = parse_iso8601(r.str("at"));
  if (!at) {
    return make_error(ErrorCode::kInvalidArgument, "hub input: bad or missing 'at'");
  }
  std::string type = r.str("type");
  auto event = read_event(type, r);
  if (!event) {
    return make_error(ErrorCode::kInvalidArgument, "hub input: unknown type '" + type + "'");
  }
  if (!r.bad().empty()) {
    return make_error(ErrorCode::kInvalidArgument, "hub input: bad field '" + r.bad() + "'");
  }
  return Input{*at, std::move(*event)};
}

}  // namespace baton::hub
