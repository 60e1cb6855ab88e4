#pragma once
// Internal to src/server: one HTTP/1.1 connection. Reads one request at a time (pipelined requests
// wait in the buffer, so responses keep request order), dispatches it, writes the response, and
// either reads the next request or hands the socket to a WebSocketConnection on upgrade.
// Everything runs on the connection's strand.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/connection.hpp"

namespace baton::server {

class HttpConnection final : public Connection,
                             public std::enable_shared_from_this<HttpConnection> {
 public:
  // `slot`: the socket's place under the connection caps, handed on to the WebSocket connection
  // on upgrade.
  HttpConnection(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> context,
                 SocketSlot slot);
  ~HttpConnection() override;

  // Registers with the context and starts reading. Call once, right after construction.
  void start();
  void shutdown(bool force) override;

 private:
  enum class State { kReading, kHandling, kWriting, kClosed };

  // What the header phase learned about the request being read.
  struct Pending {
    std::string path;
    std::vector<std::string> segments;
    Params query;
    bool websocket = false;
    Router::Match match;
  };

  void do_read();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  // Whether the request whose head was read may be served by a stopping server: /healthz, or a
  // route with RouteOptions::while_stopping.
  bool serves_while_stopping() const;
  // The route's admission check (RouteOptions::admit) on the request's headers; its refusal.
  std::optional<Response> admit_head(
      const boost::beast::http::request<boost::beast::http::string_body>& header);
  // The request's client: the peer, or the X-Forwarded-For hop behind trusted proxies.
  std::string client_address(const boost::beast::http::fields& headers) const;
  void on_read_error(boost::beast::error_code ec);
  void dispatch(Request request);
  // The answer to GET /healthz (ServerOptions::readiness).
  Response healthz() const;
  void dispatch_route(Request request);
  void upgrade(Request request);
  void run_async(const AsyncHandler& handler, Request request);
  void on_async_response(std::uint64_t sequence, Response response);
  void on_handler_timeout(std::uint64_t sequence, boost::beast::error_code ec);
  void send(Response response, bool close_after);
  template <class Message>
  void write(std::shared_ptr<Message> message);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void linger_close();
  void close_now();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer handler_timer_;
  // The strand; kept apart from stream_ because the stream is moved out on upgrade.
  boost::asio::any_io_executor executor_;
  std::shared_ptr<ServerContext> context_;
  SocketSlot slot_;
  std::uint64_t id_ = 0;
  std::string remote_address_;
  std::uint16_t remote_port_ = 0;
  State state_ = State::kReading;
  bool stop_requested_ = false;
  // Accepted while the server stops (RouteOptions::while_stopping): serves one request, and only
  // for such a route.
  bool accepted_while_stopping_ = false;
  Pending pending_;
  // About the request being answered, for the response and the access log.
  std::uint64_t sequence_ = 0;
  http::verb method_ = http::verb::unknown;
  std::string log_target_;  // the request target for logs, its query elided
  unsigned version_ = 11;
  bool request_keep_alive_ = false;
  std::optional<std::string> origin_;
  std::chrono::steady_clock::time_point started_;
  std::size_t lingered_bytes_ = 0;
};

}  // namespace baton::server
