#pragma once
// Internal to dialog: the state behind Runtime, shared by runtime.cpp (turn handling: matching,
// questions, pause/cancel), executor.cpp (running nodes, output, handoffs) and snapshot.cpp.
//
// Execution model: a stack of Frames, one per running topic. A frame's `pc` addresses the next
// node to run as an index path into the topic's node lists: [node] at top level, and
// [node, branch, node, ...] inside condition branches. run() executes nodes until the stack is
// empty, a question waits for its answer (pc stays on the question), the flow pauses at a handoff
// (pc stays on the handoff node) or the conversation ends. Between turns the stack is therefore
// empty unless a question or a handoff is pending.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialog/runtime.hpp"
#include "dialog/variables.hpp"

namespace baton::dialog {

namespace bj = boost::json;

struct Frame {
  std::size_t topic = 0;
  std::vector<std::uint32_t> pc{0};
  // Set on the Escalate frame the runtime starts by itself (requested, no_match,
  // invalid_answer); handoffs below it use this reason, all others are kExplicit.
  std::optional<HandoffReason> reason;
  // The end_conversation node at pc already ran the survey topic; next time it ends.
  bool survey_done = false;
};

// What a paused flow needs to recognise a cancel.
struct PendingHandoff {
  std::string cancel_quick_reply;           // folded (phrase.hpp); "" = none
  std::optional<std::size_t> cancel_topic;  // its triggers cancel
};

// One call into the runtime: what it produces and what replies point at.
struct Turn {
  TurnResult result;
  std::string reply_to;   // id of the incoming activity ("" for start() / resume())
  std::size_t steps = 0;  // nodes run, bounded by kMaxSteps
  std::string timestamp;  // of every reply of the turn, taken from the clock at the first one
};

struct Runtime::State {
  State(std::shared_ptr<const CompiledBot> compiled_bot, const Clock& clock_ref, IdSource id_source,
        ConversationInfo conversation);

  // Bounds that keep a bot with redirect cycles from looping or growing without end.
  static constexpr std::size_t kMaxSteps = 10'000;
  static constexpr std::size_t kMaxDepth = 64;
  static constexpr std::size_t kMaxHistory = 200;       // va_Topics / va_Phrases entries kept
  static constexpr std::size_t kMaxRegexInput = 1024;   // longer answers never match a regex
  static constexpr std::size_t kMaxPhraseBytes = 1024;  // longer va_Phrases are cut (UTF-8 safe)

  // --- runtime.cpp: turn handling
  void greet(Turn& turn);
  void handle_message(const activity::Activity& incoming, Turn& turn);
  void handle_paused(const activity::Activity& incoming, std::string_view text, Turn& turn);
  bool is_cancel(const activity::Activity& incoming, std::string_view text) const;
  void answer(std::string_view text, const nlu::Classification& intents,
              std::optional<std::size_t> topic, Turn& turn);
  void trigger(std::size_t topic, std::string_view phrase);  // records va_Topics, pushes
  void no_match(Turn& turn);
  void start_over(Turn& turn);
  void new_conversation();
  void resume(HandoffOutcome outcome, std::string_view unavailable_reason, std::string_view message,
              Turn& turn);

  // --- executor.cpp: running nodes
  void run(Turn& turn);
  void execute(const bot::Node& node, Turn& turn);
  void ask(const bot::QuestionNode& question, bool retry, Turn& turn);
  void run_condition(const bot::ConditionNode& node);
  void run_redirect(const bot::RedirectNode& node);
  void run_handoff(const bot::HandoffNode& node, Turn& turn);
  void run_end(const bot::EndConversationNode& node, Turn& turn);
  void escalate(HandoffReason reason, Turn& turn);
  void end_conversation(Turn& turn);
  HandoffRequest make_request(const bot::HandoffSpec& spec) const;
  bj::object context(const std::string& agent_message) const;
  const bot::Node* node_at(const Frame& frame) const;
  void advance();
  void leave_list();
  void push(std::size_t topic, std::optional<HandoffReason> reason = std::nullopt);
  std::string render(const bot::Template& tmpl) const;
  void say(std::string text, const std::vector<std::string>& quick_replies, Turn& turn);
  void emit(activity::Activity activity, Turn& turn);
  void append_transcript(activity::Activity activity);
  const bj::value* lookup(std::size_t topic, std::string_view name) const;
  const bj::value* system_variable(std::string_view name) const;

  // --- snapshot.cpp
  bj::value to_json() const;
  Status from_json(const bj::value& json);
  Status check_consistency() const;

  // Fixed for the conversation.
  std::shared_ptr<const CompiledBot> compiled;
  const bot::Bot& bot;
  const Clock& clock;
  IdSource ids;
  ConversationInfo info;
  std::string locale;

  // The dialog.
  FlowState flow = FlowState::kActive;
  bool greeted = false;
  std::vector<Frame> stack;
  bool waiting = false;  // the top frame's pc is on a question awaiting its answer
  int retries = 0;       // re-asks used by the waiting question
  int no_matches = 0;    // consecutive messages not understood
  std::optional<PendingHandoff> pending;
  bool agents_online = true;
  AvailabilityCheck availability;  // Runtime::set_availability_check

  // What the handoff context reports.
  VariableStore variables;
  bj::value outcome;                                        // System.HandoffOutcome
  bj::value escalation_reason;                              // System.EscalationReason
  bj::value unavailable_reason;                             // System.HandoffUnavailableReason
  bj::value handoff_message;                                // System.HandoffMessage
  bj::value last_message;                                   // System.LastMessage
  bj::value user_id, user_name, conversation_id, language;  // System.* fixed ones
  std::vector<std::string> topics;                          // va_Topics
  std::vector<std::string> phrases;                         // va_Phrases
  std::string last_topic;                                   // va_LastTopic
  std::string last_phrase;                                  // va_LastPhrases

  std::vector<activity::Activity> transcript;

  // Topics push() started during the current call (moved into TurnResult::topics at its end).
  std::vector<std::size_t> started;
  TurnResult finish(Turn& turn);
};

}  // namespace baton::dialog
