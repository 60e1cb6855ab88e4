// The Direct Line channel over real sockets: a real Server on port 0, the engine, the SQLite store
// in a temp dir, the Contoso bot, and Beast clients.
#include "channels/directline/directline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/strand.hpp>
#include <thread>

#include "channels/directline/test_client.hpp"
#include "engine/engine_test_support.hpp"
#include "server/server.hpp"

namespace baton::directline {
namespace {

using namespace baton::directline::testing;  // NOLINT
using baton::engine::testing::contoso_bot;
using baton::engine::testing::TempDir;
namespace bj = boost::json;
using http::verb;

constexpr const char* kSecret = "test-secret";

// The system clock plus a shift tests can move forward from any thread.
class ShiftedClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::system_clock::now() + std::chrono::seconds(shift_.load());
  }
  void advance(std::chrono::seconds s) { shift_ += s.count(); }

 private:
  std::atomic<std::int64_t> shift_{0};
};

class DirectLineTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  void start(double rate_limit = 600) {
    store::SqliteOptions so;
    so.path = dir_.path() / "baton.db";
    auto opened = store::open_sqlite_store(so);
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    server::ServerOptions options;
    options.ws_keepalive_interval = std::chrono::milliseconds(200);
    server_ = std::make_unique<server::Server>(options);
    engine_ = std::make_unique<engine::Engine>(boost::asio::make_strand(server_->executor()),
                                               *store_, contoso_bot(), clock_);
    DirectLineOptions dl;
    dl.secret = kSecret;
    dl.rate_limit_per_minute = rate_limit;
    dl.uploads_dir = dir_.path() / "uploads";
    auto public_url = std::make_shared<PublicUrl>();
    dl.public_url = public_url;
    channel_ = std::make_unique<DirectLineChannel>(*engine_, *store_, clock_, dl);
    ASSERT_TRUE(channel_->register_routes(server_->router()).ok());
    auto port = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    port_ = *port;
    public_url->set("http://127.0.0.1:" + std::to_string(port_));
    server_->start(2);
  }

  void stop() {
    server_->stop();
    server_->wait();
    (void)store_->close();
    channel_.reset();
    engine_.reset();
    server_.reset();
    store_.reset();
  }

  HttpReply call(verb method, const std::string& target, const std::string& auth,
                 const std::string& body = {}) {
    return http_request(port_, method, target, body,
                        auth.empty() ? decltype(bearer(auth)){} : bearer(auth));
  }

  // tokens/generate for `user` then POST /conversations with that token.
  std::pair<std::string, bj::object> new_conversation(const std::string& user = "u-ann") {
    auto generated = call(verb::post, "/v3/directline/tokens/generate", kSecret,
                          R"({"user":{"id":")" + user + R"("}})");
    EXPECT_EQ(generated.status, 200u) << generated.body;
    const std::string token(generated.json().at("token").as_string());
    auto started = call(verb::post, "/v3/directline/conversations", token, R"({"user":{}})");
    EXPECT_EQ(started.status, 201u) << started.body;
    return {token, started.json().as_object()};
  }

  static std::string str(const bj::value& v, const char* key) {
    return std::string(v.at(key).as_string());
  }

  TempDir dir_;
  ShiftedClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<DirectLineChannel> channel_;
  std::uint16_t port_ = 0;
};

TEST_F(DirectLineTest, GenerateRefreshAndExpireTokens) {
  auto generated = call(verb::post, "/v3/directline/tokens/generate", kSecret);
  ASSERT_EQ(generated.status, 200u);
  const bj::value g = generated.json();
  EXPECT_EQ(g.at("expires_in").as_int64(), 1800);
  EXPECT_FALSE(str(g, "conversationId").empty());
  const std::string token = str(g, "token");

  EXPECT_EQ(call(verb::post, "/v3/directline/tokens/generate", "").error_code(),
            "MissingAuthorization");
  auto forged = call(verb::post, "/v3/directline/tokens/generate", "forged");
  EXPECT_EQ(forged.status, 401u);
  EXPECT_EQ(forged.error_code(), "BadToken");
  EXPECT_EQ(call(verb::post, "/v3/directline/tokens/generate", token).status, 403u);

  clock_.advance(std::chrono::seconds(1000));
  auto refreshed = call(verb::post, "/v3/directline/tokens/refresh", token);
  ASSERT_EQ(refreshed.status, 200u);
  EXPECT_EQ(str(refreshed.json(), "conversationId"), str(g, "conversationId"));
  const std::string fresh = str(refreshed.json(), "token");

  clock_.advance(std::chrono::seconds(801));
  auto expired = call(verb::post, "/v3/directline/tokens/refresh", token);
  EXPECT_EQ(expired.status, 403u);
  EXPECT_EQ(expired.error_code(), "TokenExpired");
  auto conv = call(verb::post, "/v3/directline/conversations", token);
  EXPECT_EQ(conv.status, 403u);
  EXPECT_EQ(call(verb::post, "/v3/directline/tokens/refresh", fresh).status, 200u)
      << "the refreshed token lives on";
}

