// External queues in process (real Contoso bot, SQLite, engine, hub; docs/EXTERNAL_HUBS.md): the
// engagement sends the stored handoff.initiate to the queue's ExternalHubSink (a recording one
// here: the HTTP side is tests/external_hub), follows the external hub's answers with the
// engine's ownership (accepted → agent, completed → the bot below the handoff node, failed →
// unavailable), writes its messages as the owner, forwards the customer's messages, and refuses
// calls for the wrong queue or in the wrong state.
#include <gtest/gtest.h>

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
        "    - name: general\n      external:\n"
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

  Result<bool> answer(const std::string& queue, const std::string& id, hub::ExternalState s) {
    auto r = await<bool>([&](auto cb) { engagement_->external_status(queue, id, s, cb); });
    settle();
    return r;
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
}

}  // namespace
}  // namespace baton::engagement
