#pragma once
// The column lists the SQLite statements (sqlite_statements.cpp writes, sqlite_read_statements.cpp
// reads) name, in the order the row decoders read them. Internal to src/store.

#include <string_view>

namespace baton::store::sqlite {

inline constexpr std::string_view kConversationColumns =
    "id, bot_id, user_id, channel_id, created_ms, updated_ms, ownership, epoch, next_seq, "
    "closed, metadata";
inline constexpr std::string_view kActivityColumns =
    "conversation_id, seq, activity_id, type, name, timestamp_ms, body";
// Read through the join with handoff_requests (schema v7), in HandoffRecord's order.
inline constexpr std::string_view kHandoffColumns =
    "h.id, h.conversation_id, h.reason, h.status, h.queue, h.created_ms, h.updated_ms, "
    "r.request, h.outcome";
inline constexpr std::string_view kHandoffFrom =
    "handoffs h JOIN handoff_requests r ON r.handoff_id = h.id";
inline constexpr std::string_view kEventColumns =
    "conversation_id, seq, kind, epoch, time_ms, payload, position";

inline constexpr std::string_view kAgentColumns =
    "id, display_name, role, skills, capacity, password_hash, created_ms, updated_ms, disabled";
inline constexpr std::string_view kAuditColumns =
    "position, time_ms, actor, action, conversation_id, detail";

}  // namespace baton::store::sqlite
