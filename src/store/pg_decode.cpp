// Row decoders for the PostgreSQL read statements' column lists (pg_statements.hpp).

#include <utility>

#include "store/activity_body.hpp"
#include "store/encoding.hpp"
#include "store/pg_statements.hpp"

namespace baton::store::pg {

TimePoint column_time(const PGresult* r, int row, int column) {
  return from_millis(column_i64(r, row, column));
}

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
  ActivityRecord a{column_text(r, row, 0), column_u64(r, row, 1),  column_text(r, row, 2),
                   column_text(r, row, 3), column_text(r, row, 4), column_time(r, row, 5),
                   column_text(r, row, 6)};
  a.json = unpack_activity_body(std::move(a.json), a.type, a.activity_id, a.timestamp);
  return a;
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
  a.disabled = column_i64(r, row, 8) != 0;
  return a;
}

HubLogRecord decode_hub_log(const PGresult* r, int row) {
  return HubLogRecord{column_u64(r, row, 0), column_time(r, row, 1), column_text(r, row, 2)};
}

AnalyticsCell decode_cell(const PGresult* r, int row) {
  AnalyticsCell c;
  c.period = column_i64(r, row, 0);
  c.topic = column_text(r, row, 1);
  c.queue = column_text(r, row, 2);
  c.agent = column_text(r, row, 3);
  c.metric = column_text(r, row, 4);
  c.count = column_i64(r, row, 5);
  c.sum = column_f64(r, row, 6);
  return c;
}

AnalyticsSession decode_analytics_session(const PGresult* r, int row) {
  AnalyticsSession a;
  a.conversation_id = column_text(r, row, 0);
  a.number = static_cast<std::uint32_t>(column_i64(r, row, 1));
  a.started = column_time(r, row, 2);
  a.ended = column_time(r, row, 3);
  a.outcome = column_text(r, row, 4);
  a.topic = column_text(r, row, 5);
  a.reason = column_text(r, row, 6);
  a.queue = column_text(r, row, 7);
  a.agent = column_text(r, row, 8);
  if (!column_null(r, row, 9)) {
    a.wait_ms = column_i64(r, row, 9);
  }
  if (!column_null(r, row, 10)) {
    a.rating = static_cast<std::int32_t>(column_i64(r, row, 10));
  }
  if (!column_null(r, row, 11)) {
    a.resolved = column_bool(r, row, 11);
  }
  a.surveyed = column_bool(r, row, 12);
  return a;
}

OpenSession decode_open_session(const PGresult* r, int row) {
  return OpenSession{column_text(r, row, 0), column_text(r, row, 1), column_time(r, row, 2)};
}

AuditRecord decode_audit(const PGresult* r, int row) {
  return AuditRecord{column_u64(r, row, 0),  column_time(r, row, 1), column_text(r, row, 2),
                     column_text(r, row, 3), column_text(r, row, 4), column_text(r, row, 5)};
}

}  // namespace baton::store::pg
