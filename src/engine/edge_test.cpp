#include "engine/edge.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

// Through the text a log or a socket would carry, and back.
template <class T, class Parse>
T round_trip(const T& message, Parse parse) {
  const std::string text = json::dump(to_json(message));
  auto value = json::parse(text);
  EXPECT_TRUE(value.ok()) << text;
  auto back = parse(*value);
  EXPECT_TRUE(back.ok()) << text << ": " << back.error().message;
  return *back;
}

TEST(Edge, EveryEventRoundTripsThroughItsJsonForm) {
  HandoffRequested requested;
  requested.conversation = "c1";
  requested.epoch = 7;
  requested.handoff_id = "c1|h12";
  requested.reason = "requested";
  requested.topic = "Billing";
  requested.context = bj::object{{"va_LastTopic", "Billing"}, {"OrderId", 42}};
  requested.agent_message = "Wants a refund";
  requested.queue = "billing";
  requested.skills = {"billing", "de"};
  requested.priority = 3;
  requested.initiate_seq = 12;
  requested.user = "u1";
  requested.language = "de-DE";
  HandoffRequested no_priority = requested;
  no_priority.priority.reset();
  no_priority.skills.clear();
  const std::vector<EngineEvent> events = {
      requested,
      no_priority,
      HandoffCancelled{"c2", 9},
      CustomerActed{"c3", CustomerAction::kMessage},
      CustomerActed{"c3", CustomerAction::kTyping},
      CustomerActed{"c3", CustomerAction::kLeft},
      CustomerActed{"c3", CustomerAction::kOther},
      OwnershipChanged{"c4", {Owner::kQueued, 3}, {Owner::kOffered, 4}, OwnershipEvent::kOffered},
      OwnershipChanged{"c4", {Owner::kAgent, 5}, {Owner::kClosed, 6}, OwnershipEvent::kClosed},
  };
  for (const auto& e : events) {
    EXPECT_EQ(round_trip(e, event_from_json), e) << json::dump(to_json(e));
  }
}

TEST(Edge, EveryCommandRoundTripsThroughItsJsonForm) {
  activity::Activity message = activity::make_message("Hi, this is Alice");
  message.from = {"agent:alice", "Alice", "bot"};
  activity::Activity note = activity::make_event("baton.note", bj::object{{"text", "VIP"}});
  const std::vector<EngineCommand> commands = {
      ChangeOwnership{"c1",
                      4,
                      OwnershipEvent::kAccepted,
                      dialog::HandoffOutcome::kCompleted,
                      {},
                      HandoffRoute{"billing", "alice"}},
      ChangeOwnership{"c1", 5, OwnershipEvent::kHandoffEnded, dialog::HandoffOutcome::kTimedOut,
                      HandoffEnd{"alice", "silent"}},
      ChangeOwnership{"c1", 6, OwnershipEvent::kHandoffEnded, dialog::HandoffOutcome::kUnavailable,
                      HandoffEnd{"external:partner", "", "no_agents", "Nobody at the partner"}},
      PostAsOwner{"c2", 6, message},
      PostNotice{"c3", note},
      SetAgentsOnline{false},
      SetAgentsOnline{true},
      RecordWrapUp{"c4", "alice", "solved", "Refund sent"},
      RecordWrapUp{"c4", "alice", "", ""},
  };
  for (const auto& c : commands) {
    EXPECT_EQ(round_trip(c, command_from_json), c) << json::dump(to_json(c));
  }
}

TEST(Edge, MalformedMessagesNameTheirFirstBadField) {
  const std::vector<std::pair<std::string, std::string>> events = {
      {R"([])", "expected an object"},
      {R"({"type":"nope"})", "unknown event"},
      {R"({"type":"handoff_cancelled","conversation":"c"})", "epoch"},
      {R"({"type":"ownership_changed","conversation":"c","from":{"owner":"x","epoch":1},
           "to":{"owner":"bot","epoch":2},"event":"offered"})",
       "from"},
      {R"({"type":"ownership_changed","conversation":"c","from":{"owner":"bot","epoch":1},
           "to":{"owner":"queued","epoch":2},"event":"flew"})",
       "event"},
      {R"({"type":"handoff_requested","conversation":"c","epoch":-1})", "epoch"},
  };
  for (const auto& [text, why] : events) {
    auto e = event_from_json(*json::parse(text));
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_NE(e.error().message.find(why), std::string::npos) << e.error().message;
  }
  const std::vector<std::pair<std::string, std::string>> commands = {
      {R"({"type":"post_notice","conversation":"c","activity":{}})", "activity"},
      {R"({"type":"change_ownership","conversation":"c","expectedEpoch":1,"event":"offered",
           "outcome":"won","agent":"","abandoned":""})",
       "outcome"},
      {R"({"type":"set_agents_online","online":"yes"})", "online"},
  };
  for (const auto& [text, why] : commands) {
    auto c = command_from_json(*json::parse(text));
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message.find(why), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace baton::engine
