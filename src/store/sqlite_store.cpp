// The SQLite store's open path and its single group-commit writer.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "core/thread_name.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_store_impl.hpp"

namespace baton::store {

Result<Synchronous> parse_synchronous(std::string_view text) {
  if (text == "full") {
    return Synchronous::kFull;
  }
  if (text == "normal") {
    return Synchronous::kNormal;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("synchronous must be \"full\" or \"normal\", got \"{}\"", text));
}

Result<std::unique_ptr<Store>> open_sqlite_store(SqliteOptions options) {
  auto store = sqlite::SqliteStore::open(std::move(options));
  if (!store.ok()) {
    return store.error();
  }
  (*store)->start();
  return std::unique_ptr<Store>(std::move(store).value());
}

namespace sqlite {
namespace {

// A commit this long shows in every latency figure: counted in StoreStats::slow_transactions.
constexpr std::uint64_t kSlowTransactionUs = 50'000;

Status check_options(const SqliteOptions& o) {
  if (o.path.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "sqlite store: path is empty");
  }
  if (o.queue_capacity == 0 || o.max_group_batches == 0 || o.max_readers == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "sqlite store: queue_capacity, max_group_batches and max_readers must be "
                      "positive");
  }
  return {};
}

Status configure_writer(Db& db, const SqliteOptions& o) {
  sqlite3_busy_timeout(db.get(), static_cast<int>(o.busy_timeout.count()));
  // Switching a new database to WAL needs an exclusive lock; when another process is creating the
  // same database at that moment SQLite may answer SQLITE_BUSY at once (its deadlock avoidance
  // skips the busy handler), so retry until busy_timeout like any other lock wait.
  const auto give_up = std::chrono::steady_clock::now() + o.busy_timeout;
  auto mode = db.query_text("PRAGMA journal_mode=WAL");
  while (!mode.ok() && mode.error().code == ErrorCode::kUnavailable &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    mode = db.query_text("PRAGMA journal_mode=WAL");
  }
  if (!mode.ok()) {
    return mode.error();
  }
  if (*mode != "wal") {
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot switch '{}' to WAL mode (journal_mode is '{}')",
                                  o.path.string(), *mode));
  }
  const char* sync =
      o.synchronous == Synchronous::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  const std::string cache = fmt::format("PRAGMA cache_size=-{}", o.writer_cache_kib);
  for (const char* pragma : {sync, "PRAGMA foreign_keys=ON", "PRAGMA wal_autocheckpoint=0",
                             "PRAGMA secure_delete=ON", cache.c_str()}) {
    Status status = db.exec(pragma);
    if (!status.ok()) {
      return status;
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(SqliteOptions options) {
  if (Status s = check_options(options); !s.ok()) {
    return s.error();
  }
  std::error_code ec;
  if (options.path.has_parent_path()) {
    std::filesystem::create_directories(options.path.parent_path(), ec);
    if (ec) {
      return make_error(ErrorCode::kIo,
                        fmt::format("cannot create directory '{}': {}",
                                    options.path.parent_path().string(), ec.message()));
    }
  }
  const std::string path = options.path.string();
  // A new database starts as an empty file of mode 0600 (SQLite would create it 0644 less the
  // umask), and SQLite gives its -wal and -shm files the database's mode: conversations are
  // readable by the server's user alone. No SQLite connection of this process is open on the file
  // yet, so opening and closing it here cannot drop any of SQLite's locks.
  if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) {
    ::close(fd);
  }
  auto writer_db = Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.vfs);
  if (!writer_db.ok()) {
    return writer_db.error();
  }
  if (Status s = configure_writer(*writer_db, options); !s.ok()) {
    return s.error();
  }
  if (Status s = migrate(writer_db->get()); !s.ok()) {
    return s.error();
  }
  auto writes = WriteStatements::prepare(writer_db->get());
  if (!writes.ok()) {
    return writes.error();
  }
  auto checkpoint_db = Db::open(path, SQLITE_OPEN_READWRITE, options.vfs);
  if (!checkpoint_db.ok()) {
    return checkpoint_db.error();
  }
  const char* sync = options.synchronous == Synchronous::kFull ? "PRAGMA synchronous=FULL"
                                                               : "PRAGMA synchronous=NORMAL";
  if (Status s = checkpoint_db->exec(sync); !s.ok()) {
    return s.error();
  }
  return std::make_unique<SqliteStore>(Key{}, std::move(options), std::move(writer_db).value(),
                                       std::move(writes).value(), std::move(checkpoint_db).value());
}

