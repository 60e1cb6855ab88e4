#pragma once
// Internal to src/server: what every connection shares with the Server (options, router, the
// registry stop() walks). Connections hold it by shared_ptr so it outlives the last of them.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/router.hpp"
#include "server/server.hpp"

namespace baton::server {

// A live connection the server can ask to finish.
class Connection {
 public:
  virtual ~Connection() = default;
  // Called from any thread; the connection posts to its strand. Graceful: finish the current
  // response / send a going-away close. Forced: close the socket now.
  virtual void shutdown(bool force) = 0;
};

struct ServerContext;

// One accepted socket's place under the connection caps (ServerOptions::max_connections and
// max_connections_per_address): held by the HTTP connection, then by the WebSocket connection it
// becomes, and given back when destroyed. Movable, not copyable.
class SocketSlot {
 public:
  SocketSlot() = default;
  SocketSlot(std::shared_ptr<ServerContext> context, std::string address)
      : context_(std::move(context)), address_(std::move(address)) {}
  ~SocketSlot();
  SocketSlot(SocketSlot&& other) noexcept = default;
  SocketSlot& operator=(SocketSlot&& other) noexcept;
  SocketSlot(const SocketSlot&) = delete;
  SocketSlot& operator=(const SocketSlot&) = delete;

 private:
  void release();
  std::shared_ptr<ServerContext> context_;
  std::string address_;  // "" when the address is exempt from the per-address cap
};

struct ServerContext : std::enable_shared_from_this<ServerContext> {
  ServerOptions options;
  Router router;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_id{1};
  // WebSocket connections alive (from the upgrade to the socket's end); Server::websocket_count.
  std::atomic<std::size_t> websockets{0};
  // The largest body any route accepts; the parser's limit until the route is known. Set by
  // Server::start() from the router.
  std::size_t largest_body_limit = 0;

  // Registers a connection under a new id and returns it.
  std::uint64_t add(std::weak_ptr<Connection> connection);
  // Unregisters; when the server is stopping and this was the last one, calls on_drained.
  void remove(std::uint64_t id);
  // The connections alive right now.
  std::vector<std::shared_ptr<Connection>> snapshot();
  std::size_t size() const;
  // Set by the Server; cleared before the io_context dies.
  void set_on_drained(std::function<void()> callback);

  // Admission under the connection caps for a socket from `address` (`exempt`: a trusted proxy,
  // not counted per address). A slot, or nullopt when a cap is reached (the refusal is counted for
  // the log; see take_refusals()).
  std::optional<SocketSlot> admit(const std::string& address, bool exempt);
  // Refusals since the last call and an address that caused some, for the periodic log line.
  struct Refusals {
    std::uint64_t total = 0;
    std::uint64_t per_address = 0;
    std::string address;
  };
  Refusals take_refusals();

 private:
  friend class SocketSlot;
  void release_slot(const std::string& address);

  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::function<void()> on_drained_;

  std::mutex slots_mutex_;
  std::size_t sockets_ = 0;                                   // guarded by slots_mutex_
  std::unordered_map<std::string, std::size_t> per_address_;  // guarded by slots_mutex_
  Refusals refusals_;                                         // guarded by slots_mutex_
};

}  // namespace baton::server
