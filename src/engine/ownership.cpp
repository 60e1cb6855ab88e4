#include "engine/ownership.hpp"

#include <fmt/format.h>

namespace baton::engine {

const char* to_string(Owner owner) {
  switch (owner) {
    case Owner::kBot:
      return "bot";
    case Owner::kQueued:
      return "queued";
    case Owner::kOffered:
      return "offered";
    case Owner::kAgent:
      return "agent";
    case Owner::kClosed:
      return "closed";
  }
  return "bot";
}

const char* to_string(OwnershipEvent event) {
  switch (event) {
    case OwnershipEvent::kHandoffRequested:
      return "handoff_requested";
    case OwnershipEvent::kOffered:
      return "offered";
    case OwnershipEvent::kDeclined:
      return "declined";
    case OwnershipEvent::kAccepted:
      return "accepted";
    case OwnershipEvent::kHandoffEnded:
      return "handoff_ended";
    case OwnershipEvent::kRequeued:
      return "requeued";
    case OwnershipEvent::kClosed:
      return "closed";
  }
  return "closed";
}

std::optional<Owner> parse_owner(std::string_view name) {
  for (Owner o : {Owner::kBot, Owner::kQueued, Owner::kOffered, Owner::kAgent, Owner::kClosed}) {
    if (name == to_string(o)) {
      return o;
    }
  }
  return std::nullopt;
}

std::optional<OwnershipEvent> parse_ownership_event(std::string_view name) {
  for (OwnershipEvent e :
       {OwnershipEvent::kHandoffRequested, OwnershipEvent::kOffered, OwnershipEvent::kDeclined,
        OwnershipEvent::kAccepted, OwnershipEvent::kHandoffEnded, OwnershipEvent::kRequeued,
        OwnershipEvent::kClosed}) {
    if (name == to_string(e)) {
      return e;
    }
  }
  return std::nullopt;
}

namespace {

std::optional<Owner> next_owner(Owner from, OwnershipEvent event) {
  switch (event) {
    case OwnershipEvent::kHandoffRequested:
      return from == Owner::kBot ? std::optional(Owner::kQueued) : std::nullopt;
    case OwnershipEvent::kOffered:
      return from == Owner::kQueued ? std::optional(Owner::kOffered) : std::nullopt;
    case OwnershipEvent::kDeclined:
      return from == Owner::kOffered ? std::optional(Owner::kQueued) : std::nullopt;
    case OwnershipEvent::kAccepted:
      return from == Owner::kOffered ? std::optional(Owner::kAgent) : std::nullopt;
    case OwnershipEvent::kHandoffEnded:
      if (from == Owner::kQueued || from == Owner::kOffered || from == Owner::kAgent) {
        return Owner::kBot;
      }
      return std::nullopt;
    case OwnershipEvent::kRequeued:
      return from == Owner::kAgent ? std::optional(Owner::kQueued) : std::nullopt;
    case OwnershipEvent::kClosed:
      return from == Owner::kClosed ? std::nullopt : std::optional(Owner::kClosed);
  }
  return std::nullopt;
}

}  // namespace

Result<Ownership> transition(const Ownership& current, OwnershipEvent event) {
  const auto next = next_owner(current.owner, event);
  if (!next) {
    return make_error(ErrorCode::kConflict,
                      fmt::format("ownership: '{}' is not allowed while the conversation is '{}'",
                                  to_string(event), to_string(current.owner)));
  }
  return Ownership{*next, current.epoch + 1};
}

Status check_writer(const Ownership& current, const Ownership& claimed) {
  if (current == claimed) {
    return {};
  }
  return make_error(ErrorCode::kConflict,
                    fmt::format("stale writer: it claims '{}' at epoch {}, but the conversation is "
                                "'{}' at epoch {}",
                                to_string(claimed.owner), claimed.epoch, to_string(current.owner),
                                current.epoch));
}

}  // namespace baton::engine