SqliteStore::SqliteStore(Key /*key*/, SqliteOptions options, Db writer_db, WriteStatements writes,
                         Db checkpoint_db)
    : options_(std::move(options)),
      writer_db_(std::move(writer_db)),
      writes_(std::move(writes)),
      checkpoint_db_(std::move(checkpoint_db)) {}

SqliteStore::~SqliteStore() { (void)close(); }

void SqliteStore::start() {
  last_commit_ns_.store(steady_now_ns());
  sqlite3_wal_hook(writer_db_.get(), &SqliteStore::on_wal_commit, this);
  writer_ = std::thread([this] {
    set_thread_name("baton-store");
    writer_loop();
  });
  writer_id_ = writer_.get_id();
  checkpointer_ = std::thread([this] {
    set_thread_name("baton-checkpt");
    checkpoint_loop();
  });
}

Status SqliteStore::submit(WriteBatch&& batch, WriteCallback done) {
  if (Status valid = batch.validate(); !valid.ok()) {
    return valid;
  }
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) {
      return make_error(ErrorCode::kUnavailable, "store is closed");
    }
    if (auto error = poison_error()) {
      return *error;
    }
    if (auto error = full_error()) {
      return *error;
    }
    if (queue_.size() >= options_.queue_capacity) {
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("store write queue is full ({} batches); retry later",
                                    options_.queue_capacity));
    }
    queue_.push_back(Pending{std::move(batch), std::move(done)});
  }
  queue_cv_.notify_one();
  return {};
}

void SqliteStore::writer_loop() {
  std::vector<Pending> group;
  std::vector<Status> outcomes;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      while (is_full_.load() && !stopping_ && queue_.empty()) {
        // Nothing is queued while the disk is full (submit refuses): probe now and then.
        queue_cv_.wait_for(lock, options_.probe_interval);
        if (!stopping_ && queue_.empty()) {
          lock.unlock();
          probe_full();
          lock.lock();
        }
      }
      queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      while (!queue_.empty() && group.size() < options_.max_group_batches) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_group(group, outcomes);
    for (std::size_t i = 0; i < group.size(); ++i) {
      (outcomes[i].ok() ? batches_committed_ : batches_failed_).fetch_add(1);
      if (group[i].done) {
        group[i].done(std::move(outcomes[i]));
      }
    }
    group.clear();
    if (finish_wanted_.exchange(false) && !poisoned_.load()) {
      finish_checkpoint();  // after the acknowledgements: the group's latency is not paid for it
    }
  }
}

