// External queues in process (real Contoso bot, SQLite, engine, hub; docs/EXTERNAL_HUBS.md): the
// engagement sends the stored handoff.initiate to the queue's ExternalHubSink (a recording one
// here: the HTTP side is tests/external_hub), follows the external hub's answers with the
// engine's ownership (accepted → agent, completed → the bot below the handoff node, failed →
// unavailable), writes its messages as the owner, forwards the customer's messages, tells the
// external hub when Baton takes the conversation back (the endOfConversation notice), keeps the
// hub's status message with the handoff, and refuses calls for the wrong queue or in the wrong
// state.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/json.hpp"
#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

// What the engagement asked of the external hub.
class RecordingHubs final : public ExternalHubSink {
 public:
  void initiate(const ExternalHubTarget& target, const std::string& conversation,
                boost::json::object initiate, std::function<void(bool)> done) override {
    std::lock_guard lock(mu_);
    initiates.push_back({target.queue, conversation, std::move(initiate)});
    dones.push_back(std::move(done));
  }
  void forward(const ExternalHubTarget& target, const std::string& conversation,
               boost::json::object activity) override {
    std::lock_guard lock(mu_);
    forwarded.push_back({target.queue, conversation, std::move(activity)});
  }

  struct Sent {
    std::string queue;
    std::string conversation;
    boost::json::object body;
  };
  std::vector<Sent> initiates;
  std::vector<Sent> forwarded;
  std::vector<std::function<void(bool)>> dones;

 private:
  std::mutex mu_;
};

class EngagementExternal : public EngagementFlow {
 protected:
  void SetUp() override {
    close();
    secret_ = dir_.path() / "partner.secret";
    std::ofstream(secret_) << "0123456789abcdef-partner\n";
    // Contoso's Escalate topic hands off with the queue hint `general`: the external queue.
    const std::string yaml =
        "hub:\n  default_queue: general\n  queues:\n    - name: billing\n"
        "    - name: general\n      max_wait: 10m\n      external:\n"
        "        url: http://127.0.0.1:9/handoff\n        secret_file: " +
        secret_.string() + "\n";
    auto loaded = hub::load_hub_config_from_string(yaml, "hub.yaml");
    for (const auto& d : loaded.diagnostics) {
      ADD_FAILURE() << d.format();
    }
    ASSERT_TRUE(loaded.config.has_value());
    config_ = std::make_shared<hub::HubConfig>(std::move(*loaded.config));
    open();
    engagement_->set_external_sink(hubs_);
    EngagementFlow::SetUp();
  }

  Result<bool> answer(const std::string& queue, const std::string& id, hub::ExternalState s,
                      const std::string& message = "") {
    auto r = await<bool>([&](auto cb) { engagement_->external_status(queue, id, s, message, cb); });
    settle();
    return r;
  }

  // The endOfConversation notices the hub got for `id` (Baton took the conversation back).
  std::vector<boost::json::object> notices(const std::string& id) {
    std::vector<boost::json::object> out;
    for (const auto& f : hubs_->forwarded) {
      if (f.conversation == id && json::string_at(f.body, "type") == "endOfConversation" &&
          f.body.contains("value")) {
        out.push_back(f.body);
      }
    }
    return out;
  }

  // Escalates `id` and waits until the external hub got its handoff.initiate.
  void handed_over(const std::string& id) {
    customer(id);
    ASSERT_TRUE(say(id, "talk to an agent").ok());
    ASSERT_TRUE(eventually([&] {
      return std::any_of(hubs_->initiates.begin(), hubs_->initiates.end(),
                         [&](const auto& i) { return i.conversation == id; });
    }));
  }

  // The stored handoff.status event's value.message of the conversation's last handoff.
  std::string status_message(const std::string& id) {
    std::string message;
    for (const auto& a : log(id)) {
      if (a.type == "event" && a.name == "handoff.status" && a.value.is_object()) {
        message = json::string_at(a.value.as_object(), "message");
      }
    }
    return message;
  }

  Result<PostResult> hub_says(const std::string& queue, const std::string& id,
                              const std::string& text) {
    activity::Activity a = activity::make_message(text);
    a.from.name = "Dana";
    auto r = await<PostResult>(
        [&](auto cb) { engagement_->external_send(queue, id, std::move(a), cb); });
    settle();
    return r;
  }

  std::filesystem::path secret_;
  std::shared_ptr<RecordingHubs> hubs_ = std::make_shared<RecordingHubs>();
};

