#include "server/http_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "server/cors.hpp"
#include "server/websocket_connection.hpp"

namespace baton::server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr std::size_t kLingerMaxBytes = std::size_t{1024} * 1024;
constexpr std::size_t kShrinkBufferAbove = std::size_t{16} * 1024;

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_method).category();
}

Response internal_error() {
  return json_error(http::status::internal_server_error, "ServiceError",
                    "The server failed to handle the request");
}

template <class F>
Response guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    spdlog::error("server: {} handler threw: {}", what, e.what());
  } catch (...) {
    spdlog::error("server: {} handler threw a non-std exception", what);
  }
  return internal_error();
}

}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket&& socket,
                               std::shared_ptr<ServerContext> context, SocketSlot slot)
    : stream_(std::move(socket)),
      buffer_(context->options.max_header_bytes + std::size_t{64} * 1024),
      handler_timer_(stream_.get_executor()),
      executor_(stream_.get_executor()),
      context_(std::move(context)),
      slot_(std::move(slot)),
      accepted_while_stopping_(context_->stopping.load()) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    remote_address_ = endpoint.address().to_string();
    remote_port_ = endpoint.port();
  }
}

HttpConnection::~HttpConnection() { context_->remove(id_); }

void HttpConnection::start() {
  id_ = context_->add(weak_from_this());
  asio::dispatch(executor_, [self = shared_from_this()] { self->do_read(); });
}

void HttpConnection::shutdown(bool force) {
  asio::post(executor_, [self = shared_from_this(), force] {
    if (self->state_ == State::kClosed) {
      return;
    }
    self->stop_requested_ = true;
    if (force || self->state_ == State::kReading) {
      self->close_now();
    }
  });
}

void HttpConnection::do_read() {
  // A connection accepted while stopping reads its one request (its answer closes it).
  if (stop_requested_ || (context_->stopping.load() && !accepted_while_stopping_)) {
    close_now();
    return;
  }
  state_ = State::kReading;
  method_ = http::verb::unknown;
  log_target_.clear();
  version_ = 11;
  request_keep_alive_ = false;
  origin_.reset();
  pending_ = Pending{};
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_->options.max_header_bytes));
  parser_->body_limit(std::max(context_->largest_body_limit, context_->options.max_body_bytes));
  stream_.expires_after(context_->options.read_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpConnection::on_header(beast::error_code ec) {
  started_ = std::chrono::steady_clock::now();
  if (ec) {
    on_read_error(ec);
    return;
  }
  const auto& header = parser_->get();
  method_ = header.method();
  // The target without its query, which can carry tokens (Direct Line's streamUrl `t=`): logs
  // at any level never hold credentials.
  {
    const std::string_view target = header.target();
    const std::size_t query = target.find('?');
    log_target_ = query == std::string_view::npos ? std::string(target)
                                                  : std::string(target.substr(0, query)) + "?…";
  }
  version_ = header.version();
  request_keep_alive_ = header.keep_alive();
  if (auto origin = header.find(http::field::origin); origin != header.end()) {
    origin_ = std::string(origin->value());
  }
  auto target = parse_target(header.target());
  if (!target.ok()) {
    send(json_error(http::status::bad_request, "BadRequest", "Malformed request target"), true);
    return;
  }
  pending_.path = std::move(target->path);
  pending_.segments = std::move(target->segments);
  pending_.query = std::move(target->query);
  pending_.websocket = websocket::is_upgrade(header);
  const Router& router = context_->router;
  pending_.match = router.match(method_, pending_.segments, pending_.websocket);
  if (pending_.websocket && pending_.match.outcome != Router::Outcome::kFound) {
    pending_.websocket = false;
    pending_.match = router.match(method_, pending_.segments, false);
  }
  if (accepted_while_stopping_ && !serves_while_stopping()) {
    request_keep_alive_ = false;
    send(unavailable("The server is shutting down"), true);
    return;
  }
  std::size_t body_limit = context_->options.max_body_bytes;
  if (pending_.match.route && pending_.match.route->options.max_body_bytes) {
    body_limit = *pending_.match.route->options.max_body_bytes;
  }
  // The parser checked Content-Length against the largest limit; now apply the route's.
  if (auto length = parser_->content_length(); length && *length > body_limit) {
    on_read_error(http::error::body_limit);
    return;
  }
  parser_->body_limit(body_limit);
  // A request that no route takes is answered on its headers: its body is never read.
  if (!parser_->is_done() && method_ != http::verb::options &&
      pending_.match.outcome != Router::Outcome::kFound) {
    request_keep_alive_ = false;  // the unread body ends the connection
    Request head;
    head.path = pending_.path;
    dispatch_route(std::move(head));
    return;
  }
  if (pending_.match.route && pending_.match.route->options.admit && !pending_.websocket) {
    if (auto refusal = admit_head(header); refusal) {
      send(std::move(*refusal), true);
      return;
    }
  }
  auto read_body = [self = shared_from_this()] {
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code read_ec, std::size_t) { self->on_body(read_ec); });
  };
  auto expect = header.find(http::field::expect);
  if (expect != header.end() && beast::iequals(expect->value(), "100-continue") &&
      !parser_->is_done()) {
    auto reply =
        std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
    http::async_write(
        stream_, *reply,
        [self = shared_from_this(), reply, read_body](beast::error_code write_ec, std::size_t) {
          if (write_ec) {
            self->close_now();
            return;
          }
          read_body();
        });
    return;
  }
  read_body();
}

