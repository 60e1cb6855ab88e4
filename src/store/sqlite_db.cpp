#include "store/sqlite_db.hpp"

#include <fmt/format.h>

#include <utility>

#include "store/sqlite_page_cache.hpp"

namespace baton::store::sqlite {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = fmt::format("{}: {} (sqlite code {})", what, detail, rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return make_error(
          rc == SQLITE_CONSTRAINT_FOREIGNKEY ? ErrorCode::kNotFound : ErrorCode::kConflict,
          std::move(message));
    case SQLITE_TOOBIG:
      return make_error(ErrorCode::kTooLarge, std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make_error(ErrorCode::kUnavailable, std::move(message));
    case SQLITE_FULL:
      return make_error(ErrorCode::kNoSpace, std::move(message));
    default:
      return make_error(ErrorCode::kIo, std::move(message));
  }
}

Result<Db> Db::open(const std::string& path, int flags, const std::string& vfs) {
  install_page_cache();  // before SQLite initialises (the first open); a no-op afterwards
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX,
                           vfs.empty() ? nullptr : vfs.c_str());
  Db db(raw);  // closes `raw` on every path, including failure (SQLite may allocate it anyway)
  if (rc != SQLITE_OK) {
    return sqlite_error(raw, rc, fmt::format("cannot open database '{}'", path));
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db::Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) {
      sqlite3_close_v2(db_);
    }
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
  }
}

Status Db::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_error(db_, rc, fmt::format("'{}' failed", sql.substr(0, 60)));
  }
  return {};
}

Result<std::string> Db::query_text(std::string_view sql) {
  auto stmt = Stmt::prepare(db_, sql);
  if (!stmt.ok()) {
    return stmt.error();
  }
  int rc = stmt->step();
  if (rc == SQLITE_ROW) {
    return stmt->column_text(0);
  }
  if (rc == SQLITE_DONE) {
    return std::string();
  }
  return sqlite_error(db_, rc, fmt::format("'{}' failed", sql.substr(0, 60)));
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_error(db, rc, fmt::format("cannot prepare '{}'", sql.substr(0, 60)));
  }
  return Stmt(raw);
}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(other.bind_error_) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int index, std::string_view text) {
  // A failed bind (a value over SQLITE_LIMIT_LENGTH) is reported by the next step().
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
  return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
  return *this;
}

Stmt& Stmt::bind_double(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
  return *this;
}

int Stmt::step() { return bind_error_ != SQLITE_OK ? bind_error_ : sqlite3_step(stmt_); }

Status Stmt::run(std::string_view what) {
  int rc = step();
  Status status;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    status = sqlite_error(db(), rc, what);
  }
  reset();
  return status;
}

void Stmt::reset() {
  bind_error_ = SQLITE_OK;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Stmt::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Stmt::column_double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Stmt::column_text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) {
    return std::string();
  }
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool Stmt::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

sqlite3* Stmt::db() const { return sqlite3_db_handle(stmt_); }

}  // namespace baton::store::sqlite
