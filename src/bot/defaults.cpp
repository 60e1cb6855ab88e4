// The built-in system topics a bot gets when it does not define its own (docs/AUTHORING.md lists
// their content), written in the bot YAML format itself and read by the same parser.
#include <fmt/format.h>

#include <array>

#include "bot/node_parser.hpp"

namespace baton::bot::detail {
namespace {

struct DefaultTopic {
  SystemTopic system;
  const char* name;
  const char* yaml;  // the topic's keys other than name and system
};

// The greeting's text is replaced with the bot's name after parsing (see greeting_text()).
constexpr std::array<DefaultTopic, 5> kDefaults{{
    {SystemTopic::kGreeting, "Greeting", R"(
nodes:
  - message: Hello.
)"},
    {SystemTopic::kEscalate, "Escalate", R"(
nodes:
  - message: I'll connect you with an agent.
  - transfer
  - condition:
      - if: System.HandoffOutcome == "completed"
        then:
          - end_conversation:
              survey: true
      - if: System.HandoffOutcome in ["unavailable", "unsupported", "timed_out"]
        then:
          - message: You can also try again later.
)"},
    {SystemTopic::kFallback, "Fallback", R"(
nodes:
  - message: Sorry, I didn't get that. Could you rephrase?
)"},
    {SystemTopic::kEndOfConversation, "End of conversation", R"(
nodes:
  - question:
      prompt: Did that answer your question?
      entity: yes_no
      variable: SurveyResolved
      on_failure: continue
  - question:
      prompt: How would you rate your experience, from 1 to 5?
      entity: choice
      choices:
        - {value: "1", synonyms: [one]}
        - {value: "2", synonyms: [two]}
        - {value: "3", synonyms: [three]}
        - {value: "4", synonyms: [four]}
        - {value: "5", synonyms: [five]}
      variable: SurveyRating
      on_failure: continue
  - message: Thanks for your feedback!
  - end_conversation
)"},
    {SystemTopic::kStartOver, "Start over", R"(
triggers: [start over, restart, reset]
nodes:
  - message: OK, let's start over.
)"},
}};

constexpr std::string_view kDefaultEscalationPhrases[] = {
    "talk to an agent", "speak to a human", "human", "agent", "representative", "real person",
};

void relocate(NodeList& nodes, const SourceLoc& loc) {
  for (auto& node : nodes) {
    node.loc = loc;
    if (auto* condition = std::get_if<ConditionNode>(&node.kind)) {
      for (auto& branch : condition->branches) {
        branch.loc = loc;
        relocate(branch.body, loc);
      }
    }
  }
}

std::string escape_braces(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out.push_back(c);
    if (c == '{' || c == '}') {
      out.push_back(c);
    }
  }
  return out;
}

// A name no user topic has: the default name, or "<name> (built-in)".
std::string free_name(const Bot& bot, const char* name) {
  if (bot.find_topic(name) == nullptr) {
    return name;
  }
  return fmt::format("{} (built-in)", name);
}

void add_default(ParsedBot& parsed, const DefaultTopic& def) {
  Diagnostics ignored;  // the texts above are fixed and covered by tests
  ParseContext ctx(parsed.bot.loc.file, def.yaml, ignored);
  const YAML::Node root = YAML::Load(def.yaml);
  TopicInfo info;
  Topic topic;
  topic.loc = parsed.bot.loc;
  topic.name = free_name(parsed.bot, def.name);
  topic.system = def.system;
  if (root["triggers"]) {
    topic.triggers = root["triggers"].as<std::vector<std::string>>();
  }
  const Field nodes{"nodes", YAML::Node("nodes"), root["nodes"]};
  std::vector<NodeId> ids;
  topic.nodes = NodeParser(ctx, info, ids).parse_list(nodes, 0);
  relocate(topic.nodes, topic.loc);
  info.name_loc = topic.loc;
  for (auto& use : info.uses) {
    use.loc = topic.loc;
  }
  if (def.system == SystemTopic::kGreeting && !topic.nodes.empty()) {
    auto text = parse_template(
        escape_braces(fmt::format("Hello, I'm {}. How can I help?", parsed.bot.name)));
    if (text.ok()) {
      std::get<MessageNode>(topic.nodes.front().kind).text = std::move(text.value());
    }
  }
  if (def.system == SystemTopic::kStartOver) {
    if (const Topic* greeting = parsed.bot.system_topic(SystemTopic::kGreeting)) {
      Node redirect;
      redirect.loc = topic.loc;
      redirect.kind = RedirectNode{greeting->name};
      topic.nodes.push_back(std::move(redirect));
      info.refs.push_back(TopicRef{greeting->name, topic.loc, "redirect"});
    }
  }
  parsed.bot.topics.push_back(std::move(topic));
  parsed.topic_info.push_back(std::move(info));
}

}  // namespace

void add_default_topics(ParsedBot& parsed) {
  for (const auto& def : kDefaults) {
    if (parsed.bot.system_topic(def.system) == nullptr) {
      add_default(parsed, def);
    }
  }
  if (!parsed.escalation_phrases_set) {
    parsed.bot.settings.escalation_phrases.assign(std::begin(kDefaultEscalationPhrases),
                                                  std::end(kDefaultEscalationPhrases));
  }
}

}  // namespace baton::bot::detail
