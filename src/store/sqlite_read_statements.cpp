// The SQLite store's read statements (sqlite_statements.hpp: ReadStatements) and the decoders of
// the rows they return.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "store/activity_body.hpp"
#include "store/sqlite_activity_ids.hpp"
#include "store/sqlite_columns.hpp"
#include "store/sqlite_statements.hpp"
#include "store/sqlite_stepping.hpp"

namespace baton::store::sqlite {
namespace {

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

}  // namespace

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
