#pragma once
// Internal to src/store: the SQL of Store::search_ended_handoffs(), one builder for both stores
// (SQLite's `?` and instr(), PostgreSQL's `$n::type` and strpos()), so that they match the same
// rows. Every value is a bound parameter; the SQL text is made of fixed fragments only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace baton::store::search_sql {

enum class Dialect { kSqlite, kPostgres };

struct Param {
  bool is_text = true;
  std::string text;
  std::int64_t number = 0;
};

struct Query {
  std::string sql;
  std::vector<Param> params;
};

// kInvalidArgument naming the field when `search` is out of the bounds store.hpp states.
Status check(const HandoffSearch& search);

// The key (created_ms, id) of the kSearchScanLimit-th candidate after `after`: the page's scan
// horizon. Columns: created_ms, id. No row: fewer candidates than the limit remain.
Query horizon_query(Dialect dialect, const HandoffSearch& search,
                    const std::optional<HandoffSearchKey>& after);

// The page: at most limit + 1 hits down to `horizon` (inclusive) when set. Columns: id,
// conversation_id, reason, status, queue, created_ms, updated_ms, outcome, user_id.
Query page_query(Dialect dialect, const HandoffSearch& search,
                 const std::optional<HandoffSearchKey>& after,
                 const std::optional<HandoffSearchKey>& horizon, std::size_t limit);

// The page's answer from page_query's rows (at most limit + 1) and the horizon.
HandoffSearchPage finish(std::vector<HandoffHit> rows, std::size_t limit,
                         const std::optional<HandoffSearchKey>& horizon);

// The needle `text` becomes in the stored JSON: quotes and backslashes escaped as JSON escapes
// them.
std::string json_needle(std::string_view text);

}  // namespace baton::store::search_sql
