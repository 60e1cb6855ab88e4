#pragma once
// The SQLite implementation of Store: Baton's embedded default (`baton serve --data DIR` keeps
// DIR/baton.db plus its -wal and -shm files).
//
// Durability contract:
//   * WAL journal; synchronous=FULL by default: a batch's callback runs only after the commit that
//     contains it has been fsynced, so an acknowledged batch survives a process crash, kill -9 and
//     power loss (on storage that honours fsync). With synchronous=NORMAL, acknowledged batches
//     survive process crashes but the last ones may be lost on power loss or an OS crash.
//   * One writer thread applies batches by group commit: it drains up to max_group_batches queued
//     batches into one transaction (one fsync), each batch inside its own savepoint, so a batch
//     that violates a constraint is rolled back alone and the others still commit.
//   * A full disk is expected and passes: SQLite undoes the transaction that could not be
//     written, its batches fail with kUnavailable (certainly not applied), and until space is
//     free again submit() fails fast with kUnavailable and health() says so. The writer probes
//     every probe_interval with a one-row transaction, once the filesystem has resume_free_bytes
//     free (or a tenth of its size, whichever is smaller), and takes writes again by itself.
//     Checkpoints that meet a full disk are retried later.
//   * Any other storage failure (a failed write or fsync, a checkpoint I/O error) poisons the
//     store: the batches in flight fail with kIo and every later submit fails with kIo, and
//     health() is kFailed. Nothing is retried or silently skipped (after a failed fsync what
//     reached the disk is unknown); the process must be restarted once storage is fixed.
//   * Back-pressure: the queue holds at most queue_capacity batches; submit() fails fast with
//     kUnavailable beyond that (it never blocks the caller's thread).
//   * Automatic checkpoints are off; a background thread checkpoints (PASSIVE) periodically or when
//     the WAL grows past checkpoint_wal_pages, and truncates the WAL (TRUNCATE) once writes have
//     been idle for idle_truncate_after, so commits never pay for checkpoints.
//   * Reads run on a pool of up to max_readers connections, concurrently with the writer; each
//     read is one statement and sees a consistent snapshot containing every acknowledged batch.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace baton::store {

// The file name used inside a data directory.
inline constexpr const char* kSqliteFileName = "baton.db";

enum class Synchronous { kNormal, kFull };

// Parses "full" / "normal" (case-sensitive, as in configuration files).
Result<Synchronous> parse_synchronous(std::string_view text);

struct SqliteOptions {
  std::filesystem::path path;  // the database file; missing parent directories are created
  Synchronous synchronous = Synchronous::kFull;
  std::size_t queue_capacity = 8192;             // batches waiting for the writer
  std::size_t max_group_batches = 1024;          // batches per transaction; 1 disables group commit
  std::chrono::milliseconds busy_timeout{5000};  // waits for another process's locks
  // How often the checkpointer copies the WAL into the database. A longer interval and a larger
  // WAL let a hot page (a conversation row, the tail of its activity range) be rewritten several
  // times in the WAL but copied into the database once (measured in docs/BENCHMARKS.md, "Serve
  // over Direct Line").
  std::chrono::milliseconds checkpoint_interval{1000};
  // WAL size (pages) that wakes the checkpointer early. Past half of it, the writer finishes the
  // checkpointer's pass between two transactions so the WAL starts over (under continuous writes
  // nothing else makes it; sqlite_checkpointer.cpp). Each restart pauses commits for two fsyncs,
  // so the default (a WAL of at most about 256 MiB) keeps restarts rare (docs/BENCHMARKS.md,
  // "WAL restarts, handoff records, writer cache").
  std::uint32_t checkpoint_wal_pages = 65536;
  std::chrono::milliseconds idle_truncate_after{1000};
  // The writer connection's page cache: large enough for the hot pages of 1,000 active
  // conversations, so the writer does not re-read evicted pages on every turn (docs/BENCHMARKS.md,
  // same section).
  std::size_t writer_cache_kib = 32768;
  std::size_t max_readers = 8;  // read connections opened on demand; readers wait beyond this
  // After a full disk: how often the writer probes, and the free space it waits for first.
  std::chrono::milliseconds probe_interval{1000};
  std::uint64_t resume_free_bytes = std::uint64_t{64} << 20;
  std::string vfs;  // SQLite VFS name, "" = the platform default (tests inject faults)
};

// Opens (creating if needed) and migrates the database, then starts the writer and checkpointer
// threads. Errors: kIo when the directory or file cannot be created/opened or is not a database,
// kInvalidArgument for bad options or a schema newer than this build.
Result<std::unique_ptr<Store>> open_sqlite_store(SqliteOptions options);

}  // namespace baton::store
