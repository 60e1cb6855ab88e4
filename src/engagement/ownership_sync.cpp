// Per conversation, the ownership the engine last reported and the commands that move it toward
// what the hub decided: one command in flight at a time, each naming the epoch the engine last
// reported, so a refused one (the conversation moved meanwhile) is re-read, never guessed around.
#include <spdlog/spdlog.h>

#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

using engine::Owner;
using engine::OwnershipEvent;

// The one step from `now` toward the hub's state of the conversation; nullopt when they agree
// (or the hub does not hold it, or holds it in wrap-up: the agent's end moves ownership).
std::optional<OwnershipEvent> step_toward(const hub::ConversationView& view, Owner now) {
  switch (view.state) {
    case hub::ConversationState::kWaiting:
      if (now == Owner::kOffered) {
        return OwnershipEvent::kDeclined;
      }
      if (now == Owner::kAgent) {
        return OwnershipEvent::kRequeued;
      }
      return std::nullopt;
    case hub::ConversationState::kOffered:
      if (now == Owner::kAgent && view.agent.empty()) {
        return OwnershipEvent::kRequeued;
      }
      if (now == Owner::kQueued) {
        return OwnershipEvent::kOffered;
      }
      return std::nullopt;
    case hub::ConversationState::kAssigned:
    case hub::ConversationState::kExternal:  // the external hub is the agent owner
      if (now == Owner::kQueued) {
        return OwnershipEvent::kOffered;
      }
      if (now == Owner::kOffered) {
        return OwnershipEvent::kAccepted;
      }
      return std::nullopt;
    case hub::ConversationState::kWrapUp:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

detail::Track& Engagement::Impl::track(const std::string& conversation) {
  detail::Track& t = tracks[conversation];
  if (!t.ownership) {
    // Not reported since start: the row is what the engine committed.
    if (auto row = store.get_conversation(conversation); row.ok()) {
      t.ownership =
          engine::Ownership{engine::parse_owner(row->ownership).value_or(Owner::kBot), row->epoch};
    }
  }
  return t;
}

void Engagement::Impl::learn(const std::string& conversation, const engine::Ownership& ownership) {
  detail::Track& t = tracks[conversation];
  if (!t.ownership || t.ownership->epoch < ownership.epoch) {
    t.ownership = ownership;
  }
}

void Engagement::Impl::advance(const std::string& conversation) {
  detail::Track& t = track(conversation);
  if (t.command_in_flight) {
    return;  // its answer calls again
  }
  std::optional<detail::Move> next;
  // The explicit moves first; one no longer allowed is dropped (already there, or overtaken:
  // e.g. the customer cancelled meanwhile).
  while (t.ownership && !next && !t.moves.empty()) {
    next = std::move(t.moves.front());
    t.moves.pop_front();
    if (auto allowed = engine::transition(*t.ownership, next->event); !allowed.ok()) {
      spdlog::debug("engagement: {}: {}", conversation, allowed.error().message);
      next.reset();
    }
  }
  // The engine has it back with the bot (or closed) while the hub still holds it: let it go.
  if (t.ownership && !next &&
      (t.ownership->owner == Owner::kBot || t.ownership->owner == Owner::kClosed)) {
    let_go(conversation);
  }
  // Then one step toward the hub's state.
  if (t.ownership && !next) {
    if (auto view = hub->conversation(conversation, clock.now())) {
      if (auto event = step_toward(*view, t.ownership->owner);
          event && engine::transition(*t.ownership, *event).ok()) {
        next = detail::Move{*event, dialog::HandoffOutcome::kCompleted, {}};
        next->route = {view->queue, view->agent.empty() ? view->offered_to : view->agent};
      }
    }
  }
  if (!next) {
    // Settled: the engine's ownership agrees with the hub (or cannot be known).
    std::vector<std::function<void()>> ready = std::move(t.when_settled);
    t.when_settled.clear();
    for (auto& fn : ready) {
      fn();
    }
    return;
  }
  t.command_in_flight = true;
  const engine::OwnershipEvent event = next->event;
  std::weak_ptr<Impl> weak = weak_from_this();
  engine.change_ownership({conversation, t.ownership->epoch, event, next->outcome,
                           std::move(next->end), std::move(next->route)},
                          [weak, conversation, event](const Result<engine::Ownership>& answer) {
                            auto self = weak.lock();
                            if (!self) {
                              return;
                            }
                            detail::Track& done = self->tracks[conversation];
                            done.command_in_flight = false;
                            if (answer.ok()) {
                              self->learn(conversation, *answer);
                              self->advance(conversation);
                              return;
                            }
                            spdlog::info("engagement: {}: '{}' refused: {}", conversation,
                                         engine::to_string(event), answer.error().message);
                            // Ask the engine where the conversation is, then carry on from there.
                            done.command_in_flight = true;
                            self->engine.status(
                                conversation,
                                [weak, conversation](const Result<engine::ConversationStatus>& s) {
                                  auto again = weak.lock();
                                  if (!again) {
                                    return;
                                  }
                                  detail::Track& reread = again->tracks[conversation];
                                  reread.command_in_flight = false;
                                  if (s.ok()) {
                                    reread.ownership = s->ownership;
                                  }
                                  again->advance(conversation);
                                });
                          });
}

void Engagement::Impl::when_settled(const std::string& conversation, std::function<void()> fn) {
  detail::Track& t = track(conversation);
  t.when_settled.push_back(std::move(fn));
  advance(conversation);
}

void Engagement::Impl::let_go(const std::string& conversation) {
  auto view = hub->conversation(conversation, clock.now());
  if (!view || view->state == hub::ConversationState::kWrapUp) {
    return;
  }
  spdlog::info("engagement: {}: the engine has it with the {}; the hub lets it go", conversation,
               engine::to_string(tracks[conversation].ownership->owner));
  if (view->state != hub::ConversationState::kAssigned) {
    // Waiting, offered, or with an external hub (which is told: ExternalWithdrawn).
    input(hub::HandoffCancelled{conversation,
                                tracks[conversation].ownership->owner == Owner::kClosed});
    return;
  }
  const std::string agent = view->agent;
  tracks[conversation].agent_told = true;
  push(agent, Unassigned{conversation, UnassignCause::kAbandoned});
  drop_view(conversation, agent);
  input(hub::ConversationEnded{conversation, agent});
  input(hub::WrapUpDone{conversation, agent});
}

bool Engagement::Impl::with_agent(const std::string& conversation, const std::string& agent) {
  const detail::Track& t = track(conversation);
  auto view = hub->conversation(conversation, clock.now());
  return t.ownership && t.ownership->owner == Owner::kAgent && view &&
         view->state == hub::ConversationState::kAssigned && view->agent == agent;
}

void Engagement::Impl::to_bot(const std::string& conversation, dialog::HandoffOutcome outcome,
                              const engine::HandoffEnd& end) {
  track(conversation).moves.push_back({OwnershipEvent::kHandoffEnded, outcome, end});
  advance(conversation);
}

void Engagement::Impl::close_conversation(const std::string& conversation,
                                          dialog::HandoffOutcome outcome,
                                          const engine::HandoffEnd& end) {
  detail::Track& t = track(conversation);
  if (t.ownership && t.ownership->owner == Owner::kClosed) {
    return;
  }
  notice(conversation, notice_text(conversation, hub::TextKind::kClosed, end.agent));
  t.moves.push_back({OwnershipEvent::kClosed, outcome, end});
  advance(conversation);
}

}  // namespace baton::engagement
