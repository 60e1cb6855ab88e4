// Acting on the hub's decisions (after their input is durable): ownership moves through the
// engine, customer texts, pushes to the agents' consoles, activity views.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "core/json.hpp"
#include "engine/engagement_impl.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string replace_all(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

bj::object parse_object(const std::string& text) {
  auto parsed = json::parse(text);
  if (parsed.ok() && parsed->is_object()) {
    return std::move(parsed->as_object());
  }
  return {};
}

std::string string_at(const bj::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v != nullptr && v->is_string()) {
    return std::string(v->as_string());
  }
  return {};
}

// Pushes the activities of one conversation to an agent's sinks as `activity` messages.
class AgentView final : public Subscriber {
 public:
  AgentView(std::weak_ptr<Engagement::Impl> impl, std::string conversation, std::string agent,
            std::uint64_t handoff_seq)
      : impl_(std::move(impl)),
        conversation_(std::move(conversation)),
        agent_(std::move(agent)),
        handoff_seq_(handoff_seq) {}

  void deliver(const std::vector<Delivery>& activities) override {
    auto impl = impl_.lock();
    if (!impl) {
      return;
    }
    for (const auto& d : activities) {
      impl->push(agent_, {{"type", "activity"},
                          {"conversationId", conversation_},
                          {"entry", transcript_entry(d.seq, *d.json, handoff_seq_)}});
    }
  }
  void replaced() override {}

 private:
  std::weak_ptr<Engagement::Impl> impl_;
  std::string conversation_;
  std::string agent_;
  std::uint64_t handoff_seq_;
};

}  // namespace

Track& Engagement::Impl::track(const std::string& conversation) {
  Track& t = tracks[conversation];
  if (!t.known) {
    // Not seen since start: the durable row is the engine's state (nothing of ours in flight).
    if (auto row = store.get_conversation(conversation); row.ok()) {
      t.owner = {parse_owner(row->ownership).value_or(Owner::kBot), row->epoch};
      t.known = true;
    }
  }
  return t;
}

Track& Engagement::Impl::info(const std::string& conversation) {
  Track& t = track(conversation);
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
  load_info(t, *last, parse_object(last->request_json));
  return t;
}

void Engagement::Impl::load_info(Track& t, const store::HandoffRecord& record,
                                 const bj::object& request) {
  t.info_loaded = true;
  t.handoff_id = record.id;
  t.agent_message = string_at(request, "agentMessage");
  if (const auto* c = request.if_contains("context"); c != nullptr && c->is_object()) {
    t.context = c->as_object();
  }
  t.handoff_seq =
      parse_activity_seq(string_at(request, "initiateActivityId"), record.conversation_id)
          .value_or(0);
}

std::function<void(Status)> Engagement::Impl::submit_from_record(const store::HandoffRecord& record,
                                                                 store::WriteBatch* batch) {
  const bj::object request = parse_object(record.request_json);
  // The record submitted is the conversation's open one: what the offer and the context panel
  // show comes from it, with no read back from the store.
  load_info(tracks[record.conversation_id], record, request);
  hub::HandoffSubmitted submitted;
  submitted.conversation = record.conversation_id;
  if (const auto* c = request.if_contains("context"); c != nullptr && c->is_object()) {
    submitted.context = c->as_object();
  }
  submitted.reason = record.reason;
  if (const auto* r = request.if_contains("routing"); r != nullptr && r->is_object()) {
    const bj::object& routing = r->as_object();
    submitted.queue_hint = string_at(routing, "queue");
    if (const auto* skills = routing.if_contains("skills"); skills && skills->is_array()) {
      for (const auto& s : skills->as_array()) {
        if (s.is_string()) {
          submitted.skills.emplace_back(s.as_string());
        }
      }
    }
    if (const auto* p = routing.if_contains("priority"); p != nullptr && p->is_int64()) {
      submitted.priority = static_cast<int>(p->as_int64());
    }
  }
  if (batch != nullptr) {
    return input(std::move(submitted), {}, true, batch);
  }
  input(std::move(submitted));
  return {};
}

void Engagement::Impl::refresh_owner(const std::string& conversation) {
  std::weak_ptr<Impl> weak = weak_from_this();
  engine.status(conversation, [weak, conversation](Result<ConversationStatus> s) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    if (s.ok()) {
      Track& t = self->tracks[conversation];
      t.owner = s->ownership;
      t.known = true;
    }
  });
}

