#include "channels/botframework/connector.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <deque>
#include <unordered_map>

#include "core/clock.hpp"
#include "dialog/handoff.hpp"
#include "server/http.hpp"
#include "server/http_client.hpp"
#include "server/rate_limiter.hpp"

namespace baton::botframework {

namespace asio = boost::asio;
namespace bj = boost::json;
using server::http::status;

namespace {

constexpr std::size_t kMaxActivityIdLength = 256;

server::Response error_response(const Error& error) { return server::error_response(error); }

bool is_loopback(std::string_view address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

// Whether a proxy relayed the request: a reverse proxy on Baton's host makes every caller's
// address loopback, but adds one of these headers; the Bot Framework SDK sends none of them.
bool relayed(const server::Request& head) {
  const auto& m = head.message;
  return m.find("X-Forwarded-For") != m.end() ||
         m.find(boost::beast::http::field::forwarded) != m.end() || m.find("X-Real-IP") != m.end();
}

bool is_2xx(int code) { return code >= 200 && code < 300; }

constexpr std::size_t kMaxTokenRequestBytes = 4096;

// An RFC 6749 §5.2 error of the token endpoint.
server::Response oauth_error(status code, std::string_view error, std::string_view description) {
  server::Response r =
      server::json_response(code, bj::object{{"error", error}, {"error_description", description}});
  r.headers.set(server::http::field::cache_control, "no-store");
  if (code == status::unauthorized) {
    r.headers.set(server::http::field::www_authenticate, "Basic realm=\"baton\"");
  }
  return r;
}

// The percent-decoded form of `text` (RFC 6749 §2.3.1 encodes the client id and secret before
// Basic); nullopt when it is not valid percent-encoding.
std::optional<std::string> form_decoded(std::string_view text) {
  auto view = boost::urls::make_pct_string_view(text);
  if (!view) {
    return std::nullopt;
  }
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return view->decode(opts);
}

// client_id and client_secret of an `Authorization: Basic` value.
std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view value) {
  constexpr std::string_view kScheme = "Basic ";
  if (value.size() <= kScheme.size() || value.size() > 2048 ||
      value.substr(0, kScheme.size()) != kScheme) {
    return std::nullopt;
  }
  const std::string_view encoded = value.substr(kScheme.size());
  std::string decoded(encoded.size(), '\0');
  std::size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  decoded.resize(size);
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  auto id = form_decoded(std::string_view(decoded).substr(0, colon));
  auto secret = form_decoded(std::string_view(decoded).substr(colon + 1));
  if (!id || !secret) {
    return std::nullopt;
  }
  return std::pair{std::move(*id), std::move(*secret)};
}

}  // namespace

bool is_conversation_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
  });
}

struct Connector::Impl : std::enable_shared_from_this<Connector::Impl> {
  struct Queue {
    std::deque<activity::Activity> waiting;
    bool busy = false;  // a delivery is in flight, or the conversation waits for a slot
  };

  Impl(engine::Engine& e, const asio::any_io_executor& ex, ConnectorOptions o)
      : engine(e),
        executor(ex),
        strand(asio::make_strand(ex)),
        options(std::move(o)),
        endpoint_url(server::parse_http_url(options.endpoint)) {
    client.timeout = options.timeout;
    client.max_response_bytes = options.max_response_bytes;
    if (options.app_auth) {
      auth = std::make_unique<ChannelAuth>(options.app_auth->key, options.app_auth->credentials,
                                           options.service_url);
    }
  }

  // --- on the strand
  void enqueue(activity::Activity a) {
    const std::string id = a.conversation.id;
    Queue& q = queues[id];
    if (q.waiting.size() >= options.max_queued_per_conversation) {
      dropped.add();
      spdlog::warn("bot connector: conversation {}: {} deliveries waiting; dropped a {}", id,
                   q.waiting.size(), a.type);
      return;
    }
    q.waiting.push_back(std::move(a));
    if (!q.busy) {
      q.busy = true;
      schedule(id);
    }
  }

  void schedule(const std::string& id) {
    if (in_flight < options.max_in_flight) {
      start(id);
    } else {
      ready.push_back(id);
    }
  }

