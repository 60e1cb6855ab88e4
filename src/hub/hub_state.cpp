// The Hub's input handlers. Each one validates first and returns an error before changing
// anything, so a refused input leaves the state exactly as it was (replay relies on it).

#include "hub/hub_state.hpp"

#include <algorithm>

namespace baton::hub::detail {
namespace {

Error not_found(std::string_view what, std::string_view id) {
  return make_error(ErrorCode::kNotFound, std::string(what) + " '" + std::string(id) + "'");
}

Error conflict(std::string message) { return make_error(ErrorCode::kConflict, std::move(message)); }

bool unassigned(const Conv& conv) {
  return conv.state == ConversationState::kWaiting || conv.state == ConversationState::kOffered;
}

}  // namespace

HubState::HubState(std::shared_ptr<const HubConfig> config)
    : config_(std::move(config)), queues_(config_->queues.size()) {
  for (QueueState& q : queues_) {
    q.average_handle_time = config_->default_handle_time;
  }
  for (const Agent& agent : config_->agents) {
    (void)on(AgentRegistered{agent});  // validated by the loader
  }
  touched_.clear();  // registered offline: no spans
}

Result<Decisions> HubState::apply(const Input& input, Measures* measures) {
  TimePoint before = now_;
  now_ = std::max(now_, input.at);
  const std::size_t mark = measures != nullptr ? measures->size() : 0;
  sink_ = measures;
  auto result = std::visit([this](const auto& event) { return on(event); }, input.event);
  if (result.ok()) {
    settle_spans(before);
  } else {
    now_ = before;  // a refused input changes nothing, not even the hub's time
    if (measures != nullptr) {
      measures->erase(measures->begin() + static_cast<std::ptrdiff_t>(mark), measures->end());
    }
  }
  sink_ = nullptr;
  touched_.clear();
  return result;
}

Conv* HubState::find_conv(std::string_view id) {
  auto it = ids_.find(std::string(id));
  return it == ids_.end() ? nullptr : &convs_.at(it->second);
}

const Conv* HubState::find_conv(std::string_view id) const {
  auto it = ids_.find(std::string(id));
  return it == ids_.end() ? nullptr : &convs_.at(it->second);
}

AgentState* HubState::find_agent(std::string_view id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

void HubState::link_agent(AgentState& agent) {
  agent.queues.clear();
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    if (qconf(i).external || !has_skills(agent.agent.skills, qconf(i).skills)) {
      continue;
    }
    agent.queues.push_back(i);
    auto& list = queues_[i].agents;
    auto at = std::lower_bound(
        list.begin(), list.end(), agent.agent.id,
        [](const AgentState* a, const std::string& id) { return a->agent.id < id; });
    list.insert(at, &agent);
  }
}

void HubState::unlink_agent(AgentState& agent) {
  for (std::size_t i : agent.queues) {
    std::erase(queues_[i].agents, &agent);
  }
  agent.queues.clear();
}

Result<Decisions> HubState::on(const HandoffSubmitted& e) {
  if (e.conversation.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "handoff without a conversation id");
  }
  if (ids_.contains(e.conversation)) {
    return conflict("conversation '" + e.conversation + "' is already in the hub");
  }
  Conv conv;
  conv.seq = next_seq_++;
  conv.id = e.conversation;
  conv.user = e.user;
  conv.context = e.context;
  conv.reason = e.reason;
  conv.language = e.language;
  conv.skills = normalize_skills(e.skills);
  conv.priority_hint = e.priority;
  conv.submitted_at = now_;
  conv.queued_at = now_;
  conv.waiting_since = now_;
  conv.last_activity = now_;
  std::optional<std::size_t> queue;
  if (!e.queue_hint.empty()) {
    queue = config_->find_queue(e.queue_hint);
  }
  if (!queue) {
    queue = route(conv);
  }
  conv.queue = *queue;
  std::uint64_t seq = conv.seq;
  ids_.emplace(conv.id, seq);
  Conv& stored = convs_.emplace(seq, std::move(conv)).first->second;
  Decisions out;
  enter_queue(stored, *queue, true, out);
  return out;
}

