#pragma once
// The health of a running `baton serve`, from its store and its data directory's disk: what
// /healthz answers, what the supervisor view shows, what systemd's status line says, and when the
// log says something changed. See docs/DEPLOY.md ("When storage fails").
//
// HealthMonitor checks every `interval` on its own thread and acts on changes:
//   * the store stops taking writes for a passing reason (a full disk, an unreachable database):
//     an error in the log and STATUS=; /healthz answers 503 with the reason; writes answer 503
//     `Unavailable` with Retry-After. When the store takes writes again by itself, an info line.
//   * free space under the warning threshold (the store's filesystem and the data directory's):
//     a warning in the log once, listed by /healthz and the supervisor view until it passes.
//   * the store failed for good (kFailed, e.g. a failed fsync): a critical line, STATUS=, and
//     `on_failed` is called once (serve stops with exit code 3 so that systemd's
//     Restart=on-failure starts it again: the restart recovers from the log on disk).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/server.hpp"
#include "store/store.hpp"

namespace baton::cli {

// Exit code of `baton serve` when its store failed for good.
inline constexpr int kExitStorageFailed = 3;

// "1.5 GiB", "512 MiB", "300 KiB".
std::string format_bytes(std::uint64_t bytes);

// What /healthz reports now: not ready while the store does not take writes; a warning for each
// filesystem (the store's, and `data_dir`'s when it is another) with less than `warn_below` free
// (0 = never warn). Thread-safe as far as `store.health()` is.
server::Readiness check_readiness(const store::Store& store, const std::filesystem::path& data_dir,
                                  std::uint64_t warn_below);

class HealthMonitor {
 public:
  // `store` must outlive the monitor. `notify` gets systemd status lines ("STATUS=..."),
  // `on_failed` is called once, from the monitor's thread, when the store failed for good.
  // `serving_status` is the status line to restore once the store takes writes again.
  HealthMonitor(const store::Store& store, std::filesystem::path data_dir, std::uint64_t warn_below,
                std::string serving_status, std::function<void(const std::string&)> notify,
                std::function<void()> on_failed,
                std::chrono::milliseconds interval = std::chrono::seconds(2));
  ~HealthMonitor();  // stops the thread
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // The readiness now (for /healthz and the supervisor view). Thread-safe.
  server::Readiness readiness() const;

 private:
  void run();
  void check();

  const store::Store& store_;
  const std::filesystem::path data_dir_;
  const std::uint64_t warn_below_;
  const std::string serving_status_;
  const std::function<void(const std::string&)> notify_;
  const std::function<void()> on_failed_;
  const std::chrono::milliseconds interval_;
  // Monitor thread only: what was last reported.
  store::StoreHealth::State last_state_ = store::StoreHealth::State::kWritable;
  std::size_t last_warnings_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace baton::cli
