#pragma once
// The PostgreSQL implementation of Store (`baton serve --store postgresql://...`): for operators
// who keep their data in a PostgreSQL server they already run, replicate, back up and monitor.
//
// Contract (the same as the SQLite store's where store.hpp says so):
//   * Durability: every session sets synchronous_commit = on, so a batch's callback runs only after
//     the COMMIT containing it returned, i.e. after the server flushed that commit's WAL (and, with
//     synchronous replication configured on the server, after the standbys confirmed it).
//   * One writer connection and thread, group commit: it takes up to max_group_batches queued
//     batches into one transaction, each inside its own SAVEPOINT, so a batch that breaks a
//     constraint is rolled back alone and the others commit. The statements of a group are sent
//     as one libpq pipeline (no round trip per statement). Positions (hub log, audit log, event
//     log) come from identity sequences that only this writer draws from, inside its transactions,
//     so they increase in commit order. This assumes ONE writing Baton process per database
//     (`baton agent` commands touch only the agents table, which has no position).
//   * The server going away is a passing failure, not a poisoning: while it is unreachable,
//     submit() fails fast with kUnavailable and health() says kUnavailable with the reason; the
//     writer reconnects by itself with exponential backoff (reconnect_min doubling to
//     reconnect_max) and the store is writable again once a connection is up. Batches that were
//     queued or in flight when the connection failed get kUnavailable when they were surely not
//     applied (the server reported the failure before the COMMIT, or nothing was sent), and kIo
//     when the connection broke while the COMMIT was outstanding: their fate is unknown, so they
//     are never acknowledged (a retry may meet kConflict if they did land).
//   * Server errors that are neither a batch's own (constraints) nor passing (classes 08, 40, 53,
//     57) — a missing table, corruption — poison the store as storage failures do for SQLite:
//     every later submit fails with kIo and health() is kFailed until the process restarts.
//   * Back-pressure: at most queue_capacity batches wait; beyond that submit() fails fast with
//     kUnavailable.
//   * Reads run on a pool of up to max_readers connections of their own, so a slow read never
//     blocks the writer; each read is one statement (READ COMMITTED) and sees every batch whose
//     callback has run. A read whose pooled connection turns out broken is retried once on a new
//     connection; while the server is unreachable reads fail with kUnavailable.
//   * Schema: versioned migrations applied at open under an advisory lock (pg_schema.hpp); a
//     database whose schema is newer than this build is refused.
//   * Connection strings may hold passwords: messages and logs name only host and database
//     (describe_postgres_target).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace baton::store {

struct PgOptions {
  // A libpq connection string: a postgresql:// URI or keyword=value pairs; "host=/run/postgresql"
  // (a directory) connects over the Unix socket in it.
  std::string conninfo;
  std::size_t queue_capacity = 8192;     // batches waiting for the writer
  std::size_t max_group_batches = 1024;  // batches per transaction; 1 disables group commit
  // How one batch of a group fails alone: true, each batch inside its own SAVEPOINT (rolled back
  // to on failure); false, the group's transaction is rolled back and replayed without the
  // failed batch (no subtransactions; a failure costs a replay). Measured in docs/BENCHMARKS.md.
  bool savepoints = true;
  std::size_t max_readers = 8;  // read connections opened on demand; readers wait beyond
  std::chrono::milliseconds reconnect_min{100};   // first retry after a lost connection
  std::chrono::milliseconds reconnect_max{5000};  // the backoff doubles up to this
  int connect_timeout_s = 5;  // per attempt, unless the connection string sets connect_timeout
};

// Connects, migrates the schema and starts the writer thread. Errors: kInvalidArgument for a
// malformed connection string, bad options or a schema newer than this build; kUnavailable when
// the server cannot be reached or refuses the login (the message says which, without secrets);
// kIo when a migration step fails.
Result<std::unique_ptr<Store>> open_pg_store(PgOptions options);

// True when a --store value is meant for this store (a postgresql:// or postgres:// URI, or libpq
// keyword=value pairs).
bool is_postgres_target(std::string_view store);

// "host:port/database" of a connection string, for logs and messages (never the password).
std::string describe_postgres_target(const std::string& conninfo);

}  // namespace baton::store
