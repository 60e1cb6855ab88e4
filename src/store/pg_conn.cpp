#include "store/pg_conn.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstring>

#include "core/utf8.hpp"

namespace baton::store::pg {
namespace {

// libpq's messages end with a newline and may span lines ("\n\tIs the server running ...").
std::string one_line(std::string_view text) { return utf8::collapse_whitespace(text); }

bool transient_class(std::string_view state) {
  const std::string_view cls = state.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || cls == "40";
}

}  // namespace

Failure classify(const PGresult* result, PGconn* conn, std::string_view what) {
  Failure f;
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) {
    // libpq's own error: the connection broke (or libpq ran out of memory); a new connection is
    // the remedy either way.
    std::string message =
        result != nullptr ? PQresultErrorMessage(result) : std::string(PQerrorMessage(conn));
    if (message.empty() && conn != nullptr) {
      message = PQerrorMessage(conn);
    }
    f.kind = FailureKind::kTransient;
    f.error = make_error(ErrorCode::kUnavailable,
                         fmt::format("{}: connection lost: {}", what, one_line(message)));
    return f;
  }
  f.from_server = true;
  const std::string_view sqlstate(state);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
  std::string message = primary != nullptr ? primary : "error";
  if (detail != nullptr) {
    message += fmt::format(" ({})", detail);
  }
  ErrorCode code = ErrorCode::kIo;
  f.kind = FailureKind::kPermanent;
  if (sqlstate == "23505" || sqlstate == kSqlStateStaleEpoch) {
    code = ErrorCode::kConflict;
    f.kind = FailureKind::kBatch;
  } else if (sqlstate == "23503" || sqlstate == kSqlStateNotFound) {
    code = ErrorCode::kNotFound;
    f.kind = FailureKind::kBatch;
  } else if (sqlstate == "54000") {  // program_limit_exceeded, e.g. an index entry too large
    code = ErrorCode::kTooLarge;
    f.kind = FailureKind::kBatch;
  } else if (sqlstate.substr(0, 2) == "22") {  // data exception, e.g. a NUL byte in text
    code = ErrorCode::kInvalidArgument;
    f.kind = FailureKind::kBatch;
  } else if (transient_class(sqlstate)) {
    code = ErrorCode::kUnavailable;
    f.kind = FailureKind::kTransient;
  }
  f.error = make_error(code, fmt::format("{}: {} [SQLSTATE {}]", what, message, sqlstate));
  return f;
}

Params& Params::text(std::string_view value) {
  values_.push_back(value.data() != nullptr ? value.data() : "");
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(1);
  return *this;
}

Params& Params::owned_text(std::string value) {
  return text(owned_.emplace_back(std::move(value)));
}

Params& Params::i64(std::int64_t value) {
  std::string& bytes = owned_.emplace_back(8, '\0');
  auto u = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  values_.push_back(bytes.data());
  lengths_.push_back(8);
  formats_.push_back(1);
  return *this;
}

Params& Params::u64(std::uint64_t value) { return i64(static_cast<std::int64_t>(value)); }

Params& Params::boolean(bool value) {
  values_.push_back(value ? "\x01" : "\x00");
  lengths_.push_back(1);
  formats_.push_back(1);
  return *this;
}

Params& Params::null() {
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(1);
  return *this;
}

namespace {

void put_be32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void put_be64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

// array_recv's input: dimensions (0 for an empty array), a has-NULLs flag, the element type, each
// dimension's length and lower bound, then every element as a length and its binary value.
std::string array_header(std::size_t count, Oid element) {
  std::string out;
  put_be32(out, count == 0 ? 0 : 1);
  put_be32(out, 0);
  put_be32(out, element);
  if (count > 0) {
    put_be32(out, static_cast<std::uint32_t>(count));
    put_be32(out, 1);
  }
  return out;
}

}  // namespace

Params& Params::i64_array(const std::vector<std::int64_t>& values) {
  std::string bytes = array_header(values.size(), kInt8Oid);
  for (std::int64_t value : values) {
    put_be32(bytes, 8);
    put_be64(bytes, static_cast<std::uint64_t>(value));
  }
  return owned_text(std::move(bytes));
}

Params& Params::f64_array(const std::vector<double>& values) {
  std::string bytes = array_header(values.size(), kFloat8Oid);
  for (double value : values) {
    put_be32(bytes, 8);
    put_be64(bytes, std::bit_cast<std::uint64_t>(value));
  }
  return owned_text(std::move(bytes));
}

Params& Params::text_array(const std::vector<std::string_view>& values) {
  std::string bytes = array_header(values.size(), kTextOid);
  for (std::string_view value : values) {
    put_be32(bytes, static_cast<std::uint32_t>(value.size()));
    bytes.append(value);
  }
  return owned_text(std::move(bytes));
}

