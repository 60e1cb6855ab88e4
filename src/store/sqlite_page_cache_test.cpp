#include "store/sqlite_page_cache.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::sqlite {
namespace {

using testing::TempDir;

constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

Db open_db(const std::filesystem::path& path) {
  auto db = Db::open(path.string(), kOpenFlags, "");
  EXPECT_TRUE(db.ok()) << db.error().message;
  return std::move(db).value();
}

void exec_ok(Db& db, const std::string& sql) {
  const Status s = db.exec(sql);
  ASSERT_TRUE(s.ok()) << sql << ": " << s.error().message;
}

std::string text(Db& db, const std::string& sql) {
  auto r = db.query_text(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : "";
}

// Appends rows to many interleaved keys, as the activity log does: most leaves split in the middle
// of the b-tree, which parks pages under the PENDING_BYTE page number while balancing.
void append_rows(Db& db, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    exec_ok(db, "INSERT INTO t VALUES ('c" + std::to_string(i % 37) + "', " + std::to_string(i) +
                    ", printf('%.500c', 'x'))");
  }
}

TEST(PageCache, IsInstalledBeforeSqliteStarts) {
  TempDir dir;
  Db db = open_db(dir.path() / "a.db");  // the first open installs it (or fault_vfs_name did)
  EXPECT_TRUE(install_page_cache());
}

TEST(PageCache, CommitsThatSplitPagesSkipTheScan) {
  TempDir dir;
  Db db = open_db(dir.path() / "a.db");
  exec_ok(db, "PRAGMA journal_mode=WAL");
  exec_ok(db, "PRAGMA cache_size=-32768");
  exec_ok(db, "CREATE TABLE t (k TEXT, s INTEGER, v TEXT, PRIMARY KEY (k, s)) WITHOUT ROWID");
  const PageCacheStats before = page_cache_stats();
  constexpr int kTransactions = 200;
  for (int tx = 0; tx < kTransactions; ++tx) {
    exec_ok(db, "BEGIN");
    append_rows(db, tx * 10, 10);
    exec_ok(db, "COMMIT");
  }
  const PageCacheStats after = page_cache_stats();
  // Without the wrapper each of these commits scanned the whole cache (pcache1 remembered the
  // parked page number); now only a cache that may hold a page past the database size is scanned.
  EXPECT_GE(after.truncates_skipped - before.truncates_skipped,
            static_cast<std::uint64_t>(kTransactions));
  EXPECT_LT(after.truncates_forwarded - before.truncates_forwarded, 10u);
  EXPECT_EQ(text(db, "SELECT count(*) FROM t"), std::to_string(kTransactions * 10));
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
}

TEST(PageCache, RollbacksStillDropThePagesPastTheDatabase) {
  TempDir dir;
  Db db = open_db(dir.path() / "a.db");
  exec_ok(db, "PRAGMA journal_mode=WAL");
  exec_ok(db, "CREATE TABLE t (k TEXT, s INTEGER, v TEXT, PRIMARY KEY (k, s)) WITHOUT ROWID");
  exec_ok(db, "BEGIN");
  append_rows(db, 0, 100);
  exec_ok(db, "COMMIT");
  const std::string pages = text(db, "PRAGMA page_count");

  // The transaction grows the file, then is rolled back: the cached pages past the old end must
  // go, or the next growth would find stale content under the same page numbers.
  const PageCacheStats before = page_cache_stats();
  exec_ok(db, "BEGIN");
  append_rows(db, 100, 400);
  EXPECT_NE(text(db, "PRAGMA page_count"), pages);
  exec_ok(db, "ROLLBACK");
  EXPECT_GT(page_cache_stats().truncates_forwarded, before.truncates_forwarded);
  EXPECT_EQ(text(db, "PRAGMA page_count"), pages);

  // A savepoint rolled back inside a committed transaction.
  exec_ok(db, "BEGIN");
  append_rows(db, 500, 50);
  exec_ok(db, "SAVEPOINT s");
  append_rows(db, 550, 300);
  exec_ok(db, "ROLLBACK TO s");
  exec_ok(db, "RELEASE s");
  append_rows(db, 850, 50);
  exec_ok(db, "COMMIT");

  EXPECT_EQ(text(db, "SELECT count(*) FROM t"), "200");
  EXPECT_EQ(text(db, "SELECT count(*) FROM t WHERE s >= 100 AND s < 500"), "0");
  EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
  // Another connection (its own cache) sees exactly the committed rows.
  Db other = open_db(dir.path() / "a.db");
  EXPECT_EQ(text(other, "SELECT count(*) FROM t"), "200");
  EXPECT_EQ(text(other, "SELECT sum(s) FROM t"), text(db, "SELECT sum(s) FROM t"));
}

TEST(PageCache, StoreCommitsUnderChurnKeepEveryRow) {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.path() / kSqliteFileName;
  auto opened = open_sqlite_store(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened;
  constexpr int kConversations = 40;
  constexpr std::uint64_t kTurns = 60;
  std::vector<Conversation> rows;
  for (int c = 0; c < kConversations; ++c) {
    rows.push_back(testing::make_conversation("c" + std::to_string(c)));
    ASSERT_TRUE(store->write(std::move(WriteBatch().insert_conversation(rows.back()))).ok());
  }
  for (std::uint64_t seq = 1; seq <= kTurns; ++seq) {
    WriteBatch batch;
    for (auto& row : rows) {
      row.next_seq = seq + 1;
      batch.append_activity(testing::make_activity(row.id, seq)).update_conversation(row);
    }
    ASSERT_TRUE(store->write(std::move(batch)).ok());
  }
  ASSERT_TRUE(store->close().ok());
  auto reopened = open_sqlite_store(options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  for (int c = 0; c < kConversations; ++c) {
    auto log = (*reopened)->read_transcript("c" + std::to_string(c));
    ASSERT_TRUE(log.ok());
    ASSERT_EQ(log->size(), kTurns);
    EXPECT_EQ(log->back().seq, kTurns);
  }
  ASSERT_TRUE((*reopened)->close().ok());
}

}  // namespace
}  // namespace baton::store::sqlite
