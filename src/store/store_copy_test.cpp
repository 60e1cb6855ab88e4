// copy_sqlite_to_postgres (`baton store migrate`) against the binary's PostgreSQL cluster
// (registered by pg_store_test.cpp): every table arrives whole, positions are kept and continue,
// a non-empty target is refused, and a failed copy writes nothing.
#include "store/store_copy.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/pg_store.hpp"
#include "store/pg_test_cluster.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_canned_suite.hpp"
#include "store/store_test_util.hpp"

namespace baton::store {
namespace {

using testing::at_ms;
using ::testing::HasSubstr;
using testing::make_activity;
using testing::make_agent;
using testing::make_audit;
using testing::make_canned;
using testing::make_conversation;
using testing::make_event;
using testing::make_handoff;
using testing::pg_test_cluster;

std::string fresh_schema(const std::string& name) {
  EXPECT_TRUE(pg_test_cluster().exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", name)).ok());
  EXPECT_TRUE(pg_test_cluster().create_schema(name).ok());
  return pg_test_cluster().conninfo(name);
}

// A SQLite store with a row in every table, an explicit activity id beside the engine's ones, text
// that COPY must escape, and a snapshot.
void fill(const std::filesystem::path& path) {
  SqliteOptions options;
  options.path = path;
  auto store = open_sqlite_store(options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Store& s = **store;
  Conversation closed = make_conversation("c2");
  closed.closed = true;
  closed.ownership = "closed";
  ActivityRecord explicit_id = make_activity("c1", 3);
  explicit_id.activity_id = "upload-7";
  explicit_id.json = "{\"text\":\"tab\\there\\\\ and a\\nnewline\"}";
  ActivityRecord canonical = make_activity("c1", 2);
  canonical.activity_id = "c1|0000002";
  AgentRecord disabled_agent = make_agent("bob");
  disabled_agent.disabled = true;  // schema v13: the flag is copied too
  ASSERT_TRUE(s.write(std::move(WriteBatch()
                                    .insert_conversation(make_conversation("c1"))
                                    .insert_conversation(closed)
                                    .append_activity(make_activity("c1", 1))
                                    .append_activity(canonical)
                                    .append_activity(explicit_id)
                                    .put_snapshot(DialogSnapshot{"c1", 3, at_ms(9), "{\"s\":1}"})
                                    .insert_handoff(make_handoff("h1", "c1", 10))
                                    .append_event(make_event("c1", 1, "handoff.requested"))
                                    .append_event(make_event("c2", 1, "closed"))
                                    .put_agent(make_agent("alice"))
                                    .put_agent(disabled_agent)
                                    .put_canned(make_canned("cr1", "billing", "refund"))
                                    .append_audit(make_audit("alice", "login", "", 11))
                                    .put_meta("secret", "s1")))
                  .ok());
  AnalyticsSession ended;
  ended.conversation_id = "c2";
  ended.started = at_ms(20);
  ended.ended = at_ms(30);
  ended.outcome = "escalated";
  ended.reason = "requested";
  ended.queue = "billing";
  ended.agent = "alice";
  ended.wait_ms = 7;
  ended.resolved = false;
  ended.surveyed = true;
  AnalyticsSession bare = ended;
  bare.number = 2;
  bare.outcome = "unengaged";
  bare.wait_ms = std::nullopt;
  bare.resolved = std::nullopt;
  bare.rating = 5;
  bare.surveyed = false;
  ASSERT_TRUE(s.write(std::move(WriteBatch()
                                    .add_analytics(
                                        {AnalyticsCell{5, "wait", "Billing", "billing", "", 1, 0.1},
                                         AnalyticsCell{6, "csat", "", "", "alice", 3, 1.0 / 3}})
                                    .put_analytics_session(ended)
                                    .put_analytics_session(bare)
                                    .put_open_session(OpenSession{"c1", "{\"tab\":\"\t\"}", {}})))
                  .ok());
  // A sum that only 17 significant digits give back exactly.
  ASSERT_TRUE(s.write(std::move(WriteBatch().add_analytics(
                          {AnalyticsCell{5, "wait", "Billing", "billing", "", 1, 0.2}})))
                  .ok());
  ASSERT_TRUE(s.write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(1), "a"}))).ok());
  ASSERT_TRUE(s.write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(3), "b"}))).ok());
  ASSERT_TRUE(s.close().ok());
}

std::unique_ptr<Store> open_sqlite(const std::filesystem::path& path) {
  SqliteOptions options;
  options.path = path;
  auto store = open_sqlite_store(options);
  EXPECT_TRUE(store.ok());
  return std::move(store).value();
}

