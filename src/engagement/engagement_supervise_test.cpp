// A supervisor's interventions through the Engagement, with the real bot, store, engine and hub:
// whisper (never the customer's), barge (the customer sees the supervisor by name), take over,
// assign a waiting conversation (capacity respected or refused saying why), move to a queue.

#include "engagement/engagement_test_support.hpp"

namespace baton::engagement::testing {
namespace {

bool activity_named(const RecordingSink& sink, const std::string& conversation,
                    const std::string& needle) {
  for (const auto& a : sink.of<ActivityAdded>()) {
    if (a.conversation == conversation && a.json->find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class EngagementSupervise : public EngagementFlow {
 protected:
  Result<PostResult> whisper(const Actor& a, const std::string& id, const std::string& text) {
    auto r = await<PostResult>([&](auto cb) { engagement_->whisper(a, id, text, cb); });
    settle();
    return r;
  }
  Result<PostResult> barge(const Actor& a, const std::string& id, const std::string& text) {
    auto r = await<PostResult>([&](auto cb) { engagement_->barge(a, id, text, cb); });
    settle();
    return r;
  }
  Result<bool> take_over(const Actor& a, const std::string& id) {
    auto r = await<bool>([&](auto cb) { engagement_->take_over(a, id, cb); });
    settle();
    return r;
  }
  Result<bool> reassign(const Actor& a, const std::string& id, const std::string& queue,
                        const std::string& agent) {
    auto r = await<bool>(
        [&](auto cb) { engagement_->reassign(a, id, queue, agent, "from the supervisor", cb); });
    settle();
    return r;
  }
};

TEST_F(EngagementSupervise, WhisperReachesTheAgentOnlyAndNeverTheCustomer) {
  auto alice = assigned_to_alice("c1");
  auto boss = attach(boss_actor());
  auto refused = whisper(alice_actor(), "c1", "psst");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  auto empty = whisper(boss_actor(), "c1", "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);

  ASSERT_TRUE(whisper(boss_actor(), "c1", "offer the refund").ok());
  ASSERT_TRUE(eventually([&] { return activity_named(*alice, "c1", "offer the refund"); }));
  EXPECT_TRUE(eventually([&] { return activity_named(*boss, "c1", "offer the refund"); }));
  EXPECT_FALSE(said("c1", "offer the refund")) << "the customer's messages never carry it";
  bool stored = false;
  for (const auto& a : log("c1")) {
    if (a.type == "event" && a.name == "baton.whisper") {
      stored = true;
      EXPECT_EQ(a.from.id, "agent:boss");
      EXPECT_EQ(engine::audience_of_type(a.type), engine::Audience::kInternal);
    }
  }
  EXPECT_TRUE(stored);

  // Only a conversation with an agent: one still offered is refused.
  ASSERT_NO_FATAL_FAILURE(escalate("c2"));  // offered to alice (capacity 2)
  ASSERT_EQ(view("c2")->state, hub::ConversationState::kOffered);
  auto offered = whisper(boss_actor(), "c2", "hello");
  ASSERT_FALSE(offered.ok());
  EXPECT_EQ(offered.error().code, ErrorCode::kConflict);
}

TEST_F(EngagementSupervise, BargeSpeaksToTheCustomerUnderTheSupervisorsName) {
  auto alice = assigned_to_alice("c1");
  ASSERT_FALSE(barge(bob_actor(), "c1", "hi").ok());
  ASSERT_TRUE(barge(boss_actor(), "c1", "I'm the supervisor, happy to help").ok());
  ASSERT_TRUE(said("c1", "I'm the supervisor, happy to help"));
  for (const auto& a : log("c1")) {
    if (a.text == "I'm the supervisor, happy to help") {
      EXPECT_EQ(a.from.id, "agent:boss");
      EXPECT_EQ(a.from.name, "Bea Boss");
    }
  }
  EXPECT_TRUE(eventually([&] { return activity_named(*alice, "c1", "happy to help"); }))
      << "the owning agent sees it too";
  EXPECT_EQ(view("c1")->agent, "alice") << "alice still owns it";
  ASSERT_TRUE(agent_says(alice_actor(), "c1", "thanks boss").ok());
}

TEST_F(EngagementSupervise, TakeOverMovesOwnershipAndTellsThePreviousAgent) {
  auto alice = assigned_to_alice("c1");
  auto boss = attach(boss_actor());
  auto before = status("c1")->ownership;
  auto refused = take_over(alice_actor(), "c1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);

  ASSERT_TRUE(take_over(boss_actor(), "c1").ok());
  EXPECT_EQ(view("c1")->agent, "boss");
  ASSERT_TRUE(eventually([&] { return !alice->of<Unassigned>().empty(); }));
  EXPECT_EQ(alice->of<Unassigned>().back().cause, UnassignCause::kTakenOver);
  EXPECT_FALSE(boss->of<Assigned>().empty());
  auto stale = agent_says(alice_actor(), "c1", "still me");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(agent_says(boss_actor(), "c1", "Bea here").ok());
  EXPECT_TRUE(eventually([&] { return said("c1", "Bea Boss joined the chat."); }));
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kAgent);
  EXPECT_GE(status("c1")->ownership.epoch, before.epoch);
  ASSERT_TRUE(end(boss_actor(), "c1", EndMode::kClose).ok());
}

TEST_F(EngagementSupervise, AssignAWaitingConversationRespectingCapacity) {
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c1"));  // alice busy: nobody is offered it
  auto bob = attach(bob_actor());
  // bob is offline: refused, saying why.
  auto offline = reassign(boss_actor(), "c1", "", "bob");
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.error().code, ErrorCode::kConflict);
  EXPECT_NE(offline.error().message.find("offline"), std::string::npos) << offline.error().message;
  auto forbidden = reassign(alice_actor(), "c1", "", "alice");
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().code, ErrorCode::kForbidden);
  auto unknown = reassign(boss_actor(), "c1", "", "nobody");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  // alice is busy but online, below her capacity of 2: it is hers at once.
  ASSERT_TRUE(reassign(boss_actor(), "c1", "", "alice").ok());
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kAssigned);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kAgent);
  ASSERT_TRUE(agent_says(alice_actor(), "c1", "Alice here").ok());

  // bob (capacity 2) online with two conversations: a third is refused at capacity.
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kBusy).ok());
  for (const char* id : {"c2", "c3", "c4"}) {
    ASSERT_NO_FATAL_FAILURE(escalate(id));
  }
  ASSERT_TRUE(reassign(boss_actor(), "c2", "", "bob").ok());
  ASSERT_TRUE(reassign(boss_actor(), "c3", "", "bob").ok());
  auto full = reassign(boss_actor(), "c4", "", "bob");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kConflict);
  EXPECT_NE(full.error().message.find("capacity"), std::string::npos) << full.error().message;

  // An assigned conversation moved to another agent once bob has a free slot.
  ASSERT_TRUE(end(bob_actor(), "c3", EndMode::kClose).ok());
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->wrap_up_done(bob_actor(), "c3", cb); }).ok());
  settle();
  ASSERT_TRUE(reassign(boss_actor(), "c1", "", "bob").ok());
  EXPECT_EQ(view("c1")->agent, "bob");
  EXPECT_FALSE(agent_says(alice_actor(), "c1", "me again").ok());
  ASSERT_TRUE(agent_says(bob_actor(), "c1", "Bob now").ok());
  EXPECT_TRUE(eventually([&] {
    auto u = bob->of<Assigned>();
    return std::any_of(u.begin(), u.end(),
                       [](const Assigned& a) { return a.conversation == "c1"; });
  }));
}

TEST_F(EngagementSupervise, MoveToAQueue) {
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c1"));
  EXPECT_EQ(view("c1")->queue, "general");
  auto both = await<bool>(
      [&](auto cb) { engagement_->reassign(boss_actor(), "c1", "billing", "bob", "", cb); });
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(reassign(boss_actor(), "c1", "billing", "").ok());
  EXPECT_EQ(view("c1")->queue, "billing");
  auto again = reassign(boss_actor(), "c1", "billing", "");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto nowhere = reassign(boss_actor(), "c1", "nope", "");
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace baton::engagement::testing
