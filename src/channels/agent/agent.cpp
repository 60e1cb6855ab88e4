// AgentChannel: construction, route table, and what every handler shares (authentication, audit
// records, the hello body, socket tracking for logout).
#include "channels/agent/agent.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "core/json.hpp"
#include "server/static_files.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;
using server::http::status;
using server::http::verb;

server::RateLimiter::Options per_minute(double n) {
  server::RateLimiter::Options o;
  o.rate_per_second = std::max(n, 1.0) / 60.0;
  o.burst = std::max(n, 1.0);
  return o;
}

Error unauthorized(std::string message) {
  return make_error(ErrorCode::kUnauthorized, std::move(message));
}

}  // namespace

std::string revoked_key(const SessionId& session) {
  return "agent.session.revoked." + session_hex(session);
}

server::Response ok_json(const bj::value& value) {
  return server::json_response(status::ok, value);
}

server::Response no_content() {
  return server::Response(status::no_content, "application/json", "");
}

AgentChannel::Impl::Impl(engagement::Engagement& engagement_ref, store::Store& store_ref,
                         const Clock& clock_ref, boost::asio::any_io_executor io_executor,
                         AgentChannelOptions options_value)
    : engagement(engagement_ref),
      store(store_ref),
      clock(clock_ref),
      io(std::move(io_executor)),
      options(std::move(options_value)),
      signer(options.session_key),
      tickets(clock_ref),
      agent_limiter(per_minute(options.logins_per_minute_per_agent), clock_ref),
      address_limiter(per_minute(options.logins_per_minute_per_address), clock_ref) {}

AgentChannel::Impl::~Impl() { password_pool.join(); }

Result<Session> AgentChannel::Impl::authenticate(const server::Request& request) const {
  if (!request.header("Authorization")) {
    return unauthorized("send Authorization: Bearer <session token> (POST /api/agent/login)");
  }
  const auto bearer = request.bearer_token();
  if (!bearer || bearer->empty()) {
    return unauthorized("the Authorization header is not 'Bearer <session token>'");
  }
  return authenticate_token(*bearer);
}

Result<Session> AgentChannel::Impl::authenticate_token(std::string_view token) const {
  auto claims = signer.verify(token, clock.now());
  if (!claims.ok()) {
    return claims.error();
  }
  const std::string key = revoked_key(claims->session);
  {
    std::lock_guard lock(mutex);
    if (revoked.count(key) != 0) {
      return unauthorized("the session was logged out");
    }
  }
  if (auto meta = store.get_meta(key); meta.ok()) {
    std::lock_guard lock(mutex);
    revoked.insert(key);
    return unauthorized("the session was logged out");
  } else if (meta.error().code != ErrorCode::kNotFound) {
    return make_error(ErrorCode::kUnavailable,
                      "the store is not available: " + meta.error().message);
  }
  auto agent = store.get_agent(claims->agent_id);
  if (!agent.ok()) {
    if (agent.error().code == ErrorCode::kNotFound) {
      return unauthorized("the agent no longer exists");
    }
    return make_error(ErrorCode::kUnavailable,
                      "the store is not available: " + agent.error().message);
  }
  if (agent->disabled) {
    return unauthorized("the agent is disabled");
  }
  if (signer.fingerprint(agent->password_hash) != claims->fingerprint) {
    return unauthorized("the password changed; log in again");
  }
  Session session;
  session.actor.agent_id = agent->id;
  session.actor.role = hub::parse_role(agent->role).value_or(hub::Role::kAgent);
  session.claims = std::move(*claims);
  session.agent = std::move(*agent);
  return session;
}

Result<Session> AgentChannel::Impl::admit(const server::Request& request, bj::object* body) const {
  auto session = authenticate(request);
  if (!session.ok() || body == nullptr) {
    return session;
  }
  auto parsed = parse_object(request.body());
  if (!parsed.ok()) {
    return parsed.error();
  }
  *body = std::move(*parsed);
  return session;
}

void AgentChannel::Impl::audit(const std::string& actor, std::string action,
                               std::string conversation_id, bj::object detail,
                               std::function<void(Status)> done) const {
  store::AuditRecord record;
  record.time = clock.now();
  record.actor = actor;
  record.action = std::move(action);
  record.conversation_id = std::move(conversation_id);
  record.detail_json = json::dump(std::move(detail));
  store::WriteBatch batch;
  batch.append_audit(std::move(record));
  auto shared = std::make_shared<std::function<void(Status)>>(std::move(done));
  if (Status s = store.submit(std::move(batch), [shared](Status st) { (*shared)(std::move(st)); });
      !s.ok()) {
    (*shared)(s);
  }
}

