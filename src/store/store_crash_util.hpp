#pragma once
// Crash-test machinery shared by the store test suites (test-only): a child process appends to a
// log and reports every acknowledged seq on a pipe; the parent ends the child (SIGKILL, or the
// child cuts its own power through the fault VFS), then checks the reopened store.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace baton::store::testing {

// Rounds per crash test: 4, or BATON_STORE_CRASH_ROUNDS for a longer torture run.
inline int crash_rounds() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in the tests writes the environment
  const char* env = std::getenv("BATON_STORE_CRASH_ROUNDS");
  int rounds = env != nullptr ? std::atoi(env) : 0;
  return rounds > 0 ? rounds : 4;
}

// Creates conversation "c", then appends seq 1, 2, ... (each batch also updates the conversation's
// next_seq, so atomicity is checkable) with up to 64 batches in flight, writing every acknowledged
// seq to `fd` as 8 raw bytes. Never returns; exits the process on any failure.
[[noreturn]] inline void append_and_report(Store& store, int fd) {
  Conversation c = make_conversation("c");
  if (!store.write(std::move(WriteBatch().insert_conversation(c))).ok()) {
    _exit(3);
  }
  std::atomic<int> in_flight{0};
  for (std::uint64_t seq = 1; seq < 100'000'000; ++seq) {
    while (in_flight.load() >= 64) {
      std::this_thread::yield();
    }
    c.next_seq = seq + 1;
    WriteBatch batch;
    batch.append_activity(make_activity("c", seq)).update_conversation(c);
    ++in_flight;
    Status queued = store.submit(std::move(batch), [fd, seq, &in_flight](const Status& s) {
      if (!s.ok()) {
        _exit(4);
      }
      if (write(fd, &seq, sizeof seq) != sizeof seq) {
        _exit(5);
      }
      --in_flight;
    });
    if (!queued.ok()) {
      _exit(6);
    }
  }
  _exit(0);
}

// Appends hub log entries whose text is 1, 2, ... (two per batch, so atomicity is checkable) with
// up to 64 batches in flight, writing the last number of every acknowledged batch to `fd`.
[[noreturn]] inline void append_hub_log_and_report(Store& store, int fd) {
  std::atomic<int> in_flight{0};
  for (std::uint64_t n = 2; n < 200'000'000; n += 2) {
    while (in_flight.load() >= 64) {
      std::this_thread::yield();
    }
    WriteBatch batch;
    batch.append_hub_log(
        HubLogRecord{0, at_ms(static_cast<std::int64_t>(n)), std::to_string(n - 1)});
    batch.append_hub_log(HubLogRecord{0, at_ms(static_cast<std::int64_t>(n)), std::to_string(n)});
    ++in_flight;
    Status queued = store.submit(std::move(batch), [fd, n, &in_flight](const Status& s) {
      if (!s.ok()) {
        _exit(4);
      }
      if (write(fd, &n, sizeof n) != sizeof n) {
        _exit(5);
      }
      --in_flight;
    });
    if (!queued.ok()) {
      _exit(6);
    }
  }
  _exit(0);
}

// Reads 8-byte seqs from `fd` until `until` passes, or until EOF when `until` is nullopt; returns
// the largest seen. `buffer` carries partial values between calls.
inline std::uint64_t drain_acks(int fd, std::optional<std::chrono::steady_clock::time_point> until,
                                std::string& buffer) {
  std::uint64_t max_acked = 0;
  char chunk[4096];
  for (;;) {
    if (until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *until - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        break;
      }
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        continue;
      }
    }
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) {
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    while (buffer.size() >= sizeof(std::uint64_t)) {
      std::uint64_t seq = 0;
      std::memcpy(&seq, buffer.data(), sizeof seq);
      buffer.erase(0, sizeof seq);
      max_acked = std::max(max_acked, seq);
    }
  }
  return max_acked;
}

struct CrashRound {
  std::uint64_t max_acked = 0;  // the largest seq the child acknowledged
  int wait_status = 0;          // from waitpid
};

// Forks; the child runs `child(write_fd)` (which must not return). The parent collects acks for
// `run_for`, then SIGKILLs the child if `kill_child`, else waits for it to end by itself (killing
// it after 60 s as a safety net). Call only while the test process is single-threaded (no store
// open), so the child starts from a consistent copy.
template <class Child>
CrashRound run_crash_round(Child child, std::chrono::milliseconds run_for, bool kill_child) {
  CrashRound round;
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return round;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return round;
  }
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
    _exit(1);
  }
  close(fds[1]);
  std::string buffer;
  auto deadline =
      std::chrono::steady_clock::now() + (kill_child ? run_for : std::chrono::seconds(60));
  round.max_acked = drain_acks(fds[0], deadline, buffer);
  kill(pid, SIGKILL);  // no-op if it already ended
  waitpid(pid, &round.wait_status, 0);
  round.max_acked = std::max(round.max_acked, drain_acks(fds[0], std::nullopt, buffer));
  close(fds[0]);
  return round;
}

// The reopened store must hold every acknowledged seq, with no gap, and each batch atomically.
inline void expect_log_intact(Store& store, std::uint64_t max_acked) {
  ASSERT_GT(max_acked, 0u) << "the child acknowledged nothing";
  auto transcript = store.read_transcript("c");
  ASSERT_TRUE(transcript.ok()) << transcript.error().message;
  ASSERT_GE(transcript->size(), max_acked) << "an acknowledged batch was lost";
  for (std::size_t i = 0; i < transcript->size(); ++i) {
    ASSERT_EQ((*transcript)[i].seq, i + 1) << "gap in the log";
  }
  auto conversation = store.get_conversation("c");
  ASSERT_TRUE(conversation.ok());
  EXPECT_EQ(conversation->next_seq, transcript->size() + 1) << "a batch was torn";
}

// The reopened hub log must hold 1..n with n >= max_acked, in position order, n even (no torn
// batch).
inline void expect_hub_log_intact(Store& store, std::uint64_t max_acked) {
  ASSERT_GT(max_acked, 0u) << "the child acknowledged nothing";
  std::uint64_t expected = 1;
  std::uint64_t last_position = 0;
  for (;;) {
    auto page = store.read_hub_log(last_position, kMaxPageSize);
    ASSERT_TRUE(page.ok()) << page.error().message;
    if (page->empty()) {
      break;
    }
    for (const HubLogRecord& record : *page) {
      ASSERT_GT(record.position, last_position);
      ASSERT_EQ(record.json, std::to_string(expected)) << "gap or reordering in the hub log";
      last_position = record.position;
      ++expected;
    }
  }
  std::uint64_t stored = expected - 1;
  ASSERT_GE(stored, max_acked) << "an acknowledged hub log batch was lost";
  EXPECT_EQ(stored % 2, 0u) << "a batch was torn";
}

}  // namespace baton::store::testing
