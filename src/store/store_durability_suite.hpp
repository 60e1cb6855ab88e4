#pragma once
// The Store conformance suite, part 2: the write path's promises. Concurrent submitters, one bad
// batch among good ones, callbacks only after commit, close() draining the queue, and a kill -9
// test in a child process (every acknowledged batch must survive). Instantiate with the same
// Factory as StoreSuite (see store_suite.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "store/store.hpp"
#include "store/store_crash_util.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

// Counts callbacks and remembers their outcomes; wait() blocks until `expected` arrived.
class Outcomes {
 public:
  WriteCallback callback(std::size_t index) {
    return [this, index](Status s) {
      std::lock_guard lock(mu_);
      results_[index] = std::move(s);
      ++arrived_;
      cv_.notify_all();
    };
  }
  void expect(std::size_t n) { results_.resize(n); }
  bool wait(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return arrived_ >= n; });
  }
  const Status& at(std::size_t i) const { return results_[i]; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Status> results_;
  std::size_t arrived_ = 0;
};

template <class Factory>
class StoreDurabilitySuite : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Store>> open() { return Factory::open(dir_.path()); }
  TempDir dir_;
};

TYPED_TEST_SUITE_P(StoreDurabilitySuite);

TYPED_TEST_P(StoreDurabilitySuite, ConcurrentSubmittersAllLand) {
  auto store = this->open();
  ASSERT_TRUE(store.ok()) << store.error().message;
  constexpr int kThreads = 8;
  constexpr std::uint64_t kPerThread = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string id = "conv" + std::to_string(t);
      Conversation c = make_conversation(id);
      if (!(*store)->write(std::move(WriteBatch().insert_conversation(c))).ok()) {
        ++failures;
      }
      for (std::uint64_t seq = 1; seq <= kPerThread; ++seq) {
        c.next_seq = seq + 1;
        WriteBatch batch;
        batch.append_activity(make_activity(id, seq)).update_conversation(c);
        if (!(*store)->write(std::move(batch)).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    std::string id = "conv" + std::to_string(t);
    auto transcript = (*store)->read_transcript(id);
    ASSERT_TRUE(transcript.ok());
    ASSERT_EQ(transcript->size(), kPerThread);
    EXPECT_EQ(transcript->back(), make_activity(id, kPerThread));
    EXPECT_EQ((*store)->get_conversation(id)->next_seq, kPerThread + 1);
  }
  EXPECT_GE((*store)->stats().batches_committed, kThreads * (kPerThread + 1));
}

// Many batches submitted back to back are committed together; the bad ones must fail alone.
TYPED_TEST_P(StoreDurabilitySuite, BadBatchDoesNotFailItsGroup) {
  auto store = this->open();
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(
      (*store)->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  constexpr std::size_t kBatches = 300;
  Outcomes outcomes;
  outcomes.expect(kBatches);
  for (std::size_t i = 0; i < kBatches; ++i) {
    WriteBatch batch;
    std::uint64_t seq = i + 1;
    if (i % 7 == 3) {
      // Valid first op, then a duplicate of seq 1: the whole batch must roll back.
      batch.put_meta("bad" + std::to_string(i), "x");
      ActivityRecord dup = make_activity("c", 1);
      dup.activity_id = "dup" + std::to_string(i);
      batch.append_activity(dup);
    } else {
      batch.append_activity(make_activity("c", seq));
    }
    ASSERT_TRUE((*store)->submit(std::move(batch), outcomes.callback(i)).ok());
  }
  ASSERT_TRUE(outcomes.wait(kBatches));
  std::size_t good = 0;
  for (std::size_t i = 0; i < kBatches; ++i) {
    if (i % 7 == 3) {
      ASSERT_FALSE(outcomes.at(i).ok()) << i;
      EXPECT_EQ(outcomes.at(i).error().code, ErrorCode::kConflict);
      EXPECT_EQ((*store)->get_meta("bad" + std::to_string(i)).error().code, ErrorCode::kNotFound);
    } else {
      ASSERT_TRUE(outcomes.at(i).ok()) << i << ": " << outcomes.at(i).error().message;
      ++good;
    }
  }
  EXPECT_EQ((*store)->read_transcript("c")->size(), good);
}

TYPED_TEST_P(StoreDurabilitySuite, CallbackRunsAfterCommit) {
  auto store = this->open();
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(
      (*store)->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  constexpr std::size_t kBatches = 100;
  std::atomic<std::size_t> visible{0};
  Outcomes outcomes;
  outcomes.expect(kBatches);
  Store* raw = store->get();
  for (std::size_t i = 0; i < kBatches; ++i) {
    WriteCallback record = outcomes.callback(i);
    auto check = [raw, i, &visible, record](Status s) {
      // A fresh read (own connection) must already see the row when we are told it is durable.
      if (s.ok() && raw->find_activity("c|" + std::to_string(i + 1)).ok()) {
        ++visible;
      }
      record(std::move(s));
    };
    ASSERT_TRUE(
        (*store)
            ->submit(std::move(WriteBatch().append_activity(make_activity("c", i + 1))), check)
            .ok());
  }
  ASSERT_TRUE(outcomes.wait(kBatches));
  EXPECT_EQ(visible.load(), kBatches);
}

TYPED_TEST_P(StoreDurabilitySuite, CloseDrainsQueue) {
  constexpr std::size_t kBatches = 400;
  Outcomes outcomes;
  outcomes.expect(kBatches);
  {
    auto store = this->open();
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(
        (*store)->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
    for (std::size_t i = 0; i < kBatches; ++i) {
      ASSERT_TRUE((*store)
                      ->submit(std::move(WriteBatch().append_activity(make_activity("c", i + 1))),
                               outcomes.callback(i))
                      .ok());
    }
    ASSERT_TRUE((*store)->close().ok());
    ASSERT_TRUE(outcomes.wait(kBatches));  // every callback ran before close() returned
  }
  for (std::size_t i = 0; i < kBatches; ++i) {
    ASSERT_TRUE(outcomes.at(i).ok()) << outcomes.at(i).error().message;
  }
  auto reopened = this->open();
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->read_transcript("c")->size(), kBatches);
}

// Direct Line polling: readers paging by watermark while a writer appends never see a gap or a
// row twice, and eventually see everything.
TYPED_TEST_P(StoreDurabilitySuite, ReadersFollowWriterByWatermark) {
  auto store = this->open();
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(
      (*store)->write(std::move(WriteBatch().insert_conversation(make_conversation("c")))).ok());
  constexpr std::uint64_t kRows = 300;
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    for (std::uint64_t seq = 1; seq <= kRows; seq += 3) {
      WriteBatch batch;
      for (std::uint64_t s = seq; s < seq + 3; ++s) {
        batch.append_activity(make_activity("c", s));
      }
      if (!(*store)->write(std::move(batch)).ok()) {
        writer_failed = true;
        return;
      }
    }
  });
  std::vector<std::string> problems(3);
  std::vector<std::thread> readers;
  for (std::size_t r = 0; r < problems.size(); ++r) {
    readers.emplace_back([&, r] {
      std::uint64_t watermark = 0;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (watermark < kRows && std::chrono::steady_clock::now() < deadline) {
        auto page = (*store)->read_activities("c", watermark, 7);
        if (!page.ok()) {
          problems[r] = page.error().message;
          return;
        }
        for (const ActivityRecord& row : *page) {
          if (row.seq != watermark + 1) {
            problems[r] = "expected seq " + std::to_string(watermark + 1) + ", got " +
                          std::to_string(row.seq);
            return;
          }
          watermark = row.seq;
        }
      }
      if (watermark != kRows) {
        problems[r] = "stopped at watermark " + std::to_string(watermark);
      }
    });
  }
  writer.join();
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_FALSE(writer_failed.load());
  for (const std::string& problem : problems) {
    EXPECT_EQ(problem, "");
  }
}

TYPED_TEST_P(StoreDurabilitySuite, AcknowledgedWritesSurviveKill9) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < crash_rounds(); ++round) {
    std::filesystem::path dir = this->dir_.path() / ("crash" + std::to_string(round));
    auto kill_after = std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(rng));
    // The child opens the store, gets going (up to a second), and is SIGKILLed at a random moment.
    CrashRound crash = run_crash_round(
        [&dir](int fd) {
          auto store = TypeParam::open(dir);
          if (!store.ok()) {
            _exit(2);
          }
          append_and_report(**store, fd);
        },
        std::chrono::seconds(1) + kill_after, /*kill_child=*/true);
    ASSERT_TRUE(WIFSIGNALED(crash.wait_status))
        << "child exited early with status " << WEXITSTATUS(crash.wait_status);
    auto reopen_start = std::chrono::steady_clock::now();
    auto store = TypeParam::open(dir);
    auto reopen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - reopen_start);
    ASSERT_TRUE(store.ok()) << store.error().message;
    expect_log_intact(**store, crash.max_acked);
    std::printf("  round %d: killed after %lld ms, %llu acknowledged, reopened in %lld ms\n", round,
                static_cast<long long>(kill_after.count()) + 1000,
                static_cast<unsigned long long>(crash.max_acked),
                static_cast<long long>(reopen_ms.count()));
    ASSERT_TRUE((*store)->close().ok());
  }
}

