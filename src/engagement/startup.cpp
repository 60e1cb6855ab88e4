// start(): restore the hub's snapshot and replay its durable log after it, register the agents,
// reconcile with the engine's conversations, Recover{} (pending offers re-issued). rebuild()
// (pipeline.cpp) does the same after a failed log write.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

#include "core/json.hpp"
#include "engagement/state.hpp"
#include "hub/event_json.hpp"

namespace baton::engagement {

using engine::Owner;

namespace {

// The stored snapshot's JSON: our own text, nested deeper than the handoff contexts it holds
// (whose own depth the input's parser bounded), so parsed with room for that nesting.
Result<boost::json::object> parse_snapshot(const std::string& text) {
  boost::json::parse_options options;
  options.max_depth = 256;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument, "not JSON: " + ec.message());
  }
  if (!value.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "not a JSON object");
  }
  return std::move(value.as_object());
}

}  // namespace

Status Engagement::Impl::replay() {
  hub = std::make_unique<hub::Hub>(config, clock);
  logged_since_snapshot = 0;
  auto stored = store.get_meta(detail::kHubSnapshotKey);
  if (!stored.ok() && stored.error().code != ErrorCode::kNotFound) {
    return stored.error();
  }
  if (stored.ok()) {
    auto parsed = parse_snapshot(*stored);
    auto restored = parsed.ok() ? hub::Hub::restore(config, clock, *parsed)
                                : Result<std::unique_ptr<hub::Hub>>(parsed.error());
    if (!restored.ok()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("the hub's snapshot (store meta '{}') cannot be restored: {}",
                                    detail::kHubSnapshotKey, restored.error().message));
    }
    hub = std::move(*restored);
  }
  std::uint64_t after = 0;
  std::size_t applied = 0;
  while (true) {
    auto page = store.read_hub_log(after, store::kMaxPageSize);
    if (!page.ok()) {
      return page.error();
    }
    if (page->empty()) {
      break;
    }
    for (const auto& record : *page) {
      after = record.position;
      ++logged_since_snapshot;
      auto parsed = json::parse(record.json);
      auto input_value =
          parsed.ok() ? hub::input_from_json(*parsed) : Result<hub::Input>(parsed.error());
      if (!input_value.ok()) {
        spdlog::warn("engagement: hub log #{} unreadable: {}", record.position,
                     input_value.error().message);
        continue;
      }
      if (auto r = hub->apply(*input_value); !r.ok()) {
        spdlog::warn("engagement: hub log #{} no longer applies: {}", record.position,
                     r.error().message);
        continue;
      }
      ++applied;
    }
  }
  if (applied > 0 || stored.ok()) {
    spdlog::info("engagement: {} {} hub inputs",
                 stored.ok() ? "restored the snapshot, replayed" : "replayed", applied);
  }
  return {};
}

