#include "store/store.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <future>
#include <string_view>

namespace baton::store {

WriteBatch& WriteBatch::insert_conversation(Conversation row) {
  ops_.emplace_back(op::InsertConversation{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::update_conversation(Conversation row,
                                            std::optional<std::uint64_t> if_epoch) {
  ops_.emplace_back(op::UpdateConversation{std::move(row), if_epoch});
  return *this;
}

WriteBatch& WriteBatch::append_activity(ActivityRecord row) {
  ops_.emplace_back(op::AppendActivity{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::put_snapshot(DialogSnapshot row) {
  ops_.emplace_back(op::PutSnapshot{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::insert_handoff(HandoffRecord row) {
  ops_.emplace_back(op::InsertHandoff{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::update_handoff(HandoffRecord row) {
  ops_.emplace_back(op::UpdateHandoff{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::append_event(ConversationEvent row) {
  ops_.emplace_back(op::AppendEvent{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::put_agent(AgentRecord row) {
  ops_.emplace_back(op::PutAgent{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::delete_agent(std::string id) {
  ops_.emplace_back(op::DeleteAgent{std::move(id)});
  return *this;
}

WriteBatch& WriteBatch::append_hub_log(HubLogRecord row) {
  ops_.emplace_back(op::AppendHubLog{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::clear_hub_log() {
  ops_.emplace_back(op::ClearHubLog{});
  return *this;
}

WriteBatch& WriteBatch::append_audit(AuditRecord row) {
  ops_.emplace_back(op::AppendAudit{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::put_meta(std::string key, std::string value) {
  ops_.emplace_back(op::PutMeta{std::move(key), std::move(value)});
  return *this;
}

WriteBatch& WriteBatch::delete_audit_before(TimePoint before, std::size_t limit) {
  ops_.emplace_back(op::DeleteAuditBefore{before, limit});
  return *this;
}

std::string ended_handoff_statuses_sql() {
  std::string list = "(";
  for (std::string_view status : kEndedHandoffStatuses) {
    list += fmt::format("{}'{}'", list.size() > 1 ? ", " : "", status);
  }
  return list + ")";
}

WriteBatch& WriteBatch::delete_ended_handoffs(std::string conversation_id, TimePoint before) {
  ops_.emplace_back(op::DeleteEndedHandoffs{std::move(conversation_id), before});
  return *this;
}

WriteBatch& WriteBatch::delete_conversation(std::string id) {
  ops_.emplace_back(op::DeleteConversation{std::move(id)});
  return *this;
}

WriteBatch& WriteBatch::delete_meta(std::string key) {
  ops_.emplace_back(op::DeleteMeta{std::move(key)});
  return *this;
}

WriteBatch& WriteBatch::add_analytics(std::vector<AnalyticsCell> cells) {
  ops_.emplace_back(op::AddAnalytics{std::move(cells)});
  return *this;
}

WriteBatch& WriteBatch::put_analytics_session(AnalyticsSession row) {
  ops_.emplace_back(op::PutAnalyticsSession{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::put_open_session(OpenSession row) {
  ops_.emplace_back(op::PutOpenSession{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::delete_open_session(std::string conversation_id) {
  ops_.emplace_back(op::DeleteOpenSession{std::move(conversation_id)});
  return *this;
}

WriteBatch& WriteBatch::put_canned(CannedResponse row) {
  ops_.emplace_back(op::PutCanned{std::move(row)});
  return *this;
}

WriteBatch& WriteBatch::delete_canned(std::string id) {
  ops_.emplace_back(op::DeleteCanned{std::move(id)});
  return *this;
}

namespace {

constexpr std::size_t kMaxAgentIdLength = 64;
constexpr std::array<std::string_view, 3> kAgentRoles = {"agent", "supervisor", "admin"};
constexpr std::array<std::string_view, 4> kSessionOutcomes = {"unengaged", "resolved", "escalated",
                                                              "abandoned"};

bool agent_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '-';
}

// Collects the first problem found in one operation.
class OpChecker {
 public:
  explicit OpChecker(std::size_t index) : index_(index) {}

  void require(std::string_view field, const std::string& value) {
    if (error_.empty() && value.empty()) {
      error_ = fmt::format("operation {}: {} must not be empty", index_, field);
    }
  }
  void seq(std::string_view field, std::uint64_t value, std::uint64_t min) {
    if (error_.empty() && (value < min || value > kMaxSeq)) {
      error_ =
          fmt::format("operation {}: {} {} is outside {}..{}", index_, field, value, min, kMaxSeq);
    }
  }
  void fail_if(bool failed, std::string_view message) {
    if (error_.empty() && failed) {
      error_ = fmt::format("operation {}: {}", index_, message);
    }
  }
  // Agent ids are login names and appear in URLs and logs: keep them to a safe alphabet.
  void agent_id(const std::string& id) {
    require("agent id", id);
    fail_if(id.size() > kMaxAgentIdLength,
            fmt::format("agent id is longer than {} characters", kMaxAgentIdLength));
    bool safe = true;
    for (char c : id) {
      safe = safe && agent_id_char(c);
    }
    fail_if(!safe, "agent id may contain only letters, digits and . _ @ -");
  }
  void conversation(const Conversation& c) {
    require("conversation id", c.id);
    require("ownership", c.ownership);
    seq("epoch", c.epoch, 0);
    seq("next_seq", c.next_seq, 1);
  }
  void at_most(std::string_view field, const std::string& value, std::size_t max) {
    fail_if(value.size() > max,
            fmt::format("{} is {} bytes, more than {}", field, value.size(), max));
  }
  void cell(std::size_t i, const AnalyticsCell& c) {
    const std::string at = fmt::format("cell {} ", i);
    require(at + "metric", c.metric);
    at_most(at + "metric", c.metric, kMaxAnalyticsMetricLength);
    at_most(at + "topic", c.topic, kMaxAnalyticsDimensionLength);
    at_most(at + "queue", c.queue, kMaxAnalyticsDimensionLength);
    at_most(at + "agent", c.agent, kMaxAnalyticsDimensionLength);
    fail_if(c.count < 0, fmt::format("{}count {} is negative", at, c.count));
    fail_if(!std::isfinite(c.sum), fmt::format("{}sum is not a finite number", at));
  }
  void handoff(const HandoffRecord& h) {
    require("handoff id", h.id);
    require("conversation id", h.conversation_id);
    require("status", h.status);
  }

  void operator()(const op::InsertConversation& o) { conversation(o.row); }
  void operator()(const op::UpdateConversation& o) { conversation(o.row); }
  void operator()(const op::AppendActivity& o) {
    require("conversation id", o.row.conversation_id);
    require("activity id", o.row.activity_id);
    seq("seq", o.row.seq, 1);
  }
  void operator()(const op::PutSnapshot& o) {
    require("conversation id", o.row.conversation_id);
    seq("seq", o.row.seq, 0);
  }
  void operator()(const op::InsertHandoff& o) { handoff(o.row); }
  void operator()(const op::UpdateHandoff& o) { handoff(o.row); }
  void operator()(const op::AppendEvent& o) {
    require("conversation id", o.row.conversation_id);
    require("kind", o.row.kind);
    seq("seq", o.row.seq, 1);
    seq("epoch", o.row.epoch, 0);
  }
  void operator()(const op::PutAgent& o) {
    const AgentRecord& a = o.row;
    agent_id(a.id);
    bool known_role = false;
    for (std::string_view role : kAgentRoles) {
      known_role = known_role || a.role == role;
    }
    fail_if(!known_role, fmt::format("role \"{}\" is not agent, supervisor or admin", a.role));
    fail_if(a.capacity < 1, fmt::format("capacity {} is below 1", a.capacity));
    require("password_hash", a.password_hash);
  }
  void operator()(const op::DeleteAgent& o) { require("agent id", o.id); }
  void operator()(const op::DeleteConversation& o) { require("conversation id", o.id); }
  void operator()(const op::AppendHubLog& o) { require("hub log json", o.row.json); }
  void operator()(const op::ClearHubLog& /*o*/) {}
  void operator()(const op::AppendAudit& o) {
    require("actor", o.row.actor);
    require("action", o.row.action);
  }
  void operator()(const op::DeleteAuditBefore& o) {
    fail_if(o.limit < 1 || o.limit > kMaxPageSize,
            fmt::format("limit {} is outside 1..{}", o.limit, kMaxPageSize));
  }
  void operator()(const op::DeleteEndedHandoffs& o) {
    require("conversation id", o.conversation_id);
  }
  void operator()(const op::PutMeta& o) { require("key", o.key); }
  void operator()(const op::DeleteMeta& o) { require("key", o.key); }
  void operator()(const op::AddAnalytics& o) {
    for (std::size_t i = 0; i < o.cells.size() && error_.empty(); ++i) {
      cell(i, o.cells[i]);
    }
  }
  void operator()(const op::PutAnalyticsSession& o) {
    const AnalyticsSession& s = o.row;
    require("conversation id", s.conversation_id);
    fail_if(s.number < 1, "session number must be at least 1");
    bool known_outcome = false;
    for (std::string_view outcome : kSessionOutcomes) {
      known_outcome = known_outcome || s.outcome == outcome;
    }
    fail_if(!known_outcome,
            fmt::format("outcome \"{}\" is not unengaged, resolved, escalated or abandoned",
                        s.outcome));
    fail_if(s.rating && (*s.rating < 1 || *s.rating > 5),
            fmt::format("rating {} is outside 1..5", s.rating.value_or(0)));
    fail_if(s.wait_ms && *s.wait_ms < 0, "wait_ms is negative");
    fail_if(s.ended < s.started, "session ended before it started");
    at_most("topic", s.topic, kMaxAnalyticsDimensionLength);
    at_most("reason", s.reason, kMaxAnalyticsDimensionLength);
    at_most("queue", s.queue, kMaxAnalyticsDimensionLength);
    at_most("agent", s.agent, kMaxAnalyticsDimensionLength);
  }
  void operator()(const op::PutOpenSession& o) {
    require("conversation id", o.row.conversation_id);
    at_most("state_json", o.row.state_json, kMaxOpenSessionStateLength);
  }
  void operator()(const op::DeleteOpenSession& o) { require("conversation id", o.conversation_id); }
  void operator()(const op::PutCanned& o) {
    const CannedResponse& c = o.row;
    agent_id(c.id);
    require("code", c.code);
    require("title", c.title);
    require("text", c.text);
    at_most("code", c.code, kMaxCannedCodeLength);
    at_most("title", c.title, kMaxCannedTitleLength);
    at_most("text", c.text, kMaxCannedTextLength);
    at_most("queue", c.queue, kMaxAnalyticsDimensionLength);
    bool safe = true;
    for (char ch : c.code) {
      safe = safe && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                      ch == '_' || ch == '-');
    }
    fail_if(!safe, "code may contain only lower-case letters, digits and . _ -");
  }
  void operator()(const op::DeleteCanned& o) { require("canned response id", o.id); }

  const std::string& error() const { return error_; }

 private:
  std::size_t index_;
  std::string error_;
};

}  // namespace

Status WriteBatch::validate() const {
  if (ops_.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "write batch is empty");
  }
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    OpChecker checker(i);
    std::visit(checker, ops_[i]);
    if (!checker.error().empty()) {
      return make_error(ErrorCode::kInvalidArgument, checker.error());
    }
  }
  return {};
}

Status Store::write(WriteBatch&& batch) {
  if (on_callback_thread()) {
    return make_error(ErrorCode::kInternal,
                      "Store::write called from a write callback would deadlock; use submit()");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> outcome = promise->get_future();
  Status queued =
      submit(std::move(batch), [promise](Status s) { promise->set_value(std::move(s)); });
  if (!queued.ok()) {
    return queued;
  }
  return outcome.get();
}

Conversation erased_conversation(const Conversation& row, TimePoint now) {
  Conversation tombstone;
  tombstone.id = row.id;
  tombstone.channel_id = row.channel_id;
  tombstone.created = row.created;
  tombstone.updated = now;
  tombstone.ownership = "closed";
  tombstone.epoch = row.epoch + 1;
  tombstone.next_seq = 1;
  tombstone.metadata_json = std::string(kErasedMetadata);
  tombstone.closed = true;
  return tombstone;
}

bool is_erased(const Conversation& row) {
  return row.closed && row.user_id.empty() && row.metadata_json == kErasedMetadata;
}

Error erased_error(std::string_view conversation_id) {
  return make_error(
      ErrorCode::kForbidden, "ConversationErased",
      fmt::format("conversation '{}' was erased; start a new conversation", conversation_id));
}

Result<Conversation> unless_erased(Result<Conversation> row) {
  if (row.ok() && is_erased(*row)) {
    return erased_error(row->id);
  }
  return row;
}

}  // namespace baton::store
