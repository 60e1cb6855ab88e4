#include "server/server.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <future>
#include <thread>

#include "server/rate_limiter.hpp"
#include "server/test_client.hpp"

namespace baton::server {
namespace {

using namespace std::chrono_literals;
namespace beast = boost::beast;
using testing::http_request;
using testing::HttpClient;
using testing::HttpResponse;
using testing::TestServer;

boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

std::string error_code_of(const HttpResponse& response) {
  return std::string(parse(response.body()).at("error").at("code").as_string());
}

Response echo(const Request& request) {
  boost::json::object body;
  body["id"] = request.param("id");
  body["q"] = request.query_value("q").value_or("<none>");
  body["path"] = request.path;
  body["body"] = request.body();
  body["remote"] = request.remote_address;
  body["agent"] = request.header("x-ms-bot-agent").value_or("<none>");
  body["token"] = request.bearer_token().value_or("<none>");
  return json_response(http::status::ok, body);
}

TEST(Server, RoutesWithPathParamsQueryAndHeaders) {
  TestServer server;
  ASSERT_TRUE(server.router().add(http::verb::post, "/conv/{id}/activities", echo).ok());
  server.start();
  http::fields headers;
  headers.set("x-ms-bot-agent", "DirectLine/3.0");
  headers.set(http::field::authorization, "Bearer tok123");
  auto response = http_request(server.port(), http::verb::post,
                               "/conv/a%20b/activities?q=hello+world&x=1", "{\"a\":1}", headers);
  ASSERT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  auto body = parse(response.body());
  EXPECT_EQ(body.at("id"), "a b");
  EXPECT_EQ(body.at("q"), "hello world");
  EXPECT_EQ(body.at("path"), "/conv/a b/activities");
  EXPECT_EQ(body.at("body"), "{\"a\":1}");
  EXPECT_EQ(body.at("remote"), "127.0.0.1");
  EXPECT_EQ(body.at("agent"), "DirectLine/3.0");
  EXPECT_EQ(body.at("token"), "tok123");
}

TEST(Server, ClientAddressComesFromXForwardedForOnlyBehindATrustedProxy) {
  auto remote_for = [](const TrustedProxies& proxies, const std::vector<std::string>& hops) {
    ServerOptions options = testing::fast_options();
    options.trusted_proxies = proxies;
    TestServer server(options);
    EXPECT_TRUE(server.router().add(http::verb::get, "/who", echo).ok());
    server.start();
    http::fields headers;
    for (const auto& hop : hops) {
      headers.insert("X-Forwarded-For", hop);  // repeated headers count as one list, in order
    }
    auto response = http_request(server.port(), http::verb::get, "/who", "", headers);
    return std::string(parse(response.body()).at("remote").as_string());
  };
  auto loopback = TrustedProxies::parse({"127.0.0.0/8"});
  ASSERT_TRUE(loopback.ok());
  EXPECT_EQ(remote_for(*loopback, {"203.0.113.7"}), "203.0.113.7");
  EXPECT_EQ(remote_for(*loopback, {"198.51.100.1, 203.0.113.7", "127.0.0.9"}), "203.0.113.7");
  EXPECT_EQ(remote_for(*loopback, {}), "127.0.0.1");
  auto elsewhere = TrustedProxies::parse({"10.0.0.1"});
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(remote_for(*elsewhere, {"203.0.113.7"}), "127.0.0.1");
  EXPECT_EQ(remote_for(TrustedProxies(), {"203.0.113.7"}), "127.0.0.1");
}

TEST(Server, UnknownRouteIs404AndWrongMethodIs405AsJson) {
  TestServer server;
  ASSERT_TRUE(server.router().add(http::verb::get, "/x", echo).ok());
  server.start();
  auto missing = http_request(server.port(), http::verb::get, "/nope");
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_EQ(error_code_of(missing), "NotFound");
  auto wrong = http_request(server.port(), http::verb::delete_, "/x");
  EXPECT_EQ(wrong.result(), http::status::method_not_allowed);
  EXPECT_EQ(error_code_of(wrong), "MethodNotAllowed");
  EXPECT_EQ(wrong[http::field::allow], "GET, OPTIONS");
}

TEST(Server, HealthzAnswersOk) {
  TestServer server;
  server.start();
  auto response = http_request(server.port(), http::verb::get, "/healthz");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(parse(response.body()).at("status"), "ok");
}

TEST(Server, HealthzCanBeLeftToTheRoutes) {
  ServerOptions options = testing::fast_options();
  options.healthz = false;
  TestServer server(options);
  ASSERT_TRUE(server.router().add(http::verb::get, "/x", echo).ok());
  server.start();
  auto response = http_request(server.port(), http::verb::get, "/healthz");
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(error_code_of(response), "NotFound");
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/x").result(), http::status::ok);
}

TEST(Server, CorsPreflightForAnyPathAndHeadersOnResponses) {
  TestServer server;
  ASSERT_TRUE(server.router().add(http::verb::post, "/v3/directline/conversations", echo).ok());
  server.start();
  http::fields headers;
  headers.set(http::field::origin, "https://shop.example.com");
  headers.set(http::field::access_control_request_method, "POST");
  headers.set(http::field::access_control_request_headers, "authorization,x-ms-bot-agent");
  for (const char* target : {"/v3/directline/conversations", "/not/routed"}) {
    auto preflight = http_request(server.port(), http::verb::options, target, "", headers);
    EXPECT_EQ(preflight.result(), http::status::no_content) << target;
    EXPECT_EQ(preflight[http::field::access_control_allow_origin], "https://shop.example.com");
    EXPECT_TRUE(preflight[http::field::access_control_allow_credentials].empty());
    EXPECT_EQ(preflight[http::field::access_control_allow_methods],
              "GET, POST, PUT, DELETE, OPTIONS");
    EXPECT_EQ(preflight[http::field::access_control_allow_headers],
              "Authorization, Content-Type, x-ms-bot-agent, x-requested-with");
    EXPECT_EQ(preflight[http::field::access_control_max_age], "600");
  }
  http::fields origin;
  origin.set(http::field::origin, "https://shop.example.com");
  auto post =
      http_request(server.port(), http::verb::post, "/v3/directline/conversations", "", origin);
  EXPECT_EQ(post[http::field::access_control_allow_origin], "https://shop.example.com");
  EXPECT_EQ(post[http::field::access_control_expose_headers], "Retry-After");
  auto no_origin = http_request(server.port(), http::verb::post, "/v3/directline/conversations");
  EXPECT_EQ(no_origin[http::field::access_control_allow_origin], "*");
  EXPECT_TRUE(no_origin[http::field::access_control_allow_credentials].empty());
}

TEST(Server, BodyOverLimitIs413AndRoutesCanRaiseTheLimit) {
  ServerOptions options = testing::fast_options();
  options.max_body_bytes = 1000;
  TestServer server(options);
  ASSERT_TRUE(server.router().add(http::verb::post, "/small", echo).ok());
  ASSERT_TRUE(
      server.router().add(http::verb::post, "/upload", echo, RouteOptions{5000, {}, true}).ok());
  server.start();
  auto too_big = http_request(server.port(), http::verb::post, "/small", std::string(1001, 'x'));
  EXPECT_EQ(too_big.result(), http::status::payload_too_large);
  EXPECT_EQ(error_code_of(too_big), "TooLarge");
  EXPECT_FALSE(too_big.keep_alive());
  auto fits = http_request(server.port(), http::verb::post, "/small", std::string(1000, 'x'));
  EXPECT_EQ(fits.result(), http::status::ok);
  auto upload = http_request(server.port(), http::verb::post, "/upload", std::string(4000, 'x'));
  EXPECT_EQ(upload.result(), http::status::ok);
}

TEST(Server, HugeHeadersAre431) {
  ServerOptions options = testing::fast_options();
  options.max_header_bytes = 2048;
  TestServer server(options);
  ASSERT_TRUE(server.router().add(http::verb::get, "/x", echo).ok());
  server.start();
  http::fields headers;
  headers.set("x-big", std::string(4000, 'h'));
  auto response = http_request(server.port(), http::verb::get, "/x", "", headers);
  EXPECT_EQ(response.result(), http::status::request_header_fields_too_large);
}

TEST(Server, MalformedRequestIs400AndClosesButServerKeepsServing) {
  TestServer server;
  ASSERT_TRUE(server.router().add(http::verb::get, "/x", echo).ok());
  server.start();
  for (const char* garbage :
       {"GARBAGE\r\n\r\n", "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: zz\r\n\r\n",
        "GET http://evil.example/x HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    HttpClient client(server.port());
    ASSERT_FALSE(client.write_raw(garbage));
    bool closed = false;
    std::string reply = client.read_until_close(closed);
    EXPECT_TRUE(closed) << garbage;
    EXPECT_NE(reply.find("HTTP/1.1 400"), std::string::npos) << garbage << " -> " << reply;
    EXPECT_NE(reply.find("\"BadRequest\""), std::string::npos) << reply;
  }
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/x").result(), http::status::ok);
}

TEST(Server, ThrowingHandlerIs500AndServerKeepsServing) {
  TestServer server;
  ASSERT_TRUE(server.router()
                  .add(http::verb::get, "/boom",
                       [](const Request&) -> Response { throw std::runtime_error("boom"); })
                  .ok());
  ASSERT_TRUE(
      server.router()
          .add_async(http::verb::get, "/aboom",
                     [](const Request&, const Responder&) { throw std::runtime_error("boom"); })
          .ok());
  ASSERT_TRUE(server.router().add(http::verb::get, "/x", echo).ok());
  server.start();
  auto sync = http_request(server.port(), http::verb::get, "/boom");
  EXPECT_EQ(sync.result(), http::status::internal_server_error);
  EXPECT_EQ(error_code_of(sync), "ServiceError");
  auto async = http_request(server.port(), http::verb::get, "/aboom");
  EXPECT_EQ(async.result(), http::status::internal_server_error);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/x").result(), http::status::ok);
}

TEST(Server, AsyncHandlerRepliesFromAnotherThread) {
  TestServer server;
  std::vector<std::thread> workers;
  std::mutex mutex;
  ASSERT_TRUE(server.router()
                  .add_async(http::verb::post, "/slow/{id}",
                             [&](Request request, Responder responder) {
                               std::lock_guard lock(mutex);
                               workers.emplace_back([request = std::move(request),
                                                     responder = std::move(responder)] {
                                 std::this_thread::sleep_for(50ms);
                                 boost::json::object body{{"id", request.param("id")}};
                                 EXPECT_TRUE(responder.send(json_response(http::status::ok, body)));
                                 EXPECT_FALSE(responder.send(Response{}));  // first one wins
                               });
                             })
                  .ok());
  server.start();
  auto response = http_request(server.port(), http::verb::post, "/slow/42", "x");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(parse(response.body()).at("id"), "42");
  std::lock_guard lock(mutex);
  for (auto& worker : workers) {
    worker.join();
  }
}

TEST(Server, AsyncHandlerThatNeverAnswersGets504AndDroppedResponderGets500) {
  ServerOptions options = testing::fast_options();
  options.handler_timeout = 200ms;
  TestServer server(options);
  std::vector<Responder> parked;
  std::mutex mutex;
  ASSERT_TRUE(server.router()
                  .add_async(http::verb::get, "/park",
                             [&](const Request&, Responder responder) {
                               std::lock_guard lock(mutex);
                               parked.push_back(std::move(responder));
                             })
                  .ok());
  ASSERT_TRUE(server.router()
                  .add_async(http::verb::get, "/drop", [](const Request&, const Responder&) {})
                  .ok());
  server.start();
  auto started = std::chrono::steady_clock::now();
  auto timed_out = http_request(server.port(), http::verb::get, "/park");
  EXPECT_EQ(timed_out.result(), http::status::gateway_timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 190ms);
  auto dropped = http_request(server.port(), http::verb::get, "/drop");
  EXPECT_EQ(dropped.result(), http::status::internal_server_error);
  std::lock_guard lock(mutex);
  ASSERT_EQ(parked.size(), 1u);
  parked[0].send(Response{});  // late answer: harmless no-op
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server;
  std::vector<std::thread> workers;
  std::mutex mutex;
  ASSERT_TRUE(server.router()
                  .add_async(http::verb::get, "/slow",
                             [&](const Request&, Responder responder) {
                               std::lock_guard lock(mutex);
                               workers.emplace_back([responder = std::move(responder)] {
                                 std::this_thread::sleep_for(100ms);
                                 responder.send(Response(http::status::ok, "text/plain", "slow"));
                               });
                             })
                  .ok());
  ASSERT_TRUE(
      server.router()
          .add(http::verb::get, "/fast",
               [](const Request&) { return Response(http::status::ok, "text/plain", "fast"); })
          .ok());
  server.start();
  HttpClient client(server.port());
  ASSERT_FALSE(
      client.write_raw("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\n"
                       "GET /fast HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  beast::error_code ec;
  EXPECT_EQ(client.read_response(ec).body(), "slow");
  EXPECT_EQ(client.read_response(ec).body(), "fast");
  auto last = client.read_response(ec);
  EXPECT_EQ(last.body(), "fast");
  EXPECT_FALSE(last.keep_alive());
  std::lock_guard lock(mutex);
  for (auto& worker : workers) {
    worker.join();
  }
}

TEST(Server, SlowLorisIsDisconnected) {
  ServerOptions options = testing::fast_options();
  options.read_timeout = 300ms;
  TestServer server(options);
  server.start();
  HttpClient client(server.port());
  ASSERT_FALSE(client.write_raw("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: "));
  auto started = std::chrono::steady_clock::now();
  bool closed = false;
  client.read_until_close(closed, 3s);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(Server, PlainGetOnWebSocketOnlyRouteIs426) {
  TestServer server;
  ASSERT_TRUE(
      server.router()
          .add_websocket("/stream",
                         [](const Request&) -> WebSocketDecision { return WebSocketCallbacks{}; })
          .ok());
  server.start();
  auto response = http_request(server.port(), http::verb::get, "/stream");
  EXPECT_EQ(response.result(), http::status::upgrade_required);
}

TEST(Server, TooManyRequestsHelperHasNumericRetryAfter) {
  Response response = too_many_requests(1500ms);
  EXPECT_EQ(response.status, http::status::too_many_requests);
  EXPECT_EQ(response.headers[http::field::retry_after], "2");
  EXPECT_EQ(parse(response.body).at("error").at("code"), "TooManyRequests");
  EXPECT_EQ(too_many_requests(1ms).headers[http::field::retry_after], "1");
}

TEST(Server, JsonErrorEscapesText) {
  Response response = json_error(http::status::bad_request, "BadRequest", "quote \" and \n");
  EXPECT_EQ(parse(response.body).at("error").at("message"), "quote \" and \n");
}

TEST(Server, ListenFailsCleanlyWhenPortIsTaken) {
  TestServer first;
  first.start();
  Server second;
  auto result = second.listen("127.0.0.1", first.port());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  EXPECT_EQ(second.listen("not-an-ip", 0).error().code, ErrorCode::kInvalidArgument);
}

TEST(Server, GracefulStopFinishesInFlightRequestAndRefusesNewOnes) {
  TestServer server;
  std::promise<Responder> parked;
  ASSERT_TRUE(server.router()
                  .add_async(http::verb::get, "/wait",
                             [&](const Request&, Responder responder) {
                               parked.set_value(std::move(responder));
                             })
                  .ok());
  server.start();
  HttpClient idle(server.port());  // an idle keep-alive connection is closed by stop()
  HttpClient busy(server.port());
  ASSERT_FALSE(busy.write_raw("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n"));
  Responder responder = parked.get_future().get();
  server.server().stop();
  std::this_thread::sleep_for(100ms);
  responder.send(Response(http::status::ok, "text/plain", "done"));
  beast::error_code ec;
  auto response = busy.read_response(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.body(), "done");
  EXPECT_FALSE(response.keep_alive());
  bool closed = false;
  idle.read_until_close(closed, 2s);
  EXPECT_TRUE(closed);
  server.server().wait();  // threads return once drained
  EXPECT_EQ(server.server().connection_count(), 0u);
  EXPECT_ANY_THROW({ HttpClient late(server.port()); });
}

TEST(Server, RateLimitedRouteAnswers429WithRetryAfter) {
  SystemClock clock;
  RateLimiter limiter({.rate_per_second = 0.5, .burst = 2.0, .max_keys = 100}, clock);
  TestServer server;
  ASSERT_TRUE(server.router()
                  .add(http::verb::post, "/limited",
                       [&limiter](const Request& request) {
                         auto decision = limiter.acquire(request.remote_address);
                         if (!decision.allowed) {
                           return too_many_requests(decision.retry_after);
                         }
                         return Response(http::status::ok, "text/plain", "ok");
                       })
                  .ok());
  server.start();
  EXPECT_EQ(http_request(server.port(), http::verb::post, "/limited").result(), http::status::ok);
  EXPECT_EQ(http_request(server.port(), http::verb::post, "/limited").result(), http::status::ok);
  auto refused = http_request(server.port(), http::verb::post, "/limited");
  EXPECT_EQ(refused.result(), http::status::too_many_requests);
  EXPECT_EQ(refused[http::field::retry_after], "2");
  EXPECT_EQ(error_code_of(refused), "TooManyRequests");
}

TEST(Server, GracefulStopWaitsForOnStopWorkAndTheDrainTimeoutBoundsIt) {
  TestServer server;
  std::promise<std::function<void()>> handed;
  server.server().on_stop([&handed](const std::function<void()>& done) { handed.set_value(done); });
  server.start();
  const auto started = std::chrono::steady_clock::now();
  server.server().stop();
  auto done = handed.get_future();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  auto finished = std::async(std::launch::async, [&server] { server.server().wait(); });
  EXPECT_EQ(finished.wait_for(100ms), std::future_status::timeout) << "the work is not done yet";
  done.get()();
  EXPECT_EQ(finished.wait_for(5s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms) << "not the drain timeout (2 s)";

  // Work that never ends holds the threads for drain_timeout only.
  ServerOptions options = testing::fast_options();
  options.drain_timeout = 300ms;
  TestServer stuck(options);
  stuck.server().on_stop([](const std::function<void()>& /*never called*/) {});
  stuck.start();
  const auto stop_at = std::chrono::steady_clock::now();
  stuck.server().stop();
  stuck.server().wait();
  EXPECT_GE(std::chrono::steady_clock::now() - stop_at, 300ms);
}

// A bot's reply to a delivery still in flight at stop must reach the server: while the on_stop()
// work runs, the listener stays open for the routes registered to be served while stopping.
TEST(Server, WhileTheOnStopWorkRunsOnlyItsCallbackRoutesAreServed) {
  TestServer server;
  auto ok = [](const Request&) { return json_response(http::status::ok, {{"ok", true}}); };
  RouteOptions callback;
  callback.while_stopping = true;
  ASSERT_TRUE(server.router().add(http::verb::post, "/callback", ok, callback).ok());
  ASSERT_TRUE(server.router().add(http::verb::post, "/customer", ok).ok());
  std::promise<std::function<void()>> handed;
  server.server().on_stop([&handed](const std::function<void()>& done) { handed.set_value(done); });
  server.start();
  server.server().stop();
  auto done = handed.get_future();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);

  auto reply = http_request(server.port(), http::verb::post, "/callback", "{}");
  EXPECT_EQ(reply.result(), http::status::ok);
  EXPECT_FALSE(reply.keep_alive()) << "one request per connection while stopping";
  auto customer = http_request(server.port(), http::verb::post, "/customer", "{}");
  EXPECT_EQ(customer.result(), http::status::service_unavailable);
  EXPECT_EQ(parse(customer.body()).at("error").at("code"), "Unavailable");
  auto health = http_request(server.port(), http::verb::get, "/healthz");
  EXPECT_EQ(health.result(), http::status::service_unavailable);
  EXPECT_EQ(parse(health.body()).at("status"), "stopping");

  // An idle connection opened during the drain does not hold the stop up once the work is done.
  HttpClient idle(server.port());
  done.get()();
  auto finished = std::async(std::launch::async, [&server] { server.server().wait(); });
  EXPECT_EQ(finished.wait_for(1500ms), std::future_status::ready);
  EXPECT_ANY_THROW({ HttpClient late(server.port()); }) << "the listener closed with the work";
}

TEST(Server, SigtermStopsTheServer) {
  TestServer server;
  server.server().stop_on_signals();
  server.start();
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/healthz").result(), http::status::ok);
  ASSERT_EQ(std::raise(SIGTERM), 0);
  server.server().wait();  // returns because the signal stopped the server
  EXPECT_ANY_THROW({ HttpClient late(server.port()); });
}

}  // namespace
}  // namespace baton::server
