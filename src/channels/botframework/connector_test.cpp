// The connector between a real engine (SQLite in a temp dir) and a bot endpoint served by a real
// Beast server: deliveries as the Bot Connector makes them, the Connector API the bot calls back
// over HTTP, and the apology when the endpoint fails.
#include "channels/botframework/connector.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "core/json.hpp"
#include "engine/engine_test_support.hpp"
#include "server/test_client.hpp"

namespace baton::botframework {
namespace {

using namespace std::chrono_literals;
using engine::testing::EngineTest;
using server::http::verb;
namespace bj = boost::json;

// A bot endpoint: records every activity POSTed to it, answers `answer`.
class FakeBot {
 public:
  FakeBot() {
    EXPECT_TRUE(server_.router()
                    .add(verb::post, "/api/messages",
                         [this](const server::Request& r) {
                           std::lock_guard lock(mu_);
                           received_.push_back(bj::parse(r.body()).as_object());
                           return server::Response(answer.load(), "application/json", "");
                         })
                    .ok());
    server_.start();
  }
  std::string endpoint() const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/messages";
  }
  std::vector<bj::object> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Waits until `n` activities arrived.
  bool wait_for(std::size_t n) {
    for (int i = 0; i < 500; ++i) {
      if (received().size() >= n) {
        return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  std::atomic<server::http::status> answer{server::http::status::ok};

 private:
  server::testing::TestServer server_;
  std::mutex mu_;
  std::vector<bj::object> received_;
};

class ConnectorTest : public EngineTest {
 protected:
  void SetUp() override { connect(bot_.endpoint()); }

  void connect(const std::string& endpoint) {
    baton_.reset();  // stopped first: nothing runs against the engine being replaced
    connector_.reset();
    close();
    engine::EngineOptions options;
    options.external_bot = true;
    open(options);
    baton_ = std::make_unique<server::testing::TestServer>();
    ConnectorOptions co;
    co.endpoint = endpoint;
    co.service_url = std::make_shared<const PublicUrl>(
        "http://127.0.0.1:1");  // what the bot is told; the test calls baton_ itself
    co.apology_text = "Our assistant is away.";
    co.timeout = 2s;
    connector_ = std::make_unique<Connector>(*engine_, baton_->server().executor(), co);
    ASSERT_TRUE(connector_->register_routes(baton_->router()).ok());
    engine_->set_bot_sink([c = connector_.get()](const activity::Activity& a) { c->deliver(a); });
    baton_->start();
  }

  void TearDown() override {
    baton_.reset();
    close();
    connector_.reset();
  }

  server::testing::HttpResponse call(verb method, const std::string& target,
                                     const std::string& body = "") {
    return server::testing::http_request(baton_->port(), method, target, body);
  }

  // Waits until the conversation's log has `n` activities.
  std::vector<activity::Activity> wait_log(const std::string& id, std::size_t n) {
    for (int i = 0; i < 500; ++i) {
      auto l = log(id);
      if (l.size() >= n) {
        return l;
      }
      std::this_thread::sleep_for(10ms);
    }
    return log(id);
  }

  FakeBot bot_;
  std::unique_ptr<server::testing::TestServer> baton_;
  std::unique_ptr<Connector> connector_;
};

TEST_F(ConnectorTest, DeliversLikeTheBotConnectorAndTakesRepliesThroughTheConnectorApi) {
  ASSERT_TRUE(start("c1", false).ok());
  ASSERT_TRUE(bot_.wait_for(1));
  EXPECT_EQ(bot_.received()[0].at("type"), "conversationUpdate");
  auto said = say("c1", "hello");
  ASSERT_TRUE(said.ok());
  ASSERT_TRUE(bot_.wait_for(2));
  const bj::object message = bot_.received()[1];
  EXPECT_EQ(message.at("type"), "message");
  EXPECT_EQ(message.at("text"), "hello");
  EXPECT_EQ(message.at("id"), "c1|0000001");
  EXPECT_EQ(message.at("serviceUrl"), "http://127.0.0.1:1");
  EXPECT_EQ(message.at("channelId"), "directline");
  EXPECT_EQ(message.at("conversation").at("id"), "c1");
  EXPECT_EQ(message.at("from").at("id"), "user-1");
  EXPECT_EQ(message.at("recipient").at("role"), "bot");

  auto replied = call(verb::post, "/v3/conversations/c1/activities/c1%7C0000001",
                      R"({"type":"message","text":"hi from the bot"})");
  ASSERT_EQ(replied.result(), server::http::status::ok) << replied.body();
  EXPECT_EQ(bj::parse(replied.body()).at("id"), "c1|0000002");
  auto stored = log("c1");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].text, "hi from the bot");
  EXPECT_EQ(stored[1].reply_to_id, "c1|0000001");
  EXPECT_EQ(stored[1].from.role, "bot");

  auto sent = call(verb::post, "/v3/conversations/c1/activities",
                   R"({"type":"message","text":"and more"})");
  EXPECT_EQ(sent.result(), server::http::status::ok) << sent.body();
  EXPECT_EQ(connector_->stats().replies, 2u);

  auto members = call(verb::get, "/v3/conversations/c1/members");
  ASSERT_EQ(members.result(), server::http::status::ok);
  EXPECT_EQ(bj::parse(members.body()).as_array().size(), 2u);
  EXPECT_EQ(bj::parse(members.body()).as_array()[0].at("id"), "user-1");
}

TEST_F(ConnectorTest, RefusesUnknownConversationsBadBodiesAndEdits) {
  ASSERT_TRUE(start("c1", false).ok());
  const std::string msg = R"({"type":"message","text":"x"})";
  EXPECT_EQ(call(verb::post, "/v3/conversations/unknown/activities", msg).result(),
            server::http::status::not_found);
  EXPECT_EQ(call(verb::post, "/v3/conversations/bad%20id/activities", msg).result(),
            server::http::status::not_found);
  EXPECT_EQ(call(verb::get, "/v3/conversations/unknown/members").result(),
            server::http::status::not_found);
  EXPECT_EQ(call(verb::post, "/v3/conversations/c1/activities", "{not json").result(),
            server::http::status::bad_request);
  EXPECT_EQ(call(verb::post, "/v3/conversations/c1/activities",
                 R"({"type":"message","conversation":{"id":"c2"}})")
                .result(),
            server::http::status::bad_request);
  EXPECT_EQ(call(verb::put, "/v3/conversations/c1/activities/c1%7C0000001", msg).result(),
            server::http::status::method_not_allowed);
  EXPECT_EQ(call(verb::delete_, "/v3/conversations/c1/activities/c1%7C0000001").result(),
            server::http::status::method_not_allowed);
  EXPECT_TRUE(log("c1").empty()) << "nothing was written";
}

TEST_F(ConnectorTest, AFailingEndpointGetsTheCustomerAnApologyAndLosesNothing) {
  ASSERT_TRUE(start("c1", false).ok());
  ASSERT_TRUE(bot_.wait_for(1));
  bot_.answer = server::http::status::internal_server_error;
  ASSERT_TRUE(say("c1", "hello").ok());
  auto stored = wait_log("c1", 2);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].text, "hello");
  EXPECT_EQ(stored[1].text, "Our assistant is away.");
  EXPECT_EQ(stored[1].from.role, "bot");
  EXPECT_EQ(connector_->stats().failed, 1u);

  bot_.answer = server::http::status::ok;  // back: the next message goes through
  ASSERT_TRUE(say("c1", "again").ok());
  ASSERT_TRUE(bot_.wait_for(3));
  EXPECT_EQ(bot_.received()[2].at("text"), "again");
  EXPECT_EQ(log("c1").size(), 3u);
}

TEST_F(ConnectorTest, AnEndpointThatIsDownGetsTheCustomerAnApology) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  connect("http://127.0.0.1:" + std::to_string(port) + "/api/messages");
  ASSERT_TRUE(start("c1", false).ok());
  ASSERT_TRUE(say("c1", "anyone?").ok());
  auto stored = wait_log("c1", 2);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].text, "Our assistant is away.");
  EXPECT_GE(connector_->stats().failed, 2u) << "the conversationUpdate and the message";
}

}  // namespace
}  // namespace baton::botframework
