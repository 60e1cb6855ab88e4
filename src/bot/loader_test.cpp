// Table-driven tests of every diagnostic the loader emits, with the exact position and text.
#include "bot/loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace baton::bot {
namespace {

std::vector<std::string> formatted(const LoadResult& result) {
  std::vector<std::string> out;
  for (const auto& d : result.diagnostics) {
    out.push_back(d.format());
  }
  return out;
}

struct DiagnosticCase {
  const char* name;
  const char* yaml;
  std::vector<std::string> expected;  // every diagnostic, in output order
};

class LoaderDiagnostics : public ::testing::TestWithParam<DiagnosticCase> {};

TEST_P(LoaderDiagnostics, ReportsExactly) {
  const auto& c = GetParam();
  const LoadResult result = load_bot_from_string(c.yaml, "t.yaml");
  EXPECT_EQ(formatted(result), c.expected) << c.name;
  EXPECT_EQ(result.bot.has_value(), !has_errors(result.diagnostics)) << c.name;
}

// Each YAML starts with a one-line `bot:` so topics begin on line 2.
std::vector<DiagnosticCase> diagnostic_cases() {
  return {
      {"unknown_key",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    trigers: [a]\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:3:11: warning: topic 'A' has no trigger phrases and nothing redirects to it",
           "t.yaml:4:5: error: unknown key 'trigers' in topic (did you mean 'triggers'?)",
       }},
      {"unknown_key_far",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    colour: red\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:5:5: error: unknown key 'colour' in topic (expected one of: name, description, "
           "system, confirms_success, triggers, nodes)",
       }},
      {"node_type",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - mesage: hi\n"
       "      - frobnicate: 1\n",
       {
           "t.yaml:6:9: error: unknown node type 'mesage' (did you mean 'message'?)",
           "t.yaml:7:9: error: unknown node type 'frobnicate' (expected one of: message, question, "
           "condition, set_variable, redirect, end_topic, transfer, handover, end_conversation)",
       }},
      {"two_types",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - message: hi\n"
       "        question: {prompt: x, variable: y}\n",
       {
           "t.yaml:7:9: error: a node has one type, but this one has 'message' and 'question'; put "
           "each in its own list item",
       }},
      {"scalar_needs",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - message\n",
       {
           "t.yaml:6:9: error: 'message' needs a value (write 'message: ...')",
       }},
      {"missing_name",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - triggers: [a]\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:3:5: error: missing required key 'name' in topic",
       }},
      {"mistyped",
       "bot: {id: t, name: T}\n"
       "settings:\n"
       "  no_match_threshold: abc\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: {a: 1}\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:3:23: error: 'no_match_threshold' must be an integer, got 'abc'",
           "t.yaml:5:11: warning: topic 'A' has no trigger phrases and nothing redirects to it",
           "t.yaml:6:15: error: 'triggers' must be a list of texts, got a map",
       }},
      {"dup_topic",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: Store hours\n"
       "    triggers: [a]\n"
       "    nodes: [end_topic]\n"
       "  - name: store HOURS\n"
       "    triggers: [b]\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:6:11: error: duplicate topic name 'store HOURS' (first defined at t.yaml:3:11)",
       }},
      {"dup_id",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - id: ask\n"
       "        message: one\n"
       "      - id: ask\n"
       "        message: two\n",
       {
           "t.yaml:8:13: error: duplicate node id 'ask' (first used at t.yaml:6:13)",
       }},
      {"redirect",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: Order status\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - redirect: Order stats\n"
       "      - redirect: Something else\n",
       {
           "t.yaml:6:19: error: redirect to unknown topic 'Order stats' (did you mean 'Order "
           "status'?)",
           "t.yaml:7:19: error: redirect to unknown topic 'Something else'",
       }},
      {"cancel_intent",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - handover:\n"
       "          cancel_intent: Cancel it\n",
       {
           "t.yaml:7:26: error: cancel_intent names unknown topic 'Cancel it'",
       }},
      {"unset_var",
       "bot: {id: t, name: T}\n"
       "variables:\n"
       "  - name: Global\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - message: \"Hi {Global}, {Missing}!\"\n"
       "      - condition:\n"
       "          - if: Global == 1 and Other > 2\n"
       "            then: [end_topic]\n"
       "      - set_variable: {variable: Local, value: 1}\n"
       "      - message: \"{Local} {Missing}\"\n",
       {
           "t.yaml:8:32: error: variable 'Missing' is used but never set",
           "t.yaml:10:33: error: variable 'Other' is used but never set",
       }},
      {"scope",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - question: {prompt: x, variable: Order}\n"
       "  - name: B\n"
       "    triggers: [b]\n"
       "    nodes:\n"
       "      - message: \"Order {Order}\"\n",
       {
           "t.yaml:10:25: error: variable 'Order' is used but never set",
       }},
      {"bad_expr",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - condition:\n"
       "          - if: Count == 1 and\n"
       "            then: [end_topic]\n"
       "          - if: \"Count = 1\"\n"
       "            then: [end_topic]\n"
       "          - if: |\n"
       "              Count and\n"
       "            then: [end_topic]\n"
       "      - set_variable: {variable: Count, value: 1}\n",
       {
           "t.yaml:7:31: error: invalid expression: expected an operand after 'and'",
           "t.yaml:9:24: error: invalid expression: unknown operator '=' (did you mean '=='?)",
           "t.yaml:11:17: error: invalid expression: column 11: expected an operand after 'and'",
       }},
      {"bad_template",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - message: Hello {Name\n"
       "      - message:\n"
       "          text: ok\n"
       "          quick_replies: [\"{}\"]\n",
       {
           "t.yaml:6:24: error: invalid template: unclosed '{' (write '{{' for a literal brace)",
           "t.yaml:9:28: error: invalid template: empty placeholder '{}'",
       }},
      {"entity",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - question: {prompt: x, entity: numbr, variable: V}\n",
       {
           "t.yaml:6:39: error: unknown entity type 'numbr' (did you mean 'number'?); valid types: "
           "text, number, money, percentage, email, phone, url, date, time, datetime, yes_no, "
           "choice, regex",
       }},
      {"regex",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - question:\n"
       "          prompt: code?\n"
       "          entity: regex\n"
       "          pattern: \"([a-z]\"\n"
       "          variable: Code\n"
       "      - question:\n"
       "          prompt: code?\n"
       "          entity: regex\n"
       "          pattern: \"((a{100}){100}){100}\"\n"
       "          variable: Code2\n"
       "      - question:\n"
       "          prompt: code?\n"
       "          entity: regex\n"
       "          variable: Code3\n",
       {
           "t.yaml:9:20: error: invalid regex pattern: Mismatched '(' and ')' in "
           "regular expression",
           "t.yaml:14:20: error: invalid regex pattern: the pattern is too complex (repetition "
           "counts are too large)",
           "t.yaml:16:9: error: a regex question needs a 'pattern'",
       }},
      {"choice",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - question:\n"
       "          prompt: Which?\n"
       "          entity: choice\n"
       "          variable: Store\n"
       "      - question:\n"
       "          prompt: Which?\n"
       "          entity: choice\n"
       "          choices: []\n"
       "          variable: Store\n"
       "      - question:\n"
       "          prompt: Which?\n"
       "          choices: [a, b]\n"
       "          variable: Store\n"
       "      - question:\n"
       "          prompt: Which?\n"
       "          entity: choice\n"
       "          choices: [A, {value: a}]\n"
       "          variable: Store\n",
       {
           "t.yaml:6:9: error: a choice question needs a non-empty 'choices' list",
           "t.yaml:13:11: error: a choice question needs a non-empty 'choices' list",
           "t.yaml:17:11: error: 'choices' only applies to questions with entity: choice",
           "t.yaml:22:24: error: duplicate choice 'a'",
       }},
      {"else_last",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - condition:\n"
       "          - else: [end_topic]\n"
       "          - if: \"true\"\n"
       "            then: [end_topic]\n",
       {
           "t.yaml:7:13: error: 'else' must be the last branch of a condition",
       }},
      {"thresholds",
       "bot: {id: t, name: T}\n"
       "settings:\n"
       "  no_match_threshold: 0\n"
       "  invalid_answer_threshold: -2\n"
       "  confidence_threshold: 1.5\n",
       {
           "t.yaml:3:23: error: 'no_match_threshold' must be at least 1",
           "t.yaml:4:29: error: 'invalid_answer_threshold' must be at least 1",
           "t.yaml:5:25: error: 'confidence_threshold' must be between 0 and 1",
       }},
      {"unreachable",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - end_topic\n"
       "      - message: never\n"
       "  - name: B\n"
       "    triggers: [b]\n"
       "    nodes:\n"
       "      - end_conversation\n"
       "      - message: never\n"
       "  - name: C\n"
       "    triggers: [c]\n"
       "    nodes:\n"
       "      - redirect: Bye\n"
       "      - message: never\n"
       "  - name: D\n"
       "    triggers: [d]\n"
       "    nodes:\n"
       "      - condition:\n"
       "          - if: \"true\"\n"
       "            then: [end_topic]\n"
       "          - else:\n"
       "              - redirect: Bye\n"
       "      - message: never\n"
       "  - name: Bye\n"
       "    triggers: [bye]\n"
       "    nodes:\n"
       "      - message: Goodbye\n"
       "      - end_conversation: {survey: true}\n",
       {
           "t.yaml:7:9: warning: unreachable node: it comes after end_topic (line 6)",
           "t.yaml:12:9: warning: unreachable node: it comes after end_conversation (line 11)",
           "t.yaml:17:9: warning: unreachable node: it comes after a redirect to 'Bye', which "
           "always ends the conversation (line 16)",
           "t.yaml:26:9: warning: unreachable node: it comes after a condition whose branches all "
           "stop the flow (line 21)",
       }},
      {"untriggered",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: Lonely\n"
       "    nodes: [end_topic]\n"
       "  - name: Helper\n"
       "    nodes: [end_topic]\n"
       "  - name: Main\n"
       "    triggers: [m]\n"
       "    nodes:\n"
       "      - redirect: helper\n",
       {
           "t.yaml:3:11: warning: topic 'Lonely' has no trigger phrases and nothing "
           "redirects to it",
       }},
      {"bot_id",
       "bot: {id: \"my bot!\", name: T}\n",
       {
           "t.yaml:1:11: error: invalid bot id 'my bot!': use letters, digits, '_', '.' and '-'",
       }},
      {"syntax",
       "bot:\n"
       "  id: t\n"
       "  name: T\n"
       "topics:\n"
       "  - name: [a\n",
       {
           "t.yaml:6:1: error: YAML syntax error: end of sequence flow not found",
       }},
      {"utf8",
       "bot:\n"
       "  id: t\n"
       "  name: T\n"
       "topics:\n"
       "  - name: caf\xc3"
       "\xa9"
       " \xc3"
       "(\n",
       {
           "t.yaml:5:16: error: invalid UTF-8 byte sequence",
       }},
      {"dup_key",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    name: B\n"
       "    triggers: [a]\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:4:5: error: duplicate key 'name' in topic",
       }},
      {"set_var",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - set_variable: {variable: X, value: 1, expression: \"2\"}\n"
       "      - set_variable: {variable: Y}\n"
       "      - set_variable: {variable: System.UserName, value: x}\n"
       "      - set_variable: {variable: 9lives, value: x}\n",
       {
           "t.yaml:6:9: error: set_variable takes 'value' or 'expression', not both",
           "t.yaml:7:9: error: set_variable needs 'value' or 'expression'",
           "t.yaml:8:34: error: cannot set system variable 'System.UserName'",
           "t.yaml:9:34: error: invalid variable name '9lives': use letters, digits and '_', not "
           "starting with a digit",
       }},
      {"system",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: G1\n"
       "    system: greeting\n"
       "    nodes: [end_topic]\n"
       "  - name: G2\n"
       "    system: greeting\n"
       "    nodes: [end_topic]\n"
       "  - name: X\n"
       "    system: escalation\n"
       "    nodes: [end_topic]\n",
       {
           "t.yaml:6:11: error: system topic 'greeting' is already defined by topic 'G1' at "
           "t.yaml:3:5",
           "t.yaml:9:11: warning: topic 'X' has no trigger phrases and nothing redirects to it",
           "t.yaml:10:13: error: unknown system topic 'escalation'; expected one of: greeting, "
           "escalate, fallback, end_of_conversation, start_over",
       }},
      {"missing_bot",
       "topics: []\n",
       {
           "t.yaml: error: missing 'bot:' section",
       }},
      {"misc",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - question: {prompt: x, variable: V, on_failure: ignore}\n"
       "      - end_conversation: {survey: maybe}\n"
       "      - transfer: {priority: high}\n"
       "      - end_topic: now\n",
       {
           "t.yaml:6:56: error: 'on_failure' must be 'escalate' or 'continue', got 'ignore'",
           "t.yaml:7:36: error: 'survey' must be true or false, got 'maybe'",
           "t.yaml:8:30: error: 'priority' must be an integer, got 'high'",
           "t.yaml:9:20: error: 'end_topic' takes no value",
       }},
      {"docs",
       "bot: {id: t, name: T}\n"
       "---\n"
       "topics: []\n",
       {
           "t.yaml:3:1: error: only one YAML document per file is allowed",
       }},
      {"dup_var",
       "bot: {id: t, name: T}\n"
       "variables:\n"
       "  - name: A\n"
       "  - name: A\n"
       "    value: 2\n",
       {
           "t.yaml:4:11: error: duplicate variable 'A' (first declared at t.yaml:3:5)",
       }},
      {"variable_hint",
       "bot: {id: t, name: T}\n"
       "topics:\n"
       "  - name: A\n"
       "    triggers: [a]\n"
       "    nodes:\n"
       "      - question: {prompt: x, variable: OrderNumber}\n"
       "      - message: \"{OrderNumbr}\"\n",
       {
           "t.yaml:7:19: error: variable 'OrderNumbr' is used but never set (did you mean "
           "'OrderNumber'?)",
       }},
  };
}

