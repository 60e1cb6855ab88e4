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

// `baton data erase --user ID [BOT] [--data DIR | --store CONNINFO]`: erases one customer's data
// as DELETE /api/agent/customers/{userId} does (lifecycle/erase.hpp: conversations in any state,
// their uploads, the hub log's copies; audited as `customer.erase` by "cli"), with an engine and
// hub of its own on the bot (and its hub.yaml) the server runs, so it refuses to run while a
// `baton serve` holds the data directory (DATA/serve.lock). Prints the summary as JSON on `out`.
// Exit 0 (also when the customer has nothing stored), 1 on a store error, a bot or hub.yaml that
// does not load, a running server or a missing store, 2 on a bad user id.
struct DataEraseOptions {
  std::filesystem::path data_dir;
  std::string store;
  std::string user_id;
  std::filesystem::path bot_path;  // the bot the server runs (its hub.yaml routes the hub)
};

int run_data_erase(const DataEraseOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
