#include "store/sqlite_analytics.hpp"

#include <fmt/format.h>

#include "store/encoding.hpp"
#include "store/sqlite_stepping.hpp"

namespace baton::store::sqlite {
namespace {

constexpr std::string_view kSessionColumns =
    "conversation_id, number, started_ms, ended_ms, outcome, topic, reason, queue, agent, "
    "wait_ms, rating, resolved, surveyed";

// What a read_analytics statement selects and groups by, per AnalyticsGroup: the period (0 unless
// grouped by it) and the three dimensions ('' unless grouped by one), then the group key.
struct Grouping {
  AnalyticsGroup group;
  std::string_view columns;  // period, topic, queue, agent
  std::string_view key;      // GROUP BY / ORDER BY after the metric
};
constexpr std::array<Grouping, 5> kGroupings = {{
    {AnalyticsGroup::kNone, "0, '', '', ''", ""},
    {AnalyticsGroup::kPeriod, "period, '', '', ''", ", period"},
    {AnalyticsGroup::kTopic, "0, topic, '', ''", ", topic"},
    {AnalyticsGroup::kQueue, "0, '', queue, ''", ", queue"},
    {AnalyticsGroup::kAgent, "0, '', '', agent", ", agent"},
}};

// The period range is the primary key's prefix; the filters apply to the cells in it. One row more
// than allowed tells a query that is too large.
std::string cells_sql(const Grouping& g) {
  return fmt::format(
      "SELECT {0}, metric, sum(count), sum(sum) FROM analytics_cells "
      "WHERE period >= ?1 AND period < ?2 AND (?3 = '' OR topic = ?3) AND (?4 = '' OR queue = ?4) "
      "AND (?5 = '' OR agent = ?5) GROUP BY metric{1} ORDER BY metric{1} LIMIT ?6",
      g.columns, g.key);
}

AnalyticsCell decode_cell(const Stmt& s) {
  AnalyticsCell c;
  c.period = s.column_int(0);
  c.topic = s.column_text(1);
  c.queue = s.column_text(2);
  c.agent = s.column_text(3);
  c.metric = s.column_text(4);
  c.count = s.column_int(5);
  c.sum = s.column_double(6);
  return c;
}

AnalyticsSession decode_session(const Stmt& s) {
  AnalyticsSession a;
  a.conversation_id = s.column_text(0);
  a.number = static_cast<std::uint32_t>(s.column_int(1));
  a.started = s.column_time(2);
  a.ended = s.column_time(3);
  a.outcome = s.column_text(4);
  a.topic = s.column_text(5);
  a.reason = s.column_text(6);
  a.queue = s.column_text(7);
  a.agent = s.column_text(8);
  if (!s.column_is_null(9)) {
    a.wait_ms = s.column_int(9);
  }
  if (!s.column_is_null(10)) {
    a.rating = static_cast<std::int32_t>(s.column_int(10));
  }
  if (!s.column_is_null(11)) {
    a.resolved = s.column_int(11) != 0;
  }
  a.surveyed = s.column_int(12) != 0;
  return a;
}

OpenSession decode_open_session(const Stmt& s) {
  return OpenSession{s.column_text(0), s.column_text(1), s.column_time(2)};
}

}  // namespace

std::string analytics_cells_sql(AnalyticsGroup group) {
  return cells_sql(kGroupings.at(static_cast<std::size_t>(group)));
}

// Walks the open sessions (CROSS JOIN keeps them the outer loop) and looks each conversation up by
// its key; only the page's states are read, after the sort.
std::string idle_open_sessions_sql() {
  return "SELECT o.conversation_id, o.state, i.updated_ms FROM "
         "(SELECT s.conversation_id AS id, c.updated_ms AS updated_ms FROM open_sessions s "
         "CROSS JOIN conversations c ON c.id = s.conversation_id WHERE c.updated_ms < ?1 "
         "ORDER BY c.updated_ms, s.conversation_id LIMIT ?2) i "
         "CROSS JOIN open_sessions o ON o.conversation_id = i.id ORDER BY i.updated_ms, i.id";
}

Result<AnalyticsWrites> AnalyticsWrites::prepare(sqlite3* db) {
  AnalyticsWrites w;
  Preparer p{db, std::nullopt};
  p(w.add_cell_,
    "INSERT INTO analytics_cells (period, metric, topic, queue, agent, count, sum) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (period, metric, topic, queue, agent) "
    "DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum");
  p(w.put_session_,
    fmt::format("INSERT OR REPLACE INTO analytics_sessions ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                "?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                kSessionColumns));
  p(w.put_open_session_,
    "INSERT INTO open_sessions (conversation_id, state) VALUES (?1, ?2) "
    "ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state");
  p(w.delete_open_session_, "DELETE FROM open_sessions WHERE conversation_id = ?1");
  p(w.delete_sessions_, "DELETE FROM analytics_sessions WHERE conversation_id = ?1");
  if (p.error) {
    return *p.error;
  }
  return w;
}

Status AnalyticsWrites::add(const op::AddAnalytics& o) {
  for (const AnalyticsCell& c : o.cells) {
    Stmt& s = add_cell_;
    s.bind(1, c.period).bind(2, c.metric).bind(3, c.topic).bind(4, c.queue).bind(5, c.agent);
    s.bind(6, c.count).bind_double(7, c.sum);
    if (Status status = s.run("add analytics"); !status.ok()) {
      return annotate(std::move(status),
                      fmt::format("add analytics '{}' at period {}", c.metric, c.period));
    }
  }
  return {};
}

Status AnalyticsWrites::put_session(const op::PutAnalyticsSession& o) {
  const AnalyticsSession& a = o.row;
  Stmt& s = put_session_;
  s.bind(1, a.conversation_id).bind(2, std::int64_t{a.number});
  s.bind(3, to_millis(a.started)).bind(4, to_millis(a.ended)).bind(5, a.outcome);
  s.bind(6, a.topic).bind(7, a.reason).bind(8, a.queue).bind(9, a.agent);
  if (a.wait_ms) {
    s.bind(10, *a.wait_ms);
  } else {
    s.bind_null(10);
  }
  if (a.rating) {
    s.bind(11, std::int64_t{*a.rating});
  } else {
    s.bind_null(11);
  }
  if (a.resolved) {
    s.bind(12, std::int64_t{*a.resolved ? 1 : 0});
  } else {
    s.bind_null(12);
  }
  s.bind(13, std::int64_t{a.surveyed ? 1 : 0});
  return annotate(
      s.run("unknown conversation"),
      fmt::format("put analytics session {} of conversation '{}'", a.number, a.conversation_id));
}

Status AnalyticsWrites::put_open_session(const op::PutOpenSession& o) {
  put_open_session_.bind(1, o.row.conversation_id).bind(2, o.row.state_json);
  return annotate(put_open_session_.run("unknown conversation"),
                  fmt::format("put open session of conversation '{}'", o.row.conversation_id));
}

Status AnalyticsWrites::delete_open_session(const op::DeleteOpenSession& o) {
  delete_open_session_.bind(1, o.conversation_id);
  return delete_open_session_.run(
      fmt::format("delete open session of conversation '{}'", o.conversation_id));
}

Status AnalyticsWrites::delete_conversation(const std::string& id) {
  const std::string what = fmt::format("delete conversation '{}'", id);
  for (Stmt* s : {&delete_sessions_, &delete_open_session_}) {
    s->bind(1, id);
    if (Status status = s->run(what); !status.ok()) {
      return status;
    }
  }
  return {};
}

Result<AnalyticsReads> AnalyticsReads::prepare(sqlite3* db) {
  AnalyticsReads r;
  Preparer p{db, std::nullopt};
  for (const Grouping& g : kGroupings) {
    p(r.cells_.at(static_cast<std::size_t>(g.group)), analytics_cells_sql(g.group));
  }
  p(r.sessions_,
    fmt::format("SELECT {} FROM analytics_sessions WHERE ended_ms >= ?1 AND ended_ms < ?2 "
                "ORDER BY ended_ms, conversation_id, number LIMIT ?3",
                kSessionColumns));
  p(r.sessions_after_,
    fmt::format("SELECT {} FROM analytics_sessions WHERE ended_ms >= ?1 AND ended_ms < ?2 "
                "AND (ended_ms, conversation_id, number) > (?4, ?5, ?6) "
                "ORDER BY ended_ms, conversation_id, number LIMIT ?3",
                kSessionColumns));
  p(r.idle_, idle_open_sessions_sql());
  p(r.get_open_session_,
    "SELECT o.conversation_id, o.state, c.updated_ms FROM open_sessions o "
    "JOIN conversations c ON c.id = o.conversation_id WHERE o.conversation_id = ?1");
  if (p.error) {
    return *p.error;
  }
  return r;
}

Result<std::vector<AnalyticsCell>> AnalyticsReads::read_analytics(std::int64_t from_period,
                                                                  std::int64_t to_period,
                                                                  const AnalyticsFilter& filter,
                                                                  AnalyticsGroup group) {
  Stmt& s = cells_.at(static_cast<std::size_t>(group));
  s.bind(1, from_period).bind(2, to_period);
  s.bind(3, filter.topic).bind(4, filter.queue).bind(5, filter.agent);
  s.bind(6, static_cast<std::int64_t>(kMaxAnalyticsRows + 1));
  auto rows = collect<AnalyticsCell>(s, decode_cell, "read analytics");
  if (rows.ok() && rows->size() > kMaxAnalyticsRows) {
    return too_many_analytics_rows();
  }
  return rows;
}

Result<std::vector<AnalyticsSession>> AnalyticsReads::read_sessions(
    TimePoint from, TimePoint to, const std::optional<SessionKey>& after, std::size_t limit) {
  Stmt& s = after ? sessions_after_ : sessions_;
  s.bind(1, to_millis(from)).bind(2, to_millis(to)).bind(3, page(limit));
  if (after) {
    s.bind(4, to_millis(after->ended)).bind(5, after->conversation_id);
    s.bind(6, std::int64_t{after->number});
  }
  return collect<AnalyticsSession>(s, decode_session, "read analytics sessions");
}

Result<std::vector<OpenSession>> AnalyticsReads::open_sessions_idle_before(TimePoint before,
                                                                           std::size_t limit) {
  idle_.bind(1, to_millis(before)).bind(2, page(limit));
  return collect<OpenSession>(idle_, decode_open_session, "read idle open sessions");
}

Result<OpenSession> AnalyticsReads::get_open_session(const std::string& conversation_id) {
  get_open_session_.bind(1, conversation_id);
  return one<OpenSession>(get_open_session_, decode_open_session,
                          fmt::format("open session of conversation '{}'", conversation_id));
}

}  // namespace baton::store::sqlite
