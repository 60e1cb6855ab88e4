// Read-only views for the supervisor console.

#include "hub/hub.hpp"
#include "hub/hub_state.hpp"

namespace baton::hub {
namespace {

Millis since(TimePoint now, TimePoint then) {
  return now > then ? std::chrono::duration_cast<Millis>(now - then) : Millis{0};
}

ConversationView view_of(const detail::HubState& s, const detail::Conv& conv, TimePoint now) {
  ConversationView v;
  v.id = conv.id;
  v.state = conv.state;
  v.queue = s.qconf(conv.queue).name;
  v.agent = conv.agent;
  v.offered_to = conv.offer_agent;
  bool unassigned =
      conv.state == ConversationState::kWaiting || conv.state == ConversationState::kOffered;
  v.waited =
      unassigned ? since(now, conv.submitted_at) : since(conv.assigned_at, conv.submitted_at);
  v.position = unassigned ? s.position_of(conv) : 0;
  v.priority = conv.priority;
  v.reason = conv.reason;
  v.transfer_note = conv.transfer_note;
  v.context = conv.context;
  return v;
}

AgentView view_of(const detail::HubState& s, const detail::AgentState& agent) {
  AgentView v;
  v.id = agent.agent.id;
  v.display_name = agent.agent.display_name;
  v.role = agent.agent.role;
  v.presence = agent.effective();
  v.chosen = agent.chosen;
  v.load = agent.load;
  v.capacity = agent.agent.capacity;
  v.missed_offers = agent.missed;
  for (std::uint64_t seq : agent.owned) {
    v.conversations.push_back(s.convs_.at(seq).id);
  }
  for (std::uint64_t seq : agent.offers) {
    v.offers.push_back(s.convs_.at(seq).id);
  }
  return v;
}

}  // namespace

std::vector<QueueView> Hub::queues(TimePoint now) const {
  std::vector<QueueView> out;
  for (std::size_t i = 0; i < state_->queues_.size(); ++i) {
    const detail::QueueState& q = state_->queues_[i];
    const QueueConfig& qc = state_->qconf(i);
    QueueView v;
    v.name = qc.name;
    v.waiting = static_cast<int>(q.unassigned.size());
    v.offered = v.waiting - static_cast<int>(q.waiting.size());
    if (!q.unassigned.empty()) {
      // The longest waiting is the smallest seq, which need not be first in priority order.
      TimePoint oldest = q.unassigned.begin()->second->submitted_at;
      for (const auto& [key, conv] : q.unassigned) {
        oldest = std::min(oldest, conv->submitted_at);
      }
      v.longest_wait = since(now, oldest);
    }
    v.open = !qc.hours || qc.hours->is_open(now);
    auto stats = state_->stats(i);
    v.agents_online = stats.online;
    v.agents_available = stats.available;
    v.average_handle_time = q.average_handle_time;
    v.estimated_wait = state_->estimate_wait(stats, i, static_cast<int>(q.waiting.size()) + 1);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<AgentView> Hub::agents(TimePoint) const {
  std::vector<AgentView> out;
  for (const auto& [id, agent] : state_->agents_) {
    out.push_back(view_of(*state_, agent));
  }
  return out;
}

std::optional<AgentView> Hub::agent(std::string_view id, TimePoint) const {
  auto it = state_->agents_.find(id);
  if (it == state_->agents_.end()) {
    return std::nullopt;
  }
  return view_of(*state_, it->second);
}

std::vector<ConversationView> Hub::conversations(TimePoint now) const {
  std::vector<ConversationView> out;
  out.reserve(state_->convs_.size());
  for (const auto& [seq, conv] : state_->convs_) {
    out.push_back(view_of(*state_, conv, now));
  }
  return out;
}

std::optional<ConversationView> Hub::conversation(std::string_view id, TimePoint now) const {
  const detail::Conv* conv = state_->find_conv(id);
  if (conv == nullptr) {
    return std::nullopt;
  }
  return view_of(*state_, *conv, now);
}

}  // namespace baton::hub
