// Baton's own endpoints beside Direct Line: the test page's token endpoint and the secret-protected
// conversation / handoff views (docs/PROTOCOLS.md §8.5, §8.6), each read audited before it is
// answered.
#include <fmt/format.h>

#include "channels/directline/channel_impl.hpp"
#include "core/json.hpp"

namespace baton::directline {
namespace {

namespace bj = boost::json;
using server::http::status;

const char* flow_name(dialog::FlowState flow) {
  switch (flow) {
    case dialog::FlowState::kActive:
      return "active";
    case dialog::FlowState::kHandoffPending:
      return "handoff_pending";
    case dialog::FlowState::kWithAgent:
      return "with_agent";
    case dialog::FlowState::kEnded:
      return "ended";
  }
  return "active";
}

bj::value parsed_or_null(const std::string& text) {
  if (text.empty()) {
    return nullptr;
  }
  auto v = json::parse(text);
  return v.ok() ? std::move(*v) : bj::value(nullptr);
}

}  // namespace

void DirectLineChannel::Impl::audit_then(const server::Request& request, std::string action,
                                         const std::string& conversation_id,
                                         server::Response answer, server::Responder responder) {
  store::AuditRecord record;
  record.time = clock.now();
  record.actor = "directline-secret";
  record.action = std::move(action);
  record.conversation_id = conversation_id;
  record.detail_json = json::dump(bj::object{{"address", request.remote_address}});
  store::WriteBatch batch;
  batch.append_audit(std::move(record));
  auto pending = std::make_shared<server::Response>(std::move(answer));
  auto done = [pending, responder = std::move(responder)](const Status& written) {
    responder.send(written.ok() ? std::move(*pending) : error_response(written.error()));
  };
  if (Status queued = store.submit(std::move(batch), done); !queued.ok()) {
    done(queued);
  }
}

server::Response DirectLineChannel::Impl::test_page_token(const server::Request&) {
  const std::string conversation_id = random_id(16);
  const std::string user_id = "u-" + random_id(9);
  return server::json_response(
      status::ok, bj::object{{"token", issue(conversation_id, user_id)},
                             {"conversationId", conversation_id},
                             {"userId", user_id},
                             {"expires_in", static_cast<std::int64_t>(options.token_ttl.count())}});
}

void DirectLineChannel::Impl::list_handoffs(const server::Request& request,
                                            server::Responder responder) {
  const std::string id(request.param("id"));
  auto caller = authenticate(request, {});
  if (!caller.ok()) {
    responder.send(error_response(caller.error()));
    return;
  }
  if (!caller->secret) {
    responder.send(
        server::json_error(status::forbidden, "Forbidden", "this endpoint needs the secret"));
    return;
  }
  if (auto row = store.get_conversation(id); !row.ok()) {
    responder.send(error_response(row.error()));
    return;
  }
  auto records = store.handoffs_for_conversation(id);
  if (!records.ok()) {
    responder.send(error_response(records.error()));
    return;
  }
  bj::array handoffs;
  for (const auto& h : *records) {
    bj::value request_json = parsed_or_null(h.request_json);
    handoffs.push_back(bj::object{{"id", h.id},
                                  {"conversationId", h.conversation_id},
                                  {"reason", h.reason},
                                  {"status", h.status},
                                  {"queue", h.queue},
                                  {"created", format_iso8601(h.created)},
                                  {"updated", format_iso8601(h.updated)},
                                  {"request", std::move(request_json)},
                                  {"outcome", parsed_or_null(h.outcome_json)}});
  }
  audit_then(request, "secret.handoffs.read", id,
             server::json_response(status::ok, bj::object{{"handoffs", std::move(handoffs)}}),
             std::move(responder));
}

void DirectLineChannel::Impl::conversation_status(const server::Request& request,
                                                  const server::Responder& responder) {
  std::string id(request.param("id"));
  auto caller = authenticate(request, {});
  if (!caller.ok()) {
    responder.send(error_response(caller.error()));
    return;
  }
  if (!caller->secret) {
    responder.send(
        server::json_error(status::forbidden, "Forbidden", "this endpoint needs the secret"));
    return;
  }
  engine.status(id, [this, request, id, responder](Result<engine::ConversationStatus> s) {
    if (!s.ok()) {
      responder.send(error_response(s.error()));
      return;
    }
    bj::object out{{"id", s->id},
                   {"userId", s->user_id},
                   {"channelId", s->channel_id},
                   {"ownership", engine::to_string(s->ownership.owner)},
                   {"epoch", s->ownership.epoch},
                   {"flow", flow_name(s->flow)},
                   {"paused", s->flow == dialog::FlowState::kHandoffPending ||
                                  s->flow == dialog::FlowState::kWithAgent},
                   {"watermark", std::to_string(s->watermark)},
                   {"openHandoffId", s->open_handoff_id},
                   {"created", format_iso8601(s->created)},
                   {"updated", format_iso8601(s->updated)}};
    audit_then(request, "secret.conversation.read", id, server::json_response(status::ok, out),
               responder);
  });
}

}  // namespace baton::directline
