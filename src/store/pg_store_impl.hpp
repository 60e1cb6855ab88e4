#pragma once
// PgStore: the class behind open_pg_store (internal to src/store). Its contract is in store.hpp
// and pg_store.hpp; this header lets the writer and its reconnection (pg_store.cpp), the pipelined
// group commit (pg_group_commit.cpp) and the read pool (pg_reads.cpp) live in separate files.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/pg_conn.hpp"
#include "store/pg_store.hpp"

namespace baton::store::pg {

class PgStore final : public Store {
 public:
  // Restricts construction to open() while still allowing std::make_unique.
  class Key {
    Key() = default;
    friend class PgStore;
  };

  // Connects, migrates and prepares the writer connection; starts no thread (see start()).
  static Result<std::unique_ptr<PgStore>> open(PgOptions options);
  PgStore(Key key, PgOptions options, Conn writer);
  ~PgStore() override;

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

  // Starts the writer thread. Called once, by open_pg_store.
  void start();

 protected:
  bool on_callback_thread() const override { return std::this_thread::get_id() == writer_id_; }

 private:
  struct Pending {
    WriteBatch batch;
    WriteCallback done;
  };

  // How a group's transaction ended when it did not commit (pg_group_commit.cpp).
  struct GroupFailure {
    Failure failure;
    bool maybe_committed = false;  // the connection broke while the COMMIT was outstanding
  };

  // Writer thread (pg_store.cpp).
  void writer_loop();
  // Reconnects with exponential backoff, failing whatever is queued meanwhile with kUnavailable.
  // False when the store is closing.
  bool reconnect();
  void fail_queued(const Error& error);
  // Before a group: checks the writer connection without sending anything and replaces it when it
  // broke while idle. kUnavailable (and the store unavailable) when no connection can be made.
  Status ensure_writer();
  bool writer_idle_and_alive();
  void run_callbacks(std::vector<Pending>& group, std::vector<Status>& outcomes);
  // Records a failed transaction: the connection is dropped (transient) or the store poisoned.
  void transaction_failed(const GroupFailure& failed);
  void set_unavailable(std::string reason);
  void set_writable();
  void poison(const Error& error);
  std::optional<Error> poison_error() const;

  // Group commit on the writer connection (pg_group_commit.cpp). Fills `outcomes` (one per batch).
  void commit_group(std::vector<Pending>& group, std::vector<Status>& outcomes);

  // Read path (pg_reads.cpp).
  Result<std::unique_ptr<Conn>> lease_reader(bool& fresh);
  void return_reader(std::unique_ptr<Conn> reader, bool broken);
  void close_readers();
  // Runs a read statement on a pooled connection (once more on a new one if it was broken).
  Result<PgResult> run_read(const char* statement, const Params& params, std::string_view what);
  template <class T, class Decode>
  Result<std::vector<T>> read_rows(const char* statement, const Params& params,
                                   std::string_view what, Decode decode);
  template <class T, class Decode>
  Result<T> read_one(const char* statement, const Params& params, const std::string& what,
                     Decode decode);

  const PgOptions options_;
  const std::string target_;  // host/db, for messages

  // Writer state: the connection is used only by the writer thread (and by close() after that
  // thread has stopped).
  Conn writer_conn_;
  std::thread writer_;
  std::thread::id writer_id_;  // set by start() before any caller can see the store

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // guarded by queue_mu_
  bool stopping_ = false;      // guarded by queue_mu_: no more submits; writer drains and exits

  mutable std::mutex health_mu_;
  std::string unavailable_;      // guarded by health_mu_: why writes fail for now ("" = writable)
  std::optional<Error> poison_;  // guarded by health_mu_: the first permanent failure
  std::atomic<bool> writable_{true};
  std::atomic<bool> poisoned_{false};

  std::mutex close_mu_;
  bool closed_ = false;  // guarded by close_mu_

  // Reader pool.
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Conn>> idle_readers_;  // guarded by readers_mu_
  std::size_t open_readers_ = 0;                     // guarded by readers_mu_
  std::size_t leased_readers_ = 0;                   // guarded by readers_mu_
  bool readers_closed_ = false;                      // guarded by readers_mu_

  std::atomic<std::uint64_t> batches_committed_{0};
  std::atomic<std::uint64_t> batches_failed_{0};
  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> max_transaction_us_{0};
  std::atomic<std::uint64_t> slow_transactions_{0};
  metrics::Histogram commit_seconds_{metrics::kLatencyBuckets};  // StoreStats::commit_seconds
  metrics::Histogram commit_batches_{metrics::kSizeBuckets};     // StoreStats::commit_batches
};

}  // namespace baton::store::pg