  void start(const std::string& id) {
    Queue& q = queues[id];
    activity::Activity a = std::move(q.waiting.front());
    q.waiting.pop_front();
    ++in_flight;
    a.service_url = options.service_url->get();
    server::HttpClientRequest request;
    request.method = "POST";
    request.url = options.endpoint;
    request.body = activity::serialize(a);
    if (auth) {
      request.headers.emplace_back(
          "Authorization", "Bearer " + auth->token_for_bot(std::chrono::system_clock::now()));
    }
    server::http_request(executor, std::move(request), client,
                         [self = shared_from_this(), id,
                          a = std::move(a)](Result<server::HttpClientResponse> result) mutable {
                           asio::post(self->strand,
                                      [self, id, a = std::move(a), result = std::move(result)] {
                                        self->finished(id, a, result);
                                      });
                         });
  }

  void finished(const std::string& id, const activity::Activity& a,
                const Result<server::HttpClientResponse>& result) {
    --in_flight;
    if (result.ok() && is_2xx(result->status)) {
      delivered.add();
    } else {
      failed.add();
      const std::string why = result.ok() ? fmt::format("it answered HTTP {}", result->status)
                                          : fmt::format("{}: {}", to_string(result.error().code),
                                                        result.error().message);
      spdlog::warn("bot connector: conversation {}: delivering {} {} to the bot failed ({})", id,
                   a.type, a.id, why);
      if (a.type == "message") {
        apologise(id);
      }
    }
    Queue& q = queues[id];
    if (q.waiting.empty()) {
      queues.erase(id);
    } else {
      schedule(id);
    }
    while (in_flight < options.max_in_flight && !ready.empty()) {
      std::string next = std::move(ready.front());
      ready.pop_front();
      start(next);
    }
    if (idle()) {
      for (auto& done : std::exchange(drain_waiters, {})) {
        done();
      }
    }
  }

  bool idle() const { return queues.empty() && in_flight == 0; }

  void apologise(const std::string& id) {
    engine::PostNotice notice;
    notice.conversation = id;
    notice.activity = activity::make_message(options.apology_text);
    engine.post_notice(std::move(notice), [id](const Result<engine::PostResult>& r) {
      if (!r.ok()) {
        spdlog::warn("bot connector: conversation {}: the apology was not stored ({})", id,
                     r.error().message);
      }
    });
  }

  // --- Connector API (I/O threads)
  void post_activity(const server::Request& request, const server::Responder& responder) {
    const std::string id(request.param("conversationId"));
    if (!is_conversation_id(id)) {
      responder.send(server::json_error(status::not_found, "NotFound", "no such conversation"));
      return;
    }
    auto parsed = activity::parse(request.body());
    if (!parsed.ok()) {
      responder.send(error_response(parsed.error()));
      return;
    }
    activity::Activity a = std::move(*parsed);
    if (!a.conversation.id.empty() && a.conversation.id != id) {
      responder.send(server::json_error(status::bad_request, "BadArgument",
                                        "conversation.id: does not match the URL"));
      return;
    }
    const std::string_view reply_to = request.param("activityId");
    if (reply_to.size() > kMaxActivityIdLength) {
      responder.send(
          server::json_error(status::bad_request, "BadArgument", "activityId: too long"));
      return;
    }
    if (a.reply_to_id.empty()) {
      a.reply_to_id = std::string(reply_to);
    }
    if (transcript_to_fetch(a) != nullptr) {
      fetch_transcript(std::move(a),
                       [self = shared_from_this(), id, responder](activity::Activity resolved) {
                         self->submit(id, std::move(resolved), responder);
                       });
      return;
    }
    submit(id, std::move(a), responder);
  }

  void submit(const std::string& id, activity::Activity a, const server::Responder& responder) {
    engine.post_bot_reply(
        {id, std::move(a)}, [self = shared_from_this(), responder](Result<engine::PostResult> r) {
          if (!r.ok()) {
            responder.send(error_response(r.error()));
            return;
          }
          self->replies.add();
          responder.send(server::json_response(status::ok, bj::object{{"id", r->id}}));
        });
  }

