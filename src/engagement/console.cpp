// What an agent's console does: attach, presence, offers, messages, notes, transfer, end,
// wrap-up, and the supervisors' force-close and monitoring. Every call hops onto the strand and
// checks the actor may do it.
#include <fmt/format.h>

#include <algorithm>

#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

template <class T>
Callback<hub::Decisions> reply(Callback<T> done, T value) {
  return [done = std::move(done), value = std::move(value)](const Result<hub::Decisions>& r) {
    if (r.ok()) {
      done(value);
    } else {
      done(r.error());
    }
  };
}

// A wrap-up's disposition against its queue's list (hub.yaml): one of them, or none unless the
// queue requires one.
Status check_wrap_up(const hub::HubConfig& config, const std::string& queue_name,
                     const WrapUp& wrap_up) {
  auto index = config.find_queue(queue_name);
  static const hub::QueueConfig kNoQueue;
  const hub::QueueConfig& queue = index ? config.queues[*index] : kNoQueue;
  auto listed = [&queue] {
    std::string all;
    for (const auto& code : queue.dispositions) {
      all += (all.empty() ? "" : ", ") + code;
    }
    return all.empty() ? std::string("none") : all;
  };
  if (wrap_up.disposition.empty()) {
    if (queue.disposition_required) {
      return make_error(
          ErrorCode::kInvalidArgument,
          fmt::format("disposition: queue '{}' requires one ({})", queue_name, listed()));
    }
    return {};
  }
  if (std::find(queue.dispositions.begin(), queue.dispositions.end(), wrap_up.disposition) ==
      queue.dispositions.end()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("disposition: '{}' is not one of queue '{}' ({})",
                                  wrap_up.disposition, queue_name, listed()));
  }
  return {};
}

}  // namespace

void Engagement::me(const Actor& actor, Callback<Hello> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    if (!self.ensure_agent(actor.agent_id)) {
      done(make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", actor.agent_id)));
      return;
    }
    done(self.hello(actor));
  });
}

