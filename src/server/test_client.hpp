#pragma once
// Test helpers for src/server tests: a server on 127.0.0.1:0 and Beast clients whose every
// operation has a deadline, so a broken server fails a test instead of hanging it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/server.hpp"

namespace baton::server::testing {

namespace beast = boost::beast;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using HttpResponse = http::response<http::string_body>;

// Options with short timeouts so timeout paths run quickly in tests.
ServerOptions fast_options();

// A Server listening on 127.0.0.1:<any port> with two I/O threads once start() is called.
class TestServer {
 public:
  explicit TestServer(ServerOptions options = fast_options());
  Router& router() { return server_.router(); }
  Server& server() { return server_; }
  // Listens and starts; aborts the test on failure.
  void start();
  std::uint16_t port() const { return port_; }

 private:
  Server server_;
  std::uint16_t port_ = 0;
};

// One client TCP connection; each call runs until done or `timeout` (then fails with timed_out).
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  // Sends a request and reads its response. The error is set on failure/timeout.
  HttpResponse request(http::request<http::string_body> request, beast::error_code& ec,
                       std::chrono::milliseconds timeout = 5s);
  // Writes raw bytes.
  beast::error_code write_raw(const std::string& bytes, std::chrono::milliseconds timeout = 5s);
  // Reads one response (e.g. after write_raw).
  HttpResponse read_response(beast::error_code& ec, std::chrono::milliseconds timeout = 5s);
  // Reads until the server closes the connection; returns everything read. `closed` tells
  // whether the peer closed (false on timeout).
  std::string read_until_close(bool& closed, std::chrono::milliseconds timeout = 5s);

 private:
  template <class Start>
  beast::error_code run(Start&& start, std::chrono::milliseconds timeout);

  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// One request on a fresh connection.
HttpResponse http_request(std::uint16_t port, http::verb method, const std::string& target,
                          const std::string& body = "", const http::fields& headers = {});

// A WebSocket client.
class WsClient {
 public:
  WsClient();
  // Connects and performs the handshake for `target`. On rejection returns the error and fills
  // `rejection` with the server's HTTP response.
  beast::error_code connect(std::uint16_t port, const std::string& target,
                            HttpResponse* rejection = nullptr);
  // Reads one message. nullopt on timeout or error (then `ec` says which).
  std::optional<std::string> read(beast::error_code& ec, std::chrono::milliseconds timeout = 5s);
  beast::error_code write(const std::string& text, std::chrono::milliseconds timeout = 5s);
  beast::error_code close(std::chrono::milliseconds timeout = 5s);
  // Reads until the server closes; returns the close code received (or 0 if none / timeout).
  std::uint16_t read_until_closed(std::chrono::milliseconds timeout = 5s);
  beast::websocket::stream<asio::ip::tcp::socket>& stream() { return ws_; }

 private:
  template <class Start>
  beast::error_code run(Start&& start, std::chrono::milliseconds timeout);

  asio::io_context ioc_;
  beast::websocket::stream<asio::ip::tcp::socket> ws_;
  beast::flat_buffer buffer_;
};

}  // namespace baton::server::testing
