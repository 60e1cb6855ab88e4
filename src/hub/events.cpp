#include "hub/events.hpp"

#include <fmt/format.h>

namespace baton::hub {

const char* to_string(Presence presence) {
  switch (presence) {
    case Presence::kAvailable:
      return "available";
    case Presence::kBusy:
      return "busy";
    case Presence::kAway:
      return "away";
    case Presence::kOffline:
      return "offline";
  }
  return "offline";
}

std::optional<Presence> parse_presence(std::string_view name) {
  for (Presence p : {Presence::kAvailable, Presence::kBusy, Presence::kAway, Presence::kOffline}) {
    if (name == to_string(p)) {
      return p;
    }
  }
  return std::nullopt;
}

const char* to_string(RescindCause cause) {
  switch (cause) {
    case RescindCause::kCancelled:
      return "cancelled";
    case RescindCause::kAbandoned:
      return "abandoned";
    case RescindCause::kAgentAway:
      return "agent_away";
    case RescindCause::kAgentRemoved:
      return "agent_removed";
  }
  return "cancelled";
}

const char* to_string(UnavailableCause cause) {
  switch (cause) {
    case UnavailableCause::kOutOfHours:
      return "out_of_hours";
    case UnavailableCause::kNoSkilledAgents:
      return "no_skilled_agents";
    case UnavailableCause::kNoAgentOnline:
      break;
  }
  return "no_agents";
}

const char* to_string(ExternalState state) {
  switch (state) {
    case ExternalState::kAccepted:
      return "accepted";
    case ExternalState::kFailed:
      return "failed";
    case ExternalState::kCompleted:
      break;
  }
  return "completed";
}

std::optional<ExternalState> parse_external_state(std::string_view name) {
  for (ExternalState s :
       {ExternalState::kAccepted, ExternalState::kFailed, ExternalState::kCompleted}) {
    if (name == to_string(s)) {
      return s;
    }
  }
  return std::nullopt;
}

const char* to_string(ExternalLeave cause) {
  switch (cause) {
    case ExternalLeave::kCancelled:
      return "cancelled";
    case ExternalLeave::kLeft:
      return "left";
    case ExternalLeave::kSilent:
      return "silent";
    case ExternalLeave::kTimedOut:
      return "timed_out";
    case ExternalLeave::kOutOfHours:
      return "out_of_hours";
    case ExternalLeave::kClosed:
      break;
  }
  return "closed";
}

const char* to_string(AbandonCause cause) {
  return cause == AbandonCause::kLeft ? "left" : "silent";
}

const char* to_string(PresenceCause cause) {
  switch (cause) {
    case PresenceCause::kRequested:
      return "requested";
    case PresenceCause::kCapacity:
      return "capacity";
    case PresenceCause::kMissedOffers:
      return "missed_offers";
  }
  return "requested";
}

const char* to_string(TransferFailCause cause) {
  switch (cause) {
    case TransferFailCause::kDeclined:
      return "declined";
    case TransferFailCause::kExpired:
      return "expired";
    case TransferFailCause::kNoAgentOnline:
      return "no_agent_online";
    case TransferFailCause::kOutOfHours:
      return "out_of_hours";
    case TransferFailCause::kAgentUnavailable:
      return "agent_unavailable";
  }
  return "declined";
}

namespace {

struct Describe {
  std::string operator()(const Queued& d) const {
    return fmt::format("queued {} in {} at {} wait {}ms", d.conversation, d.queue, d.position,
                       d.estimated_wait.count());
  }
  std::string operator()(const Offered& d) const {
    return fmt::format("offer {} -> {} #{} until {}{}", d.conversation, d.agent, d.offer_id,
                       format_iso8601(d.expires_at), d.transfer ? " (transfer)" : "");
  }
  std::string operator()(const OfferRescinded& d) const {
    return fmt::format("rescind {} -> {} #{} ({})", d.conversation, d.agent, d.offer_id,
                       to_string(d.cause));
  }
  std::string operator()(const OfferExpired& d) const {
    return fmt::format("expired {} -> {} #{}", d.conversation, d.agent, d.offer_id);
  }
  std::string operator()(const Assigned& d) const {
    return fmt::format("assigned {} -> {} in {}", d.conversation, d.agent, d.queue);
  }
  std::string operator()(const PositionUpdate& d) const {
    return fmt::format("position {} in {} at {} wait {}ms", d.conversation, d.queue, d.position,
                       d.estimated_wait.count());
  }
  std::string operator()(const Unavailable& d) const {
    return fmt::format("unavailable {} in {} ({}){}", d.conversation, d.queue, to_string(d.cause),
                       d.message.empty() ? "" : ": " + d.message);
  }
  std::string operator()(const Overflowed& d) const {
    return fmt::format("overflow {} {} -> {}", d.conversation, d.from_queue, d.to_queue);
  }
  std::string operator()(const TimedOut& d) const {
    return fmt::format("timed_out {} in {}", d.conversation, d.queue);
  }
  std::string operator()(const Cancelled& d) const {
    return fmt::format("cancelled {}", d.conversation);
  }
  std::string operator()(const Abandoned& d) const {
    return fmt::format("abandoned {} ({})", d.conversation, to_string(d.cause));
  }
  std::string operator()(const PresenceChanged& d) const {
    return fmt::format("presence {} {} ({})", d.agent, to_string(d.presence), to_string(d.cause));
  }
  std::string operator()(const TransferCompleted& d) const {
    return fmt::format("transferred {} from {} to {}{}{}", d.conversation, d.from_agent,
                       d.to_queue.empty() ? "agent " : "queue ",
                       d.to_queue.empty() ? d.to_agent : d.to_queue,
                       d.by.empty() ? "" : " by " + d.by);
  }
  std::string operator()(const TransferFailed& d) const {
    return fmt::format("transfer_failed {} stays with {} ({})", d.conversation, d.agent,
                       to_string(d.cause));
  }
  std::string operator()(const WrapUpEnded& d) const {
    return fmt::format("wrap_up_ended {} {}{}", d.conversation, d.agent,
                       d.forced ? " (forced)" : "");
  }
  std::string operator()(const Requeued& d) const {
    return fmt::format("requeued {} from {}", d.conversation, d.agent);
  }
  std::string operator()(const ExternalHandoff& d) const {
    return fmt::format("external_handoff {} to {}", d.conversation, d.queue);
  }
  std::string operator()(const ExternalAccepted& d) const {
    return fmt::format("external_accepted {} by {}", d.conversation, d.queue);
  }
  std::string operator()(const ExternalEnded& d) const {
    return fmt::format("external_ended {} by {}{}{}", d.conversation, d.queue,
                       d.failed ? " (failed)" : "", d.message.empty() ? "" : ": " + d.message);
  }
  std::string operator()(const ExternalWithdrawn& d) const {
    return fmt::format("external_withdrawn {} from {} ({}{})", d.conversation, d.queue,
                       to_string(d.cause), d.accepted ? ", accepted" : "");
  }
};

}  // namespace

std::string describe(const Decision& decision) { return std::visit(Describe{}, decision); }

}  // namespace baton::hub
