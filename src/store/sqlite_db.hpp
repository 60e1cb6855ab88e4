#pragma once
// Thin RAII wrappers over the SQLite C API used by the SQLite store (internal to src/store).
//
// A Db owns one connection opened in multi-thread mode (SQLITE_OPEN_NOMUTEX): a connection and its
// statements must be used by one thread at a time; the store gives each thread its own.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/encoding.hpp"

namespace baton::store::sqlite {

// Maps a SQLite result code to an Error whose message names the operation (`what`), SQLite's
// message and the extended code. Constraint violations are kConflict (foreign keys: kNotFound,
// the referenced row is missing), SQLITE_TOOBIG is kTooLarge, BUSY/LOCKED are kUnavailable,
// SQLITE_FULL (the disk is full: the statement failed and was undone) is kNoSpace, and everything
// else (I/O, corruption, out of memory) is kIo.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// is_batch_local, to_millis and from_millis (encoding.hpp) are used unqualified here.
using store::from_millis;
using store::is_batch_local;
using store::to_millis;

// One open connection. Move-only; closes on destruction.
class Db {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*; NOMUTEX is added) through `vfs` ("" = default).
  // Extended result codes are enabled.
  static Result<Db> open(const std::string& path, int flags, const std::string& vfs);

  Db() = default;
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* get() const { return db_; }

  // Runs one or more statements that return no rows we need (DDL, PRAGMA settings).
  Status exec(std::string_view sql);
  // Runs a statement returning one row with one column and gives that column as text ("" if
  // there is no row).
  Result<std::string> query_text(std::string_view sql);

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// One prepared statement. Move-only; finalizes on destruction. Bound text is NOT copied
// (SQLITE_STATIC): it must stay alive until the statement is reset.
class Stmt {
 public:
  static Result<Stmt> prepare(sqlite3* db, std::string_view sql);

  Stmt() = default;
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binders take 1-based parameter indexes, as SQLite does.
  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, std::int64_t value);
  Stmt& bind_u64(int index, std::uint64_t value) {  // callers validated value <= kMaxSeq
    return bind(index, static_cast<std::int64_t>(value));
  }
  Stmt& bind_double(int index, double value);
  Stmt& bind_null(int index);

  // sqlite3_step: SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  // Steps a statement that returns no rows; error names `what`. Resets afterwards.
  Status run(std::string_view what);
  // Resets and clears bindings so the statement can be reused.
  void reset();

  std::int64_t column_int(int col) const;
  double column_double(int col) const;
  std::uint64_t column_u64(int col) const { return static_cast<std::uint64_t>(column_int(col)); }
  std::string column_text(int col) const;
  bool column_is_null(int col) const;
  TimePoint column_time(int col) const { return from_millis(column_int(col)); }

  sqlite3* db() const;

 private:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;  // first failed bind since the last reset
};

// Resets a statement when it goes out of scope, so early returns leave it reusable.
class StmtScope {
 public:
  explicit StmtScope(Stmt& stmt) : stmt_(stmt) {}
  ~StmtScope() { stmt_.reset(); }
  StmtScope(const StmtScope&) = delete;
  StmtScope& operator=(const StmtScope&) = delete;
  Stmt* operator->() { return &stmt_; }
  Stmt& operator*() { return stmt_; }

 private:
  Stmt& stmt_;
};

}  // namespace baton::store::sqlite
