#pragma once
// Pieces `baton serve` and `baton data erase` share: the engine's thread and the data
// directory's lock.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <functional>
#include <future>
#include <iosfwd>
#include <memory>
#include <optional>
#include <thread>

#include "core/result.hpp"
#include "core/thread_name.hpp"
#include "dialog/runtime.hpp"
#include "hub/config.hpp"

namespace baton::cli {

// The engine's own thread: the Engine and the Engagement share one strand on it, so the
// Engagement can start (replay, reconcile) before the server accepts a single connection, and
// the engine's work never waits behind socket I/O. Stopped only after the store is closed (the
// engine's lifetime rule).
class EngineThread {
 public:
  EngineThread()
      : strand_(boost::asio::make_strand(ioc_)), work_(boost::asio::make_work_guard(ioc_)) {
    thread_ = std::thread([this] {
      set_thread_name("baton-engine");
      ioc_.run();
    });
  }
  ~EngineThread() { stop(); }
  EngineThread(const EngineThread&) = delete;
  EngineThread& operator=(const EngineThread&) = delete;

  boost::asio::any_io_executor strand() const { return strand_; }

  // Runs `fn` on the strand and waits for it (never call from the strand itself).
  void run_on_strand(std::function<void()> fn) {
    std::promise<void> done;
    boost::asio::post(strand_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  void stop() {
    if (thread_.joinable()) {
      work_.reset();
      ioc_.stop();
      thread_.join();
    }
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// The bot at `path` (a YAML file or a directory), compiled, and the hub configuration of its
// directory (hub.yaml, or the defaults); diagnostics go to `err`. nullopt when either does not
// load.
struct ServedBot {
  std::shared_ptr<const dialog::CompiledBot> bot;
  std::shared_ptr<const hub::HubConfig> hub;
};
std::optional<ServedBot> load_served_bot(const std::filesystem::path& path, std::ostream& err);

// An exclusive lock on DATA/serve.lock (flock), held for the owner's lifetime: one `baton serve`
// per data directory, and `baton data erase` (which runs an engine of its own) only while none
// runs. The kernel drops it when the process dies, so a crash leaves nothing to clean up.
class DataDirLock {
 public:
  // Errors: kConflict when another process holds it, kIo when the file cannot be opened.
  static Result<DataDirLock> acquire(const std::filesystem::path& data_dir);
  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace baton::cli
