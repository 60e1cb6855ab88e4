// The SQLite store: the shared conformance suites plus what is specific to SQLite (schema
// migrations, WAL checkpoints, group commit, back-pressure, poisoning on a failed fsync).
#include "store/sqlite_store.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <latch>
#include <random>
#include <thread>

#include "store/fault_vfs.hpp"
#include "store/sqlite_analytics.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_schema.hpp"
#include "store/store_activity_id_suite.hpp"
#include "store/store_analytics_suite.hpp"
#include "store/store_canned_suite.hpp"
#include "store/store_crash_util.hpp"
#include "store/store_durability_suite.hpp"
#include "store/store_search_suite.hpp"
#include "store/store_suite.hpp"

namespace baton::store {
namespace {

using testing::at_ms;
using ::testing::HasSubstr;
using testing::make_activity;
using testing::make_conversation;
using testing::TempDir;

struct SqliteFactory {
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir) {
    SqliteOptions options;
    options.path = dir / kSqliteFileName;
    return open_sqlite_store(std::move(options));
  }
};

}  // namespace
}  // namespace baton::store

namespace baton::store::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreSuite, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreDurabilitySuite, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreActivityIdSuite, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreAnalyticsSuite, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreCannedSuite, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreSearchSuite, SqliteFactory);
}  // namespace baton::store::testing

namespace baton::store {
namespace {

std::unique_ptr<Store> open_or_die(SqliteOptions options) {
  auto store = open_sqlite_store(std::move(options));
  if (!store.ok()) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(store).value();
}

sqlite::Db raw_db(const std::filesystem::path& path) {
  auto db = sqlite::Db::open(path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "");
  EXPECT_TRUE(db.ok());
  return std::move(db).value();
}

std::unique_ptr<Store> open_or_die_at(const std::filesystem::path& path) {
  SqliteOptions options;
  options.path = path;
  return open_or_die(options);
}

// SQL adding a conversation row to an old database: the columns every version since v1 has.
std::string old_conversation_sql(const std::string& id, const std::string& ownership, int epoch,
                                 int next_seq) {
  return fmt::format(
      "INSERT INTO conversations (id, bot_id, user_id, channel_id, created_ms, updated_ms, "
      "ownership, epoch, next_seq, closed) VALUES ('{}', 'bot', 'u', 'directline', 5, 6, '{}', {}, "
      "{}, 0);",
      id, ownership, epoch, next_seq);
}

// Leaves at `path` a database as an older Baton at schema `version` wrote it, holding `sql`'s rows.
::testing::AssertionResult old_database_at(const std::filesystem::path& path, int version,
                                           const std::string& sql) {
  sqlite::Db db = raw_db(path);
  if (Status migrated = sqlite::migrate(db.get(), version); !migrated.ok()) {
    return ::testing::AssertionFailure() << migrated.error().message;
  }
  if (auto at = sqlite::schema_version(db.get()); !at.ok() || *at != version) {
    return ::testing::AssertionFailure() << "not at schema version " << version;
  }
  if (Status added = db.exec(sql); !added.ok()) {
    return ::testing::AssertionFailure() << added.error().message;
  }
  return ::testing::AssertionSuccess();
}

// Closes a store that upgraded an old database and opens the file raw: it must be at this build's
// schema version.
sqlite::Db close_at_current_schema(Store& store, const std::filesystem::path& path) {
  EXPECT_TRUE(store.close().ok());
  sqlite::Db db = raw_db(path);
  EXPECT_EQ(*sqlite::schema_version(db.get()), sqlite::kSchemaVersion);
  return db;
}

TEST(SqliteStore, MigratesFromVersion1) {
  TempDir dir;
  auto path = dir.path() / "old.db";
  ASSERT_TRUE(
      old_database_at(path, 1,
                      "INSERT INTO conversations VALUES ('old', 'bot', 'u', 'directline', 5, 6, "
                      "'bot', 2, 3, 0);"
                      "INSERT INTO activities VALUES ('old', 1, 'old|1', 'message', 7, '{}');"
                      "INSERT INTO activities VALUES ('old', 2, 'old|2', 'message', 8, '{}');"));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  auto c = store->get_conversation("old");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->epoch, 2u);
  EXPECT_EQ(c->next_seq, 3u);
  EXPECT_EQ(c->metadata_json, "{}");  // added by version 3 with its default
  EXPECT_EQ(c->created, at_ms(5));
  EXPECT_EQ(store->read_transcript("old")->size(), 2u);
  // Tables from versions 2 and 3 work.
  ASSERT_TRUE(store
                  ->write(std::move(WriteBatch()
                                        .put_snapshot(DialogSnapshot{"old", 2, at_ms(9), "{}"})
                                        .append_event(testing::make_event("old", 1, "x"))))
                  .ok());
  sqlite::Db db = close_at_current_schema(*store, path);
}

// A database written before agents existed upgrades in place; its rows stay and the new tables
// work.
TEST(SqliteStore, MigratesFromVersion3) {
  TempDir dir;
  auto path = dir.path() / "v3.db";
  ASSERT_TRUE(
      old_database_at(path, 3,
                      "INSERT INTO conversations VALUES ('old', 'bot', 'u', 'directline', 5, 6, "
                      "'bot', 2, 3, 0, '{}');"
                      "INSERT INTO conversation_events (conversation_id, seq, kind, epoch, "
                      "time_ms, payload) VALUES ('old', 1, 'handoff.requested', 0, 7, '{}');"));
  EXPECT_FALSE(raw_db(path).exec("SELECT 1 FROM agents").ok());
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get_conversation("old")->epoch, 2u);
  EXPECT_EQ(store->read_events("old", 0, 10)->size(), 1u);
  EXPECT_TRUE(store->list_agents()->empty());
  ASSERT_TRUE(
      store
          ->write(std::move(WriteBatch()
                                .put_agent(testing::make_agent("alice"))
                                .append_hub_log(HubLogRecord{0, at_ms(8), "{}"})
                                .append_audit(testing::make_audit("alice", "login", "", 9))))
          .ok());
  EXPECT_EQ(*store->get_agent("alice"), testing::make_agent("alice"));
  EXPECT_EQ(store->read_hub_log(0, 10)->size(), 1u);
  EXPECT_EQ(store->read_audit(0, 10, "")->size(), 1u);
  sqlite::Db db = close_at_current_schema(*store, path);
}

