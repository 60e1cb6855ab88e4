#pragma once
// The HTTP request and response values that handlers see, and helpers for Direct Line-shaped JSON
// bodies. Plain values: not thread-safe to mutate, safe to read from several threads, movable
// between threads (a handler may carry a Request to another thread and answer from there).

#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace baton::server {

namespace http = boost::beast::http;

// Ordered name/value pairs, decoded. Lookups are linear: these lists are short.
using Params = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP request plus what the router and the connection learned about it.
struct Request {
  // The message as received: method, target, headers (case-insensitive), body.
  http::request<http::string_body> message;
  // The percent-decoded path, e.g. "/v3/directline/conversations/abc".
  std::string path;
  // Values of the route's `{name}` segments, decoded, in pattern order.
  Params path_params;
  // Query parameters in order, percent-decoded, '+' read as a space. Repeats are kept.
  Params query;
  // The client's IP address as text ("127.0.0.1", "::1"): the peer's, or behind a trusted proxy
  // the one X-Forwarded-For names (ServerOptions::trusted_proxies). The port is the peer's.
  std::string remote_address;
  std::uint16_t remote_port = 0;

  http::verb method() const { return message.method(); }
  std::string_view target() const { return message.target(); }
  const std::string& body() const { return message.body(); }

  // The value of path parameter `name`, or "" when the route has no such parameter.
  std::string_view param(std::string_view name) const;
  // The first value of query parameter `name`; nullopt when absent ("?a" gives "").
  std::optional<std::string_view> query_value(std::string_view name) const;
  // The value of header `name` (case-insensitive); nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // The token of "Authorization: Bearer <token>"; nullopt when the header is absent or not Bearer.
  std::optional<std::string_view> bearer_token() const;
};

// What a handler answers. Either `body` (text) or `file` (an open file streamed from disk, used by
// static file serving) is sent; `file` wins when it is open. Move-only because of the file handle.
struct Response {
  http::status status = http::status::ok;
  // Extra headers; Content-Type is taken from `content_type`, Content-Length is computed.
  http::fields headers;
  std::string content_type = "application/json";
  std::string body;
  http::file_body::value_type file;

  Response() = default;
  Response(http::status s, std::string content_type_value, std::string body_value)
      : status(s), content_type(std::move(content_type_value)), body(std::move(body_value)) {}
  Response(Response&&) = default;
  Response& operator=(Response&&) = default;

  bool has_file() const { return file.is_open(); }
};

// A JSON response with the given status and serialized value.
Response json_response(http::status status, const boost::json::value& value);

// A Direct Line-shaped error: `{"error":{"code":<code>,"message":<message>}}`, properly escaped.
// Codes used by the server itself: "BadRequest", "NotFound", "MethodNotAllowed", "TooLarge",
// "RequestHeaderFieldsTooLarge", "UpgradeRequired", "TooManyRequests", "ServiceError",
// "Timeout", "Unavailable".
Response json_error(http::status status, std::string_view code, std::string_view message);

// 429 with a numeric `Retry-After` in whole seconds (rounded up, at least 1), as HTTP defines it.
// Note: DirectLineJS passes the number to a timer as milliseconds, so it retries early; that is
// harmless because the next attempt gets another 429.
Response too_many_requests(std::chrono::milliseconds retry_after);

// 503 `Unavailable` with a numeric `Retry-After` (whole seconds, at least 1): the service cannot
// answer now (its storage is unavailable or full, a queue is full, it is shutting down) and the
// client should come back. `message` says why, for people.
Response unavailable(std::string_view message,
                     std::chrono::seconds retry_after = std::chrono::seconds(2));

// How a channel names its error codes where they differ between the protocols it speaks.
struct ErrorNames {
  std::string_view parse = "MalformedJson";        // ErrorCode::kParse (400)
  std::string_view unauthorized = "Unauthorized";  // ErrorCode::kUnauthorized (401)
  bool no_space_is_507 = false;  // ErrorCode::kNoSpace: 507 InsufficientStorage, else 503
};

// The JSON error answer for an expected failure: kInvalidArgument → 400 BadArgument, kParse → 400,
// kTooLarge → 413 TooLarge, kUnauthorized → 401, kForbidden → 403 Forbidden, kNotFound → 404
// NotFound, kConflict → 409 Conflict, kUnavailable/kIo (and kNoSpace unless 507) → `unavailable`
// (503, Retry-After), kInternal → 500 ServiceError. The error's protocol_code, when set, replaces
// the name (not for 503).
Response error_response(const Error& error, const ErrorNames& names = {});

// The content type for a file name by extension (".html" -> "text/html; charset=utf-8", ...);
// "application/octet-stream" for unknown extensions. Case-insensitive.
std::string_view content_type_for(std::string_view filename);

}  // namespace baton::server
