// External queues (docs/EXTERNAL_HUBS.md): a handoff routed to one is handed to the external hub
// (ExternalHandoff) and never offered to Baton's agents; its answers (ExternalStatus) move the
// conversation to kExternal, end it (completed or failed) or make it unavailable. Scenario
// tables as in hub_paths_test.cpp (each also replayed), plus the snapshot and the JSON log form.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json.hpp"
#include "core/testing/temp_dir.hpp"
#include "hub/event_json.hpp"
#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

// hub.yaml with an external queue `partner` (Tier == "gold", a customer silent for 5 minutes
// abandons, 10 minutes at most waiting for the hub's answer; `extra` adds keys to it) beside
// Baton's `general`; the secret file is written to a directory of this process's own (ctest runs
// the scenarios as parallel processes: a shared file would be truncated under another's read).
std::string external_yaml_with(const std::string& extra) {
  static const baton::testing::TempDir dir("hub_external_test");
  const std::filesystem::path secret = dir.path() / "partner.secret";
  std::ofstream(secret) << "0123456789abcdef0123\n";
  return "hub:\n  default_queue: general\n  queues:\n    - name: partner\n"
         "      when: Tier == \"gold\"\n      abandon_after: 5m\n      max_wait: 10m\n" +
         extra + "      external:\n        url: http://127.0.0.1:9/handoff\n        secret_file: " +
         secret.string() + "\n      texts:\n        queued: \"Connecting you to {queue}.\"\n" +
         "    - name: general\n";
}

const std::string& external_yaml() {
  static const std::string yaml = external_yaml_with("");
  return yaml;
}

Event gold(std::string conv) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.context = {{"Tier", "gold"}};
  e.reason = "explicit";
  return e;
}

