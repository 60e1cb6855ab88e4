#include "server/cors.hpp"

#include <algorithm>

namespace baton::server {

namespace {

bool origin_allowed(const CorsOptions& options, std::string_view origin) {
  return options.allowed_origins.empty() ||
         std::find(options.allowed_origins.begin(), options.allowed_origins.end(), origin) !=
             options.allowed_origins.end();
}

}  // namespace

void add_cors_headers(const CorsOptions& options, std::optional<std::string_view> origin,
                      http::fields& headers) {
  if (!options.enabled) {
    return;
  }
  if (origin) {
    if (!origin_allowed(options, *origin)) {
      return;
    }
    headers.set(http::field::access_control_allow_origin, *origin);
    headers.set(http::field::vary, "Origin");
  } else {
    headers.set(http::field::access_control_allow_origin, "*");
  }
  headers.set(http::field::access_control_expose_headers, "Retry-After");
}

Response preflight_response(const CorsOptions& options, const Request& request) {
  Response response(http::status::no_content, "", "");
  add_cors_headers(options, request.header("Origin"), response.headers);
  if (options.enabled) {
    response.headers.set(http::field::access_control_allow_methods,
                         "GET, POST, PUT, DELETE, OPTIONS");
    response.headers.set(http::field::access_control_allow_headers,
                         "Authorization, Content-Type, x-ms-bot-agent, x-requested-with");
    response.headers.set(http::field::access_control_max_age,
                         std::to_string(options.max_age_seconds));
  }
  response.headers.set(http::field::allow, "GET, POST, PUT, DELETE, OPTIONS");
  return response;
}

}  // namespace baton::server
