#pragma once
// Copies a SQLite deployment into PostgreSQL (`baton store migrate --from DIR --to URI`): every
// table — conversations with their snapshots, activities, handoffs, conversation events, hub log,
// agents, audit log, meta, analytics cells, ended and open analytics sessions, canned responses —
// in one PostgreSQL transaction, keeping the positions of the hub, audit and event logs (and moving
// their sequences past them), then checks the row count of every table on both sides.
//
// The SQLite database is first opened as a store (which upgrades an older schema, as `baton serve`
// would), then read in one read transaction: stop `baton serve` on it first, or later writes are
// not copied. The PostgreSQL schema is created or upgraded as open_pg_store does. Nothing is
// written to PostgreSQL unless the whole copy commits.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace baton::store {

struct CopyOptions {
  std::filesystem::path sqlite_path;  // DIR/baton.db
  std::string pg_conninfo;
  // Copy even when the target already holds rows (ids that exist there fail the copy with
  // kConflict, and nothing is written).
  bool allow_non_empty = false;
};

// One table's outcome: rows read from SQLite, and how many more rows PostgreSQL holds afterwards.
struct TableCopy {
  std::string table;
  std::uint64_t source_rows = 0;
  std::uint64_t copied_rows = 0;
};

// Errors: kNotFound when there is no database at sqlite_path; kConflict when the target is not
// empty (the message gives its counts) or a copied row collides with one there; kUnavailable when
// PostgreSQL cannot be reached; kIo when a count differs after the copy or a read fails. The
// messages name host and database, never a password.
Result<std::vector<TableCopy>> copy_sqlite_to_postgres(const CopyOptions& options);

}  // namespace baton::store
