#include "channels/agent/render.hpp"

#include <algorithm>
#include <tuple>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/overloaded.hpp"
#include "engine/engine.hpp"

namespace baton::agent {
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

bj::array transcript_json(const std::vector<store::ActivityRecord>& transcript,
                          std::uint64_t handoff_seq) {
  bj::array out;
  out.reserve(transcript.size());
  for (const auto& record : transcript) {
    out.emplace_back(entry_json(record.seq, record.json, handoff_seq));
  }
  return out;
}

// The bot's variables among a handoff's context: every key but the va_ ones.
bj::object user_variables(const bj::object& context) {
  bj::object out;
  for (const auto& [key, value] : context) {
    if (!key.starts_with("va_")) {
      out[key] = value;
    }
  }
  return out;
}

bj::object offer_json(const engagement::Offer& o) {
  return {{"type", "offer"},
          {"conversationId", o.conversation},
          {"offerId", o.offer_id},
          {"expiresAt", format_iso8601(o.expires_at)},
          {"queue", o.queue},
          {"transfer", o.transfer},
          {"reason", o.reason},
          {"waitedMs", o.waited.count()},
          {"agentMessage", o.agent_message},
          {"note", o.note}};
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

bj::object agent_json(const hub::Agent& agent) {
  return bj::object{{"id", agent.id},
                    {"displayName", agent.display_name.empty() ? agent.id : agent.display_name},
                    {"role", hub::to_string(agent.role)},
                    {"skills", string_array(agent.skills)},
                    {"capacity", agent.capacity}};
}

bj::object summary_json(const hub::ConversationView& view) {
  return {{"id", view.id},
          {"state", hub::to_string(view.state)},
          {"queue", view.queue},
          {"agent", view.agent},
          {"offeredTo", view.offered_to},
          {"waitedMs", view.waited.count()},
          {"position", view.position},
          {"priority", view.priority},
          {"reason", view.reason}};
}

bj::object entry_json(std::uint64_t seq, std::string_view activity_json,
                      std::uint64_t handoff_seq) {
  bj::object entry{
      {"seq", seq},         {"part", handoff_seq == 0 || seq <= handoff_seq ? "bot" : "live"},
      {"sender", "system"}, {"kind", "event"},
      {"internal", true},   {"activity", nullptr}};
  auto parsed = json::parse(activity_json);
  if (!parsed.ok() || !parsed->is_object()) {
    return entry;
  }
  const bj::object& a = parsed->as_object();
  const std::string_view type = json::string_at(a, "type");
  std::string_view from_id;
  std::string_view role;
  if (const auto* from = a.if_contains("from"); from != nullptr && from->is_object()) {
    from_id = json::string_at(from->as_object(), "id");
    role = json::string_at(from->as_object(), "role");
  }
  const bool customer_visible = type == "message" || type == "typing";
  const bool customer = role == "user";
  const bool agent = !customer && from_id.starts_with("agent:");
  if (customer) {
    entry["sender"] = "customer";
  } else if (agent) {
    entry["sender"] = "agent";
  } else if (customer_visible) {
    entry["sender"] = "bot";
  }
  if (type == "message") {
    entry["kind"] = "message";
  } else if (agent && type == "event" && json::string_at(a, "name") == "baton.note") {
    entry["kind"] = "note";
  } else if (agent && type == "event" && json::string_at(a, "name") == "baton.whisper") {
    entry["kind"] = "whisper";
  }
  entry["internal"] = !customer && !(customer_visible || type == "endOfConversation");
  entry["activity"] = std::move(*parsed);
  return entry;
}

bj::object detail_json(const engagement::ConversationAccess& access,
                       const std::vector<store::ActivityRecord>& transcript) {
  bj::object out = access.hub ? summary_json(*access.hub) : bj::object{};
  out["handoffId"] = access.handoff_id;
  out["agentMessage"] = access.agent_message;
  out["context"] = access.context;
  out["variables"] = user_variables(access.context);
  out["transferNote"] = access.hub ? access.hub->transfer_note : std::string();
  out["handoffSeq"] = access.handoff_seq;
  out["transcript"] = transcript_json(transcript, access.handoff_seq);
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
  bj::value wrap_up = nullptr;
  std::uint64_t handoff_seq = 0;
  if (!handoffs.empty()) {
    const auto& last = handoffs.back();
    const bj::object outcome = json::parse_object(last.outcome_json);
    if (const bj::value* w = outcome.if_contains("wrapUp"); w != nullptr && w->is_object()) {
      wrap_up = *w;
    }
    handoff_id = last.id;
    reason = last.reason;
    queue = last.queue;
    const bj::object request = json::parse_object(last.request_json);
    agent_message = std::string(json::string_at(request, "agentMessage"));
    if (const bj::value* c = request.if_contains("context"); c != nullptr && c->is_object()) {
      context = c->as_object();
    }
    handoff_seq = engine::parse_activity_seq(json::string_at(request, "initiateActivityId"), row.id)
                      .value_or(0);
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
  out["variables"] = user_variables(context);
  out["context"] = std::move(context);
  out["transferNote"] = "";
  out["handoffSeq"] = handoff_seq;
  out["wrapUp"] = std::move(wrap_up);
  out["transcript"] = transcript_json(transcript, handoff_seq);
  return out;
}

std::string handoff_agent(const store::HandoffRecord& handoff) {
  const bj::object outcome = json::parse_object(handoff.outcome_json);
  std::string agent(json::string_at(outcome, "agent"));
  if (agent.empty()) {
    if (const bj::value* w = outcome.if_contains("wrapUp"); w != nullptr && w->is_object()) {
      agent = std::string(json::string_at(w->as_object(), "agent"));
    }
  }
  return agent;
}

bj::object handoff_summary_json(const store::HandoffRecord& handoff) {
  const bj::object outcome = json::parse_object(handoff.outcome_json);
  std::string disposition;
  std::string note;
  if (const bj::value* w = outcome.if_contains("wrapUp"); w != nullptr && w->is_object()) {
    disposition = std::string(json::string_at(w->as_object(), "disposition"));
    note = std::string(json::string_at(w->as_object(), "note"));
  }
  bj::object out{{"handoffId", handoff.id},
                 {"queue", handoff.queue},
                 {"reason", handoff.reason},
                 {"outcome", handoff.status},
                 {"agent", handoff_agent(handoff)},
                 {"disposition", disposition},
                 {"wrapUpNote", note},
                 {"requested", format_iso8601(handoff.created)}};
  out["ended"] = handoff.open() ? bj::value(nullptr) : bj::value(format_iso8601(handoff.updated));
  return out;
}

bj::object history_entry_json(const store::Conversation& row,
                              const std::vector<store::HandoffRecord>& handoffs) {
  bj::object out{{"conversationId", row.id},
                 {"created", format_iso8601(row.created)},
                 {"updated", format_iso8601(row.updated)},
                 {"closed", row.closed || row.ownership == "closed"},
                 {"handoffs", static_cast<std::uint64_t>(handoffs.size())}};
  const auto newest =
      std::max_element(handoffs.begin(), handoffs.end(), [](const auto& a, const auto& b) {
        return std::tie(a.created, a.id) < std::tie(b.created, b.id);
      });
  out["lastHandoff"] =
      newest == handoffs.end() ? bj::value(nullptr) : bj::value(handoff_summary_json(*newest));
  return out;
}

bj::object search_hit_json(const store::HandoffHit& hit) {
  bj::object out{{"conversationId", hit.handoff.conversation_id}, {"userId", hit.user_id}};
  for (const auto& field : handoff_summary_json(hit.handoff)) {
    out[field.key()] = field.value();
  }
  return out;
}

bj::object queue_json(const hub::QueueView& queue) {
  return {{"name", queue.name},
          {"waiting", queue.waiting},
          {"offered", queue.offered},
          {"longestWaitMs", queue.longest_wait.count()},
          {"open", queue.open},
          {"agentsOnline", queue.agents_online},
          {"agentsAvailable", queue.agents_available},
          {"averageHandleTimeMs", queue.average_handle_time.count()},
          {"estimatedWaitMs", queue.estimated_wait.count()}};
}

bj::object agent_status_json(const hub::AgentView& agent) {
  return {{"id", agent.id},
          {"displayName", agent.display_name},
          {"role", hub::to_string(agent.role)},
          {"presence", hub::to_string(agent.presence)},
          {"load", agent.load},
          {"capacity", agent.capacity},
          {"conversations", string_array(agent.conversations)},
          {"offers", string_array(agent.offers)}};
}

bj::object hello_json(const engagement::Hello& hello) {
  bj::object out = event_json(hello);
  out.erase("type");
  return out;
}

bj::object event_json(const engagement::AgentEvent& event) {
  namespace e = engagement;
  return std::visit(
      Overloaded{
          [](const e::Hello& h) {
            bj::array offers;
            for (const auto& o : h.offers) {
              bj::object offer = offer_json(o);
              offer.erase("type");
              offers.emplace_back(std::move(offer));
            }
            bj::array conversations;
            for (const auto& c : h.conversations) {
              conversations.emplace_back(summary_json(c));
            }
            bj::array queues = string_array(h.queues);
            bj::array agents;
            for (const auto& a : h.agents) {
              agents.emplace_back(bj::object{{"id", a.id},
                                             {"displayName", a.display_name},
                                             {"presence", hub::to_string(a.presence)}});
            }
            return bj::object{{"type", "hello"},
                              {"agent", agent_json(h.agent)},
                              {"presence", hub::to_string(h.presence)},
                              {"offers", std::move(offers)},
                              {"conversations", std::move(conversations)},
                              {"queues", std::move(queues)},
                              {"agents", std::move(agents)}};
          },
          [](const e::Offer& o) { return offer_json(o); },
          [](const e::OfferWithdrawn& w) {
            return bj::object{{"type", "offer_withdrawn"},
                              {"conversationId", w.conversation},
                              {"offerId", w.offer_id},
                              {"cause", e::to_string(w.cause)}};
          },
          [](const e::Assigned& a) {
            return bj::object{{"type", "assigned"},
                              {"conversationId", a.conversation},
                              {"conversation", a.view ? summary_json(*a.view) : bj::object{}}};
          },
          [](const e::Unassigned& u) {
            return bj::object{{"type", "unassigned"},
                              {"conversationId", u.conversation},
                              {"cause", e::to_string(u.cause)}};
          },
          [](const e::WrapUpStarted& w) {
            return bj::object{{"type", "wrap_up"}, {"conversationId", w.conversation}};
          },
          [](const e::ActivityAdded& a) {
            return bj::object{
                {"type", "activity"},
                {"conversationId", a.conversation},
                {"entry", entry_json(a.seq, a.json ? std::string_view(*a.json) : std::string_view(),
                                     a.handoff_seq)}};
          },
          [](const e::PresenceNow& p) {
            return bj::object{{"type", "presence"},
                              {"presence", hub::to_string(p.presence)},
                              {"cause", hub::to_string(p.cause)}};
          },
          [](const e::TransferFailed& t) {
            return bj::object{{"type", "transfer_failed"},
                              {"conversationId", t.conversation},
                              {"cause", hub::to_string(t.cause)}};
          },
          [](const e::SupervisorView& v) {
            bj::array queues;
            for (const auto& q : v.queues) {
              queues.emplace_back(queue_json(q));
            }
            bj::array agents;
            for (const auto& a : v.agents) {
              agents.emplace_back(agent_status_json(a));
            }
            bj::array conversations;
            for (const auto& c : v.conversations) {
              conversations.emplace_back(summary_json(c));
            }
            return bj::object{{"type", "supervisor"},
                              {"queues", std::move(queues)},
                              {"agents", std::move(agents)},
                              {"conversations", std::move(conversations)}};
          },
      },
      event);
}

bj::object audit_json(const store::AuditRecord& record) {
  return bj::object{{"position", record.position},
                    {"time", format_iso8601(record.time)},
                    {"actor", record.actor},
                    {"action", record.action},
                    {"conversationId", record.conversation_id},
                    {"detail", parsed_or_null(record.detail_json)}};
}

bj::object canned_json(const store::CannedResponse& c) {
  return bj::object{{"id", c.id},
                    {"queue", c.queue},
                    {"code", c.code},
                    {"title", c.title},
                    {"text", c.text},
                    {"updatedBy", c.updated_by},
                    {"created", format_iso8601(c.created)},
                    {"updated", format_iso8601(c.updated)}};
}

}  // namespace baton::agent