Event status(std::string conv, ExternalState state, std::string message = "") {
  return ExternalStatus{std::move(conv), state, std::move(message)};
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
      {"FailedWithMessages",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(0),
            gold("c2"),
            {"queued c2 in partner at 2 wait 0ms", "external_handoff c2 to partner"}},
           {sec(0),
            gold("c3"),
            {"queued c3 in partner at 3 wait 0ms", "external_handoff c3 to partner"}},
           // The hub's words are kept with the end of the handoff.
           {sec(1),
            status("c1", ExternalState::kFailed, "No partner agent is available"),
            {"unavailable c1 in partner (no_agents): No partner agent is available"}},
           {sec(1), status("c2", ExternalState::kAccepted), {"external_accepted c2 by partner"}},
           {sec(1),
            status("c2", ExternalState::kFailed, "Lost the line"),
            {"external_ended c2 by partner (failed): Lost the line"}},
           {sec(1), status("c3", ExternalState::kAccepted), {"external_accepted c3 by partner"}},
           {sec(1),
            status("c3", ExternalState::kCompleted, "Order 12345 re-shipped"),
            {"external_ended c3 by partner: Order 12345 re-shipped"}},
       },
       nullptr},
      // Baton takes a conversation back from its external hub: the hub is told why
      // (external_withdrawn), whether it had accepted it or not.
      {"CustomerLeavesWhileWaiting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(2),
            CustomerLeft{"c1"},
            {"external_withdrawn c1 from partner (left)", "abandoned c1 (left)"}},
       },
       nullptr},
      {"CustomerCancelsWhileWaiting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(2),
            HandoffCancelled{"c1"},
            {"external_withdrawn c1 from partner (cancelled)", "cancelled c1"}},
       },
       nullptr},
      {"ClosedWhileWaiting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(2),
            HandoffCancelled{"c1", true},
            {"external_withdrawn c1 from partner (closed)", "cancelled c1"}},
       },
       nullptr},
      {"SilentWhileWaiting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(240), tick(), {}},
           {sec(60),
            tick(),
            {"external_withdrawn c1 from partner (silent)", "abandoned c1 (silent)"}},
       },
       nullptr},
      {"TimedOutWhileWaiting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(240), CustomerActivity{"c1"}, {}},
           {sec(240), CustomerActivity{"c1"}, {}},
           {sec(60), tick(), {}},
           {sec(60),
            tick(),
            {"external_withdrawn c1 from partner (timed_out)", "timed_out c1 in partner"}},
       },
       nullptr},
      {"AcceptedIsNotTimed",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(1), status("c1", ExternalState::kAccepted), {"external_accepted c1 by partner"}},
           {sec(1800), tick(), {}},
           // The customer closing the chat is forwarded to the hub that owns it; the hub
           // ends the handoff.
           {sec(1), CustomerLeft{"c1"}, {}},
           {sec(1), status("c1", ExternalState::kCompleted), {"external_ended c1 by partner"}},
       },
       nullptr},
      {"ClosedAfterAccepting",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(1), status("c1", ExternalState::kAccepted), {"external_accepted c1 by partner"}},
           {sec(1),
            HandoffCancelled{"c1", true},
            {"external_withdrawn c1 from partner (closed, accepted)",
             "external_ended c1 by partner"}},
           {sec(1), status("c1", ExternalState::kCompleted), {}, ErrorCode::kNotFound},
       },
       nullptr},
      {"CancelCrossesAccept",
       {
           {sec(0),
            gold("c1"),
            {"queued c1 in partner at 1 wait 0ms", "external_handoff c1 to partner"}},
           {sec(1), status("c1", ExternalState::kAccepted), {"external_accepted c1 by partner"}},
           {sec(0),
            HandoffCancelled{"c1"},
            {"external_withdrawn c1 from partner (cancelled, accepted)",
             "external_ended c1 by partner"}},
       },
       nullptr},
      // Baton's own queue: no external hub to tell.
      {"NotExternalNoWithdrawal",
       {
           {sec(0), submit("c1"), {"unavailable c1 in general (no_agents)"}},
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

// The queue closes while the handoff waits for the hub's answer: the hub is told.
TEST(HubExternal, OutOfHoursWhileWaiting) {
  auto config =
      config_from(external_yaml_with("      hours:\n        time_zone: UTC\n        weekly:\n"
                                     "          weekdays: [\"08:00-10:03\"]\n"));
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(gold("c1")).ok());
  clock.advance(sec(240));
  auto closed = hub.handle(tick());
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(briefs(*closed),
            (std::vector<std::string>{"external_withdrawn c1 from partner (out_of_hours)",
                                      "unavailable c1 in partner (out_of_hours)"}));
}

TEST(HubExternal, StatusJsonRoundTrip) {
  Input input{t0(), ExternalStatus{"c1", ExternalState::kCompleted, "solved"}};
  auto back = input_from_json(input_to_json(input));
  ASSERT_TRUE(back.ok());
  const auto* e = std::get_if<ExternalStatus>(&back->event);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->conversation, "c1");
  EXPECT_EQ(e->state, ExternalState::kCompleted);
  EXPECT_EQ(e->message, "solved");
  // A log written before messages were kept reads with none; `closed` likewise.
  auto old =
      input_from_json(json::parse_object(R"({"at":"2026-03-02T10:00:00Z","type":"external_status",)"
                                         R"("conversation":"c1","state":"failed"})"));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(std::get<ExternalStatus>(old->event).message, "");
  auto closed = input_from_json(input_to_json({t0(), HandoffCancelled{"c1", true}}));
  ASSERT_TRUE(closed.ok());
  EXPECT_TRUE(std::get<HandoffCancelled>(closed->event).closed);
  auto cancelled = input_from_json(input_to_json({t0(), HandoffCancelled{"c1"}}));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_FALSE(std::get<HandoffCancelled>(cancelled->event).closed);
  boost::json::object bad = input_to_json(input);
  bad["state"] = "maybe";
  EXPECT_FALSE(input_from_json(bad).ok());
}

}  // namespace
}  // namespace baton::hub::testing
