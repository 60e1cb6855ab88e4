// Hub log compaction: a snapshot of the hub and the trim of its log in one batch. A restart from a
// snapshot gives the hub a replay gives; the log keeps only what came after; a conversation that
// left the hub leaves no trace in log or snapshot; a failed compaction changes nothing; a
// compaction waits for the log writes in flight.
#include <gtest/gtest.h>

#include <future>

#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

class EngagementCompaction : public EngagementTest {
 protected:
  std::optional<Offer> offer_for(const RecordingSink& sink, const std::string& id) {
    std::optional<Offer> found;
    eventually([&] {
      for (auto& o : sink.of<Offer>()) {
        if (o.conversation == id) {
          found = o;
        }
      }
      for (auto& h : sink.of<Hello>()) {  // a console attached after the offer
        for (auto& o : h.offers) {
          if (o.conversation == id) {
            found = o;
          }
        }
      }
      return found.has_value();
    });
    return found;
  }

  Status accept_offer(const Actor& actor, const RecordingSink& sink, const std::string& id) {
    auto offer = offer_for(sink, id);
    if (!offer) {
      return make_error(ErrorCode::kNotFound, "no offer of " + id);
    }
    auto r = await<bool>([&](auto cb) { engagement_->accept(actor, id, offer->offer_id, cb); });
    settle();
    return r.ok() ? Status{} : Status(r.error());
  }

  Status end_conversation(const Actor& actor, const std::string& id) {
    auto r = await<bool>([&](auto cb) { engagement_->end(actor, id, EndMode::kReturnToBot, cb); });
    settle();
    return r.ok() ? Status{} : Status(r.error());
  }

  Result<bool> compact() {
    auto r = await<bool>([&](auto cb) { engagement_->compact(cb); });
    settle();
    return r;
  }

  std::vector<store::HubLogRecord> hub_log() {
    std::vector<store::HubLogRecord> out;
    std::uint64_t after = 0;
    while (true) {
      auto page = store_->read_hub_log(after, store::kMaxPageSize);
      EXPECT_TRUE(page.ok());
      if (!page.ok() || page->empty()) {
        return out;
      }
      after = page->back().position;
      out.insert(out.end(), page->begin(), page->end());
    }
  }

  std::optional<std::string> stored_snapshot() {
    auto meta = store_->get_meta("hub.snapshot");
    return meta.ok() ? std::optional<std::string>(*meta) : std::nullopt;
  }

  // What the supervisor sees of the hub, without times.
  std::vector<std::string> hub_state() {
    std::vector<std::string> out;
    auto convs = await<std::vector<hub::ConversationView>>(
        [&](auto cb) { engagement_->conversations(boss_actor(), cb); });
    EXPECT_TRUE(convs.ok());
    for (const auto& c : *convs) {
      out.push_back(c.id + " " + to_string(c.state) + " " + c.queue + " " + c.agent + " " +
                    c.offered_to + " " + std::to_string(c.position) + " " +
                    std::to_string(c.priority) + " " + json::dump(c.context));
    }
    auto agents =
        await<std::vector<hub::AgentView>>([&](auto cb) { engagement_->agents(boss_actor(), cb); });
    EXPECT_TRUE(agents.ok());
    for (const auto& a : *agents) {
      std::string line = a.id + " " + to_string(a.presence) + " " + to_string(a.chosen) + " " +
                         std::to_string(a.load) + " " + std::to_string(a.missed_offers) + " |";
      for (const auto& c : a.conversations) {
        line += " " + c;
      }
      line += " |";
      for (const auto& c : a.offers) {
        line += " " + c;
      }
      out.push_back(line);
    }
    return out;
  }

  void restart() {
    close();
    open();
    ASSERT_TRUE(start_engagement().ok());
    settle();
  }

  // c1, c2 waiting (alice busy), c3 offered to bob, c4 with carol, c5 in wrap-up with carol.
  void busy_hub() {
    add_agent("alice", "Alice Martin", "agent", {}, 1);
    add_agent("bob", "Bob Stone", "agent", {}, 1);
    add_agent("carol", "Carol Diaz", "agent", {}, 2);
    ASSERT_TRUE(start_engagement().ok());
    auto carol = attach(carol_actor());
    ASSERT_TRUE(presence(carol_actor(), hub::Presence::kAvailable).ok());
    escalate("c4");
    ASSERT_TRUE(accept_offer(carol_actor(), *carol, "c4").ok());
    escalate("c5");
    ASSERT_TRUE(accept_offer(carol_actor(), *carol, "c5").ok());
    ASSERT_TRUE(end_conversation(carol_actor(), "c5").ok());
    auto bob = attach(bob_actor());
    ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
    escalate("c3");
    ASSERT_TRUE(offer_for(*bob, "c3").has_value());
    attach(alice_actor());
    ASSERT_TRUE(presence(alice_actor(), hub::Presence::kBusy).ok());
    escalate("c1");
    escalate("c2");
    settle();
    ASSERT_EQ(view("c5")->state, hub::ConversationState::kWrapUp);
  }
};

