// Every node type and the less common paths, each on a small bot built in code.
#include <gtest/gtest.h>

#include "dialog/script_test_support.hpp"

namespace baton::dialog {
namespace {

namespace bj = boost::json;
using namespace testing;
using V = std::vector<std::string>;

bot::Bot small_bot(std::vector<bot::Topic> topics) {
  bot::Bot b;
  b.id = "small";
  b.name = "Small";
  b.topics = default_system_topics(b.name);
  b.topics[0].nodes = {message("Hi.")};  // a short greeting keeps the tables readable
  for (auto& t : topics) {
    b.topics.push_back(std::move(t));
  }
  return b;
}

TEST(Nodes, ConditionElseIfElseAndNesting) {
  auto b = small_bot(
      {topic("Size", {"check the size please"},
             {ask(question("How many?", nlu::EntityType::kNumber, "N")),
              condition({{"N == 1", {message("one")}},
                         {"N == 2",
                          {message("two"), condition({{"N == 2", {message("nested two")}}}),
                           message("after nested")}},
                         {"", {message("many")}}}),
              message("done")})});
  run_script({"condition",
              {{"!start", {"Hi."}},
               {"check the size please", {"How many?"}},
               {"1", {"one", "done"}},
               {"check the size please", {"How many?"}},
               {"2", {"two", "nested two", "after nested", "done"}},
               {"check the size please", {"How many?"}},
               {"7", {"many", "done"}}}},
             CompiledBot::compile(b));
}

TEST(Nodes, RedirectRunsTheTopicThenContinuesAndEndTopicReturns) {
  auto b = small_bot(
      {topic("Outer", {"run the outer topic"},
             {message("outer 1"), redirect("Inner"), message("outer 2")}),
       topic("Inner", {}, {message("inner 1"), end_topic(), message("never shown")}),
       topic("Quit", {"quit the topic"}, {message("quit 1"), end_topic(), message("never")})});
  run_script({"redirect",
              {{"!start", {"Hi."}},
               {"run the outer topic", {"outer 1", "inner 1", "outer 2"}},
               {"quit the topic", {"quit 1"}}}},
             CompiledBot::compile(b));
}

TEST(Nodes, RedirectToEscalateIsExplicit) {
  auto b = small_bot({topic("Billing", {"billing problem"},
                            {message("Let me get someone."), redirect("Escalate")})});
  run_script({"redirect to escalate",
              {{"!start", {"Hi."}},
               {"billing problem",
                {"Let me get someone.", "I'll connect you with an agent.",
                 "Let's send you to an available agent."},
                FlowState::kHandoffPending,
                HandoffReason::kExplicit}}},
             CompiledBot::compile(b));
}

TEST(Nodes, RedirectCyclesAreBounded) {
  auto b = small_bot({topic("Ping", {"ping pong loop"}, {message("ping"), redirect("Pong")}),
                      topic("Pong", {}, {redirect("Ping")})});
  Chat chat(b);
  chat.runtime().start();
  const auto result = chat.say("ping pong loop");
  EXPECT_FALSE(result.replies.empty());
  EXPECT_LE(result.replies.size(), 10'000u);  // the step bound stopped it
  EXPECT_EQ(chat.runtime().state(), FlowState::kActive);
  EXPECT_EQ(texts(chat.say("xyzzy plugh")), V{"Sorry, I didn't get that. Could you rephrase?"});
}

TEST(Nodes, SetVariableLiteralExpressionAndInterpolation) {
  auto b = small_bot(
      {topic("Vars", {"set some variables"},
             {set_variable("A", "\"x\""), set_variable("B", "A"), set_variable("C", "A == \"x\""),
              node(bot::SetVariableNode{"D", bot::Expression::literal(bj::array{1, 2})}),
              message("{A}/{B}/{C}/{{literal}}/{Missing}")})});
  b.variables.push_back({{}, "Missing", nullptr});
  Chat chat(b);
  chat.runtime().start();
  EXPECT_EQ(texts(chat.say("set some variables")), V{"x/x/true/{literal}/"});
  const auto vars = chat.runtime().variables();
  EXPECT_EQ(vars.at("C"), true);
  EXPECT_EQ(vars.at("D"), (bj::array{1, 2}));
}

TEST(Nodes, QuestionOnFailureContinueLeavesTheVariableUnset) {
  auto q = question("Email?", nlu::EntityType::kEmail, "Email");
  q.max_retries = 0;
  q.on_failure = bot::QuestionNode::OnFailure::kContinue;
  auto b = small_bot({topic("Contact", {"contact me please"},
                            {ask(std::move(q)), condition({{"Email == null", {message("no email")}},
                                                           {"", {message("email {Email}")}}})})});
  run_script({"continue",
              {{"!start", {"Hi."}},
               {"contact me please", {"Email?"}},
               {"not telling", {"no email"}},
               {"contact me please", {"Email?"}},
               {"ada@example.com", {"email ada@example.com"}}}},
             CompiledBot::compile(b));
}

TEST(Nodes, QuestionQuickRepliesAndDefaultRetryPrompt) {
  auto q = question("Pick a colour", nlu::EntityType::kChoice, "Colour");
  q.choices = {{"red", {}}, {"blue", {"navy"}}};
  q.quick_replies = {tmpl("I don't know")};
  auto b = small_bot({topic("Colour", {"choose a colour"}, {ask(std::move(q))})});
  Chat chat(b);
  chat.runtime().start();
  const auto asked = chat.say("choose a colour");
  ASSERT_EQ(asked.replies.size(), 1u);
  std::vector<std::string> titles;
  for (const auto& action : asked.replies[0].suggested_actions.actions) {
    titles.push_back(action.title);
  }
  EXPECT_EQ(titles, (V{"red", "blue", "I don't know"}));
  EXPECT_EQ(texts(chat.say("green")), V{"Pick a colour"});  // no retry_prompt → the prompt
  EXPECT_EQ(texts(chat.say("navy")), V{});
  EXPECT_EQ(chat.runtime().variables().at("Colour"), "blue");
}

TEST(Nodes, MessageQuickReplies) {
  auto b = small_bot(
      {topic("Menu", {"show me the menu"}, {message("Choose:", {"Store hours", "Order status"})})});
  Chat chat(b);
  chat.runtime().start();
  const auto result = chat.say("show me the menu");
  ASSERT_EQ(result.replies.size(), 1u);
  ASSERT_EQ(result.replies[0].suggested_actions.actions.size(), 2u);
  EXPECT_EQ(result.replies[0].suggested_actions.actions[1].title, "Order status");
}

TEST(Nodes, EndConversationPlainWithTextAndSurvey) {
  auto b = small_bot({topic("Bye", {"goodbye now"}, {end_conversation(false, "Goodbye!")}),
                      topic("Done", {"i am done"},
                            {end_conversation(true, "Before you go..."), message("never")})});
  run_script({"end",
              {{"!start", {"Hi."}},
               {"goodbye now", {"Goodbye!", "<end>"}, FlowState::kEnded},
               {"i am done", {"Before you go...", "Did that answer your question?"}},
               {"yes", {"How would you rate your experience, from 1 to 5?"}},
               {"three", {"Thanks for your feedback!", "<end>"}, FlowState::kEnded}}},
             CompiledBot::compile(b));
}

TEST(Nodes, EndConversationWithTransferHandsOff) {
  bot::HandoffNode h;
  h.kind = bot::HandoffNode::Kind::kEndConversation;
  h.spec.agent_message = tmpl("POS is down");
  h.spec.text = tmpl("Transferring you now.");
  auto b = small_bot({topic("POS", {"my point of sale system is down"},
                            {node(std::move(h)), message("Outcome {System.HandoffOutcome}")})});
  run_script({"end with transfer",
              {{"!start", {"Hi."}},
               {"my point of sale system is down",
                {"Transferring you now."},
                FlowState::kHandoffPending,
                HandoffReason::kExplicit},
               {"!resume completed",
                {"Outcome completed"},
                FlowState::kActive,
                {},
                HandoffOutcome::kCompleted}}},
             CompiledBot::compile(b));
}

// A handoff says the node's text, then its agents-online text (the default when it sets neither);
// the cancel quick reply is offered on the last of them only.
TEST(Nodes, HandoffTextsAndTheCancelQuickReplyOnTheLastOne) {
  struct Case {
    std::string text, online;
    V said;
  };
  const Case cases[] = {
      {"", "", {"Let's send you to an available agent."}},
      {"Payments go to a person.", "", {"Payments go to a person."}},
      {"", "Connecting you now.", {"Connecting you now."}},
      {"Payments go to a person.",
       "Connecting you now.",
       {"Payments go to a person.", "Connecting you now."}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text + " | " + c.online);
    bot::HandoffSpec spec;
    spec.text = c.text.empty() ? bot::Template{} : tmpl(c.text);
    spec.agents_online_text = c.online.empty() ? bot::Template{} : tmpl(c.online);
    spec.cancel_quick_reply = tmpl("Stop");
    Chat chat(small_bot({topic("Pay", {"i want to pay"}, {handover(std::move(spec))})}));
    chat.runtime().start();
    const auto result = chat.say("i want to pay");
    ASSERT_TRUE(result.handoff);
    EXPECT_EQ(texts(result), c.said);
    ASSERT_EQ(result.replies.size(), c.said.size());
    for (std::size_t i = 0; i + 1 < result.replies.size(); ++i) {
      EXPECT_TRUE(result.replies[i].suggested_actions.actions.empty());
    }
    const auto& actions = result.replies.back().suggested_actions.actions;
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0].title, "Stop");
  }
}

TEST(Nodes, WaitingTextAnswersWhileQueuedOnly) {
  auto b = store_bot();
  b.settings.handoff.waiting_text = "You are in the queue.";
  run_script({"waiting text",
              {{"!start", {"Hello, I'm Contoso Store. How can I help?"}},
               {"talk to an agent",
                {"I'll connect you with an agent.", "Let's send you to an available agent."},
                FlowState::kHandoffPending,
                HandoffReason::kRequested},
               {"hello?", {"You are in the queue."}, FlowState::kHandoffPending},
               {"!joined", {}, FlowState::kWithAgent},
               {"hello?", {}, FlowState::kWithAgent}}},
             CompiledBot::compile(b));
}

TEST(Nodes, StartOverClearsVariables) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("order status");
  chat.say("42");
  EXPECT_EQ(chat.runtime().variables().at("OrderId"), 42);
  EXPECT_EQ(texts(chat.say("restart")),
            (V{"OK, let's start over.", "Hello, I'm Contoso Store. How can I help?"}));
  EXPECT_FALSE(chat.runtime().variables().contains("OrderId"));
  EXPECT_FALSE(chat.runtime().variables().contains("CustomerName"));  // declared, now unset
}

