#include "server/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <optional>
#include <thread>

#include "core/thread_name.hpp"
#include "server/connection.hpp"
#include "server/http_connection.hpp"

namespace baton::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::uint64_t ServerContext::add(std::weak_ptr<Connection> connection) {
  const std::uint64_t id = next_id.fetch_add(1);
  std::lock_guard lock(mutex_);
  connections_.emplace(id, std::move(connection));
  return id;
}

void ServerContext::remove(std::uint64_t id) {
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    if (connections_.erase(id) == 0) {
      return;
    }
    if (connections_.empty() && stopping.load()) {
      drained = on_drained_;
    }
  }
  if (drained) {
    drained();
  }
}

std::vector<std::shared_ptr<Connection>> ServerContext::snapshot() {
  std::vector<std::shared_ptr<Connection>> result;
  std::lock_guard lock(mutex_);
  result.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    if (auto connection = weak.lock()) {
      result.push_back(std::move(connection));
    }
  }
  return result;
}

std::size_t ServerContext::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ServerContext::set_on_drained(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  on_drained_ = std::move(callback);
}

std::optional<SocketSlot> ServerContext::admit(const std::string& address, bool exempt) {
  std::lock_guard lock(slots_mutex_);
  if (options.max_connections != 0 && sockets_ >= options.max_connections) {
    ++refusals_.total;
    refusals_.address = address;
    return std::nullopt;
  }
  if (!exempt && options.max_connections_per_address != 0) {
    std::size_t& held = per_address_[address];
    if (held >= options.max_connections_per_address) {
      ++refusals_.per_address;
      refusals_.address = address;
      return std::nullopt;
    }
    ++held;
  }
  ++sockets_;
  // The slot refers to the context it counts in; only exempt sockets skip the per-address table.
  return SocketSlot(shared_from_this(),
                    exempt || options.max_connections_per_address == 0 ? std::string() : address);
}

void ServerContext::release_slot(const std::string& address) {
  std::lock_guard lock(slots_mutex_);
  --sockets_;
  if (!address.empty()) {
    if (auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) {
      per_address_.erase(it);
    }
  }
}

ServerContext::Refusals ServerContext::take_refusals() {
  std::lock_guard lock(slots_mutex_);
  return std::exchange(refusals_, Refusals{});
}

SocketSlot::~SocketSlot() { release(); }

SocketSlot& SocketSlot::operator=(SocketSlot&& other) noexcept {
  if (this != &other) {
    release();
    context_ = std::move(other.context_);
    address_ = std::move(other.address_);
  }
  return *this;
}

void SocketSlot::release() {
  if (context_) {
    context_->release_slot(address_);
    context_.reset();
  }
}

struct Server::Impl {
  explicit Impl(ServerOptions options)
      : context(std::make_shared<ServerContext>()),
        control(asio::make_strand(ioc)),
        acceptor(control),
        drain_timer(control),
        accept_retry(control) {
    context->options = std::move(options);
    context->set_on_drained([this] { asio::post(control, [this] { connections_drained(); }); });
  }

  ~Impl() { context->set_on_drained(nullptr); }

  // Derives what connections need from the configured router.
  void prepare() {
    std::size_t largest = context->options.max_body_bytes;
    for (const Route& route : context->router.routes()) {
      largest = std::max(largest, route.options.max_body_bytes.value_or(0));
    }
    context->largest_body_limit = largest;
  }
  void do_accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);
  void refuse(tcp::socket socket);
  void wait_signal();
  void begin_stop();
  void force_stop();
  // On the control strand: one part of a graceful stop (the connections, each on_stop() drain) is
  // done; the last one stops the loop.
  void part_drained();
  void connections_drained();
  // On the control strand: one on_stop() drain called its `done`.
  void drain_done();
  void close_acceptor();

  std::shared_ptr<ServerContext> context;  // outlives ioc: connections hold it
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> control;  // acceptor, signals, drain timer
  tcp::acceptor acceptor;
  std::optional<asio::signal_set> signals;
  asio::steady_timer drain_timer;
  asio::steady_timer accept_retry;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex threads_mutex;
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> stop_called{false};
  bool forced = false;
  std::vector<std::function<void(std::function<void()>)>> drains;  // on_stop(); set before start
  std::size_t parts_left = 0;   // control strand: parts of the graceful stop still running
  std::size_t drains_left = 0;  // control strand: on_stop() drains still running
  // Control strand: the listener stays open while the on_stop() drains run, for the routes they
  // wait for (RouteOptions::while_stopping).
  bool accepting_while_stopping = false;
  bool connections_closed = false;  // control strand: counted in parts_left once
  static constexpr std::chrono::seconds kRefusalLogInterval{10};
  std::chrono::steady_clock::time_point last_refusal_log{};  // on the control strand
};