// The hub replays its log after a crash: every acknowledged entry must be there, in order.
TYPED_TEST_P(StoreDurabilitySuite, AcknowledgedHubLogSurvivesKill9) {
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < crash_rounds(); ++round) {
    std::filesystem::path dir = this->dir_.path() / ("hub" + std::to_string(round));
    auto kill_after = std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(rng));
    CrashRound crash = run_crash_round(
        [&dir](int fd) {
          auto store = TypeParam::open(dir);
          if (!store.ok()) {
            _exit(2);
          }
          append_hub_log_and_report(**store, fd);
        },
        std::chrono::seconds(1) + kill_after, /*kill_child=*/true);
    ASSERT_TRUE(WIFSIGNALED(crash.wait_status))
        << "child exited early with status " << WEXITSTATUS(crash.wait_status);
    auto store = TypeParam::open(dir);
    ASSERT_TRUE(store.ok()) << store.error().message;
    expect_hub_log_intact(**store, crash.max_acked);
    // New entries still get later positions than everything replayed.
    auto before = (*store)->read_hub_log(0, kMaxPageSize);
    ASSERT_TRUE(before.ok());
    ASSERT_TRUE((*store)
                    ->write(std::move(WriteBatch().append_hub_log(HubLogRecord{0, at_ms(1), "x"})))
                    .ok());
    std::uint64_t newest = 0;
    for (std::uint64_t after = 0;;) {
      auto page = (*store)->read_hub_log(after, kMaxPageSize);
      ASSERT_TRUE(page.ok());
      if (page->empty()) {
        break;
      }
      after = page->back().position;
      newest = after;
    }
    EXPECT_GT(newest, before->empty() ? 0u : before->back().position);
    std::printf("  round %d: killed after %lld ms, %llu hub log entries acknowledged\n", round,
                static_cast<long long>(kill_after.count()) + 1000,
                static_cast<unsigned long long>(crash.max_acked));
    ASSERT_TRUE((*store)->close().ok());
  }
}

REGISTER_TYPED_TEST_SUITE_P(StoreDurabilitySuite, ConcurrentSubmittersAllLand,
                            BadBatchDoesNotFailItsGroup, CallbackRunsAfterCommit, CloseDrainsQueue,
                            ReadersFollowWriterByWatermark, AcknowledgedWritesSurviveKill9,
                            AcknowledgedHubLogSurvivesKill9);

}  // namespace baton::store::testing
