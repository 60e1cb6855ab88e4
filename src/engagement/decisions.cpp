// Acting on the hub's decisions once their input is durable: what the customer is told, what the
// agents' consoles get, the agents' live views of their conversations, and the ownership moves
// (ownership_sync.cpp) that follow.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/json.hpp"
#include "core/overloaded.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

using engine::OwnershipEvent;

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

WithdrawCause withdraw_cause(hub::RescindCause cause) {
  switch (cause) {
    case hub::RescindCause::kCancelled:
      return WithdrawCause::kCancelled;
    case hub::RescindCause::kAbandoned:
      return WithdrawCause::kAbandoned;
    case hub::RescindCause::kAgentAway:
      return WithdrawCause::kAgentAway;
    case hub::RescindCause::kAgentRemoved:
      return WithdrawCause::kAgentRemoved;
  }
  return WithdrawCause::kCancelled;
}

// Feeds one conversation's new activities to an agent's consoles.
class ActivityView final : public engine::Subscriber {
 public:
  ActivityView(std::weak_ptr<Engagement::Impl> impl, std::string conversation, std::string agent,
               std::uint64_t handoff_seq)
      : impl_(std::move(impl)),
        conversation_(std::move(conversation)),
        agent_(std::move(agent)),
        handoff_seq_(handoff_seq) {}

  void deliver(const std::vector<engine::Delivery>& activities) override {
    auto impl = impl_.lock();
    if (!impl) {
      return;
    }
    for (const auto& d : activities) {
      impl->push(agent_, ActivityAdded{conversation_, d.seq, d.json, handoff_seq_});
    }
  }
  void replaced() override {}
  // The engagement closed the conversation before it was erased; its console view went then.
  void erased() override {}

 private:
  std::weak_ptr<Engagement::Impl> impl_;
  std::string conversation_;
  std::string agent_;
  std::uint64_t handoff_seq_;
};

}  // namespace

const char* to_string(WithdrawCause cause) {
  switch (cause) {
    case WithdrawCause::kExpired:
      return "expired";
    case WithdrawCause::kCancelled:
      return "cancelled";
    case WithdrawCause::kAbandoned:
      return "abandoned";
    case WithdrawCause::kAgentAway:
      return "agent_away";
    case WithdrawCause::kAgentRemoved:
      return "agent_removed";
  }
  return "cancelled";
}

const char* to_string(UnassignCause cause) {
  switch (cause) {
    case UnassignCause::kTransferred:
      return "transferred";
    case UnassignCause::kClosed:
      return "closed";
    case UnassignCause::kEnded:
      return "ended";
    case UnassignCause::kAbandoned:
      return "abandoned";
    case UnassignCause::kRemoved:
      return "removed";
    case UnassignCause::kTakenOver:
      return "taken_over";
    case UnassignCause::kReassigned:
      return "reassigned";
  }
  return "ended";
}

detail::Track& Engagement::Impl::info(const std::string& conversation) {
  detail::Track& t = track(conversation);
  if (t.info_loaded) {
    return t;
  }
  t.info_loaded = true;
  auto records = store.handoffs_for_conversation(conversation);
  if (!records.ok() || records->empty()) {
    return t;
  }
  const store::HandoffRecord* last = &records->front();
  for (const auto& r : *records) {
    if (r.created >= last->created) {
      last = &r;
    }
  }
  const boost::json::object request = json::parse_object(last->request_json);
  t.handoff_id = last->id;
  t.agent_message = json::string_at(request, "agentMessage");
  if (const auto* c = request.if_contains("context"); c != nullptr && c->is_object()) {
    t.context = c->as_object();
  }
  // Records written before the customer's language was kept: the bot's (va_Language).
  t.language = json::string_at(request, "language");
  if (t.language.empty()) {
    t.language = json::string_at(t.context, "va_Language");
  }
  t.handoff_seq =
      engine::parse_activity_seq(json::string_at(request, "initiateActivityId"), conversation)
          .value_or(0);
  return t;
}

void Engagement::Impl::learn_handoff(const engine::HandoffRequested& handoff) {
  detail::Track& t = tracks[handoff.conversation];
  t.info_loaded = true;
  t.handoff_id = handoff.handoff_id;
  t.agent_message = handoff.agent_message;
  t.context = handoff.context;
  t.handoff_seq = handoff.initiate_seq;
  t.language = handoff.language;
  t.closing = false;
  t.agent_told = false;
  t.past_agents.clear();
  learn(handoff.conversation, {engine::Owner::kQueued, handoff.epoch});
}

