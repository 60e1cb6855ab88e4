// The customer's paths in process (real Contoso bot, SQLite, engine, hub): a closed queue says
// its own unavailable text in the escalating turn and the bot reads
// System.HandoffUnavailableReason; a wait_for_agent queue holds the customer until an agent comes
// online; a returning customer is offered first to the agent who last helped them.
#include <gtest/gtest.h>

#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

// The fixture's clock starts on Friday 2027-01-15 08:00 UTC: billing (Contoso's "Pay bill"
// handover names it) opens on Saturdays only. general waits for an agent, and closes at 08:10.
constexpr const char* kPathsHubYaml = R"yaml(
hub:
  default_queue: general
  affinity_window: 10m
  defaults:
    offer_timeout: 30s
  queues:
    - name: billing
      skills: [billing]
      hours:
        time_zone: UTC
        weekly:
          saturday: ["10:00-18:00"]
      texts:
        unavailable: "Billing is closed now; we open Saturday at 10."
    - name: general
      wait_for_agent: true
      max_wait: 10m
      hours:
        time_zone: UTC
        weekly:
          friday: ["08:00-08:10"]
      texts:
        waiting_for_agent: "All our agents are offline. When one becomes available, we'll connect you."
        unavailable: "We have just closed; {queue} opens again next Friday at 8."
)yaml";

class EngagementPaths : public EngagementFlow {
 protected:
  void SetUp() override {
    close();
    auto loaded = hub::load_hub_config_from_string(kPathsHubYaml, "hub.yaml");
    for (const auto& d : loaded.diagnostics) {
      ADD_FAILURE() << d.format();
    }
    ASSERT_TRUE(loaded.config.has_value());
    config_ = std::make_shared<hub::HubConfig>(std::move(*loaded.config));
    open();
    EngagementFlow::SetUp();
  }

  Result<bool> wrap_up(const Actor& a, const std::string& id) {
    auto r = await<bool>([&](auto cb) { engagement_->wrap_up_done(a, id, cb); });
    settle();
    return r;
  }
};

TEST_F(EngagementPaths, AClosedQueueSaysItsTextAtOnceAndTheBotKnowsWhy) {
  // alice (billing) is online: the hub is not empty, the billing queue is closed.
  auto sink = alice_online();
  customer("c1");
  ASSERT_TRUE(say("c1", "I want to pay my bill").ok());
  ASSERT_TRUE(eventually([&] {
    return said("c1",
                "Our billing team is closed right now. You can pay online at "
                "contoso.example/pay any time.");
  }));
  EXPECT_TRUE(said("c1", "Billing is closed now; we open Saturday at 10."));
  EXPECT_FALSE(said("c1", "I'm connecting you with a billing specialist now."));
  EXPECT_FALSE(said("c1",
                    "Our billing team is offline right now. You can pay online at "
                    "contoso.example/pay."));
  EXPECT_FALSE(view("c1").has_value()) << "never queued";
  EXPECT_TRUE(sink->of<Offer>().empty());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "unavailable");

  // The general queue is open and alice can take it: the usual path.
  auto offer = escalate_and_offer("c2", *sink);
  ASSERT_TRUE(offer.has_value());
  EXPECT_TRUE(said("c2", "Let's send you to an available agent."));
}

TEST_F(EngagementPaths, AWaitForAgentQueueHoldsTheCustomerUntilAnAgentComesOnline) {
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return view("c1").has_value(); }));
  EXPECT_TRUE(said("c1", "Let's send you to an available agent."));
  EXPECT_TRUE(eventually([&] {
    return said("c1", "All our agents are offline. When one becomes available, we'll connect you.");
  }));
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
  // bob logs in later and gets the offer.
  auto sink = attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
  ASSERT_TRUE(eventually([&] { return !sink->of<Offer>().empty(); }));
  EXPECT_EQ(sink->of<Offer>()[0].conversation, "c1");
  ASSERT_TRUE(accept(bob_actor(), "c1", sink->of<Offer>()[0].offer_id).ok());
  EXPECT_TRUE(eventually([&] { return said("c1", "Bob Stone joined the chat."); }));
}

TEST_F(EngagementPaths, AQueueThatClosesOnAWaitingCustomerSaysItsTextAndTheReason) {
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return view("c1").has_value(); }));
  clock_.advance(std::chrono::minutes(10));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  ASSERT_TRUE(eventually([&] {
    return said("c1",
                "Our team is closed right now. We're back at 8am, or email help@contoso.example.");
  })) << "the Escalate topic's out_of_hours branch";
  EXPECT_TRUE(said("c1", "We have just closed; general opens again next Friday at 8."));
  EXPECT_FALSE(view("c1").has_value());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "unavailable");
}

TEST_F(EngagementPaths, AReturningCustomerIsOfferedToTheirLastAgentFirst) {
  auto alice = attach(alice_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  clock_.advance(std::chrono::seconds(1));
  auto bob = attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
  // alice has been idle longest: she gets c1's first handoff, declines, bob takes it.
  auto first = escalate_and_offer("c1", *alice);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->decline(alice_actor(), "c1", first->offer_id, cb);
              }).ok());
  settle();
  ASSERT_TRUE(eventually([&] { return !bob->of<Offer>().empty(); }));
  ASSERT_TRUE(accept(bob_actor(), "c1", bob->of<Offer>()[0].offer_id).ok());
  ASSERT_TRUE(end(bob_actor(), "c1", EndMode::kReturnToBot).ok());
  ASSERT_TRUE(wrap_up(bob_actor(), "c1").ok());
  clock_.advance(std::chrono::seconds(30));
  // The same customer asks again: bob first, though alice has been idle longer.
  const std::size_t alice_offers = alice->of<Offer>().size();
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return bob->of<Offer>().size() == 2; }));
  EXPECT_EQ(bob->of<Offer>()[1].conversation, "c1");
  EXPECT_EQ(alice->of<Offer>().size(), alice_offers);
  // Another customer gets the strategy's pick (alice, idle longest).
  auto other = escalate_and_offer("c2", *alice);
  ASSERT_TRUE(other.has_value());
}

}  // namespace
}  // namespace baton::engagement
