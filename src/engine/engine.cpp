// Engine's public API and scheduling: every call hops onto the strand, finds (or loads) the
// conversation, runs the operation when no batch is in flight for it (or queues it behind that
// batch), and completes each batch when the store's callback comes back.
#include "engine/engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>

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
  state->notify = std::move(pending.notify);
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
    spdlog::warn("engine: write for conversation {} failed ({}: {}); reloading it from the store",
                 id, to_string(status.error().code), status.error().message);
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
  if (pending.ack) {
    pending.ack(status);
  }
  if (!pending.deliveries.empty()) {
    fan_out(id, pending.deliveries);
  }
  for (auto& c : pending.committed) {
    c(status);
  }
  for (auto& n : pending.notify) {
    n();
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

void Engine::start_conversation(StartParams params, Callback<StartResult> done) {
  boost::asio::post(impl_->executor, [impl = impl_, params = std::move(params),
                                      done = std::move(done)]() { impl->start(params, done); });
}

void Engine::post_activity(std::string conversation_id, activity::Activity activity,
                           Callback<PostResult> done) {
  boost::asio::post(impl_->executor, [impl = impl_, id = std::move(conversation_id),
                                      a = std::move(activity), done = std::move(done)]() mutable {
    auto* self = impl.get();
    self->with_conversation(
        id,
        [self, a = std::move(a), done](Conv& conv) mutable {
          self->post(conv, std::move(a), done);
        },
        [done](Error e) { done(std::move(e)); });
  });
}

void Engine::post_as_owner(std::string conversation_id, Ownership claim,
                           activity::Activity activity, Callback<PostResult> done) {
  boost::asio::post(impl_->executor, [impl = impl_, id = std::move(conversation_id), claim,
                                      a = std::move(activity), done = std::move(done)]() mutable {
    auto* self = impl.get();
    self->with_conversation(
        id,
        [self, claim, a = std::move(a), done](Conv& conv) mutable {
          self->post_owner(conv, claim, std::move(a), done);
        },
        [done](Error e) { done(std::move(e)); });
  });
}

void Engine::post_notice(std::string conversation_id, activity::Activity activity,
                         Callback<PostResult> done) {
  boost::asio::post(impl_->executor, [impl = impl_, id = std::move(conversation_id),
                                      a = std::move(activity), done = std::move(done)]() mutable {
    auto* self = impl.get();
    self->with_conversation(
        id,
        [self, a = std::move(a), done](Conv& conv) mutable {
          self->notice(conv, std::move(a), done);
        },
        [done](Error e) { done(std::move(e)); });
  });
}

void Engine::change_ownership(std::string conversation_id, Ownership claim, OwnershipEvent event,
                              dialog::HandoffOutcome outcome, Callback<Ownership> done) {
  change_ownership(std::move(conversation_id), claim, event, outcome, HandoffEnd{},
                   std::move(done));
}

void Engine::change_ownership(std::string conversation_id, Ownership claim, OwnershipEvent event,
                              dialog::HandoffOutcome outcome, HandoffEnd end,
                              Callback<Ownership> done) {
  boost::asio::post(impl_->executor,
                    [impl = impl_, id = std::move(conversation_id), claim, event, outcome,
                     end = std::move(end), done = std::move(done)]() mutable {
                      auto* self = impl.get();
                      self->with_conversation(
                          id,
                          [self, claim, event, outcome, end, done](Conv& conv) {
                            self->change(conv, claim, event, outcome, end, done);
                          },
                          [done](Error e) { done(std::move(e)); });
                    });
}

void Engine::set_observer(EngineObserver* observer) {
  impl_->observer.store(observer);  // atomic: a destructor's nullptr takes effect at once
}

const std::shared_ptr<const dialog::CompiledBot>& Engine::bot() const { return impl_->bot; }

void Engine::subscribe(std::string conversation_id, std::uint64_t after_watermark, std::string slot,
                       std::shared_ptr<Subscriber> subscriber, Callback<SubscriptionId> done) {
  boost::asio::post(
      impl_->executor,
      [impl = impl_, id = std::move(conversation_id), after_watermark, slot = std::move(slot),
       subscriber = std::move(subscriber), done = std::move(done)]() mutable {
        impl->subscribe(id, after_watermark, std::move(slot), subscriber, done);
      });
}

void Engine::unsubscribe(std::string conversation_id, SubscriptionId id) {
  boost::asio::post(impl_->executor, [impl = impl_, conversation = std::move(conversation_id),
                                      id]() { impl->unsubscribe(conversation, id); });
}

void Engine::status(std::string conversation_id, Callback<ConversationStatus> done) {
  boost::asio::post(impl_->executor, [impl = impl_, id = std::move(conversation_id),
                                      done = std::move(done)]() mutable {
    impl->with_conversation(
        id,
        [done](Conv& conv) {
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
          done(std::move(s));
        },
        [done](Error e) { done(std::move(e)); });
  });
}

void Engine::set_agents_online(bool online) {
  auto impl = impl_;
  boost::asio::post(impl->executor, [impl, online] { impl->agents_online = online; });
}

void Engine::loaded_count(std::function<void(std::size_t)> done) {
  boost::asio::post(impl_->executor,
                    [impl = impl_, done = std::move(done)]() { done(impl->conversations.size()); });
}

}  // namespace baton::engine
