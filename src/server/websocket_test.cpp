#include <gtest/gtest.h>
#include <malloc.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "server/server.hpp"
#include "server/test_client.hpp"

namespace baton::server {
namespace {

using namespace std::chrono_literals;
namespace beast = boost::beast;
using testing::HttpResponse;
using testing::TestServer;
using testing::WsClient;
namespace websocket = boost::beast::websocket;

// Records what a WebSocket endpoint saw; all access under the mutex.
struct Recorder {
  std::mutex mutex;
  std::shared_ptr<WebSocketSession> session;
  std::vector<std::string> messages;
  std::promise<std::shared_ptr<WebSocketSession>> opened;
  std::promise<CloseInfo> closed;

  WebSocketCallbacks callbacks(bool echo) {
    WebSocketCallbacks callbacks;
    callbacks.on_open = [this](const std::shared_ptr<WebSocketSession>& s) {
      std::lock_guard lock(mutex);
      session = s;
      opened.set_value(s);
    };
    callbacks.on_message = [this, echo](const std::shared_ptr<WebSocketSession>& s,
                                        std::string message, bool) {
      if (echo) {
        s->send(std::make_shared<const std::string>("echo:" + message));
      }
      std::lock_guard lock(mutex);
      messages.push_back(std::move(message));
    };
    callbacks.on_close = [this](const std::shared_ptr<WebSocketSession>&, const CloseInfo& info) {
      std::lock_guard lock(mutex);
      session.reset();
      closed.set_value(info);
    };
    return callbacks;
  }
};

CloseInfo wait_closed(Recorder& recorder) {
  auto future = recorder.closed.get_future();
  if (future.wait_for(5s) != std::future_status::ready) {
    ADD_FAILURE() << "on_close was not called";
    return CloseInfo{};
  }
  return future.get();
}

void add_stream_route(TestServer& server, Recorder& recorder, bool echo = true) {
  ASSERT_TRUE(server.router()
                  .add_websocket("/conv/{id}/stream",
                                 [&recorder, echo](const Request& request) -> WebSocketDecision {
                                   if (request.query_value("t") != "good") {
                                     return json_error(http::status::forbidden, "TokenExpired",
                                                       "bad token");
                                   }
                                   EXPECT_EQ(request.param("id"), "c1");
                                   return recorder.callbacks(echo);
                                 })
                  .ok());
}

TEST(WebSocket, AcceptEchoAndPeerClose) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  ASSERT_FALSE(client.write("hello"));
  beast::error_code ec;
  EXPECT_EQ(client.read(ec).value_or(ec.message()), "echo:hello");
  ASSERT_FALSE(client.close());
  CloseInfo info = wait_closed(recorder);
  EXPECT_EQ(info.cause, CloseCause::kPeerClosed);
  EXPECT_EQ(info.code, 1000);
  std::lock_guard lock(recorder.mutex);
  EXPECT_EQ(recorder.messages, std::vector<std::string>{"hello"});
}

TEST(WebSocket, CountedWhileOpen) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder);
  server.start();
  EXPECT_EQ(server.server().websocket_count(), 0u);
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  recorder.opened.get_future().get();
  EXPECT_EQ(server.server().websocket_count(), 1u);
  EXPECT_GE(server.server().connection_count(), 1u);
  ASSERT_FALSE(client.close());
  wait_closed(recorder);
  for (int i = 0; i < 500 && server.server().websocket_count() != 0; ++i) {
    std::this_thread::sleep_for(10ms);  // the connection object goes after on_close
  }
  EXPECT_EQ(server.server().websocket_count(), 0u);
}

TEST(WebSocket, RejectedUpgradeGetsHttpStatusAndJson) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  HttpResponse rejection;
  auto ec = client.connect(server.port(), "/conv/c1/stream?t=bad", &rejection);
  EXPECT_TRUE(ec);
  EXPECT_EQ(rejection.result(), http::status::forbidden);
  auto body = boost::json::parse(rejection.body());
  EXPECT_EQ(body.at("error").at("code"), "TokenExpired");
  WsClient unknown;
  EXPECT_TRUE(unknown.connect(server.port(), "/conv/c1/nope", &rejection));
  EXPECT_EQ(rejection.result(), http::status::not_found);
}

