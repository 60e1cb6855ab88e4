#pragma once
// The Hub's inputs (events, each stamped with a time) and outputs (decisions).
//
// Inputs are plain values meant to be stored by the engine in its event log, in the order they
// were applied, and replayed after a restart (see hub.hpp). JSON forms for that log are in
// event_json.hpp. Decisions are plain values the engine acts on (send an offer to an agent's
// console, tell the customer their position, resume the bot flow, ...); they are never stored as
// the source of truth because the same inputs always give the same decisions.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "hub/config.hpp"

namespace baton::hub {

// ---------------------------------------------------------------------------------------------
// Inputs

// Why the conversation escalated, as a string (dialog's wire names: explicit, requested, no_match,
// invalid_answer); readable by routing rules as `reason`.
struct HandoffSubmitted {
  std::string conversation;         // unique among the hub's live conversations
  boost::json::object context;      // va_* and user variables (dialog::HandoffRequest::context)
  std::string reason;               // routing rules: `reason`
  std::string language;             // routing rules: `language` ("" → context va_Language)
  std::string queue_hint;           // a queue name; wins over rules when it names a queue
  std::vector<std::string> skills;  // extra skills the agent must have; rules: `skills`
  std::optional<int> priority;      // overrides the queue's priority for this conversation
  std::string user;                 // the customer's user id ("" = unknown): agent affinity
};

// The customer cancelled while waiting (cancel intent or quick reply), or Baton takes the
// conversation back (`closed`: a supervisor's force-close, an erasure, the engine having it with
// the bot or closed already). Waiting or offered → Cancelled; held by an external hub (kExternal)
// → ExternalWithdrawn, ExternalEnded; with an agent → kConflict.
struct HandoffCancelled {
  std::string conversation;
  bool closed = false;  // Baton closes it (ExternalWithdrawn's cause: closed, not cancelled)
};

// The customer wrote something (resets the abandonment timer while waiting).
struct CustomerActivity {
  std::string conversation;
};

// The customer closed the chat. While waiting → Abandoned; with an agent → no hub change (the
// agent ends it).
struct CustomerLeft {
  std::string conversation;
};

// Adds an agent, or updates the routing facts of a known one (presence and load are kept).
struct AgentRegistered {
  Agent agent;
};

// Removes an agent: pending offers are rescinded and re-routed; conversations it owns are
// re-queued in their queue at the front of their priority (they keep their original wait).
struct AgentRemoved {
  std::string agent;
};

// Presence as an agent chooses it. `busy` means "no new offers"; the hub also shows an available
// agent as busy while at capacity (see Hub).
enum class Presence { kAvailable, kBusy, kAway, kOffline };
const char* to_string(Presence presence);
std::optional<Presence> parse_presence(std::string_view name);

// away / offline rescind the agent's pending offers (they go to others); busy keeps them (the
// agent may still accept) but stops new ones. Conversations the agent owns stay with it.
struct PresenceSet {
  std::string agent;
  Presence presence = Presence::kAvailable;
};

// Offers are fenced by id: an answer to an offer that is no longer current is refused.
struct OfferAccepted {
  std::string conversation;
  std::string agent;
  std::uint64_t offer_id = 0;
};

struct OfferDeclined {
  std::string conversation;
  std::string agent;
  std::uint64_t offer_id = 0;
};

// The owning agent hands the conversation to a queue (cold: the agent is released at once) or to
// another agent (the conversation is offered to them; the first agent keeps it until they accept).
struct TransferRequested {
  std::string conversation;
  std::string from_agent;  // must be the current owner
  std::string to_queue;    // exactly one of to_queue / to_agent is non-empty
  std::string to_agent;
  std::string note;  // private note for the next agent
};

// The owning agent ended the conversation (return to bot or close: the engine's business); the
// agent's capacity stays held by the wrap-up until WrapUpDone.
struct ConversationEnded {
  std::string conversation;
  std::string agent;
};

struct WrapUpDone {
  std::string conversation;
  std::string agent;
};

// A supervisor gives the conversation to `agent` at once, without an offer: a waiting or offered
// one (a pending offer to anyone else is rescinded), or one an agent owns (that agent is released
// and told: TransferCompleted with `by` set, then Assigned; a pending transfer offer is
// rescinded). `take_over`: the supervisor takes one an agent owns themselves (agent ==
// supervisor), whatever their presence and capacity (kConflict for one no agent owns). Otherwise
// the agent must be online (available or busy) and below capacity; kConflict says why not
// ("offline", "at capacity 2 of 2"). Refused in wrap-up (kConflict) and for the current owner. The
// hub knows no rights: the caller checks the role.
struct SupervisorAssign {
  std::string conversation;
  std::string supervisor;  // who decided (recorded in TransferCompleted::by)
  std::string agent;
  std::string note;  // private note for the agent (the transfer note)
  bool take_over = false;
};

// A supervisor moves a waiting or offered conversation to another queue (a pending offer is
// rescinded; it waits there from now, at its priority), or takes one from its owner into a queue
// (as the owner's TransferRequested to a queue, with TransferCompleted::by set). kConflict when
// the queue is closed or nobody online could take it (nothing changes), or in wrap-up; kNotFound
// for an unknown queue.
struct SupervisorRequeue {
  std::string conversation;
  std::string supervisor;
  std::string to_queue;
  std::string note;
};

// What an external queue's hub (QueueConfig::external, docs/EXTERNAL_HUBS.md) says about a
// conversation handed to it. Wire names: accepted, failed, completed.
enum class ExternalState { kAccepted, kFailed, kCompleted };
const char* to_string(ExternalState state);
std::optional<ExternalState> parse_external_state(std::string_view name);

// The external hub answered, or Baton could not deliver the handoff to it (kFailed). accepted:
// only while waiting in its external queue → the external hub owns it (kExternal); failed: while
// waiting → Unavailable (no_agents), while owned → ExternalEnded{failed}; completed: only while
// owned → ExternalEnded. kConflict otherwise (e.g. a late message after completed), kNotFound
// for a conversation the hub does not hold.
struct ExternalStatus {
  std::string conversation;
  ExternalState state = ExternalState::kAccepted;
  std::string message = {};  // the external hub's words (at most 1000 bytes), "" = none
};

// Time passes: offers expire, waits exceed max_wait, customers fall silent, queues close.
struct Tick {};

// After a restart and replay: pending offers are re-issued with a fresh timeout (the agent may
// never have seen them), and waiting customers' silence timers restart (the downtime was not
// their silence). Log it like any input.
struct Recover {};

using Event = std::variant<HandoffSubmitted, HandoffCancelled, CustomerActivity, CustomerLeft,
                           AgentRegistered, AgentRemoved, PresenceSet, OfferAccepted, OfferDeclined,
                           TransferRequested, ConversationEnded, WrapUpDone, Tick, Recover,
                           SupervisorAssign, SupervisorRequeue, ExternalStatus>;

// One input: what happened and when (from the engine's Clock when it happened; the recorded time
// when replayed). Times earlier than the previous input's are treated as equal to it.
struct Input {
  TimePoint at;
  Event event;
};

// ---------------------------------------------------------------------------------------------
// Decisions

// The conversation entered a queue (first routing, overflow or transfer). `text` is the queue's
// rendered `queued` text for the customer.
struct Queued {
  std::string conversation;
  std::string queue;
  int position = 0;  // 1-based among the queue's unassigned conversations
  Millis estimated_wait{0};
  std::string text;
};

// Show the offer to the agent; it expires at `expires_at` unless accepted.
struct Offered {
  std::string conversation;
  std::string agent;
  std::uint64_t offer_id = 0;
  TimePoint expires_at;
  std::string queue;
  bool transfer = false;  // a transfer to this agent (from TransferRequested)
};

// kCancelled: the customer cancelled, or the owner ended the conversation during a transfer offer;
// kAgentAway: the agent went away or offline (or was set away after missed offers).
enum class RescindCause { kCancelled, kAbandoned, kAgentAway, kAgentRemoved };
const char* to_string(RescindCause cause);

// Withdraw an offer from the agent's console (the customer left, the agent went away, ...).
struct OfferRescinded {
  std::string conversation;
  std::string agent;
  std::uint64_t offer_id = 0;
  RescindCause cause = RescindCause::kCancelled;
};

// The offer expired unanswered (counts toward missed offers).
struct OfferExpired {
  std::string conversation;
  std::string agent;
  std::uint64_t offer_id = 0;
};

// The agent owns the conversation now.
struct Assigned {
  std::string conversation;
  std::string agent;
  std::string queue;
};

struct PositionUpdate {
  std::string conversation;
  std::string queue;
  int position = 0;
  Millis estimated_wait{0};
  std::string text;
};

// Why a queue cannot take a conversation. Wire names (also the bot's
// System.HandoffUnavailableReason): out_of_hours (closed: hours or holiday), no_agents (no agent
// online at all), no_skilled_agents (agents are online, none with the queue's and the handoff's
// skills).
enum class UnavailableCause { kOutOfHours, kNoAgentOnline, kNoSkilledAgents };
const char* to_string(UnavailableCause cause);

// Resume the flow with `unavailable`; the conversation has left the hub.
struct Unavailable {
  std::string conversation;
  std::string queue;
  UnavailableCause cause = UnavailableCause::kNoAgentOnline;
  std::string text;  // the queue's rendered texts.unavailable ("" = the bot's own text)
  // An external hub failed the handoff (ExternalStatus{failed}): its message, "" = none.
  std::string message = {};
};

// Max wait passed; the conversation moved to `to_queue` (a Queued follows).
struct Overflowed {
  std::string conversation;
  std::string from_queue;
  std::string to_queue;
};

// Max wait passed with no overflow: resume the flow with `timed_out`; left the hub.
struct TimedOut {
  std::string conversation;
  std::string queue;
};

// Resume the flow with `cancelled`; left the hub.
struct Cancelled {
  std::string conversation;
};

enum class AbandonCause { kLeft, kSilent };
const char* to_string(AbandonCause cause);

// The customer is gone; left the hub.
struct Abandoned {
  std::string conversation;
  AbandonCause cause = AbandonCause::kLeft;
};

enum class PresenceCause { kRequested, kCapacity, kMissedOffers };
const char* to_string(PresenceCause cause);

// The agent's effective presence changed. kCapacity: busy at capacity / available again below it;
// kMissedOffers: set away after missed_offers_before_away missed offers in a row.
struct PresenceChanged {
  std::string agent;
  Presence presence = Presence::kOffline;
  PresenceCause cause = PresenceCause::kRequested;
};

// A transfer took effect: to a queue (the conversation is queued, the old agent released) or to an
// agent (who accepted). `note` is for the new agent. `by`: the supervisor who moved it
// (SupervisorAssign, SupervisorRequeue); "" when the owner transferred it.
struct TransferCompleted {
  std::string conversation;
  std::string from_agent;
  std::string to_queue;
  std::string to_agent;
  std::string note;
  std::string by;
};

enum class TransferFailCause {
  kDeclined,
  kExpired,
  kNoAgentOnline,
  kOutOfHours,
  kAgentUnavailable
};
const char* to_string(TransferFailCause cause);

// The transfer did not happen; the conversation stays with `agent`.
struct TransferFailed {
  std::string conversation;
  std::string agent;
  TransferFailCause cause = TransferFailCause::kDeclined;
};

// The wrap-up ended (done, or forced after max_wrap_up); the agent's capacity is free; the
// conversation has left the hub.
struct WrapUpEnded {
  std::string conversation;
  std::string agent;
  bool forced = false;
};

// A conversation the removed agent owned went back to its queue (a Queued follows).
struct Requeued {
  std::string conversation;
  std::string agent;
};

// The conversation entered an external queue (after its Queued): hand it to that hub (the signed
// handoff.initiate). Its answer comes back as an ExternalStatus input. Recover{} issues it again
// for every conversation still waiting for that answer.
struct ExternalHandoff {
  std::string conversation;
  std::string queue;
};

// The external hub accepted: it owns the conversation (state kExternal) until it completes it.
// Recover{} issues it again for every conversation an external hub owns.
struct ExternalAccepted {
  std::string conversation;
  std::string queue;
};

// The external hub ended its ownership: completed (resume the flow with completed) or failed
// (resume with unavailable). The conversation has left the hub.
struct ExternalEnded {
  std::string conversation;
  std::string queue;
  bool failed = false;
  std::string message = {};  // the external hub's status message, "" = none (or Baton ended it)
};

// Why Baton took back a conversation it had handed to an external hub. Wire names: cancelled
// (the customer cancelled), left (the customer closed the chat), silent (abandon_after passed),
// timed_out (max_wait passed), out_of_hours (the queue closed), closed (Baton closed it: a
// supervisor's force-close, an erasure, the conversation already with the bot or closed).
enum class ExternalLeave { kCancelled, kLeft, kSilent, kTimedOut, kOutOfHours, kClosed };
const char* to_string(ExternalLeave cause);

// A conversation handed to an external hub (waiting for its answer, or `accepted` by it) left the
// hub for another reason than that hub's own status: tell it (docs/EXTERNAL_HUBS.md, the signed
// endOfConversation). Comes before the decision that ends the conversation (TimedOut, Cancelled,
// Abandoned, Unavailable, ExternalEnded).
struct ExternalWithdrawn {
  std::string conversation;
  std::string queue;
  ExternalLeave cause = ExternalLeave::kClosed;
  bool accepted = false;  // the external hub had accepted it
};

using Decision =
    std::variant<Queued, Offered, OfferRescinded, OfferExpired, Assigned, PositionUpdate,
                 Unavailable, Overflowed, TimedOut, Cancelled, Abandoned, PresenceChanged,
                 TransferCompleted, TransferFailed, WrapUpEnded, Requeued, ExternalHandoff,
                 ExternalAccepted, ExternalEnded, ExternalWithdrawn>;
using Decisions = std::vector<Decision>;

// A one-line, stable description of a decision ("offer c1 -> alice #3 until ..."), for logs and
// for tests that compare decision sequences.
std::string describe(const Decision& decision);

}  // namespace baton::hub
