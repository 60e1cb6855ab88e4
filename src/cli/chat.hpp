#pragma once
// `baton chat`: the test canvas in a terminal. Runs one conversation with a bot and simulates the
// hub with slash commands, so an author can walk every path offline:
//   /agents online|offline   whether agents are online for the next handoff
//   /accept                  an agent accepts the pending handoff
//   /agent TEXT              the agent says TEXT
//   /end                     the agent finishes → the flow resumes with `completed`
//   /timeout                 the hub gives up → the flow resumes with `timed_out`
//   /channel nolive|live     whether the channel can do live chat
//   /vars                    print the conversation's variables
//   /restart                 start a new conversation
//   /help, /quit
// In JSON mode every activity of the conversation (customer, bot, agent, handoff events) is
// written to the output as one JSON object per line, with a deterministic clock and ids, so tests
// can compare transcripts.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace baton::cli {

struct ChatOptions {
  std::filesystem::path bot_path;
  bool json = false;
  std::string user_id = "user";
  std::string user_name = "You";
  std::string channel_id = "terminal";
  std::optional<TimePoint> start_time;  // JSON mode default: 2026-01-01T00:00:00Z
};

// Runs until end of input or /quit. Returns the process exit code: 0, or 1 when the bot does not
// load (its diagnostics are written to `err`).
int run_chat(const ChatOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