void AgentChannel::Impl::hello(const Session& session, engagement::Callback<bj::object> done) {
  engagement.me(session.actor, [agent = agent_json(session.agent), base = files_base(),
                                done = std::move(done)](Result<engagement::Hello> hello) mutable {
    if (!hello.ok()) {
      done(hello.error());
      return;
    }
    bj::object body = hello_json(*hello);
    body["agent"] = std::move(agent);  // the store's record, fresher than the hub's registration
    body["filesBase"] = base;
    done(std::move(body));
  });
}

void AgentChannel::Impl::track_socket(const SessionId& session,
                                      const std::shared_ptr<server::WebSocketSession>& socket) {
  std::lock_guard lock(mutex);
  auto& list = sockets[session_hex(session)];
  std::erase_if(list, [](const auto& weak) { return weak.expired(); });
  list.push_back(socket);
}

void AgentChannel::Impl::close_sockets(const SessionId& session, std::string_view reason) {
  std::vector<std::weak_ptr<server::WebSocketSession>> list;
  {
    std::lock_guard lock(mutex);
    auto it = sockets.find(session_hex(session));
    if (it == sockets.end()) {
      return;
    }
    list = std::move(it->second);
    sockets.erase(it);
  }
  for (const auto& weak : list) {
    if (auto s = weak.lock()) {
      s->close(4001, std::string(reason));
    }
  }
}

AgentChannel::AgentChannel(engagement::Engagement& engagement, store::Store& store,
                           const Clock& clock, boost::asio::any_io_executor io,
                           AgentChannelOptions options)
    : impl_(std::make_shared<Impl>(engagement, store, clock, std::move(io), std::move(options))) {}

AgentChannel::~AgentChannel() = default;

namespace {

using Method = void (AgentChannel::Impl::*)(const server::Request&, server::Responder);
using ConstMethod = void (AgentChannel::Impl::*)(const server::Request&, const server::Responder&);

server::AsyncHandler bind(AgentChannel::Impl* self, Method method) {
  return [self, method](const server::Request& r, server::Responder out) {
    (self->*method)(r, std::move(out));
  };
}

server::AsyncHandler bind(AgentChannel::Impl* self, ConstMethod method) {
  return [self, method](const server::Request& r, const server::Responder& out) {
    (self->*method)(r, out);
  };
}

Status add_console(server::Router& router, const std::filesystem::path& dir,
                   const std::filesystem::path& chart_library) {
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_regular_file(dir / "index.html", ec)) {
    if (!dir.empty()) {
      spdlog::warn("agent console {} not found; /agent is not served", dir.string());
    }
    return {};
  }
  const std::filesystem::path index = dir / "index.html";
  server::RouteOptions same_site;
  same_site.cors = false;
  // The console runs only its own files, and no other site may frame it (clickjacking).
  server::StaticFilesOptions served;
  served.content_security_policy = server::page_policy({});
  // Registered before the console's folder route, which would otherwise match it first.
  if (std::filesystem::is_regular_file(chart_library, ec)) {
    if (Status s = router.add(verb::get, "/agent/vendor/chart.umd.js",
                              server::static_file(chart_library, served), same_site);
        !s.ok()) {
      return s;
    }
  } else if (!chart_library.empty()) {
    spdlog::warn("chart library {} not found (run `npm ci` in web/); Analytics shows no charts",
                 chart_library.string());
  }
  for (const char* path : {"/agent", "/agent/"}) {
    if (Status s = router.add(verb::get, path, server::static_file(index, served), same_site);
        !s.ok()) {
      return s;
    }
  }
  return router.add(verb::get, "/agent/{*path}", server::static_files(dir, served), same_site);
}

}  // namespace

