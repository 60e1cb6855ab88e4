// The PostgreSQL store against a real server (a throwaway cluster per test binary,
// pg_test_cluster.hpp): the shared conformance suites, plus what is specific to PostgreSQL —
// migrations under an advisory lock, group commit, connection strings, and the server going away
// (a killed backend mid-group, a server stopped and started again) without poisoning the store.
#include "store/pg_store.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <random>
#include <thread>

#include "store/pg_statements.hpp"
#include "store/pg_test_cluster.hpp"
#include "store/store_activity_id_suite.hpp"
#include "store/store_analytics_suite.hpp"
#include "store/store_canned_suite.hpp"
#include "store/store_durability_suite.hpp"
#include "store/store_search_suite.hpp"
#include "store/store_suite.hpp"

namespace baton::store {
namespace {

using ::testing::HasSubstr;
using testing::make_activity;
using testing::make_conversation;
using testing::Outcomes;
using testing::pg_test_cluster;

// NOLINTNEXTLINE(cert-err58-cpp): the environment must be registered before main() runs the tests
[[maybe_unused]] const bool kClusterRegistered = testing::register_pg_test_cluster();

// Every data directory a suite hands out gets a schema of its own in the cluster's database:
// reopening the same directory finds the same tables.
std::string schema_for(const std::filesystem::path& dir) {
  return fmt::format("t_{:016x}", std::hash<std::string>{}(dir.string()));
}

PgOptions options_for(const std::filesystem::path& dir) {
  const std::string schema = schema_for(dir);
  Status created = pg_test_cluster().create_schema(schema);
  EXPECT_TRUE(created.ok()) << created.error().message;
  PgOptions options;
  options.conninfo = pg_test_cluster().conninfo(schema);
  return options;
}

struct PgFactory {
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir) {
    return open_pg_store(options_for(dir));
  }
};

// Group commit without savepoints: a failed batch makes the writer replay its group without it.
struct PgReplayFactory {
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir) {
    PgOptions options = options_for(dir);
    options.savepoints = false;
    return open_pg_store(std::move(options));
  }
};

}  // namespace
}  // namespace baton::store

