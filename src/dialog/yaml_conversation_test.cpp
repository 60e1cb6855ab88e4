// Conversation tests on bots written in YAML (the form authors write), loaded with
// bot::load_bot_from_string; the system topics are the loader's defaults.
#include <gtest/gtest.h>

#include "bot/loader.hpp"
#include "dialog/script_test_support.hpp"

namespace baton::dialog {
namespace {

using testing::Script;
constexpr auto kPending = FlowState::kHandoffPending;

const char* const kShopYaml = R"yaml(
bot:
  id: shop
  name: Shop
  language: en-us
settings:
  no_match_threshold: 2
  invalid_answer_threshold: 2
  escalation_phrases: [talk to an agent, speak to a human]
  cancel_phrases: [cancel, never mind]
  handoff:
    waiting_text: You're in the queue.
variables:
  - name: Name
  - name: Visits
    value: 0
  - name: Order
topics:
  - name: Hours
    triggers: [what are your hours, when are you open]
    nodes:
      - message: "We're open 9 to 5{Suffix}."
      - set_variable:
          variable: Suffix
          value: ", still"
  - name: Introduce
    triggers: [let me introduce myself]
    nodes:
      - question:
          prompt: What's your name?
          entity: text
          variable: Name
      - message:
          text: "Nice to meet you, {Name}!"
          quick_replies: [What are your hours]
  - name: Age check
    triggers: [check my age]
    nodes:
      - question:
          prompt: How old are you?
          entity: number
          variable: Age
          retry_prompt: Please give a number.
      - condition:
          - if: Age >= 18
            then:
              - message: Adult.
          - if: Age >= 13
            then:
              - message: Teen.
          - else:
              - message: Child.
  - name: Coupon
    triggers: [apply my coupon]
    nodes:
      - question:
          prompt: Coupon code?
          entity: regex
          pattern: "^[A-Z]{4}[0-9]{2}$"
          variable: Code
          max_retries: 0
          on_failure: continue
      - condition:
          - if: Code is empty
            then:
              - message: No coupon applied.
          - else:
              - message: Coupon {Code} applied.
  - name: Damaged
    triggers: [my item arrived damaged]
    nodes:
      - message: Sorry to hear that.
      - redirect: Collect order
      - transfer:
          agent_message: "Damaged item, order {Order}"
          queue: claims
          skills: [claims]
          priority: 1
      - condition:
          - if: System.HandoffOutcome == "completed"
            then:
              - end_conversation:
                  survey: true
          - else:
              - message: "We'll email you about order {Order}."
  - name: Collect order
    nodes:
      - question:
          prompt: Order number?
          entity: number
          variable: Order
      - condition:
          - if: Order == 0
            then:
              - message: That's not a real order.
              - end_topic
      - message: Got order {Order}.
  - name: Payment
    triggers: [i want to pay]
    nodes:
      - handover:
          text: Payments go to a person.
          cancel_quick_reply: Stop
          cancel_intent: Stop waiting
          unavailable_text: Billing is closed.
      - message: "Payment outcome: {System.HandoffOutcome}."
  - name: Stop waiting
    triggers: [i do not want to wait anymore]
    nodes:
      - message: Nothing to stop.
  - name: Bye
    triggers: [goodbye]
    nodes:
      - end_conversation:
          text: Bye!
)yaml";

std::shared_ptr<const CompiledBot> shop() {
  static const auto compiled = [] {
    auto loaded = bot::load_bot_from_string(kShopYaml, "shop.yaml");
    for (const auto& d : loaded.diagnostics) {
      ADD_FAILURE() << d.format();
    }
    return loaded.bot ? CompiledBot::compile(std::move(*loaded.bot)) : nullptr;
  }();
  return compiled;
}

const char* const kHello = "Hello, I'm Shop. How can I help?";
const char* const kSorry = "Sorry, I didn't get that. Could you rephrase?";
const char* const kConnect = "I'll connect you with an agent.";
const char* const kSend = "Let's send you to an available agent.";

const std::vector<Script>& scripts() {
  static const std::vector<Script> all = {
      {"message, set_variable and topic variables persisting",
       {{"!start", {kHello}},
        {"what are your hours", {"We're open 9 to 5."}},
        {"when are you open", {"We're open 9 to 5, still."}}}},
      {"text question and quick replies",
       {{"!start", {kHello}},
        {"let me introduce myself", {"What's your name?"}},
        {"Ada Lovelace", {"Nice to meet you, Ada Lovelace!"}}}},
      {"number question, retry, else-if chain",
       {{"!start", {kHello}},
        {"check my age", {"How old are you?"}},
        {"old enough", {"Please give a number."}},
        {"15", {"Teen."}},
        {"check my age", {"How old are you?"}},
        {"40", {"Adult."}}}},
      {"invalid answers escalate with invalid_answer (threshold 2)",
       {{"!start", {kHello}},
        {"check my age", {"How old are you?"}},
        {"old enough", {"Please give a number."}},
        {"very old", {kConnect, kSend}, kPending, HandoffReason::kInvalidAnswer}}},
      {"regex question, on_failure continue",
       {{"!start", {kHello}},
        {"apply my coupon", {"Coupon code?"}},
        {"no code", {"No coupon applied."}},
        {"apply my coupon", {"Coupon code?"}},
        {"SAVE10", {"Coupon SAVE10 applied."}}}},
      {"redirect, end_topic, transfer, unavailable resume",
       {{"!start", {kHello}},
        {"my item arrived damaged", {"Sorry to hear that.", "Order number?"}},
        {"1234", {"Got order 1234.", kSend}, kPending, HandoffReason::kExplicit},
        {"hello?", {"You're in the queue."}, kPending},
        {"!resume unavailable",
         {"We'll email you about order 1234."},
         FlowState::kActive,
         {},
         HandoffOutcome::kUnavailable}}},
      {"completed → survey from the default end_of_conversation topic",
       {{"!start", {kHello}},
        {"my item arrived damaged", {"Sorry to hear that.", "Order number?"}},
        {"0", {"That's not a real order.", kSend}, kPending, HandoffReason::kExplicit},
        {"!joined", {}, FlowState::kWithAgent},
        {"!resume completed",
         {"Did that answer your question?"},
         FlowState::kActive,
         {},
         HandoffOutcome::kCompleted},
        {"yes", {"How would you rate your experience, from 1 to 5?"}},
        {"five", {"Thanks for your feedback!", "<end>"}, FlowState::kEnded}}},
      {"handover cancelled by quick reply, by intent, by phrase",
       {{"!start", {kHello}},
        {"i want to pay", {"Payments go to a person."}, kPending, HandoffReason::kExplicit},
        {"stop",
         {"Payment outcome: cancelled."},
         FlowState::kActive,
         {},
         HandoffOutcome::kCancelled},
        {"i want to pay", {"Payments go to a person."}, kPending, HandoffReason::kExplicit},
        {"i do not want to wait anymore",
         {"Payment outcome: cancelled."},
         FlowState::kActive,
         {},
         HandoffOutcome::kCancelled},
        {"i want to pay", {"Payments go to a person."}, kPending, HandoffReason::kExplicit},
        {"never mind",
         {"Payment outcome: cancelled."},
         FlowState::kActive,
         {},
         HandoffOutcome::kCancelled},
        {"i do not want to wait anymore", {"Nothing to stop."}}}},
      {"handover with agents offline",
       {{"!start", {kHello}},
        {"!offline", {}},
        {"i want to pay",
         {"Billing is closed.", "Payment outcome: unavailable."},
         FlowState::kActive,
         HandoffReason::kExplicit,
         HandoffOutcome::kUnavailable}}},
      {"no-match threshold 2 and the default escalate topic",
       {{"!start", {kHello}},
        {"xyzzy plugh", {kSorry}},
        {"qwv zzkx", {kConnect, kSend}, kPending, HandoffReason::kNoMatch},
        {"!resume timed_out",
         {"You can also try again later."},
         FlowState::kActive,
         {},
         HandoffOutcome::kTimedOut}}},
      {"escalation mid-question and default start over",
       {{"!start", {kHello}},
        {"let me introduce myself", {"What's your name?"}},
        {"start over", {"OK, let's start over.", kHello}},
        {"let me introduce myself", {"What's your name?"}},
        {"speak to a human", {kConnect, kSend}, kPending, HandoffReason::kRequested}}},
      {"topic switch mid-question",
       {{"!start", {kHello}},
        {"check my age", {"How old are you?"}},
        {"what are your hours", {"We're open 9 to 5.", "How old are you?"}},
        {"9", {"Child."}}}},
      {"plain end and a fresh start",
       {{"!start", {kHello}},
        {"goodbye", {"Bye!", "<end>"}, FlowState::kEnded},
        {"what are your hours", {"We're open 9 to 5."}}}},
  };
  return all;
}

class YamlScript : public ::testing::TestWithParam<std::size_t> {};

TEST_P(YamlScript, Runs) {
  ASSERT_NE(shop(), nullptr);
  testing::run_script(scripts()[GetParam()], shop());
}

INSTANTIATE_TEST_SUITE_P(Shop, YamlScript, ::testing::Range<std::size_t>(0, scripts().size()),
                         [](const auto& param) {
                           return testing::test_name(scripts()[param.param]);
                         });

TEST(YamlContext, HandoffContextFromAYamlBot) {
  ASSERT_NE(shop(), nullptr);
  testing::Chat chat(shop());
  chat.runtime().start();
  chat.say("let me introduce myself");
  chat.say("Grace");
  chat.say("my item arrived damaged");
  const auto result = chat.say("555");
  ASSERT_TRUE(result.handoff);
  const auto& context = result.handoff->context;
  EXPECT_EQ(context.at("va_Topics"), (boost::json::array{"Introduce", "Damaged"}));
  EXPECT_EQ(context.at("va_LastTopic"), "Damaged");
  EXPECT_EQ(context.at("va_LastPhrases"), "my item arrived damaged");
  EXPECT_EQ(context.at("va_AgentMessage"), "Damaged item, order 555");
  EXPECT_EQ(context.at("Name"), "Grace");
  EXPECT_EQ(context.at("Visits"), 0);
  EXPECT_EQ(context.at("Order"), 555);
  EXPECT_EQ(result.handoff->routing.queue, "claims");
  EXPECT_EQ(result.handoff->routing.priority, 1);
  EXPECT_EQ(result.handoff->topic, "Damaged");
}

}  // namespace
}  // namespace baton::dialog
