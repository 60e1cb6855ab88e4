// Running a topic's nodes: the stack machine described in runtime_state.hpp, output stamping and
// the handoff node (online / offline / unsupported paths).
#include <algorithm>

#include "core/overloaded.hpp"
#include "dialog/phrase.hpp"
#include "dialog/runtime_state.hpp"

namespace baton::dialog {
namespace {

const bot::Template& first_set(const bot::Template& a, const bot::Template& b) {
  return a.empty() ? b : a;
}

}  // namespace

const bot::Node* Runtime::State::node_at(const Frame& frame) const {
  const bot::NodeList* list = &bot.topics[frame.topic].nodes;
  for (std::size_t i = 0; i + 1 < frame.pc.size(); i += 2) {
    const auto& condition = std::get<bot::ConditionNode>((*list)[frame.pc[i]].kind);
    list = &condition.branches[frame.pc[i + 1]].body;
  }
  return frame.pc.back() < list->size() ? &(*list)[frame.pc.back()] : nullptr;
}

void Runtime::State::advance() { ++stack.back().pc.back(); }

void Runtime::State::leave_list() {
  Frame& frame = stack.back();
  if (frame.pc.size() > 1) {
    frame.pc.resize(frame.pc.size() - 2);
    ++frame.pc.back();
  } else {
    stack.pop_back();
  }
}

void Runtime::State::push(std::size_t topic, std::optional<HandoffReason> reason) {
  Frame frame;
  frame.topic = topic;
  frame.reason = reason;
  stack.push_back(std::move(frame));
  started.push_back(topic);
}

void Runtime::State::run(Turn& turn) {
  while (!stack.empty() && flow == FlowState::kActive && !waiting) {
    if (++turn.steps > kMaxSteps || stack.size() > kMaxDepth) {
      // A bot whose redirects loop: drop the flow rather than spin or grow without end.
      stack.clear();
      return;
    }
    const bot::Node* node = node_at(stack.back());
    if (node == nullptr) {
      leave_list();
      continue;
    }
    execute(*node, turn);
  }
}

void Runtime::State::execute(const bot::Node& node, Turn& turn) {
  std::visit(Overloaded{
                 [&](const bot::MessageNode& message) {
                   std::vector<std::string> replies;
                   replies.reserve(message.quick_replies.size());
                   for (const auto& reply : message.quick_replies) {
                     replies.push_back(render(reply));
                   }
                   say(render(message.text), replies, turn);
                   advance();
                 },
                 [&](const bot::QuestionNode& question) { ask(question, false, turn); },
                 [&](const bot::ConditionNode& condition) { run_condition(condition); },
                 [&](const bot::SetVariableNode& set) {
                   const std::size_t topic = stack.back().topic;
                   variables.set(static_cast<int>(topic), set.variable,
                                 set.value.evaluate([this, topic](std::string_view name) {
                                   return lookup(topic, name);
                                 }));
                   advance();
                 },
                 [&](const bot::RedirectNode& redirect) { run_redirect(redirect); },
                 [&](const bot::EndTopicNode&) { stack.pop_back(); },
                 [&](const bot::HandoffNode& handoff) { run_handoff(handoff, turn); },
                 [&](const bot::EndConversationNode& end) { run_end(end, turn); },
             },
             node.kind);
}

void Runtime::State::ask(const bot::QuestionNode& question, bool retry, Turn& turn) {
  std::vector<std::string> replies;
  replies.reserve(question.choices.size() + question.quick_replies.size());
  for (const auto& choice : question.choices) {
    replies.push_back(choice.value);
  }
  for (const auto& reply : question.quick_replies) {
    replies.push_back(render(reply));
  }
  const bot::Template& prompt =
      retry ? first_set(question.retry_prompt, question.prompt) : question.prompt;
  say(render(prompt), replies, turn);
  waiting = true;
  if (!retry) {
    retries = 0;
  }
}

void Runtime::State::run_condition(const bot::ConditionNode& node) {
  const std::size_t topic = stack.back().topic;
  const bot::VariableLookup vars = [this, topic](std::string_view name) {
    return lookup(topic, name);
  };
  for (std::uint32_t b = 0; b < node.branches.size(); ++b) {
    const auto& branch = node.branches[b];
    if (!branch.when || branch.when->evaluate_bool(vars)) {
      stack.back().pc.push_back(b);
      stack.back().pc.push_back(0);
      return;
    }
  }
  advance();
}

void Runtime::State::run_redirect(const bot::RedirectNode& node) {
  advance();
  if (const auto target = compiled->topic_index(node.topic)) {
    push(*target);
  }
}

void Runtime::State::run_end(const bot::EndConversationNode& node, Turn& turn) {
  Frame& frame = stack.back();
  if (!frame.survey_done) {
    if (!node.text.empty()) {
      say(render(node.text), {}, turn);
    }
    const auto survey = compiled->system_topic(bot::SystemTopic::kEndOfConversation);
    const bool in_survey = survey && std::any_of(stack.begin(), stack.end(), [&](const Frame& f) {
                             return f.topic == *survey;
                           });
    if (node.survey && survey && !in_survey) {
      frame.survey_done = true;
      push(*survey);
      return;
    }
  }
  end_conversation(turn);
}

void Runtime::State::end_conversation(Turn& turn) {
  emit(activity::make_end_of_conversation(), turn);
  stack.clear();
  waiting = false;
  pending.reset();
  flow = FlowState::kEnded;
  turn.result.ended = true;
}

void Runtime::State::escalate(HandoffReason reason, Turn& turn) {
  stack.clear();
  waiting = false;
  no_matches = 0;
  escalation_reason = to_string(reason);
  if (const auto topic = compiled->system_topic(bot::SystemTopic::kEscalate)) {
    push(*topic, reason);
    run(turn);
  }
}

void Runtime::State::run_handoff(const bot::HandoffNode& node, Turn& turn) {
  const bot::HandoffSpec& spec = node.spec;
  const bot::HandoffDefaults& defaults = bot.settings.handoff;
  HandoffRequest request = make_request(spec);
  escalation_reason = to_string(request.reason);

  std::optional<HandoffOutcome> at_once;
  std::optional<HandoffUnavailable> unavailable;
  unavailable_reason = nullptr;
  handoff_message = nullptr;
  if (info.live_chat_supported) {
    if (availability) {
      // Asked with the conversation so far (the customer's activity and its locale included);
      // the request is submitted below with this turn's replies too.
      request.transcript = transcript;
      unavailable = availability(request);
    } else if (!agents_online) {
      unavailable = HandoffUnavailable{"no_agents", request.routing.queue, ""};
    }
  }
  if (!info.live_chat_supported) {
    at_once = HandoffOutcome::kUnsupported;
    say(spec.unsupported_text.empty() ? defaults.unsupported_text : render(spec.unsupported_text),
        {}, turn);
  } else if (unavailable) {
    at_once = HandoffOutcome::kUnavailable;
    unavailable_reason = bj::string(unavailable->reason);
    const bot::Template& text = first_set(spec.agents_offline_text, spec.unavailable_text);
    say(!unavailable->text.empty()              ? unavailable->text
        : !text.empty()                         ? render(text)
        : !defaults.agents_offline_text.empty() ? defaults.agents_offline_text
                                                : defaults.unavailable_text,
        {}, turn);
    turn.result.unavailable = std::move(unavailable);
  } else {
    // The node's text, then its agents-online text (the default when it sets neither); the
    // cancel quick reply goes on the last message said.
    std::string last;
    if (spec.text.empty() && spec.agents_online_text.empty()) {
      last = defaults.agents_online_text;
    } else if (spec.agents_online_text.empty()) {
      last = render(spec.text);
    } else {
      if (!spec.text.empty()) {
        say(render(spec.text), {}, turn);
      }
      last = render(spec.agents_online_text);
    }
    std::vector<std::string> cancel;
    if (!request.cancel_quick_reply.empty()) {
      cancel.push_back(request.cancel_quick_reply);
    }
    say(std::move(last), cancel, turn);
  }
  request.transcript = transcript;
  turn.result.handoff = std::move(request);
  if (at_once) {
    outcome = to_string(*at_once);
    turn.result.resolved = at_once;
    advance();
    return;
  }
  PendingHandoff waiting_handoff;
  waiting_handoff.cancel_quick_reply = fold_phrase(turn.result.handoff->cancel_quick_reply);
  if (!spec.cancel_intent.empty()) {
    waiting_handoff.cancel_topic = compiled->topic_index(spec.cancel_intent);
  }
  pending = std::move(waiting_handoff);
  flow = FlowState::kHandoffPending;
}

HandoffRequest Runtime::State::make_request(const bot::HandoffSpec& spec) const {
  HandoffRequest request;
  request.reason = HandoffReason::kExplicit;
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
    if (it->reason) {
      request.reason = *it->reason;
      break;
    }
  }
  request.topic = bot.topics[stack.back().topic].name;
  request.agent_message = render(spec.agent_message);
  request.routing = spec.routing;
  request.cancel_quick_reply = render(spec.cancel_quick_reply);
  request.context = context(request.agent_message);
  return request;
}