TEST(WebSocket, EmptyClientFramesAreIgnored) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  ASSERT_FALSE(client.write(""));
  ASSERT_FALSE(client.write(""));
  ASSERT_FALSE(client.write("x"));
  beast::error_code ec;
  EXPECT_EQ(client.read(ec).value_or(ec.message()), "echo:x");
  std::lock_guard lock(recorder.mutex);
  EXPECT_EQ(recorder.messages, std::vector<std::string>{"x"});
}

TEST(WebSocket, SendsFromAnotherThreadArriveInOrder) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder, false);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  auto session = recorder.opened.get_future().get();
  std::thread sender([session] {
    for (int i = 0; i < 200; ++i) {
      EXPECT_TRUE(session->send(std::make_shared<const std::string>(std::to_string(i))));
    }
  });
  for (int i = 0; i < 200; ++i) {
    beast::error_code ec;
    ASSERT_EQ(client.read(ec).value_or("error: " + ec.message()), std::to_string(i));
  }
  sender.join();
}

TEST(WebSocket, EmptyKeepAliveFramesArrive) {
  ServerOptions options = testing::fast_options();
  options.ws_keepalive_interval = 50ms;
  Recorder recorder;
  TestServer server(options);
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  for (int i = 0; i < 3; ++i) {
    beast::error_code ec;
    auto frame = client.read(ec, 2s);
    ASSERT_TRUE(frame.has_value()) << ec.message();
    EXPECT_EQ(*frame, "");
    EXPECT_TRUE(client.stream().got_text());
  }
}

TEST(WebSocket, ServerCloseSendsCodeAndReportsCause) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  auto session = recorder.opened.get_future().get();
  session->close(4001, "collision");
  EXPECT_EQ(client.read_until_closed(), 4001);
  EXPECT_EQ(client.stream().reason().reason, "collision");
  CloseInfo info = wait_closed(recorder);
  EXPECT_EQ(info.cause, CloseCause::kServerClosed);
  EXPECT_FALSE(session->is_open());
  EXPECT_FALSE(session->send(std::make_shared<const std::string>("late")));
}

TEST(WebSocket, QueueOverflowClosesWith1008) {
  ServerOptions options = testing::fast_options();
  options.ws_queue_max_messages = 4;
  Recorder recorder;
  TestServer server(options);
  WebSocketCallbacks callbacks = recorder.callbacks(false);
  // On any message, burst 100 sends from the strand: more than the queue holds before a write can
  // complete.
  callbacks.on_message = [](const std::shared_ptr<WebSocketSession>& session, const std::string&,
                            bool) {
    for (int i = 0; i < 100; ++i) {
      session->send(std::make_shared<const std::string>("m" + std::to_string(i)));
    }
  };
  ASSERT_TRUE(
      server.router()
          .add_websocket("/s", [&](const Request&) -> WebSocketDecision { return callbacks; })
          .ok());
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/s"));
  ASSERT_FALSE(client.write("go"));
  EXPECT_EQ(client.read_until_closed(), 1008);
  CloseInfo info = wait_closed(recorder);
  EXPECT_EQ(info.cause, CloseCause::kQueueOverflow);
  EXPECT_EQ(info.code, 1008);
}

