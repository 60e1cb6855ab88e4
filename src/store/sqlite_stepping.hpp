#pragma once
// Helpers that prepare SQLite statements and step them into records (internal to src/store),
// shared by the statement sets of sqlite_statements.cpp and sqlite_analytics.cpp.

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace baton::store::sqlite {

// Prepares statements one after another, remembering the first failure.
struct Preparer {
  sqlite3* db;
  std::optional<Error> error;

  void operator()(Stmt& stmt, std::string_view sql) {
    if (error) {
      return;
    }
    auto prepared = Stmt::prepare(db, sql);
    if (prepared.ok()) {
      stmt = std::move(prepared).value();
    } else {
      error = prepared.error();
    }
  }
};

// Steps a bound query and reports whether it returned a row.
inline Result<bool> exists(Stmt& stmt, std::string_view what) {
  StmtScope scope(stmt);
  int rc = stmt.step();
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
    return rc == SQLITE_ROW;
  }
  return sqlite_error(stmt.db(), rc, what);
}

// Steps a bound query to completion, decoding every row.
template <class T, class Decode>
Result<std::vector<T>> collect(Stmt& stmt, Decode decode, std::string_view what) {
  StmtScope scope(stmt);
  std::vector<T> rows;
  for (;;) {
    int rc = stmt.step();
    if (rc == SQLITE_DONE) {
      return rows;
    }
    if (rc != SQLITE_ROW) {
      return sqlite_error(stmt.db(), rc, what);
    }
    rows.push_back(decode(stmt));
  }
}

// Steps a bound query expected to return at most one row.
template <class T, class Decode>
Result<T> one(Stmt& stmt, Decode decode, std::string_view what) {
  StmtScope scope(stmt);
  int rc = stmt.step();
  if (rc == SQLITE_ROW) {
    return decode(stmt);
  }
  if (rc == SQLITE_DONE) {
    return make_error(ErrorCode::kNotFound, fmt::format("{}: not found", what));
  }
  return sqlite_error(stmt.db(), rc, what);
}

// A read's `limit` clamped to 1..kMaxPageSize, as bound to LIMIT.
inline std::int64_t page(std::size_t limit) {
  return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, kMaxPageSize));
}

// Adds a record description to a batch-local failure so the caller sees which row failed.
inline Status annotate(Status status, std::string_view what) {
  if (status.ok()) {
    return status;
  }
  Error error = status.error();
  if (is_batch_local(error.code)) {
    error.message = fmt::format("{}: {}", what, error.message);
  }
  return error;
}

}  // namespace baton::store::sqlite