void SqliteStore::commit_group(std::vector<Pending>& group, std::vector<Status>& outcomes) {
  outcomes.assign(group.size(), Status{});
  if (auto error = poison_error()) {
    outcomes.assign(group.size(), Status(*error));
    return;
  }
  if (auto error = full_error()) {
    outcomes.assign(group.size(), Status(*error));
    return;
  }
  const std::int64_t began_ns = steady_now_ns();
  if (Status began = writes_.begin(); !began.ok()) {
    if (began.error().code == ErrorCode::kUnavailable) {
      // Another process holds the write lock past busy_timeout: nothing was written, so this is
      // not a storage failure. The batches fail; the store stays usable.
      outcomes.assign(group.size(), began);
    } else {
      fail_transaction(began.error(), outcomes);
    }
    return;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    Status applied = apply_batch(group[i].batch);
    if (!applied.ok() && !is_batch_local(applied.error().code)) {
      fail_transaction(applied.error(), outcomes);
      return;
    }
    outcomes[i] = std::move(applied);
  }
  if (Status committed = writes_.commit(); !committed.ok()) {
    fail_transaction(committed.error(), outcomes);
    return;
  }
  transactions_.fetch_add(1);
  const std::int64_t now_ns = steady_now_ns();
  last_commit_ns_.store(now_ns);
  const auto took_us = static_cast<std::uint64_t>((now_ns - began_ns) / 1000);
  keep_longest(max_transaction_us_, took_us);
  if (took_us >= kSlowTransactionUs) {
    slow_transactions_.fetch_add(1);
  }
  commit_seconds_.observe(static_cast<double>(now_ns - began_ns) / 1e9);
  commit_batches_.observe(static_cast<double>(group.size()));
}

namespace {

// A failed transaction-control statement (SAVEPOINT, RELEASE, ROLLBACK TO) means the connection's
// state is unknown: never let it pass as one batch's own error.
Status storage_failure(Status status) {
  if (!status.ok() && is_batch_local(status.error().code)) {
    Error error = status.error();
    error.code = ErrorCode::kIo;
    return error;
  }
  return status;
}

}  // namespace

// Applies one batch inside a savepoint, so a batch-local failure undoes only this batch.
Status SqliteStore::apply_batch(const WriteBatch& batch) {
  if (Status s = storage_failure(writes_.savepoint()); !s.ok()) {
    return s;
  }
  Status applied;
  for (const WriteOp& op : batch.ops()) {
    applied = writes_.apply(op);
    if (!applied.ok()) {
      break;
    }
  }
  if (applied.ok()) {
    return storage_failure(writes_.release());
  }
  if (!is_batch_local(applied.error().code)) {
    return applied;  // the whole transaction is abandoned by the caller
  }
  if (Status s = storage_failure(writes_.rollback_to()); !s.ok()) {
    return s;
  }
  if (Status s = storage_failure(writes_.release()); !s.ok()) {
    return s;
  }
  return applied;
}

