// Transfers, agent removal, replay determinism, recover after a restart, and the views.

#include "hub/hub.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <typeinfo>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

std::vector<Step> billing_pair(std::vector<Step> rest) {
  std::vector<Step> steps = {
      {sec(0), reg("a", {"billing"}), {}},
      {sec(0), avail("a"), {"presence a available (requested)"}},
      {sec(1), reg("b", {"billing"}), {}},
      {sec(0), avail("b"), {"presence b available (requested)"}},
      {sec(0),
       submit("c1"),
       {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1", "presence a busy (capacity)"}},
      {sec(1), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
  };
  steps.insert(steps.end(), rest.begin(), rest.end());
  return steps;
}

std::vector<Scenario> scenarios() {
  return {
      {"TransferToQueue",
       billing_pair({
           {sec(5),
            transfer_queue("c1", "a", "billing", "needs a refund"),
            {"transferred c1 from a to queue billing", "presence a available (capacity)",
             "queued c1 in billing at 1 wait 0ms", "offer c1 -> b #2",
             "presence b busy (capacity)"}},
           {sec(1), accept("c1", "b", 2), {"assigned c1 -> b in billing"}},
       })},
      {"TransferToAgentDeclinedThenAccepted",
       billing_pair({
           {sec(0),
            transfer_agent("c1", "a", "b"),
            {"offer c1 -> b #2 (transfer)", "presence b busy (capacity)"}},
           {sec(0), transfer_agent("c1", "a", "b"), {}, ErrorCode::kConflict},  // one at a time
           {sec(3),
            decline("c1", "b", 2),
            {"presence b available (capacity)", "transfer_failed c1 stays with a (declined)"}},
           {sec(0),
            transfer_agent("c1", "a", "b"),
            {"offer c1 -> b #3 (transfer)", "presence b busy (capacity)"}},
           {sec(3),
            accept("c1", "b", 3),
            {"transferred c1 from a to agent b", "assigned c1 -> b in general",
             "presence a available (capacity)"}},
           {sec(0), end("c1", "a"), {}, ErrorCode::kConflict},  // a no longer owns it
           {sec(0), end("c1", "b"), {}},
       })},
      {"TransferToAgentExpires",
       billing_pair({
           {sec(0),
            transfer_agent("c1", "a", "b"),
            {"offer c1 -> b #2 (transfer)", "presence b busy (capacity)"}},
           {sec(30),
            tick(),
            {"expired c1 -> b #2", "presence b available (capacity)",
             "transfer_failed c1 stays with a (expired)"}},
       })},
      {"TransferFailuresAndErrors",
       billing_pair({
           {sec(0), transfer_queue("c1", "b", "billing", ""), {}, ErrorCode::kConflict},
           {sec(0), transfer_queue("c1", "a", "nope", ""), {}, ErrorCode::kNotFound},
           {sec(0), transfer_agent("c1", "a", "zed"), {}, ErrorCode::kNotFound},
           {sec(0), transfer_agent("c1", "a", "a"), {}, ErrorCode::kInvalidArgument},
           {sec(0),
            Event{TransferRequested{"c1", "a", "billing", "b", ""}},
            {},
            ErrorCode::kInvalidArgument},
           {sec(0),
            transfer_queue("c1", "a", "german", ""),
            {"transfer_failed c1 stays with a (no_agent_online)"}},
           {sec(0), presence("b", Presence::kBusy), {"presence b busy (requested)"}},
           {sec(0),
            transfer_agent("c1", "a", "b"),
            {"transfer_failed c1 stays with a (agent_unavailable)"}},
       })},
      {"EndingRescindsPendingTransferAndWrapUpHolds",
       billing_pair({
           {sec(0),
            transfer_agent("c1", "a", "b"),
            {"offer c1 -> b #2 (transfer)", "presence b busy (capacity)"}},
           {sec(0),
            end("c1", "a"),
            {"rescind c1 -> b #2 (cancelled)", "presence b available (capacity)"}},
           {sec(0), transfer_agent("c1", "a", "b"), {}, ErrorCode::kConflict},  // in wrap-up
           {sec(0), wrapped("c1", "b"), {}, ErrorCode::kConflict},
           {sec(20), wrapped("c1", "a"), {"wrap_up_ended c1 a", "presence a available (capacity)"}},
       })},
      {"RemovedAgentsWorkIsRequeued",
       {
           {sec(0), reg("a", {}, 2), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), submit("c1"), {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0),
            submit("c2"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #2",
             "presence a busy (capacity)"}},
           {sec(0), accept("c2", "a", 2), {"assigned c2 -> a in general"}},
           {sec(0), end("c2", "a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            Event{AgentRemoved{"a"}},
            {"requeued c1 from a", "queued c1 in general at 1 wait 0ms", "offer c1 -> b #3",
             "presence b busy (capacity)", "wrap_up_ended c2 a (forced)"}},
           {sec(0), Event{AgentRemoved{"a"}}, {}, ErrorCode::kNotFound},
       }},
  };
}

class TransferRules : public ::testing::TestWithParam<Scenario> {};

TEST_P(TransferRules, Decisions) { run(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hub, TransferRules, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

// ---------------------------------------------------------------------------------------------
// Replay and recover.

std::string describe_event(const Event& event) {
  return std::visit([](const auto& e) { return std::string(typeid(e).name()); }, event);
}

TEST(HubReplay, InvariantsHoldThroughoutARandomStream) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  for (const auto& [gap, event] : random_stream(2000)) {
    clock.advance(gap);
    auto result = hub.handle(event);
    if (result.ok()) {
      for (const auto& d : *result) {
        if (const auto* offer = std::get_if<Offered>(&d); offer && offer->offer_id % 2 == 0) {
          (void)hub.handle(accept(offer->conversation, offer->agent, offer->offer_id));
        }
      }
    }
    check_invariants(hub, clock.now());
    if (::testing::Test::HasFailure()) {
      FAIL() << "after " << describe_event(event);
    }
  }
}

TEST(HubReplay, SameInputsGiveSameDecisionsAndState) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0());
  Hub first(config, clock);
  RunLog run1 = drive(first, clock, random_stream(3000));
  ASSERT_GT(run1.all_decisions.size(), 1000u);  // the stream did exercise the hub

  Hub second(config, clock);
  std::vector<std::string> replayed = replay(config, run1.log, &second);
  EXPECT_EQ(replayed, run1.all_decisions);
  auto views = [&clock](const Hub& hub) {
    std::vector<std::string> out;
    for (const auto& c : hub.conversations(clock.now())) {
      out.push_back(c.id + " " + to_string(c.state) + " " + c.queue + " " + c.agent + " " +
                    c.offered_to + " " + std::to_string(c.position) + " " +
                    std::to_string(c.waited.count()));
    }
    for (const auto& a : hub.agents(clock.now())) {
      out.push_back(a.id + " " + to_string(a.presence) + " " + std::to_string(a.load));
    }
    return out;
  };
  EXPECT_EQ(views(first), views(second));
}

TEST(HubRecover, PendingOffersAreReissuedAfterReplay) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0());
  Hub before(config, clock);
  std::vector<Input> log;
  auto apply = [&](Event e) {
    log.push_back(before.stamp(std::move(e)));
    return before.apply(log.back());
  };
  ASSERT_TRUE(apply(reg("a")).ok());
  ASSERT_TRUE(apply(avail("a")).ok());
  ASSERT_TRUE(apply(submit("c1")).ok());  // offered to a until t0 + 30 s
  clock.advance(sec(1));
  ASSERT_TRUE(apply(submit("c2")).ok());  // waits
  clock.advance(sec(1));
  ASSERT_TRUE(apply(submit("c3")).ok());  // waits behind c2

  // Crash; restart five minutes later.
  clock.advance(mins(5));
  Hub after(config, clock);
  replay(config, log, &after);
  EXPECT_EQ(briefs(after.pending_offers()), std::vector<std::string>{"offer c1 -> a #1"});
  auto recovered = after.handle(Recover{});
  ASSERT_TRUE(recovered.ok());
  ASSERT_EQ(briefs(*recovered), std::vector<std::string>{"offer c1 -> a #1"});
  EXPECT_EQ(std::get<Offered>(recovered->front()).expires_at, clock.now() + sec(30));
  EXPECT_EQ(after.agent("a", clock.now())->missed_offers, 0);  // downtime is not a miss
  // Queue order survived.
  EXPECT_EQ(after.conversation("c2", clock.now())->position, 2);
  EXPECT_EQ(after.conversation("c3", clock.now())->position, 3);
  // The re-issued offer works with its original id.
  auto accepted = after.handle(accept("c1", "a", 1));
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(briefs(*accepted), std::vector<std::string>{"assigned c1 -> a in general"});
}