Result<Conn> Conn::connect(const std::string& conninfo, const ConnectDefaults& defaults) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    // libpq's message quotes pieces of the string, which may hold a password: not shown.
    PQfreemem(parse_error);
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid PostgreSQL connection string (libpq cannot parse it; it is not "
                      "shown because it may hold a password)");
  }
  PQconninfoFree(parsed);
  const std::string timeout = std::to_string(defaults.connect_timeout_s);
  // Later keywords win: the operator's string (dbname, expanded) comes last.
  const std::array<const char*, 7> keys = {"connect_timeout",
                                           "keepalives_idle",
                                           "keepalives_interval",
                                           "keepalives_count",
                                           "application_name",
                                           "dbname",
                                           nullptr};
  const std::array<const char*, 7> values = {timeout.c_str(),  "30",   "10", "3", "baton",
                                             conninfo.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1));
  if (conn.conn_ == nullptr) {
    return make_error(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: out of memory");
  }
  if (PQstatus(conn.conn_) != CONNECTION_OK) {
    return make_error(ErrorCode::kUnavailable, fmt::format("cannot connect to PostgreSQL at {}: {}",
                                                           describe_conninfo(conninfo),
                                                           one_line(PQerrorMessage(conn.conn_))));
  }
  // Notices (a server shutting down says so before closing) are not for the terminal.
  PQsetNoticeProcessor(
      conn.conn_, [](void* /*arg*/, const char* /*message*/) {}, nullptr);
  auto set = conn.exec("SET synchronous_commit = on");
  if (!set.ok()) {
    return set.error();
  }
  return conn;
}

Conn::Conn(Conn&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }

Conn& Conn::operator=(Conn&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) {
      PQfinish(conn_);
    }
    conn_ = other.conn_;
    other.conn_ = nullptr;
  }
  return *this;
}

Conn::~Conn() {
  if (conn_ != nullptr) {
    PQfinish(conn_);
  }
}

namespace {

Result<PgResult> checked(PgResult r, PGconn* conn, std::string_view what) {
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return r;
  }
  return classify(r.get(), conn, what).error;
}

}  // namespace

Result<PgResult> Conn::exec(std::string_view sql) {
  const std::string text(sql);
  return checked(PgResult(PQexec(conn_, text.c_str())), conn_, "PostgreSQL");
}

Result<PgResult> Conn::query(const std::string& sql, const Params& params) {
  return checked(PgResult(PQexecParams(conn_, sql.c_str(), params.count(), nullptr, params.values(),
                                       params.lengths(), params.formats(), 0)),
                 conn_, "PostgreSQL");
}

Status Conn::prepare(const std::vector<StatementDef>& defs) {
  for (const StatementDef& def : defs) {
    auto r = checked(PgResult(PQprepare(conn_, def.name, def.sql.c_str(),
                                        static_cast<int>(def.types.size()), def.types.data())),
                     conn_, fmt::format("prepare {}", def.name));
    if (!r.ok()) {
      return r.error();
    }
  }
  return {};
}

Result<PgResult> Conn::run(const char* name, const Params& params, std::string_view what) {
  return checked(PgResult(PQexecPrepared(conn_, name, params.count(), params.values(),
                                         params.lengths(), params.formats(), 0)),
                 conn_, what);
}

std::string describe_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "(unparsable connection string)";
  }
  std::string host, port, dbname, user;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) {
      continue;
    }
    const std::string_view key(o->keyword);
    if (key == "host" || (key == "hostaddr" && host.empty())) {
      host = o->val;
    } else if (key == "port") {
      port = o->val;
    } else if (key == "dbname") {
      dbname = o->val;
    } else if (key == "user") {
      user = o->val;
    }
  }
  PQconninfoFree(options);
  if (host.empty()) {
    host = "(default socket)";
  }
  if (!port.empty()) {
    host += ":" + port;
  }
  if (dbname.empty()) {
    dbname = user.empty() ? "(default database)" : user;
  }
  return host + "/" + dbname;
}

bool looks_like_conninfo(std::string_view text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://") ||
         text.find('=') != std::string_view::npos;
}

std::string column_text(const PGresult* r, int row, int column) {
  return {PQgetvalue(r, row, column), static_cast<std::size_t>(PQgetlength(r, row, column))};
}

std::int64_t column_i64(const PGresult* r, int row, int column) {
  const char* text = PQgetvalue(r, row, column);
  std::int64_t value = 0;
  std::from_chars(text, text + PQgetlength(r, row, column), value);
  return value;
}

std::uint64_t column_u64(const PGresult* r, int row, int column) {
  return static_cast<std::uint64_t>(column_i64(r, row, column));
}

bool column_bool(const PGresult* r, int row, int column) {
  return PQgetlength(r, row, column) > 0 && PQgetvalue(r, row, column)[0] == 't';
}

double column_f64(const PGresult* r, int row, int column) {
  const char* text = PQgetvalue(r, row, column);
  double value = 0;
  std::from_chars(text, text + PQgetlength(r, row, column), value);
  return value;
}

bool column_null(const PGresult* r, int row, int column) {
  return PQgetisnull(r, row, column) != 0;
}

}  // namespace baton::store::pg