TEST_F(DirectLineTest, StartConversationGreetsAndRestartIsOk200) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  const std::string stream = str(started, "streamUrl");
  EXPECT_EQ(stream.rfind("ws://127.0.0.1:" + std::to_string(port_) +
                             "/v3/directline/conversations/" + id + "/stream?",
                         0),
            0u)
      << stream;
  EXPECT_NE(stream.find("t="), std::string::npos);
  EXPECT_FALSE(str(started, "token").empty());
  auto again = call(verb::post, "/v3/directline/conversations", token);
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(str(again.json(), "conversationId"), id);

  auto poll = call(verb::get, "/v3/directline/conversations/" + id + "/activities", token);
  ASSERT_EQ(poll.status, 200u) << poll.body;
  const bj::value p = poll.json();
  ASSERT_EQ(p.at("activities").as_array().size(), 1u) << poll.body;
  EXPECT_EQ(str(p.at("activities").at(0), "id"), id + "|0000001");
  EXPECT_EQ(str(p.at("activities").at(0).at("from"), "role"), "bot");
  EXPECT_EQ(str(p, "watermark"), "1");
  EXPECT_FALSE(p.at("activities").at(0).at("suggestedActions").at("actions").as_array().empty());
}

TEST_F(DirectLineTest, PostEchoesWithClientActivityIdAndReplies) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  auto posted = call(verb::post, "/v3/directline/conversations/" + id + "/activities", token,
                     R"({"type":"message","text":"what are your store hours","channelId":"webchat",
                         "from":{"id":"someone-else"},"channelData":{"clientActivityID":"x1"}})");
  ASSERT_EQ(posted.status, 200u) << posted.body;
  EXPECT_EQ(str(posted.json(), "id"), id + "|0000002");
  auto poll =
      call(verb::get, "/v3/directline/conversations/" + id + "/activities?watermark=1", token);
  const bj::value p = poll.json();
  const auto& list = p.at("activities").as_array();
  ASSERT_EQ(list.size(), 2u) << poll.body;
  EXPECT_EQ(str(list[0].at("channelData"), "clientActivityID"), "x1");
  EXPECT_EQ(str(list[0], "channelId"), "directline");
  EXPECT_EQ(str(list[0].at("from"), "id"), "u-ann") << "the token's user wins";
  EXPECT_EQ(str(list[0].at("from"), "role"), "user");
  EXPECT_EQ(str(list[1], "text"), "Which store are you asking about?");
  EXPECT_EQ(str(p, "watermark"), "3");
  auto empty =
      call(verb::get, "/v3/directline/conversations/" + id + "/activities?watermark=3", token);
  EXPECT_EQ(empty.body, R"({"activities":[],"watermark":"3"})");
}

TEST_F(DirectLineTest, BadInputGetsPreciseErrors) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  const std::string url = "/v3/directline/conversations/" + id + "/activities";
  EXPECT_EQ(call(verb::post, url, token, "{not json").error_code(), "MalformedJson");
  auto wrong_type = call(verb::post, url, token, R"({"type":"message","text":5})");
  EXPECT_EQ(wrong_type.status, 400u);
  EXPECT_EQ(wrong_type.error_code(), "BadArgument");
  auto big =
      call(verb::post, url, token,
           R"({"type":"message","text":")" + std::string(std::size_t{300} * 1024, 'a') + "\"}");
  EXPECT_EQ(big.status, 413u);
  EXPECT_EQ(big.error_code(), "TooLarge");
  auto utf8 = call(verb::post, url, token, "{\"type\":\"message\",\"text\":\"\xff\xfe\"}");
  EXPECT_EQ(utf8.status, 400u);
  EXPECT_EQ(call(verb::post, url, token, R"({"type":"conversationUpdate"})").status, 400u);
  EXPECT_EQ(call(verb::get, url + "?watermark=abc", token).error_code(), "BadArgument");

  auto [other_token, other] = new_conversation("u-bob");
  auto cross = call(verb::post, url, other_token, R"({"type":"message","text":"hi"})");
  EXPECT_EQ(cross.status, 403u);
  EXPECT_EQ(cross.error_code(), "Forbidden");
  auto unknown = call(verb::get, "/v3/directline/conversations/nope", kSecret);
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.error_code(), "NotFound");
  EXPECT_EQ(call(verb::post, url, "", R"({"type":"message"})").status, 401u);

  auto ok = call(verb::post, url, token, R"({"type":"message","text":"hello"})");
  EXPECT_EQ(ok.status, 200u) << "the conversation keeps working";
}

