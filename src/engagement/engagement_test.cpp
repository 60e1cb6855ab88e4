// Engagement end to end in process: the real Contoso example bot, the real SQLite store, the real
// hub, a ManualClock, recording agent consoles and a recording customer subscriber.
#include "engagement/engagement.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <map>

#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

TEST_F(EngagementFlow, HandoffToAgentAndBackToTheBotWithTheSurveyStored) {
  auto sink = alice_online();
  EXPECT_FALSE(sink->of<Hello>().empty()) << "the first push is hello";
  auto offer = escalate_and_offer("c1", *sink);
  ASSERT_TRUE(offer.has_value());
  EXPECT_TRUE(said("c1", "You're number 1 in the queue."));
  EXPECT_EQ(offer->queue, "general");
  EXPECT_EQ(offer->reason, "requested");
  EXPECT_FALSE(offer->transfer);
  EXPECT_FALSE(offer->agent_message.empty());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kOffered);

  ASSERT_TRUE(accept(alice_actor(), "c1", offer->offer_id).ok());
  ASSERT_TRUE(eventually([&] { return said("c1", "Alice Martin joined the chat."); }));
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kAgent);
  ASSERT_EQ(sink->of<Assigned>().size(), 1u);
  ASSERT_TRUE(sink->of<Assigned>()[0].view.has_value());
  EXPECT_EQ(sink->of<Assigned>()[0].view->state, hub::ConversationState::kAssigned);
  const auto stored = log("c1");
  EXPECT_TRUE(std::any_of(stored.begin(), stored.end(), [](const auto& a) {
    return a.name == "handoff.status" && a.value.at("state") == "accepted";
  }));

  // Agent → customer, through a customer subscriber (what Direct Line streams).
  auto customer_view = std::make_shared<RecordingSubscriber>();
  ASSERT_TRUE(await<SubscriptionId>([&](auto cb) {
                engine_->subscribe("c1", status("c1")->watermark, "ws", customer_view, cb);
              }).ok());
  auto sent = agent_says(alice_actor(), "c1", "Hi, I'm Alice. How can I help?");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(eventually([&] { return !customer_view->json().empty(); }));
  auto delivered = activity::parse(customer_view->json().back());
  EXPECT_EQ(delivered->text, "Hi, I'm Alice. How can I help?");
  EXPECT_EQ(delivered->from.id, "agent:alice");
  EXPECT_EQ(delivered->from.name, "Alice Martin");

  // Customer → agent console.
  ASSERT_TRUE(say("c1", "My order never arrived").ok());
  ASSERT_TRUE(eventually([&] {
    for (auto& m : sink->of<ActivityAdded>()) {
      auto a = activity::parse(*m.json);
      if (a.ok() && a->from.role == "user" && a->text == "My order never arrived") {
        return m.conversation == "c1" && m.seq > m.handoff_seq && m.handoff_seq > 0;
      }
    }
    return false;
  }));
  EXPECT_FALSE(said("c1", "Sorry, I didn't get that. Could you say it another way?"))
      << "the bot stays quiet while an agent owns the conversation";

  // Return to the bot: the survey runs and its answers land in the handoff's outcome.
  ASSERT_TRUE(end(alice_actor(), "c1", EndMode::kReturnToBot).ok());
  EXPECT_EQ(sink->of<WrapUpStarted>().size(), 1u);
  ASSERT_TRUE(eventually([&] { return said("c1", "Did that answer your question?"); }));
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  ASSERT_TRUE(say("c1", "yes").ok());
  ASSERT_TRUE(say("c1", "5").ok());
  EXPECT_TRUE(said("c1", "Thanks for your feedback. Have a great day!"));
  auto handoffs = store_->handoffs_for_conversation("c1");
  ASSERT_EQ(handoffs->size(), 1u);
  EXPECT_EQ((*handoffs)[0].status, "completed");
  auto outcome = json::parse((*handoffs)[0].outcome_json);
  ASSERT_TRUE(outcome.ok()) << (*handoffs)[0].outcome_json;
  EXPECT_EQ(outcome->at("outcome"), "completed");
  EXPECT_EQ(outcome->at("agent"), "alice");
  EXPECT_TRUE(outcome->as_object().contains("endedAt"));
  EXPECT_EQ(outcome->at("survey").at("resolved"), true);
  EXPECT_EQ(outcome->at("survey").at("rating"), 5);

  ASSERT_TRUE(
      await<bool>([&](auto cb) { engagement_->wrap_up_done(alice_actor(), "c1", cb); }).ok());
  settle();
  ASSERT_EQ(sink->of<Unassigned>().size(), 1u);
  EXPECT_EQ(sink->of<Unassigned>()[0].cause, UnassignCause::kEnded);
  EXPECT_FALSE(view("c1").has_value());
}