INSTANTIATE_TEST_SUITE_P(All, LoaderDiagnostics, ::testing::ValuesIn(diagnostic_cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(LoaderDiagnostics, ErrorsMeanNoBotWarningsDoNot) {
  const LoadResult warned = load_bot_from_string(
      "bot: {id: t, name: T}\ntopics:\n  - name: Lonely\n    nodes: [end_topic]\n", "t.yaml");
  ASSERT_TRUE(warned.bot.has_value());
  EXPECT_EQ(warned.diagnostics.size(), 1u);
  EXPECT_EQ(warned.diagnostics[0].severity, Severity::kWarning);
}

TEST(LoaderDiagnostics, LineZeroFormatsWithoutPosition) {
  Diagnostic d{Severity::kError, SourceLoc{"bot.yaml", 0, 0}, "missing 'bot:' section"};
  EXPECT_EQ(d.format(), "bot.yaml: error: missing 'bot:' section");
  d.loc = SourceLoc{"bot.yaml", 3, 7};
  d.severity = Severity::kWarning;
  EXPECT_EQ(d.format(), "bot.yaml:3:7: warning: missing 'bot:' section");
}

TEST(LoaderRobustness, HostileInputsGiveErrorsNotCrashes) {
  std::string deep_flow = "bot: {id: t, name: T}\nvariables:\n  - name: V\n    value: ";
  deep_flow += std::string(1500, '[') + std::string(1500, ']') + "\n";
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) {
      laughs += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    }
    laughs += "]\n";
  }
  std::string nested = "bot: {id: t, name: T}\ntopics:\n  - name: A\n    triggers: [a]\n    nodes:";
  for (int i = 0; i < 40; ++i) {
    nested += " [{condition: [{else:";
  }
  nested += " []";
  for (int i = 0; i < 40; ++i) {
    nested += "}]}]";
  }
  const std::string deep_expression =
      "bot: {id: t, name: T}\ntopics:\n  - {name: A, triggers: [a], nodes: [{condition: [{if: \"" +
      std::string(69, '(') + "1\", then: []}]}]}\n";
  const std::string inputs[] = {
      deep_flow,
      laughs,
      "x: &a [1, *a]\n",
      "bot: &b {id: t, name: T, language: *b}\n",
      std::string("bot: {id: t, name: T}\0\x01\x02", 24),
      std::string("\xef\xbb\xbf") + "bot: {id: t, name: T}\n",  // a UTF-8 byte order mark first
      "{{{{{{{{{{{{",
      "- - - - - - -",
      "? [a, b]\n: c\n",
      deep_expression,
  };
  for (const auto& input : inputs) {
    const LoadResult result = load_bot_from_string(input, "h.yaml");
    for (const auto& d : result.diagnostics) {
      EXPECT_FALSE(d.message.empty());
    }
  }
  EXPECT_TRUE(load_bot_from_string(inputs[5], "bom.yaml").bot.has_value());
  EXPECT_TRUE(has_errors(load_bot_from_string(laughs, "l.yaml").diagnostics));
  EXPECT_TRUE(has_errors(load_bot_from_string(nested + "\n", "n.yaml").diagnostics));
}

