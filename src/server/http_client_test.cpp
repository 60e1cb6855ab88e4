#include "server/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <future>
#include <thread>

#include "server/test_client.hpp"

namespace baton::server {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using testing::TestServer;

// An io_context on its own thread for the client side.
class ClientThread {
 public:
  ClientThread() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~ClientThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  Result<HttpClientResponse> run(HttpClientRequest request, const HttpClientOptions& options = {}) {
    std::promise<Result<HttpClientResponse>> promise;
    auto future = promise.get_future();
    http_request(io_.get_executor(), std::move(request), options,
                 [&promise](Result<HttpClientResponse> r) { promise.set_value(std::move(r)); });
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
    return future.get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

std::string url(std::uint16_t port, std::string_view path) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

TEST(HttpUrl, ParsesHttpAndHttpsUrlsOnly) {
  auto u = parse_http_url("http://bot.example:3978/api/messages?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "bot.example");
  EXPECT_EQ(u->port, 3978);
  EXPECT_EQ(u->target, "/api/messages?x=1");
  auto plain = parse_http_url("http://127.0.0.1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  auto v6 = parse_http_url("http://[::1]:8080/a");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  auto tls = parse_http_url("https://bot.example/api");
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->port, 443);
  EXPECT_FALSE(u->tls);
  for (const char* bad : {"gopher://a/b", "ftp://a", "http://user:pw@a/", "http://a/#x", "a/b",
                          "http://a:0/", "http://a:99999/", ""}) {
    EXPECT_FALSE(parse_http_url(bad).ok()) << bad;
  }
}

TEST(HttpClient, PostsBodyAndHeadersAndReadsTheAnswer) {
  TestServer server;
  ASSERT_TRUE(server.router()
                  .add(http::verb::post, "/api/messages",
                       [](const Request& r) {
                         boost::json::object o;
                         o["body"] = r.body();
                         o["auth"] = r.header("authorization").value_or("<none>");
                         o["type"] = r.header("content-type").value_or("<none>");
                         return json_response(http::status::created, o);
                       })
                  .ok());
  server.start();
  ClientThread client;
  HttpClientRequest request;
  request.url = url(server.port(), "/api/messages");
  request.body = R"({"type":"message"})";
  request.headers.emplace_back("Authorization", "Bearer abc");
  auto r = client.run(request);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->content_type, "application/json");
  auto body = boost::json::parse(r->body);
  EXPECT_EQ(body.at("body"), R"({"type":"message"})");
  EXPECT_EQ(body.at("auth"), "Bearer abc");
  EXPECT_EQ(body.at("type"), "application/json");
}

TEST(HttpClient, ReturnsRedirectsAndErrorsWithoutFollowing) {
  TestServer server;
  ASSERT_TRUE(server.router()
                  .add(http::verb::get, "/moved",
                       [](const Request&) {
                         Response r(http::status::found, "text/plain", "");
                         r.headers.set(http::field::location, "/elsewhere");
                         return r;
                       })
                  .ok());
  ASSERT_TRUE(
      server.router()
          .add(http::verb::get, "/elsewhere",
               [](const Request&) { return Response(http::status::ok, "text/plain", "no"); })
          .ok());
  ASSERT_TRUE(server.router()
                  .add(http::verb::get, "/broken",
                       [](const Request&) {
                         return json_error(http::status::service_unavailable, "Down", "down");
                       })
                  .ok());
  server.start();
  ClientThread client;
  auto moved = client.run({"GET", url(server.port(), "/moved")});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->status, 302);
  auto broken = client.run({"GET", url(server.port(), "/broken")});
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status, 503);
}

TEST(HttpClient, RefusesAResponseOverTheLimit) {
  TestServer server;
  ASSERT_TRUE(server.router()
                  .add(http::verb::get, "/big",
                       [](const Request&) {
                         return Response(http::status::ok, "text/plain", std::string(5000, 'x'));
                       })
                  .ok());
  server.start();
  ClientThread client;
  HttpClientOptions options;
  options.max_response_bytes = 4096;
  auto r = client.run({"GET", url(server.port(), "/big")}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  options.max_response_bytes = 5000;
  EXPECT_TRUE(client.run({"GET", url(server.port(), "/big")}, options).ok());
}

TEST(HttpClient, TimesOutOnAPeerThatNeverAnswers) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  asio::ip::tcp::socket held(io);
  acceptor.async_accept(held, [](boost::system::error_code) {});
  std::thread accept_thread([&io] { io.run(); });
  ClientThread client;
  HttpClientOptions options;
  options.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = client.run({"POST", url(port, "/api/messages"), {}, "application/json", "{}"}, options);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("did not answer within 300 ms"), std::string::npos)
      << r.error().message;
  EXPECT_LT(took, 3s);
  io.stop();
  accept_thread.join();
}

TEST(HttpClient, HttpsToAPeerWithoutTlsFailsTheHandshake) {
  TestServer server;  // plain HTTP
  ASSERT_TRUE(
      server.router().add(http::verb::get, "/", [](const Request&) { return Response{}; }).ok());
  server.start();
  ClientThread client;
  auto r = client.run({"GET", "https://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("TLS with 127.0.0.1"), std::string::npos) << r.error().message;
}

TEST(HttpClient, ReportsARefusedConnectionAndBadUrlsAndHosts) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there now
  ClientThread client;
  auto refused = client.run({"GET", url(port, "/")});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  auto bad = client.run({"GET", "gopher://127.0.0.1/"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  HttpClientOptions only_local;
  only_local.allowed_hosts = {"localhost"};
  auto denied = client.run({"GET", url(port, "/")}, only_local);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace baton::server
