// DirectLineChannel: construction, route table, and the helpers every handler shares (auth,
// tokens, URLs, errors, rate limiting).
#include "channels/directline/directline.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>

#include "channels/directline/channel_impl.hpp"
#include "core/json.hpp"
#include "server/static_files.hpp"

namespace baton::directline {
namespace {

namespace bj = boost::json;
using server::http::status;
using server::http::verb;

server::RateLimiter::Options limiter_options(double per_minute) {
  server::RateLimiter::Options o;
  o.rate_per_second = std::max(per_minute, 1.0) / 60.0;
  o.burst = std::max(per_minute / 10.0, 20.0);
  return o;
}

server::RateLimiter::Options session_limiter_options(double per_minute) {
  server::RateLimiter::Options o;
  o.rate_per_second = std::max(per_minute, 1.0) / 60.0;
  o.burst = std::max(per_minute / 3.0, 5.0);
  return o;
}

}  // namespace

server::Response error_response(const Error& error) {
  return server::error_response(error, {.unauthorized = "BadToken", .no_space_is_507 = true});
}

Result<std::optional<std::uint64_t>> parse_watermark(const server::Request& request) {
  const auto text = request.query_value("watermark");
  if (!text || text->empty()) {
    return std::optional<std::uint64_t>{};
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return make_error(ErrorCode::kInvalidArgument, "BadArgument",
                      "watermark must be a non-negative integer");
  }
  return std::optional<std::uint64_t>{value};
}

Status check_customer_activity(const activity::Activity& a) {
  std::string name = a.name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (name.starts_with("baton.") || name.starts_with("handoff.")) {
    return make_error(ErrorCode::kInvalidArgument, "BadArgument",
                      fmt::format("name: '{}' is reserved for the server (baton.*, handoff.*)",
                                  a.name.substr(0, 64)));
  }
  for (std::size_t i = 0; i < a.attachments.size(); ++i) {
    for (const auto& [field, url] : {std::pair{"contentUrl", &a.attachments[i].content_url},
                                     std::pair{"thumbnailUrl", &a.attachments[i].thumbnail_url}}) {
      if (url->empty()) {
        continue;
      }
      auto parsed = boost::urls::parse_absolute_uri(*url);
      const bool web =
          parsed && (boost::urls::string_to_scheme(parsed->scheme()) == boost::urls::scheme::http ||
                     boost::urls::string_to_scheme(parsed->scheme()) == boost::urls::scheme::https);
      if (!web) {
        return make_error(
            ErrorCode::kInvalidArgument, "BadArgument",
            fmt::format("attachments[{}].{}: only http: and https: URLs are accepted", i, field));
      }
    }
  }
  return {};
}

bool is_conversation_id(std::string_view id) {
  return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
         });
}

Result<bj::object> parse_object_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return bj::object{};
  }
  auto parsed = json::parse(body);
  if (!parsed.ok()) {
    return make_error(ErrorCode::kParse, "MalformedJson", parsed.error().message);
  }
  if (!parsed->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "BadArgument", "the body must be a JSON object");
  }
  return std::move(parsed->as_object());
}

Result<std::pair<std::string, std::string>> user_from_body(const bj::object& body) {
  std::pair<std::string, std::string> user;
  const bj::value* u = body.if_contains("user");
  if (u == nullptr || u->is_null()) {
    return user;
  }
  if (!u->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "BadArgument", "user must be an object");
  }
  for (auto [key, out] : {std::pair{"id", &user.first}, std::pair{"name", &user.second}}) {
    const bj::value* v = u->as_object().if_contains(key);
    if (v == nullptr || v->is_null()) {
      continue;
    }
    if (!v->is_string() || v->as_string().size() > 256) {
      return make_error(ErrorCode::kInvalidArgument, "BadArgument",
                        fmt::format("user.{} must be a string of at most 256 "
                                    "characters",
                                    key));
    }
    *out = std::string(v->as_string());
  }
  return user;
}

DirectLineChannel::Impl::Impl(engine::Engine& engine_ref, store::Store& store_ref,
                              const Clock& clock_ref, DirectLineOptions options_value)
    : engine(engine_ref),
      store(store_ref),
      clock(clock_ref),
      options(std::move(options_value)),
      signer(options.secret),
      limiter(limiter_options(options.rate_limit_per_minute), clock_ref),
      sessions(session_limiter_options(options.session_rate_limit_per_minute), clock_ref) {}

Result<Caller> DirectLineChannel::Impl::authenticate(const server::Request& request,
                                                     std::string_view conversation_id) const {
  if (!request.header("Authorization")) {
    return make_error(ErrorCode::kUnauthorized, "MissingAuthorization",
                      "send Authorization: Bearer <secret or token>");
  }
  const auto bearer = request.bearer_token();
  if (!bearer || bearer->empty()) {
    return make_error(ErrorCode::kUnauthorized, "BadToken",
                      "the Authorization header is not 'Bearer <secret or token>'");
  }
  if (signer.is_secret(*bearer)) {
    return Caller{true, {}};
  }
  return authenticate_token(*bearer, conversation_id);
}