TEST_F(DirectLineTest, FloodGets429WithRetryAfter) {
  stop();
  start(60);  // burst 20
  auto [token, started] = new_conversation();
  const std::string url =
      "/v3/directline/conversations/" + str(started, "conversationId") + "/activities";
  HttpReply limited;
  for (int i = 0; i < 30 && limited.status != 429; ++i) {
    limited = call(verb::post, url, token, R"({"type":"typing"})");
  }
  ASSERT_EQ(limited.status, 429u);
  const std::string retry(limited.headers["Retry-After"]);
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  auto [other_token, other] = new_conversation("u-bob");
  EXPECT_EQ(call(verb::post,
                 "/v3/directline/conversations/" + str(other, "conversationId") + "/activities",
                 other_token, R"({"type":"message","text":"hi"})")
                .status,
            200u)
      << "other conversations are unaffected";
}

TEST_F(DirectLineTest, CorsPreflightAllowsDirectLineHeaders) {
  auto reply = http_request(port_, verb::options, "/v3/directline/conversations", "",
                            {{"Origin", "https://shop.example.com"},
                             {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "authorization,x-ms-bot-agent"}});
  EXPECT_LT(reply.status, 300u);
  const std::string allowed(reply.headers["Access-Control-Allow-Headers"]);
  EXPECT_NE(allowed.find("x-ms-bot-agent"), std::string::npos) << allowed;
}

TEST_F(DirectLineTest, WebSocketReplaysThenStreamsAndCollides) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  WsClient ws(port_, path_of(str(started, "streamUrl")));
  ASSERT_TRUE(ws.open());
  auto replay = ws.read();
  ASSERT_TRUE(replay.has_value());
  const bj::value r = bj::parse(*replay);
  EXPECT_EQ(str(r, "watermark"), "1");
  EXPECT_EQ(str(r.at("activities").at(0), "id"), id + "|0000001");

  ASSERT_EQ(call(verb::post, "/v3/directline/conversations/" + id + "/activities", token,
                 R"({"type":"message","text":"what are your store hours"})")
                .status,
            200u);
  std::vector<std::string> texts;
  while (texts.size() < 2) {
    auto frame = ws.read();
    ASSERT_TRUE(frame.has_value());
    const bj::value set = bj::parse(*frame);
    for (const auto& a : set.at("activities").as_array()) {
      texts.push_back(str(a, "text"));
    }
  }
  EXPECT_EQ(texts[0], "what are your store hours");
  EXPECT_EQ(texts[1], "Which store are you asking about?");

  // Reconnect at watermark 2: only the bot's question is replayed.
  auto again = call(verb::get, "/v3/directline/conversations/" + id + "?watermark=2", token);
  ASSERT_EQ(again.status, 200u);
  const std::string url = str(again.json(), "streamUrl");
  EXPECT_NE(url.find("watermark=2"), std::string::npos) << url;
  WsClient second(port_, path_of(url));
  ASSERT_TRUE(second.open());
  auto replay2 = second.read();
  ASSERT_TRUE(replay2.has_value());
  EXPECT_EQ(str(bj::parse(*replay2), "watermark"), "3");
  EXPECT_EQ(bj::parse(*replay2).at("activities").as_array().size(), 1u);
  EXPECT_FALSE(ws.read(std::chrono::seconds(3)).has_value());
  EXPECT_TRUE(ws.closed());
  EXPECT_EQ(ws.close_reason(), "collision");
}

TEST_F(DirectLineTest, StreamRejectsBadTokens) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  WsClient none(port_, "/v3/directline/conversations/" + id + "/stream");
  EXPECT_FALSE(none.open());
  EXPECT_EQ(none.handshake_status(), 401u);
  auto [other_token, other] = new_conversation("u-bob");
  WsClient cross(port_, "/v3/directline/conversations/" + id + "/stream?t=" + other_token);
  EXPECT_EQ(cross.handshake_status(), 403u);
}

