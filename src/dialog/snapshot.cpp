// Runtime snapshot/restore. Format (version 1):
//   {"version": 1, "flow": "active|handoff_pending|with_agent|ended", "greeted": bool,
//    "stack": [{"topic": name, "pc": [index path], "reason": null|wire name, "survey_done": bool}],
//    "waiting": bool, "retries": n, "no_matches": n, "agents_online": bool,
//    "live_chat_supported": bool, "pending": null|{"cancel_quick_reply", "cancel_topic"},
//    "variables": VariableStore::to_json, "system": {"HandoffOutcome", "HandoffUnavailableReason"
//    (absent before it existed: null), "HandoffMessage" (likewise), "EscalationReason",
//    "LastMessage"}, "topics": [..], "phrases": [..], "last_topic", "last_phrase"}
// Topics are named (not indexed) so a bot edit that reorders topics keeps conversations; a node
// address that no longer fits the bot is an error rather than a guess.
#include <array>

#include "dialog/runtime_state.hpp"

namespace baton::dialog {
namespace {

constexpr std::int64_t kVersion = 1;

constexpr std::array<std::pair<FlowState, const char*>, 4> kFlows{{
    {FlowState::kActive, "active"},
    {FlowState::kHandoffPending, "handoff_pending"},
    {FlowState::kWithAgent, "with_agent"},
    {FlowState::kEnded, "ended"},
}};

Error bad(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "snapshot: " + what);
}

bj::array string_array(const std::vector<std::string>& items) {
  bj::array out;
  for (const auto& item : items) {
    out.push_back(bj::string(item));
  }
  return out;
}

// Reads the fields of a snapshot object with one error path.
class Reader {
 public:
  explicit Reader(const bj::object& object) : object_(object) {}

  const bj::value* field(std::string_view key) const { return object_.if_contains(key); }

  bool boolean(std::string_view key, bool& out) const {
    const auto* v = field(key);
    if (v == nullptr || !v->is_bool()) {
      return false;
    }
    out = v->get_bool();
    return true;
  }

  bool count(std::string_view key, int& out) const {
    const auto n = read_count(field(key));
    if (!n || *n > 1'000'000) {
      return false;
    }
    out = static_cast<int>(*n);
    return true;
  }

  bool string(std::string_view key, std::string& out) const {
    const auto* v = field(key);
    if (v == nullptr || !v->is_string()) {
      return false;
    }
    out = std::string(v->get_string());
    return true;
  }

  bool strings(std::string_view key, std::vector<std::string>& out) const {
    const auto* v = field(key);
    if (v == nullptr || !v->is_array()) {
      return false;
    }
    out.clear();
    for (const auto& item : v->get_array()) {
      if (!item.is_string()) {
        return false;
      }
      out.emplace_back(item.get_string());
    }
    return true;
  }

