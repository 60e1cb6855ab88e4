// Engine's public API and scheduling: every call hops onto the strand, finds (or loads) the
// conversation, runs the operation when no batch is in flight for it (or queues it behind that
// batch), and completes each batch when the store's callback comes back.
#include "engine/engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>

#include "core/strand.hpp"
#include "engine/engine_impl.hpp"

namespace baton::engine {

std::string make_activity_id(std::string_view conversation_id, std::uint64_t seq) {
  return fmt::format("{}|{:07}", conversation_id, seq);
}

std::optional<std::uint64_t> parse_activity_seq(std::string_view activity_id,
                                                std::string_view conversation_id) {
  if (activity_id.size() <= conversation_id.size() + 1 ||
      activity_id.substr(0, conversation_id.size()) != conversation_id ||
      activity_id[conversation_id.size()] != '|') {
    return std::nullopt;
  }
  const std::string_view digits = activity_id.substr(conversation_id.size() + 1);
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return seq;
}

Audience audience_of_type(std::string_view type) {
  if (type == "message" || type == "endOfConversation") {
    return Audience::kCustomer;
  }
  if (type == "typing") {
    return Audience::kCustomerLiveOnly;
  }
  return Audience::kInternal;
}

Engine::Impl::Impl(boost::asio::any_io_executor executor_value, store::Store& store_ref,
                   std::shared_ptr<const dialog::CompiledBot> bot_value, const Clock& clock_ref,
                   EngineOptions options_value)
    : executor(std::move(executor_value)),
      store(store_ref),
      bot(std::move(bot_value)),
      clock(clock_ref),
      options(std::move(options_value)) {
  bot_account = {bot->bot().id, bot->bot().name, "bot"};
  if (options.max_loaded_conversations == 0) {
    options.max_loaded_conversations = 1;
  }
}

void Engine::Impl::with_conversation(const std::string& id, std::function<void(Conv&)> op,
                                     std::function<void(Error)> fail) {
  Conv* conv = nullptr;
  if (auto it = conversations.find(id); it != conversations.end()) {
    conv = it->second.get();
  } else {
    auto loaded = load(id);
    if (!loaded.ok()) {
      fail(loaded.error());
      return;
    }
    conv = *loaded;
  }
  touch(*conv);
  if (conv->busy || !conv->waiting.empty()) {
    if (conv->waiting.size() >= options.max_waiting_per_conversation) {
      fail(make_error(ErrorCode::kUnavailable,
                      "too many activities waiting for this conversation; retry later"));
      return;
    }
    conv->waiting.push_back({std::move(op), std::move(fail)});
    return;
  }
  op(*conv);
  evict_idle();
}

void Engine::Impl::submit(Conv& conv, Pending&& pending) {
  conv.busy = true;
  const std::string id = conv.row.id;
  const std::uint64_t last_seq = conv.next_seq - 1;
  auto state = std::make_shared<Pending>();
  state->deliveries = std::move(pending.deliveries);
  state->ack = std::move(pending.ack);
  state->committed = std::move(pending.committed);
  state->events = std::move(pending.events);
  state->to_bot = std::move(pending.to_bot);
  std::weak_ptr<Impl> weak = weak_from_this();
  auto finish = [weak, exec = executor, id, state, last_seq](Status status) {
    boost::asio::post(exec, [weak, id, state, last_seq, status = std::move(status)]() {
      if (auto self = weak.lock()) {
        self->complete(id, status, std::move(*state), last_seq);
      }
    });
  };
  Status accepted = store.submit(std::move(pending.batch), finish);
  if (!accepted.ok()) {
    finish(std::move(accepted));  // never applied: complete it like a failed commit, later
  }
}

void Engine::Impl::complete(const std::string& id, const Status& status, Pending&& pending,
                            std::uint64_t last_seq) {
  if (!status.ok()) {
    // A store that is not taking writes (kUnavailable: a full disk, an unreachable database)
    // refuses every turn until it recovers, and says so itself (serve's health monitor): one line
    // per refused turn would only flood the log.
    spdlog::log(
        status.error().code == ErrorCode::kUnavailable ? spdlog::level::debug : spdlog::level::warn,
        "engine: write for conversation {} failed ({}: {}); reloading it from the store", id,
        to_string(status.error().code), status.error().message);
    if (pending.ack) {
      pending.ack(status);
    }
    for (auto& c : pending.committed) {
      c(status);
    }
    drop(id);
    return;
  }
  if (auto it = conversations.find(id); it != conversations.end()) {
    Conv& conv = *it->second;
    conv.busy = false;
    conv.committed = std::max(conv.committed, last_seq);
    // Everything the runtime recorded is stored now: it need not hold the transcript (a handoff
    // reads it back, handoff_transcript), so an idle runtime costs its state only.
    if (conv.runtime) {
      conv.runtime->forget_transcript();
      conv.transcript_after = conv.committed;  // notices and agent messages included
    }
  }
  // An external bot's copies first: queued before the caller hears back (the sink only queues).
  if (bot_sink) {
    for (const auto& a : pending.to_bot) {
      bot_sink(a);
    }
  }
  if (pending.ack) {
    pending.ack(status);
  }
  if (!pending.deliveries.empty()) {
    fan_out(id, pending.deliveries);
  }
  for (auto& c : pending.committed) {
    c(status);
  }
  if (EngineListener* l = listener.load()) {
    for (const auto& e : pending.events) {
      l->on_event(e);
    }
  }
  run_waiting(id);
  evict_idle();
}

void Engine::Impl::drop(const std::string& id) {
  auto it = conversations.find(id);
  if (it == conversations.end()) {
    return;
  }
  std::deque<WaitingOp> waiting = std::move(it->second->waiting);
  lru.erase(it->second->lru);
  conversations.erase(it);
  for (auto& w : waiting) {
    // Reloads from the store; once one of them is in flight the rest queue behind it again.
    with_conversation(id, std::move(w.op), std::move(w.fail));
  }
}

void Engine::Impl::run_waiting(const std::string& id) {
  while (true) {
    auto it = conversations.find(id);
    if (it == conversations.end() || it->second->busy || it->second->waiting.empty()) {
      return;
    }
    WaitingOp next = std::move(it->second->waiting.front());
    it->second->waiting.pop_front();
    next.op(*it->second);  // may submit (busy again) or answer at once
  }
}

void Engine::Impl::touch(Conv& conv) {
  if (conv.lru != lru.begin()) {
    lru.splice(lru.begin(), lru, conv.lru);
  }
}

void Engine::Impl::evict_idle() {
  auto it = lru.end();
  while (conversations.size() > options.max_loaded_conversations && it != lru.begin()) {
    auto victim = std::prev(it);
    auto found = conversations.find(*victim);
    if (found->second->busy || !found->second->waiting.empty()) {
      it = victim;
      continue;
    }
    conversations.erase(found);
    lru.erase(victim);
  }
}

// --- public API: hop onto the strand

Engine::Engine(boost::asio::any_io_executor executor, store::Store& store,
               std::shared_ptr<const dialog::CompiledBot> bot, const Clock& clock,
               EngineOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), store, std::move(bot), clock,
                                   std::move(options))) {}