void HttpConnection::on_body(beast::error_code ec) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  Request request;
  request.message = parser_->release();
  request.path = std::move(pending_.path);
  request.query = std::move(pending_.query);
  request.remote_address = client_address(request.message);
  request.remote_port = remote_port_;
  dispatch(std::move(request));
}

bool HttpConnection::serves_while_stopping() const {
  if (method_ == http::verb::get && pending_.path == "/healthz" && context_->options.healthz) {
    return true;  // says "stopping"
  }
  return !pending_.websocket && pending_.match.outcome == Router::Outcome::kFound &&
         pending_.match.route->options.while_stopping;
}

std::optional<Response> HttpConnection::admit_head(const http::request<http::string_body>& header) {
  Request head;
  head.message =
      http::request<http::string_body>(static_cast<const http::request_header<>&>(header));
  head.path = pending_.path;
  head.path_params = pending_.match.params;
  head.query = pending_.query;
  head.remote_address = client_address(head.message);
  head.remote_port = remote_port_;
  try {
    return pending_.match.route->options.admit(head);
  } catch (const std::exception& e) {
    spdlog::error("server: admission check threw: {}", e.what());
  } catch (...) {
    spdlog::error("server: admission check threw a non-std exception");
  }
  return internal_error();
}

std::string HttpConnection::client_address(const http::fields& headers) const {
  const TrustedProxies& proxies = context_->options.trusted_proxies;
  if (proxies.empty()) {
    return remote_address_;
  }
  std::string forwarded_for;
  for (auto [it, end] = headers.equal_range("X-Forwarded-For"); it != end; ++it) {
    if (!forwarded_for.empty()) {
      forwarded_for += ',';
    }
    forwarded_for.append(it->value());
  }
  return proxies.client_address(remote_address_, forwarded_for);
}

void HttpConnection::on_read_error(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    send(json_error(http::status::payload_too_large, "TooLarge",
                    "The request body exceeds the limit"),
         true);
  } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    send(json_error(http::status::request_header_fields_too_large, "RequestHeaderFieldsTooLarge",
                    "The request headers exceed the limit"),
         true);
  } else if (is_http_error(ec) && ec != http::error::end_of_stream &&
             ec != http::error::partial_message) {
    send(json_error(http::status::bad_request, "BadRequest", "Malformed HTTP: " + ec.message()),
         true);
  } else {
    if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted) {
      spdlog::debug("http {}:{} read ended: {}", remote_address_, remote_port_, ec.message());
    }
    close_now();
  }
}

