// Runtime: one conversation's turn handling. Walk of a message turn (handle_message):
//   1. record it; sanitize the text (invalid UTF-8 → U+FFFD); an ended conversation starts afresh
//   2. paused at a handoff → only a cancel (value, quick reply, phrase, cancel intent) resumes it;
//      otherwise the optional waiting text, or silence
//   3. greet lazily if nothing greeted yet; classify once
//   4. escalation intent → Escalate (requested); start over intent → Start over — even mid-question
//   5. a question waits → answer(): store a valid value, switch to a clearly-meant other topic, or
//      re-ask / fail (escalate invalid_answer, or continue)
//   6. otherwise an intent triggers its topic (recorded for va_Topics), no intent → Fallback, and
//      the no_match_threshold-th in a row → Escalate (no_match)
#include "dialog/runtime.hpp"

#include <algorithm>

#include "core/utf8.hpp"
#include "dialog/phrase.hpp"
#include "dialog/runtime_state.hpp"

namespace baton::dialog {
namespace {

constexpr double kClearSwitchConfidence = 0.7;

// The longest prefix of `text` of at most `max` bytes that does not cut a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) {
    return text;
  }
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

}  // namespace

Runtime::State::State(std::shared_ptr<const CompiledBot> compiled_bot, const Clock& clock_ref,
                      IdSource id_source, ConversationInfo conversation)
    : compiled(std::move(compiled_bot)),
      bot(compiled->bot()),
      clock(clock_ref),
      ids(std::move(id_source)),
      info(std::move(conversation)),
      variables(compiled->bot()) {
  if (info.bot.id.empty()) {
    info.bot.id = bot.id;
  }
  if (info.bot.name.empty()) {
    info.bot.name = bot.name;
  }
  info.bot.role = "bot";
  info.user.role = "user";
  locale = info.locale.empty() ? bot.language : info.locale;
  user_id = bj::string(info.user.id);
  user_name = bj::string(info.user.name);
  conversation_id = bj::string(info.conversation_id);
  language = bj::string(bot.language);
}

void Runtime::State::greet(Turn& turn) {
  if (greeted) {
    return;
  }
  greeted = true;
  if (const auto topic = compiled->system_topic(bot::SystemTopic::kGreeting)) {
    push(*topic);
    run(turn);
  }
}

void Runtime::State::handle_message(const activity::Activity& incoming, Turn& turn) {
  std::string sanitized;
  std::string_view text = incoming.text;
  if (!utf8::is_valid(text)) {
    sanitized = utf8::sanitize(text);
    text = sanitized;
  }
  last_message = bj::string(text);
  if (flow == FlowState::kEnded) {
    new_conversation();
  }
  if (flow == FlowState::kHandoffPending || flow == FlowState::kWithAgent) {
    handle_paused(incoming, text, turn);
    return;
  }
  const bool lazy_greeting = !greeted;
  greet(turn);
  if (flow != FlowState::kActive) {
    return;  // the greeting itself handed off or ended
  }
  const nlu::Classification intents = compiled->classifier().classify(text);
  const nlu::ScoredIntent* top = intents.top();
  if (top != nullptr && top->label == CompiledBot::kEscalateLabel) {
    escalate(HandoffReason::kRequested, turn);
    return;
  }
  const auto topic = top != nullptr ? compiled->topic_for_label(top->label) : std::nullopt;
  if (topic && topic == compiled->system_topic(bot::SystemTopic::kStartOver)) {
    start_over(turn);
    return;
  }
  if (waiting) {
    answer(text, intents, topic, turn);
  } else if (!topic) {
    no_match(turn);
  } else if (lazy_greeting && topic == compiled->system_topic(bot::SystemTopic::kGreeting)) {
    trigger(*topic, text);  // records "hi" without greeting twice
    stack.clear();
  } else {
    trigger(*topic, text);
    run(turn);
  }
}

