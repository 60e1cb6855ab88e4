// Sessions: POST login, POST logout, GET me, PUT presence.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "core/password.hpp"
#include "core/utf8.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

// Same answer for an unknown id and a wrong password, so the API does not reveal which ids exist.
server::Response bad_credentials() {
  return error_response(make_error(ErrorCode::kUnauthorized, "unknown agent or wrong password"));
}

}  // namespace

void AgentChannel::Impl::audit_failed_login(const std::string& agent_id, const std::string& address,
                                            server::Responder responder) {
  // The id as typed (it may name nobody), cut to what an id can be; the actor is "-" because
  // nobody was authenticated.
  bj::object detail{{"agentId", utf8::sanitize(std::string_view(agent_id).substr(0, 64))},
                    {"address", address}};
  audit("-", "login.failed", "", std::move(detail),
        [responder = std::move(responder)](const Status&) { responder.send(bad_credentials()); });
}

void AgentChannel::Impl::login(const server::Request& request, server::Responder responder) {
  auto body = parse_object(request.body());
  if (!body.ok()) {
    responder.send(error_response(body.error()));
    return;
  }
  auto credentials = parse_login(*body);
  if (!credentials.ok()) {
    responder.send(error_response(credentials.error()));
    return;
  }
  for (auto* limiter : {&address_limiter, &agent_limiter}) {
    const std::string& key =
        limiter == &address_limiter ? request.remote_address : credentials->agent_id;
    if (const auto d = limiter->acquire(key); !d.allowed) {
      responder.send(server::too_many_requests(d.retry_after));
      return;
    }
  }
  const std::string address = request.remote_address;
  boost::asio::post(password_pool, [this, creds = std::move(*credentials), address,
                                    responder = std::move(responder)]() mutable {
    Result<store::AgentRecord> agent =
        valid_agent_id(creds.agent_id)
            ? store.get_agent(creds.agent_id)
            : Result<store::AgentRecord>(make_error(ErrorCode::kNotFound, "invalid id"));
    if (!agent.ok() && agent.error().code != ErrorCode::kNotFound) {
      responder.send(error_response(make_error(ErrorCode::kUnavailable, agent.error().message)));
      return;
    }
    if (!agent.ok()) {
      // Spend the same work as a real check, so timing does not reveal unknown ids either.
      if (dummy_hash.empty()) {
        auto made = hash_password("baton-not-an-agent-password");
        dummy_hash = made.ok() ? std::move(*made) : std::string();
      }
      (void)verify_password(dummy_hash, creds.password);
      audit_failed_login(creds.agent_id, address, std::move(responder));
      return;
    }
    if (!verify_password(agent->password_hash, creds.password)) {
      spdlog::info("agent api: failed login for '{}' from {}", agent->id, address);
      audit_failed_login(agent->id, address, std::move(responder));
      return;
    }
    if (agent->disabled) {
      // Only after the password matched: a wrong guess does not learn the account's state.
      spdlog::info("agent api: refused login of disabled agent '{}' from {}", agent->id, address);
      responder.send(error_response(make_error(
          ErrorCode::kForbidden, "this agent is disabled; an admin can enable it again")));
      return;
    }
    SessionClaims claims;
    claims.agent_id = agent->id;
    claims.role = hub::parse_role(agent->role).value_or(hub::Role::kAgent);
    claims.session = new_session_id();
    claims.fingerprint = signer.fingerprint(agent->password_hash);
    claims.expires = clock.now() + options.session_ttl;
    bj::object answer{{"token", signer.sign(claims)},
                      {"expiresIn", static_cast<std::int64_t>(options.session_ttl.count())},
                      {"agent", agent_json(*agent)}};
    audit(
        agent->id, "login", "", bj::object{{"address", address}},
        [responder, answer = std::move(answer)](const Status& s) {
          if (!s.ok()) {
            responder.send(error_response(make_error(ErrorCode::kUnavailable, s.error().message)));
            return;
          }
          responder.send(ok_json(answer));
        });
  });
}

void AgentChannel::Impl::logout(const server::Request& request, server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  const std::string key = revoked_key(session->claims.session);
  store::AuditRecord record;
  record.time = clock.now();
  record.actor = session->actor.agent_id;
  record.action = "logout";
  store::WriteBatch batch;
  batch.put_meta(key, format_iso8601(session->claims.expires));
  batch.append_audit(std::move(record));
  const SessionId id = session->claims.session;
  auto finish = [this, key, id, responder = std::move(responder)](const Status& s) {
    if (!s.ok()) {
      responder.send(error_response(make_error(ErrorCode::kUnavailable, s.error().message)));
      return;
    }
    {
      std::lock_guard lock(mutex);
      revoked.insert(key);
    }
    close_sockets(id, "logged out");
    responder.send(no_content());
  };
  if (Status s = store.submit(std::move(batch), finish); !s.ok()) {
    finish(s);
  }
}

void AgentChannel::Impl::me(const server::Request& request, server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  hello(*session, answer<bj::object>(std::move(responder), [](bj::object& o) { return o; }));
}

void AgentChannel::Impl::set_presence(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto presence = parse_presence_body(body);
  if (!presence.ok()) {
    responder.send(error_response(presence.error()));
    return;
  }
  const hub::Presence p = *presence;
  engagement.set_presence(session->actor, p, answer<bool>(std::move(responder), [p](bool) {
                            return bj::object{{"presence", hub::to_string(p)}};
                          }));
}

}  // namespace baton::agent