TEST(WebSocket, ClientThatNeverReadsCannotGrowServerMemory) {
  ServerOptions options = testing::fast_options();
  options.ws_queue_max_bytes = std::size_t{256} * 1024;
  options.ws_queue_max_messages = 1000000;
  options.ws_handshake_timeout = 300ms;  // bounds the close handshake with a stuck peer
  Recorder recorder;
  TestServer server(options);
  add_stream_route(server, recorder, false);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  auto session = recorder.opened.get_future().get();
  auto chunk = std::make_shared<const std::string>(std::size_t{64} * 1024, 'z');
  auto closed = recorder.closed.get_future();
  int sent = 0;
  // The client reads nothing: kernel buffers fill, then the bounded queue overflows.
  while (closed.wait_for(1ms) != std::future_status::ready && sent < 100000) {
    if (session->send(chunk)) {
      ++sent;
    }
  }
  ASSERT_EQ(closed.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(closed.get().cause, CloseCause::kQueueOverflow);
  EXPECT_LT(sent, 100000);
  EXPECT_FALSE(session->send(chunk));
}

TEST(WebSocket, OversizedClientMessageCloses1009) {
  ServerOptions options = testing::fast_options();
  options.ws_max_message_bytes = 1024;
  Recorder recorder;
  TestServer server(options);
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  client.write(std::string(1100, 'a'));  // fits Beast's read buffer: no unread data, no RST
  EXPECT_EQ(client.read_until_closed(), 1009);
  CloseInfo info = wait_closed(recorder);
  EXPECT_EQ(info.cause, CloseCause::kError);
  EXPECT_EQ(info.code, 1009);
}

TEST(WebSocket, GracefulStopClosesWithGoingAway) {
  Recorder recorder;  // outlives the server, whose connections call into it
  TestServer server;
  add_stream_route(server, recorder);
  server.start();
  WsClient client;
  ASSERT_FALSE(client.connect(server.port(), "/conv/c1/stream?t=good"));
  recorder.opened.get_future().get();
  server.server().stop();
  EXPECT_EQ(client.read_until_closed(), 1001);
  CloseInfo info = wait_closed(recorder);
  EXPECT_EQ(info.cause, CloseCause::kShutdown);
  EXPECT_EQ(info.code, 1001);
  server.server().wait();
  EXPECT_EQ(server.server().connection_count(), 0u);
}

// The product target is <= 12 KiB per idle connected conversation. This measures the heap the
// server holds per idle WebSocket (clients are bare sockets with a hand-written handshake, so
// nearly all of the delta is server-side). Kernel socket buffers are not counted.
TEST(WebSocket, IdleConnectionHeapIsSmall) {
  constexpr int kConnections = 1000;
  TestServer server;
  ASSERT_TRUE(server.router()
                  .add_websocket("/s",
                                 [](const Request&) -> WebSocketDecision {
                                   WebSocketCallbacks callbacks;
                                   callbacks.on_open = [](const auto&) {};
                                   return callbacks;
                                 })
                  .ok());
  server.start();
  boost::asio::io_context ioc;
  std::vector<boost::asio::ip::tcp::socket> sockets;
  sockets.reserve(kConnections);
  const std::string upgrade =
      "GET /s HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const auto before = mallinfo2().uordblks;
  for (int i = 0; i < kConnections; ++i) {
    auto& socket = sockets.emplace_back(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    boost::asio::write(socket, boost::asio::buffer(upgrade));
    std::string reply;
    char c = 0;
    while (reply.size() < 4 || reply.compare(reply.size() - 4, 4, "\r\n\r\n") != 0) {
      boost::asio::read(socket, boost::asio::buffer(&c, 1));
      reply += c;
    }
    ASSERT_EQ(reply.rfind("HTTP/1.1 101", 0), 0u) << reply;
  }
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server.server().connection_count(), static_cast<std::size_t>(kConnections));
  const auto after = mallinfo2().uordblks;
  if (after <= before) {
    GTEST_SKIP() << "heap statistics unavailable (sanitizer allocator?)";
  }
  const double per_connection = static_cast<double>(after - before) / kConnections;
  std::printf("heap per idle WebSocket connection: %.0f bytes\n", per_connection);
  EXPECT_LT(per_connection, std::size_t{12} * 1024);
}

}  // namespace
}  // namespace baton::server
