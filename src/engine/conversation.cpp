// The engine's per-conversation work: loading a conversation from the store (row, snapshot,
// recent transcript), creating one, and turning one customer activity (or owner write, or
// ownership change) into exactly one WriteBatch.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "core/json.hpp"
#include "core/utf8.hpp"
#include "engine/engine_impl.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

constexpr std::size_t kMaxConversationIdLength = 128;

// The store's `name` metadata: an event's name, "" for other types (as the v9 upgrade fills it).
std::string event_name_of(const activity::Activity& a) {
  return a.type == "event" ? a.name : std::string();
}

// The row's timestamp: the activity's own (stamp() formats it to the millisecond), so that the
// store may keep the body without it (store/activity_body.hpp); `now` for one that has none.
TimePoint timestamp_of(const activity::Activity& a, TimePoint now) {
  return parse_iso8601(a.timestamp).value_or(now);
}

bool valid_conversation_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxConversationIdLength) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
  });
}

}  // namespace

std::string Engine::Impl::next_id(Conv& conv) {
  return make_activity_id(conv.row.id, conv.next_seq++);
}

dialog::AvailabilityCheck Engine::Impl::availability_check(const Conv& conv) {
  // The runtime lives in `conv` (one heap object per conversation): the pointer outlives it.
  return [this, c = &conv](
             const dialog::HandoffRequest& request) -> std::optional<dialog::HandoffUnavailable> {
    if (availability_hook) {
      return availability_hook(c->row.id, c->row.user_id, customer_language(*c, request.transcript),
                               request);
    }
    if (agents_online) {
      return std::nullopt;
    }
    return dialog::HandoffUnavailable{"no_agents", request.routing.queue, ""};
  };
}

dialog::ConversationInfo Engine::Impl::info_for(const store::Conversation& row) const {
  const bj::object meta = json::parse_object(row.metadata_json);
  dialog::ConversationInfo info;
  info.conversation_id = row.id;
  info.channel_id = row.channel_id;
  info.user = {row.user_id, std::string(json::string_at(meta, "userName")), "user"};
  info.bot = bot_account;
  info.locale = std::string(json::string_at(meta, "locale"));
  info.live_chat_supported = options.live_chat_supported;
  return info;
}

std::unique_ptr<Conv> Engine::Impl::make_conv(store::Conversation row) {
  auto conv = std::make_unique<Conv>();
  conv->ownership = {parse_owner(row.ownership).value_or(Owner::kBot), row.epoch};
  conv->next_seq = std::max<std::uint64_t>(row.next_seq, 1);
  conv->committed = conv->next_seq - 1;
  conv->row = std::move(row);
  return conv;
}

Result<Conv*> Engine::Impl::load(const std::string& id) {
  if (!valid_conversation_id(id)) {
    return make_error(ErrorCode::kNotFound, fmt::format("no conversation '{}'", id));
  }
  auto row = store.get_conversation(id);
  if (!row.ok()) {
    return row.error();
  }
  if (store::is_erased(*row)) {
    return store::erased_error(id);
  }
  std::unique_ptr<Conv> conv = make_conv(std::move(*row));
  conv->next_event_seq = 0;  // unknown until an event is written (read lazily)
  Conv* raw = conv.get();
  dialog::IdSource ids = [this, raw] { return next_id(*raw); };
  const dialog::ConversationInfo info = info_for(conv->row);

  // The past transcript stays in the store until a handoff asks for it (handoff_transcript): a
  // reload reads two rows, not up to kMaxTranscript activities, and an idle runtime holds none.
  conv->transcript_after = conv->committed;
  auto snapshot = store.get_snapshot(id);
  if (snapshot.ok()) {
    auto snap = json::parse(snapshot->json);
    if (snap.ok()) {
      auto restored = dialog::Runtime::restore(bot, clock, ids, info, *snap, {});
      if (restored.ok()) {
        conv->runtime = std::move(*restored);
      } else {
        spdlog::warn("engine: conversation {}: snapshot does not fit the bot ({}); starting over",
                     id, restored.error().message);
      }
    }
  } else if (snapshot.error().code != ErrorCode::kNotFound) {
    return snapshot.error();
  }
  if (!conv->runtime) {
    conv->runtime = std::make_unique<dialog::Runtime>(bot, clock, ids, info);
  }
  session_load(*conv);
  // The snapshot's flags are from when it was written; today's facts win.
  conv->runtime->set_live_chat_supported(options.live_chat_supported);
  conv->runtime->set_agents_online(agents_online);
  conv->runtime->set_availability_check(availability_check(*conv));
  if (conv->ownership.owner != Owner::kBot) {
    auto handoffs = store.handoffs_for_conversation(id);
    if (!handoffs.ok()) {
      return handoffs.error();
    }
    for (const auto& h : *handoffs) {
      if (h.open()) {
        conv->open_handoff = h;
      }
    }
  }
  lru.push_front(id);
  conv->lru = lru.begin();
  conversations.emplace(id, std::move(conv));
  return raw;
}