// Version 5 stores the engine's canonical activity ids implicitly: existing rows are rewritten,
// every id still reads and finds as before, and the id space stays shared.
TEST(SqliteStore, MigratesFromVersion4) {
  TempDir dir;
  auto path = dir.path() / "v4.db";
  ASSERT_TRUE(old_database_at(
      path, 4,
      "INSERT INTO conversations VALUES ('c', 'bot', 'u', 'directline', 5, 6, "
      "'bot', 0, 5, 0, '{}');"
      "INSERT INTO activities VALUES ('c', 1, 'c|0000001', 'message', 7, '{}');"
      "INSERT INTO activities VALUES ('c', 2, 'c|2', 'message', 8, '{}');"
      "INSERT INTO activities VALUES ('c', 3, 'c|0000004', 'message', 9, '{}');"
      "INSERT INTO activities VALUES ('c', 12345678, 'c|12345678', 'x', 9, '{}');"));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  std::vector<std::string> ids;
  auto transcript = store->read_transcript("c");
  ASSERT_TRUE(transcript.ok());
  for (const ActivityRecord& a : *transcript) {
    ids.push_back(a.activity_id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"c|0000001", "c|2", "c|0000004", "c|12345678"}));
  EXPECT_EQ(store->find_activity("c|0000001")->seq, 1u);
  EXPECT_EQ(store->find_activity("c|2")->seq, 2u);
  EXPECT_EQ(store->find_activity("c|0000004")->seq, 3u);
  EXPECT_EQ(store->find_activity("c|12345678")->seq, 12345678u);
  auto append = [&](std::uint64_t seq, const std::string& id) {
    ActivityRecord a = make_activity("c", seq);
    a.activity_id = id;
    return store->write(std::move(WriteBatch().append_activity(a)));
  };
  EXPECT_EQ(append(4, "c|0000004").error().code, ErrorCode::kConflict);  // seq 3 holds it
  EXPECT_EQ(append(4, "c|0000001").error().code, ErrorCode::kConflict);
  EXPECT_EQ(append(4, "c|2").error().code, ErrorCode::kConflict);
  ASSERT_TRUE(append(4, "c|4").ok());
  sqlite::Db db = close_at_current_schema(*store, path);
  // Only the canonical ids became implicit.
  EXPECT_EQ(*db.query_text("SELECT group_concat(seq) FROM activities WHERE activity_id IS NULL"),
            "1,12345678");
}

// Version 6 moves each conversation's snapshot into its row; conversations without one still
// report kNotFound.
TEST(SqliteStore, MigratesSnapshotsIntoConversations) {
  TempDir dir;
  auto path = dir.path() / "v5.db";
  ASSERT_TRUE(
      old_database_at(path, 5,
                      "INSERT INTO conversations VALUES ('a', 'bot', 'u', 'directline', 5, 6, "
                      "'bot', 0, 5, 0, '{}');"
                      "INSERT INTO conversations VALUES ('b', 'bot', 'u', 'directline', 5, 6, "
                      "'agent', 3, 1, 0, '{\"m\":1}');"
                      "INSERT INTO dialog_snapshots VALUES ('a', 4, 11, '{\"topic\":\"x\"}');"));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->get_snapshot("a"), (DialogSnapshot{"a", 4, at_ms(11), R"({"topic":"x"})"}));
  EXPECT_EQ(store->get_snapshot("b").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->get_conversation("b")->epoch, 3u);
  EXPECT_EQ(store->get_conversation("b")->metadata_json, R"({"m":1})");
  // Updating the conversation keeps its snapshot; a new snapshot replaces it.
  Conversation a = *store->get_conversation("a");
  a.next_seq = 6;
  DialogSnapshot later{"a", 5, at_ms(12), "{}"};
  ASSERT_TRUE(store->write(std::move(WriteBatch().update_conversation(a, 0))).ok());
  EXPECT_EQ(store->get_snapshot("a")->seq, 4u);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().put_snapshot(later).update_conversation(a))).ok());
  EXPECT_EQ(*store->get_snapshot("a"), later);
  sqlite::Db db = close_at_current_schema(*store, path);
  EXPECT_FALSE(db.exec("SELECT 1 FROM dialog_snapshots").ok());
}

