#pragma once
// Who owns a conversation, as one explicit state machine with an epoch (a fencing token).
//
//   bot ──handoff_requested──► queued ──offered──► offered ──accepted──► agent
//    ▲                          │  ▲                 │                     │
//    └──── handoff_ended ───────┘  └──── declined ───┘                     │
//                               ▲                                          │
//                               └──────────────── requeued ────────────────┤
//    ▲                                    │ handoff_ended                  │ handoff_ended
//    └────────────────────────────────────┴────────────────────────────────┘
//   any state ──closed──► closed (final)
//
// Every transition increments the epoch. A writer (the bot's turn, the hub, an agent) carries the
// owner and epoch it saw; check_writer() refuses it once ownership moved on, so a bot turn still in
// flight when a human took over, or an agent who was already unassigned, cannot write. The store
// keeps the state as text (to_string) so it does not depend on this enum.
//
// Pure values and functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"

namespace baton::engine {

enum class Owner { kBot, kQueued, kOffered, kAgent, kClosed };

enum class OwnershipEvent {
  kHandoffRequested,  // the bot escalated: the conversation waits in a queue (bot paused)
  kOffered,           // the hub offered it to an agent
  kDeclined,          // the agent declined or the offer timed out: back to the queue
  kAccepted,          // the agent accepted: the agent owns it
  kHandoffEnded,      // cancelled, unavailable, timed out, or the agent finished: back to the bot
  kRequeued,          // the agent owner transferred it to a queue or was removed: waits again
  kClosed,            // the conversation is over; nobody may write
};

// Wire / storage names: "bot", "queued", "offered", "agent", "closed".
const char* to_string(Owner owner);
const char* to_string(OwnershipEvent event);
std::optional<Owner> parse_owner(std::string_view name);
std::optional<OwnershipEvent> parse_ownership_event(std::string_view name);

struct Ownership {
  Owner owner = Owner::kBot;
  std::uint64_t epoch = 0;
  friend bool operator==(const Ownership&, const Ownership&) = default;
};

// The state after `event`, epoch + 1. kConflict (naming both) when the event is not allowed in
// the current state, e.g. kAccepted while queued (no offer) or anything after closed.
Result<Ownership> transition(const Ownership& current, OwnershipEvent event);

// Whether a writer that believes the conversation is `claimed` may write now. kConflict when the
// owner differs or the epoch is stale.
Status check_writer(const Ownership& current, const Ownership& claimed);

}  // namespace baton::engine
