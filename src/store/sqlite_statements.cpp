#include "store/sqlite_statements.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "store/activity_body.hpp"
#include "store/sqlite_activity_ids.hpp"
#include "store/sqlite_stepping.hpp"

namespace baton::store::sqlite {
namespace {

constexpr std::string_view kConversationColumns =
    "id, bot_id, user_id, channel_id, created_ms, updated_ms, ownership, epoch, next_seq, "
    "closed, metadata";
constexpr std::string_view kActivityColumns =
    "conversation_id, seq, activity_id, type, name, timestamp_ms, body";
// Read through the join with handoff_requests (schema v7), in HandoffRecord's order.
constexpr std::string_view kHandoffColumns =
    "h.id, h.conversation_id, h.reason, h.status, h.queue, h.created_ms, h.updated_ms, "
    "r.request, h.outcome";
constexpr std::string_view kHandoffFrom =
    "handoffs h JOIN handoff_requests r ON r.handoff_id = h.id";
constexpr std::string_view kEventColumns =
    "conversation_id, seq, kind, epoch, time_ms, payload, position";

constexpr std::string_view kAgentColumns =
    "id, display_name, role, skills, capacity, password_hash, created_ms, updated_ms, disabled";
constexpr std::string_view kAuditColumns =
    "position, time_ms, actor, action, conversation_id, detail";

AgentRecord decode_agent(const Stmt& s) {
  AgentRecord a;
  a.id = s.column_text(0);
  a.display_name = s.column_text(1);
  a.role = s.column_text(2);
  a.skills = decode_skills(s.column_text(3));
  a.capacity = static_cast<int>(s.column_int(4));
  a.password_hash = s.column_text(5);
  a.created = s.column_time(6);
  a.updated = s.column_time(7);
  a.disabled = s.column_int(8) != 0;
  return a;
}

HubLogRecord decode_hub_log(const Stmt& s) {
  return HubLogRecord{s.column_u64(0), s.column_time(1), s.column_text(2)};
}

AuditRecord decode_audit(const Stmt& s) {
  return AuditRecord{s.column_u64(0),  s.column_time(1), s.column_text(2),
                     s.column_text(3), s.column_text(4), s.column_text(5)};
}

Conversation decode_conversation(const Stmt& s) {
  Conversation c;
  c.id = s.column_text(0);
  c.bot_id = s.column_text(1);
  c.user_id = s.column_text(2);
  c.channel_id = s.column_text(3);
  c.created = s.column_time(4);
  c.updated = s.column_time(5);
  c.ownership = s.column_text(6);
  c.epoch = s.column_u64(7);
  c.next_seq = s.column_u64(8);
  c.closed = s.column_int(9) != 0;
  c.metadata_json = s.column_text(10);
  return c;
}

ActivityRecord decode_activity(const Stmt& s) {
  ActivityRecord a{s.column_text(0), s.column_u64(1),  std::string(),   s.column_text(3),
                   s.column_text(4), s.column_time(5), s.column_text(6)};
  a.activity_id =
      s.column_is_null(2) ? canonical_activity_id(a.conversation_id, a.seq) : s.column_text(2);
  a.json = unpack_activity_body(std::move(a.json), a.type, a.activity_id, a.timestamp);
  return a;
}

HandoffRecord decode_handoff(const Stmt& s) {
  return HandoffRecord{s.column_text(0), s.column_text(1), s.column_text(2),
                       s.column_text(3), s.column_text(4), s.column_time(5),
                       s.column_time(6), s.column_text(7), s.column_text(8)};
}

ConversationEvent decode_event(const Stmt& s) {
  return ConversationEvent{s.column_text(0), s.column_u64(1),  s.column_text(2), s.column_u64(3),
                           s.column_time(4), s.column_text(5), s.column_u64(6)};
}

// annotate() for the per-turn ops: the description is formatted only when the op failed.
template <class What>
Status annotate_lazy(Status status, What what) {
  if (status.ok() || !is_batch_local(status.error().code)) {
    return status;
  }
  return annotate(std::move(status), what());
}

}  // namespace

Result<WriteStatements> WriteStatements::prepare(sqlite3* db) {
  WriteStatements w;
  w.db_ = db;
  Preparer p{db, std::nullopt};
  p(w.begin_, "BEGIN IMMEDIATE");
  p(w.commit_, "COMMIT");
  p(w.savepoint_, "SAVEPOINT batch");
  p(w.release_, "RELEASE batch");
  p(w.rollback_to_, "ROLLBACK TO batch");
  p(w.insert_conversation_,
    fmt::format("INSERT INTO conversations ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                "?11)",
                kConversationColumns));
  p(w.update_conversation_,
    "UPDATE conversations SET bot_id = ?2, user_id = ?3, channel_id = ?4, created_ms = ?5, "
    "updated_ms = ?6, ownership = ?7, epoch = ?8, next_seq = ?9, closed = ?10, metadata = ?11 "
    "WHERE id = ?1");
  p(w.update_conversation_fenced_,
    "UPDATE conversations SET bot_id = ?2, user_id = ?3, channel_id = ?4, created_ms = ?5, "
    "updated_ms = ?6, ownership = ?7, epoch = ?8, next_seq = ?9, closed = ?10, metadata = ?11 "
    "WHERE id = ?1 AND epoch = ?12");
  p(w.conversation_epoch_, "SELECT epoch FROM conversations WHERE id = ?1");
  p(w.append_activity_,
    fmt::format("INSERT INTO activities ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                kActivityColumns));
  p(w.explicit_id_taken_, "SELECT 1 FROM activities WHERE activity_id = ?1");
  p(w.canonical_id_taken_,
    "SELECT 1 FROM activities WHERE conversation_id = ?1 AND seq = ?2 AND activity_id IS NULL");
  p(w.put_snapshot_,
    "UPDATE conversations SET snapshot_seq = ?2, snapshot_saved_ms = ?3, snapshot = ?4 "
    "WHERE id = ?1");
  p(w.insert_handoff_,
    "INSERT INTO handoffs (id, conversation_id, reason, status, queue, created_ms, updated_ms, "
    "outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  p(w.insert_handoff_request_,
    "INSERT INTO handoff_requests (handoff_id, request) VALUES (?1, ?2)");
  p(w.update_handoff_,
    "UPDATE handoffs SET status = ?3, queue = ?4, updated_ms = ?5, outcome = ?6 "
    "WHERE id = ?1 AND conversation_id = ?2");  // reason and created never change
  p(w.append_event_,
    "INSERT INTO conversation_events (conversation_id, seq, kind, epoch, time_ms, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  // Replacing keeps created_ms: an agent's creation time survives passwd and edits.
  p(w.put_agent_,
    fmt::format("INSERT INTO agents ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                "ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, "
                "role = excluded.role, skills = excluded.skills, capacity = excluded.capacity, "
                "password_hash = excluded.password_hash, updated_ms = excluded.updated_ms, "
                "disabled = excluded.disabled",
                kAgentColumns));
  p(w.delete_agent_, "DELETE FROM agents WHERE id = ?1");
  p(w.delete_activities_, "DELETE FROM activities WHERE conversation_id = ?1");
  p(w.delete_handoff_requests_,
    "DELETE FROM handoff_requests WHERE handoff_id IN "
    "(SELECT id FROM handoffs WHERE conversation_id = ?1)");
  p(w.delete_handoffs_, "DELETE FROM handoffs WHERE conversation_id = ?1");
  p(w.delete_events_, "DELETE FROM conversation_events WHERE conversation_id = ?1");
  p(w.delete_conversation_, "DELETE FROM conversations WHERE id = ?1");
  p(w.append_hub_log_, "INSERT INTO hub_log (time_ms, input) VALUES (?1, ?2)");
  p(w.clear_hub_log_, "DELETE FROM hub_log");
  p(w.append_audit_,
    "INSERT INTO audit_log (time_ms, actor, action, conversation_id, detail) "
    "VALUES (?1, ?2, ?3, ?4, ?5)");
  p(w.delete_audit_before_,
    "DELETE FROM audit_log WHERE position IN "
    "(SELECT position FROM audit_log ORDER BY position LIMIT ?2) AND time_ms < ?1");
  // Only the conversation's ended ones: open handoffs stay whatever their age.
  p(w.delete_ended_handoff_requests_,
    fmt::format("DELETE FROM handoff_requests WHERE handoff_id IN (SELECT id FROM handoffs WHERE "
                "conversation_id = ?1 AND updated_ms < ?2 AND status IN {})",
                ended_handoff_statuses_sql()));
  p(w.delete_ended_handoffs_,
    fmt::format("DELETE FROM handoffs WHERE conversation_id = ?1 AND updated_ms < ?2 AND status "
                "IN {}",
                ended_handoff_statuses_sql()));
  p(w.put_meta_,
    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
    "excluded.value");
  p(w.delete_meta_, "DELETE FROM meta WHERE key = ?1");
  if (p.error) {
    return *p.error;
  }
  auto analytics = AnalyticsWrites::prepare(db);
  if (!analytics.ok()) {
    return analytics.error();
  }
  w.analytics_ = std::move(analytics).value();
  auto canned = CannedWrites::prepare(db);
  if (!canned.ok()) {
    return canned.error();
  }
  w.canned_ = std::move(canned).value();
  return w;
}

Status WriteStatements::apply(const WriteOp& op) { return std::visit(*this, op); }

Status WriteStatements::changed_one(std::string_view what) {
  if (sqlite3_changes(db_) == 0) {
    return make_error(ErrorCode::kNotFound, fmt::format("{}: not found", what));
  }
  return {};
}

namespace {

void bind_conversation(Stmt& s, const Conversation& c) {
  s.bind(1, c.id).bind(2, c.bot_id).bind(3, c.user_id).bind(4, c.channel_id);
  s.bind(5, to_millis(c.created)).bind(6, to_millis(c.updated)).bind(7, c.ownership);
  s.bind_u64(8, c.epoch).bind_u64(9, c.next_seq).bind(10, std::int64_t{c.closed ? 1 : 0});
  s.bind(11, c.metadata_json);
}

// The handoffs row (schema v7: no request column), for the insert.
void bind_handoff(Stmt& s, const HandoffRecord& h) {
  s.bind(1, h.id).bind(2, h.conversation_id).bind(3, h.reason).bind(4, h.status).bind(5, h.queue);
  s.bind(6, to_millis(h.created)).bind(7, to_millis(h.updated)).bind(8, h.outcome_json);
}

// The mutable part of the handoffs row, for the update.
void bind_handoff_change(Stmt& s, const HandoffRecord& h) {
  s.bind(1, h.id).bind(2, h.conversation_id).bind(3, h.status).bind(4, h.queue);
  s.bind(5, to_millis(h.updated)).bind(6, h.outcome_json);
}

void bind_handoff_request(Stmt& s, const HandoffRecord& h) {
  s.bind(1, h.id).bind(2, h.request_json);
}

}  // namespace

Status WriteStatements::operator()(const op::InsertConversation& o) {
  bind_conversation(insert_conversation_, o.row);
  return annotate(insert_conversation_.run("duplicate id"),
                  fmt::format("insert conversation '{}'", o.row.id));
}

// The fenced form checks the epoch in the UPDATE itself (one statement per turn instead of a
// lookup plus an update); only when no row changed does a lookup tell kNotFound from kConflict.
Status WriteStatements::operator()(const op::UpdateConversation& o) {
  Stmt& s = o.if_epoch ? update_conversation_fenced_ : update_conversation_;
  bind_conversation(s, o.row);
  if (o.if_epoch) {
    s.bind_u64(12, *o.if_epoch);
  }
  Status status = s.run("update conversation");
  if (!status.ok() || sqlite3_changes(db_) != 0) {
    return annotate_lazy(std::move(status),
                         [&] { return fmt::format("update conversation '{}'", o.row.id); });
  }
  std::string what = fmt::format("update conversation '{}'", o.row.id);
  if (!o.if_epoch) {
    return make_error(ErrorCode::kNotFound, fmt::format("{}: not found", what));
  }
  conversation_epoch_.bind(1, o.row.id);
  auto epoch = one<std::uint64_t>(
      conversation_epoch_, [](const Stmt& st) { return st.column_u64(0); }, what);
  if (!epoch.ok()) {
    return epoch.error();
  }
  return make_error(ErrorCode::kConflict, fmt::format("{}: stale epoch (expected {}, stored {})",
                                                      what, *o.if_epoch, *epoch));
}

// A canonical id is stored implicitly (NULL) and explicit ids live in a partial unique index, so
// the one collision neither the primary key nor that index can see is between the two kinds; one
// point lookup rules it out (sqlite_activity_ids.hpp).
Status WriteStatements::check_id_free(const ActivityRecord& a, bool canonical) {
  Result<bool> taken = false;
  if (canonical) {
    explicit_id_taken_.bind(1, a.activity_id);
    taken = exists(explicit_id_taken_, "look up an activity id");
  } else if (auto key = parse_canonical_activity_id(a.activity_id)) {
    canonical_id_taken_.bind(1, key->conversation_id).bind_u64(2, key->seq);
    taken = exists(canonical_id_taken_, "look up an activity id");
  }
  if (!taken.ok()) {
    return taken.error();
  }
  if (*taken) {
    return make_error(ErrorCode::kConflict, "duplicate activity id");
  }
  return {};
}

Status WriteStatements::operator()(const op::AppendActivity& o) {
  const ActivityRecord& a = o.row;
  const bool canonical = has_canonical_id(a);
  Status status = check_id_free(a, canonical);
  if (status.ok()) {
    // Bound without a copy (SQLITE_STATIC): it lives until the statement has run.
    const std::string body = pack_activity_body(a.json, a.type, a.activity_id, a.timestamp);
    Stmt& s = append_activity_;
    s.bind(1, a.conversation_id).bind_u64(2, a.seq).bind(4, a.type).bind(5, a.name);
    if (canonical) {
      s.bind_null(3);
    } else {
      s.bind(3, a.activity_id);
    }
    s.bind(6, to_millis(a.timestamp)).bind(7, body);
    status = s.run("duplicate seq or activity id, or unknown conversation");
  }
  return annotate_lazy(std::move(status), [&] {
    return fmt::format("append activity '{}' (conversation '{}', seq {})", a.activity_id,
                       a.conversation_id, a.seq);
  });
}

Status WriteStatements::operator()(const op::PutSnapshot& o) {
  const DialogSnapshot& d = o.row;
  put_snapshot_.bind(1, d.conversation_id).bind_u64(2, d.seq).bind(3, to_millis(d.saved));
  put_snapshot_.bind(4, d.json);
  Status status = put_snapshot_.run("put snapshot");
  if (status.ok() && sqlite3_changes(db_) == 0) {
    status = make_error(ErrorCode::kNotFound, "not found");
  }
  return annotate_lazy(std::move(status), [&] {
    return fmt::format("put snapshot of conversation '{}'", d.conversation_id);
  });
}

Status WriteStatements::operator()(const op::InsertHandoff& o) {
  bind_handoff(insert_handoff_, o.row);
  Status status = insert_handoff_.run("duplicate id or unknown conversation");
  if (status.ok()) {
    bind_handoff_request(insert_handoff_request_, o.row);
    status = insert_handoff_request_.run("duplicate id");
  }
  return annotate(std::move(status), fmt::format("insert handoff '{}'", o.row.id));
}

Status WriteStatements::operator()(const op::UpdateHandoff& o) {
  std::string what =
      fmt::format("update handoff '{}' of conversation '{}'", o.row.id, o.row.conversation_id);
  bind_handoff_change(update_handoff_, o.row);
  Status status = update_handoff_.run(what);
  return status.ok() ? changed_one(what) : status;  // the request is immutable: not touched
}

Status WriteStatements::operator()(const op::AppendEvent& o) {
  const ConversationEvent& e = o.row;
  Stmt& s = append_event_;
  s.bind(1, e.conversation_id).bind_u64(2, e.seq).bind(3, e.kind).bind_u64(4, e.epoch);
  s.bind(5, to_millis(e.time)).bind(6, e.payload_json);
  return annotate(
      s.run("duplicate seq or unknown conversation"),
      fmt::format("append event {} '{}' of conversation '{}'", e.seq, e.kind, e.conversation_id));
}

Status WriteStatements::operator()(const op::PutAgent& o) {
  const AgentRecord& a = o.row;
  std::string skills = encode_skills(a.skills);  // must outlive the statement's run
  Stmt& s = put_agent_;
  s.bind(1, a.id).bind(2, a.display_name).bind(3, a.role).bind(4, skills);
  s.bind(5, std::int64_t{a.capacity}).bind(6, a.password_hash);
  s.bind(7, to_millis(a.created)).bind(8, to_millis(a.updated));
  s.bind(9, std::int64_t{a.disabled ? 1 : 0});
  return annotate(s.run("cannot store"), fmt::format("put agent '{}'", a.id));
}

Status WriteStatements::operator()(const op::DeleteConversation& o) {
  // Children first (foreign keys), the row last: it tells whether there was one.
  const std::string what = fmt::format("delete conversation '{}'", o.id);
  if (Status status = analytics_.delete_conversation(o.id); !status.ok()) {
    return status;
  }
  for (Stmt* s : {&delete_activities_, &delete_handoff_requests_, &delete_handoffs_,
                  &delete_events_, &delete_conversation_}) {
    s->bind(1, o.id);
    if (Status status = s->run(what); !status.ok()) {
      return status;
    }
  }
  return changed_one(what);
}

Status WriteStatements::operator()(const op::DeleteAgent& o) {
  std::string what = fmt::format("delete agent '{}'", o.id);
  delete_agent_.bind(1, o.id);
  Status status = delete_agent_.run(what);
  return status.ok() ? changed_one(what) : status;
}

Status WriteStatements::operator()(const op::AppendHubLog& o) {
  append_hub_log_.bind(1, to_millis(o.row.time)).bind(2, o.row.json);
  return append_hub_log_.run("append hub log");
}

Status WriteStatements::operator()(const op::DeleteAuditBefore& o) {
  delete_audit_before_.bind(1, to_millis(o.before)).bind(2, static_cast<std::int64_t>(o.limit));
  return delete_audit_before_.run("delete old audit records");
}

Status WriteStatements::operator()(const op::DeleteEndedHandoffs& o) {
  const std::string what =
      fmt::format("delete ended handoffs of conversation '{}'", o.conversation_id);
  for (Stmt* s : {&delete_ended_handoff_requests_, &delete_ended_handoffs_}) {
    s->bind(1, o.conversation_id).bind(2, to_millis(o.before));
    if (Status status = s->run(what); !status.ok()) {
      return status;
    }
  }
  return {};
}

// AUTOINCREMENT (sqlite_schema.cpp) keeps positions from being reused once the table is empty.
Status WriteStatements::operator()(const op::ClearHubLog& /*o*/) {
  return clear_hub_log_.run("clear hub log");
}

Status WriteStatements::operator()(const op::AppendAudit& o) {
  const AuditRecord& a = o.row;
  Stmt& s = append_audit_;
  s.bind(1, to_millis(a.time)).bind(2, a.actor).bind(3, a.action).bind(4, a.conversation_id);
  s.bind(5, a.detail_json);
  return annotate(s.run("cannot store"),
                  fmt::format("append audit '{}' by '{}'", a.action, a.actor));
}

Status WriteStatements::operator()(const op::PutMeta& o) {
  put_meta_.bind(1, o.key).bind(2, o.value);
  return put_meta_.run(fmt::format("put meta '{}'", o.key));
}

Status WriteStatements::operator()(const op::DeleteMeta& o) {
  delete_meta_.bind(1, o.key);
  return delete_meta_.run(fmt::format("delete meta '{}'", o.key));
}

Result<ReadStatements> ReadStatements::prepare(sqlite3* db) {
  ReadStatements r;
  Preparer p{db, std::nullopt};
  p(r.get_conversation_,
    fmt::format("SELECT {} FROM conversations WHERE id = ?1", kConversationColumns));
  p(r.list_conversations_,
    fmt::format("SELECT {} FROM conversations WHERE id > ?1 ORDER BY id LIMIT ?2",
                kConversationColumns));
  p(r.list_open_conversations_,
    fmt::format("SELECT {} FROM conversations WHERE id > ?1 AND closed = 0 ORDER BY id LIMIT ?2",
                kConversationColumns));
  p(r.conversations_of_user_,
    fmt::format("SELECT {} FROM conversations WHERE user_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                kConversationColumns));
  p(r.read_activities_,
    fmt::format("SELECT {} FROM activities WHERE conversation_id = ?1 AND seq > ?2 ORDER BY seq "
                "LIMIT ?3",
                kActivityColumns));
  // type and name come before the body in the row, so a row left out costs no overflow page.
  p(r.read_history_before_,
    fmt::format("SELECT {} FROM activities WHERE conversation_id = ?1 AND seq < ?2 AND "
                "type <> 'typing' AND NOT (type = 'event' AND substr(name, 1, 8) = 'handoff.') "
                "ORDER BY seq DESC LIMIT ?3",
                kActivityColumns));
  // A canonical id names its row's key (activity_id NULL); any id may also be an explicit one.
  p(r.find_activity_,
    fmt::format("SELECT {0} FROM activities WHERE conversation_id = ?1 AND seq = ?2 AND "
                "activity_id IS NULL UNION ALL SELECT {0} FROM activities WHERE activity_id = ?3 "
                "LIMIT 1",
                kActivityColumns));
  p(r.get_snapshot_,
    "SELECT id, snapshot_seq, snapshot_saved_ms, snapshot FROM conversations WHERE id = ?1 AND "
    "snapshot IS NOT NULL");
  p(r.get_handoff_,
    fmt::format("SELECT {} FROM {} WHERE h.id = ?1", kHandoffColumns, kHandoffFrom));
  p(r.list_handoffs_,
    fmt::format("SELECT {} FROM {} WHERE h.status = ?1 ORDER BY h.created_ms, h.id LIMIT ?2",
                kHandoffColumns, kHandoffFrom));
  p(r.handoffs_for_conversation_,
    fmt::format("SELECT {} FROM {} WHERE h.conversation_id = ?1 ORDER BY h.created_ms, h.id",
                kHandoffColumns, kHandoffFrom));
  // On handoffs_by_status (status, created_ms): a handoff last updated before a time was created
  // before it too.
  p(r.ended_handoffs_,
    fmt::format("SELECT DISTINCT conversation_id FROM handoffs WHERE status IN {} AND "
                "created_ms < ?1 AND updated_ms < ?1 LIMIT ?2",
                ended_handoff_statuses_sql()));
  p(r.read_events_,
    fmt::format("SELECT {} FROM conversation_events WHERE conversation_id = ?1 AND seq > ?2 "
                "ORDER BY seq LIMIT ?3",
                kEventColumns));
  p(r.read_all_events_,
    fmt::format("SELECT {} FROM conversation_events WHERE position > ?1 ORDER BY position "
                "LIMIT ?2",
                kEventColumns));
  p(r.get_meta_, "SELECT value FROM meta WHERE key = ?1");
  p(r.get_agent_, fmt::format("SELECT {} FROM agents WHERE id = ?1", kAgentColumns));
  p(r.list_agents_, fmt::format("SELECT {} FROM agents ORDER BY id", kAgentColumns));
  p(r.read_hub_log_,
    "SELECT position, time_ms, input FROM hub_log WHERE position > ?1 ORDER BY position LIMIT ?2");
  p(r.read_audit_,
    fmt::format("SELECT {} FROM audit_log WHERE position > ?1 ORDER BY position LIMIT ?2",
                kAuditColumns));
  p(r.read_audit_of_conversation_,
    fmt::format("SELECT {} FROM audit_log WHERE conversation_id = ?3 AND position > ?1 "
                "ORDER BY position LIMIT ?2",
                kAuditColumns));
  if (p.error) {
    return *p.error;
  }
  auto analytics = AnalyticsReads::prepare(db);
  if (!analytics.ok()) {
    return analytics.error();
  }
  r.analytics_ = std::move(analytics).value();
  auto canned = CannedReads::prepare(db);
  if (!canned.ok()) {
    return canned.error();
  }
  r.canned_ = std::move(canned).value();
  return r;
}

Result<Conversation> ReadStatements::get_conversation(const std::string& id) {
  get_conversation_.bind(1, id);
  return one<Conversation>(get_conversation_, decode_conversation,
                           fmt::format("conversation '{}'", id));
}

Result<std::vector<Conversation>> ReadStatements::list_conversations(const std::string& after_id,
                                                                     std::size_t limit,
                                                                     bool open_only) {
  Stmt& s = open_only ? list_open_conversations_ : list_conversations_;
  s.bind(1, after_id).bind(2, page(limit));
  return collect<Conversation>(s, decode_conversation, "list conversations");
}

Result<std::vector<Conversation>> ReadStatements::conversations_of_user(const std::string& user_id,
                                                                        const std::string& after_id,
                                                                        std::size_t limit) {
  conversations_of_user_.bind(1, user_id).bind(2, after_id).bind(3, page(limit));
  return collect<Conversation>(conversations_of_user_, decode_conversation,
                               "list a customer's conversations");
}

Result<std::vector<ActivityRecord>> ReadStatements::read_activities(
    const std::string& conversation_id, std::uint64_t watermark, std::size_t limit) {
  std::uint64_t after = std::min(watermark, kMaxSeq);
  read_activities_.bind(1, conversation_id).bind_u64(2, after).bind(3, page(limit));
  return collect<ActivityRecord>(read_activities_, decode_activity,
                                 fmt::format("read activities of '{}'", conversation_id));
}

Result<std::vector<ActivityRecord>> ReadStatements::read_history_before(
    const std::string& conversation_id, std::uint64_t before_seq, std::size_t limit) {
  const std::uint64_t before = std::min(before_seq, kMaxSeq);
  read_history_before_.bind(1, conversation_id).bind_u64(2, before).bind(3, page(limit));
  return collect<ActivityRecord>(read_history_before_, decode_activity,
                                 fmt::format("read the history of '{}'", conversation_id));
}

Result<ActivityRecord> ReadStatements::find_activity(const std::string& activity_id) {
  if (auto key = parse_canonical_activity_id(activity_id)) {
    find_activity_.bind(1, key->conversation_id).bind_u64(2, key->seq);
  } else {
    find_activity_.bind_null(1).bind_null(2);
  }
  find_activity_.bind(3, activity_id);
  return one<ActivityRecord>(find_activity_, decode_activity,
                             fmt::format("activity '{}'", activity_id));
}

Result<DialogSnapshot> ReadStatements::get_snapshot(const std::string& conversation_id) {
  get_snapshot_.bind(1, conversation_id);
  return one<DialogSnapshot>(
      get_snapshot_,
      [](const Stmt& s) {
        return DialogSnapshot{s.column_text(0), s.column_u64(1), s.column_time(2),
                              s.column_text(3)};
      },
      fmt::format("snapshot of conversation '{}'", conversation_id));
}

Result<HandoffRecord> ReadStatements::get_handoff(const std::string& id) {
  get_handoff_.bind(1, id);
  return one<HandoffRecord>(get_handoff_, decode_handoff, fmt::format("handoff '{}'", id));
}

Result<std::vector<HandoffRecord>> ReadStatements::list_handoffs(const std::string& status,
                                                                 std::size_t limit) {
  list_handoffs_.bind(1, status).bind(2, page(limit));
  return collect<HandoffRecord>(list_handoffs_, decode_handoff, "list handoffs");
}

Result<std::vector<HandoffRecord>> ReadStatements::handoffs_for_conversation(
    const std::string& conversation_id) {
  handoffs_for_conversation_.bind(1, conversation_id);
  return collect<HandoffRecord>(handoffs_for_conversation_, decode_handoff,
                                "handoffs of a conversation");
}

Result<std::vector<std::string>> ReadStatements::conversations_with_ended_handoffs(
    TimePoint before, std::size_t limit) {
  ended_handoffs_.bind(1, to_millis(before)).bind(2, page(limit));
  return collect<std::string>(
      ended_handoffs_, [](Stmt& s) { return s.column_text(0); },
      "conversations with ended handoffs");
}

Result<std::vector<ConversationEvent>> ReadStatements::read_events(
    const std::string& conversation_id, std::uint64_t after_seq, std::size_t limit) {
  read_events_.bind(1, conversation_id).bind_u64(2, std::min(after_seq, kMaxSeq));
  read_events_.bind(3, page(limit));
  return collect<ConversationEvent>(read_events_, decode_event, "read events");
}

Result<std::vector<ConversationEvent>> ReadStatements::read_all_events(std::uint64_t after_position,
                                                                       std::size_t limit) {
  read_all_events_.bind_u64(1, std::min(after_position, kMaxSeq)).bind(2, page(limit));
  return collect<ConversationEvent>(read_all_events_, decode_event, "read all events");
}

Result<std::string> ReadStatements::get_meta(const std::string& key) {
  get_meta_.bind(1, key);
  return one<std::string>(
      get_meta_, [](const Stmt& s) { return s.column_text(0); }, fmt::format("meta '{}'", key));
}

Result<AgentRecord> ReadStatements::get_agent(const std::string& id) {
  get_agent_.bind(1, id);
  return one<AgentRecord>(get_agent_, decode_agent, fmt::format("agent '{}'", id));
}

Result<std::vector<AgentRecord>> ReadStatements::list_agents() {
  return collect<AgentRecord>(list_agents_, decode_agent, "list agents");
}

Result<std::vector<HubLogRecord>> ReadStatements::read_hub_log(std::uint64_t after_position,
                                                               std::size_t limit) {
  read_hub_log_.bind_u64(1, std::min(after_position, kMaxSeq)).bind(2, page(limit));
  return collect<HubLogRecord>(read_hub_log_, decode_hub_log, "read hub log");
}

Result<std::vector<AuditRecord>> ReadStatements::read_audit(std::uint64_t after_position,
                                                            std::size_t limit,
                                                            const std::string& conversation_id) {
  Stmt& s = conversation_id.empty() ? read_audit_ : read_audit_of_conversation_;
  s.bind_u64(1, std::min(after_position, kMaxSeq)).bind(2, page(limit));
  if (!conversation_id.empty()) {
    s.bind(3, conversation_id);
  }
  return collect<AuditRecord>(s, decode_audit, "read audit log");
}

}  // namespace baton::store::sqlite
