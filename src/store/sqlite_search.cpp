// The SQLite store's search over ended handoffs (Store::search_ended_handoffs), with the SQL of
// search_sql.hpp prepared for each call on a pooled read connection (the conditions vary).
#include <fmt/format.h>

#include <algorithm>

#include "store/search_sql.hpp"
#include "store/sqlite_store_impl.hpp"

namespace baton::store::sqlite {
namespace {

Result<Stmt> prepared(sqlite3* db, const search_sql::Query& query) {
  auto stmt = Stmt::prepare(db, query.sql);
  if (!stmt.ok()) {
    return stmt.error();
  }
  int index = 1;
  for (const auto& p : query.params) {
    if (p.is_text) {
      stmt->bind(index++, std::string_view(p.text));
    } else {
      stmt->bind(index++, p.number);
    }
  }
  return stmt;
}

Result<std::optional<HandoffSearchKey>> read_horizon(sqlite3* db, const search_sql::Query& query) {
  auto stmt = prepared(db, query);
  if (!stmt.ok()) {
    return stmt.error();
  }
  const int rc = stmt->step();
  if (rc == SQLITE_DONE) {
    return std::optional<HandoffSearchKey>();
  }
  if (rc != SQLITE_ROW) {
    return sqlite_error(db, rc, "search ended handoffs");
  }
  return std::optional<HandoffSearchKey>(
      HandoffSearchKey{stmt->column_time(0), stmt->column_text(1)});
}

Result<std::vector<HandoffHit>> read_hits(sqlite3* db, const search_sql::Query& query) {
  auto stmt = prepared(db, query);
  if (!stmt.ok()) {
    return stmt.error();
  }
  std::vector<HandoffHit> hits;
  for (;;) {
    const int rc = stmt->step();
    if (rc == SQLITE_DONE) {
      return hits;
    }
    if (rc != SQLITE_ROW) {
      return sqlite_error(db, rc, "search ended handoffs");
    }
    HandoffHit hit;
    hit.handoff.id = stmt->column_text(0);
    hit.handoff.conversation_id = stmt->column_text(1);
    hit.handoff.reason = stmt->column_text(2);
    hit.handoff.status = stmt->column_text(3);
    hit.handoff.queue = stmt->column_text(4);
    hit.handoff.created = stmt->column_time(5);
    hit.handoff.updated = stmt->column_time(6);
    hit.handoff.outcome_json = stmt->column_text(7);
    hit.user_id = stmt->column_text(8);
    hits.push_back(std::move(hit));
  }
}

}  // namespace

Result<HandoffSearchPage> SqliteStore::search_ended_handoffs(
    const HandoffSearch& search, const std::optional<HandoffSearchKey>& after, std::size_t limit) {
  if (Status checked = search_sql::check(search); !checked.ok()) {
    return checked.error();
  }
  limit = std::clamp<std::size_t>(limit, 1, kMaxPageSize);
  auto reader = lease_reader();
  if (!reader.ok()) {
    return reader.error();
  }
  sqlite3* db = (*reader)->db.get();
  // Both reads in one transaction, so the horizon and the page see the same snapshot.
  Result<HandoffSearchPage> result = [&]() -> Result<HandoffSearchPage> {
    if (int rc = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr); rc != SQLITE_OK) {
      return sqlite_error(db, rc, "search ended handoffs");
    }
    auto horizon =
        read_horizon(db, search_sql::horizon_query(search_sql::Dialect::kSqlite, search, after));
    if (!horizon.ok()) {
      return horizon.error();
    }
    auto hits = read_hits(
        db, search_sql::page_query(search_sql::Dialect::kSqlite, search, after, *horizon, limit));
    if (!hits.ok()) {
      return hits.error();
    }
    return search_sql::finish(std::move(*hits), limit, *horizon);
  }();
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return_reader(std::move(reader).value());
  return result;
}

}  // namespace baton::store::sqlite