TEST_F(EngagementExternal, TheExternalHubTakesTheConversationAndGivesItBack) {
  // Nobody of Baton's is online: the external queue takes the handoff anyway.
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return hubs_->initiates.size() == 1; }));
  const auto& sent = hubs_->initiates[0];
  EXPECT_EQ(sent.queue, "general");
  EXPECT_EQ(sent.conversation, "c1");
  EXPECT_EQ(json::string_at(sent.body, "name"), "handoff.initiate");
  EXPECT_EQ(json::string_at(sent.body.at("value").as_object(), "va_ConversationId"), "c1");
  EXPECT_EQ(json::string_at(sent.body.at("value").as_object(), "va_Language"), "en-us");
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);

  // Wrong queue, wrong state, unknown conversation.
  EXPECT_EQ(answer("billing", "c1", hub::ExternalState::kAccepted).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(answer("general", "c1", hub::ExternalState::kCompleted).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(hub_says("general", "c1", "too early").error().code, ErrorCode::kConflict);
  EXPECT_EQ(answer("general", "nope", hub::ExternalState::kAccepted).error().code,
            ErrorCode::kNotFound);

  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kAccepted).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kAgent; }));
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kExternal);
  auto posted = hub_says("general", "c1", "Hi, Dana here.");
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  const auto all = log("c1");
  const auto dana = std::find_if(all.begin(), all.end(),
                                 [](const auto& a) { return a.text == "Hi, Dana here."; });
  ASSERT_NE(dana, all.end());
  EXPECT_EQ(dana->from.id, "external:general");
  EXPECT_EQ(dana->from.name, "Dana");

  // The customer's message goes to the external hub; the bot stays silent.
  const std::size_t before = texts("c1").size();
  ASSERT_TRUE(say("c1", "my order is 12345").ok());
  ASSERT_TRUE(eventually([&] { return hubs_->forwarded.size() == 1; }));
  EXPECT_EQ(json::string_at(hubs_->forwarded[0].body, "text"), "my order is 12345");
  EXPECT_EQ(texts("c1").size(), before);

  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kCompleted).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner != Owner::kAgent; }));
  EXPECT_FALSE(view("c1").has_value());
  EXPECT_EQ(hub_says("general", "c1", "late").error().code, ErrorCode::kNotFound);
  const auto records = *store_->handoffs_for_conversation("c1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].status, "completed");
}

TEST_F(EngagementExternal, AHandoffThatCannotBeDeliveredResumesUnavailable) {
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return hubs_->dones.size() == 1; }));
  hubs_->dones[0](false);  // every attempt failed
  settle();
  ASSERT_TRUE(eventually([&] {
    return said("c1",
                "Sorry, nobody can take your chat right now. Please try again later or email "
                "help@contoso.example.");
  }));
  EXPECT_FALSE(view("c1").has_value());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "unavailable");
}

TEST_F(EngagementExternal, TheExternalHubFailsAfterAccepting) {
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return hubs_->initiates.size() == 1; }));
  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kAccepted).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kAgent; }));
  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kFailed).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "unavailable");
}

TEST_F(EngagementExternal, ASupervisorClosesAConversationAnExternalHubOwns) {
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return hubs_->initiates.size() == 1; }));
  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kAccepted).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kAgent; }));
  auto closed = await<bool>([&](auto cb) { engagement_->force_close(boss_actor(), "c1", cb); });
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  settle();
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kClosed; }));
  EXPECT_FALSE(view("c1").has_value());
  EXPECT_EQ(hub_says("general", "c1", "still there?").error().code, ErrorCode::kNotFound);
  // The external hub is told, once, by the bot, in the handoff's terms.
  const auto told = notices("c1");
  ASSERT_EQ(told.size(), 1u);
  const auto& notice = told[0];
  EXPECT_EQ(json::string_at(notice, "code"), "unknown");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "reason"), "closed");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "state"), "accepted");
  EXPECT_EQ(json::string_at(notice.at("conversation").as_object(), "id"), "c1");
  EXPECT_EQ(json::string_at(notice.at("from").as_object(), "role"), "bot");
  EXPECT_EQ(json::string_at(notice, "replyToId"), json::string_at(hubs_->initiates[0].body, "id"));
  EXPECT_EQ(json::string_at(notice.at("relatesTo").as_object(), "activityId"),
            json::string_at(hubs_->initiates[0].body.at("relatesTo").as_object(), "activityId"));
  EXPECT_EQ(json::string_at(notice, "channelId"),
            json::string_at(hubs_->initiates[0].body, "channelId"));
}

