#pragma once
// The handoff request a conversation produces when it escalates, and its Bot Framework form.

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activity/activity.hpp"
#include "bot/model.hpp"

namespace baton::dialog {

// Why the conversation escalated. Wire names: explicit, requested, no_match, invalid_answer.
enum class HandoffReason {
  kExplicit,       // a transfer / handover / end_conversation-with-transfer node in a topic
  kRequested,      // the customer asked (escalation phrase or the Escalate topic's triggers)
  kNoMatch,        // settings.no_match_threshold consecutive messages the bot did not understand
  kInvalidAnswer,  // a question got max_retries invalid answers
};

// How a handoff ended, as the topic sees it in System.HandoffOutcome. Wire names: completed,
// cancelled, unavailable, unsupported, timed_out.
enum class HandoffOutcome { kCompleted, kCancelled, kUnavailable, kUnsupported, kTimedOut };

const char* to_string(HandoffReason reason);
const char* to_string(HandoffOutcome outcome);
std::optional<HandoffReason> parse_handoff_reason(std::string_view name);
std::optional<HandoffOutcome> parse_handoff_outcome(std::string_view name);

struct HandoffRequest {
  HandoffReason reason = HandoffReason::kExplicit;
  std::string topic;  // the topic holding the handoff node
  // The PVA context: va_Scope, va_LastTopic, va_Topics, va_LastPhrases, va_Phrases,
  // va_ConversationId, va_AgentMessage, va_BotId, va_BotName, va_Language, plus every user
  // variable merged across topics (the most recently set value wins). System.* are not included.
  boost::json::object context;
  std::string agent_message;  // rendered private message (also va_AgentMessage)
  bot::RoutingHints routing;
  std::vector<activity::Activity> transcript;  // the conversation so far, in order
  std::string cancel_quick_reply;              // button text that cancels while waiting ("" = none)
};

// The hub's answer, in the escalating turn, that the queue a handoff routes to cannot take it:
// the handoff then resolves at once as `unavailable`.
struct HandoffUnavailable {
  // System.HandoffUnavailableReason: out_of_hours | no_agents | no_skilled_agents.
  std::string reason;
  std::string queue;  // the queue the handoff routed to ("" = unknown)
  std::string text;   // the queue's unavailable text; "" = the handoff node's (or bot's) own
};

// Asked by the runtime at each handoff node on a live-chat channel, synchronously, with the
// request as it would be submitted; nullopt = agents can be reached (the handoff waits).
using AvailabilityCheck = std::function<std::optional<HandoffUnavailable>(const HandoffRequest&)>;

// The `handoff.initiate` event activity for a request (docs/PROTOCOLS.md §2.1, §3): value =
// context, one attachment {contentType "application/json", name "Transcript", content
// {activities}}, replyToId = the user activity that triggered it, relatesTo = the conversation
// reference. `from` is the bot, `recipient` the user, as given.
activity::Activity make_handoff_initiate(const HandoffRequest& request,
                                         const activity::ChannelAccount& bot,
                                         const activity::ChannelAccount& user,
                                         const std::string& conversation_id,
                                         const std::string& channel_id,
                                         const std::string& reply_to_id);

// The `handoff.status` event (docs/PROTOCOLS.md §2.2): value {state, message?}.
activity::Activity make_handoff_status(std::string_view state, std::string_view message = {});

// Inverse of make_handoff_initiate, for external bots that hand off to Baton's hub: reads reason
// (value.reason if present, else explicit), context (value), agent message (va_AgentMessage),
// and the transcript attachment (name compared case-insensitively). Accepts both va_LastPhrase and
// va_LastPhrases. Error when the activity is not a handoff.initiate event.
Result<HandoffRequest> parse_handoff_initiate(const activity::Activity& event);

// The Transcript attachment of a handoff.initiate event (name compared case-insensitively), or
// nullptr when it has none. make_handoff_initiate's has content {"activities": [...]}.
const activity::Attachment* find_transcript_attachment(const activity::Activity& event);

}  // namespace baton::dialog
