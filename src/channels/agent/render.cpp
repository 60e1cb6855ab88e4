#include "channels/agent/render.hpp"

#include "core/clock.hpp"
#include "core/json.hpp"
#include "engine/engine.hpp"

namespace baton::agentapi {
namespace {

namespace bj = boost::json;
using server::http::status;

struct Mapped {
  status code;
  const char* name;
};

Mapped map_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParse:
      return {status::bad_request, "BadArgument"};
    case ErrorCode::kUnauthorized:
      return {status::unauthorized, "Unauthorized"};
    case ErrorCode::kForbidden:
      return {status::forbidden, "Forbidden"};
    case ErrorCode::kNotFound:
      return {status::not_found, "NotFound"};
    case ErrorCode::kConflict:
      return {status::conflict, "Conflict"};
    case ErrorCode::kTooLarge:
      return {status::payload_too_large, "TooLarge"};
    case ErrorCode::kNoSpace:
      return {status::insufficient_storage, "InsufficientStorage"};
    case ErrorCode::kUnavailable:
    case ErrorCode::kIo:
      return {status::service_unavailable, "Unavailable"};
    case ErrorCode::kInternal:
      return {status::internal_server_error, "Internal"};
  }
  return {status::internal_server_error, "Internal"};
}

bj::array string_array(const std::vector<std::string>& items) {
  bj::array out;
  out.reserve(items.size());
  for (const auto& s : items) {
    out.emplace_back(s);
  }
  return out;
}

bj::value parsed_or_null(std::string_view text) {
  if (text.empty()) {
    return nullptr;
  }
  auto v = json::parse(text);
  return v.ok() ? std::move(*v) : bj::value(nullptr);
}

std::string_view string_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

bj::array transcript_json(const std::vector<store::ActivityRecord>& transcript,
                          std::uint64_t handoff_seq) {
  bj::array out;
  out.reserve(transcript.size());
  for (const auto& record : transcript) {
    out.emplace_back(entry_json(record.seq, record.json, handoff_seq));
  }
  return out;
}

}  // namespace

server::Response error_response(const Error& error) {
  const Mapped m = map_error(error.code);
  if (m.code == status::service_unavailable) {
    return server::unavailable(error.message);
  }
  return server::json_error(m.code, error.protocol_code.empty() ? m.name : error.protocol_code,
                            error.message);
}

bj::object stream_error(const Error& error) {
  return bj::object{
      {"type", "error"},
      {"error", bj::object{{"code", map_error(error.code).name}, {"message", error.message}}}};
}

bj::object agent_json(const store::AgentRecord& agent) {
  return bj::object{{"id", agent.id},
                    {"displayName", agent.display_name.empty() ? agent.id : agent.display_name},
                    {"role", agent.role},
                    {"skills", string_array(agent.skills)},
                    {"capacity", agent.capacity}};
}

bj::object summary_json(const hub::ConversationView& view) {
  return engine::conversation_summary_json(view);
}

bj::object entry_json(std::uint64_t seq, std::string_view activity_json,
                      std::uint64_t handoff_seq) {
  // One classification for the transcript and the stream's `activity` pushes: the Engagement's.
  return engine::transcript_entry(seq, activity_json, handoff_seq);
}

bj::object detail_json(const engine::ConversationDetail& detail,
                       const std::vector<store::ActivityRecord>& transcript) {
  bj::object out = summary_json(detail.hub);
  out["handoffId"] = detail.handoff_id;
  out["agentMessage"] = detail.agent_message;
  out["context"] = detail.hub.context;
  out["variables"] = detail.variables;
  out["transferNote"] = detail.hub.transfer_note;
  out["handoffSeq"] = detail.handoff_seq;
  out["transcript"] = transcript_json(transcript, detail.handoff_seq);
  return out;
}

bj::object archived_detail_json(const store::Conversation& row,
                                const std::vector<store::HandoffRecord>& handoffs,
                                const std::vector<store::ActivityRecord>& transcript) {
  std::string handoff_id;
  std::string agent_message;
  std::string reason;
  std::string queue;
  bj::object context;
  bj::object variables;
  std::uint64_t handoff_seq = 0;
  if (!handoffs.empty()) {
    const auto& last = handoffs.back();
    handoff_id = last.id;
    reason = last.reason;
    queue = last.queue;
    bj::value request = parsed_or_null(last.request_json);
    if (request.is_object()) {
      agent_message = std::string(string_at(request.as_object(), "agentMessage"));
      if (const bj::value* c = request.as_object().if_contains("context");
          c != nullptr && c->is_object()) {
        context = c->as_object();
      }
      handoff_seq =
          engine::parse_activity_seq(string_at(request.as_object(), "initiateActivityId"), row.id)
              .value_or(0);
    }
  }
  for (const auto& [key, value] : context) {
    if (key.substr(0, 3) != "va_") {
      variables[key] = value;
    }
  }
  bj::object out{{"id", row.id},
                 {"state", row.closed || row.ownership == "closed" ? "closed" : row.ownership},
                 {"queue", queue},
                 {"agent", ""},
                 {"offeredTo", ""},
                 {"waitedMs", 0},
                 {"position", 0},
                 {"priority", 0},
                 {"reason", reason}};
  out["handoffId"] = handoff_id;
  out["agentMessage"] = agent_message;
  out["context"] = std::move(context);
  out["variables"] = std::move(variables);
  out["transferNote"] = "";
  out["handoffSeq"] = handoff_seq;
  out["transcript"] = transcript_json(transcript, handoff_seq);
  return out;
}

bj::object queue_json(const hub::QueueView& queue) { return engine::queue_json(queue); }

bj::object agent_status_json(const hub::AgentView& agent) {
  return engine::agent_status_json(agent);
}

bj::object audit_json(const store::AuditRecord& record) {
  return bj::object{{"position", record.position},
                    {"time", format_iso8601(record.time)},
                    {"actor", record.actor},
                    {"action", record.action},
                    {"conversationId", record.conversation_id},
                    {"detail", parsed_or_null(record.detail_json)}};
}

}  // namespace baton::agentapi