TEST_F(EngagementExternal, TheExternalHubIsToldWhenTheCustomerCancelsOrLeavesWhileWaiting) {
  ASSERT_NO_FATAL_FAILURE(handed_over("c1"));
  ASSERT_TRUE(say("c1", "cancel").ok());
  ASSERT_TRUE(eventually([&] { return notices("c1").size() == 1; }));
  auto notice = notices("c1")[0];
  EXPECT_EQ(json::string_at(notice, "code"), "userCancelled");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "reason"), "cancelled");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "state"), "waiting");
  EXPECT_EQ(json::string_at(notice.at("from").as_object(), "id"), "user-c1");
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "cancelled");
  // Too late for the hub's answer.
  EXPECT_EQ(answer("general", "c1", hub::ExternalState::kAccepted).error().code,
            ErrorCode::kNotFound);

  ASSERT_NO_FATAL_FAILURE(handed_over("c2"));
  ASSERT_TRUE(post("c2", activity::make_end_of_conversation()).ok());
  ASSERT_TRUE(eventually([&] { return notices("c2").size() == 1; }));
  notice = notices("c2")[0];
  EXPECT_EQ(json::string_at(notice, "code"), "userCancelled");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "reason"), "left");
  EXPECT_EQ(json::string_at(notice.at("from").as_object(), "id"), "user-c2");
  EXPECT_EQ((*store_->handoffs_for_conversation("c2"))[0].status, "abandoned");
}

TEST_F(EngagementExternal, TheExternalHubIsToldWhenTheWaitTimesOutOrASupervisorCloses) {
  ASSERT_NO_FATAL_FAILURE(handed_over("c1"));
  clock_.advance(std::chrono::minutes(9));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  EXPECT_TRUE(notices("c1").empty()) << "not yet timed out after 9 minutes";
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  ASSERT_TRUE(eventually([&] { return notices("c1").size() == 1; }));
  auto notice = notices("c1")[0];
  EXPECT_EQ(json::string_at(notice, "code"), "botTimedOut");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "reason"), "timed_out");
  EXPECT_EQ(json::string_at(notice.at("from").as_object(), "role"), "bot");
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "timed_out");

  ASSERT_NO_FATAL_FAILURE(handed_over("c2"));
  auto closed = await<bool>([&](auto cb) { engagement_->force_close(boss_actor(), "c2", cb); });
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  ASSERT_TRUE(eventually([&] { return notices("c2").size() == 1; }));
  notice = notices("c2")[0];
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "reason"), "closed");
  EXPECT_EQ(json::string_at(notice.at("value").as_object(), "state"), "waiting");
  ASSERT_TRUE(eventually([&] { return status("c2")->ownership.owner == Owner::kClosed; }));
}

// After accepting, the customer's leaving is forwarded as it is (the hub owns the conversation
// and ends the handoff); Baton sends no notice of its own.
TEST_F(EngagementExternal, TheCustomerLeavesAConversationTheExternalHubOwns) {
  ASSERT_NO_FATAL_FAILURE(handed_over("c1"));
  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kAccepted).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kAgent; }));
  ASSERT_TRUE(post("c1", activity::make_end_of_conversation()).ok());
  ASSERT_TRUE(eventually([&] {
    return std::any_of(hubs_->forwarded.begin(), hubs_->forwarded.end(), [](const auto& f) {
      return json::string_at(f.body, "type") == "endOfConversation";
    });
  }));
  EXPECT_TRUE(notices("c1").empty());
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kExternal);
  ASSERT_TRUE(answer("general", "c1", hub::ExternalState::kCompleted).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
}

// The external hub's status message is kept with the handoff: its record's outcome and the
// handoff.status event (the bot's System.HandoffMessage: dialog's availability_test).
TEST_F(EngagementExternal, TheExternalHubsMessageIsKeptWithTheHandoff) {
  ASSERT_NO_FATAL_FAILURE(handed_over("c1"));
  ASSERT_TRUE(
      answer("general", "c1", hub::ExternalState::kFailed, "No partner agent is available").ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
  auto h = (*store_->handoffs_for_conversation("c1"))[0];
  EXPECT_EQ(h.status, "unavailable");
  auto outcome = json::parse(h.outcome_json);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->at("message"), "No partner agent is available");
  EXPECT_EQ(status_message("c1"), "No partner agent is available");
  EXPECT_TRUE(notices("c1").empty()) << "the hub's own answer is not echoed back";

  ASSERT_NO_FATAL_FAILURE(handed_over("c2"));
  ASSERT_TRUE(answer("general", "c2", hub::ExternalState::kAccepted).ok());
  ASSERT_TRUE(eventually([&] { return status("c2")->ownership.owner == Owner::kAgent; }));
  ASSERT_TRUE(
      answer("general", "c2", hub::ExternalState::kCompleted, "Order 12345 re-shipped").ok());
  ASSERT_TRUE(eventually([&] { return status("c2")->ownership.owner == Owner::kBot; }));
  h = (*store_->handoffs_for_conversation("c2"))[0];
  EXPECT_EQ(h.status, "completed");
  outcome = json::parse(h.outcome_json);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->at("message"), "Order 12345 re-shipped");
  EXPECT_EQ(outcome->at("agent"), "external:general");
  EXPECT_EQ(status_message("c2"), "Order 12345 re-shipped");
}

}  // namespace
}  // namespace baton::engagement