  // The Transcript attachment of a handoff.initiate that names its activities by contentUrl
  // instead of carrying them; nullptr otherwise.
  static activity::Attachment* transcript_to_fetch(activity::Activity& a) {
    if (a.type != "event" || a.name != "handoff.initiate") {
      return nullptr;
    }
    const activity::Attachment* found = dialog::find_transcript_attachment(a);
    if (found == nullptr || !found->content.is_null() || found->content_url.empty()) {
      return nullptr;
    }
    // The attachment is one of `a`'s own: give it back writable.
    return &a.attachments[static_cast<std::size_t>(found - a.attachments.data())];
  }

  static void drop_transcript(activity::Activity& a, std::string_view why) {
    spdlog::warn(
        "bot connector: conversation {}: the handoff's transcript was not fetched ({}); the "
        "conversation's log stands in",
        a.conversation.id, why);
    std::erase_if(a.attachments, [](const activity::Attachment& x) {
      return x.content.is_null() && boost::algorithm::iequals(x.name, "Transcript");
    });
  }

  // Fetches the transcript `a` names by contentUrl into the attachment's content, then calls
  // `then` (on an I/O thread). Only a URL with the bot's endpoint's scheme, host and port is
  // fetched (GET, bounded in time and size, with Baton's bearer token when authenticated). When it
  // cannot be had, the attachment is dropped: the handoff goes on, its transcript taken from the
  // log.
  void fetch_transcript(activity::Activity a, std::function<void(activity::Activity)> then) {
    const std::string url = transcript_to_fetch(a)->content_url;
    auto target = server::parse_http_url(url);
    if (!endpoint_url.ok() || !target.ok() || endpoint_url->tls != target->tls ||
        !boost::algorithm::iequals(endpoint_url->host, target->host) ||
        endpoint_url->port != target->port) {
      drop_transcript(a, "its contentUrl is not on the bot's endpoint's host and port");
      then(std::move(a));
      return;
    }
    server::HttpClientRequest request;
    request.method = "GET";
    request.url = url;
    request.content_type.clear();
    if (auth) {
      request.headers.emplace_back(
          "Authorization", "Bearer " + auth->token_for_bot(std::chrono::system_clock::now()));
    }
    server::HttpClientOptions fetch = client;
    fetch.max_response_bytes = options.max_transcript_bytes;
    server::http_request(
        executor, std::move(request), fetch,
        [a = std::move(a),
         then = std::move(then)](Result<server::HttpClientResponse> result) mutable {
          std::string why;
          bj::value activities;
          if (!result.ok()) {
            why = result.error().message;
          } else if (!is_2xx(result->status)) {
            why = fmt::format("it answered HTTP {}", result->status);
          } else {
            boost::system::error_code ec;
            bj::value body = bj::parse(result->body, ec);
            if (!ec && body.is_object() && body.as_object().contains("activities") &&
                body.at("activities").is_array()) {
              activities = std::move(body.as_object()["activities"]);
            } else if (!ec && body.is_array()) {
              activities = std::move(body);
            } else {
              why = "not a transcript: expected {\"activities\": [...]}";
            }
          }
          if (why.empty()) {
            activity::Attachment* attachment = transcript_to_fetch(a);
            attachment->content = bj::object{{"activities", std::move(activities)}};
            attachment->content_url.clear();
          } else {
            drop_transcript(a, why);
          }
          then(std::move(a));
        });
  }

  void members(const server::Request& request, const server::Responder& responder) {
    const std::string id(request.param("conversationId"));
    if (!is_conversation_id(id)) {
      responder.send(server::json_error(status::not_found, "NotFound", "no such conversation"));
      return;
    }
    engine.status(id, [self = shared_from_this(), responder](Result<engine::ConversationStatus> s) {
      if (!s.ok()) {
        responder.send(error_response(s.error()));
        return;
      }
      const auto& bot = self->engine.bot()->bot();
      bj::array list{bj::object{{"id", s->user_id}, {"role", "user"}},
                     bj::object{{"id", bot.id}, {"name", bot.name}, {"role", "bot"}}};
      responder.send(server::json_response(status::ok, list));
    });
  }

