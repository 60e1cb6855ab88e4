// The Hub's snapshot: its state as one JSON object, and a Hub rebuilt from one. The format and the
// rules for a config that changed since the snapshot are stated in hub.hpp (Hub::snapshot,
// Hub::restore); this file is their one implementation.
//
//   {"version": 2, "now": <ms>, "next_seq": <n>, "next_offer_id": <n>,
//    "queues": [{"name", "average_handle_time", "round_robin_last"}],
//    "agents": [{"id", "name", "role", "skills", "capacity", "chosen", "load", "missed",
//                "idle_since", "spans"}],
//    "conversations": [{"seq", "id", "state", "queue", "priority", "priority_hint" (optional),
//                       "context", "reason", "language", "skills", "submitted_at", "queued_at",
//                       "last_activity", "assigned_at", "ended_at", "waiting_since",
//                       "assigned_once", "agent", "offer_agent", "offer_id", "offer_expires",
//                       "offer_at", "offer_transfer", "transfer_note", "declined",
//                       "sent_position", "sent_wait", "sent_at", "user" (optional)}],
//    "affinity" (optional): [{"user", "agent", "at"}]}
//
// Times are integer milliseconds since the Unix epoch, durations integer milliseconds. Arrays are
// in the hub's own orders (queues as configured, agents by id, conversations by seq), so the same
// state always gives the same text. Every field is required except priority_hint, a
// conversation's user and affinity (written only when set, by user id); unknown fields are
// ignored. An agent's "spans" (measures.hpp) is null before its first appearance, else
// {"presence", "load", "capacity"}: when its open spans started, each within now's hour and not
// after now (the values they measure are the agent's current ones). Offer and waiting times are
// not after now.
//
// Version 1 (before measurements) lacks "spans", "waiting_since", "assigned_once" and
// "offer_at"; it is read with: spans open at now for agents not offline, waiting_since =
// submitted_at, assigned_once = assigned or in wrap-up or assigned_at after the epoch, offer_at =
// offer_expires less the queue's offer_timeout (at most now).

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "hub/hub.hpp"
#include "hub/hub_state.hpp"

