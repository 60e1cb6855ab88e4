#pragma once
// The in-memory model of a bot, as loaded from YAML by loader.hpp and executed by dialog::Runtime.
//
// A Bot is an immutable value once loaded: the runtime holds it by shared_ptr<const Bot> and many
// conversations read it concurrently. Every element keeps its SourceLoc for diagnostics.
// The YAML shape of each element is documented in docs/AUTHORING.md.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/expr.hpp"
#include "bot/source.hpp"
#include "nlu/entities.hpp"

namespace baton::bot {

// Text with `{Variable}` placeholders ("{{" and "}}" are literal braces), parsed at load time.
struct Template {
  struct Part {
    bool is_variable = false;
    std::string text;  // literal text, or the variable name
  };
  std::string source;
  std::vector<Part> parts;

  bool empty() const { return source.empty(); }
  // Variable names referenced, in order.
  std::vector<std::string> variables() const;
};

// Parses "{Name}" placeholders (names as in expressions, System.* included; spaces inside the
// braces are ignored). Error (kParse) on an unclosed "{", an unmatched "}" or an empty/invalid
// name; the message starts with "column N: " (1-based, in code points).
Result<Template> parse_template(std::string_view text);

// Renders with the given lookup; unset variables render as "".
std::string render(const Template& tmpl, const VariableLookup& lookup);

struct Node;
using NodeList = std::vector<Node>;

// message: text to the customer, optionally with quick-reply buttons.
struct MessageNode {
  Template text;
  std::vector<Template> quick_replies;
};

// question: asks, extracts a typed value from the answer, stores it in `variable`.
struct QuestionNode {
  enum class OnFailure { kEscalate, kContinue };  // after max_retries invalid answers
  Template prompt;
  nlu::EntityType entity = nlu::EntityType::kText;
  std::vector<nlu::ChoiceOption> choices;  // for choice; shown as quick replies
  std::string pattern;                     // for regex (ECMAScript syntax)
  std::string variable;
  Template retry_prompt;           // empty → repeat the prompt
  std::optional<int> max_retries;  // nullopt → settings.invalid_answer_threshold - 1
  OnFailure on_failure = OnFailure::kEscalate;
  std::vector<Template> quick_replies;  // extra buttons (choices are added automatically)
};

// condition: the first branch whose expression is true runs; a branch without one is `else`.
struct ConditionBranch {
  SourceLoc loc;
  std::optional<Expression> when;  // nullopt = else
  NodeList body;
};
struct ConditionNode {
  std::vector<ConditionBranch> branches;
};

// set_variable: stores the value of an expression.
struct SetVariableNode {
  std::string variable;
  Expression value;
};

// redirect: runs another topic, then continues here.
struct RedirectNode {
  std::string topic;
};

// end_topic: leaves the current topic (returns to the topic that redirected here, if any).
struct EndTopicNode {};

// Routing hints handed to the hub with the handoff request.
struct RoutingHints {
  std::string queue;
  std::vector<std::string> skills;
  std::optional<int> priority;
};

// Everything a handoff needs; shared by transfer, handover and end_conversation-with-transfer.
// Texts: `text` when the request is made; `agents_online_text` when agents are online (Watson);
// `agents_offline_text`, falling back to `unavailable_text`, when none is; `unsupported_text` when
// the channel cannot do live chat. Empty texts fall back to the bot's settings.handoff defaults.
struct HandoffSpec {
  Template agent_message;  // private message to the agent (va_AgentMessage)
  RoutingHints routing;
  Template text;
  Template agents_online_text;
  Template agents_offline_text;
  Template unavailable_text;
  Template unsupported_text;
  std::string cancel_intent;    // a topic whose trigger phrases cancel while waiting
  Template cancel_quick_reply;  // a quick-reply button that cancels while waiting
};

// transfer (PVA "Transfer to agent"), handover (Cognigy), end_conversation with transfer: all pause
// the flow at the node until resume(outcome); the topic continues below with
// System.HandoffOutcome set.
struct HandoffNode {
  enum class Kind { kTransfer, kHandover, kEndConversation };
  Kind kind = Kind::kTransfer;
  HandoffSpec spec;
};

// end_conversation: plain (endOfConversation to the client) or with the survey topic first.
struct EndConversationNode {
  bool survey = false;
  Template text;  // optional goodbye
};

struct Node {
  SourceLoc loc;
  std::string id;  // optional author-given id
  std::variant<MessageNode, QuestionNode, ConditionNode, SetVariableNode, RedirectNode,
               EndTopicNode, HandoffNode, EndConversationNode>
      kind;
};

enum class SystemTopic { kNone, kGreeting, kEscalate, kFallback, kEndOfConversation, kStartOver };

// YAML names: greeting, escalate, fallback, end_of_conversation, start_over.
const char* to_string(SystemTopic topic);
std::optional<SystemTopic> parse_system_topic(std::string_view name);

struct Topic {
  SourceLoc loc;
  std::string name;
  std::string description;
  SystemTopic system = SystemTopic::kNone;
  // Analytics: a session in which this topic started counts as resolved (unless it escalated),
  // as Copilot Studio's Confirmed Success topic (docs/ANALYTICS.md).
  bool confirms_success = false;
  std::vector<std::string> triggers;
  std::vector<SourceLoc> trigger_locs;  // where each trigger is written (same size as triggers,
                                        // or empty for built-in topics)
  NodeList nodes;
};

// A global variable, visible to every topic; topic variables are declared by being set.
struct Variable {
  SourceLoc loc;
  std::string name;
  boost::json::value initial;  // null = unset
};

struct HandoffDefaults {
  std::string agents_online_text = "Let's send you to an available agent.";
  std::string agents_offline_text;
  std::string unavailable_text = "Sorry, no agent is available right now.";
  std::string unsupported_text = "Sorry, live chat is not available on this channel.";
  std::string waiting_text;  // optional reply to messages while queued; empty = silence
};

struct Settings {
  int no_match_threshold = 3;                   // consecutive no-matches before fallback escalation
  int invalid_answer_threshold = 3;             // default max_retries of questions
  double confidence_threshold = -1;             // < 0 → the classifier's default
  std::vector<std::string> escalation_phrases;  // besides the Escalate topic's triggers
  std::vector<std::string> cancel_phrases = {"cancel", "never mind"};  // cancel a waiting handoff
  HandoffDefaults handoff;
};

// An external Bot Framework bot (docs/EXTERNAL_BOTS.md): `bot:` names an endpoint instead of the
// bot having topics. Baton delivers the customer's activities to the endpoint the way the Bot
// Connector service does and takes the bot's answers through the Connector API.
inline constexpr std::size_t kMinAppPasswordLength = 16;

struct ExternalBot {
  SourceLoc loc;         // the endpoint's value
  std::string endpoint;  // http://host[:port]/path (checked again, fully, by `baton serve`)
  // The bot's MicrosoftAppId; "" = anonymous both ways (the SDK's behaviour without one).
  std::string app_id;
  // Its MicrosoftAppPassword, read from `app_password_file` (at least kMinAppPasswordLength).
  std::string app_password;
  // What the customer is told when the bot cannot be reached (down, slow, 5xx).
  std::string apology_text = "Sorry, I can't answer right now. Please try again in a moment.";
};

struct Bot {
  SourceLoc loc;
  std::string id;
  std::string name;
  std::string language = "en-us";  // BCP 47; the first subtag selects stemming
  Settings settings;
  std::vector<Variable> variables;
  std::vector<Topic> topics;
  // Set for an external bot: `topics` then holds only the built-in system topics, never run.
  std::optional<ExternalBot> external;

  // Case-insensitive (Unicode case folding), as topic names are unique that way.
  const Topic* find_topic(std::string_view name) const;
  const Topic* system_topic(SystemTopic which) const;  // nullptr when the bot has none
  // A global variable by exact (case-sensitive) name.
  const Variable* find_variable(std::string_view name) const;
};

}  // namespace baton::bot
