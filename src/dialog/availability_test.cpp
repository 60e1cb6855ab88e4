// Per-handoff availability: the runtime asks its AvailabilityCheck at each handoff node; an
// unavailable answer resolves the handoff at once with the check's (queue's) text, else the
// node's offline text, and sets System.HandoffUnavailableReason, which topics read. Also the
// reason given to resume(), and its survival across a snapshot; the hub's message given to resume()
// (System.HandoffMessage: an external hub's status message).
#include <gtest/gtest.h>

#include "bot/loader.hpp"
#include "dialog/test_bot.hpp"

namespace baton::dialog {
namespace {

const char* const kYaml = R"yaml(
bot:
  id: desk
  name: Desk
  language: en-us
settings:
  escalation_phrases: [talk to an agent]
topics:
  - name: Billing
    triggers: [pay my bill]
    nodes:
      - handover:
          agents_online_text: Connecting you with billing.
          agents_offline_text: Billing is offline.
          queue: billing
      - condition:
          - if: System.HandoffUnavailableReason == "out_of_hours"
            then:
              - message: "Closed now ({System.HandoffUnavailableReason}); we open at 8."
          - if: System.HandoffOutcome == "unavailable" and System.HandoffMessage != null
            then:
              - message: "Unavailable: {System.HandoffUnavailableReason} ({System.HandoffMessage})."
          - if: System.HandoffOutcome == "unavailable"
            then:
              - message: "Unavailable: {System.HandoffUnavailableReason}."
          - if: System.HandoffMessage != null
            then:
              - message: "Outcome {System.HandoffOutcome}: {System.HandoffMessage}."
          - else:
              - message: "Outcome {System.HandoffOutcome}."
)yaml";

std::shared_ptr<const CompiledBot> desk() {
  static const auto compiled = [] {
    auto loaded = bot::load_bot_from_string(kYaml, "desk.yaml");
    for (const auto& d : loaded.diagnostics) {
      ADD_FAILURE() << d.format();
    }
    return loaded.bot ? CompiledBot::compile(std::move(*loaded.bot)) : nullptr;
  }();
  return compiled;
}

TEST(HandoffAvailability, ClosedQueueSaysItsTextAtOnceAndTheReasonIsReadable) {
  ASSERT_NE(desk(), nullptr);
  testing::Chat chat(desk());
  chat.runtime().start();
  std::vector<std::string> asked_queues;
  chat.runtime().set_availability_check(
      [&](const HandoffRequest& r) -> std::optional<HandoffUnavailable> {
        asked_queues.push_back(r.routing.queue);
        return HandoffUnavailable{"out_of_hours", "billing", "Billing opens at 8."};
      });
  auto turn = chat.say("pay my bill");
  EXPECT_EQ(testing::texts(turn),
            (std::vector<std::string>{"Billing opens at 8.",
                                      "Closed now (out_of_hours); we open at 8."}));
  EXPECT_EQ(asked_queues, std::vector<std::string>{"billing"});
  ASSERT_TRUE(turn.handoff.has_value());
  EXPECT_EQ(turn.resolved, HandoffOutcome::kUnavailable);
  ASSERT_TRUE(turn.unavailable.has_value());
  EXPECT_EQ(turn.unavailable->reason, "out_of_hours");
  EXPECT_EQ(turn.unavailable->queue, "billing");
  EXPECT_EQ(chat.runtime().state(), FlowState::kActive);
}

TEST(HandoffAvailability, WithoutAQueueTextTheNodesOfflineTextIsSaid) {
  testing::Chat chat(desk());
  chat.runtime().start();
  chat.runtime().set_availability_check([](const HandoffRequest&) {
    return std::optional<HandoffUnavailable>(
        HandoffUnavailable{"no_skilled_agents", "billing", ""});
  });
  auto turn = chat.say("pay my bill");
  EXPECT_EQ(testing::texts(turn),
            (std::vector<std::string>{"Billing is offline.", "Unavailable: no_skilled_agents."}));
}

TEST(HandoffAvailability, AvailableWaitsAndTheReasonComesWithResume) {
  testing::Chat chat(desk());
  chat.runtime().start();
  chat.runtime().set_availability_check(
      [](const HandoffRequest&) { return std::optional<HandoffUnavailable>(); });
  // Even with the hub-wide flag off, the check decides.
  chat.runtime().set_agents_online(false);
  auto turn = chat.say("pay my bill");
  EXPECT_EQ(testing::texts(turn), std::vector<std::string>{"Connecting you with billing."});
  EXPECT_EQ(chat.runtime().state(), FlowState::kHandoffPending);
  EXPECT_FALSE(turn.unavailable.has_value());
  chat.restart_from_snapshot();
  // The queue closed while the customer waited.
  auto resumed = chat.runtime().resume(HandoffOutcome::kUnavailable, "out_of_hours");
  EXPECT_EQ(testing::texts(resumed),
            std::vector<std::string>{"Closed now (out_of_hours); we open at 8."});
  // The reason is part of the snapshot.
  chat.restart_from_snapshot();
  chat.runtime().set_availability_check(
      [](const HandoffRequest&) { return std::optional<HandoffUnavailable>(); });
  turn = chat.say("pay my bill");
  EXPECT_EQ(chat.runtime().state(), FlowState::kHandoffPending);
  // Resumed without a reason: the variable is null again.
  resumed = chat.runtime().resume(HandoffOutcome::kTimedOut);
  EXPECT_EQ(testing::texts(resumed), std::vector<std::string>{"Outcome timed_out."});
}

TEST(HandoffAvailability, WithoutACheckTheAgentsOnlineFlagGivesNoAgents) {
  testing::Chat chat(desk());
  chat.runtime().start();
  chat.runtime().set_agents_online(false);
  auto turn = chat.say("pay my bill");
  EXPECT_EQ(testing::texts(turn),
            (std::vector<std::string>{"Billing is offline.", "Unavailable: no_agents."}));
  ASSERT_TRUE(turn.unavailable.has_value());
  EXPECT_EQ(turn.unavailable->reason, "no_agents");
}

TEST(HandoffAvailability, TheHubsMessageComesWithResumeAndSurvivesASnapshot) {
  testing::Chat chat(desk());
  chat.runtime().start();
  chat.say("pay my bill");
  ASSERT_EQ(chat.runtime().state(), FlowState::kHandoffPending);
  chat.restart_from_snapshot();
  auto resumed = chat.runtime().resume(HandoffOutcome::kUnavailable, "no_agents",
                                       "No partner agent is available");
  EXPECT_EQ(testing::texts(resumed),
            std::vector<std::string>{"Unavailable: no_agents (No partner agent is available)."});
  EXPECT_EQ(chat.runtime().snapshot().at("system").at("HandoffMessage"),
            "No partner agent is available");
  chat.restart_from_snapshot();
  EXPECT_EQ(chat.runtime().snapshot().at("system").at("HandoffMessage"),
            "No partner agent is available");
  // The next handoff starts without one; a completed one may bring its own.
  chat.say("pay my bill");
  EXPECT_TRUE(chat.runtime().snapshot().at("system").at("HandoffMessage").is_null());
  resumed = chat.runtime().resume(HandoffOutcome::kCompleted, "", "Order re-shipped");
  EXPECT_EQ(testing::texts(resumed),
            std::vector<std::string>{"Outcome completed: Order re-shipped."});
}

TEST(HandoffAvailability, TheReasonSurvivesASnapshot) {
  testing::Chat chat(desk());
  chat.runtime().start();
  chat.runtime().set_agents_online(false);
  chat.say("pay my bill");
  auto snapshot = chat.runtime().snapshot();
  EXPECT_EQ(snapshot.at("system").at("HandoffUnavailableReason"), "no_agents");
  chat.restart_from_snapshot();
  EXPECT_EQ(chat.runtime().snapshot().at("system").at("HandoffUnavailableReason"), "no_agents");
}

}  // namespace
}  // namespace baton::dialog
