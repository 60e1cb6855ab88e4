// Subscriptions: replay from the store, then live batches, with no gap and no duplicate.
//
// Why this is gap-free: everything runs on the engine strand. At subscribe time the engine knows
// the last seq whose batch it has completed (`committed`); every such batch's store callback has
// run, so a store read sees all of it. The replay reads (after, committed] and the subscriber is
// registered in the same handler, before any later completion can run, so each later batch
// (seq > committed) reaches it through fan_out exactly once. Records with seq > committed that the
// read may already see (committed in SQLite, completion not yet run) are skipped by the replay.
#include <fmt/format.h>

#include <algorithm>

#include "engine/engine_impl.hpp"

namespace baton::engine {

Result<std::uint64_t> Engine::Impl::committed_watermark(const std::string& id) {
  if (auto it = conversations.find(id); it != conversations.end()) {
    return it->second->committed;
  }
  auto row = store.get_conversation(id);
  if (!row.ok()) {
    return row.error();
  }
  if (store::is_erased(*row)) {
    return store::erased_error(id);
  }
  return row->next_seq > 0 ? row->next_seq - 1 : 0;  // not loaded: nothing is in flight
}

void Engine::Impl::subscribe(const std::string& id, std::uint64_t after, std::string slot,
                             const std::shared_ptr<Subscriber>& subscriber,
                             const Callback<SubscriptionId>& done) {
  auto committed = committed_watermark(id);
  if (!committed.ok()) {
    done(committed.error());
    return;
  }
  auto& list = subscriptions[id];
  if (!slot.empty()) {
    auto old = std::find_if(list.begin(), list.end(),
                            [&](const SubscriptionEntry& e) { return e.slot == slot; });
    if (old != list.end()) {
      auto replaced = std::move(old->subscriber);
      list.erase(old);
      replaced->replaced();
    }
  }
  const SubscriptionId sub_id = next_subscription++;
  list.push_back({sub_id, std::move(slot), subscriber});

  for (std::uint64_t cursor = after; cursor < *committed;) {
    auto page = store.read_activities(id, cursor, store::kMaxPageSize);
    if (!page.ok()) {
      unsubscribe(id, sub_id);
      done(page.error());
      return;
    }
    std::vector<Delivery> deliveries;
    deliveries.reserve(page->size());
    for (auto& record : *page) {
      if (record.seq > *committed) {
        break;
      }
      cursor = record.seq;
      deliveries.push_back({record.seq, std::make_shared<const std::string>(std::move(record.json)),
                            audience_of_type(record.type)});
    }
    if (deliveries.empty()) {
      break;
    }
    subscriber->deliver(deliveries);
  }
  done(sub_id);
}

void Engine::Impl::unsubscribe(const std::string& id, SubscriptionId sub) {
  auto it = subscriptions.find(id);
  if (it == subscriptions.end()) {
    return;
  }
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [sub](const SubscriptionEntry& e) { return e.id == sub; }),
             list.end());
  if (list.empty()) {
    subscriptions.erase(it);
  }
}

void Engine::Impl::fan_out(const std::string& id, const std::vector<Delivery>& deliveries) {
  auto it = subscriptions.find(id);
  if (it == subscriptions.end()) {
    return;
  }
  for (const auto& entry : it->second) {
    entry.subscriber->deliver(deliveries);
  }
}

}  // namespace baton::engine
