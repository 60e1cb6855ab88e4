#pragma once
// SqliteStore: the class behind open_sqlite_store (internal to src/store). Its contract is in
// store.hpp and sqlite_store.hpp; this header exists so the writer (sqlite_store.cpp), the
// checkpointer (sqlite_checkpointer.cpp) and the read path (sqlite_reads.cpp) can live in separate
// files.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/sqlite_statements.hpp"
#include "store/sqlite_store.hpp"

namespace baton::store::sqlite {

// The monotonic clock in nanoseconds, as the writer and the checkpointer time things.
inline std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Raises `longest` to `us` if that is longer; only one thread (the writer) may call it per counter.
inline void keep_longest(std::atomic<std::uint64_t>& longest, std::uint64_t us) {
  if (us > longest.load()) {
    longest.store(us);
  }
}

class SqliteStore final : public Store {
 public:
  // Restricts construction to open() while still allowing std::make_unique.
  class Key {
    Key() = default;
    friend class SqliteStore;
  };

  // Opens, configures and migrates the database; starts no thread (see start()).
  static Result<std::unique_ptr<SqliteStore>> open(SqliteOptions options);
  SqliteStore(Key key, SqliteOptions options, Db writer_db, WriteStatements writes,
              Db checkpoint_db);
  ~SqliteStore() override;

  Status submit(WriteBatch&& batch, WriteCallback done) override;

  Result<Conversation> get_conversation(const std::string& id) override;
  Result<std::vector<Conversation>> list_conversations(const std::string& after_id,
                                                       std::size_t limit, bool open_only) override;
  Result<std::vector<Conversation>> conversations_of_user(const std::string& user_id,
                                                          const std::string& after_id,
                                                          std::size_t limit) override;
  Result<std::vector<ActivityRecord>> read_activities(const std::string& conversation_id,
                                                      std::uint64_t watermark,
                                                      std::size_t limit) override;
  Result<std::vector<ActivityRecord>> read_history_before(const std::string& conversation_id,
                                                          std::uint64_t before_seq,
                                                          std::size_t limit) override;
  Result<std::vector<ActivityRecord>> read_transcript(const std::string& conversation_id) override;
  Result<ActivityRecord> find_activity(const std::string& activity_id) override;
  Result<DialogSnapshot> get_snapshot(const std::string& conversation_id) override;
  Result<HandoffRecord> get_handoff(const std::string& id) override;
  Result<std::vector<HandoffRecord>> list_handoffs(const std::string& status,
                                                   std::size_t limit) override;
  Result<std::vector<HandoffRecord>> handoffs_for_conversation(
      const std::string& conversation_id) override;
  Result<std::vector<std::string>> conversations_with_ended_handoffs(TimePoint before,
                                                                     std::size_t limit) override;
  Result<std::vector<ConversationEvent>> read_events(const std::string& conversation_id,
                                                     std::uint64_t after_seq,
                                                     std::size_t limit) override;
  Result<std::vector<ConversationEvent>> read_all_events(std::uint64_t after_position,
                                                         std::size_t limit) override;
  Result<std::string> get_meta(const std::string& key) override;
  Result<AgentRecord> get_agent(const std::string& id) override;
  Result<std::vector<AgentRecord>> list_agents() override;
  Result<std::vector<CannedResponse>> list_canned() override;
  Result<CannedResponse> get_canned(const std::string& id) override;
  Result<std::vector<HubLogRecord>> read_hub_log(std::uint64_t after_position,
                                                 std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_audit(std::uint64_t after_position, std::size_t limit,
                                              const std::string& conversation_id) override;
  Result<std::vector<AnalyticsCell>> read_analytics(std::int64_t from_period,
                                                    std::int64_t to_period,
                                                    const AnalyticsFilter& filter,
                                                    AnalyticsGroup group) override;
  Result<std::vector<AnalyticsSession>> read_analytics_sessions(
      TimePoint from, TimePoint to, const std::optional<SessionKey>& after,
      std::size_t limit) override;
  Result<std::vector<OpenSession>> open_sessions_idle_before(TimePoint before,
                                                             std::size_t limit) override;
  Result<OpenSession> get_open_session(const std::string& conversation_id) override;
  Result<HandoffSearchPage> search_ended_handoffs(const HandoffSearch& search,
                                                  const std::optional<HandoffSearchKey>& after,
                                                  std::size_t limit) override;

  StoreStats stats() const override;
  StoreHealth health() const override;
  Status close() override;

  // Starts the writer and checkpointer threads. Called once, by open_sqlite_store.
  void start();

 protected:
  bool on_callback_thread() const override { return std::this_thread::get_id() == writer_id_; }

 private:
  struct Pending {
    WriteBatch batch;
    WriteCallback done;
  };
  // A read connection with its statements.
  struct Reader {
    Db db;
    ReadStatements statements;
  };

  // Writer thread (sqlite_store.cpp).
  void writer_loop();
  void commit_group(std::vector<Pending>& group, std::vector<Status>& outcomes);
  Status apply_batch(const WriteBatch& batch);
  void fail_transaction(const Error& error, std::vector<Status>& outcomes);
  void poison(const Error& error);
  std::optional<Error> poison_error() const;
  // The disk is full (see sqlite_store.hpp): writes are refused until probe_full() succeeds.
  void mark_full(const Error& error);
  std::optional<Error> full_error() const;
  // Writer thread, while full: one probe transaction once enough space is free; clears the state
  // when it commits.
  void probe_full();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);