// v7 moves each handoff's request into handoff_requests; records read back whole, and a status
// change leaves the request row alone.
TEST(SqliteStore, MigratesHandoffRequestsIntoTheirOwnTable) {
  TempDir dir;
  auto path = dir.path() / "v6.db";
  ASSERT_TRUE(old_database_at(
      path, 6,
      old_conversation_sql("a", "queued", 1, 3) +
          "INSERT INTO handoffs VALUES ('a|h2', 'a', 'requested', 'pending', 'general', "
          "7, 8, '{\"agentMessage\":\"hi\"}', '');"));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  HandoffRecord h = *store->get_handoff("a|h2");
  EXPECT_EQ(h.request_json, R"({"agentMessage":"hi"})");
  EXPECT_EQ(h.status, "pending");
  EXPECT_EQ(h.created, at_ms(7));
  h.status = "offered";
  h.updated = at_ms(9);
  ASSERT_TRUE(store->write(std::move(WriteBatch().update_handoff(h))).ok());
  EXPECT_EQ(*store->get_handoff("a|h2"), h);
  EXPECT_EQ(store->handoffs_for_conversation("a")->at(0), h);
  sqlite::Db db = close_at_current_schema(*store, path);
  EXPECT_FALSE(db.exec("SELECT request FROM handoffs").ok());
  EXPECT_EQ(*db.query_text("SELECT request FROM handoff_requests WHERE handoff_id = 'a|h2'"),
            R"({"agentMessage":"hi"})");
}

// v8 keeps activities in arrival order: old rows read back as before, new rows go to the right
// edge whatever their conversation, and reads by (conversation, seq) use the unique index.
TEST(SqliteStore, MigratesActivitiesIntoArrivalOrder) {
  TempDir dir;
  auto path = dir.path() / "v7.db";
  ASSERT_TRUE(old_database_at(
      path, 7,
      old_conversation_sql("a", "bot", 0, 3) + old_conversation_sql("b", "bot", 0, 2) +
          "INSERT INTO activities VALUES ('b', 1, NULL, 'message', 7, '{\"b\":1}');"
          "INSERT INTO activities VALUES ('a', 2, 'x-2', 'message', 8, '{\"a\":2}');"
          "INSERT INTO activities VALUES ('a', 1, NULL, 'message', 7, '{\"a\":1}');"));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  auto seqs = [&](const std::string& conversation) {
    std::vector<std::string> out;
    auto transcript = store->read_transcript(conversation);
    EXPECT_TRUE(transcript.ok());
    for (const ActivityRecord& a : *transcript) {
      out.push_back(std::to_string(a.seq) + ":" + a.activity_id + ":" + a.json);
    }
    return out;
  };
  EXPECT_EQ(seqs("a"), (std::vector<std::string>{R"(1:a|0000001:{"a":1})", R"(2:x-2:{"a":2})"}));
  EXPECT_EQ(seqs("b"), (std::vector<std::string>{R"(1:b|0000001:{"b":1})"}));
  EXPECT_EQ(store->find_activity("x-2")->seq, 2u);
  ASSERT_TRUE(store
                  ->write(std::move(WriteBatch()
                                        .append_activity(make_activity("b", 2))
                                        .append_activity(make_activity("a", 3))
                                        .append_activity(make_activity("b", 3))))
                  .ok());
  EXPECT_EQ(
      store->write(std::move(WriteBatch().append_activity(make_activity("a", 3)))).error().code,
      ErrorCode::kConflict);  // (conversation, seq) stays unique
  EXPECT_EQ(store->read_activities("a", 1, 10)->size(), 2u);
  sqlite::Db db = close_at_current_schema(*store, path);
  EXPECT_EQ(*db.query_text("SELECT group_concat(conversation_id || seq, ' ') FROM (SELECT * "
                           "FROM activities ORDER BY position)"),
            "a1 a2 b1 b2 a3 b3");
  auto plan = sqlite::Stmt::prepare(db.get(),
                                    "EXPLAIN QUERY PLAN SELECT body FROM activities WHERE "
                                    "conversation_id = ?1 AND seq > ?2 ORDER BY seq");
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->step(), SQLITE_ROW);
  EXPECT_THAT(plan->column_text(3), HasSubstr("sqlite_autoindex_activities_1"));
  ASSERT_NE(plan->step(), SQLITE_ROW);  // no temp b-tree for the ORDER BY
}

