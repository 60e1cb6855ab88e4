// A bare Boost.Beast WebSocket echo server: the transport's limit that `loadgen --mode echo`
// measures with the same client code it uses against `baton serve`, so the serve figures can be
// read as a ratio to it. Every text frame is written back unchanged; nothing else happens.
//
//   build/bench/echo_server [--listen 127.0.0.1:0] [--threads 1]
// Prints `echo: listening on PORT` on stdout when ready; stops on SIGINT/SIGTERM.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

awaitable<void> echo_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(std::size_t{64} * 1024);
  auto [accept_error] = co_await ws.async_accept(asio::as_tuple(use_awaitable));
  if (accept_error) {
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    auto [read_error, n] = co_await ws.async_read(buffer, asio::as_tuple(use_awaitable));
    if (read_error) {
      co_return;  // closed or broken: the session ends
    }
    ws.text(ws.got_text());
    auto [write_error, written] =
        co_await ws.async_write(buffer.data(), asio::as_tuple(use_awaitable));
    (void)n;
    (void)written;
    if (write_error) {
      co_return;
    }
    buffer.consume(buffer.size());
  }
}

awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    // One strand per connection: Beast's idle-ping timer and the read/write loop never race.
    auto [error, socket] = co_await acceptor.async_accept(
        asio::make_strand(acceptor.get_executor()), asio::as_tuple(use_awaitable));
    if (error == asio::error::operation_aborted) {
      co_return;
    }
    if (error) {
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    socket.set_option(tcp::no_delay(true));
    auto executor = socket.get_executor();
    asio::co_spawn(executor, echo_session(std::move(socket)), asio::detached);
  }
}

void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Beast WebSocket echo server (loadgen baseline)"};
  std::string listen = "127.0.0.1:0";
  int threads = 1;
  app.add_option("--listen", listen, "HOST:PORT (port 0 = any free port)");
  app.add_option("--threads", threads, "I/O threads")->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);
  raise_open_file_limit();

  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    fmt::print(stderr, "echo: --listen must be HOST:PORT\n");
    return 2;
  }
  asio::io_context io(threads);
  boost::system::error_code error;
  const auto address = asio::ip::make_address(listen.substr(0, colon), error);
  if (error) {
    fmt::print(stderr, "echo: bad address {}: {}\n", listen, error.message());
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)));
  tcp::acceptor acceptor(io, {address, port});
  acceptor.listen(4096);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, auto) {
    acceptor.close();
    io.stop();
  });
  asio::co_spawn(io, accept_loop(acceptor), asio::detached);
  fmt::print("echo: listening on {}\n", acceptor.local_endpoint().port());
  (void)std::fflush(stdout);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    pool.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& t : pool) {
    t.join();
  }
  return 0;
}