void Engine::Impl::start(const StartParams& params, const Callback<StartResult>& done) {
  const std::string& id = params.conversation_id;
  if (!valid_conversation_id(id)) {
    done(make_error(ErrorCode::kInvalidArgument,
                    fmt::format("conversation id '{}' must be 1..128 of [A-Za-z0-9._-]", id)));
    return;
  }
  auto existing = store.get_conversation(id);
  if (conversations.count(id) != 0 || existing.ok()) {
    with_conversation(
        id,
        [done](Conv& conv) {
          done(StartResult{false, conv.committed});
        },
        [done](Error e) { done(std::move(e)); });
    return;
  }
  if (existing.error().code != ErrorCode::kNotFound) {
    done(existing.error());
    return;
  }
  store::Conversation row;
  row.id = id;
  row.bot_id = bot->bot().id;
  row.user_id = params.user.id;
  row.channel_id = options.channel_id;
  row.created = row.updated = clock.now();
  bj::object meta;
  meta["userName"] = params.user.name;
  meta["locale"] = params.locale;
  row.metadata_json = json::dump(meta);

  std::unique_ptr<Conv> owned = make_conv(row);
  Conv& conv = *owned;
  Conv* raw = owned.get();
  conv.runtime = std::make_unique<dialog::Runtime>(
      bot, clock, [this, raw] { return next_id(*raw); }, info_for(row));
  conv.runtime->set_agents_online(agents_online);
  conv.runtime->set_availability_check(availability_check(conv));
  lru.push_front(id);
  conv.lru = lru.begin();
  conversations.emplace(id, std::move(owned));

  Pending pending;
  pending.batch.insert_conversation(row);
  if (options.external_bot) {
    bot_greeting(conv, pending);  // the bot greets (or not) when told of the new members
  } else if (params.greet) {
    session_touch(conv, pending, conv.next_seq);
    apply_turn(conv, pending, conv.runtime->start(), "");
  }
  finish_batch(conv, pending, conv.ownership.epoch);
  const std::uint64_t last = conv.next_seq - 1;
  pending.ack = ack_with(done, StartResult{true, last});
  submit(conv, std::move(pending));
  evict_idle();
}

