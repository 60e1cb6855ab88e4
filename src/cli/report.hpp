#pragma once
// `baton report [--from T] [--to T] [--queue Q] [--topic T] [--agent A] [--json]
// [--data DIR | --store CONNINFO]`: the analytics summary (docs/ANALYTICS.md) in the terminal, as
// GET /api/analytics/summary computes it; --json prints that answer's JSON. Reads only, so it runs
// beside `baton serve`. Exit 0, 1 on a store error or when DATA holds no SQLite store (and no
// --store is given), 2 on a bad time or filter; errors are one line on `err`.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace baton::cli {

struct ReportOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a PostgreSQL connection string, or "" for SQLite in data_dir
  std::string from, to, queue, topic, agent;  // "" = the default / no filter
  bool json = false;
};

int run_report(const ReportOptions& options, const Clock& clock, std::ostream& out,
               std::ostream& err);

}  // namespace baton::cli
