#include "cli/store_migrate.hpp"

#include <fmt/format.h>

#include <ostream>

#include "cli/store_open.hpp"
#include "store/pg_store.hpp"
#include "store/store_copy.hpp"

namespace baton::cli {

int run_store_migrate(const StoreMigrateOptions& options, std::ostream& out, std::ostream& err) {
  if (!store::is_postgres_target(options.to)) {
    err << "baton store migrate: --to must be a PostgreSQL connection string (postgresql://... or "
           "libpq keyword=value pairs)\n";
    return 2;
  }
  out << fmt::format("copying {} to {}\n", describe_store("", options.from),
                     describe_store(options.to, options.from));
  auto copied = store::copy_sqlite_to_postgres(
      {options.from / store::kSqliteFileName, options.to, options.allow_non_empty});
  if (!copied.ok()) {
    err << "baton store migrate: " << copied.error().message << '\n';
    return 1;
  }
  for (const store::TableCopy& table : *copied) {
    out << fmt::format("  {:<20} {:>10} rows\n", table.table, table.copied_rows);
  }
  out << "done: every table holds as many rows as in SQLite\n";
  return 0;
}

}  // namespace baton::cli
