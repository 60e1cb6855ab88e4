// The handoff request (va_* context, variables merge, transcript, routing) and output stamping.
#include <gtest/gtest.h>

#include "dialog/script_test_support.hpp"

namespace baton::dialog {
namespace {

namespace bj = boost::json;
using namespace testing;

// Two topics that set the same topic-variable name, a global, and a redirect.
bot::Bot merge_bot() {
  bot::Bot b;
  b.id = "merge-bot";
  b.name = "Merge Bot";
  b.language = "en-us";
  b.variables.push_back({{}, "Customer", bj::value("anonymous")});
  b.variables.push_back({{}, "Unset", nullptr});
  b.topics = default_system_topics(b.name);
  b.topics.push_back(topic("Alpha", {"alpha topic please"},
                           {set_variable("Item", "\"from alpha\""),
                            set_variable("Customer", "\"Ada\""), message("Alpha {Item}.")}));
  b.topics.push_back(
      topic("Beta", {"beta topic please"},
            {set_variable("Item", "\"from beta\""), redirect("Helper"), message("Beta {Item}.")}));
  b.topics.push_back(topic("Helper", {}, {set_variable("Note", "\"helped\"")}));
  b.topics.push_back(topic("Gamma", {"gamma topic please"},
                           {message("Gamma sees {Item}."), set_variable("Item", "\"from gamma\""),
                            transfer("Agent note: {Item} for {Customer}", "vip")}));
  return b;
}

TEST(HandoffContext, VaKeysMergePrecedenceAndRedirectsExcluded) {
  Chat chat(merge_bot());
  chat.runtime().start();
  EXPECT_EQ(texts(chat.say("beta topic please")), (std::vector<std::string>{"Beta from beta."}));
  EXPECT_EQ(texts(chat.say("alpha topic please")), (std::vector<std::string>{"Alpha from alpha."}));
  EXPECT_EQ(texts(chat.say("alpha topic please")), (std::vector<std::string>{"Alpha from alpha."}));
  // Gamma's own Item is unset: topic variables are per topic even when names clash.
  const auto result = chat.say("gamma topic please");
  ASSERT_TRUE(result.handoff);
  const HandoffRequest& request = *result.handoff;
  EXPECT_EQ(request.reason, HandoffReason::kExplicit);
  EXPECT_EQ(request.topic, "Gamma");
  EXPECT_EQ(request.agent_message, "Agent note: from gamma for Ada");
  EXPECT_EQ(request.routing.queue, "vip");
  const bj::object expected{
      {"va_Scope", "bot"},
      {"va_LastTopic", "Gamma"},
      {"va_Topics", bj::array{"Beta", "Alpha", "Gamma"}},  // no Helper, Alpha once
      {"va_LastPhrases", "gamma topic please"},
      {"va_Phrases", bj::array{"beta topic please", "alpha topic please", "gamma topic please"}},
      {"va_ConversationId", "conv1"},
      {"va_AgentMessage", "Agent note: from gamma for Ada"},
      {"va_BotId", "merge-bot"},
      {"va_BotName", "Merge Bot"},
      {"va_Language", "en-us"},
      {"Customer", "Ada"},
      {"Item", "from gamma"},  // the most recently set of Beta's, Alpha's and Gamma's Item
      {"Note", "helped"},
  };
  EXPECT_EQ(request.context, expected);
  EXPECT_EQ(bj::serialize(request.context), bj::serialize(expected)) << "key order";
  EXPECT_EQ(chat.runtime().variables(),
            (bj::object{{"Customer", "Ada"}, {"Item", "from gamma"}, {"Note", "helped"}}));
}

TEST(HandoffContext, MostRecentSetWinsOverOlderTopic) {
  Chat chat(merge_bot());
  chat.runtime().start();
  chat.say("alpha topic please");
  chat.say("beta topic please");
  EXPECT_EQ(chat.runtime().variables().at("Item"), "from beta");
  chat.say("alpha topic please");
  EXPECT_EQ(chat.runtime().variables().at("Item"), "from alpha");
}

TEST(HandoffContext, TranscriptHoldsTheConversationUpToTheHandoff) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("store hours");
  const auto result = chat.say("talk to an agent");
  ASSERT_TRUE(result.handoff);
  const auto& transcript = result.handoff->transcript;
  std::vector<std::string> lines;
  lines.reserve(transcript.size());
  for (const auto& a : transcript) {
    lines.push_back(a.from.role + ":" + a.text);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"bot:Hello, I'm Contoso Store. How can I help?",
                                             "user:store hours", "bot:We're open 9 to 5.",
                                             "user:talk to an agent",
                                             "bot:I'll connect you with an agent.",
                                             "bot:Let's send you to an available agent."}));
  EXPECT_EQ(result.handoff->context.at("va_LastTopic"), "Store hours");
  EXPECT_EQ(result.handoff->context.at("va_Topics"), (bj::array{"Store hours"}));
  EXPECT_EQ(chat.runtime().transcript().size(), transcript.size());
}

