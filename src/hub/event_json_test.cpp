#include "hub/event_json.hpp"

#include <gtest/gtest.h>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

std::vector<Event> one_of_each() {
  HandoffSubmitted submitted;
  submitted.conversation = "c1";
  submitted.context = {{"va_LastTopic", "Billing"}, {"Tier", "gold"}};
  submitted.reason = "requested";
  submitted.language = "de-de";
  submitted.queue_hint = "billing";
  submitted.skills = {"german"};
  submitted.priority = 7;
  return {submitted,
          HandoffCancelled{"c1"},
          CustomerActivity{"c1"},
          CustomerLeft{"c1"},
          AgentRegistered{Agent{"a", "Alice", Role::kAdmin, {"billing", "german"}, 4}},
          AgentRemoved{"a"},
          PresenceSet{"a", Presence::kAway},
          OfferAccepted{"c1", "a", 12},
          OfferDeclined{"c1", "a", 13},
          TransferRequested{"c1", "a", "billing", "", "note"},
          ConversationEnded{"c1", "a"},
          WrapUpDone{"c1", "a"},
          Tick{},
          Recover{},
          SupervisorAssign{"c1", "sup", "b", "over to you", true},
          SupervisorRequeue{"c1", "sup", "billing", "moved"}};
}

TEST(HubEventJson, RoundTripsEveryInput) {
  for (const Event& event : one_of_each()) {
    Input input{t0() + Millis{1234}, event};
    boost::json::object json = input_to_json(input);
    auto back = input_from_json(boost::json::parse(boost::json::serialize(json)));
    ASSERT_TRUE(back.ok()) << back.error().message << " " << boost::json::serialize(json);
    EXPECT_EQ(back->at, input.at);
    EXPECT_EQ(back->event.index(), event.index());
    EXPECT_EQ(input_to_json(*back), json);  // every field survived
  }
}

TEST(HubEventJson, RejectsMalformedInputs) {
  const char* bad[] = {
      "[]",
      R"({"type": "tick"})",
      R"({"at": "yesterday", "type": "tick"})",
      R"({"at": "2026-03-02T10:00:00.000Z", "type": "launch"})",
      R"({"at": "2026-03-02T10:00:00.000Z", "type": "offer_accepted", "offer_id": "x"})",
      R"({"at": "2026-03-02T10:00:00.000Z", "type": "handoff_submitted", "skills": [1]})",
      R"({"at": "2026-03-02T10:00:00.000Z", "type": "presence_set", "presence": "asleep"})",
      R"({"at": "2026-03-02T10:00:00.000Z", "type": "agent_registered", "agent": {"id": 5}})",
  };
  for (const char* text : bad) {
    auto result = input_from_json(boost::json::parse(text));
    EXPECT_FALSE(result.ok()) << text;
    if (!result.ok()) {
      EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(HubEventJson, ReplayFromJsonLogGivesSameDecisions) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0() + std::chrono::microseconds(17));  // not whole milliseconds
  Hub hub(config, clock);
  std::vector<std::string> log;  // the engine's durable log
  std::vector<std::string> decisions;
  auto apply = [&](Event e) {
    Input input = hub.stamp(std::move(e));
    log.push_back(boost::json::serialize(input_to_json(input)));
    auto result = hub.apply(input);
    ASSERT_TRUE(result.ok());
    for (const auto& d : *result) {
      decisions.push_back(describe(d));
    }
  };
  apply(reg("a"));
  apply(avail("a"));
  apply(submit("c1"));
  clock.advance(std::chrono::microseconds(29'999'999));
  apply(tick());  // 29.999999 s: stamped 29.999 s → not expired, in both runs
  clock.advance(sec(1));
  apply(tick());

  Hub replayed(config, clock);
  std::vector<std::string> again;
  for (const std::string& line : log) {
    auto input = input_from_json(boost::json::parse(line));
    ASSERT_TRUE(input.ok());
    auto result = replayed.apply(*input);
    ASSERT_TRUE(result.ok());
    for (const auto& d : *result) {
      again.push_back(describe(d));
    }
  }
  EXPECT_EQ(again, decisions);
}

}  // namespace
}  // namespace baton::hub::testing
