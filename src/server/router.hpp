#pragma once
// Router: maps method + path to a handler. Patterns are absolute paths whose segments are literals,
// `{name}` (one non-empty segment, captured into Request::path_params) or, as the last segment,
// `{*name}` (the rest of the path, possibly empty, joined with '/').
//
// Matching compares percent-decoded segments; routes are tried in registration order and the first
// match wins. A path that matches some route but with another method is a 405 (the match lists the
// allowed methods); a path that matches no route is a 404.
//
// Thread safety: configure before Server::start(); afterwards the router is only read and may be
// used from all I/O threads at once.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "server/handler.hpp"
#include "server/http.hpp"
#include "server/websocket_session.hpp"

namespace baton::server {

// Decides on a request from its line and headers alone, before any of its body is read: an answer
// refuses it (sent at once; the connection then closes without reading the body), nullopt lets it
// through. For authentication, so that a bad credential never costs the server a body. The Request
// has everything but the body. Runs on the I/O thread; must not block and must not throw.
using Admission = std::function<std::optional<Response>(const Request& head)>;

struct RouteOptions {
  // Overrides ServerOptions::max_body_bytes for this route (e.g. a larger limit for uploads).
  std::optional<std::size_t> max_body_bytes;
  // Checked before the body is read; none = admit everything (the handler still decides).
  Admission admit;
  // Whether responses carry the server's CORS headers and OPTIONS preflights are answered for
  // this route's path (ServerOptions::cors); APIs that browsers must not call from other sites turn
  // it off.
  bool cors = true;
  // Served while the server stops, for as long as its on_stop() work runs (Server::stop): the
  // callbacks that work waits for, such as a bot's reply to a delivery in flight. New connections
  // are then accepted for these routes alone; every other request is answered 503.
  bool while_stopping = false;
};

// One registered route. Built by Router::add*; read-only afterwards.
struct Route {
  struct Segment {
    enum class Kind { kLiteral, kParam, kRest };
    Kind kind = Kind::kLiteral;
    std::string text;  // the literal, or the parameter name
  };

  http::verb method = http::verb::get;  // unused for WebSocket endpoints
  std::string pattern;
  std::vector<Segment> segments;
  std::variant<Handler, AsyncHandler, WebSocketHandler> handler;
  RouteOptions options;

  bool is_websocket() const { return handler.index() == 2; }
};

class Router {
 public:
  // Registers a synchronous handler. Errors: kInvalidArgument for a malformed pattern (not
  // starting with '/', an unclosed or empty `{}`, a `{*rest}` that is not last, a duplicate name).
  Status add(http::verb method, std::string_view pattern, Handler handler,
             RouteOptions options = {});
  // Registers an asynchronous handler (answers through a Responder). Same errors as add().
  Status add_async(http::verb method, std::string_view pattern, AsyncHandler handler,
                   RouteOptions options = {});
  // Registers a WebSocket endpoint; matched only for upgrade requests (GET with Upgrade:
  // websocket). A plain GET to such a path without an HTTP route gets 426 "UpgradeRequired".
  // `cors`: as RouteOptions::cors, for the HTTP answers refusing an upgrade.
  Status add_websocket(std::string_view pattern, WebSocketHandler handler, bool cors = true);

  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };

  // The result of a lookup. `route` points into the router and stays valid while it lives.
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;
    Params params;
    std::string allow;  // for kMethodNotAllowed: "GET, POST"
    // False when a route of this path opted out of CORS (RouteOptions::cors).
    bool cors = true;
  };

  // Looks up a route for decoded path segments. `websocket` selects WebSocket endpoints instead
  // of HTTP routes (for which `method` is ignored).
  Match match(http::verb method, const std::vector<std::string>& segments, bool websocket) const;

  bool empty() const { return routes_.empty(); }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Status add_route(Route route);

  std::vector<Route> routes_;
};

// A request target ("/a/b%20c?x=1&y") in the form match() and Request need: the decoded path,
// its decoded segments ({"a", "b c"}) and the query's decoded parameters ('+' read as a space).
struct Target {
  std::string path;
  std::vector<std::string> segments;
  Params query;
};

// Parses an origin-form request target (RFC 9112: absolute path and optional query).
// kInvalidArgument when it is not one.
Result<Target> parse_target(std::string_view target);

// Splits a decoded path into segments the way match() expects ("/a/b" -> {"a","b"}, "/" -> {}).
// Used by tests and by the static file handler; the server uses Boost.URL's segments.
std::vector<std::string> split_path(std::string_view path);

}  // namespace baton::server