void Engagement::Impl::move(const std::string& conversation, OwnershipEvent event,
                            dialog::HandoffOutcome outcome, const HandoffEnd& end) {
  Track& t = track(conversation);
  auto next = transition(t.owner, event);
  if (!next.ok()) {
    spdlog::debug("engagement: {}: {}", conversation, next.error().message);
    return;
  }
  const Ownership claim = t.owner;
  t.owner = *next;
  std::weak_ptr<Impl> weak = weak_from_this();
  engine.change_ownership(conversation, claim, event, outcome, end,
                          [weak, conversation, event](const Result<Ownership>& r) {
                            if (r.ok()) {
                              return;
                            }
                            spdlog::info("engagement: {}: '{}' refused: {}", conversation,
                                         to_string(event), r.error().message);
                            if (auto self = weak.lock()) {
                              self->refresh_owner(conversation);
                            }
                          });
}

void Engagement::Impl::sync(const std::string& conversation) {
  auto view = hub.conversation(conversation, clock.now());
  if (!view) {
    return;
  }
  const Owner now = track(conversation).owner.owner;
  switch (view->state) {
    case hub::ConversationState::kWaiting:
      if (now == Owner::kOffered) {
        move(conversation, OwnershipEvent::kDeclined);
      } else if (now == Owner::kAgent) {
        move(conversation, OwnershipEvent::kRequeued);
      }
      return;
    case hub::ConversationState::kOffered:
      if (now == Owner::kAgent && view->agent.empty()) {
        move(conversation, OwnershipEvent::kRequeued);
      }
      if (track(conversation).owner.owner == Owner::kQueued) {
        move(conversation, OwnershipEvent::kOffered);
      }
      return;
    case hub::ConversationState::kAssigned:
      if (now == Owner::kQueued) {
        move(conversation, OwnershipEvent::kOffered);
      }
      if (track(conversation).owner.owner == Owner::kOffered) {
        move(conversation, OwnershipEvent::kAccepted);
      }
      return;
    case hub::ConversationState::kWrapUp:
      return;
  }
}

void Engagement::Impl::to_bot(const std::string& conversation, dialog::HandoffOutcome outcome,
                              const HandoffEnd& end) {
  const Owner now = track(conversation).owner.owner;
  if (now == Owner::kQueued || now == Owner::kOffered || now == Owner::kAgent) {
    move(conversation, OwnershipEvent::kHandoffEnded, outcome, end);
  }
}

void Engagement::Impl::close_conversation(const std::string& conversation,
                                          dialog::HandoffOutcome outcome,
                                          const std::string& agent) {
  if (track(conversation).owner.owner == Owner::kClosed) {
    return;
  }
  notice(conversation, texts.closed);
  move(conversation, OwnershipEvent::kClosed, outcome, HandoffEnd{agent, ""});
}

