// The engine's side of the edge: its events (in commit order) and its handoff hook (while it
// builds the escalating turn), and the Engagement's construction, start, stop and timer.
#include <boost/asio/post.hpp>

#include "core/overloaded.hpp"
#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {

Engagement::Engagement(boost::asio::any_io_executor executor, engine::Engine& engine,
                       store::Store& store, std::shared_ptr<const hub::HubConfig> config,
                       const Clock& clock, EngagementOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), engine, store, std::move(config), clock,
                                   std::move(options))) {
  engine.set_listener(this);
  std::weak_ptr<Impl> weak = impl_;
  // The hub's record of a new handoff commits in the customer's turn: one commit before the offer
  // instead of two, and never one without the other. Before start() the hub has not replayed its
  // log yet: start()'s reconciliation picks the handoff up from the store.
  engine.set_handoff_hook([weak](const engine::HandoffRequested& handoff) {
    auto self = weak.lock();
    if (!self || !self->started) {
      return engine::HandoffCommit{};
    }
    self->learn_handoff(handoff);
    auto with = self->input_in_turn(self->submission(handoff));
    return with ? std::move(*with) : engine::HandoffCommit{};
  });
  // Availability per routed queue, asked in the escalating turn so the bot says the queue's
  // unavailable text at once (not its agents-online text). A pure query: nothing is applied or
  // logged. Before start() (the hub is not replayed yet) every handoff may wait.
  engine.set_availability_hook(
      [weak](const std::string& conversation, const std::string& user, const std::string& language,
             const dialog::HandoffRequest& request) -> std::optional<dialog::HandoffUnavailable> {
        auto self = weak.lock();
        if (!self || !self->started || !self->hub) {
          return std::nullopt;
        }
        hub::HandoffSubmitted probe;
        probe.conversation = conversation;
        probe.user = user;
        probe.language = language;
        probe.context = request.context;
        probe.reason = dialog::to_string(request.reason);
        probe.queue_hint = request.routing.queue;
        probe.skills = request.routing.skills;
        probe.priority = request.routing.priority;
        auto unavailable = self->hub->availability(probe, self->clock.now());
        if (!unavailable) {
          return std::nullopt;
        }
        return dialog::HandoffUnavailable{hub::to_string(unavailable->cause), unavailable->queue,
                                          unavailable->text};
      });
}

Engagement::~Engagement() {
  impl_->engine.set_listener(nullptr);
  impl_->engine.set_handoff_hook({});
  impl_->engine.set_availability_hook({});
  stop();
}

void Engagement::on_event(const engine::EngineEvent& event) {
  Impl& self = *impl_;
  if (!self.started) {
    return;  // start()'s reconciliation reads what the engine committed
  }
  std::visit(Overloaded{
                 [&](const engine::HandoffRequested& e) {
                   self.learn(e.conversation, {engine::Owner::kQueued, e.epoch});
                 },
                 [&](const engine::OwnershipChanged& e) {
                   self.learn(e.conversation, e.to);
                   self.advance(e.conversation);
                 },
                 [&](const engine::HandoffCancelled& e) {
                   self.learn(e.conversation, {engine::Owner::kBot, e.epoch});
                   if (self.hub->conversation(e.conversation, self.clock.now())) {
                     self.input(hub::HandoffCancelled{e.conversation});
                   }
                 },
                 [&](const engine::CustomerActed& e) {
                   auto view = self.hub->conversation(e.conversation, self.clock.now());
                   if (!view || (view->state != hub::ConversationState::kWaiting &&
                                 view->state != hub::ConversationState::kOffered)) {
                     return;  // the hub only tracks waiting customers' activity
                   }
                   if (e.action == engine::CustomerAction::kLeft) {
                     self.input(hub::CustomerLeft{e.conversation});
                   } else if (e.action == engine::CustomerAction::kMessage) {
                     self.input(hub::CustomerActivity{e.conversation});
                   }
                 },
             },
             event);
}

void Engagement::start(Callback<bool> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) { self.start(done); });
}

void Engagement::stop() {
  on_strand(impl_, [](Impl& self) {
    if (self.stopped) {
      return;
    }
    self.stopped = true;
    self.timer.cancel();
    for (const auto& done : std::exchange(self.compact_waiters, {})) {
      done(make_error(ErrorCode::kUnavailable, "the engagement hub stopped"));
    }
    std::vector<std::string> ids;
    for (const auto& [agent, list] : self.sinks) {
      ids.push_back(agent);
    }
    for (const auto& id : ids) {
      self.close_sinks(id, "shutdown");
    }
  });
}

void Engagement::tick(Callback<bool> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) {
    self.tick();
    done(true);
  });
}

}  // namespace baton::engagement