TEST_F(EngagementFlow, DeclineOffersToTheSecondAgent) {
  auto alice = alice_online();
  auto bob = attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return alice->of<Offer>().size() + bob->of<Offer>().size() == 1; }));
  auto& first = alice->of<Offer>().empty() ? bob : alice;
  auto& second = &first == &alice ? bob : alice;
  const Actor first_actor = &first == &alice ? alice_actor() : bob_actor();
  auto offer = first->of<Offer>()[0];
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->decline(first_actor, "c1", offer.offer_id, cb);
              }).ok());
  ASSERT_TRUE(eventually([&] { return second->of<Offer>().size() == 1; }));
  EXPECT_EQ(first->of<OfferWithdrawn>().size(), 0u) << "a declined offer is simply gone";
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kOffered);
  auto late = accept(first_actor, "c1", offer.offer_id);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
}

TEST_F(EngagementFlow, OfferTimeoutReoffersAndMissedOffersSetTheAgentAway) {
  auto alice = alice_online();
  auto offer = escalate_and_offer("c0", *alice);
  ASSERT_TRUE(offer.has_value());
  for (std::size_t missed = 1; missed <= 2; ++missed) {
    clock_.advance(std::chrono::seconds(31));
    ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
    settle();
    ASSERT_TRUE(eventually([&] { return alice->of<OfferWithdrawn>().size() == missed; }));
    EXPECT_EQ(alice->of<OfferWithdrawn>().back().cause, WithdrawCause::kExpired);
    if (missed == 1) {
      // Nobody else is online: offered to alice again, with a new offer id.
      ASSERT_TRUE(eventually([&] { return alice->of<Offer>().size() == 2; }));
      EXPECT_NE(alice->of<Offer>()[1].offer_id, offer->offer_id);
    }
  }
  // Two missed offers in a row: away; the conversation waits again ("queued").
  auto presence_pushes = alice->of<PresenceNow>();
  ASSERT_FALSE(presence_pushes.empty());
  EXPECT_EQ(presence_pushes.back().presence, hub::Presence::kAway);
  EXPECT_EQ(presence_pushes.back().cause, hub::PresenceCause::kMissedOffers);
  ASSERT_TRUE(eventually([&] { return status("c0")->ownership.owner == Owner::kQueued; }));

  // Bob comes online: he gets it.
  auto bob = attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());
  ASSERT_TRUE(eventually([&] { return !bob->of<Offer>().empty(); }));
  EXPECT_EQ(bob->of<Offer>()[0].conversation, "c0");
  EXPECT_EQ(status("c0")->ownership.owner, Owner::kOffered);
}

TEST_F(EngagementFlow, NoAgentOnlineTakesTheUnavailablePath) {
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] {
    return said("c1",
                "Sorry, nobody can take your chat right now. Please try again later or email "
                "help@contoso.example.");
  }));
  // The bot knew nobody was online: its agents-offline text, never the agents-online one.
  EXPECT_TRUE(
      said("c1", "There are no agents available at this time. Our team is online 8am to 8pm."));
  EXPECT_FALSE(said("c1", "Let's send you to an available agent."));
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "unavailable");
  const auto stored = log("c1");
  EXPECT_TRUE(std::any_of(stored.begin(), stored.end(), [](const auto& a) {
    return a.name == "handoff.status" && a.value.at("state") == "failed" &&
           a.value.at("message") == "unavailable";
  }));
}