 private:
  const bj::object& object_;
};

// Whether `pc` addresses a node (or the end of a list) inside `nodes`.
bool valid_address(const bot::NodeList& nodes, const std::vector<std::uint32_t>& pc) {
  if (pc.empty() || pc.size() % 2 == 0) {
    return false;
  }
  const bot::NodeList* list = &nodes;
  for (std::size_t i = 0; i + 1 < pc.size(); i += 2) {
    if (pc[i] >= list->size()) {
      return false;
    }
    const auto* condition = std::get_if<bot::ConditionNode>(&(*list)[pc[i]].kind);
    if (condition == nullptr || pc[i + 1] >= condition->branches.size()) {
      return false;
    }
    list = &condition->branches[pc[i + 1]].body;
  }
  return pc.back() <= list->size();
}

Result<Frame> read_frame(const CompiledBot& compiled, const bj::value& json) {
  const auto* object = json.if_object();
  if (object == nullptr) {
    return bad("stack: expected objects");
  }
  const Reader reader(*object);
  std::string name;
  Frame frame;
  const auto* pc = reader.field("pc");
  const auto* reason = reader.field("reason");
  if (!reader.string("topic", name) || pc == nullptr || !pc->is_array() || reason == nullptr ||
      !reader.boolean("survey_done", frame.survey_done)) {
    return bad("stack: malformed frame");
  }
  const auto topic = compiled.topic_index(name);
  if (!topic) {
    return bad("stack: unknown topic '" + name + "'");
  }
  frame.topic = *topic;
  frame.pc.clear();
  for (const auto& index : pc->get_array()) {
    const auto n = read_count(&index);
    if (!n || *n > 0xFFFFFFFFu) {
      return bad("stack: malformed pc");
    }
    frame.pc.push_back(static_cast<std::uint32_t>(*n));
  }
  if (!valid_address(compiled.bot().topics[frame.topic].nodes, frame.pc)) {
    return bad("stack: node address no longer exists in topic '" + name + "'");
  }
  if (reason->is_string()) {
    frame.reason = parse_handoff_reason(reason->get_string());
    if (!frame.reason) {
      return bad("stack: unknown reason");
    }
  } else if (!reason->is_null()) {
    return bad("stack: malformed reason");
  }
  return frame;
}

Result<std::optional<PendingHandoff>> read_pending(const CompiledBot& compiled,
                                                   const bj::value* json) {
  if (json == nullptr) {
    return bad("missing pending");
  }
  if (json->is_null()) {
    return std::optional<PendingHandoff>();
  }
  const auto* object = json->if_object();
  if (object == nullptr) {
    return bad("malformed pending");
  }
  const Reader reader(*object);
  PendingHandoff pending;
  const auto* topic = reader.field("cancel_topic");
  if (!reader.string("cancel_quick_reply", pending.cancel_quick_reply) || topic == nullptr ||
      !(topic->is_null() || topic->is_string())) {
    return bad("malformed pending");
  }
  if (topic->is_string()) {
    pending.cancel_topic = compiled.topic_index(topic->get_string());
    if (!pending.cancel_topic) {
      return bad("pending: unknown topic '" + std::string(topic->get_string()) + "'");
    }
  }
  return std::optional<PendingHandoff>(std::move(pending));
}

}  // namespace

bj::value Runtime::State::to_json() const {
  bj::object out;
  out["version"] = kVersion;
  for (const auto& [value, name] : kFlows) {
    if (value == flow) {
      out["flow"] = name;
    }
  }
  out["greeted"] = greeted;
  bj::array frames;
  for (const auto& frame : stack) {
    bj::array pc;
    for (const auto index : frame.pc) {
      pc.push_back(index);
    }
    frames.push_back(bj::object{
        {"topic", bot.topics[frame.topic].name},
        {"pc", std::move(pc)},
        {"reason", frame.reason ? bj::value(to_string(*frame.reason)) : bj::value(nullptr)},
        {"survey_done", frame.survey_done}});
  }
  out["stack"] = std::move(frames);
  out["waiting"] = waiting;
  out["retries"] = retries;
  out["no_matches"] = no_matches;
  out["agents_online"] = agents_online;
  out["live_chat_supported"] = info.live_chat_supported;
  if (pending) {
    out["pending"] = bj::object{
        {"cancel_quick_reply", pending->cancel_quick_reply},
        {"cancel_topic", pending->cancel_topic ? bj::value(bot.topics[*pending->cancel_topic].name)
                                               : bj::value(nullptr)}};
  } else {
    out["pending"] = nullptr;
  }
  out["variables"] = variables.to_json(bot);
  out["system"] = bj::object{{"HandoffOutcome", outcome},
                             {"HandoffUnavailableReason", unavailable_reason},
                             {"HandoffMessage", handoff_message},
                             {"EscalationReason", escalation_reason},
                             {"LastMessage", last_message}};
  out["topics"] = string_array(topics);
  out["phrases"] = string_array(phrases);
  out["last_topic"] = last_topic;
  out["last_phrase"] = last_phrase;
  return out;
}