TEST(Nodes, StartOverTopicThatRedirectsToGreetingGreetsOnce) {
  auto b = small_bot({});
  for (auto& t : b.topics) {
    if (t.system == bot::SystemTopic::kStartOver) {
      t.nodes.push_back(redirect("Greeting"));
    }
  }
  Chat chat(b);
  chat.runtime().start();
  EXPECT_EQ(texts(chat.say("start over")), (V{"OK, let's start over.", "Hi."}));
}

TEST(Nodes, SystemVariables) {
  auto b = small_bot({topic("Who", {"who am i"},
                            {message("{System.UserId} {System.UserName} {System.ConversationId} "
                                     "{System.Language} [{System.LastMessage}]")})});
  Chat chat(b);
  chat.runtime().start();
  EXPECT_EQ(texts(chat.say("who am i")), V{"user1 Ada conv1 en-us [who am i]"});
}

TEST(Nodes, EscalationReasonIsVisibleToTheEscalateTopic) {
  auto b = small_bot({});
  b.settings.no_match_threshold = 1;
  for (auto& t : b.topics) {
    if (t.system == bot::SystemTopic::kEscalate) {
      t.nodes.insert(t.nodes.begin(), message("reason {System.EscalationReason}"));
    }
  }
  Chat chat(b);
  chat.runtime().start();
  const auto result = chat.say("xyzzy plugh");
  ASSERT_FALSE(result.replies.empty());
  EXPECT_EQ(result.replies[0].text, "reason no_match");
  ASSERT_TRUE(result.handoff);
  EXPECT_EQ(result.handoff->reason, HandoffReason::kNoMatch);
}

TEST(Nodes, BotWithoutSystemTopicsStillEscalatesAndFallsBack) {
  bot::Bot b;
  b.id = "bare";
  b.name = "Bare";
  b.settings.no_match_threshold = 2;
  b.topics.push_back(topic("Hours", {"opening hours"}, {message("9 to 5")}));
  Chat chat(b);
  EXPECT_TRUE(chat.runtime().start().replies.empty());  // no greeting topic
  EXPECT_EQ(texts(chat.say("opening hours")), V{"9 to 5"});
  EXPECT_EQ(texts(chat.say("xyzzy plugh")), V{"Sorry, I didn't get that. Could you rephrase?"});
  const auto result = chat.say("qwv zzkx");
  ASSERT_TRUE(result.handoff);
  EXPECT_EQ(result.handoff->reason, HandoffReason::kNoMatch);
  EXPECT_EQ(texts(result), V{"Let's send you to an available agent."});
  EXPECT_EQ(texts(chat.runtime().resume(HandoffOutcome::kCompleted)), V{});
  EXPECT_EQ(chat.runtime().state(), FlowState::kActive);
}

}  // namespace
}  // namespace baton::dialog
