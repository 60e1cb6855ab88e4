// Agent management (docs/AGENT_API.md, "Agents"): GET/POST /agents, PATCH and DELETE /agents/{id},
// PUT /agents/{id}/password, POST /agents/{id}/disable and /enable for admins;
// PUT /agents/{id}/presence for supervisors and admins. The same store records and field rules as
// `baton agent` (hub/agent_fields.hpp, core/password.hpp): a change is one batch with its audit
// record, written on the password pool's one thread (so two requests never interleave their read
// and write, and Argon2id never runs twice at once); the engagement then re-reads the agents at
// once.
#include <fmt/format.h>

#include <boost/asio/post.hpp>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "core/json.hpp"
#include "core/password.hpp"
#include "hub/agent_fields.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

bj::object record_json(const store::AgentRecord& a) {
  bj::object o = agent_json(a);
  o["created"] = format_iso8601(a.created);
  o["updated"] = format_iso8601(a.updated);
  o["disabled"] = a.disabled;
  return o;
}

store::AuditRecord audit_record(const Clock& clock, const std::string& actor, std::string action,
                                const bj::object& detail) {
  store::AuditRecord r;
  r.time = clock.now();
  r.actor = actor;
  r.action = std::move(action);
  r.detail_json = json::dump(detail);
  return r;
}

// A store error as the API's: a missing agent is 404, a store that cannot answer 503.
Error store_error(const Error& e, const std::string& id) {
  if (e.code == ErrorCode::kNotFound) {
    return make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", id));
  }
  return e.code == ErrorCode::kIo ? make_error(ErrorCode::kUnavailable, e.message) : e;
}

// The id in the path: 400 unless it is a valid agent id.
Result<std::string> path_agent(const server::Request& request) {
  std::string id(request.param("id"));
  if (Status s = hub::check_agent_id(id); !s.ok()) {
    return s.error();
  }
  return id;
}

}  // namespace

Result<Session> AgentChannel::Impl::admit_agent_admin(const server::Request& request,
                                                      boost::json::object* body) const {
  auto session = admit(request, body);
  if (session.ok() && session->actor.role != hub::Role::kAdmin) {
    return make_error(ErrorCode::kForbidden, "only admins may manage agents");
  }
  return session;
}

Result<AgentChannel::Impl::AdminOnAgent> AgentChannel::Impl::admit_admin_on_agent(
    const server::Request& request, boost::json::object* body) const {
  auto session = admit_agent_admin(request, body);
  if (!session.ok()) {
    return session.error();
  }
  auto id = path_agent(request);
  if (!id.ok()) {
    return id.error();
  }
  return AdminOnAgent{session->actor.agent_id, std::move(*id)};
}

void AgentChannel::Impl::list_agents(const server::Request& request, server::Responder responder) {
  auto session = admit_agent_admin(request, nullptr);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  boost::asio::post(io, [this, responder = std::move(responder)] {
    auto agents = store.list_agents();
    if (!agents.ok()) {
      responder.send(error_response(store_error(agents.error(), "")));
      return;
    }
    bj::array list;
    for (const auto& a : *agents) {
      list.emplace_back(record_json(a));
    }
    responder.send(ok_json(bj::object{{"agents", std::move(list)}}));
  });
}

void AgentChannel::Impl::change_agents(store::WriteBatch batch, bj::object answer,
                                       const server::Responder& responder) {
  if (Status s = store.write(std::move(batch)); !s.ok()) {
    responder.send(error_response(store_error(s.error(), "")));
    return;
  }
  engagement.refresh_agents();
  responder.send(answer.empty() ? no_content() : ok_json(std::move(answer)));
}