void Engine::Impl::remove(Conv& conv, bool tombstone, const Callback<ErasedConversation>& done) {
  if (conv.ownership.owner != Owner::kBot && conv.ownership.owner != Owner::kClosed) {
    done(make_error(ErrorCode::kConflict,
                    fmt::format("conversation '{}' is {}: close it before erasing it", conv.row.id,
                                to_string(conv.ownership.owner))));
    return;
  }
  const std::string id = conv.row.id;
  const Ownership before = conv.ownership;
  const store::Conversation erased = store::erased_conversation(conv.row, clock.now());
  Pending pending;
  session_end(conv, pending);  // its counts stay; its row goes with the conversation
  pending.batch.delete_conversation(id);
  if (tombstone) {
    pending.batch.insert_conversation(erased);
  }
  if (before.owner == Owner::kBot) {
    pending.events.emplace_back(OwnershipChanged{
        id, before, Ownership{Owner::kClosed, erased.epoch}, OwnershipEvent::kClosed});
  }
  const ErasedConversation removed{id, conv.committed};
  pending.ack = [this, done, removed](const Status& s) {
    if (!s.ok()) {
      done(s.error());
      return;
    }
    // Operations queued behind the removal reload the conversation: they meet its tombstone, or
    // find no conversation.
    drop(removed.id);
    if (auto it = subscriptions.find(removed.id); it != subscriptions.end()) {
      std::vector<SubscriptionEntry> gone = std::move(it->second);
      subscriptions.erase(it);
      for (const auto& entry : gone) {
        entry.subscriber->erased();
      }
    }
    done(removed);
  };
  conv.ownership = {Owner::kClosed, erased.epoch};
  submit(conv, std::move(pending));
}

void Engine::Impl::with_stored_row(const std::string& id, const std::function<void(Conv&)>& op,
                                   const std::function<void(Error)>& fail) {
  if (conversations.count(id) != 0) {
    with_conversation(id, op, fail);
    return;
  }
  auto row = store::unless_erased(store.get_conversation(id));
  if (!row.ok()) {
    fail(row.error());
    return;
  }
  std::unique_ptr<Conv> owned = make_conv(std::move(*row));
  Conv& conv = *owned;
  lru.push_front(id);
  conv.lru = lru.begin();
  conversations.emplace(id, std::move(owned));
  op(conv);
  if (!conv.busy) {  // kept: it was only a row, nothing to keep in memory
    lru.erase(conv.lru);
    conversations.erase(id);
  }
}

void Engine::Impl::expire(const std::string& id, TimePoint idle_before,
                          const Callback<bool>& done) {
  auto expire_if_idle = [this, idle_before, done](Conv& conv) {
    const Owner owner = conv.ownership.owner;
    if ((owner != Owner::kBot && owner != Owner::kClosed) || conv.row.updated >= idle_before) {
      done(false);
      return;
    }
    remove(conv, false,
           [done](const Result<ErasedConversation>& r) { r.ok() ? done(true) : done(r.error()); });
  };
  with_stored_row(id, expire_if_idle, [done](Error e) { done(std::move(e)); });
}

void Engine::Impl::expire_handoffs(const std::string& id, TimePoint ended_before,
                                   const Callback<std::size_t>& done) {
  auto delete_ended = [this, ended_before, done](Conv& conv) {
    // Counted here, on the strand, behind the conversation's writes: what the batch deletes.
    auto handoffs = store.handoffs_for_conversation(conv.row.id);
    if (!handoffs.ok()) {
      done(handoffs.error());
      return;
    }
    const auto count = static_cast<std::size_t>(std::count_if(
        handoffs->begin(), handoffs->end(),
        [ended_before](const auto& h) { return !h.open() && h.updated < ended_before; }));
    if (count == 0) {
      done(std::size_t{0});
      return;
    }
    Pending pending;
    pending.batch.delete_ended_handoffs(conv.row.id, ended_before);
    pending.ack = [this, id = conv.row.id, count, done](const Status& s) {
      if (auto it = conversations.find(id); it != conversations.end() && !it->second->runtime) {
        drop(id);  // only its row stood in memory; operations queued behind it load it afresh
      }
      s.ok() ? done(count) : done(s.error());
    };
    submit(conv, std::move(pending));
  };
  with_stored_row(id, delete_ended, [done](Error e) { done(std::move(e)); });
}

