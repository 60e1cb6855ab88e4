// The engine with an external bot (EngineOptions::external_bot): no dialog turns; what the bot is
// sent (the BotSink) and what it answers (post_bot_reply), handoffs it opens, status it is told.
#include <gtest/gtest.h>

#include <mutex>

#include "core/json.hpp"
#include "engine/engine.hpp"
#include "engine/engine_test_support.hpp"

namespace baton::engine {
namespace {

using namespace baton::engine::testing;  // NOLINT: test helpers
namespace bj = boost::json;

class ExternalBotTest : public EngineTest {
 protected:
  ExternalBotTest() { reopen(true); }

  void reopen(bool agents_online) {
    close();
    EngineOptions options;
    options.external_bot = true;
    open(options);
    engine_->set_bot_sink([this](const activity::Activity& a) {
      std::lock_guard lock(mu_);
      sent_.push_back(a);
    });
    engine_->set_agents_online({agents_online});
  }

  // What the bot was sent so far (the sink runs on the strand before the ack returns).
  std::vector<activity::Activity> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

  Result<PostResult> reply(const std::string& id, activity::Activity a) {
    return await<PostResult>([&](auto cb) { engine_->post_bot_reply({id, a}, cb); });
  }

  Result<Ownership> change(const std::string& id, OwnershipEvent event,
                           dialog::HandoffOutcome outcome = dialog::HandoffOutcome::kCompleted) {
    auto s = status(id);
    EXPECT_TRUE(s.ok());
    ChangeOwnership c;
    c.conversation = id;
    c.expected_epoch = s->ownership.epoch;
    c.event = event;
    c.outcome = outcome;
    return await<Ownership>([&](auto cb) { engine_->change_ownership(c, cb); });
  }

  static activity::Activity initiate() {
    activity::Activity a = activity::make_event("handoff.initiate");
    a.value = bj::object{{"va_BotName", "Ext"}, {"Color", "blue"}};
    activity::Attachment transcript;
    transcript.content_type = "application/json";
    transcript.name = "Transcript";
    transcript.content = bj::object{
        {"activities", bj::array{bj::object{{"type", "message"}, {"text", "from the bot's log"}}}}};
    a.attachments.push_back(transcript);
    return a;
  }

  std::mutex mu_;
  std::vector<activity::Activity> sent_;
};

TEST_F(ExternalBotTest, CustomerActivitiesGoToTheBotAndItsRepliesAreStored) {
  ASSERT_TRUE(start("c1", true).ok());
  EXPECT_TRUE(log("c1").empty()) << "no greeting of Baton's own";
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(sent()[0].type, "conversationUpdate");
  EXPECT_EQ(bj::serialize(sent()[0].extra.at("membersAdded").as_array()[0].at("id")), "\"user-1\"");

  auto said = say("c1", "hello");
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(said->seq, 1u);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[1].text, "hello");
  EXPECT_EQ(sent()[1].id, "c1|0000001");
  EXPECT_EQ(sent()[1].from.id, "user-1");
  EXPECT_EQ(sent()[1].recipient.role, "bot");
  EXPECT_EQ(log("c1").size(), 1u) << "the bot's runtime did not answer";

  activity::Activity answer = activity::make_message("hi there");
  answer.from = {"someone-else", "", "user"};
  answer.reply_to_id = said->id;
  auto replied = reply("c1", answer);
  ASSERT_TRUE(replied.ok()) << replied.error().message;
  EXPECT_EQ(replied->seq, 2u);
  const auto stored = log("c1");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].text, "hi there");
  EXPECT_EQ(stored[1].from.role, "bot") << "a bot cannot speak as someone else";
  EXPECT_NE(stored[1].from.id, "someone-else");
  EXPECT_EQ(stored[1].reply_to_id, "c1|0000001");

  EXPECT_EQ(reply("nope", answer).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(reply("c1", activity::make_event("handoff.status")).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(ExternalBotTest, HandoffFromTheBotReachesTheHubAndStatusGoesBack) {
  ASSERT_TRUE(start("c1", false).ok());
  ASSERT_TRUE(say("c1", "I want an agent").ok());
  auto opened = reply("c1", initiate());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);
  const bj::object request = only_handoff_request("c1");
  EXPECT_EQ(request.at("context").at("Color"), "blue");
  ASSERT_EQ(request.at("transcript").as_array().size(), 1u);
  EXPECT_EQ(request.at("transcript").as_array()[0].at("text"), "from the bot's log");

  const std::size_t before = sent().size();
  ASSERT_TRUE(say("c1", "still there?").ok());
  EXPECT_EQ(sent().size(), before) << "the bot hears nothing while the hub holds it";
  EXPECT_EQ(reply("c1", initiate()).error().code, ErrorCode::kConflict);

  ASSERT_TRUE(change("c1", OwnershipEvent::kOffered).ok());
  ASSERT_TRUE(change("c1", OwnershipEvent::kAccepted).ok());
  ASSERT_EQ(sent().size(), before + 1);
  EXPECT_EQ(sent().back().name, "handoff.status");
  EXPECT_EQ(sent().back().value.at("state"), "accepted");
  EXPECT_EQ(sent().back().recipient.role, "bot");
  EXPECT_EQ(reply("c1", activity::make_message("me too")).error().code, ErrorCode::kConflict);

  ASSERT_TRUE(change("c1", OwnershipEvent::kHandoffEnded).ok());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  ASSERT_EQ(sent().size(), before + 2);
  EXPECT_EQ(sent().back().value.at("state"), "completed");
  ASSERT_TRUE(say("c1", "thanks").ok());
  EXPECT_EQ(sent().back().text, "thanks") << "the bot hears the customer again";
  EXPECT_TRUE(reply("c1", activity::make_message("glad to help")).ok());
}

TEST_F(ExternalBotTest, HandoffWithNobodyOnlineFailsAtOnce) {
  reopen(false);
  ASSERT_TRUE(start("c1", false).ok());
  ASSERT_TRUE(say("c1", "agent").ok());
  ASSERT_TRUE(reply("c1", initiate()).ok());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  ASSERT_FALSE(sent().empty());
  EXPECT_EQ(sent().back().name, "handoff.status");
  EXPECT_EQ(sent().back().value.at("state"), "failed");
  EXPECT_EQ(sent().back().value.at("message"), "unavailable");
}

}  // namespace
}  // namespace baton::engine