  std::optional<server::Response> admit(const server::Request& head) const {
    if (auth) {
      const auto it = head.message.find(server::http::field::authorization);
      const std::string_view value =
          it == head.message.end() ? std::string_view{} : std::string_view(it->value());
      Status checked = auth->check_bearer(value, std::chrono::system_clock::now());
      if (checked.ok()) {
        return std::nullopt;
      }
      server::Response r =
          server::json_error(status::unauthorized, "Unauthorized", checked.error().message);
      r.headers.set(server::http::field::www_authenticate, "Bearer");
      return r;
    }
    const std::string& from = head.remote_address;
    if (relayed(head)) {
      return server::json_error(status::forbidden, "Forbidden",
                                "the Connector API does not answer requests relayed by a proxy");
    }
    if (is_loopback(from) ||
        std::find(options.allowed_callers.begin(), options.allowed_callers.end(), from) !=
            options.allowed_callers.end()) {
      return std::nullopt;
    }
    return server::json_error(status::forbidden, "Forbidden",
                              "the Connector API answers only the bot's own address");
  }

  // --- the token endpoint (I/O threads), after admit_token_request
  void issue_token(const server::Request& request, const server::Responder& responder) const {
    const std::string_view body = request.body();
    auto params = boost::urls::parse_query(body);
    if (!params) {
      responder.send(oauth_error(status::bad_request, "invalid_request", "the body is not a form"));
      return;
    }
    std::optional<std::string> grant;
    std::optional<std::string> scope;
    boost::urls::encoding_opts form;
    form.space_as_plus = true;
    for (const auto& p : *params) {
      const std::string key = p.key.decode(form);
      if (key == "grant_type") {
        grant = p.value.decode(form);
      } else if (key == "scope") {
        scope = p.value.decode(form);
      }
    }
    if (!grant) {
      responder.send(oauth_error(status::bad_request, "invalid_request", "grant_type is missing"));
      return;
    }
    if (*grant != "client_credentials") {
      responder.send(oauth_error(status::bad_request, "unsupported_grant_type",
                                 "only client_credentials is supported"));
      return;
    }
    const std::string issuer = auth->issuer();
    if (scope && *scope != issuer && *scope != issuer + "/.default") {
      responder.send(
          oauth_error(status::bad_request, "invalid_scope",
                      "the scope is this server's service URL (ToChannelFromBotOAuthScope)"));
      return;
    }
    const auto lifetime = ChannelAuth::kTokenLifetime.count();
    server::Response r = server::json_response(
        status::ok,
        bj::object{{"token_type", "Bearer"},
                   {"expires_in", lifetime},
                   {"ext_expires_in", lifetime},
                   {"access_token", auth->token_for_channel(std::chrono::system_clock::now())}});
    r.headers.set(server::http::field::cache_control, "no-store");
    responder.send(std::move(r));
  }

  std::optional<server::Response> admit_token_request(const server::Request& head) {
    if (auto d = token_attempts.acquire(head.remote_address); !d.allowed) {
      return server::too_many_requests(d.retry_after);
    }
    const auto it = head.message.find(server::http::field::authorization);
    if (it == head.message.end()) {
      return oauth_error(status::unauthorized, "invalid_client",
                         "the app id and password are required (HTTP Basic)");
    }
    auto credentials = basic_credentials(std::string_view(it->value()));
    if (!credentials || !auth->is_bot(credentials->first, credentials->second)) {
      spdlog::warn("bot connector: a token request from {} with wrong credentials",
                   head.remote_address);
      return oauth_error(status::unauthorized, "invalid_client", "wrong app id or password");
    }
    return std::nullopt;
  }

  engine::Engine& engine;
  asio::any_io_executor executor;
  asio::strand<asio::any_io_executor> strand;
  ConnectorOptions options;
  Result<server::HttpUrl> endpoint_url;
  server::HttpClientOptions client;
  std::unique_ptr<ChannelAuth> auth;  // null: anonymous
  std::unordered_map<std::string, Queue> queues;
  std::deque<std::string> ready;
  std::size_t in_flight = 0;
  std::vector<std::function<void()>> drain_waiters;  // drain(): called when idle()
  metrics::Counter delivered;
  metrics::Counter failed;
  metrics::Counter dropped;
  metrics::Counter replies;
  SystemClock clock;
  // Token requests per client address: a bot asks about once an hour.
  server::RateLimiter token_attempts{{.rate_per_second = 0.2, .burst = 10.0, .max_keys = 10000},
                                     clock};
};

