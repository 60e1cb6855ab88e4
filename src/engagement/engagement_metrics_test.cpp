// EngagementMetrics in process: the real Contoso bot, SQLite, the hub and a ManualClock; the
// counts follow the decisions acted on, the gauges read the hub on the strand.
#include <gtest/gtest.h>

#include <future>

#include "engagement/engagement.hpp"
#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

class EngagementMetricsTest : public EngagementTest {
 protected:
  void SetUp() override {
    add_agent("alice", "Alice Martin", "agent");
    add_agent("bob", "Bob Stone", "agent");
    add_agent("boss", "Bea Boss", "supervisor", {}, 1);
    ASSERT_TRUE(start_engagement().ok());
  }

  EngagementMetrics metrics() {
    std::promise<EngagementMetrics> got;
    engagement_->metrics([&got](EngagementMetrics m) { got.set_value(std::move(m)); });
    return got.get_future().get();
  }

  static int agents(const EngagementMetrics& m, hub::Presence p) {
    return m.agents_by_presence[static_cast<std::size_t>(p)];
  }

  static const EngagementMetrics::Queue* queue(const EngagementMetrics& m, const char* name) {
    for (const auto& q : m.queues) {
      if (q.name == name) {
        return &q;
      }
    }
    return nullptr;
  }
};

TEST_F(EngagementMetricsTest, CountsWhatTheHubDecidedAndReadsItsQueuesAndAgents) {
  const EngagementMetrics none = metrics();
  EXPECT_EQ(none.offers.made, 0u);
  EXPECT_EQ(none.handoffs.accepted, 0u);
  EXPECT_EQ(agents(none, hub::Presence::kOffline), 3);
  ASSERT_EQ(none.queues.size(), 2u) << "every configured queue, waiting or not";
  EXPECT_EQ(queue(none, "general")->waiting, 0);

  auto alice = attach(alice_actor());
  auto bob = attach(bob_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
  EXPECT_EQ(agents(metrics(), hub::Presence::kAvailable), 2);

  // Offered to one, declined, offered to the other, accepted.
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return alice->of<Offer>().size() + bob->of<Offer>().size() == 1; }));
  const bool alice_first = !alice->of<Offer>().empty();
  auto& first = alice_first ? alice : bob;
  auto& second = alice_first ? bob : alice;
  const Actor& first_actor = alice_first ? alice_actor() : bob_actor();
  const Actor& second_actor = alice_first ? bob_actor() : alice_actor();
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->decline(first_actor, "c1", first->of<Offer>()[0].offer_id, cb);
              }).ok());
  ASSERT_TRUE(eventually([&] { return second->of<Offer>().size() == 1; }));
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->accept(second_actor, "c1", second->of<Offer>()[0].offer_id, cb);
              }).ok());
  settle();
  EngagementMetrics m = metrics();
  EXPECT_EQ(m.offers.made, 2u);
  EXPECT_EQ(m.offers.declined, 1u);
  EXPECT_EQ(m.offers.accepted, 1u);
  EXPECT_EQ(m.offers.expired, 0u);
  EXPECT_EQ(m.handoffs.accepted, 1u);

  // Nobody takes offers: c2 waits in the general queue, then cancels.
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kBusy).ok());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kBusy).ok());
  escalate("c2");
  clock_.advance(std::chrono::seconds(5));
  m = metrics();
  EXPECT_EQ(agents(m, hub::Presence::kBusy), 2);
  EXPECT_EQ(agents(m, hub::Presence::kOffline), 1);
  ASSERT_NE(queue(m, "general"), nullptr);
  EXPECT_EQ(queue(m, "general")->waiting, 1);
  EXPECT_EQ(queue(m, "general")->longest_wait, std::chrono::seconds(5));
  EXPECT_EQ(queue(m, "billing")->waiting, 0);
  ASSERT_TRUE(say("c2", "cancel").ok());
  ASSERT_TRUE(eventually([&] { return metrics().handoffs.cancelled == 1; }));
  m = metrics();
  EXPECT_EQ(queue(m, "general")->waiting, 0);
  EXPECT_EQ(m.handoffs.accepted, 1u);
  EXPECT_EQ(m.offers.made, 2u) << "busy agents get no offers";
}

TEST_F(EngagementMetricsTest, ExpiredOffersAndSilentCustomersAreCounted) {
  auto alice = attach(alice_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  escalate("c1");
  ASSERT_TRUE(eventually([&] { return alice->of<Offer>().size() == 1; }));
  clock_.advance(std::chrono::seconds(31));  // the offer expires and goes to alice again
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  ASSERT_TRUE(eventually([&] { return metrics().offers.expired == 1; }));
  EXPECT_EQ(metrics().offers.made, 2u);
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAway).ok());  // rescinds the second offer
  ASSERT_TRUE(eventually([&] { return metrics().offers.rescinded == 1; }));
  clock_.advance(std::chrono::minutes(11));  // silent past abandon_after
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  ASSERT_TRUE(eventually([&] { return metrics().handoffs.abandoned == 1; }));
  const EngagementMetrics m = metrics();
  EXPECT_EQ(m.handoffs.accepted, 0u);
  EXPECT_EQ(m.handoffs.cancelled, 0u);
  EXPECT_EQ(m.handoffs.timed_out, 0u);
}

}  // namespace
}  // namespace baton::engagement