namespace baton::store::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreSuite, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreDurabilitySuite, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreActivityIdSuite, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreAnalyticsSuite, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreCannedSuite, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreSearchSuite, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(PostgresReplay, StoreSuite, PgReplayFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(PostgresReplay, StoreDurabilitySuite, PgReplayFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(PostgresReplay, StoreAnalyticsSuite, PgReplayFactory);
}  // namespace baton::store::testing

namespace baton::store {
namespace {

std::unique_ptr<Store> open_or_die(PgOptions options) {
  auto store = open_pg_store(std::move(options));
  if (!store.ok()) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(store).value();
}

// Waits up to `seconds` for `condition`.
bool eventually(const std::function<bool()>& condition, int seconds = 30) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

TEST(PgStore, RefusesNewerSchema) {
  testing::TempDir dir;
  {
    auto store = open_or_die(options_for(dir.path()));
    ASSERT_NE(store, nullptr);
  }
  const std::string schema = schema_for(dir.path());
  ASSERT_TRUE(pg_test_cluster()
                  .exec(fmt::format("UPDATE \"{}\".baton_schema SET version = 99", schema))
                  .ok());
  auto store = open_pg_store(options_for(dir.path()));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(store.error().message, HasSubstr("schema version 99 is newer"));
}

// Several processes starting at once against a new database migrate it once (advisory lock).
TEST(PgStore, ConcurrentOpensMigrateOnce) {
  testing::TempDir dir;
  const PgOptions options = options_for(dir.path());
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  std::vector<std::string> errors(4);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    threads.emplace_back([&, i] {
      auto store = open_pg_store(options);
      if (store.ok()) {
        ++opened;
      } else {
        errors[i] = store.error().message;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(opened.load(), 4) << errors[0] << errors[1] << errors[2] << errors[3];
}

TEST(PgStore, ConnectionStringErrorsNameNoSecret) {
  PgOptions bad;
  bad.conninfo = "host=/tmp password=s3cret pw";  // libpq would quote "pw" in its message
  auto malformed = open_pg_store(bad);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(malformed.error().message, ::testing::Not(HasSubstr("pw")));
  EXPECT_THAT(malformed.error().message, ::testing::Not(HasSubstr("s3cret")));

  PgOptions unreachable;
  unreachable.conninfo = fmt::format("postgresql://baton:s3cret-pw@127.0.0.1:{}/nowhere",
                                     pg_test_cluster().port() == 1 ? 2 : 1);
  unreachable.connect_timeout_s = 2;
  auto refused = open_pg_store(unreachable);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(refused.error().message, HasSubstr("127.0.0.1:1/nowhere"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("s3cret")));
  EXPECT_EQ(describe_postgres_target("postgresql://u:pw@db.example:6543/baton?sslmode=require"),
            "db.example:6543/baton");
  EXPECT_EQ(describe_postgres_target("host=/run/postgresql dbname=baton password=pw"),
            "/run/postgresql/baton");
  EXPECT_TRUE(is_postgres_target("postgresql://localhost/baton"));
  EXPECT_TRUE(is_postgres_target("postgres://localhost/baton"));
  EXPECT_TRUE(is_postgres_target("host=/run/postgresql dbname=baton"));
  EXPECT_FALSE(is_postgres_target("data"));
}

// The URI form over TCP works as well as the keyword form over the Unix socket.
TEST(PgStore, OpensOverTcpWithAUri) {
  PgOptions options;
  options.conninfo = pg_test_cluster().tcp_uri() + "?options=-csearch_path%3Dtcp_uri";
  ASSERT_TRUE(pg_test_cluster().create_schema("tcp_uri").ok());
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->write(std::move(WriteBatch().put_meta("k", "v"))).ok());
  EXPECT_EQ(*store->get_meta("k"), "v");
}

// Batches submitted back to back share transactions.
TEST(PgStore, GroupCommitSharesTransactions) {
  testing::TempDir dir;
  auto store = open_or_die(options_for(dir.path()));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  constexpr std::size_t kBatches = 500;
  Outcomes outcomes;
  outcomes.expect(kBatches);
  for (std::size_t i = 0; i < kBatches; ++i) {
    ASSERT_TRUE(store
                    ->submit(std::move(WriteBatch().append_activity(make_activity("c", i + 1))),
                             outcomes.callback(i))
                    .ok());
  }
  ASSERT_TRUE(outcomes.wait(kBatches));
  for (std::size_t i = 0; i < kBatches; ++i) {
    ASSERT_TRUE(outcomes.at(i).ok()) << outcomes.at(i).error().message;
  }
  const StoreStats stats = store->stats();
  EXPECT_LT(stats.transactions, kBatches);
  EXPECT_EQ(stats.batches_committed, kBatches + 1);
}

// Kills the writer's backend (pg_terminate_backend) every 100-250 ms while up to 64 batches are
// in flight, until it was killed at least four times (and 2,000 batches went). Every batch is
// answered; those acknowledged are stored, those reported not applied
// (kUnavailable, at submit or later) are not, a kIo batch may be either but never torn; the store
// reconnects by itself.
TEST(PgStore, KilledBackendMidGroupLosesNothingAcknowledged) {
  testing::TempDir dir;
  PgOptions options = options_for(dir.path());
  options.reconnect_min = std::chrono::milliseconds(20);
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  constexpr std::size_t kMaxBatches = 100'000;
  Outcomes outcomes;
  outcomes.expect(kMaxBatches);
  std::atomic<bool> stop{false};
  std::atomic<int> kills{0};
  std::thread killer([&] {
    std::mt19937 rng(std::random_device{}());
    while (!stop.load()) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 250)(rng)));
      if (pg_test_cluster()
              .exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'baton writer'")
              .ok()) {
        ++kills;
      }
    }
  });
  std::atomic<int> in_flight{0};
  std::size_t batches = 0;
  for (; batches < kMaxBatches && (batches < 2000 || kills.load() < 4); ++batches) {
    const std::size_t i = batches;
    while (in_flight.load() >= 64) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    // Each batch creates a conversation of its own, so a failed batch does not make later ones
    // conflict, and a torn batch would show as a conversation without its activity.
    const std::string id = "k" + std::to_string(i);
    WriteBatch batch;
    batch.insert_conversation(make_conversation(id)).append_activity(make_activity(id, 1));
    ++in_flight;
    WriteCallback record = outcomes.callback(i);
    Status queued = store->submit(std::move(batch), [record, &in_flight](Status s) {
      record(std::move(s));
      --in_flight;
    });
    if (!queued.ok()) {
      --in_flight;
      ASSERT_EQ(queued.error().code, ErrorCode::kUnavailable) << queued.error().message;
      record(queued);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  ASSERT_TRUE(outcomes.wait(batches));
  stop = true;
  killer.join();
  ASSERT_GE(kills.load(), 4) << "the run ended before the backend was killed often enough";
  ASSERT_TRUE(eventually([&] { return store->health().writable(); }));
  std::size_t acknowledged = 0;
  std::size_t unavailable = 0;
  for (std::size_t i = 0; i < batches; ++i) {
    const std::string id = "k" + std::to_string(i);
    auto stored = store->get_conversation(id);
    ASSERT_TRUE(stored.ok() || stored.error().code == ErrorCode::kNotFound);
    auto transcript = store->read_transcript(id);
    ASSERT_TRUE(transcript.ok());
    ASSERT_EQ(transcript->size(), stored.ok() ? 1u : 0u) << "torn batch " << i;
    const Status& outcome = outcomes.at(i);
    if (outcome.ok()) {
      ++acknowledged;
      ASSERT_TRUE(stored.ok()) << "acknowledged batch " << i << " was lost";
    } else if (outcome.error().code == ErrorCode::kUnavailable) {
      ++unavailable;
      ASSERT_FALSE(stored.ok()) << "batch " << i << " reported not applied is stored";
    } else {
      ASSERT_EQ(outcome.error().code, ErrorCode::kIo) << outcome.error().message;
    }
  }
  std::printf("  %d kills: %zu acknowledged, %zu not applied, %zu unknown of %zu\n", kills.load(),
              acknowledged, unavailable, batches - acknowledged - unavailable, batches);
  EXPECT_GT(acknowledged, 0u);
  EXPECT_LT(acknowledged, batches) << "no kill ever hit a batch in flight";
  Status after = store->write(std::move(WriteBatch().put_meta("after", "x")));
  ASSERT_TRUE(after.ok()) << after.error().message;
}

// The server stops (immediate: clients see a crash) and comes back: meanwhile submit fails fast
// with kUnavailable, health says why, reads fail with kUnavailable; afterwards the store is
// writable again without being reopened, and everything acknowledged before is there.
TEST(PgStore, ServerRestartIsAnOutageNotAFailure) {
  testing::TempDir dir;
  PgOptions options = options_for(dir.path());
  options.reconnect_min = std::chrono::milliseconds(20);
  options.reconnect_max = std::chrono::milliseconds(200);
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    ASSERT_TRUE(
        store->write(std::move(WriteBatch().append_activity(make_activity("c", seq)))).ok());
  }
  ASSERT_TRUE(pg_test_cluster().exec("CHECKPOINT").ok());  // a short recovery at restart
  ASSERT_TRUE(pg_test_cluster().stop_immediately().ok());

  // The writer finds out with its next transaction; from then on submit fails fast.
  Status first = store->write(std::move(WriteBatch().append_activity(make_activity("c", 11))));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kUnavailable) << first.error().message;
  ASSERT_TRUE(eventually([&] { return !store->health().writable(); }));
  const StoreHealth down = store->health();
  EXPECT_EQ(down.state, StoreHealth::State::kUnavailable);
  EXPECT_THAT(down.reason, HasSubstr(pg_test_cluster().dir().string()));
  const auto began = std::chrono::steady_clock::now();
  Status refused = store->submit(std::move(WriteBatch().put_meta("k", "v")), [](const Status&) {
    ADD_FAILURE() << "callback of a refused batch";
  });
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(100));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  auto read = store->read_activities("c", 0, 10);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);

  ASSERT_TRUE(pg_test_cluster().restart().ok());
  ASSERT_TRUE(eventually([&] { return store->health().writable(); }));
  ASSERT_TRUE(store->write(std::move(WriteBatch().append_activity(make_activity("c", 11)))).ok());
  auto transcript = store->read_transcript("c");
  ASSERT_TRUE(transcript.ok()) << transcript.error().message;
  EXPECT_EQ(transcript->size(), 11u);
  EXPECT_TRUE(store->close().ok());
}