Result<Caller> DirectLineChannel::Impl::authenticate_token(std::string_view token,
                                                           std::string_view conversation_id) const {
  auto claims = signer.verify(token, clock.now());
  if (!claims.ok()) {
    return claims.error();
  }
  if (!conversation_id.empty() && claims->conversation_id != conversation_id) {
    return make_error(ErrorCode::kForbidden, "Forbidden",
                      "the token belongs to another conversation");
  }
  return Caller{false, std::move(*claims)};
}

std::string DirectLineChannel::Impl::issue(const std::string& conversation_id,
                                           const std::string& user_id) const {
  return signer.sign({conversation_id, user_id, clock.now() + options.token_ttl});
}

std::string DirectLineChannel::Impl::stream_origin(const server::Request& request) const {
  if (options.stream_url_from_public_url) {
    const std::string url = options.public_url->get();
    return url.starts_with("https://") ? "wss://" + url.substr(8)
                                       : "ws://" + url.substr(url.find("://") + 3);
  }
  const bool tls = request.header("X-Forwarded-Proto").value_or("") == "https";
  const std::string_view host = request.header("Host").value_or("localhost");
  return fmt::format("{}://{}", tls ? "wss" : "ws", host);
}

std::string DirectLineChannel::Impl::stream_url(const server::Request& request,
                                                const std::string& conversation_id,
                                                const std::string& token,
                                                std::optional<std::uint64_t> watermark) const {
  std::string url = fmt::format("{}/v3/directline/conversations/{}/stream?", stream_origin(request),
                                conversation_id);
  if (watermark) {
    url += fmt::format("watermark={}&", *watermark);
  }
  url += "t=" + token;
  return url;
}

std::optional<server::Response> DirectLineChannel::Impl::rate_limited(
    const std::string& conversation_id) {
  const auto decision = limiter.acquire(conversation_id);
  if (decision.allowed) {
    return std::nullopt;
  }
  return server::too_many_requests(decision.retry_after);
}

std::optional<server::Response> DirectLineChannel::Impl::session_limited(
    const server::Request& request) {
  if (options.session_rate_limit_per_minute <= 0) {
    return std::nullopt;
  }
  const auto decision = sessions.acquire(request.remote_address);
  if (decision.allowed) {
    return std::nullopt;
  }
  return server::too_many_requests(decision.retry_after);
}

std::optional<server::Response> DirectLineChannel::Impl::admit_credential(
    const server::Request& head) const {
  if (auto caller = authenticate(head, {}); !caller.ok()) {
    return error_response(caller.error());
  }
  return std::nullopt;
}

std::optional<server::Response> DirectLineChannel::Impl::admit_conversation(
    const server::Request& head) const {
  if (auto caller = authenticate(head, head.param("id")); !caller.ok()) {
    return error_response(caller.error());
  }
  return std::nullopt;
}

std::optional<server::Response> DirectLineChannel::Impl::admit_new_conversation(
    const server::Request& head) {
  auto caller = authenticate(head, {});
  if (!caller.ok()) {
    return error_response(caller.error());
  }
  return caller->secret ? std::nullopt : session_limited(head);
}

std::optional<server::Response> DirectLineChannel::Impl::admit_session(
    const server::Request& head) {
  return session_limited(head);
}

std::variant<Caller, server::Response> DirectLineChannel::Impl::admit_write(
    const server::Request& request, const std::string& conversation_id) {
  auto caller = authenticate(request, conversation_id);
  if (!caller.ok()) {
    return error_response(caller.error());
  }
  if (auto limited = rate_limited(conversation_id)) {
    return std::move(*limited);
  }
  return std::move(*caller);
}

Result<DirectLineChannel::Impl::ReadAccess> DirectLineChannel::Impl::admit_read(
    const server::Request& request, const std::string& conversation_id) const {
  auto caller = authenticate(request, conversation_id);
  if (!caller.ok()) {
    return caller.error();
  }
  auto watermark = parse_watermark(request);
  if (!watermark.ok()) {
    return watermark.error();
  }
  return ReadAccess{std::move(*caller), *watermark};
}

DirectLineChannel::DirectLineChannel(engine::Engine& engine, store::Store& store,
                                     const Clock& clock, DirectLineOptions options)
    : impl_(std::make_shared<Impl>(engine, store, clock, std::move(options))) {}

DirectLineChannel::~DirectLineChannel() = default;

