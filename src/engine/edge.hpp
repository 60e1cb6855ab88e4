#pragma once
// The edge between the engine (the single writer of conversations) and whatever drives their
// handoffs (src/engagement): a small set of typed events the engine emits and commands it takes.
// This is where multi-node Baton cuts: conversations are run by the node that serves them, the hub
// by one node, and these messages travel between them. Every message has a JSON form
// (to_json / *_from_json) so it can be carried over a log or a socket unchanged; in one process
// they are passed as values.
//
//   engine ──EngineEvent──► engagement          engagement ──EngineCommand──► engine
//     HandoffRequested{conversation, epoch, …}    ChangeOwnership{conversation, expected_epoch, …}
//     HandoffCancelled{conversation, epoch}       PostAsOwner{conversation, expected_epoch, …}
//     CustomerActed{conversation, action}         PostNotice{conversation, activity}
//     OwnershipChanged{conversation, from, to}    SetAgentsOnline{online}
//
// Ownership (engine/ownership.hpp) has one owner: the engine. Events report every change it
// committed, in commit order; a command that names an epoch is refused (kConflict) once the
// conversation has moved past it, so nobody acts on a guess. Plain values; thread-safe to read.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "activity/activity.hpp"
#include "core/result.hpp"
#include "dialog/handoff.hpp"
#include "engine/ownership.hpp"

namespace baton::engine {

// --- engine → engagement: emitted after the batch they report is durable, in commit order.

// The bot escalated: the conversation waits for a human (ownership queued at `epoch`). Carries
// what routing and the agent's console need; the transcript stays in the stored handoff record.
struct HandoffRequested {
  std::string conversation;
  std::uint64_t epoch = 0;      // the conversation's epoch once queued
  std::string handoff_id;       // the handoff record's id
  std::string reason;           // explicit | requested | no_match | invalid_answer
  std::string topic;            // the topic that escalated
  boost::json::object context;  // va_* and the bot's variables (docs/PROTOCOLS.md §3)
  std::string agent_message;    // the bot's private message for the agent
  std::string queue;            // routing hints
  std::vector<std::string> skills;
  std::optional<int> priority;
  std::uint64_t initiate_seq = 0;  // seq of the handoff.initiate activity: the bot part ends there
  std::string user;                // the conversation's user id (agent affinity)
  // The customer's language, for the texts they are told (docs/HUB.md "Texts and languages"):
  // the locale the client gave when it started the conversation, else the locale of the
  // customer's latest activity that carries one, else the bot's language. Never longer than 32.
  std::string language = {};

  friend bool operator==(const HandoffRequested&, const HandoffRequested&) = default;
};

// The customer's own turn ended the open handoff (a cancel while waiting); the bot owns the
// conversation again at `epoch`.
struct HandoffCancelled {
  std::string conversation;
  std::uint64_t epoch = 0;

  friend bool operator==(const HandoffCancelled&, const HandoffCancelled&) = default;
};

enum class CustomerAction { kMessage, kTyping, kLeft, kOther };

// A customer activity was stored: a message, typing, endOfConversation (left), anything else.
struct CustomerActed {
  std::string conversation;
  CustomerAction action = CustomerAction::kOther;

  friend bool operator==(const CustomerActed&, const CustomerActed&) = default;
};

// Ownership moved (whoever asked: a customer's turn, a command).
struct OwnershipChanged {
  std::string conversation;
  Ownership from;
  Ownership to;
  OwnershipEvent event = OwnershipEvent::kHandoffRequested;

  friend bool operator==(const OwnershipChanged&, const OwnershipChanged&) = default;
};

using EngineEvent =
    std::variant<HandoffRequested, HandoffCancelled, CustomerActed, OwnershipChanged>;

// --- engagement → engine

// How an ended handoff is recorded beyond its outcome.
struct HandoffEnd {
  std::string agent;      // the agent who had it, "" if none
  std::string abandoned;  // "left" | "silent" when the customer abandoned the wait, else ""
  // Outcome unavailable: why (System.HandoffUnavailableReason: out_of_hours, no_agents,
  // no_skilled_agents), else "".
  std::string unavailable = {};
  // An external hub's status message (docs/EXTERNAL_HUBS.md), "" = none: kept in the handoff
  // record's outcome, the handoff.status event and the bot's System.HandoffMessage.
  std::string message = {};

  friend bool operator==(const HandoffEnd&, const HandoffEnd&) = default;
};

// Where the hub routed a handoff it offers or assigns: the queue it waits in, the agent it is
// offered or assigned to. Analytics and the handoff record keep them.
struct HandoffRoute {
  std::string queue;
  std::string agent;

  friend bool operator==(const HandoffRoute&, const HandoffRoute&) = default;
};

// Moves ownership one step (Engine::change_ownership documents each event), refused with
// kConflict unless the conversation is still at `expected_epoch` and the step is allowed there.
struct ChangeOwnership {
  std::string conversation;
  std::uint64_t expected_epoch = 0;
  OwnershipEvent event = OwnershipEvent::kOffered;
  dialog::HandoffOutcome outcome = dialog::HandoffOutcome::kCompleted;  // kHandoffEnded, kClosed
  HandoffEnd end;
  HandoffRoute route = {};  // kOffered, kAccepted: where the hub routed it (may be empty)

  friend bool operator==(const ChangeOwnership&, const ChangeOwnership&) = default;
};

// An activity from the agent who owns the conversation at `expected_epoch`.
struct PostAsOwner {
  std::string conversation;
  std::uint64_t expected_epoch = 0;
  activity::Activity activity;

  friend bool operator==(const PostAsOwner&, const PostAsOwner&) = default;
};

// A bot-side message that is not a dialog turn (queue texts, "an agent joined", agents' notes).
struct PostNotice {
  std::string conversation;
  activity::Activity activity;

  friend bool operator==(const PostNotice&, const PostNotice&) = default;
};

// Whether any agent is online (available or busy), hub-wide: with nobody online a handoff takes
// the bot's agents-offline path at once.
struct SetAgentsOnline {
  bool online = true;

  friend bool operator==(const SetAgentsOnline&, const SetAgentsOnline&) = default;
};

// The agent's wrap-up of the conversation's latest handoff, which has ended: the disposition code
// it chose (checked against its queue by the engagement) and a free note. Kept in the handoff
// record's outcome as "wrapUp" and counted in analytics (wrapup.disposition.<code>).
struct RecordWrapUp {
  std::string conversation;
  std::string agent;
  std::string disposition;  // "" = none
  std::string note;         // "" = none

  friend bool operator==(const RecordWrapUp&, const RecordWrapUp&) = default;
};

using EngineCommand =
    std::variant<ChangeOwnership, PostAsOwner, PostNotice, SetAgentsOnline, RecordWrapUp>;

// --- JSON forms: {"type": "<name>", ...fields}. Names: handoff_requested, handoff_cancelled,
// customer_acted, ownership_changed; change_ownership, post_as_owner, post_notice,
// set_agents_online, record_wrap_up. Parsing reports kInvalidArgument naming the first bad field.
boost::json::object to_json(const EngineEvent& event);
Result<EngineEvent> event_from_json(const boost::json::value& json);
boost::json::object to_json(const EngineCommand& command);
Result<EngineCommand> command_from_json(const boost::json::value& json);

// "message" → kMessage, "typing" → kTyping, "endOfConversation" → kLeft, else kOther.
CustomerAction customer_action_of(std::string_view activity_type);

}  // namespace baton::engine
