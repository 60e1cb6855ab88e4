#include "cli/store_open.hpp"

#include <fmt/format.h>

#include "store/pg_store.hpp"

namespace baton::cli {

std::string describe_store(const std::string& store, const std::filesystem::path& data_dir) {
  if (!store.empty()) {
    return "PostgreSQL at " + store::describe_postgres_target(store);
  }
  return "SQLite at " + (data_dir / store::kSqliteFileName).string();
}

Result<std::unique_ptr<store::Store>> open_store(const std::string& store,
                                                 const std::filesystem::path& data_dir,
                                                 store::SqliteOptions sqlite,
                                                 std::size_t max_readers) {
  if (!store.empty()) {
    if (!store::is_postgres_target(store)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--store must be a PostgreSQL connection string: postgresql://... or "
                        "libpq keyword=value pairs");
    }
    store::PgOptions options;
    options.conninfo = store;
    options.max_readers = max_readers;
    options.max_group_batches = sqlite.max_group_batches;
    return store::open_pg_store(std::move(options));
  }
  sqlite.path = data_dir / store::kSqliteFileName;
  sqlite.max_readers = max_readers;
  auto opened = store::open_sqlite_store(std::move(sqlite));
  if (!opened.ok()) {
    return make_error(opened.error().code, fmt::format("cannot open {}: {}",
                                                       (data_dir / store::kSqliteFileName).string(),
                                                       opened.error().message));
  }
  return opened;
}

}  // namespace baton::cli