// v9 gives every row its event name, filled in from the body for rows written before, and keeps
// the arrival order.
TEST(SqliteStore, MigratesEventNamesBesideTypes) {
  TempDir dir;
  auto path = dir.path() / "v8.db";
  ASSERT_TRUE(old_database_at(
      path, 8,
      old_conversation_sql("a", "bot", 0, 6) +
          "INSERT INTO activities (conversation_id, seq, activity_id, type, timestamp_ms, "
          "body) VALUES "
          "('a', 1, NULL, 'message', 7, '{\"type\":\"message\",\"name\":\"m\"}'),"
          "('a', 2, NULL, 'event', 7, '{\"type\":\"event\",\"name\":\"handoff.initiate\"}'),"
          "('a', 3, NULL, 'event', 7, 'not json'),"
          "('a', 4, NULL, 'event', 7, '{\"type\":\"event\",\"name\":42}'),"
          "('a', 5, NULL, 'typing', 7, '{\"type\":\"typing\"}');"));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  auto names = [&] {
    std::vector<std::string> out;
    auto transcript = store->read_transcript("a");
    EXPECT_TRUE(transcript.ok());
    for (const ActivityRecord& a : *transcript) {
      out.push_back(a.type + ":" + a.name);
    }
    return out;
  };
  EXPECT_EQ(names(), (std::vector<std::string>{"message:", "event:handoff.initiate",
                                               "event:", "event:", "typing:"}));
  ActivityRecord later = make_activity("a", 6);
  later.type = "event";
  later.name = "startConversation";
  ASSERT_TRUE(store->write(std::move(WriteBatch().append_activity(later))).ok());
  EXPECT_EQ(store->read_activities("a", 5, 10)->at(0).name, "startConversation");
  sqlite::Db db = close_at_current_schema(*store, path);
  // Before the body, so that reading it never touches a large body's overflow pages.
  EXPECT_EQ(*db.query_text("SELECT group_concat(name, ' ') FROM pragma_table_info('activities')"),
            "position conversation_id seq activity_id type name timestamp_ms body");
  EXPECT_EQ(*db.query_text("SELECT group_concat(conversation_id || seq, ' ') FROM (SELECT * "
                           "FROM activities ORDER BY position)"),
            "a1 a2 a3 a4 a5 a6");
}

// A turn's canonical ids cost no index entry: they are stored as NULL, and the explicit-id index
// is partial.
TEST(SqliteStore, CanonicalActivityIdsAreImplicit) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  ActivityRecord canonical = make_activity("c", 1);
  canonical.activity_id = "c|0000001";
  ASSERT_TRUE(store
                  ->write(std::move(WriteBatch()
                                        .insert_conversation(make_conversation("c"))
                                        .append_activity(canonical)
                                        .append_activity(make_activity("c", 2))))
                  .ok());
  ASSERT_TRUE(store->close().ok());
  sqlite::Db db = raw_db(options.path);
  EXPECT_EQ(*db.query_text("SELECT group_concat(ifnull(activity_id, '-')) FROM activities"),
            "-,c|2");
  auto plan = sqlite::Stmt::prepare(db.get(),
                                    "EXPLAIN QUERY PLAN SELECT 1 FROM activities WHERE "
                                    "activity_id = ?1");  // the writer's id check
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->step(), SQLITE_ROW);
  EXPECT_THAT(plan->column_text(3), HasSubstr("activities_by_explicit_id"));
}

// A server-stamped body is kept on disk without the prefix its columns repeat (activity_body.hpp),
// and a body written before that form (whole, by an older version) still reads as it is.
TEST(SqliteStore, StampedBodiesAreKeptWithoutTheirPrefix) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  ActivityRecord a = make_activity("c", 1);
  a.activity_id = "c|0000001";
  a.json = R"({"type":"message","id":"c|0000001","timestamp":")" + format_iso8601(a.timestamp) +
           R"(","text":"hi"})";
  ActivityRecord whole = make_activity("c", 2);
  ASSERT_TRUE(store
                  ->write(std::move(WriteBatch()
                                        .insert_conversation(make_conversation("c"))
                                        .append_activity(a)
                                        .append_activity(whole)))
                  .ok());
  ASSERT_TRUE(store->close().ok());
  {
    sqlite::Db db = raw_db(options.path);
    EXPECT_EQ(*db.query_text("SELECT body FROM activities WHERE seq = 1"), R"({,"text":"hi"})");
    EXPECT_EQ(*db.query_text("SELECT body FROM activities WHERE seq = 2"), whole.json);
    // As an older version left it: the whole body.
    ASSERT_EQ(sqlite3_exec(db.get(),
                           ("UPDATE activities SET body = '" + a.json + "' WHERE seq = 1").c_str(),
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->read_transcript("c")->at(0), a);
}

// A database from before analytics (v10) gains the three tables and keeps its conversations.
TEST(SqliteStore, MigratesToAnalytics) {
  TempDir dir;
  auto path = dir.path() / "v10.db";
  ASSERT_TRUE(old_database_at(path, 10, old_conversation_sql("a", "bot", 0, 1)));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store
          ->write(std::move(WriteBatch()
                                .put_open_session(OpenSession{"a", "{}", {}})
                                .add_analytics({AnalyticsCell{1, "session", "", "", "", 1, 0}})))
          .ok());
  EXPECT_EQ(store->get_open_session("a")->state_json, "{}");
  close_at_current_schema(*store, path);
}

TEST(SqliteStore, MigratesToCannedResponses) {
  TempDir dir;
  auto path = dir.path() / "v11.db";
  ASSERT_TRUE(old_database_at(path, 11, old_conversation_sql("a", "bot", 0, 1)));
  auto store = open_or_die_at(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().put_canned(testing::make_canned("c1", "", "hi")))).ok());
  EXPECT_EQ(store->get_canned("c1")->code, "hi");
  EXPECT_EQ(store->get_conversation("a")->id, "a");
  close_at_current_schema(*store, path);
}