hub::HandoffSubmitted Engagement::Impl::submission(const engine::HandoffRequested& handoff) const {
  hub::HandoffSubmitted submitted;
  submitted.conversation = handoff.conversation;
  submitted.context = handoff.context;
  submitted.reason = handoff.reason;
  submitted.queue_hint = handoff.queue;
  submitted.skills = handoff.skills;
  submitted.user = handoff.user;
  submitted.language = handoff.language;
  if (handoff.priority) {
    submitted.priority = *handoff.priority;
  }
  return submitted;
}

std::string Engagement::Impl::notice_text(const std::string& conversation, hub::TextKind kind,
                                          const std::string& agent) {
  const hub::NoticeTexts& texts = config->texts;
  const hub::LocalizedText& text = kind == hub::TextKind::kJoined        ? texts.joined
                                   : kind == hub::TextKind::kTransferred ? texts.transferred
                                   : kind == hub::TextKind::kLeft        ? texts.left
                                                                         : texts.closed;
  return replace_all(hub::pick_text(text, kind, info(conversation).language), "{agent}",
                     agent.empty() ? std::string() : display_name(agent));
}

void Engagement::Impl::notice(const std::string& conversation, std::string text) {
  if (text.empty()) {
    return;
  }
  engine.post_notice({conversation, activity::make_message(std::move(text))},
                     [conversation](const Result<engine::PostResult>& r) {
                       if (!r.ok()) {
                         spdlog::info("engagement: {}: text not sent: {}", conversation,
                                      r.error().message);
                       }
                     });
}

void Engagement::Impl::ensure_view(const std::string& conversation, const std::string& agent) {
  auto& by_agent = views[conversation];
  if (by_agent.count(agent) != 0) {
    return;
  }
  by_agent[agent] = 0;  // subscription id pending
  auto view = std::make_shared<ActivityView>(weak_from_this(), conversation, agent,
                                             info(conversation).handoff_seq);
  // Live only: the console reads the transcript itself (GET conversation), then gets new entries.
  subscribe_view(conversation, agent, std::move(view));
}

void Engagement::Impl::subscribe_view(const std::string& conversation, const std::string& owner,
                                      std::shared_ptr<engine::Subscriber> view) {
  std::weak_ptr<Impl> weak = weak_from_this();
  engine.subscribe(conversation, UINT64_MAX, "", std::move(view),
                   [weak, conversation, owner](Result<engine::SubscriptionId> id) {
                     auto self = weak.lock();
                     if (!self) {
                       return;
                     }
                     auto c = self->views.find(conversation);
                     if (!id.ok()) {
                       if (c != self->views.end()) {
                         c->second.erase(owner);
                       }
                       return;
                     }
                     if (c == self->views.end() || c->second.count(owner) == 0) {
                       self->engine.unsubscribe(conversation, *id);  // dropped meanwhile
                       return;
                     }
                     c->second[owner] = *id;
                   });
}

void Engagement::Impl::drop_view(const std::string& conversation, const std::string& agent) {
  auto c = views.find(conversation);
  if (c == views.end()) {
    return;
  }
  auto a = c->second.find(agent);
  if (a == c->second.end()) {
    return;
  }
  if (a->second != 0) {
    engine.unsubscribe(conversation, a->second);
  }
  c->second.erase(a);
  if (c->second.empty()) {
    views.erase(c);
  }
}

void Engagement::Impl::act(const hub::Decisions& decisions) {
  count(decisions);
  std::vector<std::string> touched;
  for (const auto& d : decisions) {
    act_one(d);
    std::visit(
        [&](const auto& decided) {
          if constexpr (requires { decided.conversation; }) {
            if (std::find(touched.begin(), touched.end(), decided.conversation) == touched.end()) {
              touched.push_back(decided.conversation);
            }
          }
        },
        d);
  }
  // Ownership follows what the hub decided for each conversation it named.
  for (const auto& conversation : touched) {
    advance(conversation);
  }
}

void Engagement::Impl::act_one(const hub::Decision& decision) {
  if (!act_customer(decision) && !act_external(decision)) {
    act_agent(decision);
  }
}