void Server::Impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [this](boost::system::error_code ec, tcp::socket socket) {
                          on_accept(ec, std::move(socket));
                        });
}

void Server::Impl::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
    return;
  }
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning.
    spdlog::warn("server: accept failed: {}", ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec && acceptor.is_open()) {
        do_accept();
      }
    });
    return;
  }
  if (context->stopping.load() && !accepting_while_stopping) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  boost::system::error_code ignored;
  const tcp::endpoint peer = socket.remote_endpoint(ignored);
  const std::string address = peer.address().to_string();
  auto slot = context->admit(address, context->options.trusted_proxies.contains(peer.address()));
  if (!slot) {
    refuse(std::move(socket));
    do_accept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  std::make_shared<HttpConnection>(std::move(socket), context, std::move(*slot))->start();
  do_accept();
}

// A connection over the caps: one non-blocking attempt to say 503 (the kernel's buffer takes it
// unless the client is flooding), then closed, so it holds nothing here. Logged at most every
// kRefusalLogInterval, with the counts since the last line.
void Server::Impl::refuse(tcp::socket socket) {
  static const std::string kAnswer = [] {
    const std::string_view body =
        R"({"error":{"code":"Unavailable","message":"Too many connections; retry in a moment."}})";
    return fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: "
        "5\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
        body.size(), body);
  }();
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(kAnswer.data(), kAnswer.size()), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log >= kRefusalLogInterval) {
    last_refusal_log = now;
    const ServerContext::Refusals r = context->take_refusals();
    spdlog::warn(
        "server: refused {} connection(s) over the caps ({} at {} in all, {} at {} per address; "
        "the last from {})",
        r.total + r.per_address, r.total, context->options.max_connections, r.per_address,
        context->options.max_connections_per_address, r.address);
  }
}

void Server::Impl::wait_signal() {
  signals->async_wait([this](boost::system::error_code ec, int signal_number) {
    if (ec) {
      return;
    }
    if (!context->stopping.load()) {
      spdlog::info("server: signal {} received, stopping", signal_number);
      stop_called.store(true);
      begin_stop();
    } else {
      spdlog::info("server: signal {} received again, closing all connections", signal_number);
      force_stop();
    }
    wait_signal();
  });
}

void Server::Impl::begin_stop() {
  if (context->stopping.exchange(true)) {
    return;
  }
  const auto& routes = context->router.routes();
  accepting_while_stopping = !drains.empty() && acceptor.is_open() &&
                             std::any_of(routes.begin(), routes.end(), [](const Route& route) {
                               return route.options.while_stopping;
                             });
  if (!accepting_while_stopping) {
    close_acceptor();
  }
  work.reset();
  auto connections = context->snapshot();
  spdlog::info(
      "server: stopping; draining {} connection(s){}", connections.size(),
      accepting_while_stopping ? " and accepting callbacks until the outbound work is done" : "");
  parts_left = 1 + drains.size();
  drains_left = drains.size();
  for (const auto& drain : drains) {
    drain([this] { asio::post(control, [this] { drain_done(); }); });
  }
  if (connections.empty()) {
    connections_drained();
  }
  for (const auto& connection : connections) {
    connection->shutdown(false);
  }
  drain_timer.expires_after(context->options.drain_timeout);
  drain_timer.async_wait([this](boost::system::error_code ec) {
    if (!ec) {
      force_stop();
    }
  });
}

void Server::Impl::close_acceptor() {
  accepting_while_stopping = false;
  boost::system::error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
}

