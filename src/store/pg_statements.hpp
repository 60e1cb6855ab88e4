#pragma once
// The PostgreSQL store's SQL (internal to src/store): the prepared statements of the writer and of
// the readers, how a WriteOp becomes one statement with its parameters, and how rows become
// records. Pure functions and constant tables: no connection state here.

#include <string>
#include <vector>

#include "store/pg_conn.hpp"
#include "store/store.hpp"

namespace baton::store::pg {

// Transaction control of the writer's group commit, prepared on the writer connection.
inline constexpr const char* kBegin = "w_begin";
inline constexpr const char* kCommit = "w_commit";
inline constexpr const char* kSavepoint = "w_savepoint";
inline constexpr const char* kRelease = "w_release";
inline constexpr const char* kRollbackTo = "w_rollback_to";
inline constexpr const char* kRollback = "w_rollback";

// The writer connection's statements (transaction control and one per op kind).
const std::vector<StatementDef>& write_statements();

// One op as the prepared statement that applies it. `params` refers to strings inside `op`, which
// must outlive the send.
struct OpCall {
  const char* statement = nullptr;
  Params params;
};
OpCall encode_op(const WriteOp& op);

// The op for people: "append activity 'a1' (conversation 'c', seq 3)". Failures carry it.
std::string describe_op(const WriteOp& op);

// The canned responses' statements (pg_canned.cpp), part of the lists above, and their ops.
std::vector<StatementDef> canned_write_statements();
std::vector<StatementDef> canned_read_statements();
OpCall encode_canned(const op::PutCanned& o);
OpCall encode_canned(const op::DeleteCanned& o);

// Each reader connection's statements.
const std::vector<StatementDef>& read_statements();

// Read statement names.
namespace read {
inline constexpr const char* kGetConversation = "r_get_conversation";
inline constexpr const char* kListConversations = "r_list_conversations";
inline constexpr const char* kConversationsOfUser = "r_conversations_of_user";
inline constexpr const char* kListOpenConversations = "r_list_open_conversations";
inline constexpr const char* kReadActivities = "r_read_activities";
inline constexpr const char* kReadHistoryBefore = "r_read_history_before";
inline constexpr const char* kFindActivity = "r_find_activity";
inline constexpr const char* kGetSnapshot = "r_get_snapshot";
inline constexpr const char* kGetHandoff = "r_get_handoff";
inline constexpr const char* kListHandoffs = "r_list_handoffs";
inline constexpr const char* kHandoffsForConversation = "r_handoffs_for_conversation";
inline constexpr const char* kConversationsWithEndedHandoffs =
    "r_conversations_with_ended_handoffs";
inline constexpr const char* kReadEvents = "r_read_events";
inline constexpr const char* kReadAllEvents = "r_read_all_events";
inline constexpr const char* kGetMeta = "r_get_meta";
inline constexpr const char* kGetAgent = "r_get_agent";
inline constexpr const char* kListAgents = "r_list_agents";
inline constexpr const char* kReadHubLog = "r_read_hub_log";
inline constexpr const char* kReadAudit = "r_read_audit";
inline constexpr const char* kReadAuditOfConversation = "r_read_audit_of_conversation";
inline constexpr const char* kReadAnalytics = "r_read_analytics";
inline constexpr const char* kReadAnalyticsByPeriod = "r_read_analytics_by_period";
inline constexpr const char* kReadAnalyticsByTopic = "r_read_analytics_by_topic";
inline constexpr const char* kReadAnalyticsByQueue = "r_read_analytics_by_queue";
inline constexpr const char* kReadAnalyticsByAgent = "r_read_analytics_by_agent";
inline constexpr const char* kReadAnalyticsSessions = "r_read_analytics_sessions";
inline constexpr const char* kReadAnalyticsSessionsAfter = "r_read_analytics_sessions_after";
inline constexpr const char* kOpenSessionsIdleBefore = "r_open_sessions_idle_before";
inline constexpr const char* kGetOpenSession = "r_get_open_session";
inline constexpr const char* kListCanned = "r_list_canned";
inline constexpr const char* kGetCanned = "r_get_canned";
}  // namespace read

// The read_analytics statement for a grouping.
const char* read_analytics_statement(AnalyticsGroup group);

// A column of milliseconds since the epoch (what the store writes times as) as a time.
TimePoint column_time(const PGresult* r, int row, int column);

// Row decoders for the read statements' column lists.
Conversation decode_conversation(const PGresult* r, int row);
ActivityRecord decode_activity(const PGresult* r, int row);
DialogSnapshot decode_snapshot(const PGresult* r, int row);
HandoffRecord decode_handoff(const PGresult* r, int row);
ConversationEvent decode_event(const PGresult* r, int row);
AgentRecord decode_agent(const PGresult* r, int row);
HubLogRecord decode_hub_log(const PGresult* r, int row);
AuditRecord decode_audit(const PGresult* r, int row);
AnalyticsCell decode_cell(const PGresult* r, int row);
AnalyticsSession decode_analytics_session(const PGresult* r, int row);
OpenSession decode_open_session(const PGresult* r, int row);
CannedResponse decode_canned(const PGresult* r, int row);

}  // namespace baton::store::pg
