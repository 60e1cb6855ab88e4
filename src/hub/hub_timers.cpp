// Time-driven work: Tick (offer expiry, closing hours, abandonment, max wait, wrap-up limit,
// position updates) and Recover. Everything runs in a fixed order over conversations in
// submission order, so the decisions are deterministic.

#include <algorithm>

#include "hub/hub_state.hpp"

namespace baton::hub::detail {
namespace {

std::vector<std::uint64_t> seqs_where(const std::map<std::uint64_t, Conv>& convs,
                                      const std::function<bool(const Conv&)>& pred) {
  std::vector<std::uint64_t> out;
  for (const auto& [seq, conv] : convs) {
    if (pred(conv)) {
      out.push_back(seq);
    }
  }
  return out;
}

bool unassigned(const Conv& conv) {
  return conv.state == ConversationState::kWaiting || conv.state == ConversationState::kOffered;
}

}  // namespace

Result<Decisions> HubState::on(const Tick&) {
  Decisions out;
  expire_offers(out);
  prune_affinity();
  close_queues(out);
  check_waits(out);
  check_wrap_ups(out);
  retry_declined(out);
  update_positions(out);
  return out;
}

Result<Decisions> HubState::on(const Recover&) {
  Decisions out;
  for (auto& [seq, conv] : convs_) {
    if (unassigned(conv)) {
      conv.last_activity = now_;
    }
    if (!conv.offer_agent.empty()) {
      offer_deadlines_.erase({conv.offer_expires, seq});
      conv.offer_expires = now_ + qconf(conv.queue).offer_timeout;
      offer_deadlines_.insert({conv.offer_expires, seq});
      out.push_back(Offered{conv.id, conv.offer_agent, conv.offer_id, conv.offer_expires,
                            qconf(conv.queue).name, conv.offer_is_transfer});
    }
    // External queues: a handoff not yet answered is sent again (the crash may have come before
    // it was delivered); an accepted one is followed again (its customer's activities).
    if (qconf(conv.queue).external && conv.state == ConversationState::kWaiting) {
      out.push_back(ExternalHandoff{conv.id, qconf(conv.queue).name});
    } else if (conv.state == ConversationState::kExternal) {
      out.push_back(ExternalAccepted{conv.id, qconf(conv.queue).name});
    }
  }
  Decisions tick = on(Tick{}).value();
  out.insert(out.end(), std::make_move_iterator(tick.begin()), std::make_move_iterator(tick.end()));
  return out;
}

void HubState::expire_offers(Decisions& out) {
  std::vector<std::uint64_t> due;
  for (const auto& [expires, seq] : offer_deadlines_) {
    if (expires > now_) {
      break;
    }
    due.push_back(seq);
  }
  std::sort(due.begin(), due.end());  // submission order, like every other sweep
  for (std::uint64_t seq : due) {
    auto it = convs_.find(seq);
    // An earlier expiry may have moved this offer (agent set away → re-offered).
    if (it != convs_.end() && !it->second.offer_agent.empty() && it->second.offer_expires <= now_) {
      offer_failed(it->second, true, out);
    }
  }
}

void HubState::prune_affinity() {
  if (!config_->affinity_window) {
    affinity_.clear();
    return;
  }
  std::erase_if(affinity_, [&](const auto& entry) {
    return now_ - entry.second.at >= *config_->affinity_window;
  });
}

void HubState::close_queues(Decisions& out) {
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    const QueueConfig& qc = qconf(i);
    if (!qc.hours || qc.hours->is_open(now_)) {
      continue;
    }
    std::vector<Conv*> waiting;
    for (const auto& [key, conv] : queues_[i].waiting) {
      waiting.push_back(conv);
    }
    std::sort(waiting.begin(), waiting.end(),
              [](const Conv* a, const Conv* b) { return a->seq < b->seq; });
    for (Conv* closed : waiting) {
      withdraw_external(*closed, ExternalLeave::kOutOfHours, out);
      leave_unavailable(*closed, i, UnavailableCause::kOutOfHours, out);
    }
  }
}

