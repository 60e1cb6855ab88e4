// Transfers by the owning agent: to a queue (cold) or to another agent (offered; the first agent
// keeps the conversation until the second accepts). And a supervisor's moves: a conversation given
// to an agent at once (assign, take over), or moved to a queue, whatever its state but wrap-up.

#include "hub/hub_state.hpp"

namespace baton::hub::detail {
namespace {

Error conflict(std::string message) { return make_error(ErrorCode::kConflict, std::move(message)); }

}  // namespace

Result<Decisions> HubState::on(const TransferRequested& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return make_error(ErrorCode::kNotFound, "conversation '" + e.conversation + "'");
  }
  if (conv->state != ConversationState::kAssigned || conv->agent != e.from_agent) {
    return conflict("'" + e.from_agent + "' does not own '" + e.conversation + "'");
  }
  if (!conv->offer_agent.empty()) {
    return conflict("a transfer of '" + e.conversation + "' is pending");
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
  owner_to_queue(*conv, *queue, e.note, "", out);
  return out;
}

void HubState::owner_to_queue(Conv& conv, std::size_t queue, const std::string& note,
                              const std::string& by, Decisions& out) {
  const std::string from_id = conv.agent;
  AgentState* from = find_agent(from_id);
  out.push_back(TransferCompleted{conv.id, from_id, qconf(queue).name, "", note, by});
  measure(metric::kTransfer, queue_name(conv), from_id);
  measure(metric::kHandle, queue_name(conv), from_id, since(conv.assigned_at));
  conv.agent.clear();
  conv.waiting_since = now_;
  conv.transfer_note = note;
  conv.declined = {from_id};
  conv.sent_position = 0;
  if (from != nullptr) {
    release(conv, *from, out);
  }
  enter_queue(conv, queue, false, out);
  if (from != nullptr) {
    dispatch(*from, out);
  }
}

Result<Decisions> HubState::on(const SupervisorAssign& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return make_error(ErrorCode::kNotFound, "conversation '" + e.conversation + "'");
  }
  AgentState* target = find_agent(e.agent);
  if (target == nullptr) {
    return make_error(ErrorCode::kNotFound, "agent '" + e.agent + "'");
  }
  if (e.take_over && e.agent != e.supervisor) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a take-over gives the conversation to the "
                      "supervisor who takes it");
  }
  if (conv->state == ConversationState::kWrapUp) {
    return conflict("'" + e.conversation + "' is in wrap-up");
  }
  if (qconf(conv->queue).external) {
    return conflict("'" + e.conversation + "' is with external queue '" + queue_name(*conv) + "'");
  }
  if (e.take_over && conv->state != ConversationState::kAssigned) {
    return conflict("no agent holds '" + e.conversation + "' (assign it instead)");
  }
  if (conv->state == ConversationState::kAssigned && conv->agent == e.agent) {
    return conflict("'" + e.agent + "' already owns '" + e.conversation + "'");
  }
  if (!e.take_over) {
    if (!target->online()) {
      return conflict("'" + e.agent + "' is " + to_string(target->chosen));
    }
    // The agent's own pending offer of this conversation becomes the assignment: not a new slot.
    const int load = target->load - (conv->offer_agent == e.agent ? 1 : 0);
    if (load >= target->agent.capacity) {
      return conflict("'" + e.agent + "' is at capacity (" + std::to_string(load) + " of " +
                      std::to_string(target->agent.capacity) + ")");
    }
  }
  Decisions out;
  if (!conv->offer_agent.empty()) {
    out.push_back(
        OfferRescinded{conv->id, conv->offer_agent, conv->offer_id, RescindCause::kCancelled});
    end_offer(*conv, metric::kOfferRescinded, out);  // an unassigned one is waiting again
  }
  conv->transfer_note = e.note;
  target->owned.insert(conv->seq);
  add_load(*target, 1, out);
  if (conv->state == ConversationState::kAssigned) {
    const std::string from_id = conv->agent;
    AgentState* from = find_agent(from_id);
    out.push_back(TransferCompleted{conv->id, from_id, "", e.agent, e.note, e.supervisor});
    measure(metric::kTransfer, queue_name(*conv), from_id);
    measure(metric::kHandle, queue_name(*conv), from_id, since(conv->assigned_at));
    conv->agent = e.agent;
    conv->assigned_at = now_;
    out.push_back(Assigned{conv->id, e.agent, qconf(conv->queue).name});
    if (from != nullptr) {
      release(*conv, *from, out);
      dispatch(*from, out);
    }
    return out;
  }
  QueueState& q = queues_[conv->queue];
  q.unassigned.erase(conv->key());
  q.waiting.erase(conv->key());
  conv->state = ConversationState::kAssigned;
  conv->agent = e.agent;
  conv->assigned_at = now_;
  conv->declined.clear();
  out.push_back(Assigned{conv->id, e.agent, qconf(conv->queue).name});
  if (!conv->assigned_once) {
    conv->assigned_once = true;
    measure(metric::kHandoffAccepted, queue_name(*conv), e.agent, since(conv->submitted_at));
  }
  return out;
}

Result<Decisions> HubState::on(const SupervisorRequeue& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return make_error(ErrorCode::kNotFound, "conversation '" + e.conversation + "'");
  }
  auto queue = config_->find_queue(e.to_queue);
  if (!queue) {
    return make_error(ErrorCode::kNotFound, "queue '" + e.to_queue + "'");
  }
  const QueueConfig& qc = qconf(*queue);
  if (conv->state == ConversationState::kWrapUp) {
    return conflict("'" + e.conversation + "' is in wrap-up");
  }
  if (qconf(conv->queue).external) {
    return conflict("'" + e.conversation + "' is with external queue '" + queue_name(*conv) + "'");
  }
  const bool assigned = conv->state == ConversationState::kAssigned;
  if (!assigned && *queue == conv->queue) {
    return conflict("'" + e.conversation + "' already waits in '" + qc.name + "'");
  }
  if (qc.hours && !qc.hours->is_open(now_)) {
    return conflict("queue '" + qc.name + "' is closed now");
  }
  if (!anyone_online(*queue, conv->skills, assigned ? conv->agent : std::string())) {
    return conflict("no agent online in '" + qc.name + "' could take '" + e.conversation + "'");
  }
  Decisions out;
  if (!conv->offer_agent.empty()) {
    out.push_back(
        OfferRescinded{conv->id, conv->offer_agent, conv->offer_id, RescindCause::kCancelled});
    end_offer(*conv, metric::kOfferRescinded, out);
  }
  if (assigned) {
    owner_to_queue(*conv, *queue, e.note, e.supervisor, out);
    return out;
  }
  QueueState& q = queues_[conv->queue];
  q.unassigned.erase(conv->key());
  q.waiting.erase(conv->key());
  conv->transfer_note = e.note;
  conv->sent_position = 0;
  enter_queue(*conv, *queue, false, out);
  return out;
}

}  // namespace baton::hub::detail
