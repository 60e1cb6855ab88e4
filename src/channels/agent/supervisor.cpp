// Supervisor views: GET supervisor (queues, agents, every conversation) and GET audit.
#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

Error not_supervisor() {
  return make_error(ErrorCode::kForbidden, "only supervisors and admins may do this");
}

// {"ready", "reason", "warnings"}: whether the service can work (storage) and what to look at.
bj::object service_json(const server::Readiness& r) {
  bj::array warnings;
  for (const auto& w : r.warnings) {
    warnings.emplace_back(w);
  }
  return bj::object{{"ready", r.ready}, {"reason", r.reason}, {"warnings", std::move(warnings)}};
}

}  // namespace

void AgentChannel::Impl::supervisor_view(const server::Request& request,
                                         server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (!session->supervisor()) {
    responder.send(error_response(not_supervisor()));
    return;
  }
  // Three reads on the engagement's strand, one after the other; the answer is assembled as they
  // come.
  auto out = std::make_shared<bj::object>();
  if (options.readiness) {
    (*out)["service"] = service_json(options.readiness());
  }
  const engagement::Actor actor = session->actor;
  engagement.queues(actor, [this, actor, out, responder = std::move(responder)](
                               Result<std::vector<hub::QueueView>> queues) {
    if (!queues.ok()) {
      responder.send(error_response(queues.error()));
      return;
    }
    bj::array q;
    for (const auto& v : *queues) {
      q.emplace_back(queue_json(v));
    }
    (*out)["queues"] = std::move(q);
    engagement.agents(
        actor, [this, actor, out, responder](Result<std::vector<hub::AgentView>> agents) {
          if (!agents.ok()) {
            responder.send(error_response(agents.error()));
            return;
          }
          bj::array a;
          for (const auto& v : *agents) {
            a.emplace_back(agent_status_json(v));
          }
          (*out)["agents"] = std::move(a);
          engagement.conversations(
              actor, [out, responder](Result<std::vector<hub::ConversationView>> views) {
                if (!views.ok()) {
                  responder.send(error_response(views.error()));
                  return;
                }
                bj::array c;
                for (const auto& v : *views) {
                  c.emplace_back(summary_json(v));
                }
                (*out)["conversations"] = std::move(c);
                responder.send(ok_json(*out));
              });
        });
  });
}

server::Response AgentChannel::Impl::audit_log(const server::Request& request) {
  auto session = authenticate(request);
  if (!session.ok()) {
    return error_response(session.error());
  }
  if (!session->supervisor()) {
    return error_response(not_supervisor());
  }
  auto query = parse_audit_query(request.query_value("conversationId"),
                                 request.query_value("after"), request.query_value("limit"));
  if (!query.ok()) {
    return error_response(query.error());
  }
  auto records = store.read_audit(query->after, query->limit, query->conversation_id);
  if (!records.ok()) {
    return error_response(make_error(ErrorCode::kUnavailable, records.error().message));
  }
  bj::array entries;
  std::uint64_t next = query->after;
  for (const auto& r : *records) {
    entries.emplace_back(audit_json(r));
    next = r.position;
  }
  return ok_json(bj::object{{"entries", std::move(entries)}, {"next", next}});
}

}  // namespace baton::agent
