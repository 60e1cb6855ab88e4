#pragma once
// dialog::Runtime runs one bot for one conversation. It is the pure core of Baton's bot side:
// no I/O, no threads, no locks; time comes from the injected Clock and activity ids from the
// injected IdSource, so the same inputs always give the same outputs.
//
// Life of a conversation:
//   start()                 runs the Greeting topic once (also triggered by a startConversation
//                           event, or lazily before the first message)
//   on_activity(message)    triggers topics, answers questions, counts no-matches and invalid
//                           answers, recognises escalation requests at any point (mid-question too)
//   → TurnResult.handoff    when a topic escalates: the flow is PAUSED at the handoff node
//   while paused            customer messages get no reply, except the cancel intent / phrases /
//                           quick reply, which resume the flow with kCancelled (until
//                           agent_joined())
//   resume(outcome)         continues below the handoff node with System.HandoffOutcome = outcome
//
// Thread safety: none; one owner (the engine's conversation strand, or the terminal chat) drives
// it. The CompiledBot it points at is immutable and shared by many runtimes.

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "activity/activity.hpp"
#include "bot/model.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "dialog/handoff.hpp"
#include "nlu/classifier.hpp"

namespace baton::dialog {

// A loaded bot with its trained classifier and compiled regexes; built once per bot load and
// shared read-only by every conversation (thread-safe to read).
class CompiledBot {
 public:
  // Trains the classifier from the topics' triggers (label = topic name), the escalation phrases
  // and the Escalate topic's triggers (label kEscalateLabel), and the Start over topic.
  static std::shared_ptr<const CompiledBot> compile(bot::Bot bot);

  static constexpr const char* kEscalateLabel = "__escalate__";

  const bot::Bot& bot() const { return bot_; }
  const nlu::IntentClassifier& classifier() const { return *classifier_; }
  // Compiled pattern of a regex question (nullptr for others); keyed by the node's address.
  const std::regex* pattern(const bot::QuestionNode& question) const;

 private:
  bot::Bot bot_;
  std::unique_ptr<nlu::IntentClassifier> classifier_;
  std::vector<std::pair<const bot::QuestionNode*, std::regex>> patterns_;
};

// Facts about the conversation the runtime cannot know by itself.
struct ConversationInfo {
  std::string conversation_id;
  std::string channel_id = "directline";
  activity::ChannelAccount user;    // role "user"
  activity::ChannelAccount bot;     // role "bot"; id/name default to the bot's id/name
  std::string locale;               // "" → the bot's language
  int utc_offset_minutes = 0;       // the customer's time zone, for date entities
  bool live_chat_supported = true;  // false → handoffs take the unsupported path at once
};

// Assigns ids to the activities the runtime produces (the engine passes its sequence allocator,
// the terminal chat a counter). Called once per produced activity, in output order.
using IdSource = std::function<std::string()>;

enum class FlowState {
  kActive,          // the bot owns the conversation (possibly waiting for a question's answer)
  kHandoffPending,  // paused at a handoff node, waiting for an agent; cancellable
  kWithAgent,       // paused, an agent has joined; not cancellable
  kEnded,           // end_conversation ran; further messages start over from Greeting
};

struct TurnResult {
  // Activities for the customer, in order, stamped (id, timestamp, from, recipient, conversation,
  // channelId, replyToId). Never contains handoff.initiate: that is built from `handoff`.
  std::vector<activity::Activity> replies;
  std::optional<HandoffRequest> handoff;   // a handoff was requested during this turn
  std::optional<HandoffOutcome> resolved;  // a handoff ended during this turn (e.g. cancelled,
                                           // unavailable, unsupported)
  bool ended = false;                      // the conversation ended during this turn
};

class Runtime {
 public:
  Runtime(std::shared_ptr<const CompiledBot> bot, const Clock& clock, IdSource ids,
          ConversationInfo info);

  // Runs the Greeting topic if it has not run yet; otherwise returns an empty result.
  TurnResult start();

  // One activity from the customer, already stamped by the caller (it is added to the transcript
  // as given). Messages drive the dialog; the event "startConversation" calls start(); typing and
  // other types are recorded or ignored. A message's `value` with {"cancel": true} or text equal to
  // the cancel quick reply cancels a pending handoff.
  TurnResult on_activity(const activity::Activity& incoming);

  // The handoff ended: continue below the handoff node. Ignored (empty result) unless paused.
  TurnResult resume(HandoffOutcome outcome);

  // An agent accepted the handoff: from now on cancel phrases reach the agent, not the bot.
  void agent_joined();

  // Adds an activity produced elsewhere (an agent's message) to the transcript.
  void record(const activity::Activity& activity);

  // Whether agents are online right now (the hub's answer); decides between the agents-online
  // and the offline/unavailable path of the next handoff. Default: online.
  void set_agents_online(bool online);
  void set_live_chat_supported(bool supported);

  FlowState state() const;

  // Every user variable (global and topic ones merged, most recently set wins), as in the context.
  boost::json::object variables() const;

  // The transcript so far (capped at kMaxTranscript activities, oldest dropped first).
  const std::vector<activity::Activity>& transcript() const;
  static constexpr std::size_t kMaxTranscript = 2000;

  // Everything needed to continue after a restart except the transcript (the store has it).
  boost::json::value snapshot() const;
  // Rebuilds a runtime from snapshot() output; error (kInvalidArgument) when the snapshot does not
  // fit the bot (e.g. the bot changed and a node no longer exists).
  static Result<std::unique_ptr<Runtime>> restore(std::shared_ptr<const CompiledBot> bot,
                                                  const Clock& clock, IdSource ids,
                                                  ConversationInfo info,
                                                  const boost::json::value& snapshot,
                                                  std::vector<activity::Activity> transcript);

  ~Runtime();
  Runtime(Runtime&&) noexcept;
  Runtime& operator=(Runtime&&) noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace baton::dialog