TEST(HandoffContext, HandoverCarriesRoutingAndCancelButton) {
  Chat chat(store_bot());
  chat.runtime().start();
  const auto result = chat.say("pay my bill");
  ASSERT_TRUE(result.handoff);
  EXPECT_EQ(result.handoff->routing.queue, "billing");
  EXPECT_EQ(result.handoff->routing.skills, (std::vector<std::string>{"billing"}));
  EXPECT_EQ(result.handoff->routing.priority, 2);
  EXPECT_EQ(result.handoff->cancel_quick_reply, "Cancel");
  EXPECT_EQ(result.handoff->context.at("va_AgentMessage"), "Wants to pay a bill");
  ASSERT_EQ(result.replies.size(), 2u);
  EXPECT_TRUE(result.replies[0].suggested_actions.actions.empty());
  const auto& actions = result.replies[1].suggested_actions;
  ASSERT_EQ(actions.actions.size(), 1u);
  EXPECT_EQ(actions.actions[0].title, "Cancel");
  EXPECT_EQ(actions.to, (std::vector<std::string>{"user1"}));
}

TEST(HandoffContext, InitiateEventFromARealTurn) {
  Chat chat(store_bot());
  chat.runtime().start();
  const auto result = chat.say("talk to an agent");
  ASSERT_TRUE(result.handoff);
  const auto event =
      make_handoff_initiate(*result.handoff, {"contoso-store", "Contoso Store", "bot"},
                            {"user1", "Ada", "user"}, "conv1", "directline", "u1");
  EXPECT_EQ(event.value.at("va_Scope"), "bot");
  EXPECT_EQ(event.relates_to.at("activityId"), "u1");
  EXPECT_EQ(event.attachments.at(0).content.at("activities").as_array().size(),
            result.handoff->transcript.size());
}

TEST(Stamping, EveryReplyIsStampedDeterministically) {
  ConversationInfo info = Chat::default_info();
  info.channel_id = "webchat";
  info.locale = "en-GB";
  Chat chat(store_bot(), info);
  const auto greeting = chat.runtime().start();
  ASSERT_EQ(greeting.replies.size(), 1u);
  const auto& hello = greeting.replies[0];
  EXPECT_EQ(hello.id, "b1");
  EXPECT_EQ(hello.type, "message");
  EXPECT_EQ(hello.timestamp, format_iso8601(chat.clock().now()));
  EXPECT_EQ(hello.from, (activity::ChannelAccount{"contoso-store", "Contoso Store", "bot"}));
  EXPECT_EQ(hello.recipient, (activity::ChannelAccount{"user1", "Ada", "user"}));
  EXPECT_EQ(hello.conversation.id, "conv1");
  EXPECT_EQ(hello.channel_id, "webchat");
  EXPECT_EQ(hello.locale, "en-GB");
  EXPECT_EQ(hello.reply_to_id, "");  // start() answers nothing

  chat.clock().advance(std::chrono::seconds(90));
  const auto asked = chat.say("return an item");
  ASSERT_EQ(asked.replies.size(), 1u);
  const auto& prompt = asked.replies[0];
  EXPECT_EQ(prompt.id, "b2");
  EXPECT_EQ(prompt.reply_to_id, "u1");
  EXPECT_EQ(prompt.timestamp, format_iso8601(chat.clock().now()));
  std::vector<std::string> titles;
  for (const auto& action : prompt.suggested_actions.actions) {
    EXPECT_EQ(action.type, "imBack");
    titles.push_back(action.title);
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"Bellevue", "Redmond", "Seattle"}));
  EXPECT_EQ(prompt.suggested_actions.to, (std::vector<std::string>{"user1"}));
}

TEST(Stamping, ExplicitBotAccountAndDefaultLocale) {
  ConversationInfo info = Chat::default_info();
  info.bot = {"bot-7", "Seven", ""};
  Chat chat(store_bot(), info);
  const auto hello = chat.runtime().start().replies.at(0);
  EXPECT_EQ(hello.from, (activity::ChannelAccount{"bot-7", "Seven", "bot"}));
  EXPECT_EQ(hello.locale, "en-us");
}

TEST(Transcript, RecordsIncomingRepliesAndAgentMessagesAndIsCapped) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("talk to an agent");
  activity::Activity agent = activity::make_message("Hi, I'm Sam.");
  agent.from = {"agent1", "Sam", "agent"};
  chat.runtime().record(agent);
  EXPECT_EQ(chat.runtime().transcript().back().text, "Hi, I'm Sam.");
  for (int i = 0; i < 3000; ++i) {
    chat.say("still there?");
  }
  const auto& transcript = chat.runtime().transcript();
  EXPECT_LE(transcript.size(), Runtime::kMaxTranscript);
  EXPECT_GE(transcript.size(), Runtime::kMaxTranscript / 2);
  EXPECT_EQ(transcript.back().id, "u3001");  // the newest is kept, the oldest dropped
}

}  // namespace
}  // namespace baton::dialog
