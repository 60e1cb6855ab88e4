#pragma once
// WebSocket routes: what an upgrade handler decides, the session handle it gets back, and how the
// session reports messages and its end.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "server/http.hpp"

namespace baton::server {

class WebSocketConnection;  // internal: the Beast stream and its strand

// Why a WebSocket ended, reported once through on_close.
enum class CloseCause {
  kPeerClosed,     // the client sent a close frame or disconnected
  kServerClosed,   // WebSocketSession::close() was called
  kQueueOverflow,  // the bounded send queue overflowed (slow or stuck reader); closed with 1008
  kShutdown,       // Server::stop(); closed with 1001 going away
  kTimeout,        // idle timeout, or a write that did not finish within the write timeout
  kError,          // protocol or network error (e.g. a message over the read limit)
};

// Stable name of a cause for logs: "peer_closed", "queue_overflow", ...
const char* to_string(CloseCause cause);

struct CloseInfo {
  CloseCause cause = CloseCause::kPeerClosed;
  std::uint16_t code = 1005;  // the close code sent or received (1005 = none, 1006 = abnormal)
  std::string reason;         // close reason or error text, for logs
};

// A handle to one accepted WebSocket. Handles are shared_ptrs the server creates; holding one does
// not keep the connection open, and using one after the connection ended is a harmless no-op.
// All methods are thread-safe: work is posted to the connection's strand.
//
// Lifetime: release handles before destroying the Server (normally: stop producers, then the
// server). Calls racing with Server destruction are undefined, like any Asio object.
class WebSocketSession {
 public:
  WebSocketSession(std::weak_ptr<WebSocketConnection> connection, std::uint64_t id,
                   std::string remote_address)
      : connection_(std::move(connection)), id_(id), remote_address_(std::move(remote_address)) {}

  // Queues one text message. An empty message goes out as an empty frame, which Direct Line
  // clients treat as a keep-alive.
  // Messages are sent in the order send() calls are made from one thread. Returns false when the
  // connection has already ended or is closing; true means queued (delivery is not guaranteed: the
  // socket can still fail). If the queue exceeds ServerOptions::ws_queue_max_messages or
  // ws_queue_max_bytes, the socket is closed with 1008 and on_close reports kQueueOverflow.
  bool send(std::shared_ptr<const std::string> text) const;

  // Starts a close handshake with `code` (e.g. 1000 normal, 1008 policy) after the message being
  // written, dropping queued messages. Idempotent.
  void close(std::uint16_t code, std::string reason) const;

  // False once the connection ended or started closing.
  bool is_open() const;

  // Unique per server run; for logs and maps.
  std::uint64_t id() const { return id_; }
  const std::string& remote_address() const { return remote_address_; }

 private:
  std::weak_ptr<WebSocketConnection> connection_;
  std::uint64_t id_;
  std::string remote_address_;
};

// What an upgrade handler returns to accept a WebSocket. Callbacks run on the connection's strand
// (an I/O thread), one at a time per connection, and must return quickly (post work elsewhere).
// They must not hold the session handle strongly in a way that outlives on_close (drop it there).
// Callbacks may run until Server::wait() returned (stop() reports on_close with kShutdown), so
// whatever they capture must outlive that.
struct WebSocketCallbacks {
  // After the handshake succeeded, before any on_message.
  std::function<void(const std::shared_ptr<WebSocketSession>&)> on_open;
  // A non-empty message from the client (empty frames are Direct Line pings and are ignored).
  // `binary` is true for binary frames.
  std::function<void(const std::shared_ptr<WebSocketSession>&, std::string message, bool binary)>
      on_message;
  // Exactly once after on_open, when the connection ended for any reason.
  std::function<void(const std::shared_ptr<WebSocketSession>&, const CloseInfo&)> on_close;
};

// An upgrade handler sees the HTTP upgrade request (path params, query such as `?t=<token>`) and
// either rejects it with a Response (e.g. 403 JSON; sent as a normal HTTP response) or accepts it.
// Runs on the I/O thread; exceptions are answered with 500.
using WebSocketDecision = std::variant<Response, WebSocketCallbacks>;
using WebSocketHandler = std::function<WebSocketDecision(const Request&)>;

}  // namespace baton::server