void Engine::Impl::post(Conv& conv, activity::Activity&& a, const Callback<PostResult>& done) {
  if (conv.ownership.owner == Owner::kClosed) {
    done(make_error(ErrorCode::kConflict, "the conversation is closed"));
    return;
  }
  if (a.type.empty()) {
    done(make_error(ErrorCode::kInvalidArgument, "type: missing"));
    return;
  }
  if (a.type == "event" && a.name.empty()) {
    done(make_error(ErrorCode::kInvalidArgument, "name: an event activity needs a name"));
    return;
  }
  const std::uint64_t seq = stamp(conv, a, Side::kCustomer);
  std::string json = activity::serialize(a);
  Status invalid;
  if (json.size() > activity::kMaxSerializedBytes) {
    invalid =
        make_error(ErrorCode::kTooLarge, fmt::format("the activity is {} bytes; the limit is {}",
                                                     json.size(), activity::kMaxSerializedBytes));
  } else if (auto bad = utf8::find_invalid(json)) {
    invalid = make_error(ErrorCode::kInvalidArgument,
                         fmt::format("invalid UTF-8 in the activity at byte {}", *bad));
  }
  if (!invalid.ok()) {
    conv.next_seq = seq;  // nothing was written with it
    done(invalid.error());
    return;
  }
  const std::uint64_t epoch = conv.ownership.epoch;
  Pending pending;
  session_touch(conv, pending, seq);
  auto shared = std::make_shared<const std::string>(std::move(json));
  store::ActivityRecord record{
      conv.row.id, seq, a.id, a.type, event_name_of(a), timestamp_of(a, clock.now()), *shared};
  pending.batch.append_activity(std::move(record));
  pending.deliveries.push_back({seq, shared, audience_of_type(a.type)});
  bool dialog_changed = false;
  if (options.external_bot) {
    conv.runtime->record(a);
    if (conv.ownership.owner == Owner::kBot && a.type != "typing") {
      to_bot(conv, pending, a);  // while the hub holds it the bot hears nothing
    }
  } else if (conv.ownership.owner == Owner::kAgent) {
    conv.runtime->record(a);  // the transcript comes from the log, not the snapshot
  } else if (a.type != "typing") {
    const bool had_open = conv.open_handoff.has_value();
    conv.runtime->set_agents_online(agents_online);
    dialog::TurnResult turn = conv.runtime->on_activity(a);
    const bool cancelled = had_open && turn.resolved.has_value() && !turn.handoff.has_value();
    apply_turn(conv, pending, std::move(turn), a.id);
    if (cancelled) {
      pending.events.emplace_back(HandoffCancelled{conv.row.id, conv.ownership.epoch});
    }
    dialog_changed = true;
  }
  pending.events.emplace_back(CustomerActed{conv.row.id, customer_action_of(a.type)});
  finish_batch(conv, pending, epoch, dialog_changed);
  pending.ack = ack_with(done, PostResult{a.id, seq});
  submit(conv, std::move(pending));
}

void Engine::Impl::post_owner(Conv& conv, PostAsOwner&& command, const Callback<PostResult>& done) {
  if (conv.ownership.epoch != command.expected_epoch) {
    done(make_error(ErrorCode::kConflict,
                    fmt::format("stale writer: the conversation moved on from epoch {} (now {} {})",
                                command.expected_epoch, to_string(conv.ownership.owner),
                                conv.ownership.epoch)));
    return;
  }
  if (conv.ownership.owner != Owner::kAgent) {
    done(make_error(ErrorCode::kConflict, "only an agent owner writes through post_as_owner"));
    return;
  }
  activity::Activity& a = command.activity;
  if (a.from.id.empty()) {
    done(make_error(ErrorCode::kInvalidArgument, "from.id: the agent's activity names its agent"));
    return;
  }
  write_bot_side(conv, a, command.expected_epoch, done);  // Web Chat shows agents on the bot side
}

void Engine::Impl::notice(Conv& conv, activity::Activity&& a, const Callback<PostResult>& done) {
  if (conv.ownership.owner == Owner::kClosed) {
    done(make_error(ErrorCode::kConflict, "the conversation is closed"));
    return;
  }
  if (a.type.empty()) {
    done(make_error(ErrorCode::kInvalidArgument, "type: missing"));
    return;
  }
  write_bot_side(conv, a, conv.ownership.epoch, done);
}