void Engagement::Impl::notice(const std::string& conversation, std::string text) {
  if (text.empty()) {
    return;
  }
  engine.post_notice(conversation, activity::make_message(std::move(text)),
                     [conversation](const Result<PostResult>& r) {
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
  auto view = std::make_shared<AgentView>(weak_from_this(), conversation, agent,
                                          info(conversation).handoff_seq);
  std::weak_ptr<Impl> weak = weak_from_this();
  // Live only: the console reads the transcript itself (GET conversation), then gets new entries.
  engine.subscribe(conversation, UINT64_MAX, "", view,
                   [weak, conversation, agent](Result<SubscriptionId> id) {
                     auto self = weak.lock();
                     if (!self) {
                       return;
                     }
                     auto c = self->views.find(conversation);
                     if (!id.ok()) {
                       if (c != self->views.end()) {
                         c->second.erase(agent);
                       }
                       return;
                     }
                     if (c == self->views.end() || c->second.count(agent) == 0) {
                       self->engine.unsubscribe(conversation, *id);  // dropped meanwhile
                       return;
                     }
                     c->second[agent] = *id;
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
  for (const auto& d : decisions) {
    act_one(d);
  }
}

// Decisions about the waiting customer: texts and the end of the wait. False: not one.
bool Engagement::Impl::act_customer(const hub::Decision& decision) {
  return std::visit(Overloaded{
                        [&](const hub::Queued& d) {
                          sync(d.conversation);
                          notice(d.conversation, d.text);
                          return true;
                        },
                        [&](const hub::PositionUpdate& d) {
                          // The hub rate-limits these per queue (position_update_interval) and
                          // records what it told the customer: every one is sent.
                          notice(d.conversation, d.text);
                          return true;
                        },
                        [&](const hub::Unavailable& d) {
                          to_bot(d.conversation, dialog::HandoffOutcome::kUnavailable);
                          return true;
                        },
                        [&](const hub::Overflowed&) { return true; },
                        [&](const hub::TimedOut& d) {
                          to_bot(d.conversation, dialog::HandoffOutcome::kTimedOut);
                          return true;
                        },
                        [&](const hub::Cancelled& d) {
                          if (track(d.conversation).closing) {
                            close_conversation(d.conversation, dialog::HandoffOutcome::kCancelled,
                                               "");
                          } else {
                            to_bot(d.conversation, dialog::HandoffOutcome::kCancelled);
                          }
                          return true;
                        },
                        [&](const hub::Abandoned& d) {
                          // Recorded as abandoned; the flow (silence) resumes the cancelled way.
                          const HandoffEnd end{"", hub::to_string(d.cause)};
                          if (d.cause == hub::AbandonCause::kLeft) {
                            move(d.conversation, OwnershipEvent::kClosed,
                                 dialog::HandoffOutcome::kCancelled, end);
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
            sync(d.conversation);
            push(d.agent, offer_json(d));
            return true;
          },
          [&](const hub::OfferRescinded& d) {
            push(d.agent, {{"type", "offer_withdrawn"},
                           {"conversationId", d.conversation},
                           {"offerId", d.offer_id},
                           {"cause", hub::to_string(d.cause)}});
            sync(d.conversation);
            return true;
          },
          [&](const hub::OfferExpired& d) {
            push(d.agent, {{"type", "offer_withdrawn"},
                           {"conversationId", d.conversation},
                           {"offerId", d.offer_id},
                           {"cause", "expired"}});
            sync(d.conversation);
            return true;
          },
          [&](const hub::Assigned& d) {
            track(d.conversation).past_agents.insert(d.agent);
            sync(d.conversation);
            notice(d.conversation, replace_all(texts.joined, "{agent}", display_name(d.agent)));
            auto view = hub.conversation(d.conversation, clock.now());
            bj::object summary = view ? conversation_summary_json(*view) : bj::object{};
            push(d.agent, {{"type", "assigned"},
                           {"conversationId", d.conversation},
                           {"conversation", std::move(summary)}});
            ensure_view(d.conversation, d.agent);
            return true;
          },
          [&](const hub::PresenceChanged& d) {
            push(d.agent, {{"type", "presence"},
                           {"presence", hub::to_string(d.presence)},
                           {"cause", hub::to_string(d.cause)}});
            return true;
          },
          [&](const hub::TransferCompleted& d) {
            push(d.from_agent, {{"type", "unassigned"},
                                {"conversationId", d.conversation},
                                {"cause", "transferred"}});
            drop_view(d.conversation, d.from_agent);
            notice(d.conversation, texts.transferring);
            sync(d.conversation);
            return true;
          },
          [&](const hub::TransferFailed& d) {
            push(d.agent, {{"type", "transfer_failed"},
                           {"conversationId", d.conversation},
                           {"cause", hub::to_string(d.cause)}});
            return true;
          },
          [&](const hub::WrapUpEnded& d) {
            if (track(d.conversation).closing) {
              return true;  // force_close tells the agent itself (cause closed)
            }
            push(d.agent,
                 {{"type", "unassigned"}, {"conversationId", d.conversation}, {"cause", "ended"}});
            drop_view(d.conversation, d.agent);
            return true;
          },
          [&](const hub::Requeued& d) {
            push(
                d.agent,
                {{"type", "unassigned"}, {"conversationId", d.conversation}, {"cause", "removed"}});
            drop_view(d.conversation, d.agent);
            sync(d.conversation);
            return true;
          },
          [](const auto&) { return false; },
      },
      decision);
}

void Engagement::Impl::act_one(const hub::Decision& decision) {
  if (!act_customer(decision)) {
    act_agent(decision);
  }
}

}  // namespace baton::engine