TEST(LoaderRobustness, StrayCommaDoesNotHang) {
  // yaml-cpp 0.7's LoadAll loops forever on these (jbeder/yaml-cpp#1040).
  for (const char* input : {",", ",o`,e[n\t", "a: 1\n,\n"}) {
    const LoadResult result = load_bot_from_string(input, "c.yaml");
    EXPECT_TRUE(has_errors(result.diagnostics)) << input;
  }
}

TEST(LoaderRobustness, LargeFilesAreRefused) {
  const std::string big = "bot: {id: t, name: T}\n#" + std::string(5 << 20, 'x') + "\n";
  EXPECT_EQ(formatted(load_bot_from_string(big, "big.yaml")),
            (std::vector<std::string>{"big.yaml: error: the file is larger than 4 MiB"}));
}

TEST(LoaderRobustness, RandomBytesNeverCrash) {
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 24;
  };
  const std::string alphabet = "bot:topics- name[]{}&*!|>'\"\n\t #,?:%@`\\x\xc3\xa9";
  for (int round = 0; round < 300; ++round) {
    std::string input;
    const int length = static_cast<int>(next() % 120);
    for (int i = 0; i < length; ++i) {
      input.push_back(round % 3 == 0 ? static_cast<char>(next())
                                     : alphabet[next() % alphabet.size()]);
    }
    const LoadResult result = load_bot_from_string(input, "r.yaml");
    EXPECT_TRUE(result.bot.has_value() || has_errors(result.diagnostics));
  }
}

}  // namespace
}  // namespace baton::bot

