// The PostgreSQL store's canned-response statements (table: schema v5 in pg_schema.cpp).
#include <fmt/format.h>

#include "store/encoding.hpp"
#include "store/pg_statements.hpp"

namespace baton::store::pg {
namespace {

constexpr Oid T = kTextOid;
constexpr Oid I = kInt8Oid;

constexpr std::string_view kCannedColumns =
    "id, queue, code, title, text, updated_by, created_ms, updated_ms";

constexpr const char* kPutCanned = "w_put_canned";
constexpr const char* kDeleteCanned = "w_delete_canned";

}  // namespace

std::vector<StatementDef> canned_write_statements() {
  return {
      // Replacing keeps created_ms; (queue, code) is unique, so a clash is kConflict (23505).
      {kPutCanned,
       fmt::format("INSERT INTO canned_responses ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                   "ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, code = excluded.code, "
                   "title = excluded.title, text = excluded.text, "
                   "updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
                   kCannedColumns),
       {T, T, T, T, T, T, I, I}},
      {kDeleteCanned, "SELECT baton_delete_canned($1)", {T}},
  };
}

std::vector<StatementDef> canned_read_statements() {
  return {
      {read::kListCanned,
       fmt::format("SELECT {} FROM canned_responses ORDER BY queue, code, id", kCannedColumns),
       {}},
      {read::kGetCanned,
       fmt::format("SELECT {} FROM canned_responses WHERE id = $1", kCannedColumns),
       {T}},
  };
}

OpCall encode_canned(const op::PutCanned& o) {
  const CannedResponse& c = o.row;
  OpCall call{kPutCanned, {}};
  call.params.text(c.id).text(c.queue).text(c.code).text(c.title).text(c.text);
  call.params.text(c.updated_by).i64(to_millis(c.created)).i64(to_millis(c.updated));
  return call;
}

OpCall encode_canned(const op::DeleteCanned& o) {
  OpCall call{kDeleteCanned, {}};
  call.params.text(o.id);
  return call;
}

CannedResponse decode_canned(const PGresult* r, int row) {
  CannedResponse c;
  c.id = column_text(r, row, 0);
  c.queue = column_text(r, row, 1);
  c.code = column_text(r, row, 2);
  c.title = column_text(r, row, 3);
  c.text = column_text(r, row, 4);
  c.updated_by = column_text(r, row, 5);
  c.created = column_time(r, row, 6);
  c.updated = column_time(r, row, 7);
  return c;
}

}  // namespace baton::store::pg
