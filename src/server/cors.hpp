#pragma once
// Cross-origin resource sharing, as browsers embedding Web Chat on another origin need it: OPTIONS
// requests are answered as preflights, and responses to a request with an Origin header carry
// Access-Control-Allow-Origin — except for routes that opt out (RouteOptions::cors), such as the
// agent API, which no other site's page may call. Credentials (cookies) are never allowed: Direct
// Line authenticates with a bearer token the page holds. Pure functions over plain values;
// thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.hpp"

namespace baton::server {

struct CorsOptions {
  bool enabled = true;
  // Origins allowed to call ("https://shop.example.com"); empty means any origin. A request from
  // an origin not listed gets no CORS headers, so the browser blocks it.
  std::vector<std::string> allowed_origins;
  // How long browsers may cache a preflight answer, in seconds.
  int max_age_seconds = 600;
};

// Adds the CORS response headers for a request whose Origin header is `origin` (nullopt when the
// request had none): Allow-Origin (the origin echoed, or "*" without one), Expose-Headers
// (Retry-After) and Vary: Origin. Never Allow-Credentials.
void add_cors_headers(const CorsOptions& options, std::optional<std::string_view> origin,
                      http::fields& headers);

// The 204 answer to an OPTIONS preflight: the headers above plus Allow-Methods (GET, POST, PUT,
// DELETE, OPTIONS), Allow-Headers (Authorization, Content-Type, x-ms-bot-agent, x-requested-with)
// and Max-Age. Answered for any path, routed or not, so browsers see the real status afterwards;
// for a path whose routes opted out of CORS it is a plain 204 without CORS headers.
Response preflight_response(const CorsOptions& options, const Request& request);

}  // namespace baton::server