namespace baton::hub {
namespace detail {
namespace {

namespace bj = boost::json;

constexpr std::int64_t kSnapshotVersion = 2;
constexpr std::int64_t kFirstVersion = 1;  // still read: see the header comment
// Times and durations past this (year 2191) are refused: TimePoint counts nanoseconds in 64 bits,
// and the hub adds durations to times.
constexpr std::int64_t kMaxMillis = 7'000'000'000'000;
// Counters and ids past this are refused, so that next_* + 1 cannot wrap.
constexpr std::uint64_t kMaxCounter = static_cast<std::uint64_t>(INT64_MAX);

std::int64_t millis_of(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

bj::array to_array(const std::vector<std::string>& items) {
  bj::array out;
  out.reserve(items.size());
  for (const auto& s : items) {
    out.emplace_back(s);
  }
  return out;
}

std::optional<ConversationState> parse_state(std::string_view name) {
  for (ConversationState s :
       {ConversationState::kWaiting, ConversationState::kOffered, ConversationState::kAssigned,
        ConversationState::kWrapUp, ConversationState::kExternal}) {
    if (name == to_string(s)) {
      return s;
    }
  }
  return std::nullopt;
}

// Reads the fields of one object, strictly: a missing field or one of the wrong kind or range is
// an error naming its path ("conversations[3].offer_id"). Only the first error is kept; after it
// every read returns a default, so callers check once per object.
class Fields {
 public:
  Fields(const bj::object& object, std::string path, std::string& error)
      : object_(object), path_(std::move(path)), error_(error) {}

  bool failed() const { return !error_.empty(); }

  void fail(std::string_view key, std::string_view problem) {
    if (error_.empty()) {
      error_ = fmt::format("{}{}{}: {}", path_, path_.empty() ? "" : ".", key, problem);
    }
  }

  const bj::value* get(std::string_view key) {
    const bj::value* v = object_.if_contains(key);
    if (v == nullptr) {
      fail(key, "missing");
    }
    return v;
  }

  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const bj::value* v = get(key);
    if (v == nullptr) {
      return min;
    }
    std::int64_t n = 0;
    if (v->is_int64()) {
      n = v->get_int64();
    } else if (v->is_uint64() && v->get_uint64() <= kMaxCounter) {
      n = static_cast<std::int64_t>(v->get_uint64());
    } else {
      fail(key, "expected an integer");
      return min;
    }
    if (n < min || n > max) {
      fail(key, fmt::format("{} is outside {}..{}", n, min, max));
      return min;
    }
    return n;
  }

  std::uint64_t counter(std::string_view key, std::uint64_t min) {
    return static_cast<std::uint64_t>(
        integer(key, static_cast<std::int64_t>(min), static_cast<std::int64_t>(kMaxCounter)));
  }

  int small(std::string_view key, int min) { return static_cast<int>(integer(key, min, INT_MAX)); }

  // The one kind of optional field: absent → nullopt.
  std::optional<int> optional_small(std::string_view key, int min) {
    if (!object_.contains(key)) {
      return std::nullopt;
    }
    return small(key, min);
  }

  TimePoint time(std::string_view key) { return TimePoint(Millis(integer(key, 0, kMaxMillis))); }

  Millis duration(std::string_view key, std::int64_t min) {
    return Millis(integer(key, min, kMaxMillis));
  }

  std::string str(std::string_view key) {
    const bj::value* v = get(key);
    if (v == nullptr) {
      return {};
    }
    if (!v->is_string()) {
      fail(key, "expected a string");
      return {};
    }
    return std::string(v->get_string());
  }

  // Absent → "".
  std::string optional_str(std::string_view key) {
    return object_.contains(key) ? str(key) : std::string();
  }

  std::string id(std::string_view key) {
    std::string s = str(key);
    if (s.empty()) {
      fail(key, "must not be empty");
    }
    return s;
  }

  bool boolean(std::string_view key) {
    const bj::value* v = get(key);
    if (v == nullptr) {
      return false;
    }
    if (!v->is_bool()) {
      fail(key, "expected true or false");
      return false;
    }
    return v->get_bool();
  }

  std::vector<std::string> strings(std::string_view key) {
    std::vector<std::string> out;
    const bj::array* items = array(key);
    if (items == nullptr) {
      return out;
    }
    for (const bj::value& item : *items) {
      if (!item.is_string()) {
        fail(key, "expected an array of strings");
        return {};
      }
      out.emplace_back(item.get_string());
    }
    return out;
  }

  const bj::array* array(std::string_view key) {
    const bj::value* v = get(key);
    if (v != nullptr && !v->is_array()) {
      fail(key, "expected an array");
      return nullptr;
    }
    return v == nullptr ? nullptr : &v->get_array();
  }

  const bj::object* object(std::string_view key) {
    const bj::value* v = get(key);
    if (v != nullptr && !v->is_object()) {
      fail(key, "expected an object");
      return nullptr;
    }
    return v == nullptr ? nullptr : &v->get_object();
  }

  // A field that is null or an object (required either way): its Fields, or nullopt when null
  // (or on error: check failed()).
  std::optional<Fields> nullable_object(std::string_view key) {
    const bj::value* v = get(key);
    if (v == nullptr || v->is_null()) {
      return std::nullopt;
    }
    if (!v->is_object()) {
      fail(key, "expected an object or null");
      return std::nullopt;
    }
    return Fields(v->get_object(), fmt::format("{}{}{}", path_, path_.empty() ? "" : ".", key),
                  error_);
  }

  // A time within [min, max].
  TimePoint time_within(std::string_view key, TimePoint min, TimePoint max) {
    TimePoint t = time(key);
    if (!failed() && (t < min || t > max)) {
      fail(key, fmt::format("{} is outside {}..{}", millis_of(t), millis_of(min), millis_of(max)));
    }
    return t;
  }

  // The objects of an array field, each with its path, or nullopt (error set) when one is not.
  std::optional<std::vector<Fields>> objects(std::string_view key) {
    const bj::array* items = array(key);
    if (items == nullptr) {
      return std::nullopt;
    }
    std::vector<Fields> out;
    out.reserve(items->size());
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string path = fmt::format("{}{}{}[{}]", path_, path_.empty() ? "" : ".", key, i);
      if (!(*items)[i].is_object()) {
        if (error_.empty()) {
          error_ = path + ": expected an object";
        }
        return std::nullopt;
      }
      out.emplace_back((*items)[i].get_object(), std::move(path), error_);
    }
    return out;
  }

