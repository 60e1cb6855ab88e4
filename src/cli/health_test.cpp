#include "cli/health.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/testing/temp_dir.hpp"
#include "engine/engine_test_support.hpp"
#include "store/sqlite_store.hpp"

namespace baton::cli {
namespace {

using State = store::StoreHealth::State;

std::unique_ptr<engine::testing::FaultyStore> open_store(const std::filesystem::path& dir) {
  store::SqliteOptions options;
  options.path = dir / store::kSqliteFileName;
  auto opened = store::open_sqlite_store(options);
  EXPECT_TRUE(opened.ok());
  return std::make_unique<engine::testing::FaultyStore>(std::move(*opened));
}

TEST(Health, ReadinessFollowsTheStoreAndWarnsAboutFreeSpace) {
  testing::TempDir dir;
  auto store = open_store(dir.path());
  server::Readiness r = check_readiness(*store, dir.path(), 0);
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.warnings.empty());
  r = check_readiness(*store, dir.path(), std::uint64_t{1} << 62);  // more than any disk has
  EXPECT_TRUE(r.ready);
  ASSERT_EQ(r.warnings.size(), 1u);  // one filesystem: the store's and the data directory's
  EXPECT_NE(r.warnings[0].find("warning below"), std::string::npos);
  store->health_override = static_cast<int>(State::kUnavailable);
  r = check_readiness(*store, dir.path(), 0);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.reason, "injected");
  EXPECT_TRUE(store->close().ok());
}

TEST(Health, TheMonitorReportsChangesAndStopsOnceTheStoreFails) {
  testing::TempDir dir;
  auto store = open_store(dir.path());
  std::mutex mu;
  std::vector<std::string> statuses;
  std::atomic<int> failed{0};
  auto wait_for = [&](const std::string& status) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mu);
        if (!statuses.empty() && statuses.back() == status) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  };
  {
    HealthMonitor monitor(
        *store, dir.path(), 0, "serving bot 'x'",
        [&](const std::string& s) {
          std::lock_guard lock(mu);
          statuses.push_back(s);
        },
        [&] { ++failed; }, std::chrono::milliseconds(5));
    store->health_override = static_cast<int>(State::kUnavailable);
    EXPECT_TRUE(wait_for("STATUS=degraded: injected"));
    EXPECT_FALSE(monitor.readiness().ready);
    store->health_override = static_cast<int>(State::kWritable);
    EXPECT_TRUE(wait_for("STATUS=serving bot 'x'"));
    store->health_override = static_cast<int>(State::kFailed);
    EXPECT_TRUE(wait_for("STATUS=failed: injected"));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(failed.load(), 1);  // once, however long it stays failed
  EXPECT_EQ(format_bytes(512), "0 KiB");
  EXPECT_EQ(format_bytes(std::uint64_t{3} << 20), "3 MiB");
  EXPECT_EQ(format_bytes(std::uint64_t{3} << 29), "1.5 GiB");
  store->health_override = -1;
  EXPECT_TRUE(store->close().ok());
}

}  // namespace
}  // namespace baton::cli