TEST_F(EngagementFlow, AgentsOnlineFlagFollowsPresence) {
  // Online (busy counts): the handoff waits in the queue with the agents-online text.
  attach(alice_actor());
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kBusy).ok());
  settle();
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return view("c1").has_value(); }));
  EXPECT_TRUE(said("c1", "Let's send you to an available agent."));
  ASSERT_TRUE(say("c1", "cancel").ok());
  // Away is not online: the next handoff takes the offline path at once.
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAway).ok());
  settle();
  customer("c2");
  ASSERT_TRUE(say("c2", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] {
    return said("c2", "There are no agents available at this time. Our team is online 8am to 8pm.");
  }));
  EXPECT_FALSE(said("c2", "Let's send you to an available agent."));
  EXPECT_EQ(status("c2")->ownership.owner, Owner::kBot);
  // Available again: online.
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  settle();
  customer("c3");
  ASSERT_TRUE(say("c3", "talk to an agent").ok());
  EXPECT_TRUE(eventually([&] { return said("c3", "Let's send you to an available agent."); }));
}

TEST_F(EngagementFlow, CancelWhileWaitingLeavesTheQueue) {
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c1"));
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
  ASSERT_TRUE(say("c1", "cancel").ok());
  EXPECT_TRUE(said("c1", "OK, I'm here if you need me."));
  ASSERT_TRUE(eventually([&] { return !view("c1").has_value(); }));
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "cancelled");
}

// Silence past abandon_after while waiting: the hub drops the request, the handoff is stored as
// abandoned (silent) and the flow resumes the cancelled way.
TEST_F(EngagementFlow, SilentCustomerIsAbandoned) {
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c1"));
  clock_.advance(std::chrono::minutes(9));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  EXPECT_TRUE(view("c1").has_value()) << "not yet abandoned after 9 minutes";
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  ASSERT_TRUE(eventually([&] { return !view("c1").has_value(); }));
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
  const auto h = (*store_->handoffs_for_conversation("c1"))[0];
  EXPECT_EQ(h.status, "abandoned");
  const auto outcome = json::parse(h.outcome_json);
  EXPECT_EQ(outcome->at("abandoned"), "silent");
  EXPECT_EQ(outcome->at("outcome"), "cancelled");
}

// A customer who closes the chat while waiting: abandoned (left), and the conversation is closed.
TEST_F(EngagementFlow, CustomerWhoLeavesIsAbandoned) {
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c1"));
  ASSERT_TRUE(post("c1", activity::make_end_of_conversation()).ok());
  ASSERT_TRUE(eventually([&] { return !view("c1").has_value(); }));
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kClosed; }));
  const auto h = (*store_->handoffs_for_conversation("c1"))[0];
  EXPECT_EQ(h.status, "abandoned");
  EXPECT_EQ(json::parse(h.outcome_json)->at("abandoned"), "left");
}

// The hub hears of a handoff while the escalating turn is built; when that turn is not stored the
// hub lets the conversation go again, and the customer can ask again.
TEST_F(EngagementFlow, AHandoffWhoseTurnWasNotStoredLeavesTheHub) {
  attach(alice_actor());
  ASSERT_TRUE(
      presence(alice_actor(), hub::Presence::kBusy).ok());  // online, no offers: c1 would wait
  customer("c1");
  faulty_->fail_writes = true;
  EXPECT_FALSE(say("c1", "talk to an agent").ok());
  faulty_->fail_writes = false;
  // The hub applied the handoff its log never got: the next tick rebuilds it from the log.
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  EXPECT_FALSE(view("c1").has_value()) << "no conversation waits that the bot still owns";
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_TRUE(store_->handoffs_for_conversation("c1")->empty());

  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return view("c1").has_value(); }));
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kQueued);
}

