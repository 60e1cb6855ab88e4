#pragma once
// An outbound HTTP/1.1 client: one request per connection, asynchronous on an Asio executor
// (Boost.Beast), for calling a peer Baton talks to (an external bot's endpoint).
//
// Bounds: the whole exchange (resolve, connect, write, read) must finish within
// HttpClientOptions::timeout; the response body may hold at most max_response_bytes (headers at
// most 16 KiB). Redirects are never followed: a 3xx is returned like any other status.
// `http://` and `https://` URLs; https verifies the peer's certificate against the system's trust
// store (OpenSSL's default paths: SSL_CERT_FILE / SSL_CERT_DIR when set) and the URL's host name
// or address, TLS 1.2 or later. `allowed_hosts`, when not empty, lists the hosts a URL may name
// (compared case-insensitively, before resolution).
//
// Errors (through the callback, never thrown): kInvalidArgument (a URL that is not http[s]://host
// [:port][/path], or a host not allowed), kUnavailable (resolution, connection refused or reset,
// a failed TLS handshake or certificate check, the timeout), kTooLarge (a response over the
// limits), kIo (a malformed response).
//
// Threading: http_request may be called from any thread; the request runs on a strand of
// `executor` and `done` is called once, on that strand. The request keeps itself alive until
// `done` ran; stopping the executor drops it (done is then never called).
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace baton::server {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{10000};
  std::size_t max_response_bytes = std::size_t{1} << 20;
  std::vector<std::string> allowed_hosts = {};  // empty: any host
};

// An http:// or https:// URL split into what a request needs.
struct HttpUrl {
  bool tls = false;          // https
  std::string host;          // as written (an IPv6 literal without its brackets)
  std::uint16_t port = 80;   // 443 by default for https
  std::string target = "/";  // path and query, origin-form
};

// Parses "http[s]://host[:port][/path][?query]"; kInvalidArgument for anything else (another
// scheme, credentials in the URL, a fragment, no host, a bad port).
Result<HttpUrl> parse_http_url(std::string_view url);

struct HttpClientRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers = {};
  std::string content_type = "application/json";
  std::string body = {};
};

struct HttpClientResponse {
  int status = 0;
  std::string content_type;
  std::string body = {};
};

void http_request(const boost::asio::any_io_executor& executor, HttpClientRequest request,
                  const HttpClientOptions& options,
                  std::function<void(Result<HttpClientResponse>)> done);

}  // namespace baton::server