 private:
  const bj::object& object_;
  std::string path_;
  std::string& error_;
};

Error corrupt(const std::string& problem) {
  return make_error(ErrorCode::kInvalidArgument, "hub snapshot: " + problem);
}

bj::value spans_json(const Spans& spans) {
  if (!spans.open) {
    return nullptr;
  }
  return bj::object{{"presence", millis_of(spans.presence_since)},
                    {"load", millis_of(spans.load_since)},
                    {"capacity", millis_of(spans.capacity_since)}};
}

}  // namespace

bj::object HubState::snapshot() const {
  bj::object out;
  out["version"] = kSnapshotVersion;
  out["now"] = millis_of(now_);
  out["next_seq"] = next_seq_;
  out["next_offer_id"] = next_offer_id_;
  bj::array queues;
  queues.reserve(queues_.size());
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    queues.push_back(bj::object{{"name", qconf(i).name},
                                {"average_handle_time", queues_[i].average_handle_time.count()},
                                {"round_robin_last", queues_[i].round_robin_last}});
  }
  out["queues"] = std::move(queues);
  bj::array agents;
  agents.reserve(agents_.size());
  for (const auto& [id, a] : agents_) {
    agents.push_back(bj::object{{"id", a.agent.id},
                                {"name", a.agent.display_name},
                                {"role", to_string(a.agent.role)},
                                {"skills", to_array(a.agent.skills)},
                                {"capacity", a.agent.capacity},
                                {"chosen", to_string(a.chosen)},
                                {"load", a.load},
                                {"missed", a.missed},
                                {"idle_since", millis_of(a.idle_since)},
                                {"spans", spans_json(a.spans)}});
  }
  out["agents"] = std::move(agents);
  bj::array convs;
  convs.reserve(convs_.size());
  for (const auto& [seq, c] : convs_) {
    bj::object o;
    o["seq"] = c.seq;
    o["id"] = c.id;
    o["state"] = to_string(c.state);
    o["queue"] = qconf(c.queue).name;
    o["priority"] = c.priority;
    if (c.priority_hint) {
      o["priority_hint"] = *c.priority_hint;
    }
    o["context"] = c.context;
    o["reason"] = c.reason;
    o["language"] = c.language;
    o["skills"] = to_array(c.skills);
    o["submitted_at"] = millis_of(c.submitted_at);
    o["queued_at"] = millis_of(c.queued_at);
    o["last_activity"] = millis_of(c.last_activity);
    o["assigned_at"] = millis_of(c.assigned_at);
    o["ended_at"] = millis_of(c.ended_at);
    o["waiting_since"] = millis_of(c.waiting_since);
    o["assigned_once"] = c.assigned_once;
    o["agent"] = c.agent;
    o["offer_agent"] = c.offer_agent;
    o["offer_id"] = c.offer_id;
    o["offer_expires"] = millis_of(c.offer_expires);
    o["offer_at"] = millis_of(c.offer_at);
    o["offer_transfer"] = c.offer_is_transfer;
    o["transfer_note"] = c.transfer_note;
    o["declined"] = to_array(std::vector<std::string>(c.declined.begin(), c.declined.end()));
    o["sent_position"] = c.sent_position;
    o["sent_wait"] = c.sent_wait.count();
    o["sent_at"] = millis_of(c.sent_at);
    if (!c.user.empty()) {
      o["user"] = c.user;
    }
    convs.emplace_back(std::move(o));
  }
  out["conversations"] = std::move(convs);
  if (!affinity_.empty()) {
    bj::array affinity;
    for (const auto& [user, a] : affinity_) {
      affinity.push_back(bj::object{{"user", user}, {"agent", a.agent}, {"at", millis_of(a.at)}});
    }
    out["affinity"] = std::move(affinity);
  }
  return out;
}

namespace {

// Whether the fields of a conversation agree with its state (what the handlers maintain).
std::string state_problem(const Conv& c) {
  const bool offer = !c.offer_agent.empty();
  switch (c.state) {
    case ConversationState::kWaiting:
      return offer || !c.agent.empty() ? "a waiting conversation has no agent and no offer" : "";
    case ConversationState::kOffered:
      return !offer || c.offer_is_transfer || !c.agent.empty()
                 ? "an offered conversation has an offer (not a transfer) and no agent"
                 : "";
    case ConversationState::kAssigned:
      return c.agent.empty() || (offer && !c.offer_is_transfer)
                 ? "an assigned conversation has an agent and at most a transfer offer"
                 : "";
    case ConversationState::kWrapUp:
      return c.agent.empty() || offer ? "a conversation in wrap-up has an agent and no offer" : "";
    case ConversationState::kExternal:
      return !c.agent.empty() || offer
                 ? "an externally owned conversation has no agent and no offer"
                 : "";
  }
  return "";
}

}  // namespace

