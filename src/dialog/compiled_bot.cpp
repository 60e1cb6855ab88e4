// CompiledBot: the per-bot work done once (classifier training, regexes, topic indexes) so that a
// conversation turn does no compilation and no name searches.
#include <algorithm>

#include "dialog/phrase.hpp"
#include "dialog/runtime.hpp"

namespace baton::dialog {
namespace {

constexpr std::size_t kSystemTopicCount = 6;  // SystemTopic values, kNone included

std::size_t system_slot(bot::SystemTopic which) { return static_cast<std::size_t>(which); }

bot::Template literal_template(const std::string& text) {
  bot::Template tmpl;
  tmpl.source = text;
  tmpl.parts.push_back({false, text});
  return tmpl;
}

// The smallest useful Escalate topic: one transfer node with the bot's default texts.
bot::Topic minimal_escalate(const bot::Bot& bot) {
  bot::Topic topic;
  topic.loc = bot.loc;
  topic.name = "Escalate";
  topic.system = bot::SystemTopic::kEscalate;
  bot::Node node;
  node.loc = bot.loc;
  node.kind = bot::HandoffNode{};
  topic.nodes.push_back(std::move(node));
  return topic;
}

bot::Topic minimal_fallback(const bot::Bot& bot) {
  bot::Topic topic;
  topic.loc = bot.loc;
  topic.name = "Fallback";
  topic.system = bot::SystemTopic::kFallback;
  bot::Node node;
  node.loc = bot.loc;
  node.kind =
      bot::MessageNode{literal_template("Sorry, I didn't get that. Could you rephrase?"), {}};
  topic.nodes.push_back(std::move(node));
  return topic;
}

std::string first_subtag(std::string_view language) {
  std::string out;
  for (const char c : language) {
    if (c == '-' || c == '_') {
      break;
    }
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  return out.empty() ? std::string("en") : out;
}

template <class Map>
std::optional<std::size_t> find_sorted(const Map& map, std::string_view key) {
  auto it = std::lower_bound(map.begin(), map.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it != map.end() && it->first == key) {
    return it->second;
  }
  return std::nullopt;
}

}  // namespace

std::string fold_phrase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out.push_back(' ');
      space = false;
    }
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  while (!out.empty() &&
         (out.back() == '.' || out.back() == '!' || out.back() == '?' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

const std::vector<std::string>& CompiledBot::default_escalation_phrases() {
  static const std::vector<std::string> phrases = {
      "talk to an agent", "speak to a human", "human", "agent", "representative", "real person"};
  return phrases;
}

std::shared_ptr<const CompiledBot> CompiledBot::compile(bot::Bot bot) {
  auto compiled = std::make_shared<CompiledBot>();
  if (bot.system_topic(bot::SystemTopic::kEscalate) == nullptr) {
    bot.topics.push_back(minimal_escalate(bot));
  }
  if (bot.system_topic(bot::SystemTopic::kFallback) == nullptr) {
    bot.topics.push_back(minimal_fallback(bot));
  }
  // From here on bot_ never moves, so node addresses (patterns_) stay valid.
  compiled->bot_ = std::move(bot);
  compiled->language_ = first_subtag(compiled->bot_.language);
  compiled->index_topics();
  compiled->train();
  for (const auto& topic : compiled->bot_.topics) {
    compiled->compile_patterns(topic.nodes);
  }
  for (const auto& phrase : compiled->bot_.settings.cancel_phrases) {
    compiled->cancel_phrases_.push_back(fold_phrase(phrase));
  }
  return compiled;
}

void CompiledBot::index_topics() {
  system_topics_.assign(kSystemTopicCount, std::nullopt);
  for (std::size_t i = 0; i < bot_.topics.size(); ++i) {
    const auto& topic = bot_.topics[i];
    topics_by_label_.emplace_back(topic.name, i);
    topics_by_folded_.emplace_back(fold_phrase(topic.name), i);
    auto& slot = system_topics_[system_slot(topic.system)];
    if (topic.system != bot::SystemTopic::kNone && !slot) {
      slot = i;
    }
  }
  std::sort(topics_by_label_.begin(), topics_by_label_.end());
  std::sort(topics_by_folded_.begin(), topics_by_folded_.end());
  const auto start_over = system_topics_[system_slot(bot::SystemTopic::kStartOver)];
  const auto greeting = system_topics_[system_slot(bot::SystemTopic::kGreeting)];
  if (start_over && greeting) {
    for (const auto& node : bot_.topics[*start_over].nodes) {
      const auto* redirect = std::get_if<bot::RedirectNode>(&node.kind);
      if (redirect != nullptr && topic_index(redirect->topic) == greeting) {
        start_over_redirects_to_greeting_ = true;
      }
    }
  }
}

void CompiledBot::train() {
  std::vector<nlu::Example> examples;
  for (const auto& topic : bot_.topics) {
    const bool escalate = topic.system == bot::SystemTopic::kEscalate;
    for (const auto& trigger : topic.triggers) {
      examples.push_back({trigger, escalate ? std::string(kEscalateLabel) : topic.name});
    }
  }
  const auto& phrases = bot_.settings.escalation_phrases.empty() ? default_escalation_phrases()
                                                                 : bot_.settings.escalation_phrases;
  for (const auto& phrase : phrases) {
    examples.push_back({phrase, kEscalateLabel});
  }
  nlu::TrainOptions options;
  options.language = language_;
  if (bot_.settings.confidence_threshold >= 0) {
    options.threshold = bot_.settings.confidence_threshold;
  }
  classifier_ = nlu::train_classifier(examples, options);
}

void CompiledBot::compile_patterns(const bot::NodeList& nodes) {
  for (const auto& node : nodes) {
    if (const auto* question = std::get_if<bot::QuestionNode>(&node.kind)) {
      if (question->entity != nlu::EntityType::kRegex) {
        continue;
      }
      try {
        patterns_.emplace_back(question, std::regex(question->pattern, std::regex::ECMAScript));
      } catch (const std::regex_error&) {
        // Start-up configuration: the loader reports bad patterns; here the question just never
        // accepts an answer (pattern() stays null).
      }
    } else if (const auto* condition = std::get_if<bot::ConditionNode>(&node.kind)) {
      for (const auto& branch : condition->branches) {
        compile_patterns(branch.body);
      }
    }
  }
}

const std::regex* CompiledBot::pattern(const bot::QuestionNode& question) const {
  for (const auto& [node, regex] : patterns_) {
    if (node == &question) {
      return &regex;
    }
  }
  return nullptr;
}

std::optional<std::size_t> CompiledBot::topic_for_label(std::string_view label) const {
  return find_sorted(topics_by_label_, label);
}

std::optional<std::size_t> CompiledBot::topic_index(std::string_view name) const {
  return find_sorted(topics_by_folded_, fold_phrase(name));
}

std::optional<std::size_t> CompiledBot::system_topic(bot::SystemTopic which) const {
  const std::size_t slot = system_slot(which);
  return slot < system_topics_.size() ? system_topics_[slot] : std::nullopt;
}

bool CompiledBot::is_cancel_phrase(std::string_view text) const {
  if (cancel_phrases_.empty()) {
    return false;
  }
  const std::string folded = fold_phrase(text);
  return std::find(cancel_phrases_.begin(), cancel_phrases_.end(), folded) != cancel_phrases_.end();
}

}  // namespace baton::dialog
