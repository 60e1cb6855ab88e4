// Engagement durability: destroy the engine and the engagement, reopen the store, start again →
// queue order kept, pending offers re-issued, assigned conversations still with their agents,
// presence kept.
#include <gtest/gtest.h>

#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

class EngagementRestart : public EngagementTest {
 protected:
  std::optional<Offer> offer_for(const RecordingSink& sink, const std::string& id,
                                 bool from_hello = false) {
    std::optional<Offer> found;
    eventually([&] {
      if (from_hello) {
        for (auto& h : sink.of<Hello>()) {
          for (auto& o : h.offers) {
            if (o.conversation == id) {
              found = o;
            }
          }
        }
      } else {
        for (auto& o : sink.of<Offer>()) {
          if (o.conversation == id) {
            found = o;
          }
        }
      }
      return found.has_value();
    });
    return found;
  }
};

TEST_F(EngagementRestart, QueueOffersAssignmentsAndPresenceSurvive) {
  add_agent("alice", "Alice Martin", "agent", {}, 1);
  add_agent("bob", "Bob Stone", "agent", {}, 1);
  add_agent("carol", "Carol Diaz", "agent", {}, 1);
  ASSERT_TRUE(start_engagement().ok());

  // c4 with carol.
  auto carol = attach(carol_actor());
  ASSERT_TRUE(presence(carol_actor(), hub::Presence::kAvailable).ok());
  escalate("c4");
  auto c4_offer = offer_for(*carol, "c4");
  ASSERT_TRUE(c4_offer.has_value());
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->accept(carol_actor(), "c4", c4_offer->offer_id, cb);
              }).ok());
  settle();
  // c3 offered to bob, unanswered.
  auto bob = attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
  escalate("c3");
  ASSERT_TRUE(offer_for(*bob, "c3").has_value());
  // c1, c2 waiting (alice online but busy, the others full).
  attach(alice_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kBusy).ok());
  escalate("c1");
  escalate("c2");
  settle();
  // Positions count every unassigned conversation of the queue (c3, being offered, is first).
  const int c1_position = view("c1")->position;
  ASSERT_EQ(c1_position, 2);
  ASSERT_EQ(view("c2")->position, 3);

  close();
  clock_.advance(std::chrono::seconds(5));
  open();
  ASSERT_TRUE(start_engagement().ok());
  settle();

  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
  EXPECT_EQ(view("c1")->position, c1_position);
  EXPECT_EQ(view("c2")->position, c1_position + 1);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);

  ASSERT_TRUE(view("c3").has_value());
  EXPECT_EQ(view("c3")->offered_to, "bob");
  EXPECT_EQ(status("c3")->ownership.owner, Owner::kOffered);
  auto bob_again = attach(bob_actor());
  auto reissued = offer_for(*bob_again, "c3", true);
  ASSERT_TRUE(reissued.has_value()) << "the pending offer is shown again";
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->accept(bob_actor(), "c3", reissued->offer_id, cb);
              }).ok());
  ASSERT_TRUE(eventually([&] { return said("c3", "Bob Stone joined the chat."); }));

  EXPECT_EQ(view("c4")->agent, "carol");
  EXPECT_EQ(status("c4")->ownership.owner, Owner::kAgent);
  auto carol_again = attach(carol_actor());
  auto sent = await<PostResult>([&](auto cb) {
    engagement_->send(carol_actor(), "c4", activity::make_message("Still with you"), cb);
  });
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(say("c4", "thanks").ok());
  ASSERT_TRUE(eventually([&] { return !carol_again->of<ActivityAdded>().empty(); }))
      << "the agent's live view is back after the restart";

  auto hello = attach(alice_actor())->of<Hello>();
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].presence, hub::Presence::kBusy) << "presence survives the restart";
}

TEST_F(EngagementRestart, HandoffTheHubNeverLoggedIsSubmittedAgain) {
  add_agent("alice", "Alice Martin", "agent");
  // The engine escalates before the engagement started (its hook logs nothing then), as if
  // the hub's log had lost the submission.
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);
  EXPECT_TRUE(store_->read_hub_log(0, 10)->empty());
  ASSERT_TRUE(start_engagement().ok());
  settle();
  // Nobody is online: the re-submitted handoff takes the unavailable path at once.
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "unavailable");
}

}  // namespace
}  // namespace baton::engagement
