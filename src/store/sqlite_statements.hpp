#pragma once
// Prepared statements of the SQLite store (internal to src/store): the writer's set, which applies
// WriteOps inside the writer's transaction, and a reader's set, which decodes rows into records.
// Each set belongs to one connection and is used by one thread at a time.

#include <sqlite3.h>

#include <vector>

#include "store/sqlite_analytics.hpp"
#include "store/sqlite_canned.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace baton::store::sqlite {

class WriteStatements {
 public:
  static Result<WriteStatements> prepare(sqlite3* db);

  // Applies one operation. Batch-local failures (is_batch_local) are kConflict / kNotFound with a
  // message naming the record; anything else is a storage failure.
  Status apply(const WriteOp& op);

  // Transaction control. The writer wraps each batch of a group in a savepoint so one bad batch
  // is undone alone.
  Status begin() { return begin_.run("BEGIN IMMEDIATE"); }
  Status commit() { return commit_.run("COMMIT"); }
  Status savepoint() { return savepoint_.run("SAVEPOINT batch"); }
  Status release() { return release_.run("RELEASE batch"); }
  Status rollback_to() { return rollback_to_.run("ROLLBACK TO batch"); }

  // Visitor entry points (one per op kind).
  Status operator()(const op::InsertConversation& o);
  Status operator()(const op::UpdateConversation& o);
  Status operator()(const op::AppendActivity& o);
  Status operator()(const op::PutSnapshot& o);
  Status operator()(const op::InsertHandoff& o);
  Status operator()(const op::UpdateHandoff& o);
  Status operator()(const op::AppendEvent& o);
  Status operator()(const op::PutAgent& o);
  Status operator()(const op::DeleteConversation& o);
  Status operator()(const op::DeleteAgent& o);
  Status operator()(const op::AppendHubLog& o);
  Status operator()(const op::ClearHubLog& o);
  Status operator()(const op::AppendAudit& o);
  Status operator()(const op::DeleteAuditBefore& o);
  Status operator()(const op::DeleteEndedHandoffs& o);
  Status operator()(const op::PutMeta& o);
  Status operator()(const op::DeleteMeta& o);
  Status operator()(const op::AddAnalytics& o) { return analytics_.add(o); }
  Status operator()(const op::PutAnalyticsSession& o) { return analytics_.put_session(o); }
  Status operator()(const op::PutOpenSession& o) { return analytics_.put_open_session(o); }
  Status operator()(const op::DeleteOpenSession& o) { return analytics_.delete_open_session(o); }
  Status operator()(const op::PutCanned& o) { return canned_.put(o); }
  Status operator()(const op::DeleteCanned& o) { return canned_.remove(o, db_); }

 private:
  Status changed_one(std::string_view what);
  Status check_id_free(const ActivityRecord& a, bool canonical);

  sqlite3* db_ = nullptr;
  Stmt begin_, commit_, savepoint_, release_, rollback_to_;
  Stmt insert_conversation_, update_conversation_, update_conversation_fenced_, conversation_epoch_;
  Stmt append_activity_, explicit_id_taken_, canonical_id_taken_, put_snapshot_, insert_handoff_,
      insert_handoff_request_, update_handoff_, append_event_;
  Stmt delete_activities_, delete_handoff_requests_, delete_handoffs_, delete_events_,
      delete_conversation_;
  Stmt put_agent_, delete_agent_, append_hub_log_, clear_hub_log_, append_audit_,
      delete_audit_before_;
  Stmt delete_ended_handoff_requests_, delete_ended_handoffs_;
  Stmt put_meta_, delete_meta_;
  AnalyticsWrites analytics_;
  CannedWrites canned_;
};

class ReadStatements {
 public:
  static Result<ReadStatements> prepare(sqlite3* db);

  Result<Conversation> get_conversation(const std::string& id);
  Result<std::vector<Conversation>> list_conversations(const std::string& after_id,
                                                       std::size_t limit, bool open_only);
  Result<std::vector<Conversation>> conversations_of_user(const std::string& user_id,
                                                          const std::string& after_id,
                                                          std::size_t limit);
  Result<std::vector<ActivityRecord>> read_activities(const std::string& conversation_id,
                                                      std::uint64_t watermark, std::size_t limit);
  Result<std::vector<ActivityRecord>> read_history_before(const std::string& conversation_id,
                                                          std::uint64_t before_seq,
                                                          std::size_t limit);
  Result<ActivityRecord> find_activity(const std::string& activity_id);
  Result<DialogSnapshot> get_snapshot(const std::string& conversation_id);
  Result<HandoffRecord> get_handoff(const std::string& id);
  Result<std::vector<HandoffRecord>> list_handoffs(const std::string& status, std::size_t limit);
  Result<std::vector<HandoffRecord>> handoffs_for_conversation(const std::string& conversation_id);
  Result<std::vector<std::string>> conversations_with_ended_handoffs(TimePoint before,
                                                                     std::size_t limit);
  Result<std::vector<ConversationEvent>> read_events(const std::string& conversation_id,
                                                     std::uint64_t after_seq, std::size_t limit);
  Result<std::vector<ConversationEvent>> read_all_events(std::uint64_t after_position,
                                                         std::size_t limit);
  Result<std::string> get_meta(const std::string& key);
  Result<AgentRecord> get_agent(const std::string& id);
  Result<std::vector<AgentRecord>> list_agents();
  Result<std::vector<HubLogRecord>> read_hub_log(std::uint64_t after_position, std::size_t limit);
  Result<std::vector<AuditRecord>> read_audit(std::uint64_t after_position, std::size_t limit,
                                              const std::string& conversation_id);
  AnalyticsReads& analytics() { return analytics_; }
  CannedReads& canned() { return canned_; }

 private:
  Stmt get_conversation_, list_conversations_, list_open_conversations_, conversations_of_user_;
  Stmt read_activities_, read_history_before_, find_activity_, get_snapshot_;
  Stmt get_handoff_, list_handoffs_, handoffs_for_conversation_, ended_handoffs_;
  Stmt read_events_, read_all_events_, get_meta_;
  Stmt get_agent_, list_agents_, read_hub_log_, read_audit_, read_audit_of_conversation_;
  AnalyticsReads analytics_;
  CannedReads canned_;
};

}  // namespace baton::store::sqlite
