#pragma once
// `baton store migrate --from DIR --to CONNINFO [--allow-non-empty]`: copies a SQLite deployment
// (DIR/baton.db) into a PostgreSQL database (store/store_copy.hpp) and prints each table's row
// count. Stop `baton serve` on DIR first. Exit 0 when every table's count matches, 1 on an error
// (one line on `err`: missing source, non-empty target, unreachable server, a count that differs),
// 2 when --to is not a PostgreSQL connection string.

#include <filesystem>
#include <iosfwd>
#include <string>

namespace baton::cli {

struct StoreMigrateOptions {
  std::filesystem::path from;  // the data directory
  std::string to;              // a libpq connection string
  bool allow_non_empty = false;
};

int run_store_migrate(const StoreMigrateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
