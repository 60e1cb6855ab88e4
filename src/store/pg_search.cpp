// The PostgreSQL store's search over ended handoffs (Store::search_ended_handoffs): the SQL of
// search_sql.hpp as unnamed statements (the conditions vary) on a pooled read connection.
#include <fmt/format.h>

#include <algorithm>

#include "store/pg_statements.hpp"
#include "store/pg_store_impl.hpp"
#include "store/search_sql.hpp"

namespace baton::store::pg {
namespace {

Params params_of(const search_sql::Query& query) {
  Params params;
  for (const auto& p : query.params) {
    if (p.is_text) {
      params.text(p.text);
    } else {
      params.i64(p.number);
    }
  }
  return params;
}

// The horizon and the page in one REPEATABLE READ transaction (one snapshot).
Result<HandoffSearchPage> search_on(Conn& conn, const HandoffSearch& search,
                                    const std::optional<HandoffSearchKey>& after,
                                    std::size_t limit) {
  if (auto begun = conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !begun.ok()) {
    return begun.error();
  }
  auto run = [&]() -> Result<HandoffSearchPage> {
    const auto hq = search_sql::horizon_query(search_sql::Dialect::kPostgres, search, after);
    auto h = conn.query(hq.sql, params_of(hq));
    if (!h.ok()) {
      return h.error();
    }
    std::optional<HandoffSearchKey> horizon;
    if (PQntuples(h->get()) > 0) {
      horizon = HandoffSearchKey{column_time(h->get(), 0, 0), column_text(h->get(), 0, 1)};
    }
    const auto pq =
        search_sql::page_query(search_sql::Dialect::kPostgres, search, after, horizon, limit);
    auto r = conn.query(pq.sql, params_of(pq));
    if (!r.ok()) {
      return r.error();
    }
    std::vector<HandoffHit> hits;
    const PGresult* rows = r->get();
    for (int i = 0; i < PQntuples(rows); ++i) {
      HandoffHit hit;
      hit.handoff.id = column_text(rows, i, 0);
      hit.handoff.conversation_id = column_text(rows, i, 1);
      hit.handoff.reason = column_text(rows, i, 2);
      hit.handoff.status = column_text(rows, i, 3);
      hit.handoff.queue = column_text(rows, i, 4);
      hit.handoff.created = column_time(rows, i, 5);
      hit.handoff.updated = column_time(rows, i, 6);
      hit.handoff.outcome_json = column_text(rows, i, 7);
      hit.user_id = column_text(rows, i, 8);
      hits.push_back(std::move(hit));
    }
    return search_sql::finish(std::move(hits), limit, horizon);
  };
  auto page = run();
  if (auto ended = conn.exec(page.ok() ? "COMMIT" : "ROLLBACK"); !ended.ok() && page.ok()) {
    return ended.error();
  }
  return page;
}

}  // namespace

Result<HandoffSearchPage> PgStore::search_ended_handoffs(
    const HandoffSearch& search, const std::optional<HandoffSearchKey>& after, std::size_t limit) {
  if (Status checked = search_sql::check(search); !checked.ok()) {
    return checked.error();
  }
  limit = std::clamp<std::size_t>(limit, 1, kMaxPageSize);
  for (;;) {
    bool fresh = false;
    auto reader = lease_reader(fresh);
    if (!reader.ok()) {
      return reader.error();
    }
    auto page = search_on(**reader, search, after, limit);
    const bool broken = !(*reader)->ok();
    return_reader(std::move(reader).value(), broken);
    // As run_read: a pooled connection that broke while idle gets one more try on a new one.
    if (page.ok() || !broken || fresh) {
      return page;
    }
  }
}

}  // namespace baton::store::pg
