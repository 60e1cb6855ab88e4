#include "server/websocket_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace baton::server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr std::size_t kShrinkReadBufferAbove = 4096;
constexpr std::size_t kCompactQueueAfter = 64;
constexpr std::size_t kMaxCloseReason = 123;  // RFC 6455: control frame payload <= 125 bytes

// Keep-alive frames share one empty string.
const std::shared_ptr<const std::string>& empty_frame() {
  static const auto frame = std::make_shared<const std::string>();
  return frame;
}

}  // namespace

const char* to_string(CloseCause cause) {
  switch (cause) {
    case CloseCause::kPeerClosed:
      return "peer_closed";
    case CloseCause::kServerClosed:
      return "server_closed";
    case CloseCause::kQueueOverflow:
      return "queue_overflow";
    case CloseCause::kShutdown:
      return "shutdown";
    case CloseCause::kTimeout:
      return "timeout";
    case CloseCause::kError:
      return "error";
  }
  return "unknown";
}

bool WebSocketSession::send(std::shared_ptr<const std::string> text) const {
  if (auto connection = connection_.lock()) {
    return connection->post_send(std::move(text));
  }
  return false;
}

void WebSocketSession::close(std::uint16_t code, std::string reason) const {
  if (auto connection = connection_.lock()) {
    connection->post_close(code, std::move(reason));
  }
}

bool WebSocketSession::is_open() const {
  auto connection = connection_.lock();
  return connection && connection->is_open();
}

WebSocketConnection::WebSocketConnection(beast::tcp_stream&& stream,
                                         std::shared_ptr<ServerContext> context, SocketSlot slot,
                                         WebSocketCallbacks callbacks, std::string remote_address)
    : ws_(std::move(stream)),
      executor_(ws_.get_executor()),
      timer_(executor_),
      context_(std::move(context)),
      slot_(std::move(slot)),
      callbacks_(std::move(callbacks)),
      remote_address_(std::move(remote_address)) {
  context_->websockets.fetch_add(1, std::memory_order_relaxed);
}

WebSocketConnection::~WebSocketConnection() {
  context_->websockets.fetch_sub(1, std::memory_order_relaxed);
  context_->remove(id_);
}

void WebSocketConnection::start(http::request<http::string_body> request) {
  id_ = context_->add(weak_from_this());
  const ServerOptions& options = context_->options;
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = options.ws_handshake_timeout;
  timeout.idle_timeout = options.ws_idle_timeout.count() > 0 ? options.ws_idle_timeout
                                                             : websocket::stream_base::none();
  timeout.keep_alive_pings = options.ws_idle_timeout.count() > 0;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator(
      [name = options.server_header](websocket::response_type& response) {
        response.set(http::field::server, name);
      }));
  ws_.read_message_max(options.ws_max_message_bytes);
  ws_.write_buffer_bytes(std::max<std::size_t>(options.ws_write_buffer_bytes, 8));
  ws_.auto_fragment(false);
  auto upgrade = std::make_shared<http::request<http::string_body>>(std::move(request));
  ws_.async_accept(*upgrade, [self = shared_from_this(), upgrade](beast::error_code ec) {
    self->on_accept(ec);
  });
}

void WebSocketConnection::shutdown(bool force) {
  asio::post(executor_, [self = shared_from_this(), force] {
    if (self->finished_) {
      return;
    }
    if (force || !self->opened_) {
      self->abort(CloseCause::kShutdown, "server stopped");
    } else {
      self->begin_close(CloseCause::kShutdown, 1001, "server shutting down");
    }
  });
}

bool WebSocketConnection::post_send(std::shared_ptr<const std::string> message) {
  if (!is_open() || !message) {
    return false;
  }
  asio::post(executor_, [self = shared_from_this(), message = std::move(message)]() mutable {
    self->enqueue(std::move(message));
  });
  return true;
}

