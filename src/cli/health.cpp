#include "cli/health.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "core/thread_name.hpp"

namespace baton::cli {
namespace {

struct Space {
  std::uint64_t free = 0;
  dev_t device = 0;
};

std::optional<Space> space_of(const std::filesystem::path& dir) {
  struct statvfs fs {};
  struct stat st {};
  if (::statvfs(dir.c_str(), &fs) != 0 || ::stat(dir.c_str(), &st) != 0) {
    return std::nullopt;
  }
  return Space{static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize, st.st_dev};
}

}  // namespace

std::string format_bytes(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024;
  if (bytes >= kKiB * kKiB * kKiB) {
    return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (kKiB * kKiB * kKiB));
  }
  if (bytes >= kKiB * kKiB) {
    return fmt::format("{} MiB", bytes / (kKiB * kKiB));
  }
  return fmt::format("{} KiB", bytes / kKiB);
}

server::Readiness check_readiness(const store::Store& store, const std::filesystem::path& data_dir,
                                  std::uint64_t warn_below) {
  server::Readiness r;
  const store::StoreHealth health = store.health();
  if (!health.writable()) {
    r.ready = false;
    r.reason = health.reason;
  }
  if (warn_below == 0) {
    return r;
  }
  if (health.free_bytes && *health.free_bytes < warn_below) {
    r.warnings.push_back(fmt::format("the store's disk has {} free (warning below {})",
                                     format_bytes(*health.free_bytes), format_bytes(warn_below)));
  }
  // The data directory (uploads, secrets) may be on another filesystem than the store.
  if (auto data = space_of(data_dir);
      data && data->free < warn_below &&
      (!health.free_bytes || health.device != static_cast<std::uint64_t>(data->device))) {
    r.warnings.push_back(fmt::format("the data directory's disk has {} free (warning below {})",
                                     format_bytes(data->free), format_bytes(warn_below)));
  }
  return r;
}

HealthMonitor::HealthMonitor(const store::Store& store, std::filesystem::path data_dir,
                             std::uint64_t warn_below, std::string serving_status,
                             std::function<void(const std::string&)> notify,
                             std::function<void()> on_failed, std::chrono::milliseconds interval)
    : store_(store),
      data_dir_(std::move(data_dir)),
      warn_below_(warn_below),
      serving_status_(std::move(serving_status)),
      notify_(std::move(notify)),
      on_failed_(std::move(on_failed)),
      interval_(interval) {
  thread_ = std::thread([this] {
    set_thread_name("baton-health");
    run();
  });
}

HealthMonitor::~HealthMonitor() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

server::Readiness HealthMonitor::readiness() const {
  return check_readiness(store_, data_dir_, warn_below_);
}

void HealthMonitor::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    check();
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

void HealthMonitor::check() {
  using State = store::StoreHealth::State;
  const store::StoreHealth health = store_.health();
  const server::Readiness r = check_readiness(store_, data_dir_, warn_below_);
  if (health.state != last_state_) {
    switch (health.state) {
      case State::kWritable:
        spdlog::info("store: writes are accepted again");
        notify_("STATUS=" + serving_status_);
        break;
      case State::kUnavailable:
        spdlog::error("store: not taking writes: {}", health.reason);
        notify_(fmt::format("STATUS=degraded: {}", health.reason));
        break;
      case State::kFailed:
        spdlog::critical("store: failed, stopping (exit {}): {}", kExitStorageFailed,
                         health.reason);
        notify_(fmt::format("STATUS=failed: {}", health.reason));
        on_failed_();
        break;
    }
    last_state_ = health.state;
  }
  if (r.warnings.size() != last_warnings_) {
    for (const auto& w : r.warnings) {
      spdlog::warn("disk: {}", w);
    }
    if (r.warnings.empty()) {
      spdlog::info("disk: free space is above the warning threshold again");
    }
    last_warnings_ = r.warnings.size();
  }
}

}  // namespace baton::cli