TEST(HubRecover, SilenceTimersRestartButMaxWaitKeepsCounting) {
  auto config = config_from(R"(
hub:
  queues:
    - name: main
      abandon_after: 2m
      max_wait: 10m
)");
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(presence("a", Presence::kBusy)).ok());
  ASSERT_TRUE(hub.handle(submit("c1")).ok());
  clock.advance(mins(3));  // the server was down: c1 never had a chance to write
  auto recovered = hub.handle(Recover{});
  ASSERT_TRUE(recovered.ok());
  EXPECT_TRUE(recovered->empty()) << describe(recovered->front());
  clock.advance(mins(1));  // 4 min since the handoff, 1 since the restart: not abandoned
  auto quiet = hub.handle(Tick{});
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->empty());
  for (int i = 0; i < 6; ++i) {  // the customer keeps writing; the wait reaches 10 min
    ASSERT_TRUE(hub.handle(CustomerActivity{"c1"}).ok());
    clock.advance(mins(1));
  }
  auto tick_result = hub.handle(Tick{});
  ASSERT_TRUE(tick_result.ok());
  EXPECT_EQ(briefs(*tick_result), std::vector<std::string>{"timed_out c1 in main"});
}

// ---------------------------------------------------------------------------------------------
// Views.

TEST(HubViews, QueuesAgentsConversations) {
  ManualClock clock(t0());
  Hub hub(config_from(kBaseYaml), clock);
  ASSERT_TRUE(hub.handle(AgentRegistered{Agent{"a", "Alice", Role::kSupervisor, {}, 2}}).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(submit("c1", {{"va_LastTopic", "Returns"}})).ok());  // offered to a
  ASSERT_TRUE(hub.handle(accept("c1", "a", 1)).ok());
  clock.advance(sec(10));
  ASSERT_TRUE(hub.handle(submit("c2")).ok());  // offered to a (second slot)
  clock.advance(sec(10));
  ASSERT_TRUE(hub.handle(submit("c3")).ok());  // waits
  clock.advance(sec(10));

  auto queues = hub.queues(clock.now());
  ASSERT_EQ(queues.size(), 5u);
  const QueueView& general = queues[4];
  EXPECT_EQ(general.name, "general");
  EXPECT_EQ(general.waiting, 2);
  EXPECT_EQ(general.offered, 1);
  EXPECT_EQ(general.longest_wait, sec(20));
  EXPECT_EQ(general.agents_online, 1);
  EXPECT_EQ(general.agents_available, 0);
  EXPECT_TRUE(general.open);
  EXPECT_EQ(queues[0].name, "billing");
  EXPECT_EQ(queues[0].agents_online, 0);  // a lacks the billing skill

  auto agents = hub.agents(clock.now());
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].display_name, "Alice");
  EXPECT_EQ(agents[0].role, Role::kSupervisor);
  EXPECT_EQ(agents[0].presence, Presence::kBusy);
  EXPECT_EQ(agents[0].chosen, Presence::kAvailable);
  EXPECT_EQ(agents[0].load, 2);
  EXPECT_EQ(agents[0].conversations, std::vector<std::string>{"c1"});
  EXPECT_EQ(agents[0].offers, std::vector<std::string>{"c2"});

  auto conversations = hub.conversations(clock.now());
  ASSERT_EQ(conversations.size(), 3u);
  EXPECT_EQ(conversations[0].state, ConversationState::kAssigned);
  EXPECT_EQ(conversations[0].agent, "a");
  EXPECT_EQ(conversations[0].waited, Millis{0});
  EXPECT_EQ(conversations[0].context.at("va_LastTopic").as_string(), "Returns");
  EXPECT_EQ(conversations[1].state, ConversationState::kOffered);
  EXPECT_EQ(conversations[1].offered_to, "a");
  EXPECT_EQ(conversations[1].position, 1);
  EXPECT_EQ(conversations[2].state, ConversationState::kWaiting);
  EXPECT_EQ(conversations[2].position, 2);
  EXPECT_EQ(conversations[2].waited, sec(10));
  EXPECT_FALSE(hub.conversation("nope", clock.now()).has_value());
}

