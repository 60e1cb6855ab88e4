// The PostgreSQL store's open path, its writer thread and the writer's reconnection.
#include "store/pg_store.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>

#include "core/thread_name.hpp"
#include "store/pg_schema.hpp"
#include "store/pg_statements.hpp"
#include "store/pg_store_impl.hpp"

namespace baton::store {

Result<std::unique_ptr<Store>> open_pg_store(PgOptions options) {
  auto store = pg::PgStore::open(std::move(options));
  if (!store.ok()) {
    return store.error();
  }
  (*store)->start();
  return std::unique_ptr<Store>(std::move(store).value());
}

bool is_postgres_target(std::string_view store) { return pg::looks_like_conninfo(store); }

std::string describe_postgres_target(const std::string& conninfo) {
  return pg::describe_conninfo(conninfo);
}

namespace pg {
namespace {

Status check_options(const PgOptions& o) {
  if (o.conninfo.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "postgresql store: connection string is empty");
  }
  if (o.queue_capacity == 0 || o.max_group_batches == 0 || o.max_readers == 0 ||
      o.reconnect_min.count() <= 0 || o.reconnect_max < o.reconnect_min ||
      o.connect_timeout_s <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "postgresql store: queue_capacity, max_group_batches, max_readers, "
                      "connect_timeout_s and reconnect_min must be positive and reconnect_max at "
                      "least reconnect_min");
  }
  return {};
}

// A connection ready for the writer: its statements prepared, in pipeline mode.
Result<Conn> open_writer(const PgOptions& o) {
  auto conn = Conn::connect(o.conninfo, ConnectDefaults{o.connect_timeout_s});
  if (!conn.ok()) {
    return conn.error();
  }
  if (auto named = conn->exec("SET application_name = 'baton writer'"); !named.ok()) {
    return named.error();
  }
  if (Status s = conn->prepare(write_statements()); !s.ok()) {
    return s.error();
  }
  if (PQenterPipelineMode(conn->get()) != 1) {
    return make_error(ErrorCode::kUnavailable, "postgresql store: cannot enter pipeline mode");
  }
  return conn;
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::open(PgOptions options) {
  if (Status s = check_options(options); !s.ok()) {
    return s.error();
  }
  {
    auto admin = Conn::connect(options.conninfo, ConnectDefaults{options.connect_timeout_s});
    if (!admin.ok()) {
      return admin.error();
    }
    if (Status s = migrate(*admin); !s.ok()) {
      return s.error();
    }
  }
  auto writer = open_writer(options);
  if (!writer.ok()) {
    return writer.error();
  }
  return std::make_unique<PgStore>(Key{}, std::move(options), std::move(writer).value());
}

PgStore::PgStore(Key /*key*/, PgOptions options, Conn writer)
    : options_(std::move(options)),
      target_(describe_conninfo(options_.conninfo)),
      writer_conn_(std::move(writer)) {}

PgStore::~PgStore() { (void)close(); }

void PgStore::start() {
  writer_ = std::thread([this] {
    set_thread_name("baton-store");
    writer_loop();
  });
  writer_id_ = writer_.get_id();
}

Status PgStore::submit(WriteBatch&& batch, WriteCallback done) {
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
    if (!writable_.load()) {
      std::lock_guard health(health_mu_);
      return make_error(ErrorCode::kUnavailable, unavailable_);
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

void PgStore::writer_loop() {
  std::vector<Pending> group;
  std::vector<Status> outcomes;
  for (;;) {
    if (!writer_conn_.ok() && !poisoned_.load() && !reconnect()) {
      return;  // closing while the server was unreachable: the queue was failed
    }
    {
      std::unique_lock lock(queue_mu_);
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
    run_callbacks(group, outcomes);
  }
}

void PgStore::run_callbacks(std::vector<Pending>& group, std::vector<Status>& outcomes) {
  for (std::size_t i = 0; i < group.size(); ++i) {
    (outcomes[i].ok() ? batches_committed_ : batches_failed_).fetch_add(1);
    if (group[i].done) {
      group[i].done(std::move(outcomes[i]));
    }
  }
  group.clear();
}

void PgStore::fail_queued(const Error& error) {
  std::vector<Pending> failed;
  {
    std::lock_guard lock(queue_mu_);
    failed.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  std::vector<Status> outcomes(failed.size(), Status(error));
  run_callbacks(failed, outcomes);
}

bool PgStore::reconnect() {
  std::chrono::milliseconds backoff = options_.reconnect_min;
  for (;;) {
    std::string reason;
    {
      std::lock_guard lock(health_mu_);
      reason = unavailable_;
    }
    fail_queued(make_error(ErrorCode::kUnavailable, std::move(reason)));
    auto conn = open_writer(options_);
    if (conn.ok()) {
      writer_conn_ = std::move(conn).value();
      set_writable();
      return true;
    }
    set_unavailable(fmt::format("PostgreSQL at {} is unreachable, retrying every {} ms at most: {}",
                                target_, backoff.count(), conn.error().message));
    std::unique_lock lock(queue_mu_);
    if (queue_cv_.wait_for(lock, backoff, [this] { return stopping_; })) {
      lock.unlock();
      fail_queued(
          make_error(ErrorCode::kUnavailable,
                     fmt::format("store closed while PostgreSQL at {} was unreachable", target_)));
      return false;
    }
    backoff = std::min(backoff * 2, options_.reconnect_max);
  }
}

// Reads whatever the server sent while the writer was idle (a notice, an error, the end of the
// stream) without waiting: true when the connection is still up.
bool PgStore::writer_idle_and_alive() {
  PGconn* conn = writer_conn_.get();
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return false;
  }
  for (int round = 0; round < 8; ++round) {
    pollfd p{PQsocket(conn), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) {
      return PQstatus(conn) == CONNECTION_OK;  // nothing (more) to read
    }
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
      return false;
    }
  }
  return PQstatus(conn) == CONNECTION_OK;
}

// A connection that went away while idle (the server restarted or killed the backend) says so
// by the time the writer next looks: nothing of the group has been sent yet, so a new connection
// can take it without any doubt about what was applied.
Status PgStore::ensure_writer() {
  if (writer_idle_and_alive()) {
    return {};
  }
  writer_conn_ = Conn();
  auto fresh = open_writer(options_);
  if (fresh.ok()) {
    writer_conn_ = std::move(fresh).value();
    return {};
  }
  set_unavailable(fmt::format("PostgreSQL at {} is unreachable, reconnecting: {}", target_,
                              fresh.error().message));
  return make_error(ErrorCode::kUnavailable, fmt::format("PostgreSQL at {} is unreachable: {}",
                                                         target_, fresh.error().message));
}

void PgStore::transaction_failed(const GroupFailure& failed) {
  if (failed.failure.kind == FailureKind::kTransient) {
    writer_conn_ = Conn();  // a broken or aborted session: start over with a new one
    set_unavailable(fmt::format("PostgreSQL at {} is unavailable, reconnecting: {}", target_,
                                failed.failure.error.message));
  } else {
    poison(failed.failure.error);
  }
}

void PgStore::set_unavailable(std::string reason) {
  std::lock_guard lock(health_mu_);
  unavailable_ = std::move(reason);
  writable_.store(false);
}

void PgStore::set_writable() {
  std::lock_guard lock(health_mu_);
  unavailable_.clear();
  writable_.store(true);
}

void PgStore::poison(const Error& error) {
  std::lock_guard lock(health_mu_);
  if (!poison_) {
    poison_ = make_error(ErrorCode::kIo,
                         fmt::format("store stopped accepting writes after a storage failure "
                                     "(restart once the database is fixed): {}",
                                     error.message));
    poisoned_.store(true);
  }
}

std::optional<Error> PgStore::poison_error() const {
  if (!poisoned_.load()) {
    return std::nullopt;
  }
  std::lock_guard lock(health_mu_);
  return poison_;
}

StoreStats PgStore::stats() const {
  StoreStats s;
  s.batches_committed = batches_committed_.load();
  s.batches_failed = batches_failed_.load();
  s.transactions = transactions_.load();
  s.max_transaction_us = max_transaction_us_.load();
  s.slow_transactions = slow_transactions_.load();
  s.commit_seconds = commit_seconds_.snapshot();
  s.commit_batches = commit_batches_.snapshot();
  return s;
}

StoreHealth PgStore::health() const {
  StoreHealth h;
  std::lock_guard lock(health_mu_);
  if (poison_) {
    h.state = StoreHealth::State::kFailed;
    h.reason = poison_->message;
  } else if (!writable_.load()) {
    h.state = StoreHealth::State::kUnavailable;
    h.reason = unavailable_;
  }
  return h;
}

Status PgStore::close() {
  std::lock_guard close_lock(close_mu_);
  if (!closed_) {
    closed_ = true;
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_.joinable()) {
      writer_.join();
    }
    close_readers();
    writer_conn_ = Conn();
  }
  if (auto error = poison_error()) {
    return *error;
  }
  return {};
}

}  // namespace pg
}  // namespace baton::store