void AgentChannel::Impl::add_agent(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit_agent_admin(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto fields = parse_agent_fields(body, true);
  if (!fields.ok()) {
    responder.send(error_response(fields.error()));
    return;
  }
  boost::asio::post(password_pool, [this, actor = session->actor.agent_id, f = std::move(*fields),
                                    responder = std::move(responder)]() mutable {
    auto existing = store.get_agent(f.id);
    if (existing.ok()) {
      responder.send(error_response(
          make_error(ErrorCode::kConflict,
                     fmt::format("agent '{}' exists (PUT /agents/{}/password resets its password)",
                                 f.id, f.id))));
      return;
    }
    if (existing.error().code != ErrorCode::kNotFound) {
      responder.send(error_response(store_error(existing.error(), f.id)));
      return;
    }
    auto hash = hash_password(f.password);
    if (!hash.ok()) {
      responder.send(error_response(hash.error()));
      return;
    }
    store::AgentRecord r;
    r.id = f.id;
    r.display_name = f.display_name.value_or(f.id);
    r.role = f.role.value_or("agent");
    r.skills = f.skills.value_or(std::vector<std::string>{});
    r.capacity = f.capacity.value_or(1);
    r.password_hash = std::move(*hash);
    r.created = r.updated = clock.now();
    store::WriteBatch batch;
    batch.put_agent(r);
    batch.append_audit(
        audit_record(clock, actor, "agent.add", bj::object{{"agentId", r.id}, {"role", r.role}}));
    change_agents(std::move(batch), bj::object{{"agent", record_json(r)}}, responder);
  });
}

void AgentChannel::Impl::update_agent(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto admitted = admit_admin_on_agent(request, &body);
  if (!admitted.ok()) {
    responder.send(error_response(admitted.error()));
    return;
  }
  const std::string actor = admitted->actor;
  std::string id = std::move(admitted->id);
  auto fields = parse_agent_fields(body, false);
  if (!fields.ok()) {
    responder.send(error_response(fields.error()));
    return;
  }
  if (id == actor && fields->role && *fields->role != "admin") {
    responder.send(error_response(
        make_error(ErrorCode::kConflict, "an admin may not take the admin role from itself")));
    return;
  }
  boost::asio::post(password_pool, [this, actor, id = std::move(id), f = std::move(*fields),
                                    responder = std::move(responder)]() mutable {
    auto r = store.get_agent(id);
    if (!r.ok()) {
      responder.send(error_response(store_error(r.error(), id)));
      return;
    }
    bj::array changed;
    if (f.display_name) {
      r->display_name = *f.display_name;
      changed.emplace_back("displayName");
    }
    if (f.role) {
      r->role = *f.role;
      changed.emplace_back("role");
    }
    if (f.skills) {
      r->skills = *f.skills;
      changed.emplace_back("skills");
    }
    if (f.capacity) {
      r->capacity = *f.capacity;
      changed.emplace_back("capacity");
    }
    r->updated = clock.now();
    store::WriteBatch batch;
    batch.put_agent(*r);
    batch.append_audit(audit_record(clock, actor, "agent.update",
                                    bj::object{{"agentId", id}, {"fields", std::move(changed)}}));
    change_agents(std::move(batch), bj::object{{"agent", record_json(*r)}}, responder);
  });
}

void AgentChannel::Impl::reset_password(const server::Request& request,
                                        server::Responder responder) {
  bj::object body;
  auto admitted = admit_admin_on_agent(request, &body);
  if (!admitted.ok()) {
    responder.send(error_response(admitted.error()));
    return;
  }
  const std::string actor = admitted->actor;
  std::string id = std::move(admitted->id);
  auto password = parse_new_password(body);
  if (!password.ok()) {
    responder.send(error_response(password.error()));
    return;
  }
  boost::asio::post(
      password_pool, [this, actor, id = std::move(id), password = std::move(*password),
                      responder = std::move(responder)]() mutable {
        auto r = store.get_agent(id);
        if (!r.ok()) {
          responder.send(error_response(store_error(r.error(), id)));
          return;
        }
        auto hash = hash_password(password);
        if (!hash.ok()) {
          responder.send(error_response(hash.error()));
          return;
        }
        r->password_hash = std::move(*hash);
        r->updated = clock.now();
        store::WriteBatch batch;
        batch.put_agent(*r);
        batch.append_audit(
            audit_record(clock, actor, "agent.password_reset", bj::object{{"agentId", id}}));
        change_agents(std::move(batch), bj::object{}, responder);
      });
}

void AgentChannel::Impl::remove_agent(const server::Request& request, server::Responder responder) {
  auto admitted = admit_admin_on_agent(request, nullptr);
  if (!admitted.ok()) {
    responder.send(error_response(admitted.error()));
    return;
  }
  const std::string actor = admitted->actor;
  std::string id = std::move(admitted->id);
  if (id == actor) {
    responder.send(
        error_response(make_error(ErrorCode::kConflict, "an admin may not remove itself")));
    return;
  }
  boost::asio::post(
      password_pool, [this, actor, id = std::move(id), responder = std::move(responder)]() mutable {
        store::WriteBatch batch;
        batch.delete_agent(id);
        batch.append_audit(audit_record(clock, actor, "agent.remove", bj::object{{"agentId", id}}));
        Status s = store.write(std::move(batch));
        if (!s.ok()) {
          responder.send(error_response(store_error(s.error(), id)));
          return;
        }
        engagement.refresh_agents();
        responder.send(no_content());
      });
}

void AgentChannel::Impl::set_agent_disabled(const server::Request& request,
                                            server::Responder responder, bool disabled) {
  auto admitted = admit_admin_on_agent(request, nullptr);
  if (!admitted.ok()) {
    responder.send(error_response(admitted.error()));
    return;
  }
  const std::string actor = admitted->actor;
  std::string id = std::move(admitted->id);
  if (disabled && id == actor) {
    responder.send(
        error_response(make_error(ErrorCode::kConflict, "an admin may not disable itself")));
    return;
  }
  boost::asio::post(password_pool, [this, actor, disabled, id = std::move(id),
                                    responder = std::move(responder)]() mutable {
    auto r = store.get_agent(id);
    if (!r.ok()) {
      responder.send(error_response(store_error(r.error(), id)));
      return;
    }
    r->disabled = disabled;
    r->updated = clock.now();
    store::WriteBatch batch;
    batch.put_agent(*r);
    batch.append_audit(audit_record(clock, actor, disabled ? "agent.disable" : "agent.enable",
                                    bj::object{{"agentId", id}}));
    change_agents(std::move(batch), bj::object{{"agent", record_json(*r)}}, responder);
  });
}

void AgentChannel::Impl::set_agent_presence(const server::Request& request,
                                            server::Responder responder) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (!session->supervisor()) {
    responder.send(error_response(make_error(
        ErrorCode::kForbidden, "only supervisors and admins may set another agent's presence")));
    return;
  }
  auto id = path_agent(request);
  if (!id.ok()) {
    responder.send(error_response(id.error()));
    return;
  }
  auto presence = parse_presence_body(body);
  if (!presence.ok()) {
    responder.send(error_response(presence.error()));
    return;
  }
  const hub::Presence p = *presence;
  const std::string actor = session->actor.agent_id;
  engagement.set_agent_presence(
      session->actor, *id, p,
      [this, actor, id = *id, p, responder = std::move(responder)](const Result<bool>& r) {
        if (!r.ok()) {
          responder.send(error_response(r.error()));
          return;
        }
        audited(actor, "agent.presence", "",
                bj::object{{"agentId", id}, {"presence", hub::to_string(p)}},
                bj::object{{"agentId", id}, {"presence", hub::to_string(p)}}, responder);
      });
}

}  // namespace baton::agent
