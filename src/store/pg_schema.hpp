#pragma once
// The PostgreSQL store's schema and its versioned migrations (internal to src/store).
//
// The version is the one row of `baton_schema`. Opening applies, in order, every step above it,
// holding a session advisory lock (kMigrationLockKey) so that several Baton processes starting
// against one database upgrade it once; each step runs in its own transaction together with the
// version bump, so a failure mid-upgrade leaves the previous version intact. A database newer than
// this build is refused rather than guessed at.
//
// The table layout and its column encodings are documented beside the SQL in pg_schema.cpp.

#include <cstdint>
#include <vector>

#include "core/result.hpp"
#include "store/pg_conn.hpp"

namespace baton::store::pg {

// The schema version this build writes.
inline constexpr int kSchemaVersion = 7;

// The advisory lock held while migrating ("baton" in ASCII).
inline constexpr std::int64_t kMigrationLockKey = 0x626174'6f6e;

struct Migration {
  int version;              // the version the database has after this step
  const char* description;  // for logs and errors
  const char* sql;          // one or more statements
};

// The ordered migration steps, versions 1..kSchemaVersion.
const std::vector<Migration>& migrations();

// The database's schema version: 0 for a database Baton never used.
Result<int> schema_version(Conn& conn);

// Upgrades the database to `target` under the advisory lock. kInvalidArgument if the database is
// newer than `target`; kIo if a step fails (that step is rolled back); kUnavailable if the
// connection is lost.
Status migrate(Conn& conn, int target = kSchemaVersion);

}  // namespace baton::store::pg