TEST(HubInputs, InvalidInputsChangeNothing) {
  ManualClock clock(t0());
  Hub hub(config_from(kBaseYaml), clock);
  EXPECT_EQ(hub.handle(submit("")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(hub.handle(reg("")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(hub.handle(reg("a", {}, 0)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(hub.handle(avail("ghost")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(hub.handle(CustomerActivity{"ghost"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(hub.handle(wrapped("ghost", "a")).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(hub.agents(clock.now()).empty());
  EXPECT_TRUE(hub.conversations(clock.now()).empty());
}

TEST(HubInputs, TimeNeverGoesBackwards) {
  ManualClock clock(t0());
  Hub hub(config_from(kBaseYaml), clock);
  ASSERT_TRUE(hub.apply(Input{t0() + sec(10), Tick{}}).ok());
  ASSERT_TRUE(hub.apply(Input{t0(), Tick{}}).ok());
  EXPECT_EQ(hub.now(), t0() + sec(10));
  ASSERT_FALSE(hub.apply(Input{t0() + sec(20), CustomerActivity{"ghost"}}).ok());
  EXPECT_EQ(hub.now(), t0() + sec(10));  // refused inputs do not move time either
}

TEST(HubInputs, ConfigAgentsAreRegisteredOffline) {
  ManualClock clock(t0());
  Hub hub(config_from(R"(
hub:
  queues:
    - name: main
  agents:
    - id: alice
      name: Alice A.
      skills: [Billing]
      capacity: 3
)"),
          clock);
  auto alice = hub.agent("alice", clock.now());
  ASSERT_TRUE(alice.has_value());
  EXPECT_EQ(alice->presence, Presence::kOffline);
  EXPECT_EQ(alice->capacity, 3);
  EXPECT_EQ(alice->display_name, "Alice A.");
}

}  // namespace
}  // namespace baton::hub::testing
