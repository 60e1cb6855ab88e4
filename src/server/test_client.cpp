#include "server/test_client.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <cstdlib>

namespace baton::server::testing {

namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

ServerOptions fast_options() {
  ServerOptions options;
  options.read_timeout = 2s;
  options.write_timeout = 2s;
  options.handler_timeout = 2s;
  options.drain_timeout = 2s;
  options.ws_handshake_timeout = 2s;
  options.ws_idle_timeout = 10s;
  options.ws_keepalive_interval = 0ms;
  return options;
}

TestServer::TestServer(ServerOptions options) : server_(std::move(options)) {}

void TestServer::start() {
  auto port = server_.listen("127.0.0.1", 0);
  if (!port.ok()) {
    ADD_FAILURE() << port.error().message;
    std::abort();
  }
  port_ = *port;
  server_.start(2);
}

namespace {

template <class Socket, class Start>
beast::error_code run_with_deadline(asio::io_context& ioc, Socket& socket, Start&& start,
                                    std::chrono::milliseconds timeout) {
  std::optional<beast::error_code> result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(timeout);
  if (!result) {
    beast::error_code ignored;
    socket.cancel(ignored);
    ioc.restart();
    ioc.run();
    return asio::error::timed_out;
  }
  return *result;
}

}  // namespace

HttpClient::HttpClient(std::uint16_t port) : socket_(ioc_) {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

template <class Start>
beast::error_code HttpClient::run(Start&& start, std::chrono::milliseconds timeout) {
  return run_with_deadline(ioc_, socket_, std::forward<Start>(start), timeout);
}

HttpResponse HttpClient::request(http::request<http::string_body> request, beast::error_code& ec,
                                 std::chrono::milliseconds timeout) {
  request.set(http::field::host, "127.0.0.1");
  request.prepare_payload();
  ec = run([&](auto handler) { http::async_write(socket_, request, handler); }, timeout);
  if (ec) {
    return {};
  }
  return read_response(ec, timeout);
}

beast::error_code HttpClient::write_raw(const std::string& bytes,
                                        std::chrono::milliseconds timeout) {
  return run([&](auto handler) { asio::async_write(socket_, asio::buffer(bytes), handler); },
             timeout);
}

HttpResponse HttpClient::read_response(beast::error_code& ec, std::chrono::milliseconds timeout) {
  HttpResponse response;
  ec = run([&](auto handler) { http::async_read(socket_, buffer_, response, handler); }, timeout);
  return response;
}

std::string HttpClient::read_until_close(bool& closed, std::chrono::milliseconds timeout) {
  std::string data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  closed = false;
  char chunk[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t n = 0;
    auto ec = run(
        [&](auto handler) {
          socket_.async_read_some(asio::buffer(chunk),
                                  [&n, handler](beast::error_code e, std::size_t got) mutable {
                                    n = got;
                                    handler(e);
                                  });
        },
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                              std::chrono::steady_clock::now()));
    data.append(chunk, n);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      closed = true;
      break;
    }
    if (ec) {
      break;
    }
  }
  return data;
}

HttpResponse http_request(std::uint16_t port, http::verb method, const std::string& target,
                          const std::string& body, const http::fields& headers) {
  HttpClient client(port);
  http::request<http::string_body> request(method, target, 11);
  for (const auto& field : headers) {
    request.insert(field.name_string(), field.value());
  }
  request.body() = body;
  beast::error_code ec;
  HttpResponse response = client.request(std::move(request), ec);
  EXPECT_FALSE(ec) << ec.message();
  return response;
}

WsClient::WsClient() : ws_(ioc_) {}

template <class Start>
beast::error_code WsClient::run(Start&& start, std::chrono::milliseconds timeout) {
  return run_with_deadline(ioc_, ws_.next_layer(), std::forward<Start>(start), timeout);
}

beast::error_code WsClient::connect(std::uint16_t port, const std::string& target,
                                    HttpResponse* rejection) {
  beast::error_code ec;
  ws_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    return ec;
  }
  websocket::response_type response;
  ec = run([&](auto handler) { ws_.async_handshake(response, "127.0.0.1", target, handler); }, 5s);
  if (ec && rejection) {
    rejection->result(response.result());
    rejection->body() = response.body();
    for (const auto& field : response) {
      rejection->set(field.name_string(), field.value());
    }
  }
  return ec;
}

std::optional<std::string> WsClient::read(beast::error_code& ec,
                                          std::chrono::milliseconds timeout) {
  buffer_.consume(buffer_.size());
  ec = run([&](auto handler) { ws_.async_read(buffer_, handler); }, timeout);
  if (ec) {
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer_.data());
}

beast::error_code WsClient::write(const std::string& text, std::chrono::milliseconds timeout) {
  ws_.text(true);
  return run([&](auto handler) { ws_.async_write(asio::buffer(text), handler); }, timeout);
}

beast::error_code WsClient::close(std::chrono::milliseconds timeout) {
  return run([&](auto handler) { ws_.async_close(websocket::close_code::normal, handler); },
             timeout);
}

std::uint16_t WsClient::read_until_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    beast::error_code ec;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    read(ec, left);
    if (ec == websocket::error::closed) {
      return static_cast<std::uint16_t>(ws_.reason().code);
    }
    if (ec) {
      return 0;
    }
  }
  return 0;
}

}  // namespace baton::server::testing
