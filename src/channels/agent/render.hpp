#pragma once
// JSON shapes of the agent API (docs/AGENT_API.md): errors, Agent, ConversationSummary,
// ConversationDetail with its transcript Entries, Queue, AgentStatus, audit entries. Pure
// functions over values; thread-safe.

#include <boost/json.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "engine/engagement.hpp"
#include "hub/hub.hpp"
#include "server/http.hpp"
#include "store/store.hpp"

namespace baton::agentapi {

// {"error":{"code","message"}} with the status for the error's code: kInvalidArgument/kParse
// 400 BadArgument, kUnauthorized 401 Unauthorized, kForbidden 403 Forbidden, kNotFound 404
// NotFound, kConflict 409 Conflict, kTooLarge 413 TooLarge, kUnavailable/kIo 503 Unavailable,
// kInternal 500 Internal.
server::Response error_response(const Error& error);

// The WebSocket form of an error: {"type":"error","error":{"code","message"}}.
boost::json::object stream_error(const Error& error);

// Agent = {"id","displayName","role","skills","capacity"}.
boost::json::object agent_json(const store::AgentRecord& agent);

// ConversationSummary = {"id","state","queue","agent","offeredTo","waitedMs","position",
// "priority","reason"}.
boost::json::object summary_json(const hub::ConversationView& view);

// The shapes below are the Engagement's (engine/engagement.hpp), so the stream's pushes and the
// REST answers always agree; they are re-exported here for the handlers and pinned by tests.
//
// One transcript Entry = {"seq","part","sender","internal","activity"}: `part` is "bot" for
// seq <= handoff_seq (or when handoff_seq is 0), "live" after; `sender` is "customer" (from.role
// user), "agent" (from.id "agent:…"), "bot" (other messages and typing) or "system" (events,
// traces, ...); `internal` is true for every type customers never see (engine::Audience).
// `activity` is the stored activity, parsed (null when the stored text is not JSON).
boost::json::object entry_json(std::uint64_t seq, std::string_view activity_json,
                               std::uint64_t handoff_seq);

// ConversationDetail = summary + {"handoffId","agentMessage","context","variables",
// "transferNote","handoffSeq","transcript":[Entry]}.
boost::json::object detail_json(const engine::ConversationDetail& detail,
                                const std::vector<store::ActivityRecord>& transcript);

// The detail of a conversation the hub no longer holds (supervisors only): state from the store's
// ownership ("bot" or "closed"), empty hub fields, the handoff record if any.
boost::json::object archived_detail_json(const store::Conversation& row,
                                         const std::vector<store::HandoffRecord>& handoffs,
                                         const std::vector<store::ActivityRecord>& transcript);

// Queue = {"name","waiting","offered","longestWaitMs","open","agentsOnline","agentsAvailable",
// "averageHandleTimeMs","estimatedWaitMs"}.
boost::json::object queue_json(const hub::QueueView& queue);

// AgentStatus = {"id","displayName","role","presence","load","capacity","conversations","offers"}.
boost::json::object agent_status_json(const hub::AgentView& agent);

// {"position","time","actor","action","conversationId","detail"}.
boost::json::object audit_json(const store::AuditRecord& record);

}  // namespace baton::agentapi
