#pragma once
// Server: the HTTP/1.1 + WebSocket listener Baton's channels sit on (Boost.Beast on an Asio thread
// pool, one strand per connection). It knows routes, limits and sockets, nothing about
// conversations. Entry point of src/server; see README.md for the request path.
//
// Usage:
//   Server server(options);
//   server.router().add(http::verb::get, "/v3/x/{id}", handler);   // configure first
//   auto port = server.listen("127.0.0.1", 0);                       // Result<uint16_t>
//   server.stop_on_signals();                                         // SIGINT/SIGTERM -> stop()
//   server.run(2);                                                    // blocks until stopped
//
// Built in: OPTIONS preflight for every path (CORS), `GET /healthz` (unless ServerOptions::healthz
// is off; 200 {"status":"ok"}; 503
// {"status":"stopping"} while stopping or {"status":"unavailable","reason"} when
// ServerOptions::readiness says so; "warnings":[...] when there are any), JSON 404/405/413/431/400,
// exceptions from handlers answered 500, per-route body limits, read/write/handler timeouts.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "server/cors.hpp"
#include "server/router.hpp"
#include "server/trusted_proxies.hpp"

namespace baton::server {

using std::chrono::milliseconds;

// Whether the service behind the server can do its work (its storage takes writes), for
// `GET /healthz`: not ready answers 503 {"status":"unavailable","reason"}; warnings (e.g. the disk
// is nearly full) are listed either way.
struct Readiness {
  bool ready = true;
  std::string reason;                 // why not ready ("" when ready)
  std::vector<std::string> warnings;  // things an operator should look at soon
};

// Limits and timeouts. Defaults suit Direct Line; all sizes in bytes.
struct ServerOptions {
  // HTTP
  std::size_t max_body_bytes =
      std::size_t{1024} * 1024;  // default request body limit (413 above it)
  std::size_t max_header_bytes = std::size_t{16} * 1024;  // request line + headers (431 above it)
  milliseconds read_timeout{30000};     // to receive a whole request (slow-loris bound), and idle
                                        // keep-alive time between requests
  milliseconds write_timeout{30000};    // to write one response or WebSocket frame
  milliseconds handler_timeout{30000};  // an async handler that has not answered gets 504
  milliseconds drain_timeout{5000};     // stop(): time for in-flight work before force-closing
  // WebSocket
  std::size_t ws_max_message_bytes =
      std::size_t{64} * 1024;               // larger client messages close with 1009
  std::size_t ws_queue_max_messages = 256;  // bounded send queue ...
  std::size_t ws_queue_max_bytes = std::size_t{1024} * 1024;  // ... overflow closes with 1008
  std::size_t ws_write_buffer_bytes = 512;                    // Beast's per-stream write buffer
  milliseconds ws_keepalive_interval{15000};                  // empty text frames; 0 disables
  milliseconds ws_idle_timeout{60000};       // no data from client (pings sent at half)
  milliseconds ws_handshake_timeout{10000};  // also bounds the close handshake
  // Connections (HTTP and WebSocket) open at once, in all and from one peer address (trusted
  // proxies are exempt from the latter: every client behind them shares their address). A new
  // connection beyond either gets a 503 and is closed at once; refusals are logged (at most every
  // few seconds, with counts). 0 = no limit.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 0;
  CorsOptions cors;
  // Reverse proxies whose X-Forwarded-For names the client (Request::remote_address); none by
  // default, so the header is ignored.
  TrustedProxies trusted_proxies;
  std::string server_header = "Baton";
  // Asked on every GET /healthz (from an I/O thread: must be thread-safe and quick); none = the
  // server alone decides (ready unless stopping).
  std::function<Readiness()> readiness;
  // Whether GET /healthz is answered built in. Off for a listener that serves its routes only
  // (the metrics listener): /healthz is then a 404 like any path without a route.
  bool healthz = true;
};

// Thread safety: router() and listen()/stop_on_signals() before start()/run(); afterwards only
// stop(), wait(), port(), executor(), connection_count() and websocket_count(), which are
// thread-safe.
class Server {
 public:
  explicit Server(ServerOptions options = {});
  // Stops (graceful, bounded by drain_timeout) and joins the threads.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The routes; configure before start().
  Router& router();
  const ServerOptions& options() const;

  // Binds and listens on `host` ("127.0.0.1", "0.0.0.0", "::1") and `port` (0 = any free port).
  // Returns the bound port. Errors: kInvalidArgument (bad address), kIo (bind/listen failed, e.g.
  // the port is in use). Call once, before start().
  Result<std::uint16_t> listen(std::string_view host, std::uint16_t port);

  // The bound port, 0 before listen().
  std::uint16_t port() const;

  // SIGINT and SIGTERM call stop() (the first one; a second one force-closes immediately).
  void stop_on_signals();

  // Work besides the connections that a graceful stop waits for (outbound requests still queued):
  // stop() calls `drain` once; the threads keep running until every drain has called `done` (from
  // any thread) and every connection closed, or drain_timeout passed. Until the drains are done,
  // the listener stays open for the routes registered with RouteOptions::while_stopping (what
  // the outbound work's peers call back, e.g. a bot's reply); without such routes it closes at
  // once. Call before start().
  void on_stop(std::function<void(std::function<void()> done)> drain);

  // Starts accepting and runs the I/O on `threads` new threads (at least 1). Non-blocking.
  void start(int threads);
  // start(threads - 1) plus the calling thread; returns after stop() completed.
  void run(int threads);

  // Graceful stop, idempotent and callable from any thread (also from handlers): stop accepting
  // (but for the while_stopping routes while the on_stop() work runs: one request per new
  // connection, 503 for any other route), close WebSockets with 1001 going-away, let in-flight
  // requests finish and answer them with "Connection: close", close idle keep-alive connections,
  // wait for the on_stop() work; after drain_timeout force-close what is left. The threads then
  // return.
  void stop();
  // Joins the threads started by start(); returns at once if none.
  void wait();

  // The I/O executor, for timers or posting work that must run on the server's threads.
  boost::asio::any_io_executor executor();

  // Open connections (HTTP and WebSocket) right now.
  std::size_t connection_count() const;
  // Of which WebSocket connections (an upgrade's HTTP connection may be counted as both for the
  // moment it hands its socket over).
  std::size_t websocket_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace baton::server