// A failure that is not passing (here: a table the store needs is gone) poisons the store.
TEST(PgStore, MissingTablePoisonsTheStore) {
  testing::TempDir dir;
  auto store = open_or_die(options_for(dir.path()));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      pg_test_cluster().exec(fmt::format("DROP TABLE \"{}\".meta", schema_for(dir.path()))).ok());
  Status failed = store->write(std::move(WriteBatch().put_meta("k", "v")));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  EXPECT_EQ(store->health().state, StoreHealth::State::kFailed);
  Status later = store->submit(std::move(WriteBatch().put_meta("k", "v")), [](const Status&) {});
  EXPECT_EQ(later.error().code, ErrorCode::kIo);
  EXPECT_FALSE(store->close().ok());
}

// JSON is text, stored as given: whitespace, key order, escapes and non-ASCII characters come back
// byte for byte (jsonb would normalise them); times keep their milliseconds.
TEST(PgStore, JsonAndTimesComeBackAsGiven) {
  testing::TempDir dir;
  auto store = open_or_die(options_for(dir.path()));
  ASSERT_NE(store, nullptr);
  Conversation c = make_conversation("c", 1'700'000'000'123);
  c.metadata_json = "{ \"z\" : 1 ,\n\"a\":[ ] }";
  ActivityRecord a = make_activity("c", 1);
  a.json = "{\"text\":\"\\u00e9 \xc3\xa9 \xf0\x9f\x98\x80\",  \"b\":1.50, \"a\":null}";
  a.timestamp = testing::at_ms(-1);  // before 1970 too
  ASSERT_TRUE(store->write(std::move(WriteBatch().insert_conversation(c).append_activity(a))).ok());
  EXPECT_EQ(*store->get_conversation("c"), c);
  EXPECT_EQ(store->read_transcript("c")->front(), a);
}