void HubState::check_waits(Decisions& out) {
  // Handling a conversation removes at most that conversation, so iterating with the next
  // iterator taken first is safe.
  for (auto it = convs_.begin(); it != convs_.end();) {
    Conv& conv = it->second;
    ++it;
    if (!unassigned(conv)) {
      continue;
    }
    const QueueConfig& qc = qconf(conv.queue);
    if (qc.abandon_after && now_ - conv.last_activity >= *qc.abandon_after) {
      withdraw_external(conv, ExternalLeave::kSilent, out);
      drop_unassigned(conv, RescindCause::kAbandoned, Abandoned{conv.id, AbandonCause::kSilent},
                      metric::kHandoffAbandoned, out);
      continue;
    }
    if (conv.state != ConversationState::kWaiting || !qc.max_wait ||
        now_ - conv.queued_at < *qc.max_wait) {
      continue;  // an offered conversation moves on only once its offer fails
    }
    queues_[conv.queue].unassigned.erase(conv.key());
    queues_[conv.queue].waiting.erase(conv.key());
    if (qc.overflow.empty()) {
      withdraw_external(conv, ExternalLeave::kTimedOut, out);
      out.push_back(TimedOut{conv.id, qc.name});
      measure(metric::kHandoffTimedOut, qc.name, "", since(conv.waiting_since));
      remove_conv(conv);
      continue;
    }
    std::size_t target = *config_->find_queue(qc.overflow);
    out.push_back(Overflowed{conv.id, qc.name, qc.overflow});
    measure(metric::kHandoffOverflowed, qc.name, "", since(conv.queued_at));
    conv.declined.clear();
    enter_queue(conv, target, false, out);
  }
}

void HubState::check_wrap_ups(Decisions& out) {
  if (!config_->max_wrap_up) {
    return;
  }
  auto due = seqs_where(convs_, [this](const Conv& c) {
    return c.state == ConversationState::kWrapUp && now_ - c.ended_at >= *config_->max_wrap_up;
  });
  for (std::uint64_t seq : due) {
    finish_wrap_up(convs_.at(seq), true, out);
  }
}

void HubState::retry_declined(Decisions& out) {
  // A conversation declined by everyone who was online waits for someone else; if those others
  // have since gone, the decliners may have it again (the rule in try_offer).
  auto due = seqs_where(convs_, [](const Conv& c) {
    return c.state == ConversationState::kWaiting && !c.declined.empty();
  });
  for (std::uint64_t seq : due) {
    auto it = convs_.find(seq);
    if (it != convs_.end()) {
      try_offer(it->second, out);
    }
  }
}

HubState::QueueStats HubState::stats(std::size_t queue) const {
  QueueStats s;
  for (const AgentState* agent : queues_[queue].agents) {
    if (agent->online()) {
      s.online += 1;
      s.online_capacity += agent->agent.capacity;
    }
    if (agent->can_take()) {
      s.available += 1;
      s.free_capacity += agent->agent.capacity - agent->load;
    }
  }
  return s;
}

Millis HubState::estimate_wait(std::size_t queue, int position) const {
  return estimate_wait(stats(queue), queue, position);
}

Millis HubState::estimate_wait(const QueueStats& s, std::size_t queue, int position) const {
  int ahead = std::max(0, position - s.free_capacity);
  if (ahead == 0) {
    return Millis{0};
  }
  std::int64_t aht = queues_[queue].average_handle_time.count();
  std::int64_t servers = std::max(1, s.online_capacity);
  std::int64_t ms = (static_cast<std::int64_t>(ahead) * aht + servers - 1) / servers;
  constexpr std::int64_t kMinute = 60'000;
  return Millis{(ms + kMinute - 1) / kMinute * kMinute};
}

std::string HubState::render(const std::string& text, const Conv& conv, int position,
                             Millis wait) const {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string_view rest = std::string_view(text).substr(i);
    if (rest.starts_with("{position}")) {
      out += std::to_string(position);
      i += 9;
    } else if (rest.starts_with("{wait}")) {
      out += std::to_string(wait.count() / 60'000);
      i += 5;
    } else if (rest.starts_with("{queue}")) {
      out += qconf(conv.queue).name;
      i += 6;
    } else {
      out += text[i];
    }
  }
  return out;
}

void HubState::update_positions(Decisions& out) {
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    const QueueConfig& qc = qconf(i);
    if (queues_[i].unassigned.empty() || qc.external) {
      continue;  // an external hub tells its customers where they stand
    }
    QueueStats s = stats(i);
    int position = 0;
    int waiting = 0;
    for (const auto& [key, entry] : queues_[i].unassigned) {
      position += 1;
      Conv& conv = *entry;
      if (conv.state != ConversationState::kWaiting) {
        continue;  // being offered: the customer is about to be connected
      }
      waiting += 1;
      Millis wait = estimate_wait(s, i, waiting);
      bool changed = position != conv.sent_position || wait != conv.sent_wait;
      if (!changed || now_ - conv.sent_at < qc.position_update_interval) {
        continue;
      }
      out.push_back(PositionUpdate{
          conv.id, qc.name, position, wait,
          render(pick_text(qc.texts.position, TextKind::kPosition, language_of(conv)), conv,
                 position, wait)});
      conv.sent_position = position;
      conv.sent_wait = wait;
      conv.sent_at = now_;
    }
  }
}

}  // namespace baton::hub::detail
