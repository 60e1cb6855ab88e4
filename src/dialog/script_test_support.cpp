#include "dialog/script_test_support.hpp"

#include <gtest/gtest.h>

namespace baton::dialog::testing {
namespace {

const std::shared_ptr<const CompiledBot>& store() {
  static const auto compiled = CompiledBot::compile(store_bot());
  return compiled;
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

void check(const Step& step, const TurnResult& result, const Chat& chat_const, std::size_t index) {
  auto& chat = const_cast<Chat&>(chat_const);
  SCOPED_TRACE("step " + std::to_string(index) + " '" + step.input + "'");
  EXPECT_EQ(texts(result), step.replies);
  EXPECT_EQ(chat.runtime().state(), step.state);
  if (step.handoff) {
    EXPECT_TRUE(result.handoff.has_value());
    if (result.handoff) {
      EXPECT_EQ(to_string(result.handoff->reason), std::string(to_string(*step.handoff)));
    }
  } else if (!starts_with(step.input, "!")) {
    EXPECT_FALSE(result.handoff.has_value());
  }
  EXPECT_EQ(result.resolved, step.resolved);
}

}  // namespace

TurnResult apply(Chat& chat, const std::string& input) {
  Runtime& runtime = chat.runtime();
  if (input == "!start") {
    return runtime.start();
  }
  if (starts_with(input, "!event ")) {
    activity::Activity event = activity::make_event(input.substr(7));
    return chat.send(std::move(event));
  }
  if (starts_with(input, "!resume ")) {
    const auto outcome = parse_handoff_outcome(input.substr(8));
    EXPECT_TRUE(outcome.has_value()) << input;
    return runtime.resume(outcome.value_or(HandoffOutcome::kCompleted));
  }
  if (input == "!joined") {
    runtime.agent_joined();
  } else if (input == "!offline" || input == "!online") {
    runtime.set_agents_online(input == "!online");
  } else if (input == "!nolive") {
    runtime.set_live_chat_supported(false);
  } else if (input == "!cancel-value") {
    activity::Activity message = chat.user_message("");
    message.value = boost::json::object{{"cancel", true}};
    return chat.send(std::move(message));
  } else if (input == "!snapshot") {
    chat.restart_from_snapshot();
  } else {
    return chat.say(input);
  }
  return {};
}

std::unique_ptr<Chat> run_script(const Script& script,
                                 const std::shared_ptr<const CompiledBot>& bot) {
  SCOPED_TRACE("script '" + script.name + "'");
  const auto& compiled = bot ? bot : store();
  auto plain = std::make_unique<Chat>(compiled);
  Chat restored(compiled);
  for (std::size_t i = 0; i < script.steps.size(); ++i) {
    const Step& step = script.steps[i];
    const TurnResult result = apply(*plain, step.input);
    check(step, result, *plain, i);
    // The same step on a runtime rebuilt from a snapshot must produce the same activities.
    restored.restart_from_snapshot();
    const TurnResult again = apply(restored, step.input);
    EXPECT_EQ(again.replies, result.replies) << "after snapshot/restore, step " << i;
    EXPECT_EQ(again.handoff.has_value(), result.handoff.has_value());
    if (again.handoff && result.handoff) {
      EXPECT_EQ(again.handoff->context, result.handoff->context);
    }
  }
  return plain;
}

std::string test_name(const Script& script) {
  std::string out;
  for (const char c : script.name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') {
    out.pop_back();
  }
  return out;
}

}  // namespace baton::dialog::testing
