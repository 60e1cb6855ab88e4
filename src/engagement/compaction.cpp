// Compaction: the hub's snapshot and the trim of its log, in one batch, when the hub is quiescent.
//
// Why the result is exact. Startup restores the stored snapshot and replays the hub log records
// left after it, so the two must agree: the snapshot must hold exactly the inputs of the records
// the batch deletes (those committed before it), and every record left must be of an input
// applied after the snapshot.
//  1. Each store applies batches in submission order: one writer takes them from a FIFO queue;
//     a group commits them in that order, each in its own savepoint (or, for PostgreSQL without
//     savepoints, by sending the group again without a failed batch, still in order); a batch
//     that fails is left out on its own and never retried later. Snapshot and log are read only
//     by replay() (startup, and rebuild(), which waits for a compaction in flight), so no reader
//     sees the new snapshot with the old log or the reverse between its two reads.
//  2. The snapshot is taken and its batch submitted in one handler on the strand, only while
//     `steps` is empty. Every applied input that is logged has a Step from the moment it is
//     applied until its record's outcome is known, including a handoff's submission, whose
//     record rides in the engine's turn batch: the engine submits that batch after the hook
//     returns (today in the same handler, but its contract only says "nothing is stored yet"),
//     and the step leaves `steps` only after the turn's commit callback. So with `steps` empty,
//     every input applied so far has its record durable (a failed one sets rebuild_pending,
//     which also stops compaction until the hub is rebuilt from the store), and the records
//     committed before the batch are exactly those of the inputs in the snapshot.
//  3. Any input applied later gets its record submitted later — from input() at once, or in an
//     engine turn that is submitted after its hook ran — so after the compaction batch: the trim
//     does not touch it and replay applies it on top of the snapshot.
// Decision-free Ticks are applied without a record; their effect (the hub's time) is in the
// snapshot as in the live hub. A failed batch changes nothing: snapshot and log stay as they
// were (a kIo of unknown fate leaves one consistent pair or the other), and a later attempt
// covers more.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "core/json.hpp"
#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {

void Engagement::Impl::maybe_compact() {
  if (!started || stopped || rebuild_pending || !steps.empty() || compaction_in_flight) {
    return;
  }
  const bool due = options.compact_after > 0 && logged_since_snapshot >= options.compact_after &&
                   !compaction_failed_since_tick;
  if (!due && compact_waiters.empty()) {
    return;
  }
  auto waiters = std::make_shared<std::vector<Callback<bool>>>(std::move(compact_waiters));
  compact_waiters.clear();
  const std::uint64_t covered = logged_since_snapshot;
  store::WriteBatch batch;
  batch.put_meta(detail::kHubSnapshotKey, json::dump(hub->snapshot()));
  batch.clear_hub_log();
  compaction_in_flight = true;
  std::weak_ptr<Impl> weak = weak_from_this();
  auto finish = [weak, exec = executor, waiters, covered](const Status& status) {
    boost::asio::post(exec, [weak, waiters, covered, status] {
      if (auto self = weak.lock()) {
        self->compacted(status, covered);
      }
      for (const auto& done : *waiters) {
        if (status.ok()) {
          done(true);
        } else {
          done(status.error());
        }
      }
    });
  };
  if (Status accepted = store.submit(std::move(batch), finish); !accepted.ok()) {
    finish(accepted);
  }
}

void Engagement::Impl::compacted(const Status& status, std::uint64_t covered) {
  compaction_in_flight = false;
  if (status.ok()) {
    spdlog::info("engagement: the hub was snapshotted and {} hub log records before it deleted",
                 covered);
    logged_since_snapshot -= std::min(covered, logged_since_snapshot);
  } else {
    spdlog::warn(
        "engagement: compacting the hub log failed ({}); it stays as it is until a later "
        "attempt",
        status.error().message);
    compaction_failed_since_tick = true;
  }
  drain();  // a rebuild waiting for this batch, or compact() callers who came meanwhile
}

void Engagement::compact(Callback<bool> done) {
  on_strand(impl_, [done = std::move(done)](Impl& self) {
    if (!self.started || self.stopped) {
      done(make_error(ErrorCode::kUnavailable, "the engagement hub is not running"));
      return;
    }
    self.compact_waiters.push_back(done);
    self.maybe_compact();
  });
}

}  // namespace baton::engagement