// The idle sweep walks the open sessions and looks each conversation up by its key, whatever the
// planner's statistics: among many conversations and few open sessions, no plan scans them all.
// Summaries read a range of the cells' key.
TEST(PgStore, AnalyticsReadsUseKeys) {
  testing::TempDir dir;
  PgOptions options = options_for(dir.path());
  auto store = open_or_die(options);
  ASSERT_NE(store, nullptr);
  auto conn = pg::Conn::connect(options.conninfo);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  ASSERT_TRUE(conn->exec("INSERT INTO conversations (id, bot_id, user_id, channel_id, created_ms, "
                         "updated_ms, ownership, epoch, next_seq, closed, metadata) "
                         "SELECT 'c' || i, 'b', 'u', 'test', i, i, 'bot', 0, 1, false, '{}' "
                         "FROM generate_series(1, 20000) i;"
                         "INSERT INTO open_sessions SELECT 'c' || i, '{}' "
                         "FROM generate_series(1, 20000, 500) i;"
                         "INSERT INTO analytics_cells SELECT i, 'm', '', '', '', 1, 0 "
                         "FROM generate_series(1, 20000) i;"
                         "ANALYZE")
                  .ok());
  auto plan_of = [&](const char* name, const std::string& args) {
    std::string sql;
    std::string types;
    for (const pg::StatementDef& def : pg::read_statements()) {
      if (std::string_view(def.name) == name) {
        sql = def.sql;
        for (Oid type : def.types) {
          types +=
              std::string(types.empty() ? "" : ", ") + (type == pg::kTextOid ? "text" : "bigint");
        }
      }
    }
    auto explained =
        conn->exec(fmt::format("DEALLOCATE ALL; PREPARE p({}) AS {}; "
                               "EXPLAIN EXECUTE p({})",
                               types, sql, args));
    EXPECT_TRUE(explained.ok()) << explained.error().message;
    std::string plan;
    for (int row = 0; explained.ok() && row < PQntuples(explained->get()); ++row) {
      plan += pg::column_text(explained->get(), row, 0) + "\n";
    }
    return plan;
  };
  const std::string idle = plan_of(pg::read::kOpenSessionsIdleBefore, "100000, 1000");
  EXPECT_THAT(idle, HasSubstr("Index Scan using conversations_pkey on conversations c"));
  EXPECT_THAT(idle, ::testing::Not(HasSubstr("Seq Scan on conversations")));
  EXPECT_THAT(plan_of(pg::read::kReadAnalyticsByPeriod, "100, 200, '', '', '', 100001"),
              HasSubstr("analytics_cells_pkey"));
  EXPECT_EQ(store->open_sessions_idle_before(testing::at_ms(100'000), 1000)->size(), 40u);
}

TEST(PgStore, OptionErrors) {
  PgOptions options;
  EXPECT_EQ(open_pg_store(options).error().code, ErrorCode::kInvalidArgument);
  options.conninfo = pg_test_cluster().conninfo();
  options.max_readers = 0;
  EXPECT_EQ(open_pg_store(options).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace baton::store
