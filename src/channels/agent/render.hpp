#pragma once
// JSON shapes of the agent API (docs/AGENT_API.md): errors, Agent, ConversationSummary,
// ConversationDetail with its transcript Entries, Queue, AgentStatus, audit entries, and every
// stream message (one per engagement::AgentEvent). The only place these shapes are written, so
// the REST answers and the stream's messages always agree. Pure functions over values;
// thread-safe.

#include <boost/json.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "engagement/agent_events.hpp"
#include "engagement/engagement.hpp"
#include "hub/hub.hpp"
#include "server/http.hpp"
#include "store/store.hpp"

namespace baton::agent {

// {"error":{"code","message"}} with the status for the error's code: kInvalidArgument/kParse
// 400 BadArgument, kUnauthorized 401 Unauthorized, kForbidden 403 Forbidden, kNotFound 404
// NotFound, kConflict 409 Conflict, kTooLarge 413 TooLarge, kNoSpace 507 InsufficientStorage,
// kUnavailable/kIo 503 Unavailable (with Retry-After), kInternal 500 Internal. An error's own
// protocol_code, when set, replaces the name.
server::Response error_response(const Error& error);

// The WebSocket form of an error: {"type":"error","error":{"code","message"}}.
boost::json::object stream_error(const Error& error);

// Agent = {"id","displayName","role","skills","capacity"}; displayName is the id when empty. The
// store's record (what login and me answer: the freshest) and the hub's registration render alike.
boost::json::object agent_json(const store::AgentRecord& agent);
boost::json::object agent_json(const hub::Agent& agent);

// CannedResponse = {"id","queue","code","title","text","updatedBy","created","updated"} (times
// ISO 8601 UTC; queue "" = global).
boost::json::object canned_json(const store::CannedResponse& canned);

// ConversationSummary = {"id","state","queue","agent","offeredTo","waitedMs","position",
// "priority","reason"}.
boost::json::object summary_json(const hub::ConversationView& view);

// One transcript Entry = {"seq","part","sender","kind","internal","activity"} for a stored
// activity (its JSON text). part: "bot" when seq <= handoff_seq (0 = no handoff: everything is
// "bot"), else "live". sender, from fields only the server sets: "customer" (from.role "user",
// which the engine writes on every customer activity, whatever the client sent), else "agent"
// (from.id "agent:…"), "bot" (other messages and typing), "system" (events, traces,
// endOfConversation, ...). kind: "message", "note" (an agent's internal note: sender agent and
// the event baton.note), "whisper" (a supervisor's word to the owning agent: sender agent and the
// event baton.whisper) or "event". internal: a line of the server's the customer never saw
// (events, notes, traces); never true for what the customer sent, so a customer's event cannot
// pass for a note or a system line. Unparsable JSON: activity null, sender system, kind event,
// internal true.
boost::json::object entry_json(std::uint64_t seq, std::string_view activity_json,
                               std::uint64_t handoff_seq);

// ConversationDetail of a conversation the hub holds (access.hub set) = summary +
// {"handoffId","agentMessage","context","variables","transferNote","handoffSeq",
// "transcript":[Entry]}; variables are the context's keys without the va_ prefix.
boost::json::object detail_json(const engagement::ConversationAccess& access,
                                const std::vector<store::ActivityRecord>& transcript);

// The detail of a conversation the hub no longer holds (supervisors only): state from the store's
// ownership ("bot" or "closed"), empty hub fields, the last handoff record if any.
boost::json::object archived_detail_json(const store::Conversation& row,
                                         const std::vector<store::HandoffRecord>& handoffs,
                                         const std::vector<store::ActivityRecord>& transcript);

// History and search (docs/AGENT_API.md "History and search"). HandoffSummary = {"handoffId",
// "queue","reason","outcome" (the handoff's status),"agent" (the one it ended with, else the
// wrap-up's, else ""),"disposition","wrapUpNote" ("" when none),"requested","ended" (ISO 8601;
// ended null while open)}.
boost::json::object handoff_summary_json(const store::HandoffRecord& handoff);
// The agent a handoff ended with (its outcome's "agent", else its wrap-up's); "" when none.
std::string handoff_agent(const store::HandoffRecord& handoff);
// HistoryEntry = {"conversationId","created","updated","closed","handoffs" (count),"lastHandoff"
// (HandoffSummary of the newest, or null)}.
boost::json::object history_entry_json(const store::Conversation& row,
                                       const std::vector<store::HandoffRecord>& handoffs);
// SearchHit = {"conversationId","userId"} and the HandoffSummary's fields.
boost::json::object search_hit_json(const store::HandoffHit& hit);

// Queue = {"name","waiting","offered","longestWaitMs","open","agentsOnline","agentsAvailable",
// "averageHandleTimeMs","estimatedWaitMs"}.
boost::json::object queue_json(const hub::QueueView& queue);

// AgentStatus = {"id","displayName","role","presence","load","capacity","conversations","offers"}.
boost::json::object agent_status_json(const hub::AgentView& agent);

// The body of GET /api/agent/me: {"agent","presence","offers","conversations","queues","agents"}.
boost::json::object hello_json(const engagement::Hello& hello);

// One stream message: {"type":…} and the fields docs/AGENT_API.md lists for it (hello, offer,
// offer_withdrawn, assigned, unassigned, wrap_up, activity, presence, transfer_failed,
// supervisor).
boost::json::object event_json(const engagement::AgentEvent& event);

// {"position","time","actor","action","conversationId","detail"}.
boost::json::object audit_json(const store::AuditRecord& record);

}  // namespace baton::agent
