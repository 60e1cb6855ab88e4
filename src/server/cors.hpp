#pragma once
// Cross-origin resource sharing, as browsers embedding Web Chat on another origin need it: every
// OPTIONS request is answered as a preflight, and every response to a request with an Origin header
// carries Access-Control-Allow-Origin. Pure functions over plain values; thread-safe.

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
// request had none): Allow-Origin (the origin echoed, or "*" without one), Allow-Credentials when
// an origin is given, Expose-Headers (Retry-After) and Vary: Origin.
void add_cors_headers(const CorsOptions& options, std::optional<std::string_view> origin,
                      http::fields& headers);

// The 204 answer to an OPTIONS preflight: the headers above plus Allow-Methods (GET, POST, PUT,
// DELETE, OPTIONS), Allow-Headers (Authorization, Content-Type, x-ms-bot-agent, x-requested-with)
// and Max-Age. Answered for any path, routed or not, so browsers see the real status afterwards.
Response preflight_response(const CorsOptions& options, const Request& request);

}  // namespace baton::server