Status DirectLineChannel::register_routes(server::Router& router) {
  if (impl_->options.secret.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "directline: the secret must not be empty");
  }
  impl_->uploads = impl_->options.uploads;
  if (!impl_->uploads) {
    auto uploads =
        store::UploadFiles::open(impl_->options.uploads_dir, impl_->options.upload_limits);
    if (!uploads.ok()) {
      return uploads.error();
    }
    impl_->uploads = std::move(*uploads);
  }
  Impl* self = impl_.get();
  const std::string base = "/v3/directline";
  const std::string conv = base + "/conversations/{id}";
  auto admitted = [](server::Admission admit, std::optional<std::size_t> max_body = {}) {
    server::RouteOptions route;
    route.admit = std::move(admit);
    route.max_body_bytes = max_body;
    return route;
  };
  const server::RouteOptions credential =
      admitted([self](const server::Request& r) { return self->admit_credential(r); });
  const server::RouteOptions for_conversation =
      admitted([self](const server::Request& r) { return self->admit_conversation(r); });
  Status results[] = {
      router.add(
          verb::post, base + "/tokens/generate",
          [self](const server::Request& r) { return self->generate_token(r); }, credential),
      router.add(
          verb::post, base + "/tokens/refresh",
          [self](const server::Request& r) { return self->refresh_token(r); }, credential),
      router.add_async(
          verb::post, base + "/conversations",
          [self](const server::Request& r, server::Responder out) {
            self->start_conversation(r, std::move(out));
          },
          admitted([self](const server::Request& r) { return self->admit_new_conversation(r); })),
      router.add(verb::get, conv, [self](const server::Request& r) { return self->reconnect(r); }),
      router.add_async(
          verb::post, conv + "/activities",
          [self](const server::Request& r, server::Responder out) {
            self->post_activity(r, std::move(out));
          },
          for_conversation),
      router.add(verb::get, conv + "/activities",
                 [self](const server::Request& r) { return self->poll(r); }),
      router.add_async(
          verb::post, conv + "/upload",
          [self](const server::Request& r, server::Responder out) {
            self->upload(r, std::move(out));
          },
          admitted([self](const server::Request& r) { return self->admit_conversation(r); },
                   impl_->options.max_upload_bytes)),
      router.add(verb::get, conv + "/files/{name}",
                 [self](const server::Request& r) { return self->serve_file(r); }),
      router.add_websocket(conv + "/stream",
                           [self](const server::Request& r) { return self->open_stream(r); }),
      router.add(verb::get, base + "/session/getsessionid",
                 [](const server::Request&) {
                   return server::json_response(status::ok, bj::object{{"sessionId", ""}});
                 }),
      router.add(
          verb::post, "/api/directline/token",
          [self](const server::Request& r) { return self->test_page_token(r); },
          admitted([self](const server::Request& r) { return self->admit_session(r); })),
      router.add_async(verb::get, "/api/conversations/{id}/handoffs",
                       [self](const server::Request& r, server::Responder out) {
                         self->list_handoffs(r, std::move(out));
                       }),
      router.add_async(verb::get, "/api/conversations/{id}",
                       [self](const server::Request& r, const server::Responder& out) {
                         self->conversation_status(r, out);
                       }),
  };
  for (auto& s : results) {
    if (!s.ok()) {
      return s;
    }
  }
  const auto& page = impl_->options.test_page;
  if (!page.empty() && std::filesystem::is_regular_file(page)) {
    // The page's own inline script is allowed by its hash, nothing else inline; Web Chat injects
    // its styles, and shows images that bots and customers link from elsewhere (https only). A
    // file the customer attaches is read back from its blob: URL before DirectLineJS uploads it,
    // and image thumbnails are drawn in a worker made from a blob: URL.
    std::ifstream in(page, std::ios::binary);
    const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    server::StaticFilesOptions served;
    served.content_security_policy =
        server::page_policy(impl_->options.frame_ancestors, server::inline_script_hashes(html),
                            {"'unsafe-inline'"}, {"blob:", "https:"}, {"blob:"}, {"blob:"});
    if (Status s = router.add(verb::get, "/", server::static_file(page, served)); !s.ok()) {
      return s;
    }
  } else if (!page.empty()) {
    spdlog::warn("directline: test page {} not found; GET / is not served", page.string());
  }
  const auto& bundle = impl_->options.webchat_bundle;
  if (!bundle.empty() && std::filesystem::is_regular_file(bundle)) {
    if (Status s = router.add(verb::get, "/webchat/webchat.js", server::static_file(bundle));
        !s.ok()) {
      return s;
    }
  } else if (!bundle.empty()) {
    spdlog::warn("directline: Web Chat bundle {} not found (run `npm ci` in web/)",
                 bundle.string());
  }
  return {};
}

}  // namespace baton::directline
