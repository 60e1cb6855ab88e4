// libFuzzer target: arbitrary bytes as a conversation against the store bot (test_bot.cpp).
// The input is split on '\n' into turns; a turn whose first byte is below 0x08 is a command
// (resume with an outcome, agent joined, agents on/offline, snapshot/restore, cancel value,
// start), anything else is a user message of those exact bytes. Invariants checked after every
// turn: replies are valid UTF-8 and pass activity::validate; no reply while an agent has the
// conversation; a snapshot always restores.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/utf8.hpp"
#include "dialog/test_bot.hpp"

namespace {

using baton::dialog::CompiledBot;
using baton::dialog::FlowState;
using baton::dialog::HandoffOutcome;
using baton::dialog::TurnResult;
using baton::dialog::testing::Chat;

const std::shared_ptr<const CompiledBot>& store() {
  static const auto compiled = CompiledBot::compile(baton::dialog::testing::store_bot());
  return compiled;
}

void check(const TurnResult& result, bool agent_had_it) {
  for (const auto& reply : result.replies) {
    if (!baton::utf8::is_valid(reply.text) || !baton::activity::validate(reply).ok()) {
      std::abort();
    }
  }
  if (agent_had_it && !result.replies.empty() && !result.resolved) {
    std::abort();  // the bot spoke while an agent had the conversation
  }
}

TurnResult command(Chat& chat, std::string_view line) {
  auto& runtime = chat.runtime();
  const auto arg = line.size() > 1 ? static_cast<unsigned char>(line[1]) : 0u;
  switch (line[0]) {
    case 1:
      return runtime.resume(static_cast<HandoffOutcome>(arg % 5));
    case 2:
      runtime.agent_joined();
      return {};
    case 3:
      runtime.set_agents_online(arg % 2 == 0);
      return {};
    case 4:
      chat.restart_from_snapshot();  // aborts when the snapshot does not restore
      return {};
    case 5: {
      auto message = chat.user_message(line.substr(1));
      message.value = boost::json::object{{"cancel", true}};
      return chat.send(std::move(message));
    }
    case 6:
      return runtime.start();
    default:
      runtime.set_live_chat_supported(arg % 2 == 0);
      return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Chat chat(store());
  std::string_view input(reinterpret_cast<const char*>(data), size);
  int turns = 0;
  while (!input.empty() && ++turns <= 64) {
    const auto end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    const bool agent_had_it = chat.runtime().state() == FlowState::kWithAgent;
    const bool is_command = !line.empty() && static_cast<unsigned char>(line[0]) < 8;
    const TurnResult result = is_command ? command(chat, line) : chat.say(line);
    check(result, agent_had_it && !is_command);
  }
  return 0;
}
