#include "dialog/test_bot.hpp"

#include <cstdio>
#include <cstdlib>

namespace baton::dialog::testing {
namespace {

[[noreturn]] void die(const char* what, std::string_view text, const std::string& message) {
  (void)std::fprintf(stderr, "test_bot: bad %s '%.*s': %s\n", what, static_cast<int>(text.size()),
                     text.data(), message.c_str());
  std::abort();
}

bot::SourceLoc here() { return bot::SourceLoc{"test_bot.cpp", 1, 1}; }

}  // namespace

bot::Template tmpl(std::string_view text) {
  auto parsed = bot::parse_template(text);
  if (!parsed.ok()) {
    die("template", text, parsed.error().message);
  }
  return std::move(parsed).value();
}

bot::Expression expr(std::string_view text) {
  auto parsed = bot::parse_expression(text);
  if (!parsed.ok()) {
    die("expression", text, parsed.error().message);
  }
  return std::move(parsed).value();
}

bot::Node node(decltype(bot::Node::kind) kind, std::string id) {
  bot::Node out;
  out.loc = here();
  out.id = std::move(id);
  out.kind = std::move(kind);
  return out;
}

bot::Node message(std::string_view text, const std::vector<std::string>& quick_replies) {
  bot::MessageNode m;
  m.text = tmpl(text);
  for (const auto& reply : quick_replies) {
    m.quick_replies.push_back(tmpl(reply));
  }
  return node(std::move(m));
}

bot::QuestionNode question(std::string_view prompt, nlu::EntityType entity, std::string variable) {
  bot::QuestionNode q;
  q.prompt = tmpl(prompt);
  q.entity = entity;
  q.variable = std::move(variable);
  return q;
}

bot::Node ask(bot::QuestionNode question) { return node(std::move(question)); }

bot::Node choice_question(std::string_view prompt, std::vector<std::string> choices,
                          std::string variable) {
  auto q = question(prompt, nlu::EntityType::kChoice, std::move(variable));
  for (auto& choice : choices) {
    q.choices.push_back({std::move(choice), {}});
  }
  return ask(std::move(q));
}

bot::Node condition(std::vector<std::pair<std::string, bot::NodeList>> branches) {
  bot::ConditionNode c;
  for (auto& entry : branches) {  // (not a structured binding: clang-tidy 14 misses its moves)
    bot::ConditionBranch branch;
    branch.loc = here();
    if (!entry.first.empty()) {
      branch.when = expr(entry.first);
    }
    branch.body = std::move(entry.second);
    c.branches.push_back(std::move(branch));
  }
  return node(std::move(c));
}

bot::Node set_variable(std::string variable, std::string_view expression) {
  return node(bot::SetVariableNode{std::move(variable), expr(expression)});
}

bot::Node redirect(std::string topic) { return node(bot::RedirectNode{std::move(topic)}); }

bot::Node end_topic() { return node(bot::EndTopicNode{}); }

bot::Node transfer(std::string_view agent_message, std::string queue) {
  bot::HandoffNode h;
  h.kind = bot::HandoffNode::Kind::kTransfer;
  h.spec.agent_message = tmpl(agent_message);
  h.spec.routing.queue = std::move(queue);
  return node(std::move(h));
}

bot::Node handover(bot::HandoffSpec spec) {
  bot::HandoffNode h;
  h.kind = bot::HandoffNode::Kind::kHandover;
  h.spec = std::move(spec);
  return node(std::move(h));
}

bot::Node end_conversation(bool survey, std::string_view text) {
  bot::EndConversationNode end;
  end.survey = survey;
  end.text = tmpl(text);
  return node(std::move(end));
}

bot::Topic topic(std::string name, std::vector<std::string> triggers, bot::NodeList nodes,
                 bot::SystemTopic system) {
  bot::Topic t;
  t.loc = here();
  t.name = std::move(name);
  t.system = system;
  t.triggers = std::move(triggers);
  t.nodes = std::move(nodes);
  return t;
}

std::vector<bot::Topic> default_system_topics(const std::string& bot_name) {
  using bot::SystemTopic;
  std::vector<bot::Topic> topics;
  topics.push_back(topic("Greeting", {"hi", "hello"},
                         {message("Hello, I'm " + bot_name + ". How can I help?")},
                         SystemTopic::kGreeting));
  topics.push_back(
      topic("Escalate", {},
            {message("I'll connect you with an agent."), transfer(""),
             condition({{"System.HandoffOutcome == \"completed\"", {end_conversation(true)}},
                        {"System.HandoffOutcome == \"unavailable\"",
                         {message("You can also try again later.")}},
                        {"System.HandoffOutcome == \"unsupported\"",
                         {message("You can also try again later.")}},
                        {"System.HandoffOutcome == \"timed_out\"",
                         {message("You can also try again later.")}}})},
            SystemTopic::kEscalate));
  topics.push_back(topic("Fallback", {}, {message("Sorry, I didn't get that. Could you rephrase?")},
                         SystemTopic::kFallback));
  auto rating = question("How would you rate your experience, from 1 to 5?",
                         nlu::EntityType::kChoice, "SurveyRating");
  const char* words[] = {"one", "two", "three", "four", "five"};
  for (int i = 0; i < 5; ++i) {
    rating.choices.push_back({std::to_string(i + 1), {words[i]}});
  }
  topics.push_back(topic(
      "End of conversation", {},
      {ask(question("Did that answer your question?", nlu::EntityType::kYesNo, "SurveyResolved")),
       ask(std::move(rating)), message("Thanks for your feedback!"), end_conversation()},
      SystemTopic::kEndOfConversation));
  topics.push_back(topic("Start over", {"start over", "restart", "reset"},
                         {message("OK, let's start over.")}, SystemTopic::kStartOver));
  return topics;
}

bot::Bot store_bot() {
  bot::Bot b;
  b.loc = here();
  b.id = "contoso-store";
  b.name = "Contoso Store";
  b.language = "en-us";
  b.settings.escalation_phrases = {"talk to an agent", "speak to a human"};
  b.variables.push_back({here(), "CustomerName", nullptr});
  b.topics = default_system_topics(b.name);

  b.topics.push_back(topic("Store hours",
                           {"what are your hours", "when do you open", "store hours"},
                           {message("We're open 9 to 5.")}));

  auto store = question("Which store?", nlu::EntityType::kChoice, "StoreLocation");
  store.choices = {{"Bellevue", {}}, {"Redmond", {"redmond town center", "rtc"}}, {"Seattle", {}}};
  store.retry_prompt = tmpl("Please pick one of the stores.");
  auto order = question("What is the order number?", nlu::EntityType::kRegex, "OrderNumber");
  order.pattern = "[A-Z]{2}[0-9]{6}";
  order.retry_prompt = tmpl("Order numbers look like AB123456.");
  b.topics.push_back(topic(
      "Return an item", {"return an item", "i want to return something", "can i return my item"},
      {ask(std::move(store)), ask(std::move(order)),
       message("Returning order {OrderNumber} at {StoreLocation}."),
       transfer("Return at {StoreLocation}, order {OrderNumber}", "returns"),
       condition({{"System.HandoffOutcome == \"completed\"", {message("Glad we could help.")}},
                  {"", {message("Outcome: {System.HandoffOutcome}.")}}})}));

  auto order_id = question("What is your order id?", nlu::EntityType::kNumber, "OrderId");
  order_id.max_retries = 1;
  order_id.retry_prompt = tmpl("Please type the order id as a number.");
  b.topics.push_back(topic("Order status", {"order status", "where is my order", "track my order"},
                           {ask(std::move(order_id)), message("Order {OrderId} ships tomorrow."),
                            set_variable("CustomerName", "\"valued customer\"")}));

  bot::HandoffSpec pay;
  pay.text = tmpl("I'm requesting an agent for you.");
  pay.agents_online_text = tmpl("Let's send you to an available agent.");
  pay.agents_offline_text = tmpl("No agents are online right now.");
  pay.unsupported_text = tmpl("This channel can't do live chat.");
  pay.cancel_intent = "Cancel request";
  pay.cancel_quick_reply = tmpl("Cancel");
  pay.agent_message = tmpl("Wants to pay a bill");
  pay.routing.queue = "billing";
  pay.routing.skills = {"billing"};
  pay.routing.priority = 2;
  b.topics.push_back(topic(
      "Pay my bill", {"pay my bill", "i want to pay my bill"},
      {handover(std::move(pay)),
       condition({{"System.HandoffOutcome == \"cancelled\"", {message("OK, request cancelled.")}},
                  {"", {message("Bill outcome: {System.HandoffOutcome}.")}}})}));
  b.topics.push_back(topic("Cancel request", {"cancel my request", "stop waiting"},
                           {message("There is nothing to cancel.")}));
  return b;
}

Chat::Chat(const bot::Bot& bot, ConversationInfo info)
    : Chat(CompiledBot::compile(bot), std::move(info)) {}

Chat::Chat(std::shared_ptr<const CompiledBot> bot, ConversationInfo info)
    : compiled_(std::move(bot)),
      info_(std::move(info)),
      clock_(TimePoint{} + std::chrono::hours(24 * 365 * 54)),
      runtime_(std::make_unique<Runtime>(compiled_, clock_, ids(), info_)) {}

ConversationInfo Chat::default_info() {
  ConversationInfo info;
  info.conversation_id = "conv1";
  info.user = {"user1", "Ada", "user"};
  return info;
}

IdSource Chat::ids() {
  auto counter = next_bot_id_;
  return [counter] { return "b" + std::to_string(++*counter); };
}

activity::Activity Chat::user_message(std::string_view text) {
  activity::Activity a = activity::make_message(std::string(text));
  a.from = info_.user;
  a.conversation.id = info_.conversation_id;
  a.channel_id = info_.channel_id;
  return a;
}

TurnResult Chat::send(activity::Activity incoming) {
  incoming.id = "u" + std::to_string(++next_user_id_);
  incoming.timestamp = format_iso8601(clock_.now());
  return runtime_->on_activity(incoming);
}

TurnResult Chat::say(std::string_view text) { return send(user_message(text)); }

void Chat::restart_from_snapshot() {
  auto restored = Runtime::restore(compiled_, clock_, ids(), info_, runtime_->snapshot(),
                                   runtime_->transcript());
  if (!restored.ok()) {
    die("snapshot", "", restored.error().message);
  }
  runtime_ = std::move(restored).value();
}

std::vector<std::string> texts(const TurnResult& result) {
  std::vector<std::string> out;
  for (const auto& reply : result.replies) {
    out.push_back(reply.type == "endOfConversation" ? std::string("<end>") : reply.text);
  }
  return out;
}

}  // namespace baton::dialog::testing