// The EXPLAIN QUERY PLAN lines of `sql` on `db`, one string.
std::string query_plan(sqlite::Db& db, const std::string& sql) {
  auto plan = sqlite::Stmt::prepare(db.get(), "EXPLAIN QUERY PLAN " + sql);
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  std::string lines;
  while (plan.ok() && plan->step() == SQLITE_ROW) {
    lines += plan->column_text(3) + "\n";
  }
  return lines;
}

// Summaries read a range of the cells' key; the idle sweep costs what the open sessions number,
// whatever the number of conversations (no index on updated_ms, which every turn rewrites).
TEST(SqliteStore, AnalyticsReadsUseKeys) {
  TempDir dir;
  const auto path = dir.path() / kSqliteFileName;
  ASSERT_NE(open_or_die_at(path), nullptr);
  sqlite::Db db = raw_db(path);
  for (AnalyticsGroup group : {AnalyticsGroup::kNone, AnalyticsGroup::kPeriod,
                               AnalyticsGroup::kTopic, AnalyticsGroup::kAgent}) {
    EXPECT_THAT(query_plan(db, sqlite::analytics_cells_sql(group)),
                HasSubstr("SEARCH analytics_cells USING PRIMARY KEY (period>? AND period<?)"));
  }
  const std::string idle = query_plan(db, sqlite::idle_open_sessions_sql());
  EXPECT_THAT(idle, HasSubstr("SEARCH c USING PRIMARY KEY (id=?)"));
  EXPECT_THAT(idle, HasSubstr("SCAN s USING COVERING INDEX sqlite_autoindex_open_sessions_1"));
  EXPECT_THAT(idle, ::testing::Not(HasSubstr("SCAN c")));
  EXPECT_EQ(*db.query_text("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                           "tbl_name = 'conversations' AND sql LIKE '%updated_ms%'"),
            "0");
}

// A second process (`baton agent add` while `baton serve` runs) writes agents the first one's
// reads see at once.
TEST(SqliteStore, TwoStoresOnOneFileSeeEachOthersAgents) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto server = open_or_die(options);
  auto cli = open_or_die(options);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  ASSERT_TRUE(
      server->write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(1), "a"}))).ok());
  ASSERT_TRUE(cli->write(std::move(WriteBatch().put_agent(testing::make_agent("alice")))).ok());
  EXPECT_EQ(server->get_agent("alice")->display_name, "Agent alice");
  ASSERT_TRUE(cli->close().ok());
  ASSERT_TRUE(server->write(std::move(WriteBatch().delete_agent("alice"))).ok());
  EXPECT_TRUE(server->list_agents()->empty());
  EXPECT_EQ(server->read_hub_log(0, 10)->size(), 1u);
}

TEST(SqliteStore, MigrationStepsAreOrderedAndComplete) {
  int expected = 1;
  for (const auto& step : sqlite::migrations()) {
    EXPECT_EQ(step.version, expected++);
  }
  EXPECT_EQ(expected - 1, sqlite::kSchemaVersion);
}

TEST(SqliteStore, RefusesNewerSchema) {
  TempDir dir;
  auto path = dir.path() / "new.db";
  {
    sqlite::Db db = raw_db(path);
    ASSERT_TRUE(db.exec("PRAGMA user_version = 99").ok());
  }
  SqliteOptions options;
  options.path = path;
  auto store = open_sqlite_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(store.error().message, HasSubstr("99"));
}

TEST(SqliteStore, RejectsFileThatIsNotADatabase) {
  TempDir dir;
  auto path = dir.path() / "junk.db";
  std::ofstream(path) << std::string(8192, 'x');
  SqliteOptions options;
  options.path = path;
  auto store = open_sqlite_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_THAT(store.error().message, HasSubstr("not a database"));
}

TEST(SqliteStore, CreatesMissingDirectoriesAndUsesWal) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / "a" / "b" / kSqliteFileName;
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(std::filesystem::exists(options.path));
  sqlite::Db db = raw_db(options.path);
  EXPECT_EQ(*db.query_text("PRAGMA journal_mode"), "wal");
}

TEST(SqliteStore, OptionErrors) {
  EXPECT_EQ(open_sqlite_store(SqliteOptions{}).error().code, ErrorCode::kInvalidArgument);
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  SqliteOptions options;
  options.path = dir.path() / "file" / "sub" / "baton.db";  // parent is a regular file
  auto store = open_sqlite_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_EQ(*parse_synchronous("full"), Synchronous::kFull);
  EXPECT_EQ(*parse_synchronous("normal"), Synchronous::kNormal);
  EXPECT_EQ(parse_synchronous("off").error().code, ErrorCode::kInvalidArgument);
}