Result<Decisions> HubState::on(const HandoffCancelled& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  const ExternalLeave cause = e.closed ? ExternalLeave::kClosed : ExternalLeave::kCancelled;
  Decisions out;
  if (conv->state == ConversationState::kExternal) {
    // Taken from the external hub that accepted it: the hub is told, the handoff ends.
    withdraw_external(*conv, cause, out);
    out.push_back(ExternalEnded{conv->id, qconf(conv->queue).name});
    remove_conv(*conv);
    return out;
  }
  if (!unassigned(*conv)) {
    return conflict("conversation '" + e.conversation + "' is already with an agent");
  }
  withdraw_external(*conv, cause, out);
  drop_unassigned(*conv, RescindCause::kCancelled, Cancelled{e.conversation},
                  metric::kHandoffCancelled, out);
  return out;
}

Result<Decisions> HubState::on(const CustomerActivity& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  conv->last_activity = now_;
  return Decisions{};
}

Result<Decisions> HubState::on(const CustomerLeft& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  Decisions out;
  if (unassigned(*conv)) {
    withdraw_external(*conv, ExternalLeave::kLeft, out);
    drop_unassigned(*conv, RescindCause::kAbandoned, Abandoned{e.conversation, AbandonCause::kLeft},
                    metric::kHandoffAbandoned, out);
  }
  return out;
}

Result<Decisions> HubState::on(const AgentRegistered& e) {
  if (e.agent.id.empty() || e.agent.capacity < 1) {
    return make_error(ErrorCode::kInvalidArgument, "an agent needs an id and a capacity >= 1");
  }
  Decisions out;
  auto [it, inserted] = agents_.try_emplace(e.agent.id);
  AgentState& agent = it->second;
  touch(agent);
  Presence before = agent.effective();
  if (inserted) {
    agent.idle_since = now_;
  } else {
    unlink_agent(agent);
  }
  agent.agent = e.agent;
  agent.agent.skills = normalize_skills(e.agent.skills);
  link_agent(agent);
  if (!inserted && before != agent.effective()) {
    out.push_back(PresenceChanged{agent.agent.id, agent.effective(), PresenceCause::kCapacity});
  }
  dispatch(agent, out);
  return out;
}

Result<Decisions> HubState::on(const AgentRemoved& e) {
  AgentState* agent = find_agent(e.agent);
  if (agent == nullptr) {
    return not_found("agent", e.agent);
  }
  Decisions out;
  agent->chosen = Presence::kOffline;  // no new offers while its work is moved away
  rescind_agent_offers(*agent, RescindCause::kAgentRemoved, out);
  std::vector<std::uint64_t> owned(agent->owned.begin(), agent->owned.end());
  for (std::uint64_t seq : owned) {
    Conv& conv = convs_.at(seq);
    AgentState* target = nullptr;
    if (!conv.offer_agent.empty()) {  // a transfer offer the removed agent made
      out.push_back(
          OfferRescinded{conv.id, conv.offer_agent, conv.offer_id, RescindCause::kAgentRemoved});
      target = end_offer(conv, metric::kOfferRescinded, out);
    }
    agent->owned.erase(seq);
    agent->load -= 1;
    measure(metric::kHandle, queue_name(conv), e.agent, since(conv.assigned_at));
    if (conv.state == ConversationState::kWrapUp) {
      out.push_back(WrapUpEnded{conv.id, e.agent, true});
      remove_conv(conv);
    } else {
      out.push_back(Requeued{conv.id, e.agent});
      conv.agent.clear();
      conv.declined.clear();
      conv.waiting_since = now_;
      enter_queue(conv, conv.queue, false, out);
    }
    if (target != nullptr) {
      dispatch(*target, out);
    }
  }
  close_spans(*agent);
  unlink_agent(*agent);
  agents_.erase(agents_.find(e.agent));
  return out;
}

