#pragma once
// `baton data export --user ID [--data DIR | --store CONNINFO]`: one customer's data as one JSON
// document on `out` (lifecycle/export.hpp: every conversation, activity, dialog state, handoff
// record and upload reference), and a `customer.export` audit record (actor "cli") committed
// before it is printed. Safe while `baton serve` runs on the same store. Exit 0 (also when the
// customer has nothing stored: no conversations), 1 on a store error or when DATA holds no SQLite
// store (and no --store is given), 2 on a bad user id; errors are one line on `err`.

#include <filesystem>
#include <iosfwd>
#include <string>

namespace baton::cli {

struct DataExportOptions {
  std::filesystem::path data_dir;  // DATA: baton.db (unless `store`) and uploads/
  std::string store;               // a PostgreSQL connection string, or "" for SQLite
  std::string user_id;
};

int run_data_export(const DataExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