Status AgentChannel::register_routes(server::Router& router) {
  if (impl_->options.session_key.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "agent api: the session key must not be empty");
  }
  Impl* self = impl_.get();
  const std::string base = "/api/agent";
  const std::string conv = base + "/conversations/{id}";
  const std::string offer = base + "/offers/{id}";
  // The agent API is for the console this server serves: no other site's page may call it, so its
  // routes opt out of CORS. Every route but login authenticates on the headers, before a body.
  server::RouteOptions open;
  open.max_body_bytes = kMaxBodyBytes;
  open.cors = false;
  server::RouteOptions limit = open;
  limit.admit = [self](const server::Request& head) -> std::optional<server::Response> {
    if (auto session = self->authenticate(head); !session.ok()) {
      return error_response(session.error());
    }
    return std::nullopt;
  };
  server::RouteOptions files = limit;  // a file: authenticated on the headers, bounded as uploads
  files.max_body_bytes = self->options.max_upload_bytes;
  auto post = [&](const std::string& path, server::AsyncHandler h) {
    return router.add_async(verb::post, path, std::move(h), limit);
  };
  auto get = [&](const std::string& path, server::AsyncHandler h) {
    return router.add_async(verb::get, path, std::move(h), limit);
  };
  Status results[] = {
      router.add_async(verb::post, base + "/login", bind(self, &Impl::login), open),
      post(base + "/logout", bind(self, &Impl::logout)),
      get(base + "/me", bind(self, &Impl::me)),
      router.add_async(verb::put, base + "/presence", bind(self, &Impl::set_presence), limit),
      post(offer + "/accept",
           [self](const server::Request& r, server::Responder o) {
             self->answer_offer(r, std::move(o), true);
           }),
      post(offer + "/decline",
           [self](const server::Request& r, server::Responder o) {
             self->answer_offer(r, std::move(o), false);
           }),
      get(base + "/conversations", bind(self, &Impl::list_conversations)),
      get(conv, bind(self, &Impl::conversation_detail)),
      post(conv + "/messages",
           [self](const server::Request& r, server::Responder o) {
             self->send_message(r, std::move(o), false);
           }),
      post(conv + "/typing",
           [self](const server::Request& r, server::Responder o) {
             self->send_message(r, std::move(o), true);
           }),
      post(conv + "/notes", bind(self, &Impl::add_note)),
      router.add_async(verb::post, conv + "/files", bind(self, &Impl::send_file), files),
      post(conv + "/transfer", bind(self, &Impl::transfer)),
      post(conv + "/end", bind(self, &Impl::end)),
      post(conv + "/wrapup", bind(self, &Impl::wrap_up)),
      post(conv + "/close", bind(self, &Impl::force_close)),
      post(conv + "/whisper",
           [self](const server::Request& r, server::Responder o) {
             self->intervene_message(r, std::move(o), false);
           }),
      post(conv + "/barge",
           [self](const server::Request& r, server::Responder o) {
             self->intervene_message(r, std::move(o), true);
           }),
      post(conv + "/takeover", bind(self, &Impl::take_over)),
      post(conv + "/assign", bind(self, &Impl::assign)),
      get(base + "/agents", bind(self, &Impl::list_agents)),
      post(base + "/agents", bind(self, &Impl::add_agent)),
      router.add_async(verb::patch, base + "/agents/{id}", bind(self, &Impl::update_agent), limit),
      router.add_async(verb::delete_, base + "/agents/{id}", bind(self, &Impl::remove_agent),
                       limit),
      router.add_async(verb::put, base + "/agents/{id}/password", bind(self, &Impl::reset_password),
                       limit),
      post(base + "/agents/{id}/disable",
           [self](const server::Request& r, server::Responder o) {
             self->set_agent_disabled(r, std::move(o), true);
           }),
      post(base + "/agents/{id}/enable",
           [self](const server::Request& r, server::Responder o) {
             self->set_agent_disabled(r, std::move(o), false);
           }),
      router.add_async(verb::put, base + "/agents/{id}/presence",
                       bind(self, &Impl::set_agent_presence), limit),
      get(conv + "/history", bind(self, &Impl::customer_history)),
      get(base + "/history/{conversationId}", bind(self, &Impl::open_history)),
      get(base + "/search", bind(self, &Impl::search)),
      get(base + "/supervisor", bind(self, &Impl::supervisor_view)),
      get(base + "/canned", bind(self, &Impl::list_canned)),
      post(base + "/canned", bind(self, &Impl::create_canned)),
      router.add_async(verb::put, base + "/canned/{id}", bind(self, &Impl::update_canned), limit),
      router.add_async(verb::delete_, base + "/canned/{id}", bind(self, &Impl::delete_canned),
                       limit),
      get(base + "/customers/{userId}/export", bind(self, &Impl::export_customer)),
      get("/api/analytics/summary", bind(self, &Impl::analytics_summary)),
      get("/api/analytics/timeseries", bind(self, &Impl::analytics_series)),
      get("/api/analytics/sessions.csv", bind(self, &Impl::analytics_sessions_csv)),
      router.add_async(verb::delete_, base + "/customers/{userId}",
                       bind(self, &Impl::erase_customer), limit),
      router.add(
          verb::get, base + "/audit",
          [self](const server::Request& r) { return self->audit_log(r); }, limit),
      post(base + "/stream/ticket",
           [self](const server::Request& r, const server::Responder& o) {
             self->stream_ticket(r, o);
           }),
      router.add_websocket(
          base + "/stream", [self](const server::Request& r) { return self->open_stream(r); },
          false),
      add_console(router, impl_->options.console_dir, impl_->options.chart_library),
  };
  for (auto& s : results) {
    if (!s.ok()) {
      return s;
    }
  }
  return {};
}

}  // namespace baton::agent