Engine::~Engine() = default;

namespace {

// Runs `op(impl, conv)` on the strand with the conversation loaded and no batch of it in flight
// (queued behind one otherwise); load errors and a full queue go to `done`.
template <class T, class Op>
void on_conversation(const std::shared_ptr<Engine::Impl>& impl, std::string id, Callback<T> done,
                     Op&& op) {
  boost::asio::post(impl->executor, [impl, id = std::move(id), done = std::move(done),
                                     op = std::forward<Op>(op)]() mutable {
    Engine::Impl* self = impl.get();
    self->with_conversation(
        id, [self, done, op = std::move(op)](Conv& conv) mutable { op(*self, conv, done); },
        [done](Error e) { done(std::move(e)); });
  });
}

}  // namespace

void Engine::start_conversation(StartParams params, Callback<StartResult> done) {
  on_strand(impl_, [params = std::move(params), done = std::move(done)](Impl& self) {
    self.start(params, done);
  });
}

void Engine::post_activity(std::string conversation_id, activity::Activity activity,
                           Callback<PostResult> done) {
  // Timed from here (the customer's receipt) to the acknowledgement, waits included.
  auto timed = [metrics = impl_->turn_metrics, received = std::chrono::steady_clock::now(),
                done = std::move(done)](Result<PostResult> result) {
    if (result.ok()) {
      metrics->turns.add();
      metrics->seconds.observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
    }
    done(std::move(result));
  };
  on_conversation(
      impl_, std::move(conversation_id), Callback<PostResult>(std::move(timed)),
      [a = std::move(activity)](Impl& self, Conv& conv, const Callback<PostResult>& cb) mutable {
        self.post(conv, std::move(a), cb);
      });
}

void Engine::post_as_owner(PostAsOwner command, Callback<PostResult> done) {
  std::string id = command.conversation;
  on_conversation(
      impl_, std::move(id), std::move(done),
      [c = std::move(command)](Impl& self, Conv& conv, const Callback<PostResult>& cb) mutable {
        self.post_owner(conv, std::move(c), cb);
      });
}

void Engine::post_notice(PostNotice command, Callback<PostResult> done) {
  std::string id = command.conversation;
  on_conversation(impl_, std::move(id), std::move(done),
                  [a = std::move(command.activity)](Impl& self, Conv& conv,
                                                    const Callback<PostResult>& cb) mutable {
                    self.notice(conv, std::move(a), cb);
                  });
}

void Engine::record_wrap_up(RecordWrapUp command, Callback<bool> done) {
  std::string id = command.conversation;
  on_conversation(impl_, std::move(id), std::move(done),
                  [c = std::move(command)](Impl& self, Conv& conv, const Callback<bool>& cb) {
                    self.wrap_up(conv, c, cb);
                  });
}