// The customer's cancel and an agent's accept cross. The hub's assignment is durable first, so
// the engagement sends "accepted" naming the epoch it heard (offered); the customer's turn commits
// first in the engine, so that command is refused. The engagement re-reads the engine instead of
// guessing: the bot has the conversation, the hub lets it go, alice is told and keeps her slot,
// her accept is answered with a conflict, and the customer is not told that she joined.
TEST_F(EngagementFlow, AnAcceptThatCrossesTheCustomersCancelIsRefusedAndReRead) {
  auto sink = alice_online();
  auto offer = escalate_and_offer("c1", *sink);
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kOffered; }));

  faulty_->hold_writes(true);
  std::promise<Result<PostResult>> cancelled;
  engine_->post_activity("c1", activity::make_message("cancel"),
                         [&](Result<PostResult> r) { cancelled.set_value(std::move(r)); });
  ASSERT_TRUE(eventually([&] { return faulty_->held() == 1; })) << "the customer's turn waits";
  std::promise<Result<bool>> accepted;
  engagement_->accept(alice_actor(), "c1", offer->offer_id,
                      [&](Result<bool> r) { accepted.set_value(std::move(r)); });
  ASSERT_TRUE(eventually([&] { return faulty_->held() == 2; })) << "the hub's log write waits";
  ASSERT_TRUE(faulty_->release(1).ok());  // the hub's assignment commits; "accepted" is sent
  settle();
  faulty_->hold_writes(false);
  ASSERT_TRUE(faulty_->release(0).ok());  // then the customer's cancel
  ASSERT_TRUE(cancelled.get_future().get().ok());
  settle();

  auto answer = accepted.get_future().get();
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kConflict);
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kBot);
  EXPECT_FALSE(view("c1").has_value()) << "the hub let it go";
  ASSERT_FALSE(sink->of<Unassigned>().empty());
  EXPECT_EQ(sink->of<Unassigned>().back().cause, UnassignCause::kAbandoned);
  EXPECT_FALSE(said("c1", "Alice Martin joined the chat."));
  EXPECT_TRUE(said("c1", "OK, I'm here if you need me."));
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].status, "cancelled");

  // Nothing is left stuck: the same customer asks again and alice (her slot free) gets it.
  auto again = escalate_and_offer("c1", *sink);
  ASSERT_TRUE(again.has_value());
  ASSERT_TRUE(accept(alice_actor(), "c1", again->offer_id).ok());
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kAgent);
  EXPECT_TRUE(said("c1", "Alice Martin joined the chat."));
  EXPECT_TRUE(agent_says(alice_actor(), "c1", "Hello again").ok());
}

// A hub log write that fails (a full disk) leaves the hub's memory ahead of its log. The
// engagement refuses consoles' calls until it has rebuilt the hub from what is durable, then
// serves again: the presence change that was never logged is gone, the rest is as it was.
TEST_F(EngagementFlow, AFailedHubLogWriteRebuildsTheHubFromItsLog) {
  auto sink = alice_online();
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c9"));  // alice busy now, c9 waiting
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  ASSERT_TRUE(eventually(
      [&] { return view("c9") && view("c9")->state == hub::ConversationState::kOffered; }));
  faulty_->fail_writes = true;
  EXPECT_FALSE(presence(alice_actor(), hub::Presence::kAway).ok());
  const auto refused = presence(bob_actor(), hub::Presence::kAvailable);
  ASSERT_FALSE(refused.ok()) << "no input while the hub is ahead of its log";
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());  // cannot log: waits
  faulty_->fail_writes = false;
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());  // rebuilds
  settle();

  auto agents =
      await<std::vector<hub::AgentView>>([&](auto cb) { engagement_->agents(boss_actor(), cb); });
  ASSERT_TRUE(agents.ok()) << agents.error().message;
  for (const auto& a : *agents) {
    if (a.id == "alice") {
      EXPECT_EQ(a.chosen, hub::Presence::kAvailable) << "the away that was never logged is gone";
    }
  }
  ASSERT_TRUE(view("c9").has_value()) << "the waiting customer is still there";
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok()) << "serving again";
  auto offer = sink->of<Offer>();
  ASSERT_FALSE(offer.empty());
  ASSERT_TRUE(accept(alice_actor(), "c9", offer.back().offer_id).ok());
  EXPECT_EQ(status("c9")->ownership.owner, Owner::kAgent);
}

