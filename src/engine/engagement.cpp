// Engagement's public API (every call hops onto the strand) and the input pipeline: stamp, apply,
// log durably, then act — in input order.
#include "engine/engagement.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "core/json.hpp"
#include "engine/engagement_impl.hpp"
#include "hub/event_json.hpp"

namespace baton::engine {

namespace bj = boost::json;

Engagement::Impl::Impl(boost::asio::any_io_executor executor_value, Engine& engine_ref,
                       store::Store& store_ref, std::shared_ptr<const hub::HubConfig> config_value,
                       const Clock& clock_ref, EngagementOptions options_value)
    : executor(std::move(executor_value)),
      engine(engine_ref),
      store(store_ref),
      config(std::move(config_value)),
      clock(clock_ref),
      options(std::move(options_value)),
      texts(options.texts ? *options.texts
                          : default_engagement_texts(engine_ref.bot()->bot().language)),
      hub(config, clock_ref),
      timer(executor) {
  for (const auto& a : config->agents) {
    agents[a.id] = a;
  }
}

std::function<void(Status)> Engagement::Impl::input(
    hub::Event event, std::function<void(Result<hub::Decisions>)> then, bool log_empty,
    store::WriteBatch* into) {
  hub::Input stamped = hub.stamp(std::move(event));
  auto applied = hub.apply(stamped);
  if (!applied.ok()) {
    if (then) {
      then(applied.error());
    }
    return {};
  }
  dirty = true;
  const bool presence_may_change =
      std::holds_alternative<hub::PresenceSet>(stamped.event) ||
      std::holds_alternative<hub::AgentRegistered>(stamped.event) ||
      std::holds_alternative<hub::AgentRemoved>(stamped.event) ||
      std::holds_alternative<hub::Recover>(stamped.event) ||
      std::any_of(applied->begin(), applied->end(), [](const hub::Decision& d) {
        return std::holds_alternative<hub::PresenceChanged>(d);
      });
  if (presence_may_change) {
    update_online();
  }
  if (applied->empty() && !log_empty) {
    if (then) {
      then(std::move(*applied));
    }
    return {};
  }
  auto step = std::make_shared<Step>();
  std::visit(
      [&](const auto& e) {
        if constexpr (requires { e.conversation; }) {
          step->conversation = e.conversation;
        }
      },
      stamped.event);
  step->decisions = std::move(*applied);
  step->then = std::move(then);
  steps.push_back(step);
  store::WriteBatch own;
  store::WriteBatch& batch = into != nullptr ? *into : own;
  batch.append_hub_log({0, stamped.at, json::dump(hub::input_to_json(stamped))});
  std::weak_ptr<Impl> weak = weak_from_this();
  auto finish = [weak, exec = executor, step](Status status) {
    boost::asio::post(exec, [weak, step, status = std::move(status)]() mutable {
      step->durable = true;
      step->status = std::move(status);
      if (auto self = weak.lock()) {
        self->drain();
      }
    });
  };
  if (into != nullptr) {
    return finish;
  }
  Status accepted = store.submit(std::move(own), finish);
  if (!accepted.ok()) {
    finish(std::move(accepted));
  }
  return {};
}

void Engagement::Impl::update_online() {
  bool online = false;
  for (const auto& a : hub.agents(clock.now())) {
    if (a.presence == hub::Presence::kAvailable || a.presence == hub::Presence::kBusy) {
      online = true;
      break;
    }
  }
  if (online_told != online) {
    online_told = online;
    engine.set_agents_online(online);
  }
}

void Engagement::Impl::drain() {
  while (!steps.empty() && steps.front()->durable) {
    std::shared_ptr<Step> step = std::move(steps.front());
    steps.pop_front();
    if (!step->status.ok()) {
      // The hub already applied the input: memory is ahead of the log. The store is poisoned or
      // overloaded; the decisions are not acted on (a restart replays the durable log).
      spdlog::error("engagement: hub log write failed ({}); its decisions are dropped",
                    step->status.error().message);
      if (step->then) {
        step->then(step->status.error());
      }
      continue;
    }
    act(step->decisions);
    if (!step->conversation.empty()) {
      sync(step->conversation);  // e.g. a decline that left it waiting decides nothing
    }
    if (step->then) {
      step->then(std::move(step->decisions));
    }
  }
}

void Engagement::Impl::schedule_tick() {
  if (stopped) {
    return;
  }
  timer.expires_after(options.tick_interval);
  std::weak_ptr<Impl> weak = weak_from_this();
  timer.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    if (auto self = weak.lock(); self && !self->stopped) {
      self->tick();
      self->schedule_tick();
    }
  });
}

void Engagement::Impl::tick() {
  if (!started || stopped) {
    return;
  }
  input(hub::Tick{}, {}, false);
  if (clock.now() - last_refresh >= options.agent_refresh) {
    refresh_agents(false);
  }
  check_grace();
  push_supervisors();
}

// --- public API

Engagement::Engagement(boost::asio::any_io_executor executor, Engine& engine, store::Store& store,
                       std::shared_ptr<const hub::HubConfig> config, const Clock& clock,
                       EngagementOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), engine, store, std::move(config), clock,
                                   std::move(options))) {
  engine.set_observer(this);
}

Engagement::~Engagement() {
  impl_->engine.set_observer(nullptr);
  stop();
}

namespace {

// Runs `fn(impl)` on the strand.
template <class Fn>
void on_strand(const std::shared_ptr<Engagement::Impl>& impl, Fn&& fn) {
  boost::asio::post(impl->executor, [impl, fn = std::forward<Fn>(fn)]() mutable { fn(*impl); });
}

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

}  // namespace

