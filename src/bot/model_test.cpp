#include "bot/model.hpp"

#include <gtest/gtest.h>

namespace baton::bot {
namespace {

namespace bj = boost::json;

VariableLookup lookup_of(const bj::object& values) {
  return [&values](std::string_view name) -> const bj::value* { return values.if_contains(name); };
}

TEST(Template, ParsesPlaceholdersAndBraces) {
  auto t = parse_template("Hi {Name}, order {{#{ Order }}} for {System.UserName}.");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->variables(), (std::vector<std::string>{"Name", "Order", "System.UserName"}));
  ASSERT_EQ(t->parts.size(), 7u);
  EXPECT_EQ(t->parts[0].text, "Hi ");
  EXPECT_TRUE(t->parts[1].is_variable);
  EXPECT_EQ(t->parts[2].text, ", order {#");
  EXPECT_EQ(t->parts[4].text, "} for ");
  const bj::object values{{"Name", "Ada"}, {"Order", 42}};
  EXPECT_EQ(render(*t, lookup_of(values)), "Hi Ada, order {#42} for .");
}

TEST(Template, PlainTextAndEmpty) {
  auto t = parse_template("no placeholders");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->variables().empty());
  EXPECT_EQ(render(*t, {}), "no placeholders");
  auto e = parse_template("");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->empty());
  EXPECT_EQ(render(*e, {}), "");
}

TEST(Template, RendersValuesForDisplay) {
  auto t = parse_template("{A}|{B}|{C}|{D}");
  ASSERT_TRUE(t.ok());
  const bj::object values{{"A", 2.0}, {"B", true}, {"C", bj::array{"x", "y"}}, {"D", nullptr}};
  EXPECT_EQ(render(*t, lookup_of(values)), "2|true|x, y|");
}

struct TemplateError {
  const char* text;
  const char* message;
};

TEST(Template, ErrorsHaveColumns) {
  const TemplateError cases[] = {
      {"Hello {Name", "column 7: unclosed '{' (write '{{' for a literal brace)"},
      {"a {b {c}", "column 3: unclosed '{' (write '{{' for a literal brace)"},
      {"x {} y", "column 3: empty placeholder '{}'"},
      {"é {1abc}", "column 3: invalid variable name '1abc' in placeholder"},
      {"{a b}", "column 1: invalid variable name 'a b' in placeholder"},
      {"{System.}", "column 1: invalid variable name 'System.' in placeholder"},
      {"oops }", "column 6: unmatched '}' (write '}}' for a literal brace)"},
  };
  for (const auto& c : cases) {
    auto t = parse_template(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.error().code, ErrorCode::kParse);
    EXPECT_EQ(t.error().message, c.message) << c.text;
  }
}

TEST(SystemTopicNames, RoundTrip) {
  for (auto which : {SystemTopic::kGreeting, SystemTopic::kEscalate, SystemTopic::kFallback,
                     SystemTopic::kEndOfConversation, SystemTopic::kStartOver}) {
    EXPECT_EQ(parse_system_topic(to_string(which)), which);
  }
  EXPECT_EQ(parse_system_topic("Greeting"), std::nullopt);
  EXPECT_EQ(parse_system_topic("none"), std::nullopt);
}

TEST(BotLookups, FindTopicIsCaseInsensitive) {
  Bot bot;
  Topic hours;
  hours.name = "Store Hours";
  Topic greet;
  greet.name = "Hi";
  greet.system = SystemTopic::kGreeting;
  bot.topics = {hours, greet};
  bot.variables.push_back(Variable{{}, "CustomerName", nullptr});
  ASSERT_NE(bot.find_topic("store hours"), nullptr);
  EXPECT_EQ(bot.find_topic("STORE HOURS")->name, "Store Hours");
  EXPECT_EQ(bot.find_topic("Store"), nullptr);
  EXPECT_EQ(bot.system_topic(SystemTopic::kGreeting)->name, "Hi");
  EXPECT_EQ(bot.system_topic(SystemTopic::kEscalate), nullptr);
  EXPECT_EQ(bot.system_topic(SystemTopic::kNone), nullptr);
  EXPECT_NE(bot.find_variable("CustomerName"), nullptr);
  EXPECT_EQ(bot.find_variable("customername"), nullptr);
}

}  // namespace
}  // namespace baton::bot