TEST_F(EngagementFlow, AnAgentAddedAMomentAgoCanAttachAtOnce) {
  // `baton agent add` then an immediate login: no waiting for the periodic agent refresh.
  add_agent("erin", "Erin Vale", "agent");
  const Actor erin{"erin", hub::Role::kAgent};
  auto sink = attach(erin);
  ASSERT_FALSE(sink->of<Hello>().empty());
  EXPECT_TRUE(presence(erin, hub::Presence::kAvailable).ok());
  const Actor ghost{"ghost", hub::Role::kAgent};
  auto missing = await<std::uint64_t>(
      [&](auto cb) { engagement_->attach(ghost, std::make_shared<RecordingSink>(), cb); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(EngagementFlow, PositionUpdatesReachTheWaitingCustomer) {
  // An agent added while the server runs, with room for one conversation.
  add_agent("dana", "Dana Lee", "agent", {}, 1);
  clock_.advance(std::chrono::seconds(3));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  const Actor dana_actor{"dana", hub::Role::kAgent};
  auto dana = attach(dana_actor);
  ASSERT_TRUE(presence(dana_actor, hub::Presence::kBusy).ok());
  customer("c1");
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  customer("c2");
  ASSERT_TRUE(say("c2", "talk to an agent").ok());
  ASSERT_TRUE(eventually([&] { return said("c2", "You're number 2 in the queue."); }));
  clock_.advance(std::chrono::seconds(6));  // past the queue's 5-s position interval only
  ASSERT_TRUE(presence(dana_actor, hub::Presence::kAvailable).ok());
  ASSERT_TRUE(eventually([&] { return !dana->of<Offer>().empty(); }));
  auto offer = dana->of<Offer>()[0];
  EXPECT_EQ(offer.conversation, "c1") << "the longest wait first";
  ASSERT_TRUE(accept(dana_actor, "c1", offer.offer_id).ok());
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());  // positions: on ticks
  ASSERT_TRUE(eventually([&] { return said("c2", "You're now number 1."); }))
      << ::testing::PrintToString(texts("c2"));
}

TEST_F(EngagementFlow, TransferToAQueueAndToAnAgent) {
  auto alice = assigned_to_alice("c1");
  auto bob = attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kAvailable).ok());

  // To an agent: bob is offered it as a transfer; alice keeps it until he accepts.
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->transfer(alice_actor(), "c1", "", "bob", "VIP, be nice", cb);
              }).ok());
  ASSERT_TRUE(eventually([&] { return !bob->of<Offer>().empty(); }));
  auto offer = bob->of<Offer>()[0];
  EXPECT_TRUE(offer.transfer);
  EXPECT_EQ(offer.note, "VIP, be nice");
  ASSERT_TRUE(accept(bob_actor(), "c1", offer.offer_id).ok());
  ASSERT_TRUE(eventually([&] { return said("c1", "Bob Stone joined the chat."); }));
  ASSERT_EQ(alice->of<Unassigned>().size(), 1u);
  EXPECT_EQ(alice->of<Unassigned>()[0].cause, UnassignCause::kTransferred);
  auto stale = agent_says(alice_actor(), "c1", "still here?");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict) << "a stale owner is refused";
  ASSERT_TRUE(agent_says(bob_actor(), "c1", "Bob here").ok());

  // To a queue: billing needs the billing skill: alice (available) gets the offer.
  ASSERT_TRUE(await<bool>([&](auto cb) {
                engagement_->transfer(bob_actor(), "c1", "billing", "", "refund pending", cb);
              }).ok());
  settle();
  ASSERT_TRUE(eventually([&] {
    auto offers = alice->of<Offer>();
    return !offers.empty() && offers.back().queue == "billing";
  }));
  EXPECT_EQ(alice->of<Offer>().back().note, "refund pending")
      << "the queue transfer's note reaches the next agent's offer";
  EXPECT_FALSE(alice->of<Offer>().back().transfer);
  EXPECT_TRUE(said("c1", "Please wait while I transfer you."));
  EXPECT_EQ(status("c1")->ownership.owner, Owner::kOffered);
  EXPECT_EQ(bob->of<Unassigned>().back().cause, UnassignCause::kTransferred);
}

TEST_F(EngagementFlow, MeListsTransferTargets) {
  alice_online();
  auto me = await<Hello>([&](auto cb) { engagement_->me(alice_actor(), cb); });
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->queues, (std::vector<std::string>{"billing", "general"}));
  ASSERT_EQ(me->agents.size(), 2u) << "every agent but alice";
  std::map<std::string, hub::Presence> presence_of;
  for (const auto& a : me->agents) {
    EXPECT_NE(a.id, "alice");
    presence_of[a.id] = a.presence;
  }
  EXPECT_EQ(presence_of["bob"], hub::Presence::kOffline);
  EXPECT_EQ(presence_of["boss"], hub::Presence::kOffline);
  EXPECT_EQ(me->agents[0].display_name, "Bob Stone");
}

TEST_F(EngagementFlow, CloseEndsTheConversationForTheCustomer) {
  assigned_to_alice("c1");
  ASSERT_TRUE(end(alice_actor(), "c1", EndMode::kClose).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kClosed; }));
  EXPECT_TRUE(said("c1", "This chat has been closed. Thank you!"));
  EXPECT_EQ(log("c1").back().type, "endOfConversation");
  auto late = say("c1", "hello?");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
}

