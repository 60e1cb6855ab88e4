#pragma once
// Test support for dialog: builders for bot::Bot values in C++ (no YAML needed), the Contoso-like
// store bot used by the tests, the fuzzer and the benchmark, and a Chat harness that drives a
// Runtime with a ManualClock and a counter IdSource.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/model.hpp"
#include "core/clock.hpp"
#include "dialog/runtime.hpp"

namespace baton::dialog::testing {

// Builders. They abort on malformed templates/expressions: they are for fixed test data.
bot::Template tmpl(std::string_view text);
bot::Expression expr(std::string_view text);
bot::Node node(decltype(bot::Node::kind) kind, std::string id = {});
bot::Node message(std::string_view text, const std::vector<std::string>& quick_replies = {});
bot::QuestionNode question(std::string_view prompt, nlu::EntityType entity, std::string variable);
bot::Node ask(bot::QuestionNode question);
bot::Node choice_question(std::string_view prompt, std::vector<std::string> choices,
                          std::string variable);
// Branches: (expression, body); an empty expression is `else`.
bot::Node condition(std::vector<std::pair<std::string, bot::NodeList>> branches);
bot::Node set_variable(std::string variable, std::string_view expression);
bot::Node redirect(std::string topic);
bot::Node end_topic();
bot::Node transfer(std::string_view agent_message, std::string queue = {});
bot::Node handover(bot::HandoffSpec spec);
bot::Node end_conversation(bool survey = false, std::string_view text = {});
bot::Topic topic(std::string name, std::vector<std::string> triggers, bot::NodeList nodes,
                 bot::SystemTopic system = bot::SystemTopic::kNone);
// The five system topics with the loader's default behaviour (docs/AUTHORING.md, "system topics").
std::vector<bot::Topic> default_system_topics(const std::string& bot_name);

// A store bot mirroring the seeds: greeting, store hours, return an item (choice + regex
// questions, transfer with a private message), order status (number question, 1 retry),
// pay my bill (handover with cancel intent and quick reply), cancel request, and the defaults.
bot::Bot store_bot();

// Drives one Runtime. Incoming activities get ids "u1", "u2", ...; produced ones "b1", ...
class Chat {
 public:
  explicit Chat(const bot::Bot& bot, ConversationInfo info = default_info());
  Chat(std::shared_ptr<const CompiledBot> bot, ConversationInfo info = default_info());

  static ConversationInfo default_info();

  TurnResult say(std::string_view text);
  TurnResult send(activity::Activity incoming);  // stamped with the next user id
  activity::Activity user_message(std::string_view text);

  Runtime& runtime() { return *runtime_; }
  ManualClock& clock() { return clock_; }
  const std::shared_ptr<const CompiledBot>& compiled() const { return compiled_; }
  IdSource ids();

  // Replaces the runtime by one restored from its own snapshot (and transcript).
  void restart_from_snapshot();

 private:
  std::shared_ptr<const CompiledBot> compiled_;
  ConversationInfo info_;
  ManualClock clock_;
  std::shared_ptr<int> next_bot_id_ = std::make_shared<int>(0);
  int next_user_id_ = 0;
  std::unique_ptr<Runtime> runtime_;
};

// Texts of the replies: a message's text ("" when it has none), "<end>" for endOfConversation.
std::vector<std::string> texts(const TurnResult& result);

}  // namespace baton::dialog::testing