void Engagement::attach(const Actor& actor, std::shared_ptr<AgentSink> sink,
                        Callback<std::uint64_t> done) {
  on_strand(impl_, [actor, sink = std::move(sink), done = std::move(done)](Impl& self) {
    if (self.stopped) {
      done(make_error(ErrorCode::kUnavailable, "the engagement hub is stopped"));
      return;
    }
    if (!self.ensure_agent(actor.agent_id)) {
      done(make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", actor.agent_id)));
      return;
    }
    const std::uint64_t id = self.next_sink++;
    sink->push(self.hello(actor));
    self.sinks[actor.agent_id].push_back({id, actor, sink});
    self.detached_at.erase(actor.agent_id);
    self.dirty = true;
    done(id);
  });
}

void Engagement::detach(const std::string& agent_id, std::uint64_t attachment) {
  on_strand(impl_, [agent_id, attachment](Impl& self) {
    auto it = self.sinks.find(agent_id);
    if (it == self.sinks.end()) {
      return;
    }
    std::erase_if(it->second, [&](const detail::SinkEntry& e) { return e.id == attachment; });
    if (it->second.empty()) {
      self.sinks.erase(it);
      self.detached_at[agent_id] = self.clock.now();
    }
  });
}

void Engagement::set_presence(const Actor& actor, hub::Presence presence, Callback<bool> done) {
  on_strand(impl_, [actor, presence, done = std::move(done)](Impl& self) {
    self.ensure_agent(actor.agent_id);
    self.input(hub::PresenceSet{actor.agent_id, presence}, reply(done, true));
  });
}

void Engagement::accept(const Actor& actor, const std::string& conversation, std::uint64_t offer_id,
                        Callback<bool> done) {
  on_strand(impl_, [actor, conversation, offer_id, done = std::move(done)](Impl& self) {
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    // Answered once the engine has given the agent the conversation, so the agent's first
    // message never races the ownership moves; or refused when the engine moved it elsewhere
    // meanwhile (the customer cancelled as the agent accepted).
    self.input(
        hub::OfferAccepted{conversation, actor.agent_id, offer_id},
        [&self, conversation, agent = actor.agent_id, done](const Result<hub::Decisions>& r) {
          if (!r.ok()) {
            done(r.error());
            return;
          }
          self.when_settled(conversation, [&self, conversation, agent, done] {
            if (self.with_agent(conversation, agent)) {
              done(true);
            } else {
              done(make_error(ErrorCode::kConflict,
                              "the customer left the queue before you joined"));
            }
          });
        });
  });
}

void Engagement::decline(const Actor& actor, const std::string& conversation,
                         std::uint64_t offer_id, Callback<bool> done) {
  on_strand(impl_, [actor, conversation, offer_id, done = std::move(done)](Impl& self) {
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    // The hub decides nothing that names a decline (the next offer, if any, is its own): counted
    // here, once the decline is durable and acted on.
    self.input(hub::OfferDeclined{conversation, actor.agent_id, offer_id},
               [&self, answer = reply(done, true)](Result<hub::Decisions> decided) {
                 if (decided.ok()) {
                   ++self.offers_counted.declined;
                 }
                 answer(std::move(decided));
               });
  });
}

void Engagement::send(const Actor& actor, const std::string& conversation,
                      activity::Activity activity, Callback<engine::PostResult> done) {
  on_strand(impl_, [actor, conversation, a = std::move(activity),
                    done = std::move(done)](Impl& self) mutable {
    if (Status s = self.check_owner(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (a.type != "message" && a.type != "typing") {
      done(make_error(ErrorCode::kInvalidArgument, "an agent sends a message or typing"));
      return;
    }
    a.from = {"agent:" + actor.agent_id, self.display_name(actor.agent_id), "bot"};
    // With the epoch the engine reports once its ownership agrees with the hub's assignment.
    self.when_settled(conversation, [&self, conversation, a = std::move(a), done]() mutable {
      const detail::Track& t = self.track(conversation);
      if (!t.ownership || t.ownership->owner != engine::Owner::kAgent) {
        done(make_error(ErrorCode::kConflict, "the conversation is not with an agent"));
        return;
      }
      self.engine.post_as_owner({conversation, t.ownership->epoch, std::move(a)}, done);
    });
  });
}

void Engagement::note(const Actor& actor, const std::string& conversation, std::string text,
                      Callback<engine::PostResult> done) {
  on_strand(impl_, [actor, conversation, text = std::move(text),
                    done = std::move(done)](Impl& self) mutable {
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (text.empty()) {
      done(make_error(ErrorCode::kInvalidArgument, "text: a note needs text"));
      return;
    }
    activity::Activity a =
        activity::make_event("baton.note", boost::json::object{{"text", std::move(text)}});
    a.from = {"agent:" + actor.agent_id, self.display_name(actor.agent_id), "agent"};
    self.engine.post_notice({conversation, std::move(a)}, done);
  });
}

void Engagement::transfer(const Actor& actor, const std::string& conversation, std::string to_queue,
                          std::string to_agent, std::string note, Callback<bool> done) {
  on_strand(impl_,
            [actor, conversation, to_queue = std::move(to_queue), to_agent = std::move(to_agent),
             note = std::move(note), done = std::move(done)](Impl& self) mutable {
              if (Status s = self.check_owner(actor, conversation); !s.ok()) {
                done(s.error());
                return;
              }
              self.input(hub::TransferRequested{conversation, actor.agent_id, std::move(to_queue),
                                                std::move(to_agent), std::move(note)},
                         reply(done, true));
            });
}

void Engagement::end(const Actor& actor, const std::string& conversation, EndMode mode,
                     Callback<bool> done) {
  on_strand(impl_, [actor, conversation, mode, done = std::move(done)](Impl& self) {
    if (Status s = self.check_owner(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    auto then = [&self, actor, conversation, mode, done](const Result<hub::Decisions>& r) {
      if (!r.ok()) {
        done(r.error());
        return;
      }
      self.push(actor.agent_id, WrapUpStarted{conversation});
      if (mode == EndMode::kReturnToBot) {
        self.notice(conversation,
                    self.notice_text(conversation, hub::TextKind::kLeft, actor.agent_id));
        self.to_bot(conversation, dialog::HandoffOutcome::kCompleted, {actor.agent_id, ""});
      } else {
        self.close_conversation(conversation, dialog::HandoffOutcome::kCompleted,
                                {actor.agent_id, ""});
      }
      done(true);
    };
    self.input(hub::ConversationEnded{conversation, actor.agent_id}, then);
  });
}

void Engagement::wrap_up_done(const Actor& actor, const std::string& conversation, WrapUp wrap_up,
                              Callback<bool> done) {
  on_strand(impl_, [actor, conversation, wrap_up = std::move(wrap_up),
                    done = std::move(done)](Impl& self) {
    auto view = self.hub->conversation(conversation, self.clock.now());
    if (!view || view->state != hub::ConversationState::kWrapUp || view->agent != actor.agent_id) {
      // The hub says why (not found, not in wrap-up, not yours).
      self.input(hub::WrapUpDone{conversation, actor.agent_id}, reply(done, true));
      return;
    }
    if (Status valid = check_wrap_up(*self.config, view->queue, wrap_up); !valid.ok()) {
      done(valid.error());
      return;
    }
    if (wrap_up.disposition.empty() && wrap_up.note.empty()) {
      self.input(hub::WrapUpDone{conversation, actor.agent_id}, reply(done, true));
      return;
    }
    std::weak_ptr<Impl> weak = self.weak_from_this();
    self.engine.record_wrap_up(
        engine::RecordWrapUp{conversation, actor.agent_id, wrap_up.disposition, wrap_up.note},
        [weak, actor, conversation, done](const Result<bool>& recorded) {
          auto strong = weak.lock();
          if (!strong) {
            done(make_error(ErrorCode::kUnavailable, "the engagement stopped"));
            return;
          }
          if (!recorded.ok()) {
            done(recorded.error());
            return;
          }
          on_strand(strong, [actor, conversation, done](Impl& again) {
            again.input(hub::WrapUpDone{conversation, actor.agent_id}, reply(done, true));
          });
        });
  });
}

void Engagement::monitor(const Actor& actor, const std::string& conversation, bool on,
                         Callback<bool> done) {
  on_strand(impl_, [actor, conversation, on, done = std::move(done)](Impl& self) {
    if (Status s = self.check_supervisor_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (on) {
      self.ensure_view(conversation, actor.agent_id);
    } else {
      auto view = self.hub->conversation(conversation, self.clock.now());
      if (!view || view->agent != actor.agent_id) {  // its own conversation stays streamed
        self.drop_view(conversation, actor.agent_id);
      }
    }
    done(true);
  });
}

void Engagement::force_close(const Actor& actor, const std::string& conversation,
                             Callback<bool> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    if (Status s = self.check_supervisor_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    self.release(conversation, false, reply(done, true));
  });
}

void Engagement::erase(const Actor& actor, const std::string& conversation,
                       Callback<engine::ErasedConversation> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    if (actor.role != hub::Role::kAdmin) {
      done(make_error(ErrorCode::kForbidden, "only admins may erase a customer's data"));
      return;
    }
    std::weak_ptr<Impl> weak = self.weak_from_this();
    auto erase_now = [weak, conversation, done] {
      auto impl = weak.lock();
      if (!impl) {
        done(make_error(ErrorCode::kUnavailable, "the server is shutting down"));
        return;
      }
      impl->engine.erase_conversation(conversation, done);
    };
    // Whatever the hub's inputs answered, the engine decides: it erases once it has the
    // conversation with the bot or closed, and refuses otherwise.
    self.release(conversation, true,
                 [&self, conversation, erase_now](const Result<hub::Decisions>&) {
                   self.when_settled(conversation, erase_now);
                 });
  });
}

void Engagement::Impl::release(const std::string& conversation, bool end_wrap_up,
                               std::function<void(const Result<hub::Decisions>&)> then) {
  auto view = hub->conversation(conversation, clock.now());
  detail::Track& t = track(conversation);
  // Takes the conversation from its agent (Unassigned{closed}, not the wrap-up's {ended}) once
  // the hub's last input is durable, then closes it in the engine.
  auto from_agent = [this, conversation, then](const std::string& agent,
                                               dialog::HandoffOutcome outcome) {
    return [this, conversation, then, agent, outcome](const Result<hub::Decisions>& r) {
      push(agent, Unassigned{conversation, UnassignCause::kClosed});
      drop_view(conversation, agent);
      close_conversation(conversation, outcome, {agent, ""});
      then(r);
    };
  };
  if (view && view->state == hub::ConversationState::kWrapUp && end_wrap_up) {
    t.agent_told = true;
    input(hub::WrapUpDone{conversation, view->agent},
          from_agent(view->agent, dialog::HandoffOutcome::kCancelled));
    return;
  }
  if (!view || view->state == hub::ConversationState::kWrapUp) {
    close_conversation(conversation, dialog::HandoffOutcome::kCancelled, {});
    then(hub::Decisions{});
    return;
  }
  if (view->state == hub::ConversationState::kExternal) {
    // Taken from its external hub (which is told: ExternalWithdrawn{closed}), ended as
    // completed, then closed.
    input(hub::HandoffCancelled{conversation, true},
          [this, conversation, then,
           owner = external_owner(view->queue)](const Result<hub::Decisions>& r) {
            close_conversation(conversation, dialog::HandoffOutcome::kCompleted, {owner, ""});
            then(r);
          });
    return;
  }
  t.closing = true;  // the hub's Cancelled (waiting, offered) closes instead of resuming
  if (view->state != hub::ConversationState::kAssigned) {
    input(hub::HandoffCancelled{conversation, true}, std::move(then));
    return;
  }
  t.agent_told = true;
  input(hub::ConversationEnded{conversation, view->agent});
  input(hub::WrapUpDone{conversation, view->agent},
        from_agent(view->agent, dialog::HandoffOutcome::kCompleted));
}

}  // namespace baton::engagement