void WebSocketConnection::post_close(std::uint16_t code, std::string reason) {
  asio::post(executor_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->begin_close(CloseCause::kServerClosed, code, std::move(reason));
  });
}

void WebSocketConnection::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("ws {} #{} handshake failed: {}", remote_address_, id_, ec.message());
    finish(ec);
    return;
  }
  if (context_->stopping.load()) {
    // Accepted while the server stops: close at once; never opened, so no callbacks run.
    closing_ = true;
    close_info_ = CloseInfo{CloseCause::kShutdown, 1001, "server shutting down"};
    close_deadline_ = Clock::now() + context_->options.ws_handshake_timeout;
    arm_timer(context_->options.ws_handshake_timeout);
    do_close();
    do_read();
    return;
  }
  opened_ = true;
  open_.store(true, std::memory_order_release);
  handle_ = std::make_shared<WebSocketSession>(weak_from_this(), id_, remote_address_);
  if (callbacks_.on_open) {
    try {
      callbacks_.on_open(handle_);
    } catch (const std::exception& e) {
      spdlog::error("server: websocket on_open threw: {}", e.what());
      begin_close(CloseCause::kError, 1011, "internal error");
    }
  }
  const auto& options = context_->options;
  arm_timer(options.ws_keepalive_interval.count() > 0 ? options.ws_keepalive_interval
                                                      : options.write_timeout);
  do_read();
}

void WebSocketConnection::do_read() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void WebSocketConnection::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    finish(ec);
    return;
  }
  if (bytes > 0 && !closing_ && callbacks_.on_message) {
    std::string message = beast::buffers_to_string(read_buffer_.data());
    try {
      callbacks_.on_message(handle_, std::move(message), !ws_.got_text());
    } catch (const std::exception& e) {
      spdlog::error("server: websocket on_message threw: {}", e.what());
      begin_close(CloseCause::kError, 1011, "internal error");
    }
  }
  read_buffer_.consume(read_buffer_.size());
  if (read_buffer_.capacity() > kShrinkReadBufferAbove) {
    read_buffer_.shrink_to_fit();
  }
  do_read();
}

void WebSocketConnection::enqueue(std::shared_ptr<const std::string> message) {
  if (!opened_ || closing_ || finished_) {
    return;
  }
  const ServerOptions& options = context_->options;
  const std::size_t pending = queue_.size() - head_;
  if (pending + 1 > options.ws_queue_max_messages ||
      queued_bytes_ + message->size() > options.ws_queue_max_bytes) {
    spdlog::warn("ws {} #{}: send queue overflow ({} messages, {} bytes); closing", remote_address_,
                 id_, pending, queued_bytes_);
    begin_close(CloseCause::kQueueOverflow, 1008, "send queue overflow");
    return;
  }
  queued_bytes_ += message->size();
  queue_.push_back(std::move(message));
  if (!writing_) {
    do_write();
  }
}

