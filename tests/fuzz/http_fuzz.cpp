// libFuzzer entry for the request path from outside: the bytes are one raw HTTP request, parsed as
// the server's connection parses it (Beast's parser with the server's header limit), its target
// parsed and routed against the route table of `baton serve` (Direct Line, the agent API, the
// console and the test page), then every argument parser a matching handler would run on it:
// authentication headers, the client address behind a proxy, CORS, watermarks, JSON bodies,
// activities and the customer-activity checks, multipart uploads, upload names, and the agent
// API's bodies, queries and stream commands. Nothing may crash, and what is accepted must keep
// the promises the handlers rely on (checked below).

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "activity/activity.hpp"
#include "channels/agent/requests.hpp"
#include "channels/directline/channel_impl.hpp"
#include "channels/directline/multipart.hpp"
#include "server/cors.hpp"
#include "server/router.hpp"
#include "server/trusted_proxies.hpp"
#include "store/upload_files.hpp"

namespace {

namespace http = boost::beast::http;
using baton::server::Request;
using baton::server::Router;

void check(bool promise) {
  if (!promise) {
    std::abort();
  }
}

const Router& routes() {
  static const Router router = [] {
    Router r;
    auto none = [](const Request&) { return baton::server::Response(); };
    const char* patterns[] = {
        "/v3/directline/tokens/generate",
        "/v3/directline/tokens/refresh",
        "/v3/directline/conversations",
        "/v3/directline/conversations/{id}",
        "/v3/directline/conversations/{id}/activities",
        "/v3/directline/conversations/{id}/upload",
        "/v3/directline/conversations/{id}/files/{name}",
        "/v3/directline/session/getsessionid",
        "/api/directline/token",
        "/api/conversations/{id}",
        "/api/conversations/{id}/handoffs",
        "/api/agent/login",
        "/api/agent/presence",
        "/api/agent/offers/{id}/accept",
        "/api/agent/conversations/{id}",
        "/api/agent/conversations/{id}/messages",
        "/api/agent/audit",
        "/api/agent/stream/ticket",
        "/agent/{*path}",
        "/",
    };
    for (const char* p : patterns) {
      (void)r.add(http::verb::get, p, none);
      (void)r.add(http::verb::post, p, none);
    }
    (void)r.add_websocket("/v3/directline/conversations/{id}/stream",
                          [](const Request&) { return baton::server::Response(); });
    (void)r.add_websocket("/api/agent/stream",
                          [](const Request&) { return baton::server::Response(); });
    return r;
  }();
  return router;
}

void directline_arguments(const Request& request) {
  (void)baton::directline::parse_watermark(request);
  const std::string_view id = request.param("id");
  if (baton::directline::is_conversation_id(id)) {
    check(id.size() == 22 && id.find_first_of("./\\%") == std::string_view::npos);
  }
  const std::string_view name = request.param("name");
  if (baton::store::UploadFiles::valid_name(name)) {
    check(name.find('/') == std::string_view::npos && name.find("..") == std::string_view::npos &&
          !name.ends_with(".ct") && name.front() != '.');
  }
  if (auto body = baton::directline::parse_object_body(request.body()); body.ok()) {
    (void)baton::directline::user_from_body(*body);
  }
  if (auto parsed = baton::activity::parse(request.body()); parsed.ok()) {
    if (baton::directline::check_customer_activity(*parsed).ok()) {
      std::string lower = parsed->name;
      for (char& ch : lower) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      check(!lower.starts_with("baton.") && !lower.starts_with("handoff."));
    }
  }
  const std::string boundary =
      baton::directline::multipart_boundary(request.header("Content-Type").value_or(""));
  if (!boundary.empty()) {
    (void)baton::directline::parse_multipart(boundary, request.body());
  }
  (void)baton::directline::header_parameter(request.header("Content-Disposition").value_or(""),
                                            "filename");
}

void agent_arguments(const Request& request) {
  if (auto body = baton::agent::parse_object(request.body()); body.ok()) {
    (void)baton::agent::parse_login(*body);
    (void)baton::agent::parse_presence_body(*body);
    (void)baton::agent::parse_offer_id(*body);
    (void)baton::agent::parse_text(*body);
    (void)baton::agent::parse_transfer(*body);
    (void)baton::agent::parse_end_mode(*body);
  }
  (void)baton::agent::parse_audit_query(request.query_value("conversationId"),
                                        request.query_value("after"), request.query_value("limit"));
  (void)baton::agent::parse_stream_command(request.body());
  const bool valid = baton::agent::valid_agent_id(request.param("id"));
  (void)valid;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(std::uint64_t{256} * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (!ec && !parser.is_done() && used < bytes.size()) {
    // put() stops after the header; feed the rest as the body.
    used += parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
  }
  if (!ec && !parser.is_done()) {
    parser.put_eof(ec);
  }
  if (!parser.is_header_done()) {
    return 0;
  }
  Request request;
  request.message = parser.release();
  auto target = baton::server::parse_target(request.message.target());
  if (!target.ok()) {
    return 0;
  }
  check(target->path.empty() || target->path.front() == '/');
  request.path = target->path;
  request.query = std::move(target->query);

  static const auto proxies = *baton::server::TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8"});
  request.remote_address =
      proxies.client_address("127.0.0.1", request.header("X-Forwarded-For").value_or(""));
  (void)request.bearer_token();

  baton::server::CorsOptions cors;
  (void)baton::server::preflight_response(cors, request);

  for (const bool websocket : {false, true}) {
    auto match = routes().match(request.method(), target->segments, websocket);
    if (match.outcome != Router::Outcome::kFound) {
      continue;
    }
    check(match.route != nullptr);
    request.path_params = std::move(match.params);
    directline_arguments(request);
    agent_arguments(request);
  }
  return 0;
}
