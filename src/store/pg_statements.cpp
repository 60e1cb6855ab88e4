#include "store/pg_statements.hpp"

#include <fmt/format.h>

#include "store/activity_body.hpp"
#include "store/encoding.hpp"

namespace baton::store::pg {
namespace {

constexpr Oid T = kTextOid;
constexpr Oid I = kInt8Oid;
constexpr Oid B = kBoolOid;
constexpr Oid IA = kInt8ArrayOid;
constexpr Oid TA = kTextArrayOid;
constexpr Oid FA = kFloat8ArrayOid;

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
    "id, display_name, role, skills, capacity, password_hash, created_ms, updated_ms, disabled";
constexpr std::string_view kAuditColumns =
    "position, time_ms, actor, action, conversation_id, detail";
constexpr std::string_view kSessionColumns =
    "conversation_id, number, started_ms, ended_ms, outcome, topic, reason, queue, agent, "
    "wait_ms, rating, resolved, surveyed";

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
constexpr const char* kDeleteEndedHandoffs = "w_delete_ended_handoffs";
constexpr const char* kPutMeta = "w_put_meta";
constexpr const char* kDeleteMeta = "w_delete_meta";
constexpr const char* kAddAnalytics = "w_add_analytics";
constexpr const char* kPutAnalyticsSession = "w_put_analytics_session";
constexpr const char* kPutOpenSession = "w_put_open_session";
constexpr const char* kDeleteOpenSession = "w_delete_open_session";

std::vector<StatementDef> joined(const std::vector<StatementDef>& first,
                                 std::vector<StatementDef> more) {
  std::vector<StatementDef> out = first;
  for (auto& def : more) {
    out.push_back(std::move(def));
  }
  return out;
}

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
    call.params.i64(to_millis(a.timestamp))
        .owned_text(pack_activity_body(a.json, a.type, a.activity_id, a.timestamp));
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
    call.params.i64(to_millis(a.updated)).i64(a.disabled ? 1 : 0);
    return call;
  }
  OpCall operator()(const op::DeleteConversation& o) const {
    OpCall call{kDeleteConversation, {}};
    call.params.text(o.id);
    return call;
  }
  OpCall operator()(const op::PutCanned& o) const { return encode_canned(o); }
  OpCall operator()(const op::DeleteCanned& o) const { return encode_canned(o); }
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
  OpCall operator()(const op::DeleteEndedHandoffs& o) const {
    OpCall call{kDeleteEndedHandoffs, {}};
    call.params.text(o.conversation_id).i64(to_millis(o.before));
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
  // One statement for every cell of the op: the cells travel as arrays, one per column.
  OpCall operator()(const op::AddAnalytics& o) const {
    std::vector<std::int64_t> hours;
    std::vector<std::int64_t> counts;
    std::vector<double> sums;
    std::vector<std::string_view> metrics;
    std::vector<std::string_view> topics;
    std::vector<std::string_view> queues;
    std::vector<std::string_view> agents;
    for (const AnalyticsCell& c : o.cells) {
      hours.push_back(c.period);
      metrics.emplace_back(c.metric);
      topics.emplace_back(c.topic);
      queues.emplace_back(c.queue);
      agents.emplace_back(c.agent);
      counts.push_back(c.count);
      sums.push_back(c.sum);
    }
    OpCall call{kAddAnalytics, {}};
    call.params.i64_array(hours).text_array(metrics).text_array(topics).text_array(queues);
    call.params.text_array(agents).i64_array(counts).f64_array(sums);
    return call;
  }
  OpCall operator()(const op::PutAnalyticsSession& o) const {
    const AnalyticsSession& a = o.row;
    OpCall call{kPutAnalyticsSession, {}};
    Params& p = call.params;
    p.text(a.conversation_id).i64(a.number).i64(to_millis(a.started)).i64(to_millis(a.ended));
    p.text(a.outcome).text(a.topic).text(a.reason).text(a.queue).text(a.agent);
    if (a.wait_ms) {
      p.i64(*a.wait_ms);
    } else {
      p.null();
    }
    if (a.rating) {
      p.i64(*a.rating);
    } else {
      p.null();
    }
    if (a.resolved) {
      p.boolean(*a.resolved);
    } else {
      p.null();
    }
    p.boolean(a.surveyed);
    return call;
  }
  OpCall operator()(const op::PutOpenSession& o) const {
    OpCall call{kPutOpenSession, {}};
    call.params.text(o.row.conversation_id).text(o.row.state_json);
    return call;
  }
  OpCall operator()(const op::DeleteOpenSession& o) const {
    OpCall call{kDeleteOpenSession, {}};
    call.params.text(o.conversation_id);
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
  std::string operator()(const op::PutCanned& o) const {
    return fmt::format("put canned response '{}'", o.row.id);
  }
  std::string operator()(const op::DeleteCanned& o) const {
    return fmt::format("delete canned response '{}'", o.id);
  }
  std::string operator()(const op::DeleteAgent& o) const {
    return fmt::format("delete agent '{}'", o.id);
  }
  std::string operator()(const op::AppendHubLog& /*o*/) const { return "append hub log"; }
  std::string operator()(const op::ClearHubLog& /*o*/) const { return "clear hub log"; }
  std::string operator()(const op::DeleteAuditBefore& /*o*/) const {
    return "delete old audit records";
  }
  std::string operator()(const op::DeleteEndedHandoffs& o) const {
    return fmt::format("delete ended handoffs of conversation '{}'", o.conversation_id);
  }
  std::string operator()(const op::AppendAudit& o) const {
    return fmt::format("append audit '{}' by '{}'", o.row.action, o.row.actor);
  }
  std::string operator()(const op::PutMeta& o) const { return fmt::format("put meta '{}'", o.key); }
  std::string operator()(const op::DeleteMeta& o) const {
    return fmt::format("delete meta '{}'", o.key);
  }
  std::string operator()(const op::AddAnalytics& o) const {
    return fmt::format("add {} analytics cells", o.cells.size());
  }
  std::string operator()(const op::PutAnalyticsSession& o) const {
    return fmt::format("put analytics session {} of conversation '{}'", o.row.number,
                       o.row.conversation_id);
  }
  std::string operator()(const op::PutOpenSession& o) const {
    return fmt::format("put open session of conversation '{}'", o.row.conversation_id);
  }
  std::string operator()(const op::DeleteOpenSession& o) const {
    return fmt::format("delete open session of conversation '{}'", o.conversation_id);
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
       fmt::format("INSERT INTO agents ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                   "ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, "
                   "role = excluded.role, skills = excluded.skills, capacity = excluded.capacity, "
                   "password_hash = excluded.password_hash, updated_ms = excluded.updated_ms, "
                   "disabled = excluded.disabled",
                   kAgentColumns),
       {T, T, T, T, I, T, I, I, I}},
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
      // Only the conversation's ended ones: open handoffs stay whatever their age.
      {kDeleteEndedHandoffs,
       fmt::format("DELETE FROM handoffs WHERE conversation_id = $1 AND updated_ms < $2 AND "
                   "status IN {}",
                   ended_handoff_statuses_sql()),
       {T, I}},
      {kPutMeta,
       "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
       "excluded.value",
       {T, T}},
      {kDeleteMeta, "DELETE FROM meta WHERE key = $1", {T}},
      // Cells with one key are summed first: ON CONFLICT may not update a row twice in one
      // statement.
      {kAddAnalytics,
       "INSERT INTO analytics_cells AS a (period, metric, topic, queue, agent, count, sum) "
       "SELECT period, metric, topic, queue, agent, sum(count), sum(sum) "
       "FROM unnest($1, $2, $3, $4, $5, $6, $7) AS c(period, metric, topic, queue, agent, count, "
       "sum) "
       "GROUP BY period, metric, topic, queue, agent "
       "ON CONFLICT (period, metric, topic, queue, agent) "
       "DO UPDATE SET count = a.count + excluded.count, sum = a.sum + excluded.sum",
       {IA, TA, TA, TA, TA, IA, FA}},
      {kPutAnalyticsSession,
       fmt::format("INSERT INTO analytics_sessions ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                   "$9, $10, $11, $12, $13) ON CONFLICT (conversation_id, number) DO UPDATE SET "
                   "started_ms = excluded.started_ms, ended_ms = excluded.ended_ms, "
                   "outcome = excluded.outcome, topic = excluded.topic, reason = excluded.reason, "
                   "queue = excluded.queue, agent = excluded.agent, wait_ms = excluded.wait_ms, "
                   "rating = excluded.rating, resolved = excluded.resolved, "
                   "surveyed = excluded.surveyed",
                   kSessionColumns),
       {T, I, I, I, T, T, T, T, T, I, I, B, B}},
      {kPutOpenSession,
       "INSERT INTO open_sessions (conversation_id, state) VALUES ($1, $2) "
       "ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state",
       {T, T}},
      {kDeleteOpenSession, "DELETE FROM open_sessions WHERE conversation_id = $1", {T}},
  };
  static const std::vector<StatementDef> all = joined(defs, canned_write_statements());
  return all;
}