// Batches submitted back to back share transactions, and a bad batch inside a shared transaction
// fails alone (the durability suite checks isolation; this checks it happened inside groups).
TEST(SqliteStore, GroupCommitSharesTransactionsAndIsolatesBadBatches) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto store = open_or_die(options);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  constexpr int kBatches = 500;
  testing::Outcomes outcomes;
  outcomes.expect(kBatches);
  std::uint64_t seq = 0;
  for (int i = 0; i < kBatches; ++i) {
    // Every tenth batch repeats seq 1 and must fail; the others append the next seq.
    ActivityRecord row = make_activity("c", i % 10 == 9 ? 1 : ++seq);
    if (i % 10 == 9) {
      row.activity_id = "dup" + std::to_string(i);
    }
    ASSERT_TRUE(store
                    ->submit(std::move(WriteBatch().append_activity(row)),
                             outcomes.callback(static_cast<std::size_t>(i)))
                    .ok());
  }
  ASSERT_TRUE(outcomes.wait(kBatches));
  for (int i = 0; i < kBatches; ++i) {
    EXPECT_EQ(outcomes.at(static_cast<std::size_t>(i)).ok(), i % 10 != 9) << i;
  }
  StoreStats stats = store->stats();
  EXPECT_EQ(stats.batches_committed, 1u + kBatches * 9 / 10);
  EXPECT_EQ(stats.batches_failed, kBatches / 10u);
  EXPECT_LT(stats.transactions, kBatches / 2u) << "batches were not grouped";
  EXPECT_EQ(store->read_transcript("c")->size(), seq);
}

TEST(SqliteStore, GroupOfOneIsOneTransactionPerBatch) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.max_group_batches = 1;
  auto store = open_or_die(options);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  testing::Outcomes outcomes;
  outcomes.expect(50);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(store
                    ->submit(std::move(WriteBatch().append_activity(make_activity("c", i + 1))),
                             outcomes.callback(static_cast<std::size_t>(i)))
                    .ok());
  }
  ASSERT_TRUE(outcomes.wait(50));
  EXPECT_EQ(store->stats().transactions, 51u);
}

// A callback that blocks holds the writer, so the queue fills deterministically.
TEST(SqliteStore, FullQueueFailsFast) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.queue_capacity = 2;
  auto store = open_or_die(options);
  std::latch writer_blocked(1);
  std::latch release(1);
  ASSERT_TRUE(store
                  ->submit(std::move(WriteBatch().put_meta("a", "1")),
                           [&](const Status&) {
                             writer_blocked.count_down();
                             release.wait();
                           })
                  .ok());
  writer_blocked.wait();
  testing::Outcomes outcomes;
  outcomes.expect(2);
  ASSERT_TRUE(store->submit(std::move(WriteBatch().put_meta("b", "2")), outcomes.callback(0)).ok());
  ASSERT_TRUE(store->submit(std::move(WriteBatch().put_meta("c", "3")), outcomes.callback(1)).ok());
  Status full = store->submit(std::move(WriteBatch().put_meta("d", "4")), [](const Status&) {});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(full.error().message, HasSubstr("queue is full"));
  release.count_down();
  ASSERT_TRUE(outcomes.wait(2));
  EXPECT_TRUE(outcomes.at(1).ok());
  EXPECT_EQ(*store->get_meta("c"), "3");
  EXPECT_TRUE(store->submit(std::move(WriteBatch().put_meta("d", "4")), [](const Status&) {}).ok());
}

TEST(SqliteStore, BlockingWriteFromCallbackFailsInsteadOfDeadlocking) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto store = open_or_die(options);
  Store* raw = store.get();
  testing::Outcomes outcomes;
  outcomes.expect(2);
  WriteCallback inner = outcomes.callback(1);
  ASSERT_TRUE(store
                  ->submit(std::move(WriteBatch().put_meta("a", "1")),
                           [&, raw](const Status&) {
                             Status nested = raw->write(std::move(WriteBatch().put_meta("b", "2")));
                             outcomes.callback(0)(nested);
                             // submit() is the way to chain writes from a callback.
                             (void)raw->submit(std::move(WriteBatch().put_meta("c", "3")), inner);
                           })
                  .ok());
  ASSERT_TRUE(outcomes.wait(2));
  EXPECT_EQ(outcomes.at(0).error().code, ErrorCode::kInternal);
  EXPECT_TRUE(outcomes.at(1).ok());
  EXPECT_EQ(*store->get_meta("c"), "3");
}

TEST(SqliteStore, FailedFsyncPoisonsTheStore) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.vfs = testing::fault_vfs_name();
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());

  testing::set_fail_sync(true);
  Status failed = store->write(std::move(WriteBatch().append_activity(make_activity("c", 1))));
  testing::set_fail_sync(false);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_THAT(failed.error().message, HasSubstr("storage failure"));

  // Storage "recovered", but the store stays stopped: later writes fail fast and loudly.
  Status later = store->submit(std::move(WriteBatch().put_meta("k", "v")), [](const Status&) {});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, ErrorCode::kIo);
  EXPECT_TRUE(store->get_conversation("c").ok());  // reads still work
  EXPECT_FALSE(store->close().ok());
}

TEST(SqliteStore, FailedWritePoisonsTheStore) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.vfs = testing::fault_vfs_name();
  auto store = open_or_die(options);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  testing::set_fail_write(true);
  Status failed = store->write(std::move(WriteBatch().append_activity(make_activity("c", 1))));
  testing::set_fail_write(false);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_EQ(store->write(std::move(WriteBatch().put_meta("k", "v"))).error().code, ErrorCode::kIo);
}

