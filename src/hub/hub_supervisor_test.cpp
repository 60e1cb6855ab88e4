// A supervisor's moves as scenario tables: assigning a waiting or offered conversation to a chosen
// agent (capacity and presence respected, or refused saying why), taking a conversation over,
// moving one to another queue. Every scenario is also replayed into a fresh Hub and must give the
// very same decisions (run() in the util).

#include <gtest/gtest.h>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

Event reg_supervisor(const std::string& id) {
  return AgentRegistered{Agent{id, id, Role::kSupervisor, {}, 1}};
}

std::vector<Scenario> scenarios() {
  return {
      {"AssignWaitingConversationToChosenAgent",
       {
           {sec(0), reg("a", {}, 2), {}},
           {sec(0), reg("b"), {}},
           {sec(0), presence("a", Presence::kBusy), {"presence a busy (requested)"}},
           {sec(0), presence("b", Presence::kBusy), {"presence b busy (requested)"}},
           // 4 min handle time over 3 slots online, rounded up to a whole minute.
           {sec(1), submit("c1"), {"queued c1 in general at 1 wait 120000ms"}},
           // Busy means no offers, but a supervisor may still give it to an online agent.
           {sec(2), sup_assign("c1", "b", "vip"), {"assigned c1 -> b in general"}},
           {sec(0), sup_assign("c1", "b"), {}, ErrorCode::kConflict},  // b owns it already
       }},
      {"AssignRefusedAtCapacityOrOffline",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), presence("a", Presence::kBusy), {}},
           {sec(0), submit("c2"), {"queued c2 in general at 1 wait 240000ms"}},
           {sec(0), sup_assign("c2", "a"), {}, ErrorCode::kConflict},  // at capacity 1 of 1
           {sec(0), sup_assign("c2", "b"), {}, ErrorCode::kConflict},  // offline
           {sec(0), sup_assign("c2", "nobody"), {}, ErrorCode::kNotFound},
           {sec(0), sup_assign("c9", "a"), {}, ErrorCode::kNotFound},
       }},
      {"AssignOfferedConversationRescindsTheOffer",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(3),
            sup_assign("c1", "b"),
            {"rescind c1 -> a #1 (cancelled)", "presence a available (capacity)",
             "presence b busy (capacity)", "assigned c1 -> b in general"}},
           {sec(0), accept("c1", "a", 1), {}, ErrorCode::kConflict},  // the offer is gone
       }},
      {"AssignToTheAgentHoldingTheOfferUsesItsSlot",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(1),
            sup_assign("c1", "a"),
            {"rescind c1 -> a #1 (cancelled)", "presence a available (capacity)",
             "presence a busy (capacity)", "assigned c1 -> a in general"}},
       }},
      {"AssignAnAssignedConversationMovesItAtOnce",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b", {}, 2), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(5),
            sup_assign("c1", "b", "customer asked for b"),
            {"transferred c1 from a to agent b by sup", "assigned c1 -> b in general",
             "presence a available (capacity)"}},
       }},
      {"TakeOverIgnoresPresenceAndCapacity",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg_supervisor("sup"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), take_over("c1", "sup"), {}, ErrorCode::kConflict},  // offered: nobody holds it
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), take_over("c1", "nobody"), {}, ErrorCode::kNotFound},
           {sec(0),
            SupervisorAssign{"c1", "sup", "a", "", true},
            {},
            ErrorCode::kInvalidArgument},  // a take-over is for the supervisor itself
           // sup is offline: a take-over still goes through.
           {sec(4),
            take_over("c1", "sup"),
            {"transferred c1 from a to agent sup by sup", "assigned c1 -> sup in general",
             "presence a available (capacity)"}},
           {sec(0), take_over("c1", "sup"), {}, ErrorCode::kConflict},  // already its owner
           {sec(0), end("c1", "a"), {}, ErrorCode::kConflict},          // a no longer owns it
           {sec(0), end("c1", "sup"), {}},
           {sec(0), take_over("c1", "sup"), {}, ErrorCode::kConflict},  // wrap-up
           {sec(0), wrapped("c1", "sup"), {"wrap_up_ended c1 sup"}},
       }},
      {"TakeOverRescindsAPendingTransferOffer",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), reg_supervisor("sup"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            transfer_agent("c1", "a", "b"),
            {"offer c1 -> b #2 (transfer)", "presence b busy (capacity)"}},
           {sec(1),
            take_over("c1", "sup"),
            {"rescind c1 -> b #2 (cancelled)", "presence b available (capacity)",
             "transferred c1 from a to agent sup by sup", "assigned c1 -> sup in general",
             "presence a available (capacity)"}},
           {sec(0), accept("c1", "b", 2), {}, ErrorCode::kConflict},
       }},
      {"RequeueWaitingConversationToAnotherQueue",
       {
           {sec(0), reg("a", {"billing"}), {}},
           {sec(0), presence("a", Presence::kBusy), {"presence a busy (requested)"}},
           {sec(0), submit("c1"), {"queued c1 in general at 1 wait 240000ms"}},
           {sec(0), sup_requeue("c1", "general"), {}, ErrorCode::kConflict},  // already there
           {sec(0), sup_requeue("c1", "nope"), {}, ErrorCode::kNotFound},
           {sec(0), sup_requeue("c1", "german"), {}, ErrorCode::kConflict},  // nobody online
           {sec(2), sup_requeue("c1", "billing"), {"queued c1 in billing at 1 wait 240000ms"}},
           {sec(0),
            avail("a"),
            {"presence a available (requested)", "offer c1 -> a #1", "presence a busy (capacity)"}},
           // Moving an offered conversation rescinds the offer first.
           {sec(0),
            sup_requeue("c1", "general"),
            {"rescind c1 -> a #1 (cancelled)", "presence a available (capacity)",
             "queued c1 in general at 1 wait 0ms", "offer c1 -> a #2",
             "presence a busy (capacity)"}},
       }},
      {"RequeueAssignedConversationReleasesTheOwner",
       {
           {sec(0), reg("a", {"billing"}), {}},
           {sec(0), reg("b", {"billing"}), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in general"}},
           // Only a is online for billing, and a owns it: nobody else could take it.
           {sec(0), sup_requeue("c1", "billing"), {}, ErrorCode::kConflict},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(3),
            sup_requeue("c1", "billing", "needs billing"),
            {"transferred c1 from a to queue billing by sup", "presence a available (capacity)",
             "queued c1 in billing at 1 wait 0ms", "offer c1 -> b #2",
             "presence b busy (capacity)"}},
       }},
  };
}

class SupervisorMoves : public ::testing::TestWithParam<Scenario> {};

TEST_P(SupervisorMoves, Decisions) { run(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hub, SupervisorMoves, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace baton::hub::testing