namespace baton::bot {
namespace {

TEST(ExternalBot, EndpointMakesAnExternalBotWithItsApology) {
  const LoadResult result = load_bot_from_string(
      "bot: {id: ext, name: Ext, endpoint: \"http://127.0.0.1:3979/api/messages\",\n"
      "      apology: Our assistant is away.}\n",
      "bot.yaml");
  ASSERT_TRUE(result.bot.has_value()) << formatted(result).front();
  ASSERT_TRUE(result.bot->external.has_value());
  EXPECT_EQ(result.bot->external->endpoint, "http://127.0.0.1:3979/api/messages");
  EXPECT_EQ(result.bot->external->apology_text, "Our assistant is away.");
  EXPECT_TRUE(result.bot->external->app_id.empty());
  const LoadResult yaml_bot = load_bot_from_string("bot: {id: y, name: Y}\n", "bot.yaml");
  ASSERT_TRUE(yaml_bot.bot.has_value());
  EXPECT_FALSE(yaml_bot.bot->external.has_value());
}

TEST(ExternalBot, RefusesTopicsBadEndpointsAndCredentials) {
  EXPECT_EQ(formatted(load_bot_from_string("bot: {id: e, name: E, endpoint: \"http://h:1/m\"}\n"
                                           "topics:\n"
                                           "  - name: Hi\n"
                                           "    triggers: [hi]\n"
                                           "    nodes: [{message: hello}]\n",
                                           "t.yaml")),
            std::vector<std::string>{"t.yaml:3:5: error: an external bot (bot.endpoint) has no "
                                     "topics: its answers come from the endpoint"});
  EXPECT_EQ(
      formatted(load_bot_from_string("bot: {id: e, name: E, endpoint: \"ftp://h/m\"}\n", "t.yaml")),
      std::vector<std::string>{"t.yaml:1:33: error: invalid endpoint 'ftp://h/m' "
                               "(expected http[s]://host[:port]/path)"});
  EXPECT_TRUE(
      load_bot_from_string("bot: {id: e, name: E, endpoint: \"https://bot.example/m\"}\n", "t.yaml")
          .bot.has_value());
  EXPECT_EQ(formatted(load_bot_from_string(
                "bot: {id: e, name: E, endpoint: \"http://h/m\", app_id: x}\n", "t.yaml")),
            std::vector<std::string>{"t.yaml:1:47: error: 'app_id' needs 'app_password_file'"});
  EXPECT_EQ(
      formatted(load_bot_from_string(
          "bot: {id: e, name: E, endpoint: \"http://h/m\", app_password: hunter2}\n", "t.yaml")),
      std::vector<std::string>{
          "t.yaml:1:47: error: 'app_password': a password is not written in bot.yaml: put "
          "it in a file (mode 0600) and name the file with app_password_file"});
  EXPECT_EQ(
      formatted(load_bot_from_string(
          "bot: {id: e, name: E, endpoint: \"http://h/m\", app_password_file: p}\n", "t.yaml")),
      std::vector<std::string>{"t.yaml:1:47: error: 'app_password_file' needs 'app_id'"});
  EXPECT_EQ(formatted(load_bot_from_string("bot: {id: e, name: E, apology: sorry}\n", "t.yaml")),
            std::vector<std::string>{
                "t.yaml:1:23: error: 'apology' is for an external bot: set 'endpoint'"});
}

TEST(ExternalBot, AppPasswordComesFromAFileBesideTheYaml) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("baton-app-password-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string yaml =
      "bot: {id: e, name: E, endpoint: \"http://h/m\", app_id: 1f2e-app,\n"
      "      app_password_file: app.password}\n";
  std::ofstream(dir / "app.password") << "short\n";
  EXPECT_EQ(formatted(load_bot_from_string(yaml, (dir / "bot.yaml").string())),
            std::vector<std::string>{(dir / "bot.yaml").string() +
                                     ":2:26: error: app_password_file: the first line of '" +
                                     (dir / "app.password").string() +
                                     "' must hold a secret of at least 16 characters"});
  std::ofstream(dir / "app.password") << "0123456789abcdef-bot\r\nsecond line\n";
  const LoadResult ok = load_bot_from_string(yaml, (dir / "bot.yaml").string());
  ASSERT_TRUE(ok.bot.has_value()) << formatted(ok).front();
  EXPECT_EQ(ok.bot->external->app_id, "1f2e-app");
  EXPECT_EQ(ok.bot->external->app_password, "0123456789abcdef-bot");
  std::filesystem::remove(dir / "app.password");
  const auto missing = formatted(load_bot_from_string(yaml, (dir / "bot.yaml").string()));
  ASSERT_EQ(missing.size(), 1U);
  EXPECT_NE(missing.front().find(":2:26: error: app_password_file: cannot read"), std::string::npos)
      << missing.front();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace baton::bot