TEST(SqliteStore, AFullDiskFailsBatchesAsUnavailableAndPassesByItself) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.vfs = testing::fault_vfs_name();
  options.probe_interval = std::chrono::milliseconds(10);
  options.resume_free_bytes = 0;
  auto store = open_or_die(options);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  EXPECT_EQ(store->health().state, StoreHealth::State::kWritable);

  testing::set_disk_full(true);
  Status failed = store->write(std::move(WriteBatch().append_activity(make_activity("c", 1))));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(failed.error().message, HasSubstr("full"));
  const StoreHealth full = store->health();
  EXPECT_EQ(full.state, StoreHealth::State::kUnavailable);
  EXPECT_THAT(full.reason, HasSubstr("full"));
  // Refused at once while full, and reads go on.
  Status refused = store->submit(std::move(WriteBatch().put_meta("k", "v")), [](const Status&) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(store->get_conversation("c").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // probes fail meanwhile
  EXPECT_EQ(store->health().state, StoreHealth::State::kUnavailable);

  testing::set_disk_full(false);
  for (int i = 0; i < 500 && !store->health().writable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(store->health().writable()) << store->health().reason;
  // The failed batch never landed: the same seq can be written now.
  ASSERT_TRUE(store->write(std::move(WriteBatch().append_activity(make_activity("c", 1)))).ok());
  auto page = store->read_activities("c", 0, 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->size(), 1u);
  EXPECT_TRUE(store->close().ok());
}

// Power loss, simulated: the child writes through the fault VFS, which keeps an undo log of
// everything not yet fsynced; at a random moment the child rolls every file back to its last
// synced state and dies. Small WAL thresholds make checkpoints and WAL restarts happen meanwhile.
TEST(SqliteStore, AcknowledgedWritesSurvivePowerLoss) {
  TempDir dir;
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < testing::crash_rounds(); ++round) {
    SqliteOptions options;
    options.path = dir.path() / ("power" + std::to_string(round)) / kSqliteFileName;
    options.vfs = testing::fault_vfs_name();
    options.checkpoint_interval = std::chrono::milliseconds(5);
    options.checkpoint_wal_pages = 64;
    options.idle_truncate_after = std::chrono::milliseconds(20);
    auto cut_after = std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 600)(rng));
    testing::CrashRound crash = testing::run_crash_round(
        [&](int fd) {
          auto store = open_sqlite_store(options);
          if (!store.ok()) {
            _exit(2);
          }
          Store* raw = store->get();
          std::thread writer([raw, fd] { testing::append_and_report(*raw, fd); });
          std::this_thread::sleep_for(cut_after);
          testing::simulate_power_loss();
        },
        std::chrono::milliseconds(0), /*kill_child=*/false);
    ASSERT_TRUE(WIFEXITED(crash.wait_status) && WEXITSTATUS(crash.wait_status) == 0)
        << "child failed with status " << crash.wait_status;
    options.vfs.clear();
    auto store = open_or_die(options);
    ASSERT_NE(store, nullptr);
    testing::expect_log_intact(*store, crash.max_acked);
    std::printf("  round %d: power cut after %lld ms, %llu acknowledged, %zu stored\n", round,
                static_cast<long long>(cut_after.count()),
                static_cast<unsigned long long>(crash.max_acked),
                store->read_transcript("c")->size());
  }
}

TEST(SqliteStore, CheckpointerTruncatesWalWhenIdle) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.checkpoint_interval = std::chrono::milliseconds(10);
  options.idle_truncate_after = std::chrono::milliseconds(50);
  auto store = open_or_die(options);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        store->write(std::move(WriteBatch().append_activity(make_activity("c", i + 1)))).ok());
  }
  // The WAL must be seen holding frames before it is seen empty. A busy machine can stall this
  // thread past idle_truncate_after between a write and the look (CI did), so write until one
  // look lands in time.
  auto wal = std::filesystem::path(options.path.string() + "-wal");
  std::uint64_t seq = 20;
  while (std::filesystem::file_size(wal) == 0 && seq < 200) {
    ASSERT_TRUE(
        store->write(std::move(WriteBatch().append_activity(make_activity("c", ++seq)))).ok());
  }
  ASSERT_GT(std::filesystem::file_size(wal), 0u);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::filesystem::file_size(wal) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(std::filesystem::file_size(wal), 0u);
  EXPECT_GE(store->stats().checkpoints, 1u);
  EXPECT_EQ(store->read_transcript("c")->size(), seq);  // readable from the database file
}

