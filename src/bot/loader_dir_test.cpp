// Directory loading, the built-in system topics, the example bot and `baton check` output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bot/check.hpp"
#include "bot/loader.hpp"

namespace baton::bot {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("baton_bot_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

std::vector<std::string> formatted(const LoadResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) {
    out.push_back(d.format());
  }
  return out;
}

const Topic& topic(const Bot& bot, SystemTopic which) {
  const Topic* t = bot.system_topic(which);
  EXPECT_NE(t, nullptr) << to_string(which);
  return *t;
}

TEST(LoaderDirectory, MergesFilesInNameOrder) {
  TempDir dir;
  dir.write("10-bot.yaml", "bot: {id: d, name: Dir bot}\nvariables:\n  - name: Who\n");
  dir.write("20-topics.yml",
            "topics:\n  - name: B\n    triggers: [b]\n    nodes:\n      - message: \"{Who}\"\n");
  dir.write("05-first.yaml", "topics:\n  - name: A\n    triggers: [a]\n    nodes: [end_topic]\n");
  dir.write("notes.txt", "not: yaml: at: all: [");
  const LoadResult result = load_bot(dir.path());
  ASSERT_TRUE(result.bot.has_value()) << ::testing::PrintToString(formatted(result));
  EXPECT_TRUE(result.diagnostics.empty());
  EXPECT_EQ(result.bot->id, "d");
  ASSERT_GE(result.bot->topics.size(), 2u);
  EXPECT_EQ(result.bot->topics[0].name, "A");
  EXPECT_EQ(result.bot->topics[1].name, "B");
  EXPECT_EQ(result.bot->topics[1].loc.file, (dir.path() / "20-topics.yml").string());
  EXPECT_EQ(result.bot->topics[1].loc.line, 2);
}

TEST(LoaderDirectory, SkipsTheHubConfigurationBesideTheBot) {
  TempDir dir;
  dir.write("bot.yaml", "bot: {id: d, name: Dir bot}\n");
  dir.write("hub.yaml", "hub:\n  queues:\n    - name: general\n");
  dir.write("hub.yml", "hub: {}\n");
  const LoadResult result = load_bot(dir.path());
  ASSERT_TRUE(result.bot.has_value()) << ::testing::PrintToString(formatted(result));
  EXPECT_TRUE(result.diagnostics.empty()) << ::testing::PrintToString(formatted(result));
}

TEST(LoaderDirectory, SectionsMayAppearOnce) {
  TempDir dir;
  dir.write("a.yaml", "bot: {id: d, name: D}\nsettings: {no_match_threshold: 2}\n");
  dir.write("b.yaml", "bot: {id: e, name: E}\nsettings: {no_match_threshold: 4}\n");
  const std::string a = (dir.path() / "a.yaml").string();
  const std::string b = (dir.path() / "b.yaml").string();
  const LoadResult result = load_bot(dir.path());
  EXPECT_FALSE(result.bot.has_value());
  EXPECT_EQ(formatted(result),
            (std::vector<std::string>{
                b + ":1:1: error: 'bot' is already defined at " + a + ":1:1",
                b + ":2:1: error: 'settings' is already defined at " + a + ":2:1",
            }));
}

TEST(LoaderDirectory, ErrorsForMissingThings) {
  TempDir dir;
  EXPECT_EQ(formatted(load_bot(dir.path())),
            (std::vector<std::string>{dir.path().string() +
                                      ": error: no .yaml or .yml files in the directory"}));
  dir.write("topics.yaml", "topics: []\n");
  EXPECT_EQ(formatted(load_bot(dir.path())),
            (std::vector<std::string>{dir.path().string() +
                                      ": error: no file in the directory has a 'bot:' section"}));
  const fs::path missing = dir.path() / "nope.yaml";
  EXPECT_EQ(formatted(load_bot(missing)),
            (std::vector<std::string>{missing.string() + ": error: no such file or directory"}));
}

TEST(LoaderDefaults, AddsEverySystemTopicWithBuiltInContent) {
  const LoadResult result = load_bot_from_string("bot: {id: t, name: Contoso}\n", "t.yaml");
  ASSERT_TRUE(result.bot.has_value()) << ::testing::PrintToString(formatted(result));
  EXPECT_TRUE(result.diagnostics.empty());
  const Bot& bot = *result.bot;
  EXPECT_EQ(bot.topics.size(), 5u);
  EXPECT_EQ(bot.language, "en-us");

  const Topic& greeting = topic(bot, SystemTopic::kGreeting);
  EXPECT_EQ(greeting.name, "Greeting");
  EXPECT_EQ(greeting.loc, (SourceLoc{"t.yaml", 1, 1}));
  ASSERT_EQ(greeting.nodes.size(), 1u);
  EXPECT_EQ(render(std::get<MessageNode>(greeting.nodes[0].kind).text, {}),
            "Hello, I'm Contoso. How can I help?");

  const Topic& escalate = topic(bot, SystemTopic::kEscalate);
  ASSERT_EQ(escalate.nodes.size(), 3u);
  EXPECT_EQ(render(std::get<MessageNode>(escalate.nodes[0].kind).text, {}),
            "I'll connect you with an agent.");
  EXPECT_EQ(std::get<HandoffNode>(escalate.nodes[1].kind).kind, HandoffNode::Kind::kTransfer);
  const auto& outcome = std::get<ConditionNode>(escalate.nodes[2].kind);
  ASSERT_EQ(outcome.branches.size(), 2u);
  boost::json::value completed("completed");
  boost::json::value timed_out("timed_out");
  auto with = [](const boost::json::value& v) {
    return [&v](std::string_view name) -> const boost::json::value* {
      return name == "System.HandoffOutcome" ? &v : nullptr;
    };
  };
  EXPECT_TRUE(outcome.branches[0].when->evaluate_bool(with(completed)));
  EXPECT_FALSE(outcome.branches[1].when->evaluate_bool(with(completed)));
  EXPECT_TRUE(outcome.branches[1].when->evaluate_bool(with(timed_out)));
  EXPECT_TRUE(std::get<EndConversationNode>(outcome.branches[0].body[0].kind).survey);

  EXPECT_EQ(
      render(std::get<MessageNode>(topic(bot, SystemTopic::kFallback).nodes[0].kind).text, {}),
      "Sorry, I didn't get that. Could you rephrase?");

  const Topic& survey = topic(bot, SystemTopic::kEndOfConversation);
  ASSERT_EQ(survey.nodes.size(), 4u);
  const auto& resolved = std::get<QuestionNode>(survey.nodes[0].kind);
  EXPECT_EQ(resolved.entity, nlu::EntityType::kYesNo);
  EXPECT_EQ(resolved.variable, "SurveyResolved");
  const auto& rating = std::get<QuestionNode>(survey.nodes[1].kind);
  EXPECT_EQ(rating.entity, nlu::EntityType::kChoice);
  EXPECT_EQ(rating.variable, "SurveyRating");
  ASSERT_EQ(rating.choices.size(), 5u);
  EXPECT_EQ(rating.choices[2].value, "3");
  EXPECT_EQ(rating.choices[2].synonyms, (std::vector<std::string>{"three"}));
  EXPECT_TRUE(std::holds_alternative<EndConversationNode>(survey.nodes[3].kind));

  const Topic& start_over = topic(bot, SystemTopic::kStartOver);
  EXPECT_EQ(start_over.triggers, (std::vector<std::string>{"start over", "restart", "reset"}));
  ASSERT_EQ(start_over.nodes.size(), 2u);
  EXPECT_EQ(std::get<RedirectNode>(start_over.nodes[1].kind).topic, "Greeting");

  EXPECT_EQ(bot.settings.escalation_phrases,
            (std::vector<std::string>{"talk to an agent", "speak to a human", "human", "agent",
                                      "representative", "real person"}));
  EXPECT_EQ(bot.settings.cancel_phrases, (std::vector<std::string>{"cancel", "never mind"}));
  EXPECT_EQ(bot.settings.no_match_threshold, 3);
}

TEST(LoaderDefaults, KeepsAuthorsTopicsAndSettings) {
  const LoadResult result = load_bot_from_string(
      "bot: {id: t, name: \"{Odd} name\"}\n"
      "settings: {escalation_phrases: []}\n"
      "topics:\n"
      "  - name: Hi\n    system: greeting\n    nodes: [{message: Welcome!}]\n"
      "  - name: Fallback\n    triggers: [x]\n    nodes: [end_topic]\n",
      "t.yaml");
  ASSERT_TRUE(result.bot.has_value()) << ::testing::PrintToString(formatted(result));
  const Bot& bot = *result.bot;
  EXPECT_EQ(topic(bot, SystemTopic::kGreeting).name, "Hi");
  EXPECT_EQ(topic(bot, SystemTopic::kFallback).name, "Fallback (built-in)");
  EXPECT_EQ(std::get<RedirectNode>(topic(bot, SystemTopic::kStartOver).nodes[1].kind).topic, "Hi");
  EXPECT_TRUE(bot.settings.escalation_phrases.empty());
  EXPECT_EQ(bot.topics.size(), 6u);
}

TEST(LoaderExample, FullBotLoadsClean) {
  const LoadResult result =
      load_bot(fs::path(BATON_SOURCE_DIR) / "src/bot/testdata/contoso-store.yaml");
  ASSERT_TRUE(result.bot.has_value()) << ::testing::PrintToString(formatted(result));
  EXPECT_TRUE(result.diagnostics.empty()) << ::testing::PrintToString(formatted(result));
  const Bot& bot = *result.bot;
  EXPECT_EQ(bot.id, "contoso-store");
  EXPECT_EQ(bot.settings.confidence_threshold, 0.5);
  EXPECT_EQ(bot.settings.handoff.agents_offline_text,
            "There are no agents available at this time.");
  const Topic* returns = bot.find_topic("return an item");
  ASSERT_NE(returns, nullptr);
  const auto& ask = std::get<QuestionNode>(returns->nodes[0].kind);
  EXPECT_EQ(returns->nodes[0].id, "ask_store");
  EXPECT_EQ(ask.choices[1].synonyms, (std::vector<std::string>{"redmond town center", "rtc"}));
  EXPECT_EQ(ask.max_retries, 2);
  EXPECT_EQ(std::get<QuestionNode>(returns->nodes[1].kind).pattern, "^[A-Z]{2}[0-9]{6}$");
  const auto& set = std::get<SetVariableNode>(returns->nodes[3].kind);
  EXPECT_EQ(set.variable, "Count");
  EXPECT_EQ(set.value.evaluate({}), boost::json::value(0));
  const auto& transfer = std::get<HandoffNode>(returns->nodes[5].kind);
  EXPECT_EQ(transfer.spec.routing.queue, "returns");
  EXPECT_EQ(transfer.spec.routing.skills, (std::vector<std::string>{"returns", "english"}));
  EXPECT_EQ(transfer.spec.routing.priority, 2);
  const Topic* order = bot.find_topic("Order status");
  ASSERT_NE(order, nullptr);
  const auto& handover = std::get<HandoffNode>(order->nodes[0].kind);
  EXPECT_EQ(handover.kind, HandoffNode::Kind::kHandover);
  EXPECT_EQ(handover.spec.cancel_intent, "Cancel request");
  EXPECT_EQ(handover.spec.cancel_quick_reply.source, "Cancel");
  const Topic* bye = bot.find_topic("Goodbye");
  ASSERT_NE(bye, nullptr);
  EXPECT_EQ(std::get<HandoffNode>(bye->nodes[0].kind).kind, HandoffNode::Kind::kEndConversation);
}

TEST(RunCheck, PrintsDiagnosticsAndSummaries) {
  TempDir dir;
  dir.write("good.yaml",
            "bot: {id: good-bot, name: G}\ntopics:\n  - name: Lonely\n    nodes: [end_topic]\n");
  dir.write("bad.yaml", "bot: {id: b, name: B, colour: red}\n");
  const std::string good = (dir.path() / "good.yaml").string();
  const std::string bad = (dir.path() / "bad.yaml").string();

  std::ostringstream out;
  EXPECT_EQ(run_check({good}, out), 0);
  EXPECT_EQ(out.str(), good +
                           ":3:11: warning: topic 'Lonely' has no trigger phrases and nothing "
                           "redirects to it\n"
                           "good-bot: 0 errors, 1 warning\n");

  std::ostringstream both;
  EXPECT_EQ(run_check({bad, good}, both), 1);
  EXPECT_EQ(both.str(), bad +
                            ":1:23: error: unknown key 'colour' in bot (expected one of: id, "
                            "name, language, endpoint, app_id, app_password_file, app_password, "
                            "apology)\n" +
                            bad + ": 1 error, 0 warnings\n" + good +
                            ":3:11: warning: topic 'Lonely' has no trigger phrases and nothing "
                            "redirects to it\n"
                            "good-bot: 0 errors, 1 warning\n");
}

}  // namespace
}  // namespace baton::bot
