#include "store/store_copy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <system_error>

#include "store/pg_conn.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_activity_ids.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_store.hpp"

namespace baton::store {
namespace {

// One table: the PostgreSQL columns, the SQLite query giving them in that order, and whether the
// table's position sequence must move past the copied rows.
struct TableSpec {
  const char* table;
  const char* pg_columns;
  const char* sqlite_select;
  bool has_position = false;
  bool canonical_ids = false;  // column 2 NULL = the canonical id of (column 0, column 1)
};

// In foreign-key order: conversations before the rows that refer to them.
const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> specs = {
      {"conversations",
       "id, bot_id, user_id, channel_id, created_ms, updated_ms, ownership, epoch, next_seq, "
       "closed, metadata, snapshot_seq, snapshot_saved_ms, snapshot",
       "SELECT id, bot_id, user_id, channel_id, created_ms, updated_ms, ownership, epoch, "
       "next_seq, CASE WHEN closed = 0 THEN 'f' ELSE 't' END, metadata, snapshot_seq, "
       "snapshot_saved_ms, snapshot FROM conversations ORDER BY id"},
      {"activities", "conversation_id, seq, activity_id, type, name, timestamp_ms, body",
       "SELECT conversation_id, seq, activity_id, type, name, timestamp_ms, body FROM activities "
       "ORDER BY position",
       false, true},
      {"handoffs",
       "id, conversation_id, reason, status, queue, created_ms, updated_ms, request, outcome",
       "SELECT h.id, h.conversation_id, h.reason, h.status, h.queue, h.created_ms, h.updated_ms, "
       "r.request, h.outcome FROM handoffs h JOIN handoff_requests r ON r.handoff_id = h.id "
       "ORDER BY h.created_ms, h.id"},
      {"conversation_events", "position, conversation_id, seq, kind, epoch, time_ms, payload",
       "SELECT position, conversation_id, seq, kind, epoch, time_ms, payload FROM "
       "conversation_events ORDER BY position",
       true},
      {"agents",
       "id, display_name, role, skills, capacity, password_hash, created_ms, updated_ms, disabled",
       "SELECT id, display_name, role, skills, capacity, password_hash, created_ms, updated_ms, "
       "disabled FROM agents ORDER BY id"},
      {"hub_log", "position, time_ms, input",
       "SELECT position, time_ms, input FROM hub_log ORDER BY position", true},
      {"audit_log", "position, time_ms, actor, action, conversation_id, detail",
       "SELECT position, time_ms, actor, action, conversation_id, detail FROM audit_log ORDER BY "
       "position",
       true},
      {"meta", "key, value", "SELECT key, value FROM meta ORDER BY key"},
      // 17 significant digits give back the very double (SQLite's own text has 15).
      {"analytics_cells", "period, metric, topic, queue, agent, count, sum",
       "SELECT period, metric, topic, queue, agent, count, printf('%!.17g', sum) FROM "
       "analytics_cells ORDER BY period, metric, topic, queue, agent"},
      {"analytics_sessions",
       "conversation_id, number, started_ms, ended_ms, outcome, topic, reason, queue, agent, "
       "wait_ms, rating, resolved, surveyed",
       "SELECT conversation_id, number, started_ms, ended_ms, outcome, topic, reason, queue, "
       "agent, wait_ms, rating, CASE resolved WHEN 0 THEN 'f' WHEN 1 THEN 't' END, "
       "CASE WHEN surveyed = 0 THEN 'f' ELSE 't' END FROM analytics_sessions "
       "ORDER BY conversation_id, number"},
      {"open_sessions", "conversation_id, state",
       "SELECT conversation_id, state FROM open_sessions ORDER BY conversation_id"},
      {"canned_responses", "id, queue, code, title, text, updated_by, created_ms, updated_ms",
       "SELECT id, queue, code, title, text, updated_by, created_ms, updated_ms FROM "
       "canned_responses ORDER BY id"},
  };
  return specs;
}

// COPY's text format: backslash escapes for the delimiter, line ends and the backslash itself.
void append_copy_field(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

Result<std::uint64_t> pg_count(pg::Conn& conn, const char* table) {
  auto counted = conn.exec(fmt::format("SELECT count(*) FROM {}", table));
  if (!counted.ok()) {
    return counted.error();
  }
  return pg::column_u64(counted->get(), 0, 0);
}

Result<std::uint64_t> sqlite_count(sqlite::Db& db, const char* table) {
  auto text = db.query_text(fmt::format("SELECT count(*) FROM {}", table));
  if (!text.ok()) {
    return text.error();
  }
  std::uint64_t n = 0;
  std::from_chars(text->data(), text->data() + text->size(), n);
  return n;
}

// Streams one table from SQLite into PostgreSQL with COPY; returns the rows sent.
Result<std::uint64_t> copy_table(sqlite::Db& from, pg::Conn& to, const TableSpec& spec) {
  auto select = sqlite::Stmt::prepare(from.get(), spec.sqlite_select);
  if (!select.ok()) {
    return select.error();
  }
  const std::string what = fmt::format("copy {}", spec.table);
  pg::PgResult started(PQexec(
      to.get(), fmt::format("COPY {} ({}) FROM STDIN", spec.table, spec.pg_columns).c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
    return pg::classify(started.get(), to.get(), what).error;
  }
  const std::string_view column_list(spec.pg_columns);
  const auto columns =
      static_cast<int>(1 + std::count(column_list.begin(), column_list.end(), ','));
  std::string buffer;
  std::uint64_t rows = 0;
  auto flush = [&]() {
    const bool sent = PQputCopyData(to.get(), buffer.data(), static_cast<int>(buffer.size())) == 1;
    buffer.clear();
    return sent;
  };
  int rc = SQLITE_ROW;
  while ((rc = select->step()) == SQLITE_ROW) {
    for (int c = 0; c < columns; ++c) {
      if (c > 0) {
        buffer.push_back('\t');
      }
      if (spec.canonical_ids && c == 2 && select->column_is_null(2)) {
        append_copy_field(
            buffer, sqlite::canonical_activity_id(select->column_text(0), select->column_u64(1)));
      } else if (select->column_is_null(c)) {
        buffer += "\\N";
      } else {
        append_copy_field(buffer, select->column_text(c));
      }
    }
    buffer.push_back('\n');
    ++rows;
    if (buffer.size() >= (1U << 20) && !flush()) {
      break;
    }
  }
  if (rc != SQLITE_DONE) {
    PQputCopyEnd(to.get(), "source read failed");
    pg::PgResult ended(PQgetResult(to.get()));
    return sqlite::sqlite_error(from.get(), rc, fmt::format("read {} from SQLite", spec.table));
  }
  if (!buffer.empty() && !flush()) {
    return pg::classify(nullptr, to.get(), what).error;
  }
  PQputCopyEnd(to.get(), nullptr);
  pg::PgResult ended(PQgetResult(to.get()));
  while (PGresult* extra = PQgetResult(to.get())) {
    PQclear(extra);
  }
  if (PQresultStatus(ended.get()) != PGRES_COMMAND_OK) {
    return pg::classify(ended.get(), to.get(), what).error;
  }
  return rows;
}

Status check_empty(pg::Conn& conn) {
  std::string counts;
  for (const TableSpec& spec : tables()) {
    auto n = pg_count(conn, spec.table);
    if (!n.ok()) {
      return n.error();
    }
    if (*n > 0) {
      counts += fmt::format("{}{}: {}", counts.empty() ? "" : ", ", spec.table, *n);
    }
  }
  if (!counts.empty()) {
    return make_error(ErrorCode::kConflict,
                      fmt::format("the target database is not empty ({}); copy into an empty one, "
                                  "or allow a non-empty target explicitly",
                                  counts));
  }
  return {};
}

}  // namespace

Result<std::vector<TableCopy>> copy_sqlite_to_postgres(const CopyOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(options.sqlite_path, ec)) {
    return make_error(ErrorCode::kNotFound,
                      fmt::format("no SQLite store at {}", options.sqlite_path.string()));
  }
  {  // Upgrade an older SQLite schema first, as `baton serve` would.
    SqliteOptions sqlite_options;
    sqlite_options.path = options.sqlite_path;
    auto upgraded = open_sqlite_store(sqlite_options);
    if (!upgraded.ok()) {
      return upgraded.error();
    }
    if (Status closed = (*upgraded)->close(); !closed.ok()) {
      return closed.error();
    }
  }
  {  // Create or upgrade the PostgreSQL schema.
    PgOptions pg_options;
    pg_options.conninfo = options.pg_conninfo;
    auto created = open_pg_store(pg_options);
    if (!created.ok()) {
      return created.error();
    }
    if (Status closed = (*created)->close(); !closed.ok()) {
      return closed.error();
    }
  }
  auto from = sqlite::Db::open(options.sqlite_path.string(), SQLITE_OPEN_READONLY, "");
  if (!from.ok()) {
    return from.error();
  }
  if (Status read = from->exec("BEGIN"); !read.ok()) {  // one snapshot for every table
    return read.error();
  }
  auto to = pg::Conn::connect(options.pg_conninfo);
  if (!to.ok()) {
    return to.error();
  }
  if (!options.allow_non_empty) {
    if (Status empty = check_empty(*to); !empty.ok()) {
      return empty.error();
    }
  }
  std::vector<TableCopy> report;
  for (const TableSpec& spec : tables()) {
    auto before = pg_count(*to, spec.table);
    if (!before.ok()) {
      return before.error();
    }
    report.push_back(TableCopy{spec.table, 0, *before});  // copied_rows: the count before, for now
  }
  if (auto begun = to->exec("BEGIN"); !begun.ok()) {
    return begun.error();
  }
  for (std::size_t i = 0; i < tables().size(); ++i) {
    const TableSpec& spec = tables()[i];
    auto rows = copy_table(*from, *to, spec);
    if (!rows.ok()) {
      (void)to->exec("ROLLBACK");
      return rows.error();
    }
    report[i].source_rows = *rows;
    if (spec.has_position) {
      auto moved =
          to->exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'position'), "
                               "(SELECT coalesce(max(position), 0) + 1 FROM {0}), false)",
                               spec.table));
      if (!moved.ok()) {
        (void)to->exec("ROLLBACK");
        return moved.error();
      }
    }
  }
  if (auto committed = to->exec("COMMIT"); !committed.ok()) {
    return committed.error();
  }
  for (std::size_t i = 0; i < tables().size(); ++i) {
    const TableSpec& spec = tables()[i];
    auto after = pg_count(*to, spec.table);
    auto source = sqlite_count(*from, spec.table);
    if (!after.ok() || !source.ok()) {
      return !after.ok() ? after.error() : source.error();
    }
    const std::uint64_t added = *after - report[i].copied_rows;
    report[i].copied_rows = added;
    if (added != *source || report[i].source_rows != *source) {
      return make_error(ErrorCode::kIo,
                        fmt::format("{}: SQLite holds {} rows, {} were read and PostgreSQL gained "
                                    "{}",
                                    spec.table, *source, report[i].source_rows, added));
    }
  }
  return report;
}

}  // namespace baton::store