TEST_F(EngagementFlow, ForceCloseIsForSupervisors) {
  ASSERT_NO_FATAL_FAILURE(wait_in_queue("c1"));
  auto refused = await<bool>([&](auto cb) { engagement_->force_close(alice_actor(), "c1", cb); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->force_close(boss_actor(), "c1", cb); }).ok());
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kClosed; }));
  EXPECT_FALSE(view("c1").has_value());
  EXPECT_FALSE(said("c1", "OK, I'm here if you need me.")) << "closed, not resumed";

  // An assigned conversation: the agent is told and gets its slot back.
  auto alice = assigned_to_alice("c2");
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->force_close(boss_actor(), "c2", cb); }).ok());
  settle();
  ASSERT_EQ(alice->of<Unassigned>().size(), 1u);
  EXPECT_EQ(alice->of<Unassigned>()[0].cause, UnassignCause::kClosed);
  EXPECT_EQ(status("c2")->ownership.owner, Owner::kClosed);
}

TEST_F(EngagementFlow, PermissionsAndViews) {
  assigned_to_alice("c1");
  customer("c2");  // never handed off
  const struct {
    Actor actor;
    std::string conversation;
    std::optional<ErrorCode> send_error;
  } cases[] = {
      {alice_actor(), "c1", std::nullopt},
      {bob_actor(), "c1", ErrorCode::kForbidden},
      {bob_actor(), "nope", ErrorCode::kNotFound},
      {boss_actor(), "c1", ErrorCode::kConflict},  // may read, but it is alice's to answer
      {alice_actor(), "c2", ErrorCode::kForbidden},
  };
  for (const auto& c : cases) {
    auto r = agent_says(c.actor, c.conversation, "hi");
    if (c.send_error) {
      ASSERT_FALSE(r.ok()) << c.actor.agent_id << " " << c.conversation;
      EXPECT_EQ(r.error().code, *c.send_error) << c.actor.agent_id << " " << c.conversation;
    } else {
      EXPECT_TRUE(r.ok()) << r.error().message;
    }
  }
  auto read = [&](const Actor& a, const std::string& id) {
    return await<ConversationAccess>([&](auto cb) { engagement_->access(a, id, cb); });
  };
  EXPECT_TRUE(read(alice_actor(), "c1").ok());
  EXPECT_EQ(read(bob_actor(), "c1").error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(read(boss_actor(), "c2").ok()) << "supervisors read every conversation";
  EXPECT_FALSE(read(boss_actor(), "c2")->hub.has_value()) << "never handed off";
  EXPECT_EQ(read(bob_actor(), "nope").error().code, ErrorCode::kNotFound);

  auto mine = await<std::vector<hub::ConversationView>>(
      [&](auto cb) { engagement_->conversations(bob_actor(), cb); });
  EXPECT_TRUE(mine->empty());
  auto queues =
      await<std::vector<hub::QueueView>>([&](auto cb) { engagement_->queues(bob_actor(), cb); });
  EXPECT_EQ(queues.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(await<std::vector<hub::QueueView>>([&](auto cb) {
              engagement_->queues(boss_actor(), cb);
            })->size(),
            2u);

  auto detail = read(alice_actor(), "c1");
  ASSERT_TRUE(detail.ok()) << detail.error().message;
  ASSERT_TRUE(detail->hub.has_value());
  EXPECT_EQ(detail->hub->agent, "alice");
  EXPECT_FALSE(detail->handoff_id.empty());
  EXPECT_FALSE(detail->agent_message.empty());
  EXPECT_GT(detail->handoff_seq, 0u);
  EXPECT_TRUE(detail->context.contains("va_LastTopic"));

  auto me = await<Hello>([&](auto cb) { engagement_->me(alice_actor(), cb); });
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->agent.display_name, "Alice Martin");
  EXPECT_EQ(me->presence, hub::Presence::kAvailable);
  ASSERT_EQ(me->conversations.size(), 1u);
  EXPECT_EQ(me->conversations[0].id, "c1");
  EXPECT_EQ(await<Hello>([&](auto cb) {
              engagement_->me({"ghost", hub::Role::kAgent}, cb);
            })
                .error()
                .code,
            ErrorCode::kNotFound);

  auto note = await<PostResult>(
      [&](auto cb) { engagement_->note(alice_actor(), "c1", "customer sounds upset", cb); });
  ASSERT_TRUE(note.ok());
  const auto stored = log("c1");
  EXPECT_EQ(stored.back().name, "baton.note");
  EXPECT_EQ(stored.back().from.role, "agent");
}

TEST_F(EngagementFlow, RemovedAgentIsDisconnectedAndItsConversationRequeued) {
  auto alice = assigned_to_alice("c1");
  attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kBusy).ok());  // online: c1 may wait for him
  store::WriteBatch remove;
  remove.delete_agent("alice");
  ASSERT_TRUE(store_->write(std::move(remove)).ok());
  clock_.advance(std::chrono::seconds(3));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  EXPECT_EQ(alice->closed_reason(), "removed");
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kQueued; }));
  EXPECT_EQ(view("c1")->state, hub::ConversationState::kWaiting);
}

