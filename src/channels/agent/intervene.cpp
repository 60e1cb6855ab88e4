// A supervisor's interventions: whisper, barge, take over, assign (to an agent or a queue). Each
// is for supervisors and admins only (403 for agents, checked here and again by the Engagement)
// and audited once it took effect: conversation.whisper, conversation.barge,
// conversation.take_over, conversation.assign.
#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

Error not_supervisor() {
  return make_error(ErrorCode::kForbidden, "only supervisors and admins may intervene");
}

}  // namespace

Result<Session> AgentChannel::Impl::admit_supervisor(const server::Request& request,
                                                     boost::json::object* body) const {
  auto session = admit(request, body);
  if (session.ok() && !session->supervisor()) {
    return not_supervisor();
  }
  return session;
}

// The action took effect: audit it, then answer `body` (or 503 saying the audit failed).
void AgentChannel::Impl::audited(const std::string& actor, const char* action,
                                 const std::string& conversation, boost::json::object detail,
                                 boost::json::object body, server::Responder responder) {
  audit(actor, action, conversation, std::move(detail),
        [responder = std::move(responder), body = std::move(body)](const Status& s) {
          responder.send(s.ok() ? ok_json(body)
                                : error_response(make_error(
                                      ErrorCode::kUnavailable,
                                      "done, but the audit record failed: " + s.error().message)));
        });
}

void AgentChannel::Impl::intervene_message(const server::Request& request,
                                           server::Responder responder, bool barge) {
  bj::object body;
  auto session = admit_supervisor(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto text = parse_text(body);
  if (!text.ok()) {
    responder.send(error_response(text.error()));
    return;
  }
  std::string id(request.param("id"));
  const std::string actor = session->actor.agent_id;
  auto done = [this, actor, id, barge,
               responder = std::move(responder)](const Result<engagement::PostResult>& r) {
    if (!r.ok()) {
      responder.send(error_response(r.error()));
      return;
    }
    audited(actor, barge ? "conversation.barge" : "conversation.whisper", id,
            bj::object{{"activityId", r->id}}, bj::object{{"id", r->id}}, responder);
  };
  if (barge) {
    engagement.barge(session->actor, id, std::move(*text), std::move(done));
  } else {
    engagement.whisper(session->actor, id, std::move(*text), std::move(done));
  }
}

void AgentChannel::Impl::take_over(const server::Request& request, server::Responder responder) {
  auto session = admit_supervisor(request, nullptr);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  std::string id(request.param("id"));
  const std::string actor = session->actor.agent_id;
  engagement.take_over(session->actor, id,
                       [this, actor, id, responder = std::move(responder)](const Result<bool>& r) {
                         if (!r.ok()) {
                           responder.send(error_response(r.error()));
                           return;
                         }
                         audited(actor, "conversation.take_over", id, bj::object{},
                                 bj::object{{"conversationId", id}}, responder);
                       });
}

void AgentChannel::Impl::assign(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit_supervisor(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto t = parse_transfer(body);
  if (!t.ok()) {
    responder.send(error_response(t.error()));
    return;
  }
  std::string id(request.param("id"));
  const std::string actor = session->actor.agent_id;
  bj::object detail =
      t->queue.empty() ? bj::object{{"agentId", t->agent_id}} : bj::object{{"queue", t->queue}};
  engagement.reassign(session->actor, id, t->queue, t->agent_id, std::move(t->note),
                      [this, actor, id, detail = std::move(detail),
                       responder = std::move(responder)](const Result<bool>& r) {
                        if (!r.ok()) {
                          responder.send(error_response(r.error()));
                          return;
                        }
                        audited(actor, "conversation.assign", id, detail, bj::object{}, responder);
                      });
}

}  // namespace baton::agent
