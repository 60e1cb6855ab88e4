// External queues (docs/EXTERNAL_HUBS.md): a handoff routed to one is handed to the external hub
// (ExternalHandoff) and never offered to Baton's agents; its answers (ExternalStatus) move the
// conversation to kExternal, end it (completed or failed) or make it unavailable. Scenario
// tables as in hub_paths_test.cpp (each also replayed), plus the snapshot and the JSON log form.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json.hpp"
#include "hub/event_json.hpp"
#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

// hub.yaml with an external queue `partner` (Tier == "gold") beside Baton's `general`; the secret
// file is written to the test's temporary directory.
const std::string& external_yaml() {
  static const std::string yaml = [] {
    const std::filesystem::path secret =
        std::filesystem::path(::testing::TempDir()) / "hub_external_test.secret";
    std::ofstream(secret) << "0123456789abcdef0123\n";
    return "hub:\n  default_queue: general\n  queues:\n    - name: partner\n"
           "      when: Tier == \"gold\"\n      external:\n"
           "        url: http://127.0.0.1:9/handoff\n        secret_file: " +
           secret.string() + "\n      texts:\n        queued: \"Connecting you to {queue}.\"\n" +
           "    - name: general\n";
  }();
  return yaml;
}

Event gold(std::string conv) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.context = {{"Tier", "gold"}};
  e.reason = "explicit";
  return e;
}

Event status(std::string conv, ExternalState state) {
  return ExternalStatus{std::move(conv), state};
}

std::vector<Scenario> scenarios() {
  return {
      {"AcceptedThenCompleted",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           // Agents online do not matter: the external queue is never offered to them.
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(5), status("c1", ExternalState::kCompleted), {}, ErrorCode::kConflict},
           {sec(5), status("c1", ExternalState::kAccepted), {"external_accepted c1 by partner"}},
           {sec(1), status("c1", ExternalState::kAccepted), {}, ErrorCode::kConflict},
           // Baton's agents and supervisors cannot take it.
           {sec(1), sup_assign("c1", "a"), {}, ErrorCode::kConflict},
           {sec(1), end("c1", "a"), {}, ErrorCode::kConflict},
           {sec(60), status("c1", ExternalState::kCompleted), {"external_ended c1 by partner"}},
           // Gone: a late answer is refused.
           {sec(1), status("c1", ExternalState::kCompleted), {}, ErrorCode::kNotFound},
       },
       nullptr},
      {"FailedWhileWaitingIsUnavailable",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(3),
            status("c1", ExternalState::kFailed),
            {"unavailable c1 in partner (no_agents)"}},
       },
       nullptr},
      {"FailedAfterAccepting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(1), status("c1", ExternalState::kAccepted), {"external_accepted c1 by partner"}},
           {sec(1),
            status("c1", ExternalState::kFailed),
            {"external_ended c1 by partner (failed)"}},
       },
       nullptr},
      {"NotAnExternalQueue",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(1), status("c1", ExternalState::kAccepted), {}, ErrorCode::kConflict},
           {sec(1), status("nope", ExternalState::kAccepted), {}, ErrorCode::kNotFound},
       },
       nullptr},
      {"CustomerLeavesWhileWaiting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(2), CustomerLeft{"c1"}, {"abandoned c1 (left)"}},
       },
       nullptr},
  };
}

class HubExternal : public ::testing::TestWithParam<Scenario> {};

TEST_P(HubExternal, Scenario) {
  Scenario s = GetParam();
  const std::string& yaml = external_yaml();
  s.yaml = yaml.c_str();
  run(s);
}

INSTANTIATE_TEST_SUITE_P(Hub, HubExternal, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

TEST(HubExternal, AlwaysAvailableWhileOpenAndViews) {
  auto config = config_from(external_yaml());
  ManualClock clock(t0());
  Hub hub(config, clock);
  // Nobody online: Baton's queue is unavailable, the external one is not.
  EXPECT_TRUE(hub.availability(std::get<HandoffSubmitted>(submit("c0")), t0()).has_value());
  EXPECT_FALSE(hub.availability(std::get<HandoffSubmitted>(gold("c1")), t0()).has_value());
  ASSERT_TRUE(hub.handle(gold("c1")).ok());
  ASSERT_TRUE(hub.handle(status("c1", ExternalState::kAccepted)).ok());
  auto view = hub.conversation("c1", t0());
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->state, ConversationState::kExternal);
  EXPECT_EQ(view->queue, "partner");
  EXPECT_TRUE(view->agent.empty());
  // A registered agent is not a member of the external queue.
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  for (const QueueView& q : hub.queues(t0())) {
    EXPECT_EQ(q.agents_online, q.name == "partner" ? 0 : 1) << q.name;
  }
}

TEST(HubExternal, SnapshotKeepsExternalOwnership) {
  auto config = config_from(external_yaml());
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(gold("c1")).ok());
  ASSERT_TRUE(hub.handle(gold("c2")).ok());
  ASSERT_TRUE(hub.handle(status("c1", ExternalState::kAccepted)).ok());
  auto restored = Hub::restore(config, clock, hub.snapshot());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(json::dump((*restored)->snapshot()), json::dump(hub.snapshot()));
  EXPECT_EQ((*restored)->conversation("c1", t0())->state, ConversationState::kExternal);
  auto done = (*restored)->handle(status("c1", ExternalState::kCompleted));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(briefs(*done), (std::vector<std::string>{"external_ended c1 by partner"}));
  auto accepted = (*restored)->handle(status("c2", ExternalState::kAccepted));
  ASSERT_TRUE(accepted.ok());
}

// After a restart: the unanswered handoff is sent again, the accepted one followed again.
TEST(HubExternal, RecoverReissues) {
  auto config = config_from(external_yaml());
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(gold("c1")).ok());
  ASSERT_TRUE(hub.handle(gold("c2")).ok());
  ASSERT_TRUE(hub.handle(status("c1", ExternalState::kAccepted)).ok());
  auto recovered = hub.handle(Recover{});
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(briefs(*recovered), (std::vector<std::string>{"external_accepted c1 by partner",
                                                          "external_handoff c2 to partner"}));
}

TEST(HubExternal, StatusJsonRoundTrip) {
  Input input{t0(), ExternalStatus{"c1", ExternalState::kCompleted}};
  auto back = input_from_json(input_to_json(input));
  ASSERT_TRUE(back.ok());
  const auto* e = std::get_if<ExternalStatus>(&back->event);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->conversation, "c1");
  EXPECT_EQ(e->state, ExternalState::kCompleted);
  boost::json::object bad = input_to_json(input);
  bad["state"] = "maybe";
  EXPECT_FALSE(input_from_json(bad).ok());
}

}  // namespace
}  // namespace baton::hub::testing