void Engagement::start(Callback<bool> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) { self.start(done); });
}

void Engagement::stop() {
  auto impl = impl_;
  boost::asio::post(impl->executor, [impl] {
    if (impl->stopped) {
      return;
    }
    impl->stopped = true;
    impl->timer.cancel();
    std::vector<std::string> ids;
    for (const auto& [agent, list] : impl->sinks) {
      ids.push_back(agent);
    }
    for (const auto& id : ids) {
      impl->close_sinks(id, "shutdown");
    }
  });
}

void Engagement::tick(Callback<bool> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) {
    self.tick();
    done(true);
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
    self.input(hub::OfferAccepted{conversation, actor.agent_id, offer_id}, reply(done, true));
  });
}

void Engagement::decline(const Actor& actor, const std::string& conversation,
                         std::uint64_t offer_id, Callback<bool> done) {
  on_strand(impl_, [actor, conversation, offer_id, done = std::move(done)](Impl& self) {
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    self.input(hub::OfferDeclined{conversation, actor.agent_id, offer_id}, reply(done, true));
  });
}

void Engagement::send(const Actor& actor, const std::string& conversation,
                      activity::Activity activity, Callback<PostResult> done) {
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
    Track& t = self.track(conversation);
    if (t.owner.owner != Owner::kAgent) {
      done(make_error(ErrorCode::kConflict, "the conversation is not with an agent"));
      return;
    }
    a.from = {"agent:" + actor.agent_id, self.display_name(actor.agent_id), "bot"};
    self.engine.post_as_owner(conversation, t.owner, std::move(a), done);
  });
}

void Engagement::note(const Actor& actor, const std::string& conversation, std::string text,
                      Callback<PostResult> done) {
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
    activity::Activity a = activity::make_event("baton.note", bj::object{{"text", text}});
    a.from = {"agent:" + actor.agent_id, self.display_name(actor.agent_id), "agent"};
    self.engine.post_notice(conversation, std::move(a), done);
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
      self.push(actor.agent_id, {{"type", "wrap_up"}, {"conversationId", conversation}});
      if (mode == EndMode::kReturnToBot) {
        self.to_bot(conversation, dialog::HandoffOutcome::kCompleted,
                    HandoffEnd{actor.agent_id, ""});
      } else {
        self.close_conversation(conversation, dialog::HandoffOutcome::kCompleted, actor.agent_id);
      }
      done(true);
    };
    self.input(hub::ConversationEnded{conversation, actor.agent_id}, then);
  });
}

void Engagement::wrap_up_done(const Actor& actor, const std::string& conversation,
                              Callback<bool> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    self.input(hub::WrapUpDone{conversation, actor.agent_id}, reply(done, true));
  });
}

std::function<void(Status)> Engagement::handoff_requested(const std::string& conversation_id,
                                                          const store::HandoffRecord& record,
                                                          const dialog::HandoffRequest& /*request*/,
                                                          Ownership now, store::WriteBatch& batch) {
  // Called on the strand by the engine while it builds the escalating turn. The hub's input goes
  // into the turn's batch: one commit before the offer instead of two. The record's request_json
  // has everything the hub needs, and the same path serves reconciliation after a restart. Before
  // start() the hub has not replayed its log yet: start()'s reconciliation picks the handoff up
  // from the store.
  if (!impl_->started) {
    return {};
  }
  Track& t = impl_->tracks[conversation_id];  // replaced whole: no need to read the row first
  t = Track{};
  t.owner = now;
  t.known = true;
  std::function<void(Status)> logged = impl_->submit_from_record(record, &batch);
  if (!logged) {
    return {};
  }
  // The hub applied the submission already. If the turn is not stored (store overloaded or
  // failing), the engine forgets the handoff: take it out of the hub again (queued after the
  // failed step, which drops its decisions), so no agent is offered a conversation the bot owns.
  std::weak_ptr<Impl> weak = impl_;
  return [weak, logged = std::move(logged), conversation_id](Status committed) {
    const bool failed = !committed.ok();
    logged(std::move(committed));
    if (!failed) {
      return;
    }
    if (auto self = weak.lock()) {
      boost::asio::post(self->executor, [weak, conversation_id] {
        if (auto impl = weak.lock();
            impl && impl->hub.conversation(conversation_id, impl->clock.now())) {
          impl->input(hub::HandoffCancelled{conversation_id});
          impl->refresh_owner(conversation_id);
        }
      });
    }
  };
}

void Engagement::handoff_cancelled(const std::string& conversation_id, Ownership now) {
  if (!impl_->started) {
    return;  // reconciled at start
  }
  Track& t = impl_->track(conversation_id);
  t.owner = now;
  t.known = true;
  if (impl_->hub.conversation(conversation_id, impl_->clock.now())) {
    impl_->input(hub::HandoffCancelled{conversation_id});
  }
}

void Engagement::customer_activity(const std::string& conversation_id, std::string_view type) {
  if (!impl_->started) {
    return;
  }
  auto view = impl_->hub.conversation(conversation_id, impl_->clock.now());
  if (!view || (view->state != hub::ConversationState::kWaiting &&
                view->state != hub::ConversationState::kOffered)) {
    return;  // the hub only tracks waiting customers' activity
  }
  if (type == "endOfConversation") {
    impl_->input(hub::CustomerLeft{conversation_id});
  } else if (type == "message") {
    impl_->input(hub::CustomerActivity{conversation_id});
  }
}

}  // namespace baton::engine