Status HubState::restore(const bj::object& snapshot) {
  std::string error;
  Fields root(snapshot, "", error);
  const std::int64_t version = root.integer("version", 0, INT64_MAX);
  if (root.failed()) {
    return corrupt(error);
  }
  if (version != kSnapshotVersion && version != kFirstVersion) {
    return corrupt(fmt::format("version {} is not a supported one ({} or {})", version,
                               kFirstVersion, kSnapshotVersion));
  }
  const bool measured = version >= 2;  // the fields of measurements are there
  now_ = root.time("now");
  next_seq_ = root.counter("next_seq", 1);
  next_offer_id_ = root.counter("next_offer_id", 1);
  auto queues = root.objects("queues");
  auto agents = root.objects("agents");
  auto convs = root.objects("conversations");
  if (root.failed()) {
    return corrupt(error);
  }
  const TimePoint hour = std::chrono::floor<std::chrono::hours>(now_);

  // Queues by name; a queue the config no longer has is dropped, a new one keeps its defaults.
  std::set<std::string, std::less<>> queue_names;
  for (Fields& q : *queues) {
    std::string name = q.id("name");
    Millis aht = q.duration("average_handle_time", 0);
    std::string last = q.str("round_robin_last");
    if (q.failed()) {
      return corrupt(error);
    }
    if (!queue_names.insert(name).second) {
      q.fail("name", "'" + name + "' appears twice");
      return corrupt(error);
    }
    if (auto index = config_->find_queue(name)) {
      queues_[*index].average_handle_time = aht;
      queues_[*index].round_robin_last = std::move(last);
    }
  }

  // Agents: the snapshot's facts win over the config's (they are the last registered); config
  // agents the snapshot lacks stay as the constructor registered them.
  std::map<std::string, int, std::less<>> loads;  // the snapshot's agents and their loads
  for (Fields& a : *agents) {
    Agent facts;
    facts.id = a.id("id");
    facts.display_name = a.str("name");
    auto role = parse_role(a.str("role"));
    facts.skills = a.strings("skills");
    facts.capacity = a.small("capacity", 1);
    auto chosen = parse_presence(a.str("chosen"));
    const int load = a.small("load", 0);
    const int missed = a.small("missed", 0);
    const TimePoint idle_since = a.time("idle_since");
    Spans spans;
    if (measured) {
      if (auto open = a.nullable_object("spans")) {
        spans.open = true;
        spans.presence_since = open->time_within("presence", hour, now_);
        spans.load_since = open->time_within("load", hour, now_);
        spans.capacity_since = open->time_within("capacity", hour, now_);
      }
    } else if (chosen && *chosen != Presence::kOffline) {
      spans = Spans{true, Presence::kOffline, now_, 0, now_, 0, now_};
    }
    if (!a.failed() && !role) {
      a.fail("role", "unknown role");
    }
    if (!a.failed() && !chosen) {
      a.fail("chosen", "unknown presence");
    }
    if (!a.failed() && !loads.emplace(facts.id, load).second) {
      a.fail("id", "'" + facts.id + "' appears twice");
    }
    if (a.failed()) {
      return corrupt(error);
    }
    facts.role = *role;
    facts.skills = normalize_skills(std::move(facts.skills));
    auto [it, inserted] = agents_.try_emplace(facts.id);
    AgentState& agent = it->second;
    if (!inserted) {
      unlink_agent(agent);
    }
    agent.agent = std::move(facts);
    agent.chosen = *chosen;
    agent.missed = missed;
    agent.idle_since = idle_since;
    agent.spans = spans;
    link_agent(agent);
  }

  for (Fields& f : *convs) {
    Conv c;
    c.seq = f.counter("seq", 1);
    c.id = f.id("id");
    auto state = parse_state(f.str("state"));
    std::string queue = f.id("queue");
    c.priority = f.small("priority", INT_MIN + 1);
    c.priority_hint = f.optional_small("priority_hint", INT_MIN + 1);
    c.reason = f.str("reason");
    c.language = f.str("language");
    c.user = f.optional_str("user");
    c.skills = f.strings("skills");
    c.submitted_at = f.time("submitted_at");
    c.queued_at = f.time("queued_at");
    c.last_activity = f.time("last_activity");
    c.assigned_at = f.time("assigned_at");
    c.ended_at = f.time("ended_at");
    c.agent = f.str("agent");
    c.offer_agent = f.str("offer_agent");
    c.offer_id = static_cast<std::uint64_t>(f.integer("offer_id", 0, INT64_MAX));
    c.offer_expires = f.time("offer_expires");
    c.offer_is_transfer = f.boolean("offer_transfer");
    if (measured) {
      c.waiting_since = f.time_within("waiting_since", TimePoint{}, now_);
      c.assigned_once = f.boolean("assigned_once");
      c.offer_at = f.time_within("offer_at", TimePoint{}, now_);
    }
    c.transfer_note = f.str("transfer_note");
    std::vector<std::string> declined = f.strings("declined");
    c.sent_position = f.small("sent_position", 0);
    c.sent_wait = f.duration("sent_wait", -1);
    c.sent_at = f.time("sent_at");
    const bj::object* context = f.object("context");
    if (f.failed()) {
      return corrupt(error);
    }
    c.context = *context;
    c.declined.insert(declined.begin(), declined.end());
    c.skills = normalize_skills(std::move(c.skills));
    if (!state) {
      f.fail("state", "unknown state");
    } else {
      c.state = *state;
      if (std::string problem = state_problem(c); !problem.empty()) {
        f.fail("state", problem);
      }
    }
    if (c.seq >= next_seq_ || convs_.contains(c.seq)) {
      f.fail("seq", fmt::format("{} is not below next_seq or appears twice", c.seq));
    }
    if (ids_.contains(c.id)) {
      f.fail("id", "'" + c.id + "' appears twice");
    }
    if (!c.agent.empty() && !loads.contains(c.agent)) {
      f.fail("agent", "'" + c.agent + "' is not among the snapshot's agents");
    }
    if (!c.offer_agent.empty() && !loads.contains(c.offer_agent)) {
      f.fail("offer_agent", "'" + c.offer_agent + "' is not among the snapshot's agents");
    }
    if (c.offer_agent.empty() ? c.offer_id != 0 || c.offer_is_transfer
                              : c.offer_id == 0 || c.offer_id >= next_offer_id_) {
      f.fail("offer_id", "does not match the offer");
    }
    if (f.failed()) {
      return corrupt(error);
    }
    // A queue the config no longer has: the conversation is routed again by today's rules, and
    // takes that queue's priority unless its own hint set one.
    if (auto index = config_->find_queue(queue)) {
      c.queue = *index;
    } else {
      c.queue = route(c);
      c.priority = c.priority_hint.value_or(qconf(c.queue).priority);
    }
    if (!measured) {
      c.waiting_since = c.submitted_at;
      c.assigned_once = c.state == ConversationState::kAssigned ||
                        c.state == ConversationState::kWrapUp || c.assigned_at != TimePoint{};
      c.offer_at = std::clamp(c.offer_expires - qconf(c.queue).offer_timeout, TimePoint{}, now_);
    }
    const std::uint64_t seq = c.seq;
    ids_.emplace(c.id, seq);
    Conv& conv = convs_.emplace(seq, std::move(c)).first->second;
    QueueState& q = queues_[conv.queue];
    if (conv.state == ConversationState::kWaiting || conv.state == ConversationState::kOffered) {
      q.unassigned.insert({conv.key(), &conv});
    }
    if (conv.state == ConversationState::kWaiting) {
      q.waiting.insert({conv.key(), &conv});
    }
    if (!conv.offer_agent.empty()) {
      offer_deadlines_.insert({conv.offer_expires, seq});
      agents_.at(conv.offer_agent).offers.insert(seq);
    }
    if (conv.state == ConversationState::kAssigned || conv.state == ConversationState::kWrapUp) {
      agents_.at(conv.agent).owned.insert(seq);
    }
  }

  if (snapshot.contains("affinity")) {
    auto affinity = root.objects("affinity");
    if (root.failed()) {
      return corrupt(error);
    }
    for (Fields& f : *affinity) {
      std::string user = f.id("user");
      Affinity a{f.id("agent"), f.time("at")};
      if (f.failed()) {
        return corrupt(error);
      }
      affinity_[user] = std::move(a);
    }
  }

  // The loads the snapshot states must be what its conversations make them.
  for (const auto& [id, load] : loads) {
    AgentState& agent = agents_.at(id);
    agent.load = static_cast<int>(agent.offers.size() + agent.owned.size());
    if (agent.load != load) {
      return corrupt(fmt::format("agent '{}' has load {} but {} offers and conversations", id, load,
                                 agent.load));
    }
    // Open spans measure what the agent is now (see the header comment).
    agent.spans.presence = agent.effective();
    agent.spans.load = agent.load;
    agent.spans.capacity = agent.online_capacity();
  }
  return {};
}

}  // namespace detail

boost::json::object Hub::snapshot() const { return state_->snapshot(); }

Result<std::unique_ptr<Hub>> Hub::restore(std::shared_ptr<const HubConfig> config,
                                          const Clock& clock, const boost::json::object& snapshot) {
  auto state = std::make_unique<detail::HubState>(std::move(config));
  if (Status restored = state->restore(snapshot); !restored.ok()) {
    return restored.error();
  }
  return std::make_unique<Hub>(RestoreKey{}, clock, std::move(state));
}

}  // namespace baton::hub
