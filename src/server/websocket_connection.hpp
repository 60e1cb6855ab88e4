#pragma once
// Internal to src/server: one accepted WebSocket. Owns the Beast stream, the bounded send queue and
// one timer (keep-alive frames, stuck-write detection, close deadline). Kept alive by its own
// pending operations; WebSocketSession handles refer to it weakly. Everything runs on its strand.
//
// Memory when idle: the Beast stream (about 2 KiB incl. its 1.5 KiB read buffer), the socket, two
// timers, and this object; the read buffer and the queue hold no heap memory while idle.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "server/connection.hpp"
#include "server/websocket_session.hpp"

namespace baton::server {

class WebSocketConnection final : public Connection,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(boost::beast::tcp_stream&& stream, std::shared_ptr<ServerContext> context,
                      SocketSlot slot, WebSocketCallbacks callbacks, std::string remote_address);
  ~WebSocketConnection() override;

  // Registers and answers the upgrade `request`. Call once, on the strand, right after
  // construction.
  void start(http::request<http::string_body> request);
  void shutdown(bool force) override;

  // Thread-safe entry points used by WebSocketSession.
  bool post_send(std::shared_ptr<const std::string> message);
  void post_close(std::uint16_t code, std::string reason);
  bool is_open() const { return open_.load(std::memory_order_acquire); }

 private:
  using Clock = std::chrono::steady_clock;

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void enqueue(std::shared_ptr<const std::string> message);
  void do_write();
  void on_write(boost::beast::error_code ec);
  void begin_close(CloseCause cause, std::uint16_t code, std::string reason);
  void do_close();
  void abort(CloseCause cause, std::string reason);
  void arm_timer(Clock::duration after);
  void on_timer(boost::beast::error_code ec);
  void finish(boost::beast::error_code ec);
  void drop_queue();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::any_io_executor executor_;
  boost::beast::flat_buffer read_buffer_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<ServerContext> context_;
  SocketSlot slot_;  // the socket's place under the connection caps
  WebSocketCallbacks callbacks_;
  std::shared_ptr<WebSocketSession> handle_;
  std::uint64_t id_ = 0;
  std::string remote_address_;

  // Bounded send queue: [head_, size) are pending, queue_[head_] is being written when writing_.
  std::vector<std::shared_ptr<const std::string>> queue_;
  std::size_t head_ = 0;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  Clock::time_point write_started_{};

  std::atomic<bool> open_{false};
  bool opened_ = false;   // on_open was called
  bool closing_ = false;  // a close was decided; no more sends
  bool finished_ = false;
  Clock::time_point close_deadline_{};
  CloseInfo close_info_;
};

}  // namespace baton::server