void HttpConnection::dispatch(Request request) {
  ++sequence_;
  if (method_ == http::verb::options) {
    if (!pending_.match.cors) {
      send(Response(http::status::no_content, "", ""), false);
      return;
    }
    send(preflight_response(context_->options.cors, request), false);
    return;
  }
  if (method_ == http::verb::get && request.path == "/healthz" && context_->options.healthz) {
    send(healthz(), false);
    return;
  }
  if (pending_.websocket) {
    upgrade(std::move(request));
    return;
  }
  dispatch_route(std::move(request));
}

Response HttpConnection::healthz() const {
  Readiness readiness;
  if (context_->options.readiness) {
    readiness = context_->options.readiness();
  }
  const bool stopping = context_->stopping.load();
  boost::json::object body{{"status", stopping          ? "stopping"
                                      : readiness.ready ? "ok"
                                                        : "unavailable"}};
  if (!stopping && !readiness.ready) {
    body["reason"] = readiness.reason;
  }
  if (!readiness.warnings.empty()) {
    boost::json::array warnings;
    for (const auto& w : readiness.warnings) {
      warnings.emplace_back(w);
    }
    body["warnings"] = std::move(warnings);
  }
  Response response = json_response(
      stopping || !readiness.ready ? http::status::service_unavailable : http::status::ok, body);
  if (stopping || !readiness.ready) {
    response.headers.set(http::field::retry_after, "5");
  }
  return response;
}

void HttpConnection::dispatch_route(Request request) {
  Router::Match& match = pending_.match;
  if (match.outcome == Router::Outcome::kNotFound) {
    if (context_->router.match(method_, pending_.segments, true).outcome ==
        Router::Outcome::kFound) {
      send(json_error(http::status::upgrade_required, "UpgradeRequired",
                      "This endpoint only accepts WebSocket upgrades"),
           false);
    } else {
      send(json_error(http::status::not_found, "NotFound", "No such resource"), false);
    }
    return;
  }
  if (match.outcome == Router::Outcome::kMethodNotAllowed) {
    Response response = json_error(http::status::method_not_allowed, "MethodNotAllowed",
                                   "Method not allowed on this resource");
    response.headers.set(http::field::allow, match.allow);
    send(std::move(response), false);
    return;
  }
  request.path_params = std::move(match.params);
  if (const auto* handler = std::get_if<Handler>(&match.route->handler)) {
    send(guarded("http", [&] { return (*handler)(request); }), false);
    return;
  }
  run_async(std::get<AsyncHandler>(match.route->handler), std::move(request));
}

void HttpConnection::run_async(const AsyncHandler& handler, Request request) {
  state_ = State::kHandling;
  const std::uint64_t sequence = sequence_;
  std::weak_ptr<HttpConnection> weak = shared_from_this();
  Responder responder([weak, executor = executor_, sequence](Response response) {
    asio::post(executor, [weak, sequence, response = std::move(response)]() mutable {
      if (auto self = weak.lock()) {
        self->on_async_response(sequence, std::move(response));
      }
    });
  });
  handler_timer_.expires_after(context_->options.handler_timeout);
  handler_timer_.async_wait([self = shared_from_this(), sequence](beast::error_code ec) {
    self->on_handler_timeout(sequence, ec);
  });
  try {
    handler(std::move(request), responder);
  } catch (const std::exception& e) {
    spdlog::error("server: async handler threw: {}", e.what());
    responder.send(internal_error());
  } catch (...) {
    spdlog::error("server: async handler threw a non-std exception");
    responder.send(internal_error());
  }
}

void HttpConnection::on_async_response(std::uint64_t sequence, Response response) {
  if (state_ != State::kHandling || sequence != sequence_) {
    return;  // answered already (timeout) or the connection moved on
  }
  handler_timer_.cancel();
  send(std::move(response), false);
}

void HttpConnection::on_handler_timeout(std::uint64_t sequence, beast::error_code ec) {
  if (ec || state_ != State::kHandling || sequence != sequence_) {
    return;
  }
  spdlog::warn("http {} {}: handler did not answer in time", http::to_string(method_), log_target_);
  send(json_error(http::status::gateway_timeout, "Timeout", "The request timed out"), false);
}