// Decisions about the waiting customer: texts and the end of the wait. False: not one.
bool Engagement::Impl::act_customer(const hub::Decision& decision) {
  return std::visit(
      Overloaded{
          [&](const hub::Queued& d) {
            notice(d.conversation, d.text);
            return true;
          },
          [&](const hub::PositionUpdate& d) {
            // The hub rate-limits these per queue (position_update_interval) and records what it
            // told the customer: every one is sent.
            notice(d.conversation, d.text);
            return true;
          },
          [&](const hub::Unavailable& d) {
            // The queue's own text first, when it has one; the flow then resumes with the reason
            // in System.HandoffUnavailableReason.
            notice(d.conversation, d.text);
            to_bot(d.conversation, dialog::HandoffOutcome::kUnavailable,
                   engine::HandoffEnd{"", "", hub::to_string(d.cause), d.message});
            return true;
          },
          [&](const hub::Overflowed&) { return true; },
          [&](const hub::TimedOut& d) {
            to_bot(d.conversation, dialog::HandoffOutcome::kTimedOut);
            return true;
          },
          [&](const hub::Cancelled& d) {
            if (track(d.conversation).closing) {
              close_conversation(d.conversation, dialog::HandoffOutcome::kCancelled, {});
            } else {
              to_bot(d.conversation, dialog::HandoffOutcome::kCancelled);
            }
            return true;
          },
          [&](const hub::Abandoned& d) {
            // Recorded as abandoned; the flow (silence) resumes the cancelled way.
            const engine::HandoffEnd end{"", hub::to_string(d.cause)};
            if (d.cause == hub::AbandonCause::kLeft) {
              track(d.conversation)
                  .moves.push_back(
                      {OwnershipEvent::kClosed, dialog::HandoffOutcome::kCancelled, end});
              advance(d.conversation);
            } else {
              to_bot(d.conversation, dialog::HandoffOutcome::kCancelled, end);
            }
            return true;
          },
          [](const auto&) { return false; },
      },
      decision);
}

// Decisions about agents: offers, assignment, presence, transfers, wrap-up.
bool Engagement::Impl::act_agent(const hub::Decision& decision) {
  return std::visit(
      Overloaded{
          [&](const hub::Offered& d) {
            track(d.conversation).past_agents.insert(d.agent);
            push(d.agent, offer(d));
            return true;
          },
          [&](const hub::OfferRescinded& d) {
            push(d.agent, OfferWithdrawn{d.conversation, d.offer_id, withdraw_cause(d.cause)});
            return true;
          },
          [&](const hub::OfferExpired& d) {
            push(d.agent, OfferWithdrawn{d.conversation, d.offer_id, WithdrawCause::kExpired});
            return true;
          },
          [&](const hub::Assigned& d) {
            track(d.conversation).past_agents.insert(d.agent);
            push(d.agent, Assigned{d.conversation, hub->conversation(d.conversation, clock.now())});
            ensure_view(d.conversation, d.agent);
            // The customer is told once the engine gave the agent the conversation (not when
            // the customer's cancel got there first).
            when_settled(d.conversation, [this, conversation = d.conversation, agent = d.agent] {
              if (with_agent(conversation, agent)) {
                notice(conversation, notice_text(conversation, hub::TextKind::kJoined, agent));
              }
            });
            return true;
          },
          [&](const hub::PresenceChanged& d) {
            push(d.agent, PresenceNow{d.presence, d.cause});
            return true;
          },
          [&](const hub::TransferCompleted& d) {
            UnassignCause cause = UnassignCause::kTransferred;
            if (!d.by.empty()) {
              cause = d.by == d.to_agent ? UnassignCause::kTakenOver : UnassignCause::kReassigned;
            }
            push(d.from_agent, Unassigned{d.conversation, cause});
            drop_view(d.conversation, d.from_agent);
            notice(d.conversation,
                   notice_text(d.conversation, hub::TextKind::kTransferred, d.from_agent));
            return true;
          },
          [&](const hub::TransferFailed& d) {
            push(d.agent, TransferFailed{d.conversation, d.cause});
            return true;
          },
          [&](const hub::WrapUpEnded& d) {
            if (track(d.conversation).agent_told) {
              return true;  // already told why (closed, abandoned)
            }
            push(d.agent, Unassigned{d.conversation, UnassignCause::kEnded});
            drop_view(d.conversation, d.agent);
            return true;
          },
          [&](const hub::Requeued& d) {
            push(d.agent, Unassigned{d.conversation, UnassignCause::kRemoved});
            drop_view(d.conversation, d.agent);
            return true;
          },
          [](const auto&) { return false; },
      },
      decision);
}

}  // namespace baton::engagement