TEST_F(EngagementCompaction, ARestartFromTheSnapshotGivesTheHubAReplayGives) {
  ASSERT_NO_FATAL_FAILURE(busy_hub());
  restart();  // a replay of the whole log
  const auto replayed = hub_state();
  ASSERT_EQ(replayed.size(), 5u + 3u);

  ASSERT_TRUE(compact().ok());
  EXPECT_TRUE(hub_log().empty()) << "nothing was applied after the snapshot";
  const auto first = stored_snapshot();
  ASSERT_TRUE(first.has_value());

  restart();  // the snapshot, then what the start logged after it
  EXPECT_EQ(hub_state(), replayed);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);
  EXPECT_EQ(status("c3")->ownership.owner, Owner::kOffered);
  EXPECT_EQ(status("c4")->ownership.owner, Owner::kAgent);
  const auto after = hub_log();
  ASSERT_FALSE(after.empty());
  for (const auto& record : after) {
    EXPECT_EQ(record.json.find("handoff_submitted"), std::string::npos)
        << "only records after the snapshot: " << record.json;
  }
  // The same state again, at the same time: the same snapshot, byte for byte.
  ASSERT_TRUE(compact().ok());
  EXPECT_EQ(stored_snapshot(), first);

  // And the hub goes on from there: bob takes c3, carol's wrap-up ends and she takes c1.
  auto bob = attach(bob_actor());
  ASSERT_TRUE(accept_offer(bob_actor(), *bob, "c3").ok());
  EXPECT_EQ(view("c3")->agent, "bob");
  ASSERT_TRUE(
      await<bool>([&](auto cb) { engagement_->wrap_up_done(carol_actor(), "c5", cb); }).ok());
  settle();
  EXPECT_FALSE(view("c5").has_value());
  EXPECT_EQ(view("c1")->offered_to, "carol");
}

TEST_F(EngagementCompaction, EveryNInputsTheLogIsCutAtASnapshot) {
  close();
  compact_after_ = 4;
  open();
  add_agent("alice", "Alice Martin", "agent");
  ASSERT_TRUE(start_engagement().ok());
  settle();
  attach(alice_actor());
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(
        presence(alice_actor(), i % 2 == 0 ? hub::Presence::kAvailable : hub::Presence::kBusy)
            .ok());
  }
  ASSERT_TRUE(stored_snapshot().has_value());
  EXPECT_LT(hub_log().size(), 4u);
  restart();
  auto hello = attach(alice_actor())->of<Hello>();
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].presence, hub::Presence::kBusy) << "the last presence survives";
}

TEST_F(EngagementCompaction, AConversationThatLeftTheHubLeavesNoTraceInLogOrSnapshot) {
  const std::string marker = "c-private-7f3a2b";
  add_agent("alice", "Alice Martin", "agent");
  ASSERT_TRUE(start_engagement().ok());
  auto alice = attach(alice_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  escalate(marker);
  ASSERT_TRUE(accept_offer(alice_actor(), *alice, marker).ok());
  ASSERT_TRUE(end_conversation(alice_actor(), marker).ok());
  ASSERT_TRUE(
      await<bool>([&](auto cb) { engagement_->wrap_up_done(alice_actor(), marker, cb); }).ok());
  settle();
  ASSERT_FALSE(view(marker).has_value()) << "it has left the hub";
  escalate("c-stays");  // offered to alice, still in the hub
  auto contains_marker = [&](const std::vector<store::HubLogRecord>& records) {
    return std::any_of(records.begin(), records.end(),
                       [&](const auto& r) { return r.json.find(marker) != std::string::npos; });
  };
  ASSERT_TRUE(contains_marker(hub_log())) << "its handoff's context was logged";

  ASSERT_TRUE(compact().ok());
  EXPECT_FALSE(contains_marker(hub_log()));
  const auto snapshot = stored_snapshot();
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->find(marker), std::string::npos);
  EXPECT_NE(snapshot->find("c-stays"), std::string::npos);
}