void Engine::Impl::write_bot_side(Conv& conv, activity::Activity& a, std::uint64_t epoch,
                                  const Callback<PostResult>& done) {
  const std::uint64_t seq = stamp(conv, a, Side::kBot);
  if (Status valid = activity::validate(a); !valid.ok()) {
    conv.next_seq = seq;
    done(valid.error());
    return;
  }
  if (a.type != "typing") {
    conv.runtime->record(a);
  }
  Pending pending;
  session_touch(conv, pending, seq);
  append(conv, pending, a);
  finish_batch(conv, pending, epoch, false);
  pending.ack = ack_with(done, PostResult{a.id, seq});
  submit(conv, std::move(pending));
}

void Engine::Impl::change(Conv& conv, const ChangeOwnership& command,
                          const Callback<Ownership>& done) {
  if (conv.ownership.epoch != command.expected_epoch) {
    done(
        make_error(ErrorCode::kConflict,
                   fmt::format("stale command: the conversation moved on from epoch {} (now {} {})",
                               command.expected_epoch, to_string(conv.ownership.owner),
                               conv.ownership.epoch)));
    return;
  }
  const OwnershipEvent event = command.event;
  const dialog::HandoffOutcome outcome = command.outcome;
  const HandoffEnd& end = command.end;
  if (auto allowed = transition(conv.ownership, event); !allowed.ok()) {
    done(allowed.error());
    return;
  }
  Pending pending;
  session_touch(conv, pending, conv.next_seq);
  conv.session.handled_by(end.agent);  // kHandoffEnded, kClosed: the agent at the end
  if (event == OwnershipEvent::kHandoffEnded && options.external_bot) {
    end_handoff(conv, pending, outcome, end);  // handoff.status tells the bot; it speaks next
  } else if (event == OwnershipEvent::kHandoffEnded) {
    conv.runtime->set_agents_online(agents_online);
    dialog::TurnResult turn = conv.runtime->resume(outcome, end.unavailable, end.message);
    end_handoff(conv, pending, outcome, end);  // the bot owns it again before it speaks
    turn.resolved.reset();
    apply_turn(conv, pending, std::move(turn), "");
  } else if (event == OwnershipEvent::kClosed) {
    close(conv, pending, outcome, end);
    session_end(conv, pending);
  } else {
    if (event == OwnershipEvent::kAccepted) {
      if (!options.external_bot) {
        conv.runtime->agent_joined();
      }
      conv.session.accepted(command.route.queue, command.route.agent, clock.now());
      if (conv.open_handoff && !command.route.queue.empty()) {
        conv.open_handoff->queue = command.route.queue;  // where the hub routed it
      }
    }
    set_handoff_status(conv, pending,
                       event == OwnershipEvent::kOffered    ? "offered"
                       : event == OwnershipEvent::kAccepted ? "accepted"
                                                            : "pending");
    if (event == OwnershipEvent::kAccepted) {
      add_status(conv, pending, "accepted");
    }
    move_ownership(conv, pending, event);
  }
  finish_batch(conv, pending, command.expected_epoch);
  pending.ack = ack_with(done, conv.ownership);
  submit(conv, std::move(pending));
}

std::uint64_t Engine::Impl::stamp(Conv& conv, activity::Activity& a, Side side) {
  const std::uint64_t seq = conv.next_seq;
  a.id = next_id(conv);
  a.timestamp = format_iso8601(clock.now());
  a.channel_id = options.channel_id;
  a.conversation.id = conv.row.id;
  if (side == Side::kCustomer) {
    a.service_url.clear();
    if (a.from.id.empty()) {
      a.from.id = conv.row.user_id;
    }
    a.from.role = "user";
    a.recipient = bot_account;
  } else {
    if (a.from.id.empty()) {
      a.from = bot_account;
    } else if (a.from.role.empty()) {
      a.from.role = "bot";
    }
    a.recipient = {conv.row.user_id, "", "user"};
  }
  return seq;
}

