#pragma once
// Internal to src/server: what every connection shares with the Server (options, router, the
// registry stop() walks). Connections hold it by shared_ptr so it outlives the last of them.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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

struct ServerContext {
  ServerOptions options;
  Router router;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_id{1};
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

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::function<void()> on_drained_;
};

}  // namespace baton::server
