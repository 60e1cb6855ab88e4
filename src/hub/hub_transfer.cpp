// Transfers by the owning agent: to a queue (cold) or to another agent (offered; the first agent
// keeps the conversation until the second accepts).

#include "hub/hub_state.hpp"

namespace baton::hub::detail {

Result<Decisions> HubState::on(const TransferRequested& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return make_error(ErrorCode::kNotFound, "conversation '" + e.conversation + "'");
  }
  if (conv->state != ConversationState::kAssigned || conv->agent != e.from_agent) {
    return make_error(ErrorCode::kConflict,
                      "'" + e.from_agent + "' does not own '" + e.conversation + "'");
  }
  if (!conv->offer_agent.empty()) {
    return make_error(ErrorCode::kConflict, "a transfer of '" + e.conversation + "' is pending");
  }
  if (e.to_queue.empty() == e.to_agent.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a transfer needs exactly one target");
  }
  if (!e.to_agent.empty()) {
    AgentState* target = find_agent(e.to_agent);
    if (target == nullptr) {
      return make_error(ErrorCode::kNotFound, "agent '" + e.to_agent + "'");
    }
    if (e.to_agent == e.from_agent) {
      return make_error(ErrorCode::kInvalidArgument, "a transfer to the owner itself");
    }
    Decisions out;
    if (!target->can_take()) {
      transfer_failed(*conv, TransferFailCause::kAgentUnavailable, out);
      return out;
    }
    conv->transfer_note = e.note;
    make_offer(*conv, *target, true, out);
    return out;
  }
  auto queue = config_->find_queue(e.to_queue);
  if (!queue) {
    return make_error(ErrorCode::kNotFound, "queue '" + e.to_queue + "'");
  }
  Decisions out;
  const QueueConfig& qc = qconf(*queue);
  if (qc.hours && !qc.hours->is_open(now_)) {
    transfer_failed(*conv, TransferFailCause::kOutOfHours, out);
    return out;
  }
  if (!anyone_online(*queue, conv->skills, e.from_agent)) {
    transfer_failed(*conv, TransferFailCause::kNoAgentOnline, out);
    return out;
  }
  AgentState* from = find_agent(e.from_agent);
  out.push_back(TransferCompleted{conv->id, e.from_agent, qc.name, "", e.note});
  measure(metric::kTransfer, queue_name(*conv), e.from_agent);
  measure(metric::kHandle, queue_name(*conv), e.from_agent, since(conv->assigned_at));
  conv->agent.clear();
  conv->waiting_since = now_;
  conv->transfer_note = e.note;
  conv->declined = {e.from_agent};
  conv->sent_position = 0;
  if (from != nullptr) {
    release(*conv, *from, out);
  }
  enter_queue(*conv, *queue, false, out);
  if (from != nullptr) {
    dispatch(*from, out);
  }
  return out;
}

}  // namespace baton::hub::detail