TEST_F(EngagementFlow, DisabledAgentLeavesTheHubUntilEnabled) {
  auto alice = assigned_to_alice("c1");
  attach(bob_actor());
  ASSERT_TRUE(presence(bob_actor(), hub::Presence::kBusy).ok());  // online: c1 may wait for him
  auto known = [&] {
    auto agents =
        await<std::vector<hub::AgentView>>([&](auto cb) { engagement_->agents(boss_actor(), cb); });
    return std::any_of(agents->begin(), agents->end(),
                       [](const hub::AgentView& a) { return a.id == "alice"; });
  };
  auto record = store_->get_agent("alice");
  ASSERT_TRUE(record.ok());
  record->disabled = true;
  ASSERT_TRUE(store_->write(std::move(store::WriteBatch().put_agent(*record))).ok());
  engagement_->refresh_agents();
  settle();
  EXPECT_EQ(alice->closed_reason(), "disabled");
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kQueued; }));
  EXPECT_FALSE(known());
  // The periodic re-read keeps a disabled agent out.
  clock_.advance(std::chrono::seconds(3));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  EXPECT_FALSE(known());
  record->disabled = false;
  ASSERT_TRUE(store_->write(std::move(store::WriteBatch().put_agent(*record))).ok());
  engagement_->refresh_agents();
  settle();
  EXPECT_TRUE(known());
}

TEST_F(EngagementFlow, DisconnectedAgentGoesOfflineAfterTheGrace) {
  auto sink = std::make_shared<RecordingSink>();
  auto attachment =
      await<std::uint64_t>([&](auto cb) { engagement_->attach(alice_actor(), sink, cb); });
  ASSERT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
  engagement_->detach("alice", *attachment);
  settle();
  clock_.advance(std::chrono::seconds(59));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  auto agents = [&] {
    return *await<std::vector<hub::AgentView>>(
        [&](auto cb) { engagement_->agents(boss_actor(), cb); });
  };
  auto alice_view = [&] {
    for (auto& a : agents()) {
      if (a.id == "alice") {
        return a;
      }
    }
    return hub::AgentView{};
  };
  EXPECT_EQ(alice_view().presence, hub::Presence::kAvailable);
  clock_.advance(std::chrono::seconds(2));
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->tick(cb); }).ok());
  settle();
  EXPECT_EQ(alice_view().presence, hub::Presence::kOffline);
}

TEST(EngagementConfig, ExamplesAndDefaultLoad) {
  for (const char* dir : {"examples/contoso", "examples/kundendienst"}) {
    auto loaded = load_engagement_config(std::filesystem::path(BATON_SOURCE_DIR) / dir);
    ASSERT_TRUE(loaded.ok()) << dir << ": " << loaded.error().message;
  }
  auto contoso =
      load_engagement_config(std::filesystem::path(BATON_SOURCE_DIR) / "examples/contoso");
  EXPECT_TRUE((*contoso)->find_queue("general").has_value());
  EXPECT_TRUE((*contoso)->find_queue("billing").has_value());
  EXPECT_EQ((*contoso)->queues[(*contoso)->default_queue].name, "general");

  TempDir empty;
  auto fallback = load_engagement_config(empty.path());
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ((*fallback)->queues.size(), 1u);

  TempDir bad;
  std::ofstream(bad.path() / "hub.yaml")
      << "hub:\n  queues:\n    - name: a\n      strategy: nope\n";
  auto broken = load_engagement_config(bad.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("hub.yaml:4:"), std::string::npos)
      << broken.error().message;
}

}  // namespace
}  // namespace baton::engagement
