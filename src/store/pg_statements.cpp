#include "store/pg_statements.hpp"

#include <fmt/format.h>

#include "store/encoding.hpp"

namespace baton::store::pg {
namespace {

constexpr Oid T = kTextOid;
constexpr Oid I = kInt8Oid;
constexpr Oid B = kBoolOid;

constexpr std::string_view kConversationColumns =
    "id, bot_id, user_id, channel_id, created_ms, updated_ms, ownership, epoch, next_seq, "
    "closed, metadata";
constexpr std::string_view kActivityColumns =
    "conversation_id, seq, activity_id, type, name, timestamp_ms, body";
constexpr std::string_view kHandoffColumns =
    "id, conversation_id, reason, status, queue, created_ms, updated_ms, request, outcome";
constexpr std::string_view kEventColumns =
    "conversation_id, seq, kind, epoch, time_ms, payload, position";
constexpr std::string_view kAgentColumns =
    "id, display_name, role, skills, capacity, password_hash, created_ms, updated_ms";
constexpr std::string_view kAuditColumns =
    "position, time_ms, actor, action, conversation_id, detail";

// Each op's statement name.
constexpr const char* kInsertConversation = "w_insert_conversation";
constexpr const char* kUpdateConversation = "w_update_conversation";
constexpr const char* kAppendActivity = "w_append_activity";
constexpr const char* kPutSnapshot = "w_put_snapshot";
constexpr const char* kInsertHandoff = "w_insert_handoff";
constexpr const char* kUpdateHandoff = "w_update_handoff";
constexpr const char* kAppendEvent = "w_append_event";
constexpr const char* kPutAgent = "w_put_agent";
constexpr const char* kDeleteAgent = "w_delete_agent";
constexpr const char* kDeleteConversation = "w_delete_conversation";
constexpr const char* kAppendHubLog = "w_append_hub_log";
constexpr const char* kClearHubLog = "w_clear_hub_log";
constexpr const char* kAppendAudit = "w_append_audit";
constexpr const char* kDeleteAuditBefore = "w_delete_audit_before";
constexpr const char* kPutMeta = "w_put_meta";
constexpr const char* kDeleteMeta = "w_delete_meta";

void conversation_params(Params& p, const Conversation& c) {
  p.text(c.id).text(c.bot_id).text(c.user_id).text(c.channel_id);
  p.i64(to_millis(c.created)).i64(to_millis(c.updated)).text(c.ownership);
  p.u64(c.epoch).u64(c.next_seq).boolean(c.closed).text(c.metadata_json);
}

// Builds the OpCall of each op kind (a std::visit visitor).
struct Encoder {
  OpCall operator()(const op::InsertConversation& o) const {
    OpCall call{kInsertConversation, {}};
    conversation_params(call.params, o.row);
    return call;
  }
  OpCall operator()(const op::UpdateConversation& o) const {
    OpCall call{kUpdateConversation, {}};
    conversation_params(call.params, o.row);
    if (o.if_epoch) {
      call.params.u64(*o.if_epoch);
    } else {
      call.params.null();
    }
    return call;
  }
  OpCall operator()(const op::AppendActivity& o) const {
    const ActivityRecord& a = o.row;
    OpCall call{kAppendActivity, {}};
    call.params.text(a.conversation_id).u64(a.seq).text(a.activity_id).text(a.type).text(a.name);
    call.params.i64(to_millis(a.timestamp)).text(a.json);
    return call;
  }
  OpCall operator()(const op::PutSnapshot& o) const {
    OpCall call{kPutSnapshot, {}};
    call.params.text(o.row.conversation_id).u64(o.row.seq).i64(to_millis(o.row.saved));
    call.params.text(o.row.json);
    return call;
  }
  OpCall operator()(const op::InsertHandoff& o) const {
    const HandoffRecord& h = o.row;
    OpCall call{kInsertHandoff, {}};
    call.params.text(h.id).text(h.conversation_id).text(h.reason).text(h.status).text(h.queue);
    call.params.i64(to_millis(h.created)).i64(to_millis(h.updated)).text(h.request_json);
    call.params.text(h.outcome_json);
    return call;
  }
  OpCall operator()(const op::UpdateHandoff& o) const {
    const HandoffRecord& h = o.row;
    OpCall call{kUpdateHandoff, {}};
    call.params.text(h.id).text(h.conversation_id).text(h.status).text(h.queue);
    call.params.i64(to_millis(h.updated)).text(h.outcome_json);
    return call;
  }
  OpCall operator()(const op::AppendEvent& o) const {
    const ConversationEvent& e = o.row;
    OpCall call{kAppendEvent, {}};
    call.params.text(e.conversation_id).u64(e.seq).text(e.kind).u64(e.epoch);
    call.params.i64(to_millis(e.time)).text(e.payload_json);
    return call;
  }
  OpCall operator()(const op::PutAgent& o) const {
    const AgentRecord& a = o.row;
    OpCall call{kPutAgent, {}};
    call.params.text(a.id).text(a.display_name).text(a.role).owned_text(encode_skills(a.skills));
    call.params.i64(a.capacity).text(a.password_hash).i64(to_millis(a.created));
    call.params.i64(to_millis(a.updated));
    return call;
  }
  OpCall operator()(const op::DeleteConversation& o) const {
    OpCall call{kDeleteConversation, {}};
    call.params.text(o.id);
    return call;
  }
  OpCall operator()(const op::DeleteAgent& o) const {
    OpCall call{kDeleteAgent, {}};
    call.params.text(o.id);
    return call;
  }
  OpCall operator()(const op::AppendHubLog& o) const {
    OpCall call{kAppendHubLog, {}};
    call.params.i64(to_millis(o.row.time)).text(o.row.json);
    return call;
  }
  OpCall operator()(const op::ClearHubLog& /*o*/) const { return OpCall{kClearHubLog, {}}; }
  OpCall operator()(const op::DeleteAuditBefore& o) const {
    OpCall call{kDeleteAuditBefore, {}};
    call.params.i64(to_millis(o.before)).u64(o.limit);
    return call;
  }
  OpCall operator()(const op::AppendAudit& o) const {
    const AuditRecord& a = o.row;
    OpCall call{kAppendAudit, {}};
    call.params.i64(to_millis(a.time)).text(a.actor).text(a.action).text(a.conversation_id);
    call.params.text(a.detail_json);
    return call;
  }
  OpCall operator()(const op::PutMeta& o) const {
    OpCall call{kPutMeta, {}};
    call.params.text(o.key).text(o.value);
    return call;
  }
  OpCall operator()(const op::DeleteMeta& o) const {
    OpCall call{kDeleteMeta, {}};
    call.params.text(o.key);
    return call;
  }
};

// The description of each op kind, as the SQLite store words it.
struct Describer {
  std::string operator()(const op::InsertConversation& o) const {
    return fmt::format("insert conversation '{}'", o.row.id);
  }
  std::string operator()(const op::UpdateConversation& o) const {
    return fmt::format("update conversation '{}'", o.row.id);
  }
  std::string operator()(const op::AppendActivity& o) const {
    return fmt::format("append activity '{}' (conversation '{}', seq {})", o.row.activity_id,
                       o.row.conversation_id, o.row.seq);
  }
  std::string operator()(const op::PutSnapshot& o) const {
    return fmt::format("put snapshot of conversation '{}'", o.row.conversation_id);
  }
  std::string operator()(const op::InsertHandoff& o) const {
    return fmt::format("insert handoff '{}'", o.row.id);
  }
  std::string operator()(const op::UpdateHandoff& o) const {
    return fmt::format("update handoff '{}' of conversation '{}'", o.row.id, o.row.conversation_id);
  }
  std::string operator()(const op::AppendEvent& o) const {
    return fmt::format("append event {} '{}' of conversation '{}'", o.row.seq, o.row.kind,
                       o.row.conversation_id);
  }
  std::string operator()(const op::PutAgent& o) const {
    return fmt::format("put agent '{}'", o.row.id);
  }
  std::string operator()(const op::DeleteConversation& o) const {
    return fmt::format("delete conversation '{}'", o.id);
  }
  std::string operator()(const op::DeleteAgent& o) const {
    return fmt::format("delete agent '{}'", o.id);
  }
  std::string operator()(const op::AppendHubLog& /*o*/) const { return "append hub log"; }
  std::string operator()(const op::ClearHubLog& /*o*/) const { return "clear hub log"; }
  std::string operator()(const op::DeleteAuditBefore& /*o*/) const {
    return "delete old audit records";
  }
  std::string operator()(const op::AppendAudit& o) const {
    return fmt::format("append audit '{}' by '{}'", o.row.action, o.row.actor);
  }
  std::string operator()(const op::PutMeta& o) const { return fmt::format("put meta '{}'", o.key); }
  std::string operator()(const op::DeleteMeta& o) const {
    return fmt::format("delete meta '{}'", o.key);
  }
};

}  // namespace

const std::vector<StatementDef>& write_statements() {
  static const std::vector<StatementDef> defs = {
      {kBegin, "BEGIN", {}},
      {kCommit, "COMMIT", {}},
      {kSavepoint, "SAVEPOINT batch", {}},
      {kRelease, "RELEASE batch", {}},
      {kRollbackTo, "ROLLBACK TO batch", {}},
      {kRollback, "ROLLBACK", {}},
      {kInsertConversation,
       fmt::format(
           "INSERT INTO conversations ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
           "$11)",
           kConversationColumns),
       {T, T, T, T, I, I, T, I, I, B, T}},
      {kUpdateConversation,
       "SELECT baton_update_conversation($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
       {T, T, T, T, I, I, T, I, I, B, T, I}},
      {kAppendActivity,
       fmt::format("INSERT INTO activities ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   kActivityColumns),
       {T, I, T, T, T, I, T}},
      {kPutSnapshot, "SELECT baton_put_snapshot($1, $2, $3, $4)", {T, I, I, T}},
      {kInsertHandoff,
       fmt::format("INSERT INTO handoffs ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   kHandoffColumns),
       {T, T, T, T, T, I, I, T, T}},
      {kUpdateHandoff, "SELECT baton_update_handoff($1, $2, $3, $4, $5, $6)", {T, T, T, T, I, T}},
      {kAppendEvent,
       "INSERT INTO conversation_events (conversation_id, seq, kind, epoch, time_ms, payload) "
       "VALUES ($1, $2, $3, $4, $5, $6)",
       {T, I, T, I, I, T}},
      // Replacing keeps created_ms: an agent's creation time survives passwd and edits.
      {kPutAgent,
       fmt::format("INSERT INTO agents ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                   "ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, "
                   "role = excluded.role, skills = excluded.skills, capacity = excluded.capacity, "
                   "password_hash = excluded.password_hash, updated_ms = excluded.updated_ms",
                   kAgentColumns),
       {T, T, T, T, I, T, I, I}},
      {kDeleteAgent, "SELECT baton_delete_agent($1)", {T}},
      {kDeleteConversation, "SELECT baton_delete_conversation($1)", {T}},
      {kAppendHubLog, "INSERT INTO hub_log (time_ms, input) VALUES ($1, $2)", {I, T}},
      // The identity sequence is not reset, so positions are never reused.
      {kClearHubLog, "DELETE FROM hub_log", {}},
      {kAppendAudit,
       "INSERT INTO audit_log (time_ms, actor, action, conversation_id, detail) "
       "VALUES ($1, $2, $3, $4, $5)",
       {I, T, T, T, T}},
      {kDeleteAuditBefore,
       "DELETE FROM audit_log WHERE position IN "
       "(SELECT position FROM audit_log ORDER BY position LIMIT $2) AND time_ms < $1",
       {I, I}},
      {kPutMeta,
       "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
       "excluded.value",
       {T, T}},
      {kDeleteMeta, "DELETE FROM meta WHERE key = $1", {T}},
  };
  return defs;
}

OpCall encode_op(const WriteOp& op) { return std::visit(Encoder{}, op); }

std::string describe_op(const WriteOp& op) { return std::visit(Describer{}, op); }

const std::vector<StatementDef>& read_statements() {
  using namespace read;  // NOLINT(google-build-using-namespace): the statement names
  static const std::vector<StatementDef> defs = {
      {kGetConversation,
       fmt::format("SELECT {} FROM conversations WHERE id = $1", kConversationColumns),
       {T}},
      {kListConversations,
       fmt::format("SELECT {} FROM conversations WHERE id > $1 ORDER BY id LIMIT $2",
                   kConversationColumns),
       {T, I}},
      {kListOpenConversations,
       fmt::format("SELECT {} FROM conversations WHERE id > $1 AND NOT closed ORDER BY id "
                   "LIMIT $2",
                   kConversationColumns),
       {T, I}},
      {kConversationsOfUser,
       fmt::format("SELECT {} FROM conversations WHERE user_id = $1 AND id > $2 ORDER BY id "
                   "LIMIT $3",
                   kConversationColumns),
       {T, T, I}},
      {kReadActivities,
       fmt::format("SELECT {} FROM activities WHERE conversation_id = $1 AND seq > $2 "
                   "ORDER BY seq LIMIT $3",
                   kActivityColumns),
       {T, I, I}},
      // Filtered on type and name: the bodies left out (TOASTed when large) are never read.
      {kReadHistoryBefore,
       fmt::format("SELECT {} FROM activities WHERE conversation_id = $1 AND seq < $2 AND "
                   "type <> 'typing' AND NOT (type = 'event' AND left(name, 8) = 'handoff.') "
                   "ORDER BY seq DESC LIMIT $3",
                   kActivityColumns),
       {T, I, I}},
      {kFindActivity,
       fmt::format("SELECT {} FROM activities WHERE activity_id = $1", kActivityColumns),
       {T}},
      {kGetSnapshot,
       "SELECT id, snapshot_seq, snapshot_saved_ms, snapshot FROM conversations WHERE id = $1 "
       "AND snapshot IS NOT NULL",
       {T}},
      {kGetHandoff, fmt::format("SELECT {} FROM handoffs WHERE id = $1", kHandoffColumns), {T}},
      {kListHandoffs,
       fmt::format("SELECT {} FROM handoffs WHERE status = $1 ORDER BY created_ms, id LIMIT $2",
                   kHandoffColumns),
       {T, I}},
      {kHandoffsForConversation,
       fmt::format("SELECT {} FROM handoffs WHERE conversation_id = $1 ORDER BY created_ms, id",
                   kHandoffColumns),
       {T}},
      {kReadEvents,
       fmt::format("SELECT {} FROM conversation_events WHERE conversation_id = $1 AND seq > $2 "
                   "ORDER BY seq LIMIT $3",
                   kEventColumns),
       {T, I, I}},
      {kReadAllEvents,
       fmt::format("SELECT {} FROM conversation_events WHERE position > $1 ORDER BY position "
                   "LIMIT $2",
                   kEventColumns),
       {I, I}},
      {kGetMeta, "SELECT value FROM meta WHERE key = $1", {T}},
      {kGetAgent, fmt::format("SELECT {} FROM agents WHERE id = $1", kAgentColumns), {T}},
      {kListAgents, fmt::format("SELECT {} FROM agents ORDER BY id", kAgentColumns), {}},
      {kReadHubLog,
       "SELECT position, time_ms, input FROM hub_log WHERE position > $1 ORDER BY position "
       "LIMIT $2",
       {I, I}},
      {kReadAudit,
       fmt::format("SELECT {} FROM audit_log WHERE position > $1 ORDER BY position LIMIT $2",
                   kAuditColumns),
       {I, I}},
      {kReadAuditOfConversation,
       fmt::format("SELECT {} FROM audit_log WHERE conversation_id = $3 AND position > $1 "
                   "ORDER BY position LIMIT $2",
                   kAuditColumns),
       {I, I, T}},
  };
  return defs;
}

namespace {

TimePoint column_time(const PGresult* r, int row, int column) {
  return from_millis(column_i64(r, row, column));
}

}  // namespace

Conversation decode_conversation(const PGresult* r, int row) {
  Conversation c;
  c.id = column_text(r, row, 0);
  c.bot_id = column_text(r, row, 1);
  c.user_id = column_text(r, row, 2);
  c.channel_id = column_text(r, row, 3);
  c.created = column_time(r, row, 4);
  c.updated = column_time(r, row, 5);
  c.ownership = column_text(r, row, 6);
  c.epoch = column_u64(r, row, 7);
  c.next_seq = column_u64(r, row, 8);
  c.closed = column_bool(r, row, 9);
  c.metadata_json = column_text(r, row, 10);
  return c;
}

ActivityRecord decode_activity(const PGresult* r, int row) {
  return ActivityRecord{column_text(r, row, 0), column_u64(r, row, 1),  column_text(r, row, 2),
                        column_text(r, row, 3), column_text(r, row, 4), column_time(r, row, 5),
                        column_text(r, row, 6)};
}

DialogSnapshot decode_snapshot(const PGresult* r, int row) {
  return DialogSnapshot{column_text(r, row, 0), column_u64(r, row, 1), column_time(r, row, 2),
                        column_text(r, row, 3)};
}

HandoffRecord decode_handoff(const PGresult* r, int row) {
  return HandoffRecord{column_text(r, row, 0), column_text(r, row, 1), column_text(r, row, 2),
                       column_text(r, row, 3), column_text(r, row, 4), column_time(r, row, 5),
                       column_time(r, row, 6), column_text(r, row, 7), column_text(r, row, 8)};
}

ConversationEvent decode_event(const PGresult* r, int row) {
  return ConversationEvent{column_text(r, row, 0), column_u64(r, row, 1),  column_text(r, row, 2),
                           column_u64(r, row, 3),  column_time(r, row, 4), column_text(r, row, 5),
                           column_u64(r, row, 6)};
}

AgentRecord decode_agent(const PGresult* r, int row) {
  AgentRecord a;
  a.id = column_text(r, row, 0);
  a.display_name = column_text(r, row, 1);
  a.role = column_text(r, row, 2);
  a.skills = decode_skills(column_text(r, row, 3));
  a.capacity = static_cast<int>(column_i64(r, row, 4));
  a.password_hash = column_text(r, row, 5);
  a.created = column_time(r, row, 6);
  a.updated = column_time(r, row, 7);
  return a;
}

HubLogRecord decode_hub_log(const PGresult* r, int row) {
  return HubLogRecord{column_u64(r, row, 0), column_time(r, row, 1), column_text(r, row, 2)};
}

AuditRecord decode_audit(const PGresult* r, int row) {
  return AuditRecord{column_u64(r, row, 0),  column_time(r, row, 1), column_text(r, row, 2),
                     column_text(r, row, 3), column_text(r, row, 4), column_text(r, row, 5)};
}

}  // namespace baton::store::pg
