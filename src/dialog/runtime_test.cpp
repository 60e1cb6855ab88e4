// Table-driven conversation tests on the store bot (test_bot.cpp): each script is a list of steps,
// a step is one input (a user message or a command) with the bot texts, flow state and handoff
// facts it must produce.
#include <gtest/gtest.h>

#include "dialog/script_test_support.hpp"

namespace baton::dialog {
namespace {

using testing::Script;
constexpr auto kActive = FlowState::kActive;
constexpr auto kPending = FlowState::kHandoffPending;
constexpr auto kWithAgent = FlowState::kWithAgent;
constexpr auto kEnded = FlowState::kEnded;
constexpr auto kExplicit = HandoffReason::kExplicit;
constexpr auto kRequested = HandoffReason::kRequested;
constexpr auto kNoMatch = HandoffReason::kNoMatch;
constexpr auto kInvalidAnswer = HandoffReason::kInvalidAnswer;

const char* const kHello = "Hello, I'm Contoso Store. How can I help?";
const char* const kSorry = "Sorry, I didn't get that. Could you rephrase?";
const char* const kConnect = "I'll connect you with an agent.";
const char* const kSend = "Let's send you to an available agent.";
const char* const kSurvey = "Did that answer your question?";
const char* const kRate = "How would you rate your experience, from 1 to 5?";

const std::vector<Script>& scripts() {
  static const std::vector<Script> all = {
      {"greeting runs once on start",
       {{"!start", {kHello}}, {"!start", {}}, {"what are your hours", {"We're open 9 to 5."}}}},
      {"greeting runs lazily before the first message",
       {{"what are your hours", {kHello, "We're open 9 to 5."}}}},
      {"a first 'hi' greets once", {{"hi", {kHello}}, {"hi", {kHello}}}},
      {"message and quick replies",
       {{"!start", {kHello}}, {"store hours", {"We're open 9 to 5."}}}},
      {"choice with synonym, regex, explicit transfer, completed",
       {{"!start", {kHello}},
        {"return an item", {"Which store?"}},
        {"rtc", {"What is the order number?"}},
        {"it is AB123456", {"Returning order AB123456 at Redmond.", kSend}, kPending, kExplicit},
        {"!resume completed", {"Glad we could help."}, kActive, {}, HandoffOutcome::kCompleted}}},
      {"invalid choice re-asks with the retry prompt, then escalates (invalid_answer)",
       {{"!start", {kHello}},
        {"return an item", {"Which store?"}},
        {"Tacoma", {"Please pick one of the stores."}},
        {"Spokane", {"Please pick one of the stores."}},
        {"Yakima", {kConnect, kSend}, kPending, kInvalidAnswer}}},
      {"max_retries 1: one re-ask then escalation",
       {{"!start", {kHello}},
        {"order status", {"What is your order id?"}},
        {"no idea", {"Please type the order id as a number."}},
        {"still no idea", {kConnect, kSend}, kPending, kInvalidAnswer}}},
      {"number question and set_variable",
       {{"!start", {kHello}},
        {"order status", {"What is your order id?"}},
        {"it's 42", {"Order 42 ships tomorrow."}, kActive}}},
      {"no-match below the threshold runs fallback, at the threshold escalates",
       {{"!start", {kHello}},
        {"xyzzy plugh", {kSorry}},
        {"qwv zzkx", {kSorry}},
        {"blorft snarf", {kConnect, kSend}, kPending, kNoMatch}}},
      {"a match resets the no-match count",
       {{"!start", {kHello}},
        {"xyzzy plugh", {kSorry}},
        {"qwv zzkx", {kSorry}},
        {"store hours", {"We're open 9 to 5."}},
        {"blorft snarf", {kSorry}},
        {"xyzzy plugh", {kSorry}}}},
      {"escalation phrase at the top level",
       {{"!start", {kHello}}, {"talk to an agent", {kConnect, kSend}, kPending, kRequested}}},
      {"escalation phrase mid-question, even though any text would be valid",
       {{"!start", {kHello}},
        {"return an item", {"Which store?"}},
        {"speak to a human", {kConnect, kSend}, kPending, kRequested}}},
      {"topic switch mid-question and return to the question",
       {{"!start", {kHello}},
        {"return an item", {"Which store?"}},
        {"what are your hours", {"We're open 9 to 5.", "Which store?"}},
        {"Bellevue", {"What is the order number?"}}}},
      {"no bot reply while paused; an agent joins; completed runs the survey",
       {{"!start", {kHello}},
        {"talk to an agent", {kConnect, kSend}, kPending, kRequested},
        {"hello? anyone?", {}, kPending},
        {"!joined", {}, kWithAgent},
        {"cancel", {}, kWithAgent},
        {"!resume completed", {kSurvey}, kActive, {}, HandoffOutcome::kCompleted},
        {"yes", {kRate}},
        {"four", {"Thanks for your feedback!", "<end>"}, kEnded}}},
      {"resume unavailable apologises",
       {{"!start", {kHello}},
        {"talk to an agent", {kConnect, kSend}, kPending, kRequested},
        {"!resume unavailable",
         {"You can also try again later."},
         kActive,
         {},
         HandoffOutcome::kUnavailable}}},
      {"resume timed_out apologises",
       {{"!start", {kHello}},
        {"talk to an agent", {kConnect, kSend}, kPending, kRequested},
        {"!resume timed_out",
         {"You can also try again later."},
         kActive,
         {},
         HandoffOutcome::kTimedOut}}},
      {"resume cancelled continues silently in the default escalate topic",
       {{"!start", {kHello}},
        {"talk to an agent", {kConnect, kSend}, kPending, kRequested},
        {"!resume cancelled", {}, kActive, {}, HandoffOutcome::kCancelled}}},
      {"resume unsupported from the hub",
       {{"!start", {kHello}},
        {"pay my bill", {"I'm requesting an agent for you.", kSend}, kPending, kExplicit},
        {"!resume unsupported",
         {"Bill outcome: unsupported."},
         kActive,
         {},
         HandoffOutcome::kUnsupported}}},
      {"resume when not paused does nothing",
       {{"!start", {kHello}}, {"!resume completed", {}, kActive}}},
      {"cancel by quick reply",
       {{"!start", {kHello}},
        {"pay my bill", {"I'm requesting an agent for you.", kSend}, kPending, kExplicit},
        {"Cancel", {"OK, request cancelled."}, kActive, {}, HandoffOutcome::kCancelled}}},
      {"cancel by the cancel intent",
       {{"!start", {kHello}},
        {"pay my bill", {"I'm requesting an agent for you.", kSend}, kPending, kExplicit},
        {"cancel my request", {"OK, request cancelled."}, kActive, {}, HandoffOutcome::kCancelled},
        {"cancel my request", {"There is nothing to cancel."}, kActive}}},
      {"cancel by phrase",
       {{"!start", {kHello}},
        {"pay my bill", {"I'm requesting an agent for you.", kSend}, kPending, kExplicit},
        {"Never mind!", {"OK, request cancelled."}, kActive, {}, HandoffOutcome::kCancelled}}},
      {"cancel by value {cancel: true}",
       {{"!start", {kHello}},
        {"pay my bill", {"I'm requesting an agent for you.", kSend}, kPending, kExplicit},
        {"!cancel-value", {"OK, request cancelled."}, kActive, {}, HandoffOutcome::kCancelled}}},
      {"no cancel after the agent joined",
       {{"!start", {kHello}},
        {"pay my bill", {"I'm requesting an agent for you.", kSend}, kPending, kExplicit},
        {"!joined", {}, kWithAgent},
        {"Cancel", {}, kWithAgent},
        {"!cancel-value", {}, kWithAgent}}},
      {"unsupported channel takes the unsupported path at once",
       {{"!nolive", {}},
        {"!start", {kHello}},
        {"pay my bill",
         {"This channel can't do live chat.", "Bill outcome: unsupported."},
         kActive,
         kExplicit,
         HandoffOutcome::kUnsupported}}},
      {"unsupported channel, default texts in the escalate topic",
       {{"!nolive", {}},
        {"!start", {kHello}},
        {"talk to an agent",
         {kConnect, "Sorry, live chat is not available on this channel.",
          "You can also try again later."},
         kActive,
         kRequested,
         HandoffOutcome::kUnsupported}}},
      {"agents offline → unavailable at once",
       {{"!offline", {}},
        {"!start", {kHello}},
        {"pay my bill",
         {"No agents are online right now.", "Bill outcome: unavailable."},
         kActive,
         kExplicit,
         HandoffOutcome::kUnavailable},
        {"talk to an agent",
         {kConnect, "Sorry, no agent is available right now.", "You can also try again later."},
         kActive,
         kRequested,
         HandoffOutcome::kUnavailable},
        {"!online", {}},
        {"talk to an agent", {kConnect, kSend}, kPending, kRequested}}},
      {"start over mid-question clears and greets",
       {{"!start", {kHello}},
        {"return an item", {"Which store?"}},
        {"start over", {"OK, let's start over.", kHello}, kActive},
        {"Bellevue", {kSorry}}}},
      {"a message after the end starts a fresh conversation without greeting",
       {{"!start", {kHello}},
        {"talk to an agent", {kConnect, kSend}, kPending, kRequested},
        {"!resume completed", {kSurvey}, kActive, {}, HandoffOutcome::kCompleted},
        {"no", {kRate}},
        {"5", {"Thanks for your feedback!", "<end>"}, kEnded},
        {"store hours", {"We're open 9 to 5."}, kActive}}},
      {"startConversation event greets",
       {{"!event startConversation", {kHello}}, {"!event startConversation", {}}}},
  };
  return all;
}

class ConversationScript : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ConversationScript, Runs) { testing::run_script(scripts()[GetParam()]); }

INSTANTIATE_TEST_SUITE_P(Store, ConversationScript,
                         ::testing::Range<std::size_t>(0, scripts().size()), [](const auto& param) {
                           return testing::test_name(scripts()[param.param]);
                         });

}  // namespace
}  // namespace baton::dialog