TEST_F(EngagementCompaction, AFailedCompactionChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(busy_hub());
  const auto before = hub_state();
  const auto log_before = hub_log();
  faulty_->fail_writes = true;
  auto failed = compact();
  faulty_->fail_writes = false;
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_FALSE(stored_snapshot().has_value());
  EXPECT_EQ(hub_log(), log_before);
  EXPECT_EQ(hub_state(), before);

  // Input goes on (no rebuild: the hub's memory is not ahead of its log) and lands in the log.
  auto bob = attach(bob_actor());
  ASSERT_TRUE(accept_offer(bob_actor(), *bob, "c3").ok());
  EXPECT_EQ(status("c3")->ownership.owner, Owner::kAgent);
  const auto serving = hub_state();
  restart();
  EXPECT_EQ(hub_state(), serving);

  ASSERT_TRUE(compact().ok()) << "a later attempt succeeds";
  restart();
  EXPECT_EQ(hub_state(), serving);
}

TEST_F(EngagementCompaction, CompactionWaitsForTheLogWritesInFlight) {
  add_agent("alice", "Alice Martin", "agent");
  ASSERT_TRUE(start_engagement().ok());
  attach(alice_actor());
  settle();
  faulty_->hold_writes(true);
  std::promise<Result<bool>> presence_set;
  engagement_->set_presence(alice_actor(), hub::Presence::kAvailable,
                            [&](Result<bool> r) { presence_set.set_value(std::move(r)); });
  std::promise<Result<bool>> compacted;
  settle();
  engagement_->compact([&](Result<bool> r) { compacted.set_value(std::move(r)); });
  settle();
  EXPECT_EQ(faulty_->held(), 1u) << "the presence's record only: no snapshot while it is in flight";
  faulty_->hold_writes(false);
  ASSERT_TRUE(faulty_->release(0).ok());
  ASSERT_TRUE(presence_set.get_future().get().ok());
  ASSERT_TRUE(compacted.get_future().get().ok());
  settle();
  EXPECT_TRUE(hub_log().empty()) << "the presence's record is in the snapshot";
  restart();
  auto hello = attach(alice_actor())->of<Hello>();
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].presence, hub::Presence::kAvailable);
}

TEST_F(EngagementCompaction, CompactionWaitsForAHandoffCommittingInTheEnginesTurn) {
  add_agent("alice", "Alice Martin", "agent");
  ASSERT_TRUE(start_engagement().ok());
  attach(alice_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kBusy).ok());
  customer("c1");
  settle();
  faulty_->hold_writes(true);
  std::promise<Result<PostResult>> posted;
  engine_->post_activity("c1", activity::make_message("talk to an agent"),
                         [&](Result<PostResult> r) { posted.set_value(std::move(r)); });
  settle();  // the hub has applied the handoff; its record waits in the engine's turn
  std::promise<Result<bool>> compacted;
  engagement_->compact([&](Result<bool> r) { compacted.set_value(std::move(r)); });
  settle();
  EXPECT_EQ(faulty_->held(), 1u) << "the turn only: no snapshot while its record is in flight";
  faulty_->hold_writes(false);
  ASSERT_TRUE(faulty_->release(0).ok());
  ASSERT_TRUE(posted.get_future().get().ok());
  ASSERT_TRUE(compacted.get_future().get().ok());
  settle();
  const auto snapshot = stored_snapshot();
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_NE(snapshot->find("\"c1\""), std::string::npos) << "the handoff is in the snapshot";
  for (const auto& record : hub_log()) {
    EXPECT_EQ(record.json.find("handoff_submitted"), std::string::npos) << "and not in the log";
  }
  restart();
  ASSERT_TRUE(view("c1").has_value());
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);
}

TEST_F(EngagementCompaction, ACorruptSnapshotStopsTheStart) {
  add_agent("alice", "Alice Martin", "agent");
  ASSERT_TRUE(start_engagement().ok());
  ASSERT_TRUE(compact().ok());
  close();
  open();
  ASSERT_TRUE(
      store_->write(std::move(store::WriteBatch().put_meta("hub.snapshot", "{\"version\":1}")))
          .ok());
  auto started = start_engagement();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(started.error().message.find("the hub's snapshot (store meta 'hub.snapshot') cannot be "
                                         "restored: hub snapshot: now: missing"),
            std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace baton::engagement