Status Runtime::State::from_json(const bj::value& json) {
  const auto* object = json.if_object();
  if (object == nullptr) {
    return bad("expected an object");
  }
  const Reader reader(*object);
  const auto* version = reader.field("version");
  if (version == nullptr || !version->is_int64() || version->get_int64() != kVersion) {
    return bad("unsupported version (expected 1)");
  }
  std::string flow_name;
  if (!reader.string("flow", flow_name)) {
    return bad("missing flow");
  }
  bool known_flow = false;
  for (const auto& [value, name] : kFlows) {
    if (flow_name == name) {
      flow = value;
      known_flow = true;
    }
  }
  if (!known_flow) {
    return bad("unknown flow '" + flow_name + "'");
  }
  if (!reader.boolean("greeted", greeted) || !reader.boolean("waiting", waiting) ||
      !reader.count("retries", retries) || !reader.count("no_matches", no_matches) ||
      !reader.boolean("agents_online", agents_online) ||
      !reader.boolean("live_chat_supported", info.live_chat_supported) ||
      !reader.strings("topics", topics) || !reader.strings("phrases", phrases) ||
      topics.size() != phrases.size() || !reader.string("last_topic", last_topic) ||
      !reader.string("last_phrase", last_phrase)) {
    return bad("missing or malformed field");
  }
  const auto* frames = reader.field("stack");
  if (frames == nullptr || !frames->is_array() || frames->get_array().size() > kMaxDepth) {
    return bad("malformed stack");
  }
  stack.clear();
  for (const auto& item : frames->get_array()) {
    auto frame = read_frame(*compiled, item);
    if (!frame.ok()) {
      return frame.error();
    }
    stack.push_back(std::move(frame).value());
  }
  auto vars = VariableStore::from_json(*compiled, reader.field("variables") != nullptr
                                                      ? *reader.field("variables")
                                                      : bj::value(nullptr));
  if (!vars.ok()) {
    return vars.error();
  }
  variables = std::move(vars).value();
  const auto* system = reader.field("system");
  if (system == nullptr || !system->is_object()) {
    return bad("missing system");
  }
  const auto& sys = system->get_object();
  for (auto [key, target] : {std::pair{"HandoffOutcome", &outcome},
                             std::pair{"HandoffUnavailableReason", &unavailable_reason},
                             std::pair{"HandoffMessage", &handoff_message},
                             std::pair{"EscalationReason", &escalation_reason},
                             std::pair{"LastMessage", &last_message}}) {
    const auto* v = sys.if_contains(key);
    *target = (v != nullptr && (v->is_string() || v->is_null())) ? *v : bj::value(nullptr);
  }
  auto waiting_handoff = read_pending(*compiled, reader.field("pending"));
  if (!waiting_handoff.ok()) {
    return waiting_handoff.error();
  }
  pending = std::move(waiting_handoff).value();
  return check_consistency();
}

Status Runtime::State::check_consistency() const {
  const bool paused = flow == FlowState::kHandoffPending || flow == FlowState::kWithAgent;
  const bot::Node* top = stack.empty() ? nullptr : node_at(stack.back());
  if (waiting && (top == nullptr || !std::holds_alternative<bot::QuestionNode>(top->kind))) {
    return bad("a question waits but the node is not a question");
  }
  if (paused && (top == nullptr || !std::holds_alternative<bot::HandoffNode>(top->kind))) {
    return bad("the flow is paused but the node is not a handoff");
  }
  if (paused != pending.has_value() || (paused && waiting)) {
    return bad("inconsistent pause state");
  }
  return {};
}

}  // namespace baton::dialog

namespace baton::dialog {

bj::value Runtime::snapshot() const { return state_->to_json(); }

Result<std::unique_ptr<Runtime>> Runtime::restore(std::shared_ptr<const CompiledBot> bot,
                                                  const Clock& clock, IdSource ids,
                                                  ConversationInfo info, const bj::value& snapshot,
                                                  std::vector<activity::Activity> transcript) {
  auto runtime = std::make_unique<Runtime>(std::move(bot), clock, std::move(ids), std::move(info));
  if (auto status = runtime->state_->from_json(snapshot); !status.ok()) {
    return status.error();
  }
  if (transcript.size() > kMaxTranscript) {
    transcript.erase(transcript.begin(),
                     transcript.end() - static_cast<std::ptrdiff_t>(kMaxTranscript));
  }
  runtime->state_->transcript = std::move(transcript);
  return runtime;
}

}  // namespace baton::dialog
