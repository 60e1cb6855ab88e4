#pragma once
// Table-driven conversation tests: a Script is a list of Steps run against a Chat; each step's
// expectations are checked with GoogleTest (failures name the script and the step).
//
// Step inputs: user text, or a command:
//   !start                 Runtime::start()
//   !event NAME            an event activity named NAME
//   !resume OUTCOME        Runtime::resume(parse_handoff_outcome(OUTCOME))
//   !joined                Runtime::agent_joined()
//   !offline / !online     set_agents_online(false / true)
//   !nolive                set_live_chat_supported(false)
//   !cancel-value          a message with no text and value {"cancel": true}
//   !snapshot              replace the runtime by one restored from its snapshot (no replies)

#include <optional>
#include <string>
#include <vector>

#include "dialog/test_bot.hpp"

namespace baton::dialog::testing {

struct Step {
  Step(std::string in, std::vector<std::string> out, FlowState flow = FlowState::kActive,
       std::optional<HandoffReason> reason = std::nullopt,
       std::optional<HandoffOutcome> outcome = std::nullopt)
      : input(std::move(in)),
        replies(std::move(out)),
        state(flow),
        handoff(reason),
        resolved(outcome) {}

  std::string input;
  std::vector<std::string> replies;  // texts() of the turn
  FlowState state = FlowState::kActive;
  std::optional<HandoffReason> handoff;    // a handoff with this reason was requested
  std::optional<HandoffOutcome> resolved;  // a handoff ended with this outcome
};

struct Script {
  std::string name;
  std::vector<Step> steps;
};

// Runs the script on a fresh Chat over `bot` (the store bot when null). Also re-runs it with a
// snapshot/restore before every step and checks the outputs are identical. Returns the chat of
// the plain run for further checks.
std::unique_ptr<Chat> run_script(const Script& script,
                                 const std::shared_ptr<const CompiledBot>& bot = nullptr);

// The result of one step's input (exposed for tests that check more than texts).
TurnResult apply(Chat& chat, const std::string& input);

// A GoogleTest-safe name from the script's name.
std::string test_name(const Script& script);

}  // namespace baton::dialog::testing