Result<Decisions> HubState::on(const PresenceSet& e) {
  AgentState* agent = find_agent(e.agent);
  if (agent == nullptr) {
    return not_found("agent", e.agent);
  }
  Decisions out;
  touch(*agent);
  Presence before = agent->effective();
  if (e.presence == Presence::kAvailable && agent->chosen != Presence::kAvailable) {
    agent->missed = 0;
    agent->idle_since = now_;
  }
  agent->chosen = e.presence;
  if (before != agent->effective()) {
    out.push_back(PresenceChanged{e.agent, agent->effective(), PresenceCause::kRequested});
  }
  if (e.presence == Presence::kAway || e.presence == Presence::kOffline) {
    rescind_agent_offers(*agent, RescindCause::kAgentAway, out);
  }
  dispatch(*agent, out);
  return out;
}

Result<Decisions> HubState::on(const OfferAccepted& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  AgentState* agent = find_agent(e.agent);
  if (agent == nullptr) {
    return not_found("agent", e.agent);
  }
  if (conv->offer_agent != e.agent || conv->offer_id != e.offer_id) {
    return conflict("offer #" + std::to_string(e.offer_id) + " of '" + e.conversation + "' to '" +
                    e.agent + "' is not pending");
  }
  Decisions out;
  assign(*conv, *agent, out);
  return out;
}

Result<Decisions> HubState::on(const OfferDeclined& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  if (conv->offer_agent != e.agent || conv->offer_id != e.offer_id) {
    return conflict("offer #" + std::to_string(e.offer_id) + " of '" + e.conversation + "' to '" +
                    e.agent + "' is not pending");
  }
  Decisions out;
  offer_failed(*conv, false, out);
  return out;
}

Result<Decisions> HubState::on(const ConversationEnded& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  if (conv->state != ConversationState::kAssigned || conv->agent != e.agent) {
    return conflict("'" + e.agent + "' does not own '" + e.conversation + "'");
  }
  Decisions out;
  AgentState* target = nullptr;
  if (!conv->offer_agent.empty()) {
    out.push_back(
        OfferRescinded{conv->id, conv->offer_agent, conv->offer_id, RescindCause::kCancelled});
    target = end_offer(*conv, metric::kOfferRescinded, out);
  }
  conv->state = ConversationState::kWrapUp;
  conv->ended_at = now_;
  if (target != nullptr) {
    dispatch(*target, out);
  }
  return out;
}

Result<Decisions> HubState::on(const WrapUpDone& e) {
  Conv* conv = find_conv(e.conversation);
  if (conv == nullptr) {
    return not_found("conversation", e.conversation);
  }
  if (conv->state != ConversationState::kWrapUp || conv->agent != e.agent) {
    return conflict("'" + e.conversation + "' is not in wrap-up with '" + e.agent + "'");
  }
  Decisions out;
  finish_wrap_up(*conv, false, out);
  return out;
}

void HubState::finish_wrap_up(Conv& conv, bool forced, Decisions& out) {
  Millis handled = std::chrono::duration_cast<Millis>(now_ - conv.assigned_at);
  QueueState& q = queues_[conv.queue];
  q.average_handle_time = (q.average_handle_time * 4 + handled) / 5;
  AgentState* agent = find_agent(conv.agent);
  out.push_back(WrapUpEnded{conv.id, conv.agent, forced});
  measure(metric::kHandle, queue_name(conv), conv.agent, since(conv.assigned_at));
  if (agent != nullptr) {
    remember_agent(conv, *agent);  // the affinity window counts from the end of the wrap-up
    release(conv, *agent, out);
  }
  remove_conv(conv);
  if (agent != nullptr) {
    dispatch(*agent, out);
  }
}

}  // namespace baton::hub::detail