void SqliteStore::fail_transaction(const Error& error, std::vector<Status>& outcomes) {
  if (sqlite3_get_autocommit(writer_db_.get()) == 0) {
    (void)sqlite3_exec(writer_db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  if (error.code == ErrorCode::kNoSpace && sqlite3_get_autocommit(writer_db_.get()) != 0) {
    mark_full(error);  // undone: nothing of this group reached the database
  } else {
    poison(error);
  }
  Error failed = is_full_.load() && !poisoned_.load() ? *full_error() : *poison_error();
  for (Status& outcome : outcomes) {
    outcome = failed;  // nothing of this group was committed
  }
}

void SqliteStore::mark_full(const Error& error) {
  {
    std::lock_guard lock(poison_mu_);
    if (full_) {
      return;
    }
    full_ = make_error(ErrorCode::kUnavailable,
                       fmt::format("the disk holding the store is full; writes resume by "
                                   "themselves once space is freed ({})",
                                   error.message));
    is_full_.store(true);
  }
}

std::optional<Error> SqliteStore::full_error() const {
  if (!is_full_.load()) {
    return std::nullopt;
  }
  std::lock_guard lock(poison_mu_);
  return full_;
}

void SqliteStore::probe_full() {
  // Wait for real room first: a probe row fits in a few free pages, a turn's batch may not.
  const StoreHealth h = health();
  if (h.free_bytes && h.total_bytes) {
    const std::uint64_t wanted = std::min(options_.resume_free_bytes, *h.total_bytes / 10);
    if (*h.free_bytes < wanted) {
      return;
    }
  }
  const std::string sql = fmt::format(
      "INSERT INTO meta(key, value) VALUES('store.probe', '{}') "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      steady_now_ns());
  Status probed = writer_db_.exec("BEGIN IMMEDIATE");
  if (probed.ok()) {
    probed = writer_db_.exec(sql);
  }
  if (probed.ok()) {
    probed = writer_db_.exec("COMMIT");
  }
  if (!probed.ok()) {
    if (sqlite3_get_autocommit(writer_db_.get()) == 0) {
      (void)sqlite3_exec(writer_db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    if (probed.error().code != ErrorCode::kNoSpace &&
        probed.error().code != ErrorCode::kUnavailable) {
      poison(probed.error());
    }
    return;
  }
  {
    std::lock_guard lock(poison_mu_);
    full_.reset();
    is_full_.store(false);
  }
}

void SqliteStore::poison(const Error& error) {
  std::lock_guard lock(poison_mu_);
  if (!poison_) {
    poison_ = make_error(ErrorCode::kIo,
                         fmt::format("store stopped accepting writes after a storage failure "
                                     "(restart once storage is fixed): {}",
                                     error.message));
    poisoned_.store(true);
  }
}

std::optional<Error> SqliteStore::poison_error() const {
  if (!poisoned_.load()) {
    return std::nullopt;
  }
  std::lock_guard lock(poison_mu_);
  return poison_;
}

int SqliteStore::on_wal_commit(void* self, sqlite3* /*db*/, const char* /*name*/, int pages) {
  auto* store = static_cast<SqliteStore*>(self);
  store->wal_frames_.store(pages >= 0 ? static_cast<std::uint32_t>(pages) : 0);
  if (pages >= 0 && static_cast<std::uint32_t>(pages) >= store->options_.checkpoint_wal_pages) {
    {
      std::lock_guard lock(store->checkpoint_mu_);
      store->checkpoint_wake_ = true;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

StoreStats SqliteStore::stats() const {
  StoreStats s;
  s.batches_committed = batches_committed_.load();
  s.batches_failed = batches_failed_.load();
  s.transactions = transactions_.load();
  s.checkpoints = checkpoints_.load();
  s.wal_restarts = wal_restarts_.load();
  s.max_wal_restart_pause_us = max_finish_us_.load();
  s.max_transaction_us = max_transaction_us_.load();
  s.slow_transactions = slow_transactions_.load();
  s.commit_seconds = commit_seconds_.snapshot();
  s.commit_batches = commit_batches_.snapshot();
  return s;
}

StoreHealth SqliteStore::health() const {
  StoreHealth h;
  if (auto error = poison_error()) {
    h.state = StoreHealth::State::kFailed;
    h.reason = error->message;
  } else if (auto full = full_error()) {
    h.state = StoreHealth::State::kUnavailable;
    h.reason = full->message;
  }
  struct statvfs fs {};
  const std::filesystem::path dir = options_.path.parent_path().empty()
                                        ? std::filesystem::path(".")
                                        : options_.path.parent_path();
  if (::statvfs(dir.c_str(), &fs) == 0) {
    h.free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    h.total_bytes = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
  }
  if (struct stat st{}; ::stat(dir.c_str(), &st) == 0) {
    h.device = static_cast<std::uint64_t>(st.st_dev);
  }
  return h;
}

Status SqliteStore::close() {
  std::lock_guard close_lock(close_mu_);
  if (!closed_) {
    closed_ = true;
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_one();
    if (writer_.joinable()) {
      writer_.join();
    }
    stop_checkpointer();
    close_readers();
    if (!poisoned_.load()) {
      if (Status s = final_checkpoint(); !s.ok() && s.error().code != ErrorCode::kNoSpace) {
        poison(s.error());  // on a full disk the WAL simply stays for the next start
      }
    }
    sqlite3_wal_hook(writer_db_.get(), nullptr, nullptr);
    writes_ = WriteStatements();
    writer_db_ = Db();
    checkpoint_db_ = Db();
  }
  if (auto error = poison_error()) {
    return *error;
  }
  return {};
}

}  // namespace sqlite
}  // namespace baton::store
