#include "store/sqlite_statements.hpp"

#include <fmt/format.h>

#include "store/activity_body.hpp"
#include "store/sqlite_activity_ids.hpp"
#include "store/sqlite_columns.hpp"
#include "store/sqlite_stepping.hpp"

namespace baton::store::sqlite {
namespace {

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

}  // namespace baton::store::sqlite