void WebSocketConnection::do_write() {
  writing_ = true;
  write_started_ = Clock::now();
  ws_.text(true);
  ws_.async_write(
      asio::buffer(*queue_[head_]),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void WebSocketConnection::on_write(beast::error_code ec) {
  writing_ = false;
  if (finished_) {
    queue_.clear();
    queue_.shrink_to_fit();
    head_ = 0;
    queued_bytes_ = 0;
    return;
  }
  if (head_ < queue_.size()) {
    queued_bytes_ -= queue_[head_]->size();
    queue_[head_].reset();
    ++head_;
  }
  if (head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
    if (queue_.capacity() > kCompactQueueAfter) {
      queue_.shrink_to_fit();
    }
  } else if (head_ > kCompactQueueAfter && head_ * 2 > queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  if (ec) {
    abort(CloseCause::kError, ec.message());
    return;
  }
  if (closing_) {
    do_close();
    return;
  }
  if (head_ < queue_.size()) {
    do_write();
  }
}

void WebSocketConnection::drop_queue() {
  const std::size_t keep = head_ + (writing_ ? 1 : 0);
  if (keep < queue_.size()) {
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(keep), queue_.end());
  }
  queued_bytes_ = writing_ && head_ < queue_.size() ? queue_[head_]->size() : 0;
}

void WebSocketConnection::begin_close(CloseCause cause, std::uint16_t code, std::string reason) {
  if (closing_ || finished_) {
    return;
  }
  closing_ = true;
  open_.store(false, std::memory_order_release);
  if (reason.size() > kMaxCloseReason) {
    reason.resize(kMaxCloseReason);
  }
  close_info_ = CloseInfo{cause, code, std::move(reason)};
  drop_queue();
  close_deadline_ = Clock::now() + context_->options.ws_handshake_timeout;
  arm_timer(context_->options.ws_handshake_timeout);
  if (!writing_ && opened_) {
    do_close();
  }
}

void WebSocketConnection::do_close() {
  websocket::close_reason reason;
  reason.code = close_info_.code;
  reason.reason = close_info_.reason;
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code ec) {
    if (ec && !self->finished_) {
      self->abort(self->close_info_.cause, "close failed: " + ec.message());
    }
  });
}

// Closes the socket without a handshake; the pending read then fails and calls finish().
void WebSocketConnection::abort(CloseCause cause, std::string reason) {
  if (finished_) {
    return;
  }
  if (!closing_) {
    closing_ = true;
    close_info_ = CloseInfo{cause, 1006, std::move(reason)};
  }
  open_.store(false, std::memory_order_release);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

void WebSocketConnection::arm_timer(Clock::duration after) {
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_timer(ec); });
}

void WebSocketConnection::on_timer(beast::error_code ec) {
  if (ec == asio::error::operation_aborted || finished_) {
    return;
  }
  const ServerOptions& options = context_->options;
  const auto now = Clock::now();
  if (closing_) {
    if (now >= close_deadline_) {
      abort(close_info_.cause, "close handshake timed out");
    } else {
      arm_timer(close_deadline_ - now);
    }
    return;
  }
  if (writing_ && now - write_started_ >= options.write_timeout) {
    spdlog::warn("ws {} #{}: write stuck for {} ms; closing", remote_address_, id_,
                 options.write_timeout.count());
    abort(CloseCause::kTimeout, "write timed out");
    return;
  }
  const bool keepalive = options.ws_keepalive_interval.count() > 0;
  if (keepalive && !writing_ && head_ == queue_.size()) {
    enqueue(empty_frame());
  }
  arm_timer(keepalive ? options.ws_keepalive_interval : options.write_timeout);
}

void WebSocketConnection::finish(beast::error_code ec) {
  if (finished_) {
    return;
  }
  finished_ = true;
  open_.store(false, std::memory_order_release);
  CloseInfo info = close_info_;
  if (!closing_) {
    if (ec == websocket::error::closed) {
      info = CloseInfo{CloseCause::kPeerClosed, static_cast<std::uint16_t>(ws_.reason().code),
                       std::string(ws_.reason().reason.c_str())};
    } else if (ec == beast::error::timeout) {
      info = CloseInfo{CloseCause::kTimeout, 1006, "idle timeout"};
    } else if (ec == websocket::error::message_too_big) {
      info = CloseInfo{CloseCause::kError, 1009, "message too big"};
    } else {
      info = CloseInfo{CloseCause::kError, 1006, ec.message()};
    }
  }
  timer_.cancel();
  drop_queue();  // keeps the message being written alive until on_write
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  spdlog::debug("ws {} #{} closed: {} {} {}", remote_address_, id_, to_string(info.cause),
                info.code, info.reason);
  if (opened_ && callbacks_.on_close) {
    try {
      callbacks_.on_close(handle_, info);
    } catch (const std::exception& e) {
      spdlog::error("server: websocket on_close threw: {}", e.what());
    }
  }
  callbacks_ = WebSocketCallbacks{};
  handle_.reset();
}

}  // namespace baton::server
