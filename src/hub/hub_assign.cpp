// Routing a conversation to a queue, choosing agents, and the life of an offer.

#include <algorithm>

#include "hub/hub_state.hpp"

namespace baton::hub::detail {
namespace {

bool queue_open(const QueueConfig& queue, TimePoint now) {
  return !queue.hours || queue.hours->is_open(now);
}

// True when `a` should be picked over `b` for a queue with `strategy` (round robin is handled by
// the caller). Candidates are visited in id order, so ties keep the earlier id.
bool better(Strategy strategy, const AgentState& a, const AgentState& b) {
  if (strategy == Strategy::kLeastBusy) {
    long lhs = static_cast<long>(a.load) * b.agent.capacity;
    long rhs = static_cast<long>(b.load) * a.agent.capacity;
    if (lhs != rhs) {
      return lhs < rhs;
    }
  }
  return a.idle_since < b.idle_since;
}

}  // namespace

std::size_t HubState::route(const Conv& conv) const {
  boost::json::value reason(conv.reason);
  boost::json::value language(conv.language);
  if (conv.language.empty()) {
    if (const auto* v = conv.context.if_contains("va_Language")) {
      language = *v;
    }
  }
  boost::json::array skills_array;
  for (const std::string& s : conv.skills) {
    skills_array.emplace_back(s);
  }
  boost::json::value skills(std::move(skills_array));
  bot::VariableLookup lookup = [&](std::string_view name) -> const boost::json::value* {
    if (name == "reason") {
      return &reason;
    }
    if (name == "language") {
      return &language;
    }
    if (name == "skills") {
      return &skills;
    }
    return conv.context.if_contains(name);
  };
  for (std::size_t index : config_->routing_order) {
    const QueueConfig& queue = qconf(index);
    if (queue.when && queue.when->evaluate_bool(lookup)) {
      return index;
    }
  }
  return config_->default_queue;
}

bool HubState::anyone_online(std::size_t queue, const std::vector<std::string>& skills,
                             std::string_view except) const {
  for (const AgentState* agent : queues_[queue].agents) {
    if (agent->online() && agent->agent.id != except && has_skills(agent->agent.skills, skills)) {
      return true;
    }
  }
  return false;
}

std::optional<UnavailableCause> HubState::unavailable_cause(std::size_t queue,
                                                            const std::vector<std::string>& skills,
                                                            TimePoint now) const {
  const QueueConfig& qc = qconf(queue);
  if (!queue_open(qc, now)) {
    return UnavailableCause::kOutOfHours;
  }
  if (qc.external || qc.wait_for_agent || anyone_online(queue, skills, {})) {
    return std::nullopt;
  }
  for (const auto& [id, agent] : agents_) {
    if (agent.online()) {
      return UnavailableCause::kNoSkilledAgents;
    }
  }
  return UnavailableCause::kNoAgentOnline;
}

std::string HubState::language_of(const Conv& conv) {
  if (!conv.language.empty()) {
    return conv.language;
  }
  if (const auto* v = conv.context.if_contains("va_Language"); v != nullptr && v->is_string()) {
    return std::string(v->as_string());
  }
  return {};
}

std::string HubState::unavailable_text(std::size_t queue, const Conv& conv) const {
  const QueueConfig& qc = qconf(queue);
  std::string out;
  const std::string text =
      pick_text(qc.texts.unavailable, TextKind::kUnavailable, language_of(conv));
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (std::string_view(text).substr(i).starts_with("{queue}")) {
      out += qc.name;
      i += 6;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool HubState::enter_queue(Conv& conv, std::size_t queue, bool first, Decisions& out) {
  const QueueConfig& qc = qconf(queue);
  if (auto cause = unavailable_cause(queue, conv.skills, now_)) {
    leave_unavailable(conv, queue, *cause, out);
    return false;
  }
  conv.queue = queue;
  conv.priority = conv.priority_hint.value_or(qc.priority);
  conv.queued_at = now_;
  conv.state = ConversationState::kWaiting;
  queues_[queue].unassigned.insert({conv.key(), &conv});
  queues_[queue].waiting.insert({conv.key(), &conv});
  int position = position_of(conv);
  // No estimate for an external queue: its hub knows its own waits.
  Millis wait = qc.external ? Millis{0} : estimate_wait(queue, waiting_rank(conv));
  // A wait_for_agent queue with nobody online: "when one becomes available, we'll connect you".
  const std::string text =
      qc.external || anyone_online(queue, conv.skills, {})
          ? pick_text(qc.texts.queued, TextKind::kQueued, language_of(conv))
          : pick_text(qc.texts.waiting_for_agent, TextKind::kWaitingForAgent, language_of(conv));
  out.push_back(Queued{conv.id, qc.name, position, wait, render(text, conv, position, wait)});
  if (qc.external) {
    out.push_back(ExternalHandoff{conv.id, qc.name});  // never offered to Baton's agents
  }
  if (first) {
    measure(metric::kHandoffQueued, qc.name, "");
  }
  conv.sent_position = position;
  conv.sent_wait = wait;
  conv.sent_at = now_;
  try_offer(conv, out);
  return true;
}

void HubState::leave_unavailable(Conv& conv, std::size_t queue, UnavailableCause cause,
                                 Decisions& out) {
  const std::string& name = qconf(queue).name;
  out.push_back(Unavailable{conv.id, name, cause, unavailable_text(queue, conv)});
  measure(metric::kHandoffUnavailable, name, "");
  measure(cause == UnavailableCause::kOutOfHours        ? metric::kHandoffUnavailableOutOfHours
          : cause == UnavailableCause::kNoSkilledAgents ? metric::kHandoffUnavailableNoSkilledAgents
                                                        : metric::kHandoffUnavailableNoAgents,
          name, "");
  remove_conv(conv);
}

void HubState::withdraw_external(const Conv& conv, ExternalLeave cause, Decisions& out) const {
  const QueueConfig& qc = qconf(conv.queue);
  if (qc.external) {
    out.push_back(
        ExternalWithdrawn{conv.id, qc.name, cause, conv.state == ConversationState::kExternal});
  }
}

AgentState* HubState::affinity_agent(std::size_t queue, const Conv& conv) {
  if (!config_->affinity_window || conv.user.empty()) {
    return nullptr;
  }
  auto it = affinity_.find(conv.user);
  if (it == affinity_.end() || now_ - it->second.at >= *config_->affinity_window) {
    return nullptr;
  }
  AgentState* agent = find_agent(it->second.agent);
  // Only an agent who can take it now: never held for an absent or full one.
  if (agent == nullptr || !agent->can_take() || !has_skills(agent->agent.skills, conv.skills) ||
      conv.declined.contains(agent->agent.id) ||
      std::find(agent->queues.begin(), agent->queues.end(), queue) == agent->queues.end()) {
    return nullptr;
  }
  return agent;
}

AgentState* HubState::pick_agent(std::size_t queue, const Conv& conv) {
  if (AgentState* preferred = affinity_agent(queue, conv)) {
    return preferred;
  }
  const QueueState& q = queues_[queue];
  Strategy strategy = qconf(queue).strategy;
  AgentState* best = nullptr;
  AgentState* first_after = nullptr;  // round robin: first eligible after the last pick
  for (AgentState* agent : q.agents) {
    if (!agent->can_take() || !has_skills(agent->agent.skills, conv.skills) ||
        conv.declined.contains(agent->agent.id)) {
      continue;
    }
    if (strategy == Strategy::kRoundRobin) {
      if (best == nullptr) {
        best = agent;  // wrap-around choice
      }
      if (first_after == nullptr && agent->agent.id > q.round_robin_last) {
        first_after = agent;
      }
    } else if (best == nullptr || better(strategy, *agent, *best)) {
      best = agent;
    }
  }
  return first_after != nullptr ? first_after : best;
}

void HubState::try_offer(Conv& conv, Decisions& out) {
  if (conv.state != ConversationState::kWaiting || !queue_open(qconf(conv.queue), now_)) {
    return;
  }
  AgentState* agent = pick_agent(conv.queue, conv);
  if (agent == nullptr && !conv.declined.empty()) {
    // Decliners get it again only when no other online agent could ever take it.
    bool someone_else = false;
    for (const AgentState* other : queues_[conv.queue].agents) {
      if (other->online() && has_skills(other->agent.skills, conv.skills) &&
          !conv.declined.contains(other->agent.id)) {
        someone_else = true;
        break;
      }
    }
    if (!someone_else) {
      conv.declined.clear();
      agent = pick_agent(conv.queue, conv);
    }
  }
  if (agent != nullptr) {
    make_offer(conv, *agent, false, out);
  }
}

void HubState::dispatch(AgentState& agent, Decisions& out) {
  while (agent.can_take()) {
    Conv* best = nullptr;
    for (std::size_t queue : agent.queues) {
      if (!queue_open(qconf(queue), now_)) {
        continue;
      }
      for (const auto& [key, waiting] : queues_[queue].waiting) {
        Conv& conv = *waiting;
        if (conv.declined.contains(agent.agent.id) ||
            !has_skills(agent.agent.skills, conv.skills)) {
          continue;
        }
        if (best == nullptr || conv.key() < best->key()) {
          best = &conv;
        }
        break;
      }
    }
    if (best == nullptr) {
      return;
    }
    make_offer(*best, agent, false, out);
  }
}

void HubState::make_offer(Conv& conv, AgentState& agent, bool transfer, Decisions& out) {
  conv.offer_agent = agent.agent.id;
  conv.offer_id = next_offer_id_++;
  conv.offer_expires = now_ + qconf(conv.queue).offer_timeout;
  conv.offer_at = now_;
  conv.offer_is_transfer = transfer;
  offer_deadlines_.insert({conv.offer_expires, conv.seq});
  if (!transfer) {
    conv.state = ConversationState::kOffered;
    queues_[conv.queue].waiting.erase(conv.key());
    queues_[conv.queue].round_robin_last = agent.agent.id;
  }
  agent.offers.insert(conv.seq);
  agent.idle_since = now_;
  out.push_back(Offered{conv.id, agent.agent.id, conv.offer_id, conv.offer_expires,
                        qconf(conv.queue).name, transfer});
  measure(metric::kOfferMade, queue_name(conv), agent.agent.id);
  if (transfer) {
    measure(metric::kOfferTransfer, queue_name(conv), agent.agent.id);
  }
  add_load(agent, 1, out);
}

AgentState* HubState::end_offer(Conv& conv, const char* outcome, Decisions& out) {
  measure(outcome, queue_name(conv), conv.offer_agent, since(conv.offer_at));
  AgentState* agent = find_agent(conv.offer_agent);
  if (agent != nullptr) {
    agent->offers.erase(conv.seq);
    add_load(*agent, -1, out);
  }
  if (!conv.offer_is_transfer) {
    conv.state = ConversationState::kWaiting;
    queues_[conv.queue].waiting.insert({conv.key(), &conv});
  }
  offer_deadlines_.erase({conv.offer_expires, conv.seq});
  conv.offer_agent.clear();
  conv.offer_id = 0;
  conv.offer_is_transfer = false;
  return agent;
}

void HubState::offer_failed(Conv& conv, bool expired, Decisions& out) {
  std::string agent_id = conv.offer_agent;
  bool transfer = conv.offer_is_transfer;
  AgentState* agent = find_agent(agent_id);
  bool set_away = false;
  if (expired) {
    out.push_back(OfferExpired{conv.id, agent_id, conv.offer_id});
    int limit = config_->missed_offers_before_away;
    if (agent != nullptr && ++agent->missed >= limit && limit > 0 &&
        agent->chosen != Presence::kAway) {
      // Set away before the slot is freed, so the console sees one change, not two.
      touch(*agent);
      agent->chosen = Presence::kAway;
      out.push_back(PresenceChanged{agent_id, Presence::kAway, PresenceCause::kMissedOffers});
      set_away = true;
    }
  }
  end_offer(conv, expired ? metric::kOfferExpired : metric::kOfferDeclined, out);
  if (transfer) {
    transfer_failed(conv, expired ? TransferFailCause::kExpired : TransferFailCause::kDeclined,
                    out);
  } else {
    conv.declined.insert(agent_id);
  }
  if (set_away) {
    rescind_agent_offers(*agent, RescindCause::kAgentAway, out);
  }
  // The freed agent first takes other work (it will not get this one back), then this
  // conversation looks for someone else, unless its max wait is over (Tick moves it on).
  if (agent != nullptr) {
    dispatch(*agent, out);
  }
  const QueueConfig& qc = qconf(conv.queue);
  if (!transfer && !(qc.max_wait && now_ - conv.queued_at >= *qc.max_wait)) {
    try_offer(conv, out);
  }
}

void HubState::rescind_agent_offers(AgentState& agent, RescindCause cause, Decisions& out) {
  std::vector<std::uint64_t> seqs(agent.offers.begin(), agent.offers.end());
  std::vector<Conv*> reroute;
  for (std::uint64_t seq : seqs) {
    Conv& conv = convs_.at(seq);
    out.push_back(OfferRescinded{conv.id, agent.agent.id, conv.offer_id, cause});
    bool transfer = conv.offer_is_transfer;
    end_offer(conv, metric::kOfferRescinded, out);
    if (transfer) {
      transfer_failed(conv, TransferFailCause::kAgentUnavailable, out);
    } else {
      reroute.push_back(&conv);
    }
  }
  for (Conv* conv : reroute) {
    try_offer(*conv, out);
  }
}

void HubState::transfer_failed(const Conv& conv, TransferFailCause cause, Decisions& out) {
  out.push_back(TransferFailed{conv.id, conv.agent, cause});
  measure(metric::kTransferFailed, queue_name(conv), conv.agent);
}

void HubState::assign(Conv& conv, AgentState& agent, Decisions& out) {
  measure(metric::kOfferAccepted, queue_name(conv), agent.agent.id, since(conv.offer_at));
  agent.offers.erase(conv.seq);
  agent.owned.insert(conv.seq);
  agent.missed = 0;
  offer_deadlines_.erase({conv.offer_expires, conv.seq});
  conv.offer_agent.clear();
  conv.offer_id = 0;
  if (conv.offer_is_transfer) {
    conv.offer_is_transfer = false;
    AgentState* from = find_agent(conv.agent);
    out.push_back(
        TransferCompleted{conv.id, conv.agent, "", agent.agent.id, conv.transfer_note, ""});
    measure(metric::kTransfer, queue_name(conv), conv.agent);
    measure(metric::kHandle, queue_name(conv), conv.agent, since(conv.assigned_at));
    conv.agent = agent.agent.id;
    conv.assigned_at = now_;
    remember_agent(conv, agent);
    out.push_back(Assigned{conv.id, agent.agent.id, qconf(conv.queue).name});
    if (from != nullptr) {
      release(conv, *from, out);
      dispatch(*from, out);
    }
    return;
  }
  queues_[conv.queue].unassigned.erase(conv.key());
  conv.state = ConversationState::kAssigned;
  conv.agent = agent.agent.id;
  conv.assigned_at = now_;
  conv.declined.clear();
  remember_agent(conv, agent);
  out.push_back(Assigned{conv.id, agent.agent.id, qconf(conv.queue).name});
  if (!conv.assigned_once) {
    conv.assigned_once = true;
    measure(metric::kHandoffAccepted, queue_name(conv), agent.agent.id, since(conv.submitted_at));
  }
}

void HubState::remember_agent(const Conv& conv, const AgentState& agent) {
  if (config_->affinity_window && !conv.user.empty()) {
    affinity_[conv.user] = Affinity{agent.agent.id, now_};
  }
}

void HubState::release(Conv& conv, AgentState& agent, Decisions& out) {
  agent.owned.erase(conv.seq);
  agent.idle_since = now_;
  add_load(agent, -1, out);
}

void HubState::add_load(AgentState& agent, int delta, Decisions& out) {
  touch(agent);
  Presence before = agent.effective();
  agent.load += delta;
  Presence after = agent.effective();
  if (before != after) {
    out.push_back(PresenceChanged{agent.agent.id, after, PresenceCause::kCapacity});
  }
}

void HubState::remove_conv(Conv& conv) {
  QueueState& q = queues_[conv.queue];
  q.unassigned.erase(conv.key());
  q.waiting.erase(conv.key());
  ids_.erase(conv.id);
  convs_.erase(conv.seq);
}

void HubState::drop_unassigned(Conv& conv, RescindCause cause, Decision final_decision,
                               const char* outcome, Decisions& out) {
  AgentState* agent = nullptr;
  if (!conv.offer_agent.empty()) {
    out.push_back(OfferRescinded{conv.id, conv.offer_agent, conv.offer_id, cause});
    agent = end_offer(conv, metric::kOfferRescinded, out);
  }
  out.push_back(std::move(final_decision));
  measure(outcome, queue_name(conv), "", since(conv.waiting_since));
  remove_conv(conv);
  if (agent != nullptr) {
    dispatch(*agent, out);
  }
}

int HubState::position_of(const Conv& conv) const {
  return static_cast<int>(queues_[conv.queue].unassigned.order_of_key(conv.key())) + 1;
}

int HubState::waiting_rank(const Conv& conv) const {
  return static_cast<int>(queues_[conv.queue].waiting.order_of_key(conv.key())) + 1;
}

}  // namespace baton::hub::detail