// Under writes that never pause, a passive checkpoint never sees the whole WAL backfilled; the
// writer finishing the checkpointer's pass is what lets the WAL start over. Without it the WAL
// file grows with every transaction for as long as the load lasts.
TEST(SqliteStore, WalStartsOverUnderContinuousWrites) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.checkpoint_interval = std::chrono::milliseconds(20);
  options.checkpoint_wal_pages = 512;                   // the writer finishes past 256 frames
  options.idle_truncate_after = std::chrono::hours(1);  // never idle here
  options.max_group_batches = 1;                        // one transaction per batch
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  Conversation c = make_conversation("c");
  ASSERT_TRUE(store->write(std::move(WriteBatch().insert_conversation(c))).ok());
  const auto wal = std::filesystem::path(options.path.string() + "-wal");
  std::atomic<int> in_flight{0};
  std::uintmax_t wal_bytes_seen = 0;
  // A count, not a time: on a busy machine a second and a half held too few transactions for the
  // WAL to stay well below them all (CI-like load: 593).
  constexpr std::uint64_t kBatches = 4000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::uint64_t seq = 1;
  while (seq <= kBatches && std::chrono::steady_clock::now() < deadline) {
    while (in_flight.load() >= 16) {
      std::this_thread::yield();
    }
    c.next_seq = seq + 1;
    WriteBatch batch;
    batch.append_activity(make_activity("c", seq++)).update_conversation(c);
    ++in_flight;
    ASSERT_TRUE(store
                    ->submit(std::move(batch),
                             [&in_flight](const Status& s) {
                               EXPECT_TRUE(s.ok());
                               --in_flight;
                             })
                    .ok());
    std::error_code ec;
    wal_bytes_seen = std::max(wal_bytes_seen, std::filesystem::file_size(wal, ec));
  }
  while (in_flight.load() > 0) {
    std::this_thread::yield();
  }
  const StoreStats stats = store->stats();
  EXPECT_GE(stats.wal_restarts, 2u) << stats.transactions << " transactions";
  // Every transaction writes at least two frames; without restarts the file holds them all.
  const std::uintmax_t all_frames = stats.transactions * 2 * 4096;
  EXPECT_LT(wal_bytes_seen * 2, all_frames) << "WAL reached " << wal_bytes_seen << " bytes over "
                                            << stats.transactions << " transactions";
  EXPECT_EQ(store->read_transcript("c")->size(), seq - 1);
  ASSERT_TRUE(store->close().ok());
}

TEST(SqliteStore, StatsCountSlowTransactions) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.vfs = testing::fault_vfs_name();
  auto store = open_or_die(options);
  ASSERT_TRUE(store->write(std::move(WriteBatch().put_meta("fast", "1"))).ok());
  const StoreStats before = store->stats();  // (a loaded machine may make even this one slow)
  EXPECT_GT(before.max_transaction_us, 0u);
  testing::set_sync_delay(std::chrono::milliseconds(60));
  const Status slow = store->write(std::move(WriteBatch().put_meta("slow", "1")));
  testing::set_sync_delay(std::chrono::milliseconds(0));
  ASSERT_TRUE(slow.ok());
  const StoreStats after = store->stats();
  EXPECT_EQ(after.transactions, before.transactions + 1);
  EXPECT_EQ(after.slow_transactions, before.slow_transactions + 1);
  EXPECT_GE(after.max_transaction_us, 60'000u);
  ASSERT_TRUE(store->close().ok());
}

TEST(SqliteStore, CleanCloseLeavesEmptyWal) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  options.checkpoint_interval = std::chrono::hours(1);  // only the final checkpoint runs
  auto store = open_or_die(options);
  ASSERT_TRUE(store->write(std::move(WriteBatch().put_meta("k", "v"))).ok());
  ASSERT_TRUE(store->close().ok());
  auto wal = std::filesystem::path(options.path.string() + "-wal");
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0u);
}

// Every file of the data directory that SQLite writes, read raw.
std::string raw_files(const std::filesystem::path& db) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::ifstream in(db.string() + suffix, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

// Run twice: deleting the conversation must be what removes the text (the control keeps it).
void deleted_text_is_gone_from_the_files(bool delete_it) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto store = open_or_die(options);
  const std::string marker = "private-marker-7f3a";
  for (const char* id : {"c1", "c2"}) {
    WriteBatch batch;
    batch.insert_conversation(make_conversation(id));
    for (std::uint64_t seq = 1; seq <= 50; ++seq) {
      ActivityRecord a = make_activity(id, seq);
      // Long bodies too, which live on overflow pages.
      a.json = fmt::format(R"({{"type":"message","text":"{} {} {}"}})",
                           id == std::string("c1") ? marker : "x", seq,
                           std::string(seq % 10 == 0 ? 9000 : 100, 'p'));
      batch.append_activity(a);
    }
    batch.put_snapshot({id, 50, at_ms(1'700'000'000'050),
                        fmt::format(R"({{"name":"{}"}})", id == std::string("c1") ? marker : "y")});
    ASSERT_TRUE(store->write(std::move(batch)).ok());
  }
  if (delete_it) {
    ASSERT_TRUE(store->write(std::move(WriteBatch().delete_conversation("c1"))).ok());
  }
  ASSERT_TRUE(store->close().ok());  // the final checkpoint empties the WAL
  const std::string files = raw_files(options.path);
  EXPECT_EQ(files.find(marker) == std::string::npos, delete_it);
  EXPECT_NE(files.find(R"("name":"y")"), std::string::npos) << "the other conversation stays";
}

TEST(SqliteStore, DeletedConversationsLeaveNoTextInTheFiles) {
  deleted_text_is_gone_from_the_files(false);
  deleted_text_is_gone_from_the_files(true);
}

}  // namespace
}  // namespace baton::store
