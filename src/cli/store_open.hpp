#pragma once
// Which store a command works on: `--store` (or $BATON_STORE) names a PostgreSQL database by its
// libpq connection string; without it, the SQLite store in the data directory (DATA/baton.db).
// Shared by `baton serve`, `baton agent ...` and `baton store migrate`.

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace baton::cli {

// The environment variable --store falls back to (also set in deploy/baton.default).
inline constexpr const char* kStoreEnv = "BATON_STORE";

// The help text of --store, the same for every command.
inline constexpr const char* kStoreHelp =
    "PostgreSQL connection string (postgresql://user@host:port/db, or libpq keyword=value pairs, "
    "e.g. host=/run/postgresql dbname=baton) instead of SQLite in the data directory";

// "PostgreSQL at host:port/db" or "SQLite at DATA/baton.db", for log lines (never a password).
std::string describe_store(const std::string& store, const std::filesystem::path& data_dir);

// Opens the store: PostgreSQL when `store` is non-empty (kInvalidArgument when it is not a
// connection string; sqlite.max_group_batches applies to it too), else SQLite at data_dir/baton.db
// with `sqlite` (whose path is replaced).
// `max_readers` sizes the read pool of either. Errors name the store without secrets.
Result<std::unique_ptr<store::Store>> open_store(const std::string& store,
                                                 const std::filesystem::path& data_dir,
                                                 store::SqliteOptions sqlite,
                                                 std::size_t max_readers);

}  // namespace baton::cli