OpCall encode_op(const WriteOp& op) { return std::visit(Encoder{}, op); }

std::string describe_op(const WriteOp& op) { return std::visit(Describer{}, op); }

namespace {

// A read_analytics statement: the period (0 unless grouped by it) and the three dimensions (''
// unless grouped by one), the metric and the sums, grouped by the metric and `key`. The period
// range is the primary key's prefix; one row more than allowed tells a query that is too large.
std::string cells_sql(std::string_view columns, std::string_view key) {
  return fmt::format(
      "SELECT {0}, metric, sum(count)::bigint, sum(sum) FROM analytics_cells "
      "WHERE period >= $1 AND period < $2 AND ($3 = '' OR topic = $3) AND ($4 = '' OR queue = $4) "
      "AND ($5 = '' OR agent = $5) GROUP BY metric{1} ORDER BY metric{1} LIMIT $6",
      columns, key);
}

}  // namespace

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
      // On handoffs_by_status (status, created_ms, id): a handoff last updated before a time was
      // created before it too.
      {kConversationsWithEndedHandoffs,
       fmt::format("SELECT DISTINCT conversation_id FROM handoffs WHERE status IN {} AND "
                   "created_ms < $1 AND updated_ms < $1 LIMIT $2",
                   ended_handoff_statuses_sql()),
       {I, I}},
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
      {kReadAnalytics, cells_sql("0, '', '', ''", ""), {I, I, T, T, T, I}},
      {kReadAnalyticsByPeriod, cells_sql("period, '', '', ''", ", period"), {I, I, T, T, T, I}},
      {kReadAnalyticsByTopic, cells_sql("0, topic, '', ''", ", topic"), {I, I, T, T, T, I}},
      {kReadAnalyticsByQueue, cells_sql("0, '', queue, ''", ", queue"), {I, I, T, T, T, I}},
      {kReadAnalyticsByAgent, cells_sql("0, '', '', agent", ", agent"), {I, I, T, T, T, I}},
      {kReadAnalyticsSessions,
       fmt::format("SELECT {} FROM analytics_sessions WHERE ended_ms >= $1 AND ended_ms < $2 "
                   "ORDER BY ended_ms, conversation_id, number LIMIT $3",
                   kSessionColumns),
       {I, I, I}},
      {kReadAnalyticsSessionsAfter,
       fmt::format("SELECT {} FROM analytics_sessions WHERE ended_ms >= $1 AND ended_ms < $2 "
                   "AND (ended_ms, conversation_id, number) > ($4, $5, $6) "
                   "ORDER BY ended_ms, conversation_id, number LIMIT $3",
                   kSessionColumns),
       {I, I, I, I, T, I}},
      // Walks the open sessions and looks each conversation up by its key (a scalar subquery is
      // never turned into a join, so no plan scans the conversations); only the page's states
      // are read, after the sort.
      {kOpenSessionsIdleBefore,
       "SELECT o.conversation_id, o.state, i.last_ms FROM "
       "(SELECT t.conversation_id, t.last_ms FROM "
       "(SELECT s.conversation_id, "
       "(SELECT c.updated_ms FROM conversations c WHERE c.id = s.conversation_id) AS last_ms "
       "FROM open_sessions s) t WHERE t.last_ms < $1 ORDER BY t.last_ms, t.conversation_id "
       "LIMIT $2) i JOIN open_sessions o ON o.conversation_id = i.conversation_id "
       "ORDER BY i.last_ms, i.conversation_id",
       {I, I}},
      {kGetOpenSession,
       "SELECT o.conversation_id, o.state, c.updated_ms FROM open_sessions o "
       "JOIN conversations c ON c.id = o.conversation_id WHERE o.conversation_id = $1",
       {T}},
  };
  static const std::vector<StatementDef> all = joined(defs, canned_read_statements());
  return all;
}

const char* read_analytics_statement(AnalyticsGroup group) {
  switch (group) {
    case AnalyticsGroup::kPeriod:
      return read::kReadAnalyticsByPeriod;
    case AnalyticsGroup::kTopic:
      return read::kReadAnalyticsByTopic;
    case AnalyticsGroup::kQueue:
      return read::kReadAnalyticsByQueue;
    case AnalyticsGroup::kAgent:
      return read::kReadAnalyticsByAgent;
    case AnalyticsGroup::kNone:
      break;
  }
  return read::kReadAnalytics;
}

}  // namespace baton::store::pg