  // Checkpointer thread (sqlite_checkpointer.cpp).
  void checkpoint_loop();
  void checkpoint_once();
  struct Pass {
    int log_frames = 0;           // frames in the WAL when the pass began
    int checkpointed_frames = 0;  // frames now in the database file
  };
  // One checkpoint pass on the checkpointer's connection, counted when complete. nullopt: busy
  // (the next round retries) or an I/O error (the store is poisoned).
  std::optional<Pass> checkpoint_pass(int mode, std::uint64_t commits);
  void stop_checkpointer();
  Status final_checkpoint();
  // Writer thread, between transactions: checkpoints the few frames the checkpointer's last pass
  // left behind, so the next transaction restarts the WAL from its first frame.
  void finish_checkpoint();
  Status sync_database_file();  // checkpointer thread

  // Read path (sqlite_reads.cpp).
  Result<std::unique_ptr<Reader>> open_reader();
  Result<std::unique_ptr<Reader>> lease_reader();  // waits while max_readers are leased
  void return_reader(std::unique_ptr<Reader> reader);
  void close_readers();
  template <class F>
  auto with_reader(F&& read) -> decltype(read(std::declval<ReadStatements&>()));

  const SqliteOptions options_;

  // Writer state: the connection and statements are used only by the writer thread (and by
  // close() after that thread has stopped).
  Db writer_db_;
  WriteStatements writes_;
  std::thread writer_;
  std::thread::id writer_id_;  // set by start() before any caller can see the store

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // guarded by queue_mu_
  bool stopping_ = false;      // guarded by queue_mu_: no more submits; writer drains and exits

  mutable std::mutex poison_mu_;
  std::optional<Error> poison_;  // guarded by poison_mu_: the first storage failure
  std::atomic<bool> poisoned_{false};
  std::optional<Error> full_;  // guarded by poison_mu_: why writes wait for space (kUnavailable)
  std::atomic<bool> is_full_{false};

  std::mutex close_mu_;
  bool closed_ = false;  // guarded by close_mu_

  // Checkpointer state.
  Db checkpoint_db_;  // used only by the checkpointer thread, then by close()
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_stop_ = false;  // guarded by checkpoint_mu_
  bool checkpoint_wake_ = false;  // guarded by checkpoint_mu_: the WAL passed its size threshold
  // Set by the checkpointer when its passes left few frames of a large WAL behind: the writer
  // finishes the checkpoint between two transactions (see finish_checkpoint).
  std::atomic<bool> finish_wanted_{false};
  std::atomic<std::uint32_t> wal_frames_{0};  // the WAL's frames after the last commit (hook)
  std::atomic<std::uint64_t> wal_restarts_{0};
  std::atomic<std::uint64_t> max_finish_us_{0};       // longest finish_checkpoint pause
  std::atomic<std::uint64_t> max_transaction_us_{0};  // longest commit_group transaction
  std::atomic<std::uint64_t> slow_transactions_{0};   // those of kSlowTransactionUs or more
  metrics::Histogram commit_seconds_{metrics::kLatencyBuckets};  // StoreStats::commit_seconds
  metrics::Histogram commit_batches_{metrics::kSizeBuckets};     // StoreStats::commit_batches
  // Checkpointer thread only: transactions_ as of the last complete checkpoint, and whether the
  // WAL has been truncated since (false at start so a WAL left by a crash gets folded in).
  std::uint64_t checkpointed_through_ = 0;
  bool wal_truncated_ = false;
  std::atomic<std::int64_t> last_commit_ns_{0};  // steady clock of the last commit

  // Reader pool.
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Reader>> idle_readers_;  // guarded by readers_mu_
  std::size_t open_readers_ = 0;                       // guarded by readers_mu_
  std::size_t leased_readers_ = 0;                     // guarded by readers_mu_
  bool readers_closed_ = false;                        // guarded by readers_mu_

  std::atomic<std::uint64_t> batches_committed_{0};
  std::atomic<std::uint64_t> batches_failed_{0};
  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> checkpoints_{0};
};

}  // namespace baton::store::sqlite