void Engine::Impl::append(Conv& conv, Pending& pending, const activity::Activity& a) {
  const auto seq = parse_activity_seq(a.id, conv.row.id);
  if (!seq) {
    spdlog::error("engine: activity id '{}' was not allocated for conversation {}", a.id,
                  conv.row.id);
    return;
  }
  auto json = std::make_shared<const std::string>(activity::serialize(a));
  pending.batch.append_activity(
      {conv.row.id, *seq, a.id, a.type, event_name_of(a), timestamp_of(a, clock.now()), *json});
  pending.deliveries.push_back({*seq, std::move(json), audience_of_type(a.type)});
}

void Engine::Impl::apply_turn(Conv& conv, Pending& pending, dialog::TurnResult&& turn,
                              const std::string& reply_to) {
  for (const auto& reply : turn.replies) {
    append(conv, pending, reply);
  }
  if (turn.handoff) {
    request_handoff(conv, pending, *turn.handoff, turn.resolved, reply_to);
  } else if (turn.resolved) {
    end_handoff(conv, pending, *turn.resolved);
  }
  if (turn.ended) {
    store_survey(conv, pending);
  }
  session_turn(conv, pending, turn);
}

void Engine::Impl::move_ownership(Conv& conv, Pending& pending, OwnershipEvent event) {
  auto next = transition(conv.ownership, event);
  if (!next.ok()) {
    spdlog::error("engine: conversation {}: {}", conv.row.id, next.error().message);
    return;
  }
  const Ownership before = conv.ownership;
  conv.ownership = *next;
  add_event(conv, pending, "ownership.changed",
            json::dump(bj::object{{"from", to_string(before.owner)},
                                  {"to", to_string(next->owner)},
                                  {"event", to_string(event)},
                                  {"handoffId", conv.open_handoff_id()}}));
  pending.events.emplace_back(OwnershipChanged{conv.row.id, before, *next, event});
}

void Engine::Impl::add_event(Conv& conv, Pending& pending, std::string kind,
                             std::string payload_json) {
  if (conv.next_event_seq == 0) {
    std::uint64_t last = 0;
    while (true) {
      auto page = store.read_events(conv.row.id, last, store::kMaxPageSize);
      if (!page.ok() || page->empty()) {
        break;
      }
      last = page->back().seq;
    }
    conv.next_event_seq = last + 1;
  }
  store::ConversationEvent e;
  e.conversation_id = conv.row.id;
  e.seq = conv.next_event_seq++;
  e.kind = std::move(kind);
  e.epoch = conv.ownership.epoch;
  e.time = clock.now();
  e.payload_json = std::move(payload_json);
  pending.batch.append_event(std::move(e));
}

void Engine::Impl::finish_batch(Conv& conv, Pending& pending, std::uint64_t previous_epoch,
                                bool dialog_changed) {
  if (dialog_changed &&
      conv.next_seq > 1) {  // nothing happened yet otherwise: a fresh runtime is the state
    store::DialogSnapshot snapshot;
    snapshot.conversation_id = conv.row.id;
    snapshot.seq = conv.next_seq - 1;
    snapshot.saved = clock.now();
    snapshot.json = json::dump(conv.runtime->snapshot());
    pending.batch.put_snapshot(std::move(snapshot));
  }
  session_store(conv, pending);
  conv.row.next_seq = conv.next_seq;
  conv.row.ownership = to_string(conv.ownership.owner);
  conv.row.epoch = conv.ownership.epoch;
  conv.row.closed = conv.ownership.owner == Owner::kClosed;
  conv.row.updated = clock.now();
  pending.batch.update_conversation(conv.row, previous_epoch);
}

}  // namespace baton::engine
