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
#include <regex>
#include <string>
#include <string_view>
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
//
// Topics are addressed by their index in bot().topics. compile() adds a minimal Escalate topic
// (one transfer node) and Fallback topic when the bot has none (the loader always adds the full
// defaults; this only matters for bots built in code), so the runtime can rely on both.
class CompiledBot {
 public:
  // Trains the classifier from the topics' triggers (label = topic name), the escalation phrases
  // and the Escalate topic's triggers (label kEscalateLabel), and the Start over topic.
  // Regexes that do not compile (the loader rejects them) leave pattern() null, so such a
  // question never accepts an answer.
  static std::shared_ptr<const CompiledBot> compile(bot::Bot bot);

  static constexpr const char* kEscalateLabel = "__escalate__";
  // Used when settings.escalation_phrases is empty (docs/AUTHORING.md, "settings").
  static const std::vector<std::string>& default_escalation_phrases();

  const bot::Bot& bot() const { return bot_; }
  const nlu::IntentClassifier& classifier() const { return *classifier_; }
  // Compiled pattern of a regex question (nullptr for others); keyed by the node's address.
  const std::regex* pattern(const bot::QuestionNode& question) const;

  // The topic a classifier label names; nullopt for kEscalateLabel and unknown labels.
  std::optional<std::size_t> topic_for_label(std::string_view label) const;
  // The topic with this name, compared case-insensitively (ASCII); nullopt when none.
  std::optional<std::size_t> topic_index(std::string_view name) const;
  // The topic playing a system role; nullopt when the bot has none (never for escalate/fallback).
  std::optional<std::size_t> system_topic(bot::SystemTopic which) const;
  // Whether `text` is one of settings.cancel_phrases (case, surrounding spaces and trailing
  // punctuation ignored).
  bool is_cancel_phrase(std::string_view text) const;
  // Whether the Start over topic itself redirects to Greeting (then the runtime does not run
  // Greeting again after it).
  bool start_over_redirects_to_greeting() const { return start_over_redirects_to_greeting_; }
  // ISO 639-1 code from the bot's language ("en-us" → "en"), for entity extraction.
  const std::string& language() const { return language_; }

 private:
  void index_topics();
  void train();
  void compile_patterns(const bot::NodeList& nodes);

  bot::Bot bot_;
  std::unique_ptr<nlu::IntentClassifier> classifier_;
  std::vector<std::pair<const bot::QuestionNode*, std::regex>> patterns_;
  std::vector<std::pair<std::string, std::size_t>> topics_by_label_;   // sorted by label
  std::vector<std::pair<std::string, std::size_t>> topics_by_folded_;  // sorted, lower-cased
  std::vector<std::optional<std::size_t>> system_topics_;              // by SystemTopic
  std::vector<std::string> cancel_phrases_;                            // folded
  bool start_over_redirects_to_greeting_ = false;
  std::string language_ = "en";
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
  // channelId, replyToId, locale). All replies of one turn share one timestamp (the clock read
  // once per turn). Never contains handoff.initiate: that is built from `handoff`.
  std::vector<activity::Activity> replies;
  std::optional<HandoffRequest> handoff;   // a handoff was requested during this turn
  std::optional<HandoffOutcome> resolved;  // a handoff ended during this turn (e.g. cancelled,
                                           // unavailable, unsupported)
  // The handoff of this turn resolved at once as unavailable because the availability check
  // said so (why, and the queue); nullopt otherwise.
  std::optional<HandoffUnavailable> unavailable;
  bool ended = false;  // the conversation ended during this turn
  // The topics that started during this turn, in order, as indexes into bot().topics: triggered,
  // redirected to, the survey, the escalation, the fallback, the greeting (what analytics counts).
  std::vector<std::size_t> topics;
};

class Runtime {
 public:
  // `clock` must outlive the runtime; `ids` is called once per produced activity (may be empty:
  // ids stay ""). info.bot's empty id/name become the bot's; roles are forced to bot/user.
  Runtime(std::shared_ptr<const CompiledBot> bot, const Clock& clock, IdSource ids,
          ConversationInfo info);

  // Runs the Greeting topic if it has not run yet; otherwise returns an empty result.
  TurnResult start();

  // One activity from the customer, already stamped by the caller (it is added to the transcript
  // as given). Messages drive the dialog (any bytes: invalid UTF-8 is replaced by U+FFFD before
  // matching); the event "startConversation" calls start() (replies point at the event); typing
  // and other types are only recorded. The first message greets first when nothing greeted yet.
  // A message's `value` with {"cancel": true}, text equal to the cancel quick reply, a cancel
  // phrase or the cancel intent cancel a pending handoff (result.resolved = kCancelled). After
  // the conversation ended, a message starts a fresh conversation state (variables and va_*
  // history cleared, no greeting) and is handled in it.
  TurnResult on_activity(const activity::Activity& incoming);

  // The handoff ended: continue below the handoff node with System.HandoffOutcome = outcome
  // (result.resolved = outcome), System.HandoffUnavailableReason = unavailable_reason and
  // System.HandoffMessage = message (the hub's own words, e.g. an external hub's status message;
  // each null when empty). Ignored (empty result) unless paused (pending or with agent).
  TurnResult resume(HandoffOutcome outcome, std::string_view unavailable_reason = {},
                    std::string_view message = {});

  // An agent accepted the handoff (pending → with agent): from now on cancel phrases, the cancel
  // button and the waiting text no longer apply; the customer's messages are for the agent.
  // No effect in any other state.
  void agent_joined();

  // Adds an activity produced elsewhere (an agent's message) to the transcript.
  void record(const activity::Activity& activity);

  // Whether agents are online right now (the hub's answer); decides between the agents-online
  // and the offline/unavailable path of the next handoff. Default: online.
  void set_agents_online(bool online);
  // Per-handoff availability (the hub's answer for the queue the request routes to): when set, it
  // decides between the agents-online and the unavailable path instead of set_agents_online.
  // On the unavailable path the runtime says the check's text (else the node's offline text) and
  // sets System.HandoffUnavailableReason. Not part of the snapshot: set it again after restore.
  void set_availability_check(AvailabilityCheck check);
  // Overrides ConversationInfo::live_chat_supported for the next handoffs.
  void set_live_chat_supported(bool supported);

  FlowState state() const;

  // Every user variable (global and topic ones merged, most recently set wins), as in the context.
  boost::json::object variables() const;

  // The transcript so far: at most kMaxTranscript activities; when full, the older half is
  // dropped at once (so appends stay cheap), newest kept.
  const std::vector<activity::Activity>& transcript() const;
  static constexpr std::size_t kMaxTranscript = 2000;
  // Drops the transcript held so far, for a host that keeps it elsewhere (the engine's store):
  // the next handoff request then carries only what was recorded after this call, and the host
  // puts the earlier part in front.
  void forget_transcript();

  // Everything needed to continue after a restart except the transcript (the store has it):
  // the topic stack (topics by name, nodes by index path), question retries, no-match count,
  // pause state, variables with their set order, va_* history, agents-online and
  // live-chat-supported flags. JSON, versioned (format in snapshot.cpp).
  boost::json::value snapshot() const;
  // Rebuilds a runtime from snapshot() output; error (kInvalidArgument, message naming the
  // problem) when the snapshot is malformed or does not fit the bot (e.g. the bot changed and a
  // topic or node no longer exists). The snapshot's agents-online and live-chat flags win over
  // `info`. `transcript` beyond kMaxTranscript keeps its newest activities.
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