TEST(StoreCopy, CopiesEveryTableAndKeepsPositions) {
  testing::TempDir dir;
  const auto path = dir.path() / kSqliteFileName;
  fill(path);
  const std::string target = fresh_schema("copy_all");
  auto copied = copy_sqlite_to_postgres({path, target, false});
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  std::vector<std::string> summary;
  for (const TableCopy& t : *copied) {
    EXPECT_EQ(t.source_rows, t.copied_rows) << t.table;
    summary.push_back(fmt::format("{}={}", t.table, t.copied_rows));
  }
  EXPECT_EQ(summary, (std::vector<std::string>{
                         "conversations=2", "activities=3", "handoffs=1", "conversation_events=2",
                         "agents=2", "hub_log=2", "audit_log=1", "meta=1", "analytics_cells=2",
                         "analytics_sessions=2", "open_sessions=1", "canned_responses=1"}));

  auto source = open_sqlite(path);
  PgOptions options;
  options.conninfo = target;
  auto pg = open_pg_store(options);
  ASSERT_TRUE(pg.ok()) << pg.error().message;
  Store& to = **pg;
  for (const char* id : {"c1", "c2"}) {
    EXPECT_EQ(*to.get_conversation(id), *source->get_conversation(id));
    EXPECT_EQ(*to.read_transcript(id), *source->read_transcript(id));
  }
  EXPECT_EQ(to.find_activity("upload-7")->seq, 3u);
  EXPECT_EQ(to.find_activity("c1|0000002")->seq, 2u);
  EXPECT_EQ(*to.get_snapshot("c1"), *source->get_snapshot("c1"));
  EXPECT_EQ(to.get_snapshot("c2").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*to.get_handoff("h1"), *source->get_handoff("h1"));
  EXPECT_EQ(*to.read_all_events(0, 10), *source->read_all_events(0, 10));
  EXPECT_EQ(*to.list_agents(), *source->list_agents());
  EXPECT_EQ(*to.list_canned(), *source->list_canned());
  EXPECT_EQ(to.list_canned()->size(), 1u);
  EXPECT_EQ(*to.read_audit(0, 10, ""), *source->read_audit(0, 10, ""));
  EXPECT_EQ(*to.get_meta("secret"), "s1");
  for (AnalyticsGroup group : {AnalyticsGroup::kPeriod, AnalyticsGroup::kTopic,
                               AnalyticsGroup::kQueue, AnalyticsGroup::kAgent}) {
    auto copied_cells = to.read_analytics(0, 100, {}, group);
    ASSERT_TRUE(copied_cells.ok()) << copied_cells.error().message;
    EXPECT_EQ(*copied_cells, *source->read_analytics(0, 100, {}, group));
  }
  EXPECT_EQ(to.read_analytics(5, 6, {}, AnalyticsGroup::kNone)->at(0).sum, 0.1 + 0.2);
  EXPECT_EQ(to.read_analytics(6, 7, {}, AnalyticsGroup::kNone)->at(0).sum, 1.0 / 3);
  const std::optional<SessionKey> first;
  auto sessions = to.read_analytics_sessions(at_ms(0), at_ms(100), first, 10);
  ASSERT_TRUE(sessions.ok()) << sessions.error().message;
  EXPECT_EQ(*sessions, *source->read_analytics_sessions(at_ms(0), at_ms(100), first, 10));
  EXPECT_EQ(sessions->size(), 2u);
  EXPECT_EQ(*to.get_open_session("c1"), *source->get_open_session("c1"));
  auto hub_log = to.read_hub_log(0, 10);
  ASSERT_EQ(*hub_log, *source->read_hub_log(0, 10));
  ASSERT_EQ(hub_log->size(), 2u);
  // New entries come after the copied ones.
  ASSERT_TRUE(to.write(std::move(WriteBatch()
                                     .append_hub_log(HubLogRecord{0, at_ms(4), "c"})
                                     .append_event(make_event("c1", 2, "ownership.changed"))
                                     .append_audit(make_audit("bob", "login", "", 12))))
                  .ok());
  EXPECT_GT(to.read_hub_log(0, 10)->back().position, (*hub_log)[1].position);
  EXPECT_EQ(to.read_all_events(0, 10)->back().seq, 2u);
  EXPECT_EQ(to.read_audit(0, 10, "")->back().actor, "bob");
}

TEST(StoreCopy, RefusesANonEmptyTargetAndWritesNothingOnConflict) {
  testing::TempDir dir;
  const auto path = dir.path() / kSqliteFileName;
  fill(path);
  const std::string target = fresh_schema("copy_twice");
  ASSERT_TRUE(copy_sqlite_to_postgres({path, target, false}).ok());
  auto again = copy_sqlite_to_postgres({path, target, false});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_THAT(again.error().message, HasSubstr("not empty (conversations: 2"));
  auto forced = copy_sqlite_to_postgres({path, target, true});
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.error().code, ErrorCode::kConflict) << forced.error().message;
  PgOptions options;
  options.conninfo = target;
  auto pg = open_pg_store(options);
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ((*pg)->list_conversations("", 10, false)->size(), 2u) << "nothing added twice";
}

TEST(StoreCopy, MissingSourceIsNotFound) {
  testing::TempDir dir;
  auto copied =
      copy_sqlite_to_postgres({dir.path() / kSqliteFileName, fresh_schema("copy_none"), false});
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace baton::store