void Runtime::State::handle_paused(const activity::Activity& incoming, std::string_view text,
                                   Turn& turn) {
  if (flow != FlowState::kHandoffPending) {
    return;  // an agent has the conversation: the bot stays silent
  }
  if (is_cancel(incoming, text)) {
    resume(HandoffOutcome::kCancelled, {}, {}, turn);
    return;
  }
  if (!bot.settings.handoff.waiting_text.empty()) {
    say(bot.settings.handoff.waiting_text, {}, turn);
  }
}

bool Runtime::State::is_cancel(const activity::Activity& incoming, std::string_view text) const {
  if (const auto* value = incoming.value.if_object()) {
    const auto* cancel = value->if_contains("cancel");
    if (cancel != nullptr && cancel->is_bool() && cancel->get_bool()) {
      return true;
    }
  }
  if (!pending) {
    return false;
  }
  if (!pending->cancel_quick_reply.empty() && fold_phrase(text) == pending->cancel_quick_reply) {
    return true;
  }
  if (compiled->is_cancel_phrase(text)) {
    return true;
  }
  if (pending->cancel_topic) {
    const nlu::Classification intents = compiled->classifier().classify(text);
    const nlu::ScoredIntent* top = intents.top();
    return top != nullptr && compiled->topic_for_label(top->label) == pending->cancel_topic;
  }
  return false;
}

void Runtime::State::answer(std::string_view text, const nlu::Classification& intents,
                            std::optional<std::size_t> topic, Turn& turn) {
  const std::size_t question_topic = stack.back().topic;
  const auto& question = std::get<bot::QuestionNode>(node_at(stack.back())->kind);
  nlu::EntityContext context;
  context.now = clock.now();
  context.utc_offset_minutes = info.utc_offset_minutes;
  context.language = compiled->language();
  context.choices = &question.choices;
  context.pattern = compiled->pattern(question);
  const bool too_long = question.entity == nlu::EntityType::kRegex && text.size() > kMaxRegexInput;
  auto value = too_long ? std::nullopt : nlu::extract_entity(question.entity, text, context);
  if (value) {
    variables.set(static_cast<int>(question_topic), question.variable, std::move(*value));
    waiting = false;
    advance();
    run(turn);
    return;
  }
  const double clear = std::max(compiled->classifier().threshold(), kClearSwitchConfidence);
  if (topic && intents.ranked.front().confidence >= clear) {
    // The customer clearly meant another topic: run it, then ask this question again.
    waiting = false;
    trigger(*topic, text);
    run(turn);
    return;
  }
  const int max_retries = question.max_retries.value_or(bot.settings.invalid_answer_threshold - 1);
  if (retries < max_retries) {
    ++retries;
    ask(question, true, turn);
    return;
  }
  waiting = false;
  if (question.on_failure == bot::QuestionNode::OnFailure::kEscalate) {
    escalate(HandoffReason::kInvalidAnswer, turn);
    return;
  }
  variables.set(static_cast<int>(question_topic), question.variable, nullptr);
  advance();
  run(turn);
}

void Runtime::State::trigger(std::size_t topic, std::string_view phrase) {
  no_matches = 0;
  phrase = utf8_prefix(phrase, kMaxPhraseBytes);
  const std::string& name = bot.topics[topic].name;
  if (topics.empty() || topics.back() != name) {
    if (topics.size() >= kMaxHistory) {
      topics.erase(topics.begin());
      phrases.erase(phrases.begin());
    }
    topics.push_back(name);
    phrases.emplace_back(phrase);
  }
  last_topic = name;
  last_phrase = std::string(phrase);
  push(topic);
}

void Runtime::State::no_match(Turn& turn) {
  ++no_matches;
  if (no_matches >= std::max(1, bot.settings.no_match_threshold)) {
    escalate(HandoffReason::kNoMatch, turn);  // resets the count
    return;
  }
  if (const auto fallback = compiled->system_topic(bot::SystemTopic::kFallback)) {
    push(*fallback);
    run(turn);
  }
}