void Server::Impl::drain_done() {
  if (drains_left > 0 && --drains_left == 0 && accepting_while_stopping) {
    close_acceptor();
    // What was accepted meanwhile finishes its request and closes; an idle one closes now.
    auto connections = context->snapshot();
    for (const auto& connection : connections) {
      connection->shutdown(false);
    }
    if (connections.empty()) {
      connections_drained();
    }
  }
  part_drained();
}

void Server::Impl::connections_drained() {
  // While the listener is open, a callback may still connect.
  if (!accepting_while_stopping && !std::exchange(connections_closed, true)) {
    part_drained();
  }
}

void Server::Impl::part_drained() {
  if (parts_left > 0 && --parts_left == 0) {
    ioc.stop();
  }
}

void Server::Impl::force_stop() {
  if (forced) {
    return;
  }
  forced = true;
  context->stopping.store(true);
  close_acceptor();
  for (const auto& connection : context->snapshot()) {
    connection->shutdown(true);
  }
  // Give the aborted operations a moment to report (on_close callbacks), then stop the loop.
  drain_timer.expires_after(std::chrono::milliseconds(200));
  drain_timer.async_wait([this](boost::system::error_code) { ioc.stop(); });
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
  stop();
  wait();
}

Router& Server::router() { return impl_->context->router; }

const ServerOptions& Server::options() const { return impl_->context->options; }

Result<std::uint16_t> Server::listen(std::string_view host, std::uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument,
                      "listen: '" + std::string(host) + "' is not an IP address");
  }
  tcp::endpoint endpoint(address, port);
  auto& acceptor = impl_->acceptor;
  auto fail = [&](const char* step) -> Result<std::uint16_t> {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return make_error(ErrorCode::kIo, std::string("listen on ") + std::string(host) + ":" +
                                          std::to_string(port) + ": " + step + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec)) {
    return fail("open");
  }
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) {
    return fail("reuse_address");
  }
  if (acceptor.bind(endpoint, ec)) {
    return fail("bind");
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    return fail("listen");
  }
  const std::uint16_t bound = acceptor.local_endpoint(ec).port();
  if (ec) {
    return fail("local_endpoint");
  }
  impl_->port.store(bound);
  spdlog::info("server: listening on {}:{}", std::string(host), bound);
  return bound;
}

std::uint16_t Server::port() const { return impl_->port.load(); }

void Server::stop_on_signals() {
  impl_->signals.emplace(impl_->control, SIGINT, SIGTERM);
  impl_->wait_signal();
}

void Server::on_stop(std::function<void(std::function<void()> done)> drain) {
  impl_->drains.push_back(std::move(drain));
}

void Server::start(int threads) {
  Impl& impl = *impl_;
  impl.prepare();
  impl.work.emplace(impl.ioc.get_executor());
  if (impl.acceptor.is_open()) {
    asio::post(impl.control, [&impl] { impl.do_accept(); });
  }
  std::lock_guard lock(impl.threads_mutex);
  for (int i = 0; i < std::max(threads, 1); ++i) {
    impl.threads.emplace_back([&impl] {
      set_thread_name("baton-io");
      impl.ioc.run();
    });
  }
}

void Server::run(int threads) {
  if (threads > 1) {
    start(threads - 1);
  } else {
    impl_->prepare();
    impl_->work.emplace(impl_->ioc.get_executor());
    if (impl_->acceptor.is_open()) {
      asio::post(impl_->control, [impl = impl_.get()] { impl->do_accept(); });
    }
  }
  impl_->ioc.run();
  wait();
}

void Server::stop() {
  if (impl_->stop_called.exchange(true)) {
    return;
  }
  asio::post(impl_->control, [impl = impl_.get()] { impl->begin_stop(); });
}

void Server::wait() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->threads_mutex);
    threads.swap(impl_->threads);
  }
  for (auto& thread : threads) {
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();  // wait() from an I/O thread: cannot join itself
    } else if (thread.joinable()) {
      thread.join();
    }
  }
}

boost::asio::any_io_executor Server::executor() { return impl_->ioc.get_executor(); }

std::size_t Server::connection_count() const { return impl_->context->size(); }

std::size_t Server::websocket_count() const {
  return impl_->context->websockets.load(std::memory_order_relaxed);
}

}  // namespace baton::server
