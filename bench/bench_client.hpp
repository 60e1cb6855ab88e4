#pragma once
// Client pieces shared by the bench load generators (loadgen.cpp, handoff_bench.cpp): a TCP
// connect, one keep-alive HTTP/1.1 exchange, a WebSocket handshake, the Direct Line conversation
// set-up (tokens/generate + POST /conversations), latency percentiles, and process limits.
//
// Everything here is a coroutine or a plain function on caller-owned objects; nothing is shared
// between threads. Coroutines take their values by copy (they start lazily, so references to a
// caller's temporaries would dangle); the stream / socket / out-parameter must outlive the await.
// Errors are values: a failed exchange returns status 0 / false, never throws. Note: GCC 12
// miscompiles co_await inside ?: and &&, so callers keep co_await in plain statements.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using Ws = websocket::stream<beast::tcp_stream>;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Where the server listens (numeric address).
struct Target {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
};

// An HTTP answer: status 0 means a transport error (nothing was received).
struct Reply {
  unsigned status = 0;
  std::string body;
};

inline awaitable<bool> connect(beast::tcp_stream& stream, Target target) {
  tcp::endpoint endpoint(asio::ip::make_address(target.host), target.port);
  auto [error] = co_await stream.async_connect(endpoint, kTuple);
  if (!error) {
    stream.socket().set_option(tcp::no_delay(true));
  }
  co_return !error;
}

// One HTTP/1.1 exchange on a keep-alive stream. `auth` (when not empty) is sent as a Bearer token;
// `body` as JSON (none for an empty GET). When the server closes after the answer, the stream is
// reconnected so the caller's next call works.
inline awaitable<Reply> call(beast::tcp_stream& stream, Target target, http::verb verb,
                             std::string path, std::string auth, std::string body) {
  http::request<http::string_body> req{verb, path, 11};
  req.set(http::field::host, target.host);
  if (!auth.empty()) {
    req.set(http::field::authorization, "Bearer " + auth);
  }
  if (!body.empty() || verb != http::verb::get) {
    req.set(http::field::content_type, "application/json");
  }
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();
  auto [write_error, w] = co_await http::async_write(stream, req, kTuple);
  (void)w;
  if (write_error) {
    co_return Reply{};
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  auto [read_error, r] = co_await http::async_read(stream, buffer, res, kTuple);
  (void)r;
  if (read_error) {
    co_return Reply{};
  }
  if (!res.keep_alive()) {
    stream.close();
    co_await connect(stream, target);
  }
  co_return Reply{res.result_int(), std::move(res.body())};
}

// Connects `ws` (fresh, on the caller's io_context) and performs the handshake on `path`
// (path + query), with `Authorization: Bearer <bearer>` when one is given. Text frames; keep-alive
// pings as a Beast client suggests.
inline awaitable<bool> open_ws(Ws& ws, Target target, std::string path, std::string bearer = {}) {
  if (!co_await connect(beast::get_lowest_layer(ws), target)) {
    co_return false;
  }
  beast::get_lowest_layer(ws).expires_never();
  ws.text(true);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  if (!bearer.empty()) {
    ws.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& request) {
      request.set(http::field::authorization, "Bearer " + bearer);
    }));
  }
  auto [error] =
      co_await ws.async_handshake(fmt::format("{}:{}", target.host, target.port), path, kTuple);
  co_return !error;
}

// The path + query of a URL ("ws://h:p/x?y" → "/x?y"; no path → "/").
inline std::string path_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? "/" : url.substr(path);
}

// A string member of a JSON object text; empty when the text is not JSON, not an object, or the
// member is missing or not a string.
inline std::string string_field(std::string_view text, std::string_view key) {
  boost::system::error_code error;
  const auto value = json::parse(text, error);
  const auto* object = error ? nullptr : value.if_object();
  const auto* member = object ? object->if_contains(key) : nullptr;
  const auto* string = member ? member->if_string() : nullptr;
  return string ? std::string(*string) : std::string();
}

// A started Direct Line conversation as the client sees it.
struct DlConversation {
  std::string id;
  std::string token;
  std::string ws_target;  // path + query of the streamUrl
};

// tokens/generate with the secret, then POST /conversations with the token (as DirectLineJS does).
// False on any non-success status, a transport error or an unexpected body.
inline awaitable<bool> create_conversation(beast::tcp_stream& stream, Target target,
                                           std::string secret, std::string user,
                                           DlConversation& out) {
  const auto body = json::serialize(json::object{{"user", json::object{{"id", user}}}});
  auto generated = co_await call(stream, target, http::verb::post, "/v3/directline/tokens/generate",
                                 secret, body);
  const auto token = string_field(generated.body, "token");
  if (generated.status != 200 || token.empty()) {
    co_return false;
  }
  auto started =
      co_await call(stream, target, http::verb::post, "/v3/directline/conversations", token, body);
  if (started.status != 200 && started.status != 201) {
    co_return false;
  }
  out.id = string_field(started.body, "conversationId");
  out.token = string_field(started.body, "token");
  out.ws_target = path_of(string_field(started.body, "streamUrl"));
  co_return !out.id.empty() && !out.token.empty();
}

// The p-quantile (0..1) of SORTED microsecond latencies, in milliseconds; -1 when empty.
inline double percentile_ms(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) {
    return -1;
  }
  const auto i = static_cast<std::size_t>(p * double(sorted.size() - 1));
  return sorted[i] / 1000.0;
}

inline std::uint32_t micros(Clock::duration d) {
  return static_cast<std::uint32_t>(
      std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

// Raises this process's open-file soft limit to the hard limit (many sockets).
inline void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// VmRSS of a process in KiB, -1 when it cannot be read.
inline long rss_kib(int pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

}  // namespace baton::bench