bj::object Runtime::State::context(const std::string& agent_message) const {
  bj::object out;
  out["va_Scope"] = "bot";
  out["va_LastTopic"] = last_topic;
  bj::array& topic_list = out["va_Topics"].emplace_array();
  for (const auto& name : topics) {
    topic_list.push_back(bj::string(name));
  }
  out["va_LastPhrases"] = last_phrase;
  bj::array& phrase_list = out["va_Phrases"].emplace_array();
  for (const auto& phrase : phrases) {
    phrase_list.push_back(bj::string(phrase));
  }
  out["va_ConversationId"] = info.conversation_id;
  out["va_AgentMessage"] = agent_message;
  out["va_BotId"] = bot.id;
  out["va_BotName"] = bot.name;
  out["va_Language"] = bot.language;
  for (auto& [name, value] : variables.merged()) {
    if (!out.contains(name)) {  // a user variable never shadows a va_* key
      out[name] = value;
    }
  }
  return out;
}

std::string Runtime::State::render(const bot::Template& tmpl) const {
  if (tmpl.parts.size() == 1 && !tmpl.parts.front().is_variable) {
    return tmpl.parts.front().text;  // the common case needs no lookup function
  }
  const std::size_t topic = stack.empty() ? 0 : stack.back().topic;
  return bot::render(tmpl, [this, topic](std::string_view name) { return lookup(topic, name); });
}

