// External queues (QueueConfig::external, docs/EXTERNAL_HUBS.md): a conversation routed to one
// waits there, never offered to Baton's agents, until the external hub answers (ExternalStatus).
// Accepted, the hub holds it in state kExternal (owned by that hub, no agent, no capacity) until
// the external hub completes or fails it, or Baton takes it back (HandoffCancelled, hub_state.cpp:
// ExternalWithdrawn tells that hub). The hub's status message rides along to the decision that
// ends the handoff (Unavailable, ExternalEnded).

#include "hub/hub_state.hpp"

namespace baton::hub::detail {

Result<Decisions> HubState::on(const ExternalStatus& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return make_error(ErrorCode::kNotFound, "conversation '" + e.conversation + "'");
  }
  const QueueConfig& qc = qconf(conv->queue);
  if (!qc.external) {
    return make_error(ErrorCode::kConflict,
                      "'" + e.conversation + "' is not with an external queue");
  }
  const bool waiting = conv->state == ConversationState::kWaiting;
  const bool owned = conv->state == ConversationState::kExternal;
  Decisions out;
  switch (e.state) {
    case ExternalState::kAccepted:
      if (!waiting) {
        return make_error(ErrorCode::kConflict,
                          "'" + e.conversation + "' was already accepted by its external hub");
      }
      queues_[conv->queue].unassigned.erase(conv->key());
      queues_[conv->queue].waiting.erase(conv->key());
      conv->state = ConversationState::kExternal;
      conv->assigned_at = now_;
      conv->assigned_once = true;
      out.push_back(ExternalAccepted{conv->id, qc.name});
      return out;
    case ExternalState::kFailed:
      if (waiting) {
        leave_unavailable(*conv, conv->queue, UnavailableCause::kNoAgentOnline, out);
        std::get<Unavailable>(out.back()).message = e.message;
        return out;
      }
      break;
    case ExternalState::kCompleted:
      if (!owned) {
        return make_error(ErrorCode::kConflict,
                          "'" + e.conversation + "' was not accepted by its external hub");
      }
      break;
  }
  out.push_back(ExternalEnded{conv->id, qc.name, e.state == ExternalState::kFailed, e.message});
  remove_conv(*conv);
  return out;
}

}  // namespace baton::hub::detail
