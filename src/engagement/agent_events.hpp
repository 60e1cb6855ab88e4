#pragma once
// What the engagement layer tells an agent's console (one AgentSink per attached WebSocket): a
// typed AgentEvent. src/channels/agent renders each to the JSON of docs/AGENT_API.md ("Stream").

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "hub/hub.hpp"

namespace baton::engagement {

// An offer of a conversation to this agent (the `offer` message; also listed in Hello).
struct Offer {
  std::string conversation;
  std::uint64_t offer_id = 0;
  TimePoint expires_at{};
  std::string queue;
  bool transfer = false;      // a transfer to this agent
  std::string reason;         // why the bot escalated
  Millis waited{0};           // how long the customer has waited
  std::string agent_message;  // the bot's private message for the agent
  std::string note;           // the last transfer's note ("" when none)
};

// Another agent, as a transfer target.
struct Colleague {
  std::string id;
  std::string display_name;
  hub::Presence presence = hub::Presence::kOffline;
};

// The first message on every stream, and the body of GET /api/agent/me.
struct Hello {
  hub::Agent agent;
  hub::Presence presence = hub::Presence::kOffline;
  std::vector<Offer> offers;
  std::vector<hub::ConversationView> conversations;  // offered or assigned to the agent
  std::vector<std::string> queues;                   // every queue, in hub.yaml order
  std::vector<Colleague> agents;                     // every other agent
};

enum class WithdrawCause { kExpired, kCancelled, kAbandoned, kAgentAway, kAgentRemoved };
const char* to_string(WithdrawCause cause);

struct OfferWithdrawn {
  std::string conversation;
  std::uint64_t offer_id = 0;
  WithdrawCause cause = WithdrawCause::kExpired;
};

// The agent owns the conversation now (after accept, or a transfer to it).
struct Assigned {
  std::string conversation;
  std::optional<hub::ConversationView> view;
};

// kTakenOver: a supervisor took it; kReassigned: a supervisor gave it to another agent or queue.
enum class UnassignCause {
  kTransferred,
  kClosed,
  kEnded,
  kAbandoned,
  kRemoved,
  kTakenOver,
  kReassigned
};
const char* to_string(UnassignCause cause);

// The conversation left the agent.
struct Unassigned {
  std::string conversation;
  UnassignCause cause = UnassignCause::kEnded;
};

// The agent ended the conversation: wrap-up holds its capacity until WrapUpDone.
struct WrapUpStarted {
  std::string conversation;
};

// A new activity in a conversation the agent owns or monitors: the stored JSON text, shared by
// every console that gets it.
struct ActivityAdded {
  std::string conversation;
  std::uint64_t seq = 0;
  std::shared_ptr<const std::string> json;
  std::uint64_t handoff_seq = 0;  // the bot part ends here (transcript parts)
};

// The agent's effective presence changed.
struct PresenceNow {
  hub::Presence presence = hub::Presence::kOffline;
  hub::PresenceCause cause = hub::PresenceCause::kRequested;
};

// The agent's transfer did not happen; it keeps the conversation.
struct TransferFailed {
  std::string conversation;
  hub::TransferFailCause cause = hub::TransferFailCause::kDeclined;
};

// Supervisors only, at most once a second when something changed.
struct SupervisorView {
  std::vector<hub::QueueView> queues;
  std::vector<hub::AgentView> agents;
  std::vector<hub::ConversationView> conversations;
};

using AgentEvent = std::variant<Hello, Offer, OfferWithdrawn, Assigned, Unassigned, WrapUpStarted,
                                ActivityAdded, PresenceNow, TransferFailed, SupervisorView>;

// Receives the events of one attached console. Called on the engagement's strand: must not block
// (queue and return).
class AgentSink {
 public:
  virtual ~AgentSink() = default;
  virtual void push(const AgentEvent& event) = 0;
  // The agent was removed, its password changed, or the server stops: no more events follow;
  // close the socket.
  virtual void closed(std::string_view reason) = 0;
};

}  // namespace baton::engagement