void Runtime::State::say(std::string text, const std::vector<std::string>& quick_replies,
                         Turn& turn) {
  if (text.empty() && quick_replies.empty()) {
    return;
  }
  activity::Activity message = activity::make_message(std::move(text));
  if (!quick_replies.empty()) {
    message.suggested_actions = activity::make_quick_replies(quick_replies);
  }
  emit(std::move(message), turn);
}

void Runtime::State::emit(activity::Activity activity, Turn& turn) {
  activity.id = ids ? ids() : std::string();
  if (turn.timestamp.empty()) {
    turn.timestamp = format_iso8601(clock.now());  // one instant per turn: the replies' order
  }                                                // is carried by their ids
  activity.timestamp = turn.timestamp;
  activity.from = {info.bot.id, info.bot.name, "bot"};
  activity.recipient = {info.user.id, info.user.name, "user"};
  activity.conversation.id = info.conversation_id;
  activity.channel_id = info.channel_id;
  activity.reply_to_id = turn.reply_to;
  activity.locale = locale;
  if (!activity.suggested_actions.actions.empty() && !info.user.id.empty()) {
    activity.suggested_actions.to = {info.user.id};
  }
  append_transcript(activity);
  turn.result.replies.push_back(std::move(activity));
}

void Runtime::State::append_transcript(activity::Activity activity) {
  if (transcript.size() >= kMaxTranscript) {
    // Drop the older half at once so that appends stay O(1) amortised (one move per append).
    transcript.erase(transcript.begin(),
                     transcript.begin() + static_cast<std::ptrdiff_t>(kMaxTranscript / 2));
  }
  transcript.push_back(std::move(activity));
}

const bj::value* Runtime::State::lookup(std::size_t topic, std::string_view name) const {
  if (name.starts_with("System.")) {
    return system_variable(name.substr(7));
  }
  return variables.get(static_cast<int>(topic), name);
}

const bj::value* Runtime::State::system_variable(std::string_view name) const {
  const bj::value* value = nullptr;
  if (name == "HandoffOutcome") {
    value = &outcome;
  } else if (name == "EscalationReason") {
    value = &escalation_reason;
  } else if (name == "HandoffUnavailableReason") {
    value = &unavailable_reason;
  } else if (name == "HandoffMessage") {
    value = &handoff_message;
  } else if (name == "LastMessage") {
    value = &last_message;
  } else if (name == "UserId") {
    value = &user_id;
  } else if (name == "UserName") {
    value = &user_name;
  } else if (name == "ConversationId") {
    value = &conversation_id;
  } else if (name == "Language") {
    value = &language;
  }
  return value != nullptr && !value->is_null() ? value : nullptr;
}

}  // namespace baton::dialog
