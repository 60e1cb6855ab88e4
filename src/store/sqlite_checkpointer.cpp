// The SQLite store's background checkpointer: keeps WAL checkpoints off the commit path.
//
// Automatic checkpoints are disabled on the writer connection (they would run inside a commit and
// stall that commit for as long as the checkpoint takes, which shows as p99 spikes). Instead this
// thread, on its own connection:
//   * runs a PASSIVE checkpoint every checkpoint_interval when there were commits since the last
//     complete one, or at once when the writer's WAL hook reports the WAL passed
//     checkpoint_wal_pages. PASSIVE never blocks the writer or readers;
//   * once writes have been idle for idle_truncate_after, runs a TRUNCATE checkpoint, which resets
//     the WAL file to zero bytes. It needs the write lock briefly, which is harmless while idle;
//     it gives up quickly (short busy timeout) if readers are still on old snapshots.
//   * under continuous writes a PASSIVE checkpoint never catches up: frames are appended while it
//     copies, so the WAL is never fully backfilled when a transaction begins and SQLite never
//     restarts it (measured: 175 MB of WAL after 15 s at 3,000 turns/s, and past
//     checkpoint_wal_pages every commit woke this thread again). So once the WAL is past half of
//     checkpoint_wal_pages and the passes left at most kWriterMaxFrames frames behind, the writer
//     thread copies those between two transactions (finish_checkpoint): a short pause of the
//     commit path, after which the next transaction writes the WAL from its first frame again.
// An I/O error here poisons the store like a failed commit; SQLITE_BUSY just means "try later".
#include <fmt/format.h>

#include "store/sqlite_store_impl.hpp"

namespace baton::store::sqlite {
namespace {

constexpr int kTruncateBusyTimeoutMs = 50;
// With a large WAL, up to kCatchUpPasses more passes run while more than kCatchUpTarget frames are
// left; the writer is then asked to copy the rest if that is at most kWriterMaxFrames (4 MiB at
// 4 KiB pages), which bounds its pause.
constexpr int kCatchUpPasses = 3;
constexpr std::int64_t kCatchUpTarget = 256;
constexpr std::int64_t kWriterMaxFrames = 1024;
// Passes are at least this far apart, even when the WAL stays above checkpoint_wal_pages (a
// reader on an old snapshot can keep it from restarting).
constexpr auto kMinPassGap = std::chrono::milliseconds(50);

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
    checkpoint_cv_.wait_for(lock, kMinPassGap, [this] { return checkpoint_stop_; });
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
  auto pass = checkpoint_pass(mode, commits);
  if (!pass || mode != SQLITE_CHECKPOINT_PASSIVE) {
    return;
  }
  // Only a large WAL is worth pausing the writer for, to start it over.
  const bool large = pass->log_frames >= static_cast<int>(options_.checkpoint_wal_pages / 2);
  // Frames committed while a pass ran are left over: catch up with short passes first.
  auto behind = [this](const Pass& p) {
    return static_cast<std::int64_t>(wal_frames_.load()) - p.checkpointed_frames;
  };
  for (int i = 0; large && i < kCatchUpPasses && behind(*pass) > kCatchUpTarget; ++i) {
    pass = checkpoint_pass(SQLITE_CHECKPOINT_PASSIVE, commits);
    if (!pass) {
      return;
    }
  }
  // SQLite syncs the database file only after a pass that reached the end of the WAL, which under
  // continuous writes none does; the next complete checkpoint (the writer's) would then wait for
  // every page copied since. Sync here, off the commit path.
  if (Status synced = sync_database_file(); !synced.ok()) {
    poison(synced.error());
    return;
  }
  if (large && behind(*pass) <= kWriterMaxFrames) {
    finish_wanted_.store(true);
  }
}

std::optional<SqliteStore::Pass> SqliteStore::checkpoint_pass(int mode, std::uint64_t commits) {
  Pass pass;
  int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_.get(), nullptr, mode, &pass.log_frames,
                                     &pass.checkpointed_frames);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    return std::nullopt;  // readers or the writer are in the way; the next round retries
  }
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(checkpoint_db_.get(), rc,
                               mode == SQLITE_CHECKPOINT_TRUNCATE ? "WAL checkpoint (truncate)"
                                                                  : "WAL checkpoint (passive)");
    if (error.code != ErrorCode::kNoSpace) {
      poison(error);  // a full disk only delays the checkpoint: the WAL keeps every frame
    }
    return std::nullopt;
  }
  if (pass.log_frames == pass.checkpointed_frames) {
    // Everything in the WAL reached the database file; otherwise keep state so we retry.
    checkpointed_through_ = commits;
    wal_truncated_ = mode == SQLITE_CHECKPOINT_TRUNCATE;
    checkpoints_.fetch_add(1);
  }
  return pass;
}

Status SqliteStore::sync_database_file() {
  sqlite3_file* file = nullptr;
  int rc = sqlite3_file_control(checkpoint_db_.get(), "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr) {
    return {};  // no file to sync (never expected for an on-disk database)
  }
  rc = file->pMethods->xSync(
      file, options_.synchronous == Synchronous::kFull ? SQLITE_SYNC_FULL : SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK) {
    return sqlite_error(checkpoint_db_.get(), rc, "database file sync after a checkpoint");
  }
  return {};
}

void SqliteStore::finish_checkpoint() {
  int log_frames = 0;
  int checkpointed_frames = 0;
  const std::int64_t started_ns = steady_now_ns();
  int rc = sqlite3_wal_checkpoint_v2(writer_db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                     &log_frames, &checkpointed_frames);
  keep_longest(max_finish_us_, static_cast<std::uint64_t>((steady_now_ns() - started_ns) / 1000));
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    return;  // the checkpointer is in a pass; it asks again after it
  }
  if (rc != SQLITE_OK) {
    if (Error error = sqlite_error(writer_db_.get(), rc, "WAL checkpoint (writer)");
        error.code != ErrorCode::kNoSpace) {
      poison(error);
    }
    return;
  }
  if (log_frames > 0 && log_frames == checkpointed_frames) {
    wal_restarts_.fetch_add(1);  // the next transaction starts the WAL over (readers permitting)
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
