// The SQLite store's background checkpointer: keeps WAL checkpoints off the commit path.
//
// Automatic checkpoints are disabled on the writer connection (they would run inside a commit and
// cause the p99 spikes measured in performance.md A4). Instead this thread, on its own connection:
//   * runs a PASSIVE checkpoint every checkpoint_interval when there were commits since the last
//     complete one, or at once when the writer's WAL hook reports the WAL passed
//     checkpoint_wal_pages. PASSIVE never blocks the writer or readers;
//   * once writes have been idle for idle_truncate_after, runs a TRUNCATE checkpoint, which resets
//     the WAL file to zero bytes. It needs the write lock briefly, which is harmless while idle;
//     it gives up quickly (short busy timeout) if readers are still on old snapshots.
// An I/O error here poisons the store like a failed commit; SQLITE_BUSY just means "try later".
#include <fmt/format.h>

#include "store/sqlite_store_impl.hpp"

namespace baton::store::sqlite {
namespace {

constexpr int kTruncateBusyTimeoutMs = 50;

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void SqliteStore::checkpoint_loop() {
  sqlite3_busy_timeout(checkpoint_db_.get(), kTruncateBusyTimeoutMs);
  std::unique_lock lock(checkpoint_mu_);
  while (!checkpoint_stop_) {
    checkpoint_cv_.wait_for(lock, options_.checkpoint_interval,
                            [this] { return checkpoint_stop_ || checkpoint_wake_; });
    if (checkpoint_stop_) {
      break;
    }
    checkpoint_wake_ = false;
    lock.unlock();
    checkpoint_once();
    lock.lock();
  }
}

void SqliteStore::checkpoint_once() {
  if (poisoned_.load()) {
    return;
  }
  const std::uint64_t commits = transactions_.load();
  const auto idle_ns = steady_now_ns() - last_commit_ns_.load();
  const bool idle = idle_ns >= std::chrono::nanoseconds(options_.idle_truncate_after).count();
  const bool new_commits = commits != checkpointed_through_;
  if (!new_commits && (wal_truncated_ || !idle)) {
    return;
  }
  const int mode = idle ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
  int log_frames = 0;
  int checkpointed_frames = 0;
  int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_.get(), nullptr, mode, &log_frames,
                                     &checkpointed_frames);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    return;  // readers or the writer are in the way; the next round retries
  }
  if (rc != SQLITE_OK) {
    poison(sqlite_error(checkpoint_db_.get(), rc,
                        mode == SQLITE_CHECKPOINT_TRUNCATE ? "WAL checkpoint (truncate)"
                                                           : "WAL checkpoint (passive)"));
    return;
  }
  if (log_frames == checkpointed_frames) {
    // Everything in the WAL reached the database file; otherwise keep state so we retry.
    checkpointed_through_ = commits;
    wal_truncated_ = mode == SQLITE_CHECKPOINT_TRUNCATE;
    checkpoints_.fetch_add(1);
  }
}

void SqliteStore::stop_checkpointer() {
  {
    std::lock_guard lock(checkpoint_mu_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.notify_one();
  if (checkpointer_.joinable()) {
    checkpointer_.join();
  }
}

// On clean shutdown (no thread left using the database) fold the WAL into the database file and
// truncate it, so the next open starts with an empty WAL.
Status SqliteStore::final_checkpoint() {
  int rc = sqlite3_wal_checkpoint_v2(writer_db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                     nullptr);
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
    return sqlite_error(writer_db_.get(), rc, "final WAL checkpoint");
  }
  return {};
}

}  // namespace baton::store::sqlite