Connector::Connector(engine::Engine& engine, const asio::any_io_executor& executor,
                     ConnectorOptions options)
    : impl_(std::make_shared<Impl>(engine, executor, std::move(options))) {}

Connector::~Connector() = default;

void Connector::deliver(const activity::Activity& activity) {
  asio::post(impl_->strand,
             [impl = impl_, a = activity]() mutable { impl->enqueue(std::move(a)); });
}

void Connector::drain(std::function<void()> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)]() mutable {
    if (impl->idle()) {
      done();
    } else {
      spdlog::info("bot connector: stopping; {} conversation(s) with deliveries still to make",
                   impl->queues.size());
      impl->drain_waiters.push_back(std::move(done));
    }
  });
}

Status Connector::register_routes(server::Router& router) {
  server::RouteOptions route;
  route.max_body_bytes = impl_->options.max_body_bytes;
  route.cors = false;  // the bot calls from a server, never from a browser
  route.while_stopping = true;
  route.admit = [impl = impl_](const server::Request& head) { return impl->admit(head); };
  auto post = [impl = impl_](const server::Request& request, const server::Responder& responder) {
    impl->post_activity(request, responder);
  };
  auto not_supported = [](const server::Request&, const server::Responder& responder) {
    responder.send(server::json_error(status::method_not_allowed, "NotSupported",
                                      "Baton's conversation log is append-only: activities cannot "
                                      "be updated or deleted"));
  };
  auto members = [impl = impl_](const server::Request& request,
                                const server::Responder& responder) {
    impl->members(request, responder);
  };
  if (impl_->auth) {
    if (Status s = register_auth_routes(router); !s.ok()) {
      return s;
    }
  }
  const std::string activities = "/v3/conversations/{conversationId}/activities";
  const std::string one = activities + "/{activityId}";
  for (auto [verb, pattern, handler] :
       std::vector<std::tuple<server::http::verb, std::string, server::AsyncHandler>>{
           {server::http::verb::post, activities, post},
           {server::http::verb::post, one, post},
           {server::http::verb::put, one, not_supported},
           {server::http::verb::delete_, one, not_supported},
           {server::http::verb::get, "/v3/conversations/{conversationId}/members", members}}) {
    if (Status s = router.add_async(verb, pattern, handler, route); !s.ok()) {
      return s;
    }
  }
  return {};
}

Status Connector::register_auth_routes(server::Router& router) {
  server::RouteOptions open;
  open.cors = false;
  open.while_stopping = true;  // a bot validating a delivery made while stopping
  // The two public documents (HTTP caches may keep them an hour).
  for (auto [path, produce] :
       std::vector<std::pair<std::string_view, std::string (ChannelAuth::*)() const>>{
           {kOpenIdConfigurationPath, &ChannelAuth::openid_configuration},
           {kKeysPath, &ChannelAuth::keys}}) {
    auto handler = [impl = impl_, produce = produce](const server::Request&,
                                                     const server::Responder& responder) {
      server::Response r(status::ok, "application/json", ((*impl->auth).*produce)());
      r.headers.set(server::http::field::cache_control, "max-age=3600");
      responder.send(std::move(r));
    };
    if (Status s = router.add_async(server::http::verb::get, std::string(path), handler, open);
        !s.ok()) {
      return s;
    }
  }
  server::RouteOptions token;
  token.cors = false;
  token.while_stopping = true;
  token.max_body_bytes = kMaxTokenRequestBytes;
  token.admit = [impl = impl_](const server::Request& head) {
    return impl->admit_token_request(head);
  };
  return router.add_async(
      server::http::verb::post, std::string(kTokenPath),
      [impl = impl_](const server::Request& request, const server::Responder& responder) {
        impl->issue_token(request, responder);
      },
      token);
}

ConnectorStats Connector::stats() const {
  return {impl_->delivered.value(), impl_->failed.value(), impl_->dropped.value(),
          impl_->replies.value()};
}

}  // namespace baton::botframework