TEST_F(DirectLineTest, HandoffIsInvisibleToTheCustomerAndStored) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  ASSERT_EQ(call(verb::post, "/v3/directline/conversations/" + id + "/activities", token,
                 R"({"type":"message","text":"talk to an agent"})")
                .status,
            200u);
  auto poll = call(verb::get, "/v3/directline/conversations/" + id + "/activities", token);
  const bj::value polled = poll.json();
  for (const auto& a : polled.at("activities").as_array()) {
    EXPECT_EQ(str(a, "type"), "message") << poll.body;
  }
  EXPECT_NE(poll.body.find("Let's send you to an available agent."), std::string::npos);

  auto handoffs = call(verb::get, "/api/conversations/" + id + "/handoffs", kSecret);
  ASSERT_EQ(handoffs.status, 200u) << handoffs.body;
  const bj::value h = handoffs.json().at("handoffs").at(0);
  EXPECT_EQ(str(h, "status"), "pending");
  EXPECT_EQ(str(h, "queue"), "general");
  EXPECT_EQ(str(h.at("request").at("context"), "va_ConversationId"), id);
  EXPECT_FALSE(h.at("request").at("transcript").as_array().empty());
  EXPECT_EQ(call(verb::get, "/api/conversations/" + id + "/handoffs", token).status, 403u);

  auto conv = call(verb::get, "/api/conversations/" + id, kSecret);
  ASSERT_EQ(conv.status, 200u) << conv.body;
  EXPECT_EQ(str(conv.json(), "ownership"), "queued");
  EXPECT_EQ(conv.json().at("epoch").as_int64(), 1);
}

TEST_F(DirectLineTest, UploadStoresFilesAndServesThemBack) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  const std::string png("\x89PNG\r\n\x1a\nfake-image", 18);
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"activity\"; filename=\"blob\"\r\n"
      "Content-Type: application/vnd.microsoft.activity\r\n\r\n"
      R"({"type":"message","channelData":{"clientActivityID":"up1"},)"
      R"("attachments":[{"contentType":"image/png","name":"cat.png"}]})"
      "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      png + "\r\n--XyZ--\r\n";
  auto reply = http_request(port_, verb::post,
                            "/v3/directline/conversations/" + id + "/upload?userId=u-ann", body,
                            {{"Authorization", "Bearer " + token},
                             {"Content-Type", "multipart/form-data; boundary=XyZ"}});
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(str(reply.json(), "id"), id + "|0000002");
  auto poll =
      call(verb::get, "/v3/directline/conversations/" + id + "/activities?watermark=1", token);
  const bj::value echo = poll.json().at("activities").at(0);
  EXPECT_EQ(str(echo.at("channelData"), "clientActivityID"), "up1");
  const bj::value att = echo.at("attachments").at(0);
  EXPECT_EQ(str(att, "name"), "cat.png");
  const std::string url = str(att, "contentUrl");
  auto file = http_request(port_, verb::get, path_of(url));
  ASSERT_EQ(file.status, 200u) << url;
  EXPECT_EQ(file.body, png);
  EXPECT_EQ(std::string(file.headers["Content-Type"]), "image/png");
  EXPECT_EQ(http_request(port_, verb::get, path_of(url) + "x").status, 404u);
  EXPECT_EQ(http_request(port_, verb::get, path_of(url) + ".ct").status, 404u);
}

TEST_F(DirectLineTest, SessionIdAndTestPageToken) {
  auto session = call(verb::get, "/v3/directline/session/getsessionid", "");
  EXPECT_EQ(session.status, 200u);
  EXPECT_EQ(session.body, R"({"sessionId":""})");
  auto issued = call(verb::post, "/api/directline/token", "");
  ASSERT_EQ(issued.status, 200u);
  const bj::value t = issued.json();
  EXPECT_EQ(str(t, "userId").rfind("u-", 0), 0u);
  auto started = call(verb::post, "/v3/directline/conversations", str(t, "token"));
  EXPECT_EQ(started.status, 201u);
  EXPECT_EQ(str(started.json(), "conversationId"), str(t, "conversationId"));
}

TEST_F(DirectLineTest, ConversationsSurviveARestart) {
  auto [token, started] = new_conversation();
  const std::string id = str(started, "conversationId");
  const std::string url = "/v3/directline/conversations/" + id + "/activities";
  ASSERT_EQ(call(verb::post, url, token, R"({"type":"message","text":"what are your store hours"})")
                .status,
            200u);
  stop();
  start();
  auto answer = call(verb::post, url, token, R"({"type":"message","text":"Seattle"})");
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(str(answer.json(), "id"), id + "|0000004");
  auto poll = call(verb::get, url + "?watermark=4", token);
  EXPECT_NE(poll.body.find("Our Seattle store is open"), std::string::npos) << poll.body;
}

}  // namespace
}  // namespace baton::directline
