// The structured node kinds: question, condition, transfer / handover, end_conversation.
#include <fmt/format.h>

#include <algorithm>

#include "bot/expr_internal.hpp"
#include "bot/node_parser.hpp"
#include "bot/regex_check.hpp"

namespace baton::bot::detail {
namespace {

// More choices than buttons anyone can read; also keeps the duplicate check cheap.
constexpr std::size_t kMaxChoices = 500;

const std::initializer_list<std::string_view> kQuestionKeys = {
    "prompt",       "entity",      "choices",    "pattern",       "variable",
    "retry_prompt", "max_retries", "on_failure", "quick_replies",
};

const std::initializer_list<std::string_view> kHandoffKeys = {
    "agent_message",
    "queue",
    "skills",
    "priority",
    "text",
    "agents_online_text",
    "agents_offline_text",
    "unavailable_text",
    "unsupported_text",
    "cancel_intent",
    "cancel_quick_reply",
};

std::vector<std::string_view> entity_names() {
  std::vector<std::string_view> out;
  for (int i = 0; i <= static_cast<int>(nlu::EntityType::kRegex); ++i) {
    out.emplace_back(nlu::to_string(static_cast<nlu::EntityType>(i)));
  }
  return out;
}

}  // namespace

bool NodeParser::parse_question(const Field& f, Node& node) {
  if (!f.value.IsMap()) {
    ctx_.error(ctx_.loc(f.value, f.key),
               fmt::format("'question' must be a map with at least 'prompt' and 'variable', got {}",
                           describe_node(f.value)));
    return false;
  }
  MapReader map(ctx_, f.value, "question", kQuestionKeys, ctx_.loc(f.key));
  QuestionNode q;
  bool ok = map.require("prompt") != nullptr && optional_template(map, "prompt", q.prompt);
  if (const Field* variable = map.require("variable")) {
    auto name = read_variable_name(ctx_, *variable);
    if (name) {
      q.variable = *name;
      info_.sets.insert(*name);
    }
    ok = name.has_value() && ok;
  } else {
    ok = false;
  }
  ok = parse_entity(map, q) && ok;
  ok = parse_choices(map, q) && ok;
  ok = parse_pattern(map, q) && ok;
  ok = optional_template(map, "retry_prompt", q.retry_prompt) && ok;
  ok = parse_retries(map, q) && ok;
  ok = optional_templates(map, "quick_replies", q.quick_replies) && ok;
  if (!ok) {
    return false;
  }
  node.kind = std::move(q);
  return true;
}

bool NodeParser::parse_entity(const MapReader& map, QuestionNode& q) {
  const Field* f = map.get("entity");
  if (f == nullptr) {
    return true;  // text
  }
  auto name = read_string(ctx_, *f);
  if (!name) {
    return false;
  }
  if (auto type = nlu::parse_entity_type(*name)) {
    q.entity = *type;
    return true;
  }
  ctx_.error(ctx_.loc(f->value),
             fmt::format("unknown entity type '{}'{}; valid types: {}", *name,
                         did_you_mean(*name, entity_names()), nlu::entity_type_names()));
  return false;
}

bool NodeParser::parse_choice(const YAML::Node& item, const Field& f, QuestionNode& q) {
  nlu::ChoiceOption option;
  if (item.IsScalar()) {
    option.value = item.Scalar();
  } else if (item.IsMap()) {
    MapReader choice(ctx_, item, "choice", {"value", "synonyms"});
    const Field* value = choice.require("value");
    if (value == nullptr) {
      return false;
    }
    auto text = read_string(ctx_, *value);
    if (!text) {
      return false;
    }
    option.value = *text;
    if (const Field* synonyms = choice.get("synonyms")) {
      auto list = read_string_list(ctx_, *synonyms);
      if (!list) {
        return false;
      }
      option.synonyms = std::move(*list);
    }
  } else {
    ctx_.error(ctx_.loc(item, f.key),
               fmt::format("a choice must be text or a map with 'value' and 'synonyms', got {}",
                           describe_node(item)));
    return false;
  }
  if (option.value.empty()) {
    ctx_.error(ctx_.loc(item, f.key), "a choice's value must not be empty");
    return false;
  }
  const std::string folded = fold_case(option.value);
  for (const auto& existing : q.choices) {
    if (fold_case(existing.value) == folded) {
      ctx_.error(ctx_.loc(item), fmt::format("duplicate choice '{}'", option.value));
      return false;
    }
  }
  q.choices.push_back(std::move(option));
  return true;
}

bool NodeParser::parse_choices(MapReader& map, QuestionNode& q) {
  const Field* f = map.get("choices");
  if (q.entity != nlu::EntityType::kChoice) {
    if (f != nullptr) {
      ctx_.error(ctx_.loc(f->key), "'choices' only applies to questions with entity: choice");
      return false;
    }
    return true;
  }
  if (f == nullptr || f->value.IsNull() || (f->value.IsSequence() && f->value.size() == 0)) {
    ctx_.error(f == nullptr ? map.loc() : ctx_.loc(f->key),
               "a choice question needs a non-empty 'choices' list");
    return false;
  }
  if (!f->value.IsSequence()) {
    ctx_.error(ctx_.loc(f->value),
               fmt::format("'choices' must be a list, got {}", describe_node(f->value)));
    return false;
  }
  if (f->value.size() > kMaxChoices) {
    ctx_.error(ctx_.loc(f->key),
               fmt::format("a question can have at most {} choices", kMaxChoices));
    return false;
  }
  bool ok = true;
  for (const auto& item : f->value) {
    if (!ctx_.visit(item)) {
      return false;
    }
    ok = parse_choice(item, *f, q) && ok;
  }
  return ok;
}

bool NodeParser::parse_pattern(MapReader& map, QuestionNode& q) {
  const Field* f = map.get("pattern");
  if (q.entity != nlu::EntityType::kRegex) {
    if (f != nullptr) {
      ctx_.error(ctx_.loc(f->key), "'pattern' only applies to questions with entity: regex");
      return false;
    }
    return true;
  }
  if (f == nullptr) {
    ctx_.error(map.loc(), "a regex question needs a 'pattern'");
    return false;
  }
  auto pattern = read_nonempty_string(ctx_, *f);
  if (!pattern) {
    return false;
  }
  if (auto problem = check_regex(*pattern)) {
    ctx_.error(ctx_.loc(f->value), "invalid regex pattern: " + *problem);
    return false;
  }
  q.pattern = *pattern;
  return true;
}

bool NodeParser::parse_retries(const MapReader& map, QuestionNode& q) {
  bool ok = true;
  if (const Field* f = map.get("max_retries")) {
    auto n = read_int(ctx_, *f);
    if (n && (*n < 0 || *n > 100)) {
      ctx_.error(ctx_.loc(f->value), "'max_retries' must be between 0 and 100");
      n.reset();
    }
    if (n) {
      q.max_retries = static_cast<int>(*n);
    }
    ok = n.has_value();
  }
  if (const Field* f = map.get("on_failure")) {
    auto s = read_string(ctx_, *f);
    if (s && *s == "escalate") {
      q.on_failure = QuestionNode::OnFailure::kEscalate;
    } else if (s && *s == "continue") {
      q.on_failure = QuestionNode::OnFailure::kContinue;
    } else {
      if (s) {
        ctx_.error(ctx_.loc(f->value),
                   fmt::format("'on_failure' must be 'escalate' or 'continue', got '{}'", *s));
      }
      ok = false;
    }
  }
  return ok;
}

bool NodeParser::parse_condition(const Field& f, Node& node, int depth) {
  if (!f.value.IsSequence()) {
    ctx_.error(ctx_.loc(f.value, f.key),
               fmt::format("'condition' must be a list of branches (if/then, else), got {}",
                           describe_node(f.value)));
    return false;
  }
  if (f.value.size() == 0) {
    ctx_.error(ctx_.loc(f.value), "a condition needs at least one branch");
    return false;
  }
  ConditionNode condition;
  bool ok = true;
  const std::size_t count = f.value.size();
  std::size_t index = 0;
  for (const auto& item : f.value) {
    if (!ctx_.visit(item)) {
      return false;
    }
    ok = parse_branch(item, condition, ++index == count, depth) && ok;
  }
  if (!ok) {
    return false;
  }
  node.kind = std::move(condition);
  return true;
}

bool NodeParser::parse_branch(const YAML::Node& item, ConditionNode& condition, bool last,
                              int depth) {
  if (!item.IsMap()) {
    ctx_.error(ctx_.loc(item), fmt::format("a condition branch must be a map with 'if' and 'then', "
                                           "or 'else', got {}",
                                           describe_node(item)));
    return false;
  }
  MapReader map(ctx_, item, "condition branch", {"if", "then", "else"});
  ConditionBranch branch;
  branch.loc = map.loc();
  if (const Field* otherwise = map.get("else")) {
    if (map.get("if") != nullptr || map.get("then") != nullptr) {
      ctx_.error(map.loc(), "a branch has either 'if' and 'then', or 'else', not both");
      return false;
    }
    bool ok = true;
    if (!last) {
      ctx_.error(ctx_.loc(otherwise->key), "'else' must be the last branch of a condition");
      ok = false;
    }
    branch.body = parse_list(*otherwise, depth + 1);
    condition.branches.push_back(std::move(branch));
    return ok;
  }
  const Field* when = map.require("if");
  const Field* then = map.require("then");
  std::optional<Expression> expr;
  if (when != nullptr) {
    expr = expression(*when);
  }
  if (then != nullptr) {
    branch.body = parse_list(*then, depth + 1);
  }
  if (!expr || then == nullptr) {
    return false;
  }
  branch.when = std::move(*expr);
  condition.branches.push_back(std::move(branch));
  return true;
}

bool NodeParser::parse_end_conversation(const Field& f, Node& node) {
  if (f.value.IsNull()) {
    node.kind = EndConversationNode{};
    return true;
  }
  if (!f.value.IsMap()) {
    ctx_.error(ctx_.loc(f.value),
               fmt::format("'end_conversation' takes nothing or a map with 'survey', 'text' or "
                           "'transfer', got {}",
                           describe_node(f.value)));
    return false;
  }
  MapReader map(ctx_, f.value, "end_conversation", {"survey", "text", "transfer"}, ctx_.loc(f.key));
  EndConversationNode end;
  bool ok = true;
  if (const Field* survey = map.get("survey")) {
    auto b = read_bool(ctx_, *survey);
    end.survey = b.value_or(false);
    ok = b.has_value();
  }
  ok = optional_template(map, "text", end.text) && ok;
  const Field* transfer = map.get("transfer");
  if (transfer == nullptr) {
    node.kind = std::move(end);
    return ok;
  }
  if (map.get("survey") != nullptr || map.get("text") != nullptr) {
    ctx_.error(ctx_.loc(transfer->key),
               "'transfer' cannot be combined with 'survey' or 'text' in end_conversation; put "
               "the text in the transfer's 'text'");
    ok = false;
  }
  return parse_handoff(*transfer, node, HandoffNode::Kind::kEndConversation) && ok;
}

bool NodeParser::parse_handoff(const Field& f, Node& node, HandoffNode::Kind kind) {
  HandoffNode handoff;
  handoff.kind = kind;
  if (!f.value.IsNull() && !f.value.IsMap()) {
    ctx_.error(ctx_.loc(f.value), fmt::format("'{}' takes nothing or a map of handoff settings, "
                                              "got {}",
                                              f.name, describe_node(f.value)));
    return false;
  }
  if (f.value.IsMap() && !parse_handoff_spec(f, handoff.spec)) {
    return false;
  }
  node.kind = std::move(handoff);
  return true;
}

bool NodeParser::parse_handoff_spec(const Field& f, HandoffSpec& spec) {
  MapReader map(ctx_, f.value, f.name, kHandoffKeys, ctx_.loc(f.key));
  bool ok = optional_template(map, "agent_message", spec.agent_message);
  ok = optional_template(map, "text", spec.text) && ok;
  ok = optional_template(map, "agents_online_text", spec.agents_online_text) && ok;
  ok = optional_template(map, "agents_offline_text", spec.agents_offline_text) && ok;
  ok = optional_template(map, "unavailable_text", spec.unavailable_text) && ok;
  ok = optional_template(map, "unsupported_text", spec.unsupported_text) && ok;
  ok = optional_template(map, "cancel_quick_reply", spec.cancel_quick_reply) && ok;
  if (const Field* queue = map.get("queue")) {
    auto s = read_string(ctx_, *queue);
    spec.routing.queue = s.value_or("");
    ok = s.has_value() && ok;
  }
  if (const Field* skills = map.get("skills")) {
    auto list = read_string_list(ctx_, *skills);
    spec.routing.skills = list.value_or(std::vector<std::string>{});
    ok = list.has_value() && ok;
  }
  if (const Field* priority = map.get("priority")) {
    auto n = read_int(ctx_, *priority);
    if (n) {
      spec.routing.priority = static_cast<int>(*n);
    }
    ok = n.has_value() && ok;
  }
  if (const Field* intent = map.get("cancel_intent")) {
    auto topic = read_nonempty_string(ctx_, *intent);
    if (topic) {
      spec.cancel_intent = *topic;
      info_.refs.push_back(TopicRef{*topic, ctx_.loc(intent->value), "cancel_intent"});
    }
    ok = topic.has_value() && ok;
  }
  return ok;
}

}  // namespace baton::bot::detail