void Engine::post_bot_reply(BotReply reply, Callback<PostResult> done) {
  std::string id = reply.conversation;
  on_conversation(impl_, std::move(id), std::move(done),
                  [a = std::move(reply.activity)](Impl& self, Conv& conv,
                                                  const Callback<PostResult>& cb) mutable {
                    self.bot_reply(conv, std::move(a), cb);
                  });
}

void Engine::change_ownership(ChangeOwnership command, Callback<Ownership> done) {
  std::string id = command.conversation;
  on_conversation(impl_, std::move(id), std::move(done),
                  [c = std::move(command)](Impl& self, Conv& conv, const Callback<Ownership>& cb) {
                    self.change(conv, c, cb);
                  });
}

void Engine::erase_conversation(std::string conversation_id, Callback<ErasedConversation> done) {
  on_conversation(impl_, std::move(conversation_id), std::move(done),
                  [](Impl& self, Conv& conv, const Callback<ErasedConversation>& cb) {
                    self.remove(conv, true, cb);
                  });
}

void Engine::expire_conversation(std::string conversation_id, TimePoint idle_before,
                                 Callback<bool> done) {
  on_strand(impl_, [id = std::move(conversation_id), idle_before,
                    done = std::move(done)](Impl& self) { self.expire(id, idle_before, done); });
}

void Engine::expire_handoffs(std::string conversation_id, TimePoint ended_before,
                             Callback<std::size_t> done) {
  on_strand(impl_, [id = std::move(conversation_id), ended_before, done = std::move(done)](
                       Impl& self) { self.expire_handoffs(id, ended_before, done); });
}

void Engine::end_idle_sessions(TimePoint idle_before, std::size_t limit,
                               Callback<std::size_t> done) {
  on_strand(impl_, [idle_before, limit, done = std::move(done)](Impl& self) {
    self.end_idle_sessions(idle_before, limit, done);
  });
}

void Engine::start_session_sweep() {
  on_strand(impl_, [](Impl& self) {
    if (!self.session_sweep) {
      self.session_sweep.emplace(self.executor);
      self.schedule_session_sweep();
    }
  });
}

void Engine::stop_session_sweep() {
  on_strand(impl_, [](Impl& self) { self.session_sweep.reset(); });
}

void Engine::set_listener(EngineListener* listener) {
  impl_->listener.store(listener);  // atomic: a destructor's nullptr takes effect at once
}

void Engine::set_handoff_hook(HandoffHook hook) {
  on_strand(impl_,
            [hook = std::move(hook)](Impl& self) mutable { self.handoff_hook = std::move(hook); });
}

void Engine::set_availability_hook(AvailabilityHook hook) {
  on_strand(impl_, [hook = std::move(hook)](Impl& self) mutable {
    self.availability_hook = std::move(hook);
  });
}

void Engine::set_bot_sink(BotSink sink) {
  on_strand(impl_,
            [sink = std::move(sink)](Impl& self) mutable { self.bot_sink = std::move(sink); });
}

const std::shared_ptr<const dialog::CompiledBot>& Engine::bot() const { return impl_->bot; }

void Engine::subscribe(std::string conversation_id, std::uint64_t after_watermark, std::string slot,
                       std::shared_ptr<Subscriber> subscriber, Callback<SubscriptionId> done) {
  on_strand(impl_,
            [id = std::move(conversation_id), after_watermark, slot = std::move(slot),
             subscriber = std::move(subscriber), done = std::move(done)](Impl& self) mutable {
              self.subscribe(id, after_watermark, std::move(slot), subscriber, done);
            });
}

void Engine::unsubscribe(std::string conversation_id, SubscriptionId id) {
  on_strand(impl_, [conversation = std::move(conversation_id), id](Impl& self) {
    self.unsubscribe(conversation, id);
  });
}

void Engine::status(std::string conversation_id, Callback<ConversationStatus> done) {
  on_conversation(impl_, std::move(conversation_id), std::move(done),
                  [](Impl&, Conv& conv, const Callback<ConversationStatus>& cb) {
                    ConversationStatus s;
                    s.id = conv.row.id;
                    s.user_id = conv.row.user_id;
                    s.channel_id = conv.row.channel_id;
                    s.ownership = conv.ownership;
                    s.flow = conv.runtime->state();
                    s.watermark = conv.committed;
                    s.open_handoff_id = conv.open_handoff_id();
                    s.created = conv.row.created;
                    s.updated = conv.row.updated;
                    cb(std::move(s));
                  });
}

void Engine::set_agents_online(SetAgentsOnline command) {
  on_strand(impl_, [online = command.online](Impl& self) { self.agents_online = online; });
}

EngineStats Engine::stats() const {
  return {impl_->turn_metrics->turns.value(), impl_->turn_metrics->seconds.snapshot()};
}

void Engine::loaded_count(std::function<void(std::size_t)> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) { done(self.conversations.size()); });
}

}  // namespace baton::engine
