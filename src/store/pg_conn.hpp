#pragma once
// Thin RAII wrappers over libpq used by the PostgreSQL store (internal to src/store).
//
// A Conn owns one connection and must be used by one thread at a time; the store gives its writer
// and each reader their own. Parameters are sent in binary (Params), results read as text.

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace baton::store::pg {

// SQLSTATEs the store's own functions raise (schema v1, pg_schema.cpp): a row an op needs is
// missing (kNotFound), a fenced update met another epoch (kConflict).
inline constexpr std::string_view kSqlStateNotFound = "BAT01";
inline constexpr std::string_view kSqlStateStaleEpoch = "BAT02";

// Parameter type OIDs (pg_type.h is a server header).
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kTextOid = 25;
inline constexpr Oid kBoolOid = 16;
inline constexpr Oid kFloat8Oid = 701;
inline constexpr Oid kInt8ArrayOid = 1016;
inline constexpr Oid kTextArrayOid = 1009;
inline constexpr Oid kFloat8ArrayOid = 1022;

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Where a failure came from, which decides what the store does about it.
enum class FailureKind {
  kNone,
  kBatch,      // the statement broke a constraint or a rule of an op: one batch's problem
  kTransient,  // the connection or the server is unavailable for now (lost connection, shutdown,
               // out of disk or connections): reconnect and retry later
  kPermanent,  // anything else (a missing table, corruption): needs a person
};

// A failed statement: the Error for callers plus what kind of failure it is and whether the
// server itself reported it (an ErrorResponse with a SQLSTATE; libpq's own errors, such as a lost
// connection, have none).
struct Failure {
  Error error;
  FailureKind kind = FailureKind::kNone;
  bool from_server = false;
};

// Classifies a result that is not a success, or a connection that broke. `what` names the
// operation. Constraint violations (23505 unique, 23503 foreign key) and the store's own SQLSTATEs
// are kBatch with kConflict / kNotFound (54000 kTooLarge, class 22 kInvalidArgument); classes 08,
// 53, 57, 40 and libpq's own errors (no SQLSTATE: a lost connection) are kTransient with
// kUnavailable; everything else is kPermanent with kIo.
Failure classify(const PGresult* result, PGconn* conn, std::string_view what);

// Text parameters in binary format (sent as they are, no NUL terminator needed; a NUL byte is
// rejected by the server), 64-bit integers in network order, booleans, NULLs. References to text
// are kept, so the referenced strings must outlive the send.
class Params {
 public:
  Params& text(std::string_view value);
  Params& owned_text(std::string value);  // kept by the Params (for values built on the fly)
  Params& i64(std::int64_t value);
  Params& u64(std::uint64_t value);  // callers keep values <= INT64_MAX (WriteBatch::validate)
  Params& boolean(bool value);
  Params& null();
  // One-dimensional arrays without NULLs, in PostgreSQL's binary array format (copied: the
  // Params keeps them). An empty vector is an empty array.
  Params& i64_array(const std::vector<std::int64_t>& values);
  Params& f64_array(const std::vector<double>& values);
  Params& text_array(const std::vector<std::string_view>& values);

  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::deque<std::string> owned_;  // encoded integers; a deque keeps their addresses stable
};

// A prepared statement's definition: its name on the connection, SQL and parameter types.
struct StatementDef {
  const char* name;
  std::string sql;
  std::vector<Oid> types;
};

// Connection parameters that Baton adds beneath the operator's connection string (which wins
// where it names the same keyword): a connect timeout, TCP keepalives and an application name.
struct ConnectDefaults {
  int connect_timeout_s = 5;
};

// One open connection. Move-only; closes on destruction.
class Conn {
 public:
  // Connects (blocking, bounded by connect_timeout) and sets `synchronous_commit = on` for the
  // session. kUnavailable when the server cannot be reached or refuses us for a passing reason
  // (shutting down, starting up, too many connections); kInvalidArgument for a malformed
  // connection string or a rejected login; the message names host and database, never a password.
  static Result<Conn> connect(const std::string& conninfo, const ConnectDefaults& defaults = {});

  Conn() = default;
  Conn(Conn&& other) noexcept;
  Conn& operator=(Conn&& other) noexcept;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn();

  PGconn* get() const { return conn_; }
  bool ok() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  // Runs SQL without parameters (several statements allowed) and returns the last result.
  Result<PgResult> exec(std::string_view sql);
  // Runs SQL with parameters (unnamed statement), returning its rows.
  Result<PgResult> query(const std::string& sql, const Params& params);
  // Prepares every statement of `defs` on this connection.
  Status prepare(const std::vector<StatementDef>& defs);
  // Runs a prepared statement and waits for its result (not in pipeline mode).
  Result<PgResult> run(const char* name, const Params& params, std::string_view what);

 private:
  explicit Conn(PGconn* conn) : conn_(conn) {}
  PGconn* conn_ = nullptr;
};

// "host/db" of a connection string, for log lines and messages: never the user's password or any
// other parameter. "(unparsable connection string)" when libpq cannot parse it.
std::string describe_conninfo(const std::string& conninfo);

// True when `text` is meant for the PostgreSQL store: a postgresql:// or postgres:// URI or a
// libpq keyword=value string.
bool looks_like_conninfo(std::string_view text);

// Decoding of text-format result columns (the store never asks for NULL where it decodes these).
std::string column_text(const PGresult* r, int row, int column);
std::int64_t column_i64(const PGresult* r, int row, int column);
std::uint64_t column_u64(const PGresult* r, int row, int column);
bool column_bool(const PGresult* r, int row, int column);
double column_f64(const PGresult* r, int row, int column);
bool column_null(const PGresult* r, int row, int column);

}  // namespace baton::store::pg
