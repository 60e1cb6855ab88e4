// Analytics end to end in process: the engine's sessions and the hub's measurements, written by the
// real Engine and Engagement on the real SQLite store under a ManualClock, read back by
// analytics::summarize with every time known, so every figure is exact.
#include <gtest/gtest.h>

#include <map>

#include "analytics/cells.hpp"
#include "analytics/summary.hpp"
#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers
using std::chrono::minutes;
using std::chrono::seconds;

class EngagementAnalytics : public EngagementFlow {
 protected:
  analytics::Summary summary() {
    const std::int64_t now = analytics::hour_of(clock_.now());
    auto s = analytics::summarize(*store_, {now - 2, now + 2, "", "", ""});
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : analytics::Summary{};
  }
};

TEST_F(EngagementAnalytics, AKnownDayGivesExactFigures) {
  const TimePoint t0 = clock_.now();
  auto sink = alice_online();

  // c1: offered at once, accepted after 8 s, back to the bot after a minute, wrap-up 30 s, then
  // the survey: yes, 5.
  auto offer = escalate_and_offer("c1", *sink);
  ASSERT_TRUE(offer.has_value());
  clock_.advance(seconds(8));
  ASSERT_TRUE(accept(alice_actor(), "c1", offer->offer_id).ok());
  clock_.advance(seconds(60));
  ASSERT_TRUE(end(alice_actor(), "c1", EndMode::kReturnToBot).ok());
  clock_.advance(seconds(30));
  ASSERT_TRUE(
      await<bool>([&](auto cb) { engagement_->wrap_up_done(alice_actor(), "c1", cb); }).ok());
  settle();
  ASSERT_TRUE(say("c1", "yes").ok());
  ASSERT_TRUE(say("c1", "5").ok());

  // c2: offered to alice, cancelled by the customer 4 s later.
  offer = escalate_and_offer("c2", *sink);
  ASSERT_TRUE(offer.has_value());
  clock_.advance(seconds(4));
  ASSERT_TRUE(say("c2", "cancel").ok());

  // c3: a question left unanswered.
  customer("c3");
  ASSERT_TRUE(say("c3", "what are your store hours").ok());

  // Half an hour later the idle sessions end; alice logs off.
  clock_.advance(minutes(31));
  ASSERT_TRUE(await<std::size_t>([&](auto cb) {
                engine_->end_idle_sessions(clock_.now() - minutes(30), 100, cb);
              }).ok());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kOffline).ok());
  settle();
  const TimePoint t_end = clock_.now();

  const analytics::Summary s = summary();
  EXPECT_EQ(s.sessions.total, 3);
  EXPECT_EQ(s.sessions.engaged, 3);
  EXPECT_EQ(s.sessions.escalated, 2);
  EXPECT_EQ(s.sessions.abandoned, 1);
  EXPECT_EQ(s.sessions.resolved, 0);
  EXPECT_EQ(s.csat.asked, 1);
  EXPECT_EQ(s.csat.responses, 1);
  EXPECT_EQ(s.csat.average, 5.0);
  EXPECT_EQ(s.csat.resolved_yes, 1);
  EXPECT_EQ(s.handoffs.by_reason, (std::map<std::string, std::int64_t>{{"requested", 2}}));

  const auto& h = s.handoffs;
  EXPECT_EQ(h.total, 2);
  EXPECT_EQ(h.accepted, 1);
  EXPECT_EQ(h.cancelled, 1);
  EXPECT_EQ(h.unavailable, 0);
  EXPECT_EQ(h.offers, 2);
  EXPECT_EQ(h.offers_declined, 0);
  EXPECT_EQ(h.first_wait_ms.avg, 8'000.0);
  EXPECT_EQ(h.first_wait_ms.p50, 7'500.0);  // half-way through the (5 s, 10 s] bucket
  EXPECT_EQ(h.first_wait_ms.p90, 9'500.0);
  EXPECT_EQ(h.service_level_20s, 0.5);  // 1 accepted in time of 2 that left the queue
  EXPECT_EQ(h.service_level_60s, 0.5);
  EXPECT_EQ(h.time_to_accept_ms_avg, 8'000.0);
  EXPECT_EQ(h.handle_time_ms_avg, 90'000.0);  // accepted at 8 s, wrap-up done at 98 s
  EXPECT_EQ(h.transfers, 0);

  ASSERT_EQ(s.agents.size(), 1u);
  const analytics::AgentRow& alice = s.agents[0];
  EXPECT_EQ(alice.id, "alice");
  EXPECT_EQ(alice.handled, 1);
  EXPECT_EQ(alice.handle_time_ms_avg, 90'000.0);
  const double online_ms = static_cast<double>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t_end - t0).count());
  EXPECT_EQ(alice.presence_ms.at("available"), online_ms);
  // Load: c1 from its offer (0 s) to the wrap-up's end (98 s), c2 from 98 s to 102 s; capacity 2
  // the whole time online.
  ASSERT_TRUE(alice.utilisation.has_value());
  EXPECT_DOUBLE_EQ(*alice.utilisation, 102'000.0 / (2 * online_ms));

  ASSERT_EQ(s.queues.size(), 1u);
  EXPECT_EQ(s.queues[0].queue, "general");
  EXPECT_EQ(s.queues[0].handoffs, 2);

  ASSERT_EQ(s.topics.size(), 1u);
  EXPECT_EQ(s.topics[0].topic, "Store hours");
  EXPECT_EQ(s.topics[0].abandon_rate, 1.0);
}

// A wrap-up's disposition: refused when not one of the queue's (the wrap-up goes on), then recorded
// on the ended handoff with the note and counted under the queue and the agent.
TEST_F(EngagementAnalytics, WrapUpDispositionIsCheckedStoredAndCounted) {
  auto sink = alice_online();
  auto offer = escalate_and_offer("c1", *sink);
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(accept(alice_actor(), "c1", offer->offer_id).ok());
  ASSERT_TRUE(end(alice_actor(), "c1", EndMode::kClose).ok());
  auto wrap = [&](const Actor& actor, WrapUp w) {
    return await<bool>([&](auto cb) { engagement_->wrap_up_done(actor, "c1", std::move(w), cb); });
  };
  auto unknown = wrap(alice_actor(), {"refund-issued", ""});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("'refund-issued' is not one of queue 'general' "
                                         "(solved, call-back)"),
            std::string::npos)
      << unknown.error().message;
  EXPECT_FALSE(wrap(bob_actor(), {"solved", ""}).ok()) << "only the agent wrapping it up";
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWrapUp) << "still in wrap-up";
  EXPECT_EQ(json::parse_object(store_->handoffs_for_conversation("c1")->back().outcome_json)
                .count("wrapUp"),
            0u);

  ASSERT_TRUE(wrap(alice_actor(), {"call-back", "Call on Monday"}).ok());
  settle();
  EXPECT_FALSE(view("c1").has_value()) << "the wrap-up is over";
  const auto outcome =
      json::parse_object(store_->handoffs_for_conversation("c1")->back().outcome_json);
  const auto& wrap_up = outcome.at("wrapUp").as_object();
  EXPECT_EQ(wrap_up.at("agent"), "alice");
  EXPECT_EQ(wrap_up.at("disposition"), "call-back");
  EXPECT_EQ(wrap_up.at("note"), "Call on Monday");
  EXPECT_TRUE(outcome.contains("outcome")) << "the handoff's end is kept";
  EXPECT_EQ(summary().handoffs.by_disposition,
            (std::map<std::string, std::int64_t>{{"call-back", 1}}));
  const std::int64_t now = analytics::hour_of(clock_.now());
  auto by_agent = analytics::summarize(*store_, {now - 2, now + 2, "", "", "alice"});
  ASSERT_TRUE(by_agent.ok());
  EXPECT_EQ(by_agent->handoffs.by_disposition.at("call-back"), 1);
  auto other_queue = analytics::summarize(*store_, {now - 2, now + 2, "", "billing", ""});
  ASSERT_TRUE(other_queue.ok());
  EXPECT_TRUE(other_queue->handoffs.by_disposition.empty());
}

}  // namespace
}  // namespace baton::engagement