void Runtime::State::start_over(Turn& turn) {
  variables.reset(bot);
  stack.clear();
  waiting = false;
  no_matches = 0;
  const auto greeting = compiled->system_topic(bot::SystemTopic::kGreeting);
  if (greeting && !compiled->start_over_redirects_to_greeting()) {
    push(*greeting);  // runs after the Start over topic returns
  }
  if (const auto topic = compiled->system_topic(bot::SystemTopic::kStartOver)) {
    push(*topic);
  }
  run(turn);
}

void Runtime::State::new_conversation() {
  variables.reset(bot);
  stack.clear();
  waiting = false;
  retries = 0;
  no_matches = 0;
  pending.reset();
  flow = FlowState::kActive;
  outcome = nullptr;
  unavailable_reason = nullptr;
  handoff_message = nullptr;
  escalation_reason = nullptr;
  topics.clear();
  phrases.clear();
  last_topic.clear();
  last_phrase.clear();
}

void Runtime::State::resume(HandoffOutcome result, std::string_view reason,
                            std::string_view message, Turn& turn) {
  if (flow != FlowState::kHandoffPending && flow != FlowState::kWithAgent) {
    return;
  }
  flow = FlowState::kActive;
  pending.reset();
  outcome = to_string(result);
  unavailable_reason = reason.empty() ? bj::value(nullptr) : bj::value(bj::string(reason));
  handoff_message = message.empty() ? bj::value(nullptr) : bj::value(bj::string(message));
  turn.result.resolved = result;
  if (!stack.empty()) {
    advance();
  }
  run(turn);
}

// --- public API

Runtime::Runtime(std::shared_ptr<const CompiledBot> bot, const Clock& clock, IdSource ids,
                 ConversationInfo info)
    : state_(std::make_unique<State>(std::move(bot), clock, std::move(ids), std::move(info))) {}

Runtime::~Runtime() = default;
Runtime::Runtime(Runtime&&) noexcept = default;
Runtime& Runtime::operator=(Runtime&&) noexcept = default;

TurnResult Runtime::start() {
  Turn turn;
  state_->greet(turn);
  return state_->finish(turn);
}

TurnResult Runtime::on_activity(const activity::Activity& incoming) {
  state_->append_transcript(incoming);
  Turn turn;
  turn.reply_to = incoming.id;
  if (incoming.type == "message") {
    state_->handle_message(incoming, turn);
  } else if (incoming.type == "event" && incoming.name == "startConversation") {
    state_->greet(turn);
  }
  return state_->finish(turn);
}

TurnResult Runtime::resume(HandoffOutcome outcome, std::string_view unavailable_reason,
                           std::string_view message) {
  Turn turn;
  state_->resume(outcome, unavailable_reason, message, turn);
  return state_->finish(turn);
}

TurnResult Runtime::State::finish(Turn& turn) {
  turn.result.topics = std::move(started);
  started.clear();
  return std::move(turn.result);
}

void Runtime::agent_joined() {
  if (state_->flow == FlowState::kHandoffPending) {
    state_->flow = FlowState::kWithAgent;
  }
}

void Runtime::record(const activity::Activity& activity) { state_->append_transcript(activity); }

void Runtime::set_agents_online(bool online) { state_->agents_online = online; }

void Runtime::set_availability_check(AvailabilityCheck check) {
  state_->availability = std::move(check);
}

void Runtime::set_live_chat_supported(bool supported) {
  state_->info.live_chat_supported = supported;
}

FlowState Runtime::state() const { return state_->flow; }

boost::json::object Runtime::variables() const { return state_->variables.merged(); }

const std::vector<activity::Activity>& Runtime::transcript() const { return state_->transcript; }

void Runtime::forget_transcript() {
  state_->transcript.clear();
  state_->transcript.shrink_to_fit();
}

}  // namespace baton::dialog