void HttpConnection::send(Response response, bool close_after) {
  state_ = State::kWriting;
  const bool keep_alive =
      request_keep_alive_ && !close_after && !stop_requested_ && !context_->stopping.load();
  if (pending_.match.cors) {
    add_cors_headers(context_->options.cors, origin_, response.headers);
  }
  const bool no_body =
      response.status == http::status::no_content || response.status == http::status::not_modified;
  auto fill = [&](auto& message) {
    for (const auto& field : response.headers) {
      message.set(field.name_string(), field.value());
    }
    message.set(http::field::server, context_->options.server_header);
    if (!no_body && !response.content_type.empty()) {
      message.set(http::field::content_type, response.content_type);
    }
    message.keep_alive(keep_alive);
  };
  std::size_t size = 0;
  if (response.has_file() && !no_body) {
    auto message = std::make_shared<http::response<http::file_body>>(response.status, version_);
    fill(*message);
    message->body() = std::move(response.file);
    message->prepare_payload();
    size = message->body().size();
    write(std::move(message));
  } else {
    auto message = std::make_shared<http::response<http::string_body>>(response.status, version_);
    fill(*message);
    if (!no_body) {
      message->body() = std::move(response.body);
    }
    message->prepare_payload();
    size = message->body().size();
    write(std::move(message));
  }
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started_)
                    .count();
  spdlog::debug("http {}:{} \"{} {}\" {} {}B {}us", remote_address_, remote_port_,
                http::to_string(method_), log_target_, static_cast<unsigned>(response.status), size,
                micros);
}

template <class Message>
void HttpConnection::write(std::shared_ptr<Message> message) {
  const bool keep_alive = message->keep_alive();
  stream_.expires_after(context_->options.write_timeout);
  auto& ref = *message;
  http::async_write(
      stream_, ref,
      [self = shared_from_this(), message = std::move(message), keep_alive](
          beast::error_code ec, std::size_t bytes) { self->on_write(keep_alive, ec, bytes); });
}

void HttpConnection::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) {
    close_now();
    return;
  }
  if (!keep_alive) {
    linger_close();
    return;
  }
  if (buffer_.size() == 0 && buffer_.capacity() > kShrinkBufferAbove) {
    buffer_.shrink_to_fit();
  }
  do_read();
}

// Half-closes and drains what the client is still sending (bounded), so that it reads our error
// response instead of a connection reset caused by unread data.
void HttpConnection::linger_close() {
  state_ = State::kClosed;
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  buffer_.consume(buffer_.size());
  stream_.expires_after(std::chrono::seconds(1));
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code read_ec, std::size_t n) {
                            self->lingered_bytes_ += n;
                            if (read_ec || self->lingered_bytes_ > kLingerMaxBytes) {
                              self->close_now();
                              return;
                            }
                            self->linger_close();
                          });
}

void HttpConnection::close_now() {
  state_ = State::kClosed;
  handler_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

void HttpConnection::upgrade(Request request) {
  request.path_params = std::move(pending_.match.params);
  const auto& handler = std::get<WebSocketHandler>(pending_.match.route->handler);
  std::optional<WebSocketDecision> decision;
  try {
    decision.emplace(handler(request));
  } catch (const std::exception& e) {
    spdlog::error("server: websocket handler threw: {}", e.what());
  } catch (...) {
    spdlog::error("server: websocket handler threw a non-std exception");
  }
  if (!decision) {
    send(internal_error(), true);
    return;
  }
  if (auto* response = std::get_if<Response>(&*decision)) {
    send(std::move(*response), true);
    return;
  }
  if (context_->stopping.load()) {
    send(unavailable("The server is shutting down"), true);
    return;
  }
  state_ = State::kClosed;
  stream_.expires_never();
  spdlog::debug("http {}:{} \"GET {}\" 101 websocket", remote_address_, remote_port_, log_target_);
  auto connection = std::make_shared<WebSocketConnection>(
      std::move(stream_), context_, std::move(slot_),
      std::get<WebSocketCallbacks>(std::move(*decision)), request.remote_address);
  connection->start(std::move(request.message));
}

}  // namespace baton::server