// The engine's open handoffs (the store's rows: what the engine committed) against the hub's
// conversations: a conversation the hub holds but the engine no longer does leaves the hub; one
// the engine holds but the hub does not know is submitted again from its open handoff record;
// the rest follow the hub's state (advance()).
Status Engagement::Impl::reconcile() {
  std::set<std::string> engine_open;
  std::string after;
  while (true) {
    auto page = store.list_conversations(after, store::kMaxPageSize, true);
    if (!page.ok()) {
      return page.error();
    }
    if (page->empty()) {
      break;
    }
    for (const auto& row : *page) {
      after = row.id;
      const Owner owner = engine::parse_owner(row.ownership).value_or(Owner::kBot);
      tracks[row.id].ownership = engine::Ownership{owner, row.epoch};
      if (owner == Owner::kQueued || owner == Owner::kOffered || owner == Owner::kAgent) {
        engine_open.insert(row.id);
      }
    }
  }
  const TimePoint now = clock.now();
  for (const auto& view : hub->conversations(now)) {
    if (engine_open.count(view.id) != 0 || view.state == hub::ConversationState::kWrapUp) {
      continue;
    }
    if (view.state == hub::ConversationState::kExternal) {
      input(hub::ExternalStatus{view.id, hub::ExternalState::kCompleted});
    } else if (view.state == hub::ConversationState::kAssigned) {
      input(hub::ConversationEnded{view.id, view.agent});
      input(hub::WrapUpDone{view.id, view.agent});
    } else {
      input(hub::HandoffCancelled{view.id});
    }
  }
  for (const auto& id : engine_open) {
    auto view = hub->conversation(id, now);
    if (view && view->state == hub::ConversationState::kWrapUp) {
      to_bot(id, dialog::HandoffOutcome::kCompleted, {view->agent, ""});  // ended before a crash
      continue;
    }
    if (view) {
      advance(id);
      continue;
    }
    auto records = store.handoffs_for_conversation(id);
    if (!records.ok()) {
      continue;
    }
    for (const auto& r : *records) {
      if (!r.open()) {
        continue;
      }
      // Back to waiting first (an offer or an agent the hub no longer knows), then submitted.
      detail::Track& t = tracks[id];
      if (t.ownership->owner == Owner::kOffered) {
        t.moves.push_back(
            {engine::OwnershipEvent::kDeclined, dialog::HandoffOutcome::kCompleted, {}});
      } else if (t.ownership->owner == Owner::kAgent) {
        t.moves.push_back(
            {engine::OwnershipEvent::kRequeued, dialog::HandoffOutcome::kCompleted, {}});
      }
      const boost::json::object request = json::parse_object(r.request_json);
      engine::HandoffRequested handoff;
      handoff.conversation = id;
      handoff.epoch = t.ownership->epoch;
      handoff.handoff_id = r.id;
      handoff.reason = r.reason;
      handoff.topic = json::string_at(request, "topic");
      if (const auto* c = request.if_contains("context"); c != nullptr && c->is_object()) {
        handoff.context = c->as_object();
      }
      handoff.agent_message = json::string_at(request, "agentMessage");
      if (const auto* v = request.if_contains("routing"); v != nullptr && v->is_object()) {
        const boost::json::object& routing = v->as_object();
        handoff.queue = json::string_at(routing, "queue");
        if (const auto* skills = routing.if_contains("skills"); skills && skills->is_array()) {
          for (const auto& s : skills->as_array()) {
            if (s.is_string()) {
              handoff.skills.emplace_back(s.as_string());
            }
          }
        }
        if (const auto* p = routing.if_contains("priority"); p != nullptr && p->is_int64()) {
          handoff.priority = static_cast<int>(p->as_int64());
        }
      }
      handoff.initiate_seq =
          engine::parse_activity_seq(json::string_at(request, "initiateActivityId"), id)
              .value_or(0);
      learn_handoff(handoff);  // the row's ownership stays: it is as new as the handoff's epoch
      input(submission(handoff));
      advance(id);
      break;
    }
  }
  return {};
}

void Engagement::Impl::start(const Callback<bool>& done) {
  if (started) {
    done(true);
    return;
  }
  if (Status replayed = replay(); !replayed.ok()) {
    done(replayed.error());
    return;
  }
  refresh_agents(true);
  if (Status reconciled = reconcile(); !reconciled.ok()) {
    done(reconciled.error());
    return;
  }
  update_online();
  started = true;
  const TimePoint now = clock.now();
  for (const auto& a : hub->agents(now)) {
    if (a.chosen != hub::Presence::kOffline && sinks.count(a.id) == 0) {
      detached_at[a.id] = now;  // reconnect within the grace or go offline
    }
    for (const auto& c : a.conversations) {
      ensure_view(c, a.id);
    }
  }
  input(hub::Recover{}, [done](const Result<hub::Decisions>& r) {
    if (r.ok()) {
      done(true);
    } else {
      done(r.error());
    }
  });
  schedule_tick();
}

}  // namespace baton::engagement
