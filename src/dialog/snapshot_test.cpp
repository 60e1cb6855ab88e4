// Snapshot/restore: a restored runtime continues exactly like the original (every script in
// runtime_test.cpp also checks this step by step); bad snapshots are errors, not crashes.
#include <gtest/gtest.h>

#include "dialog/script_test_support.hpp"

namespace baton::dialog {
namespace {

namespace bj = boost::json;
using namespace testing;
using V = std::vector<std::string>;

TEST(Snapshot, MidQuestionContinuesIdentically) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("return an item");
  chat.say("Tacoma");  // one retry used
  const bj::value snapshot = chat.runtime().snapshot();
  chat.restart_from_snapshot();
  EXPECT_EQ(chat.runtime().snapshot(), snapshot);
  EXPECT_EQ(texts(chat.say("Spokane")), V{"Please pick one of the stores."});
  const auto result = chat.say("Yakima");  // the retries survived the restart
  ASSERT_TRUE(result.handoff);
  EXPECT_EQ(result.handoff->reason, HandoffReason::kInvalidAnswer);
}

TEST(Snapshot, MidHandoffContinuesIdentically) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("return an item");
  chat.say("Bellevue");
  ASSERT_TRUE(chat.say("AB123456").handoff);
  chat.restart_from_snapshot();
  EXPECT_EQ(chat.runtime().state(), FlowState::kHandoffPending);
  EXPECT_EQ(texts(chat.say("are you there?")), V{});
  EXPECT_EQ(chat.runtime().transcript().back().text, "are you there?");
  const auto resumed = chat.runtime().resume(HandoffOutcome::kUnavailable);
  EXPECT_EQ(texts(resumed), V{"Outcome: unavailable."});
  EXPECT_EQ(chat.runtime().variables().at("OrderNumber"), "AB123456");
}

TEST(Snapshot, CancelInfoSurvivesAndAgentJoinedToo) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("pay my bill");
  chat.restart_from_snapshot();
  EXPECT_EQ(texts(chat.say("cancel")), V{"OK, request cancelled."});
  chat.say("pay my bill");
  chat.runtime().agent_joined();
  chat.restart_from_snapshot();
  EXPECT_EQ(chat.runtime().state(), FlowState::kWithAgent);
  EXPECT_EQ(texts(chat.say("cancel")), V{});
}

TEST(Snapshot, SurveyInProgressAndAgentsOffline) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("talk to an agent");
  chat.runtime().resume(HandoffOutcome::kCompleted);
  chat.runtime().set_agents_online(false);
  chat.restart_from_snapshot();
  EXPECT_EQ(texts(chat.say("yes")), V{"How would you rate your experience, from 1 to 5?"});
  EXPECT_EQ(texts(chat.say("2")), (V{"Thanks for your feedback!", "<end>"}));
  chat.restart_from_snapshot();
  EXPECT_EQ(chat.runtime().state(), FlowState::kEnded);
  const auto result = chat.say("talk to an agent");
  EXPECT_EQ(result.resolved, HandoffOutcome::kUnavailable);
}

Error restore_error(const bj::value& snapshot) {
  Chat chat(store_bot());
  ManualClock clock;
  auto restored =
      Runtime::restore(chat.compiled(), clock, chat.ids(), Chat::default_info(), snapshot, {});
  EXPECT_FALSE(restored.ok());
  return restored.ok() ? Error{} : restored.error();
}

bj::value mid_question_snapshot() {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("return an item");
  return chat.runtime().snapshot();
}

TEST(Snapshot, RejectsSnapshotsThatDoNotFitTheBot) {
  EXPECT_EQ(restore_error(bj::value(42)).message, "snapshot: expected an object");
  auto snapshot = mid_question_snapshot();
  snapshot.as_object()["version"] = 2;
  EXPECT_EQ(restore_error(snapshot).message, "snapshot: unsupported version (expected 1)");

  snapshot = mid_question_snapshot();
  snapshot.at("stack").at(0).as_object()["topic"] = "Deleted topic";
  EXPECT_EQ(restore_error(snapshot).message, "snapshot: stack: unknown topic 'Deleted topic'");

  snapshot = mid_question_snapshot();
  snapshot.at("stack").at(0).as_object()["pc"] = bj::array{99};
  EXPECT_EQ(restore_error(snapshot).message,
            "snapshot: stack: node address no longer exists in topic 'Return an item'");

  snapshot = mid_question_snapshot();
  snapshot.at("stack").at(0).as_object()["pc"] = bj::array{4};  // the condition, not a question
  EXPECT_EQ(restore_error(snapshot).message,
            "snapshot: a question waits but the node is not a question");

  snapshot = mid_question_snapshot();
  snapshot.at("stack").at(0).as_object()["pc"] = bj::array{0, 0, 0};  // 0 is not a condition
  EXPECT_NE(restore_error(snapshot).message.find("node address"), std::string::npos);

  snapshot = mid_question_snapshot();
  snapshot.as_object()["flow"] = "handoff_pending";
  EXPECT_EQ(restore_error(snapshot).message,
            "snapshot: the flow is paused but the node is not a handoff");

  snapshot = mid_question_snapshot();
  snapshot.as_object()["retries"] = -1;
  EXPECT_EQ(restore_error(snapshot).message, "snapshot: missing or malformed field");

  snapshot = mid_question_snapshot();
  snapshot.as_object()["variables"] = bj::object{
      {"next", 3},
      {"slots",
       bj::array{bj::object{
           {"topic", "Store hours"}, {"name", "CustomerName"}, {"value", 1}, {"seq", 1}}}}};
  EXPECT_EQ(restore_error(snapshot).message,
            "snapshot: variables: variable 'CustomerName' changed scope");
}

TEST(Snapshot, EveryTruncationOrFieldRemovalIsAnErrorNotACrash) {
  const auto snapshot = mid_question_snapshot();
  for (const auto& [key, _] : snapshot.as_object()) {
    auto broken = snapshot;
    broken.as_object().erase(key);
    Chat chat(store_bot());
    ManualClock clock;
    auto restored =
        Runtime::restore(chat.compiled(), clock, chat.ids(), Chat::default_info(), broken, {});
    EXPECT_FALSE(restored.ok()) << "without " << key;
  }
}

}  // namespace
}  // namespace baton::dialog
