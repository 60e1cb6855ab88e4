// The input pipeline: stamp, apply, log durably, then act — in input order; the rebuild after a
// failed log write; the timer.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "analytics/cells.hpp"
#include "core/json.hpp"
#include "engagement/state.hpp"
#include "hub/event_json.hpp"

namespace baton::engagement {

Engagement::Impl::Impl(boost::asio::any_io_executor executor_value, engine::Engine& engine_ref,
                       store::Store& store_ref, std::shared_ptr<const hub::HubConfig> config_value,
                       const Clock& clock_ref, EngagementOptions options_value)
    : executor(std::move(executor_value)),
      engine(engine_ref),
      store(store_ref),
      config(std::move(config_value)),
      clock(clock_ref),
      options(std::move(options_value)),
      hub(std::make_unique<hub::Hub>(config, clock_ref)),
      timer(executor) {
  for (const auto& a : config->agents) {
    agents[a.id] = a;
  }
}

namespace {

bool may_change_presence(const hub::Input& input, const hub::Decisions& decisions) {
  return std::holds_alternative<hub::PresenceSet>(input.event) ||
         std::holds_alternative<hub::AgentRegistered>(input.event) ||
         std::holds_alternative<hub::AgentRemoved>(input.event) ||
         std::holds_alternative<hub::Recover>(input.event) ||
         std::any_of(decisions.begin(), decisions.end(), [](const hub::Decision& d) {
           return std::holds_alternative<hub::PresenceChanged>(d);
         });
}

// The hub's measurements as analytics cells (analytics/cells.hpp), for the batch that logs the
// input they came from.
std::vector<store::AnalyticsCell> cells_of(const hub::Measures& measures) {
  std::vector<analytics::Sample> samples;
  samples.reserve(measures.size());
  for (const hub::Measure& m : measures) {
    samples.push_back({m.at, m.metric, m.queue, m.agent, m.count, m.value});
  }
  return analytics::sample_cells(samples);
}

std::string conversation_of(const hub::Input& input) {
  return std::visit(
      [](const auto& e) -> std::string {
        if constexpr (requires { e.conversation; }) {
          return e.conversation;
        } else {
          return {};
        }
      },
      input.event);
}

}  // namespace

void Engagement::Impl::input(hub::Event event, std::function<void(Result<hub::Decisions>)> then,
                             bool log_empty) {
  if (rebuild_pending) {
    if (then) {
      then(make_error(ErrorCode::kUnavailable,
                      "the engagement hub is recovering from a storage failure; retry soon"));
    }
    return;
  }
  // Recover follows a restart or a rebuild: the time since the hub's last input was nobody's
  // presence or load, so it is not measured (the hub's spans restart from it).
  const bool measured = !std::holds_alternative<hub::Recover>(event);
  hub::Input stamped = hub->stamp(std::move(event));
  hub::Measures measures;
  auto applied = hub->apply(stamped, measured ? &measures : nullptr);
  if (!applied.ok()) {
    if (then) {
      then(applied.error());
    }
    return;
  }
  dirty = true;
  if (may_change_presence(stamped, *applied)) {
    update_online();
  }
  if (applied->empty() && !log_empty) {
    if (!measures.empty()) {
      // Not logged (replay decides the same without it), but measured: e.g. the hour's presence
      // time when a Tick crosses the hour. A failed write loses that measurement only.
      store::WriteBatch cells;
      cells.add_analytics(cells_of(measures));
      if (Status accepted = store.submit(std::move(cells), [](const Status&) {}); !accepted.ok()) {
        spdlog::debug("engagement: measurements not stored: {}", accepted.error().message);
      }
    }
    if (then) {
      then(std::move(*applied));
    }
    return;
  }
  auto step = std::make_shared<detail::Step>();
  step->conversation = conversation_of(stamped);
  step->decisions = std::move(*applied);
  step->then = std::move(then);
  steps.push_back(step);
  store::WriteBatch batch;
  batch.append_hub_log({0, stamped.at, json::dump(hub::input_to_json(stamped))});
  if (!measures.empty()) {
    batch.add_analytics(cells_of(measures));
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  auto finish = [weak, exec = executor, step](const Status& status) {
    boost::asio::post(exec, [weak, step, status] {
      step->durable = true;
      step->status = status;
      if (auto self = weak.lock()) {
        self->drain();
      }
    });
  };
  ++logged_since_snapshot;
  if (Status accepted = store.submit(std::move(batch), finish); !accepted.ok()) {
    finish(accepted);
  }
}

std::optional<engine::HandoffCommit> Engagement::Impl::input_in_turn(hub::Event event) {
  if (rebuild_pending) {
    return std::nullopt;  // the rebuild's reconciliation submits it from the store
  }
  hub::Input stamped = hub->stamp(std::move(event));
  hub::Measures measures;
  auto applied = hub->apply(stamped, &measures);
  if (!applied.ok()) {
    spdlog::warn("engagement: the hub refused a handoff: {}", applied.error().message);
    return std::nullopt;
  }
  dirty = true;
  auto step = std::make_shared<detail::Step>();
  step->conversation = conversation_of(stamped);
  step->decisions = std::move(*applied);
  steps.push_back(step);
  ++logged_since_snapshot;
  engine::HandoffCommit with;
  with.hub_log.push_back({0, stamped.at, json::dump(hub::input_to_json(stamped))});
  with.cells = cells_of(measures);
  std::weak_ptr<Impl> weak = weak_from_this();
  with.committed = [weak, exec = executor, step](const Status& status) {
    boost::asio::post(exec, [weak, step, status] {
      step->durable = true;
      step->status = status;
      if (auto self = weak.lock()) {
        self->drain();
      }
    });
  };
  return with;
}

void Engagement::Impl::update_online() {
  // An external queue takes handoffs whoever is online here (its hours apply: the availability
  // hook asks the hub per routed queue).
  bool online = std::any_of(config->queues.begin(), config->queues.end(),
                            [](const hub::QueueConfig& q) { return q.external.has_value(); });
  for (const auto& a : hub->agents(clock.now())) {
    if (a.presence == hub::Presence::kAvailable || a.presence == hub::Presence::kBusy) {
      online = true;
      break;
    }
  }
  if (online_told != online) {
    online_told = online;
    engine.set_agents_online({online});
  }
}

void Engagement::Impl::drain() {
  while (!steps.empty() && steps.front()->durable) {
    std::shared_ptr<detail::Step> step = std::move(steps.front());
    steps.pop_front();
    if (!step->status.ok() && !rebuild_pending) {
      // The hub applied the input, the log does not have it: memory is ahead of the log. Its
      // decisions, and those of every input applied after it, are not acted on; the hub is
      // rebuilt from the durable log once no write is in flight.
      spdlog::error("engagement: hub log write failed ({}); rebuilding the hub from its log",
                    step->status.error().message);
      rebuild_pending = true;
    }
    if (rebuild_pending) {
      if (step->then) {
        step->then(step->status.ok() ? make_error(ErrorCode::kUnavailable,
                                                  "the engagement hub is recovering from a "
                                                  "storage failure; retry soon")
                                     : step->status.error());
      }
      continue;
    }
    act(step->decisions);
    if (!step->conversation.empty()) {
      advance(step->conversation);  // e.g. a decline that left it waiting decides nothing
    }
    if (step->then) {
      step->then(std::move(step->decisions));
    }
  }
  if (rebuild_pending && steps.empty() && !rebuilt_since_tick) {
    rebuild();  // at once the first time; a rebuild whose own write fails waits for the tick
  }
  maybe_compact();  // the hub may just have become quiescent
}

void Engagement::Impl::rebuild() {
  if (!steps.empty() || compaction_in_flight) {
    return;  // drain() calls again once the last write in flight is back
  }
  if (const store::StoreHealth health = store.health(); !health.writable()) {
    spdlog::debug("engagement: the store cannot take writes ({}); rebuilding later", health.reason);
    return;  // tick() retries
  }
  rebuilt_since_tick = true;
  if (Status replayed = replay(); !replayed.ok()) {
    spdlog::warn("engagement: cannot rebuild the hub yet ({}); retrying", replayed.error().message);
    return;  // tick() retries
  }
  for (auto& [id, t] : tracks) {
    t.ownership.reset();  // re-read from the engine's rows by reconcile()
    t.command_in_flight = false;
  }
  rebuild_pending = false;
  refresh_agents(true);
  if (Status reconciled = reconcile(); !reconciled.ok()) {
    spdlog::warn("engagement: reconciling after the rebuild: {}", reconciled.error().message);
  }
  online_told.reset();
  update_online();
  input(hub::Recover{});
  spdlog::info("engagement: the hub was rebuilt from its log");
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
  rebuilt_since_tick = false;
  compaction_failed_since_tick = false;
  if (rebuild_pending) {
    rebuild();
    return;
  }
  maybe_compact();
  input(hub::Tick{}, {}, false);
  if (clock.now() - last_refresh >= options.agent_refresh) {
    refresh_agents(false);
  }
  check_grace();
  push_supervisors();
  forget_settled();
}

void Engagement::Impl::forget_settled() {
  const TimePoint now = clock.now();
  std::erase_if(tracks, [&](const auto& entry) {
    const auto& [conversation, t] = entry;
    return t.ownership &&
           (t.ownership->owner == engine::Owner::kBot ||
            t.ownership->owner == engine::Owner::kClosed) &&
           !t.command_in_flight && t.moves.empty() && t.when_settled.empty() &&
           views.count(conversation) == 0 && !hub->conversation(conversation, now);
  });
}

}  // namespace baton::engagement
