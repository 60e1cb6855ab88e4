#pragma once
// The SQLite store's analytics statements (internal to src/store): the writer's, which apply the
// analytics ops inside the writer's transaction, and a reader's. WriteStatements and
// ReadStatements (sqlite_statements.hpp) each own one set; a set belongs to one connection and is
// used by one thread at a time. Tables: schema v11 in sqlite_schema.cpp.

#include <sqlite3.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace baton::store::sqlite {

// The SQL of two reads whose cost matters, for tests of their query plans: the cells of an period
// range (a range of the primary key), and the idle open sessions (a walk of open_sessions with
// one key lookup in conversations each, never a scan of conversations).
std::string analytics_cells_sql(AnalyticsGroup group);
std::string idle_open_sessions_sql();

class AnalyticsWrites {
 public:
  static Result<AnalyticsWrites> prepare(sqlite3* db);

  // The ops' contracts are in store.hpp; failures are annotated as WriteStatements::apply's.
  Status add(const op::AddAnalytics& o);
  Status put_session(const op::PutAnalyticsSession& o);
  Status put_open_session(const op::PutOpenSession& o);
  Status delete_open_session(const op::DeleteOpenSession& o);
  // DeleteConversation's part: the conversation's ended sessions and its open session.
  Status delete_conversation(const std::string& id);

 private:
  Stmt add_cell_, put_session_, put_open_session_, delete_open_session_, delete_sessions_;
};

class AnalyticsReads {
 public:
  static Result<AnalyticsReads> prepare(sqlite3* db);

  Result<std::vector<AnalyticsCell>> read_analytics(std::int64_t from_period,
                                                    std::int64_t to_period,
                                                    const AnalyticsFilter& filter,
                                                    AnalyticsGroup group);
  Result<std::vector<AnalyticsSession>> read_sessions(TimePoint from, TimePoint to,
                                                      const std::optional<SessionKey>& after,
                                                      std::size_t limit);
  Result<std::vector<OpenSession>> open_sessions_idle_before(TimePoint before, std::size_t limit);
  Result<OpenSession> get_open_session(const std::string& conversation_id);

 private:
  std::array<Stmt, 5> cells_;  // indexed by AnalyticsGroup
  Stmt sessions_, sessions_after_, idle_, get_open_session_;
};

}  // namespace baton::store::sqlite
