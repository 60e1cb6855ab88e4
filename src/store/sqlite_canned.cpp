#include "store/sqlite_canned.hpp"

#include <fmt/format.h>

#include "store/sqlite_stepping.hpp"

namespace baton::store::sqlite {
namespace {

constexpr std::string_view kCannedColumns =
    "id, queue, code, title, text, updated_by, created_ms, updated_ms";

CannedResponse decode_canned(const Stmt& s) {
  CannedResponse c;
  c.id = s.column_text(0);
  c.queue = s.column_text(1);
  c.code = s.column_text(2);
  c.title = s.column_text(3);
  c.text = s.column_text(4);
  c.updated_by = s.column_text(5);
  c.created = s.column_time(6);
  c.updated = s.column_time(7);
  return c;
}

}  // namespace

Result<CannedWrites> CannedWrites::prepare(sqlite3* db) {
  CannedWrites w;
  Preparer p{db, std::nullopt};
  // Replacing keeps created_ms; (queue, code) is unique, so a clash is kConflict.
  p(w.put_, fmt::format("INSERT INTO canned_responses ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                        "ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, "
                        "code = excluded.code, title = excluded.title, text = excluded.text, "
                        "updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
                        kCannedColumns));
  p(w.delete_, "DELETE FROM canned_responses WHERE id = ?1");
  if (p.error) {
    return *p.error;
  }
  return w;
}

Status CannedWrites::put(const op::PutCanned& o) {
  const CannedResponse& c = o.row;
  Stmt& s = put_;
  s.bind(1, c.id).bind(2, c.queue).bind(3, c.code).bind(4, c.title).bind(5, c.text);
  s.bind(6, c.updated_by).bind(7, to_millis(c.created)).bind(8, to_millis(c.updated));
  return annotate(s.run("another canned response has this queue and code"),
                  fmt::format("put canned response '{}'", c.id));
}

Status CannedWrites::remove(const op::DeleteCanned& o, sqlite3* db) {
  const std::string what = fmt::format("delete canned response '{}'", o.id);
  delete_.bind(1, o.id);
  if (Status status = delete_.run(what); !status.ok()) {
    return status;
  }
  if (sqlite3_changes(db) == 0) {
    return make_error(ErrorCode::kNotFound, fmt::format("{}: not found", what));
  }
  return {};
}

Result<CannedReads> CannedReads::prepare(sqlite3* db) {
  CannedReads r;
  Preparer p{db, std::nullopt};
  p(r.list_,
    fmt::format("SELECT {} FROM canned_responses ORDER BY queue, code, id", kCannedColumns));
  p(r.get_, fmt::format("SELECT {} FROM canned_responses WHERE id = ?1", kCannedColumns));
  if (p.error) {
    return *p.error;
  }
  return r;
}

Result<std::vector<CannedResponse>> CannedReads::list() {
  return collect<CannedResponse>(list_, decode_canned, "list canned responses");
}

Result<CannedResponse> CannedReads::get(const std::string& id) {
  get_.bind(1, id);
  return one<CannedResponse>(get_, decode_canned, fmt::format("canned response '{}'", id));
}

}  // namespace baton::store::sqlite
