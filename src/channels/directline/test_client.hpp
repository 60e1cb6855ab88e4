#pragma once
// Test-only: a small synchronous Beast HTTP client and a WebSocket client with read timeouts, for
// driving the Direct Line channel over real sockets.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace baton::directline::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

struct HttpReply {
  unsigned status = 0;
  http::fields headers;
  std::string body;

  boost::json::value json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    return ec ? boost::json::value(nullptr) : v;
  }
  // error.code of a Direct Line error body ("" when absent).
  std::string error_code() const {
    auto v = json();
    if (!v.is_object() || !v.as_object().contains("error")) {
      return {};
    }
    return std::string(v.at("error").at("code").as_string());
  }
};

inline HttpReply http_request(
    std::uint16_t port, http::verb method, const std::string& target, const std::string& body = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) {
    req.set(name, value);
  }
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::size_t{64} * 1024 * 1024);
  http::read(stream, buffer, parser);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  auto res = parser.release();
  HttpReply reply;
  reply.status = res.result_int();
  reply.headers = res.base();
  reply.body = std::move(res.body());
  return reply;
}

inline std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

// A WebSocket client. Frames are read with a timeout; empty (keep-alive) frames are skipped.
class WsClient {
 public:
  // `target` is the path and query of a streamUrl.
  WsClient(std::uint16_t port, const std::string& target) : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    beast::error_code ec;
    websocket::response_type response;
    ws_.handshake(response, "127.0.0.1:" + std::to_string(port), target, ec);
    handshake_status_ = response.result_int();
    if (ec) {
      handshake_error_ = ec.message();
    }
  }
  bool open() const { return handshake_error_.empty(); }
  unsigned handshake_status() const { return handshake_status_; }

  // The next non-empty frame, or nullopt on timeout or close (then closed() tells).
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      beast::flat_buffer buffer;
      bool done = false;
      beast::error_code result;
      ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) {
        done = true;
        result = ec;
      });
      io_.restart();
      io_.run_until(deadline);
      if (!done) {
        ws_.next_layer().cancel();
        io_.restart();
        io_.run();
        return std::nullopt;
      }
      if (result) {
        closed_ = true;
        close_reason_ = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        return std::nullopt;
      }
      std::string text = beast::buffers_to_string(buffer.data());
      if (!text.empty()) {
        return text;
      }
    }
    return std::nullopt;
  }
  bool closed() const { return closed_; }
  const std::string& close_reason() const { return close_reason_; }

 private:
  boost::asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  unsigned handshake_status_ = 0;
  std::string handshake_error_;
  bool closed_ = false;
  std::string close_reason_;
};

// "ws://127.0.0.1:1234/v3/...?t=x" → "/v3/...?t=x" (also for http:// URLs).
inline std::string path_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

}  // namespace baton::directline::testing
