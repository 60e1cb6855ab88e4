// Offers, presence and capacity, strategies and ordering, as scenario tables. Every scenario is
// also replayed into a fresh Hub and must give the very same decisions (run() in the util).

#include <gtest/gtest.h>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

const char* kLeastBusyYaml = R"(
hub:
  queues:
    - name: main
      strategy: least_busy
)";

const char* kRoundRobinYaml = R"(
hub:
  queues:
    - name: main
      strategy: round_robin
)";

Event submit_priority(std::string conv, int priority) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.priority = priority;
  return e;
}

Event submit_skills(std::string conv, std::vector<std::string> skills) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.skills = std::move(skills);
  return e;
}

std::vector<Scenario> scenarios() {
  return {
      {"OfferThenAccept",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(2), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), accept("c1", "a", 1), {}, ErrorCode::kConflict},  // not pending any more
       }},
      {"StaleOrForeignAnswersAreRefused",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), accept("c1", "b", 1), {}, ErrorCode::kConflict},
           {sec(0), accept("c1", "a", 7), {}, ErrorCode::kConflict},
           {sec(0), decline("c1", "a", 2), {}, ErrorCode::kConflict},
           {sec(0), accept("nope", "a", 1), {}, ErrorCode::kNotFound},
           {sec(0), accept("c1", "zed", 1), {}, ErrorCode::kNotFound},
           {sec(0), submit("c1"), {}, ErrorCode::kConflict},  // already in the hub
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
       }},
      {"NoAgentOnlineIsUnavailableAtOnce",
       {
           {sec(0), submit("c1"), {"unavailable c1 in general (no_agents)"}},
           {sec(0), reg("a"), {}},
           {sec(0), presence("a", Presence::kAway), {"presence a away (requested)"}},
           {sec(0), submit("c2"), {"unavailable c2 in general (no_agents)"}},
           // A busy agent is online: the customer waits (4 min = default_handle_time / 1 slot).
           {sec(0), presence("a", Presence::kBusy), {"presence a busy (requested)"}},
           {sec(0), submit("c3"), {"queued c3 in general at 1 wait 240000ms"}},
       }},
      {"DeclineGoesToNextAgentThenBackWhenNobodyElse",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(5),
            decline("c1", "a", 1),
            {"presence a available (capacity)", "offer c1 -> b #2", "presence b busy (capacity)"}},
           // Both declined and nobody else is online: a round starts again with the longest idle.
           {sec(5),
            decline("c1", "b", 2),
            {"presence b available (capacity)", "offer c1 -> a #3", "presence a busy (capacity)"}},
       }},
      {"DeclinerIsNotReofferedWhileAnotherOnlineAgentCanTakeIt",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            submit("c0"),
            {"queued c0 in general at 1 wait 0ms", "offer c0 -> b #1",
             "presence b busy (capacity)"}},
           {sec(1), accept("c0", "b", 1), {"assigned c0 -> b in general"}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #2",
             "presence a busy (capacity)"}},
           {sec(3), decline("c1", "a", 2), {"presence a available (capacity)"}},
           {sec(30), tick(), {}},  // b is online (busy): c1 waits for b, not for a again
           {sec(0), end("c0", "b"), {}},
           {sec(0),
            wrapped("c0", "b"),
            {"wrap_up_ended c0 b", "presence b available (capacity)", "offer c1 -> b #3",
             "presence b busy (capacity)"}},
       }},
      {"OfferTimeoutReoffersAndMissedOffersSetAway",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1), reg("b"), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(29), tick(), {}},  // not yet
           {sec(1),
            tick(),
            {"expired c1 -> a #1", "presence a available (capacity)", "offer c1 -> b #2",
             "presence b busy (capacity)"}},
           {sec(0), accept("c1", "b", 2), {"assigned c1 -> b in general"}},
           {sec(0),
            submit("c2"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #3",
             "presence a busy (capacity)"}},
           // Second miss in a row (missed_offers_before_away: 2) → away; c2 waits for b.
           {sec(30),
            tick(),
            {"expired c2 -> a #3", "presence a away (missed_offers)",
             "position c2 in general at 1 wait 240000ms"}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
       }},
      {"AcceptResetsMissedOffers",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(30),  // nobody else: a again; 1 miss
            tick(),
            {"expired c1 -> a #1", "presence a available (capacity)", "offer c1 -> a #2",
             "presence a busy (capacity)"}},
           {sec(1), accept("c1", "a", 2), {"assigned c1 -> a in general"}},
           {sec(0), end("c1", "a"), {}},
           {sec(0), wrapped("c1", "a"), {"wrap_up_ended c1 a", "presence a available (capacity)"}},
           {sec(0),
            submit("c2"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #3",
             "presence a busy (capacity)"}},
           {sec(30),  // only 1 miss in a row again: not away
            tick(),
            {"expired c2 -> a #3", "presence a available (capacity)", "offer c2 -> a #4",
             "presence a busy (capacity)"}},
       }},
      {"CapacityAutomaticBusyAndWrapUpHoldsCapacity",
       {
           {sec(0), reg("a", {}, 2), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), submit("c1"), {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1"}},
           {sec(0),
            submit("c2"),
            {"queued c2 in general at 2 wait 0ms", "offer c2 -> a #2",
             "presence a busy (capacity)"}},
           // No free slot: 1 waiting ahead-of-slots × 4 min / 2 slots = 2 min.
           {sec(0), submit("c3"), {"queued c3 in general at 3 wait 120000ms"}},
           {sec(1), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), accept("c2", "a", 2), {"assigned c2 -> a in general"}},
           {sec(0), end("c1", "a"), {}},
           {sec(10), tick(), {"position c3 in general at 1 wait 120000ms"}},  // wrap-up holds
           {sec(0),
            wrapped("c1", "a"),
            {"wrap_up_ended c1 a", "presence a available (capacity)", "offer c3 -> a #3",
             "presence a busy (capacity)"}},
       }},
      {"QueueSkillsAndRequestSkills",
       {
           {sec(0), reg("plain"), {}},
           {sec(0), avail("plain"), {"presence plain available (requested)"}},
           {sec(0), reg("biller", {"Billing"}), {}},
           // Billing needs the billing skill: nobody with it online yet.
           {sec(0),
            submit("c1", {{"va_LastTopic", "Billing"}}),
            {"unavailable c1 in billing (no_skilled_agents)"}},
           {sec(0), avail("biller"), {"presence biller available (requested)"}},
           {sec(0),
            submit("c2", {{"va_LastTopic", "Billing"}}),
            {"queued c2 in billing at 1 wait 0ms", "offer c2 -> biller #1",
             "presence biller busy (capacity)"}},
           // A skills hint (case-insensitive) narrows general to agents with it.
           {sec(0),
            submit_skills("c3", {"French"}),
            {"unavailable c3 in general (no_skilled_agents)"}},
           {sec(0), reg("fr", {"french"}), {}},
           {sec(0), avail("fr"), {"presence fr available (requested)"}},
           {sec(0),
            submit_skills("c4", {"FRENCH"}),
            {"queued c4 in general at 1 wait 0ms", "offer c4 -> fr #2",
             "presence fr busy (capacity)"}},
       }},
      {"PriorityThenWaitingTimeAcrossQueues",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c0"),
            {"queued c0 in general at 1 wait 0ms", "offer c0 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), accept("c0", "a", 1), {"assigned c0 -> a in general"}},
           {sec(1), submit("c1"), {"queued c1 in general at 1 wait 240000ms"}},
           {sec(1), submit("c2", {{"Tier", "gold"}}), {"queued c2 in vip at 1 wait 240000ms"}},
           {sec(1), submit_priority("c3", 20), {"queued c3 in general at 1 wait 240000ms"}},
           {sec(1), submit("c4"), {"queued c4 in general at 3 wait 720000ms"}},
           {sec(0), end("c0", "a"), {}},
           {sec(0),
            wrapped("c0", "a"),
            {"wrap_up_ended c0 a", "presence a available (capacity)", "offer c3 -> a #2",
             "presence a busy (capacity)"}},
           {sec(0), accept("c3", "a", 2), {"assigned c3 -> a in general"}},
           {sec(0), end("c3", "a"), {}},
           {sec(0),
            wrapped("c3", "a"),
            {"wrap_up_ended c3 a", "presence a available (capacity)", "offer c2 -> a #3",
             "presence a busy (capacity)"}},
           {sec(0), accept("c2", "a", 3), {"assigned c2 -> a in vip"}},
           {sec(0), end("c2", "a"), {}},
           {sec(0),
            wrapped("c2", "a"),
            {"wrap_up_ended c2 a", "presence a available (capacity)", "offer c1 -> a #4",
             "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 4), {"assigned c1 -> a in general"}},
           {sec(0), end("c1", "a"), {}},
           {sec(0),
            wrapped("c1", "a"),
            {"wrap_up_ended c1 a", "presence a available (capacity)", "offer c4 -> a #5",
             "presence a busy (capacity)"}},
       }},
      {"FifoWithinAPriority",
       {
           {sec(0), reg("a"), {}},
           {sec(0), presence("a", Presence::kBusy), {"presence a busy (requested)"}},
           {sec(1), submit("c1"), {"queued c1 in general at 1 wait 240000ms"}},
           {sec(1), submit("c2"), {"queued c2 in general at 2 wait 480000ms"}},
           {sec(1), submit("c3"), {"queued c3 in general at 3 wait 720000ms"}},
           {sec(0),
            avail("a"),
            {"presence a available (requested)", "offer c1 -> a #1", "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), end("c1", "a"), {}},
           {sec(0),
            wrapped("c1", "a"),
            {"wrap_up_ended c1 a", "presence a available (capacity)", "offer c2 -> a #2",
             "presence a busy (capacity)"}},
           {sec(0),
            decline("c2", "a", 2),
            {"presence a available (capacity)", "offer c3 -> a #3", "presence a busy (capacity)"}},
       }},
      {"LongestIdleStrategy",
       {
           {sec(0), reg("c", {}, 3), {}},
           {sec(0), avail("c"), {"presence c available (requested)"}},
           {sec(1), reg("a", {}, 3), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1), reg("b", {}, 3), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(1), submit("x1"), {"queued x1 in general at 1 wait 0ms", "offer x1 -> c #1"}},
           {sec(1), submit("x2"), {"queued x2 in general at 2 wait 0ms", "offer x2 -> a #2"}},
           {sec(1), submit("x3"), {"queued x3 in general at 3 wait 0ms", "offer x3 -> b #3"}},
           {sec(1), submit("x4"), {"queued x4 in general at 4 wait 0ms", "offer x4 -> c #4"}},
       }},
      {"LeastBusyStrategy",
       {
           {sec(0), reg("a", {}, 4), {}},
           {sec(0), reg("b", {}, 2), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1), avail("b"), {"presence b available (requested)"}},
           {sec(1), submit("x1"), {"queued x1 in main at 1 wait 0ms", "offer x1 -> a #1"}},
           {sec(1), submit("x2"), {"queued x2 in main at 2 wait 0ms", "offer x2 -> b #2"}},
           {sec(1), submit("x3"), {"queued x3 in main at 3 wait 0ms", "offer x3 -> a #3"}},
           // a 2/4 and b 1/2 tie on load: b has been idle longer.
           {sec(1),
            submit("x4"),
            {"queued x4 in main at 4 wait 0ms", "offer x4 -> b #4", "presence b busy (capacity)"}},
           {sec(1), submit("x5"), {"queued x5 in main at 5 wait 0ms", "offer x5 -> a #5"}},
       },
       kLeastBusyYaml},
      {"RoundRobinStrategy",
       {
           {sec(0), reg("a", {}, 3), {}},
           {sec(0), reg("b", {}, 3), {}},
           {sec(0), reg("c", {}, 3), {}},
           {sec(0), avail("c"), {"presence c available (requested)"}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(1), submit("x1"), {"queued x1 in main at 1 wait 0ms", "offer x1 -> a #1"}},
           {sec(1), submit("x2"), {"queued x2 in main at 2 wait 0ms", "offer x2 -> b #2"}},
           {sec(1), submit("x3"), {"queued x3 in main at 3 wait 0ms", "offer x3 -> c #3"}},
           {sec(1), submit("x4"), {"queued x4 in main at 4 wait 0ms", "offer x4 -> a #4"}},
           {sec(0),
            presence("b", Presence::kAway),
            {"presence b away (requested)", "rescind x2 -> b #2 (agent_away)", "offer x2 -> c #5"}},
           {sec(1),
            submit("x5"),
            {"queued x5 in main at 5 wait 0ms", "offer x5 -> a #6", "presence a busy (capacity)"}},
       },
       kRoundRobinYaml},
      {"AgentGoingOfflineRescindsOffersButKeepsConversations",
       {
           {sec(0), reg("a", {}, 2), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), submit("c1"), {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0),
            submit("c2"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #2",
             "presence a busy (capacity)"}},
           {sec(0),
            presence("a", Presence::kOffline),
            {"presence a offline (requested)", "rescind c2 -> a #2 (agent_away)"}},
       }},
  };
}

class OfferRules : public ::testing::TestWithParam<Scenario> {};

TEST_P(OfferRules, Decisions) { run(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hub, OfferRules, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace baton::hub::testing
