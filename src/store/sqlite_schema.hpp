#pragma once
// The SQLite store's on-disk schema and its versioned migrations (internal to src/store).
//
// The schema version lives in the database header (`PRAGMA user_version`). Opening a database
// applies, in order, every migration step above its version; each step runs in its own
// transaction together with the version bump, so a crash mid-upgrade leaves the previous version
// intact. A database newer than this build is refused rather than guessed at.
//
// The table layout and its column encodings are documented beside the SQL in sqlite_schema.cpp.

#include <sqlite3.h>

#include <vector>

#include "core/result.hpp"

namespace baton::store::sqlite {

// The schema version this build writes.
inline constexpr int kSchemaVersion = 14;

struct Migration {
  int version;              // the version the database has after this step
  const char* description;  // for logs and errors
  const char* sql;          // one or more statements
};

// The ordered migration steps, versions 1..kSchemaVersion.
const std::vector<Migration>& migrations();

// Reads PRAGMA user_version (0 for a new, empty database).
Result<int> schema_version(sqlite3* db);

// Upgrades `db` to `target` (tests pass older targets to build old databases). kInvalidArgument
// if the database is newer than `target`; kIo if a step fails (that step is rolled back).
Status migrate(sqlite3* db, int target = kSchemaVersion);

}  // namespace baton::store::sqlite
