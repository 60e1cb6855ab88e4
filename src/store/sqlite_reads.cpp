// The SQLite store's read path: a bounded pool of read connections, each with its own prepared
// statements, used concurrently with the writer (WAL readers never block it).
#include <fmt/format.h>

#include "store/sqlite_store_impl.hpp"

namespace baton::store::sqlite {

Result<std::unique_ptr<SqliteStore::Reader>> SqliteStore::open_reader() {
  auto db = Db::open(options_.path.string(), SQLITE_OPEN_READWRITE, options_.vfs);
  if (!db.ok()) {
    return db.error();
  }
  sqlite3_busy_timeout(db->get(), static_cast<int>(options_.busy_timeout.count()));
  if (Status s = db->exec("PRAGMA query_only=1"); !s.ok()) {
    return s.error();
  }
  auto statements = ReadStatements::prepare(db->get());
  if (!statements.ok()) {
    return statements.error();
  }
  return std::make_unique<Reader>(Reader{std::move(db).value(), std::move(statements).value()});
}

Result<std::unique_ptr<SqliteStore::Reader>> SqliteStore::lease_reader() {
  std::unique_lock lock(readers_mu_);
  readers_cv_.wait(lock, [this] {
    return readers_closed_ || !idle_readers_.empty() || open_readers_ < options_.max_readers;
  });
  if (readers_closed_) {
    return make_error(ErrorCode::kUnavailable, "store is closed");
  }
  if (!idle_readers_.empty()) {
    std::unique_ptr<Reader> reader = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    ++leased_readers_;
    return reader;
  }
  ++open_readers_;  // reserve the slot, then open without holding the lock
  ++leased_readers_;
  lock.unlock();
  auto reader = open_reader();
  if (!reader.ok()) {
    lock.lock();
    --open_readers_;
    --leased_readers_;
    lock.unlock();
    readers_cv_.notify_all();
  }
  return reader;
}

void SqliteStore::return_reader(std::unique_ptr<Reader> reader) {
  {
    std::lock_guard lock(readers_mu_);
    --leased_readers_;
    if (readers_closed_) {
      --open_readers_;
      reader.reset();
    } else {
      idle_readers_.push_back(std::move(reader));
    }
  }
  readers_cv_.notify_all();
}

// Waits for reads in progress, then closes every read connection.
void SqliteStore::close_readers() {
  std::unique_lock lock(readers_mu_);
  readers_closed_ = true;
  readers_cv_.notify_all();
  readers_cv_.wait(lock, [this] { return leased_readers_ == 0; });
  open_readers_ -= idle_readers_.size();
  idle_readers_.clear();
}

template <class F>
auto SqliteStore::with_reader(F&& read) -> decltype(read(std::declval<ReadStatements&>())) {
  auto reader = lease_reader();
  if (!reader.ok()) {
    return reader.error();
  }
  auto result = read((*reader)->statements);
  return_reader(std::move(reader).value());
  return result;
}

Result<Conversation> SqliteStore::get_conversation(const std::string& id) {
  return with_reader([&](ReadStatements& r) { return r.get_conversation(id); });
}

Result<std::vector<Conversation>> SqliteStore::list_conversations(const std::string& after_id,
                                                                  std::size_t limit,
                                                                  bool open_only) {
  return with_reader(
      [&](ReadStatements& r) { return r.list_conversations(after_id, limit, open_only); });
}

Result<std::vector<Conversation>> SqliteStore::conversations_of_user(const std::string& user_id,
                                                                     const std::string& after_id,
                                                                     std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.conversations_of_user(user_id, after_id, limit); });
}

Result<std::vector<ActivityRecord>> SqliteStore::read_activities(const std::string& conversation_id,
                                                                 std::uint64_t watermark,
                                                                 std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.read_activities(conversation_id, watermark, limit); });
}

Result<std::vector<ActivityRecord>> SqliteStore::read_history_before(
    const std::string& conversation_id, std::uint64_t before_seq, std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.read_history_before(conversation_id, before_seq, limit); });
}

// Pages through the log; each page is its own snapshot, which is consistent because the log is
// append-only and contiguous: later pages can only add rows after the ones already read.
Result<std::vector<ActivityRecord>> SqliteStore::read_transcript(
    const std::string& conversation_id) {
  std::vector<ActivityRecord> all;
  std::uint64_t watermark = 0;
  for (;;) {
    auto page = read_activities(conversation_id, watermark, kMaxPageSize);
    if (!page.ok()) {
      return page.error();
    }
    const bool last = page->size() < kMaxPageSize;
    for (ActivityRecord& record : *page) {
      watermark = record.seq;
      all.push_back(std::move(record));
    }
    if (last) {
      return all;
    }
  }
}

Result<ActivityRecord> SqliteStore::find_activity(const std::string& activity_id) {
  return with_reader([&](ReadStatements& r) { return r.find_activity(activity_id); });
}

Result<DialogSnapshot> SqliteStore::get_snapshot(const std::string& conversation_id) {
  return with_reader([&](ReadStatements& r) { return r.get_snapshot(conversation_id); });
}

Result<HandoffRecord> SqliteStore::get_handoff(const std::string& id) {
  return with_reader([&](ReadStatements& r) { return r.get_handoff(id); });
}

Result<std::vector<HandoffRecord>> SqliteStore::list_handoffs(const std::string& status,
                                                              std::size_t limit) {
  return with_reader([&](ReadStatements& r) { return r.list_handoffs(status, limit); });
}

Result<std::vector<HandoffRecord>> SqliteStore::handoffs_for_conversation(
    const std::string& conversation_id) {
  return with_reader(
      [&](ReadStatements& r) { return r.handoffs_for_conversation(conversation_id); });
}

Result<std::vector<std::string>> SqliteStore::conversations_with_ended_handoffs(TimePoint before,
                                                                                std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.conversations_with_ended_handoffs(before, limit); });
}

Result<std::vector<ConversationEvent>> SqliteStore::read_events(const std::string& conversation_id,
                                                                std::uint64_t after_seq,
                                                                std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.read_events(conversation_id, after_seq, limit); });
}

Result<std::vector<ConversationEvent>> SqliteStore::read_all_events(std::uint64_t after_position,
                                                                    std::size_t limit) {
  return with_reader([&](ReadStatements& r) { return r.read_all_events(after_position, limit); });
}

Result<std::string> SqliteStore::get_meta(const std::string& key) {
  return with_reader([&](ReadStatements& r) { return r.get_meta(key); });
}

Result<AgentRecord> SqliteStore::get_agent(const std::string& id) {
  return with_reader([&](ReadStatements& r) { return r.get_agent(id); });
}

Result<std::vector<AgentRecord>> SqliteStore::list_agents() {
  return with_reader([&](ReadStatements& r) { return r.list_agents(); });
}

Result<std::vector<CannedResponse>> SqliteStore::list_canned() {
  return with_reader([&](ReadStatements& r) { return r.canned().list(); });
}

Result<CannedResponse> SqliteStore::get_canned(const std::string& id) {
  return with_reader([&](ReadStatements& r) { return r.canned().get(id); });
}

Result<std::vector<HubLogRecord>> SqliteStore::read_hub_log(std::uint64_t after_position,
                                                            std::size_t limit) {
  return with_reader([&](ReadStatements& r) { return r.read_hub_log(after_position, limit); });
}

Result<std::vector<AuditRecord>> SqliteStore::read_audit(std::uint64_t after_position,
                                                         std::size_t limit,
                                                         const std::string& conversation_id) {
  return with_reader(
      [&](ReadStatements& r) { return r.read_audit(after_position, limit, conversation_id); });
}

Result<std::vector<AnalyticsCell>> SqliteStore::read_analytics(std::int64_t from_period,
                                                               std::int64_t to_period,
                                                               const AnalyticsFilter& filter,
                                                               AnalyticsGroup group) {
  return with_reader([&](ReadStatements& r) {
    return r.analytics().read_analytics(from_period, to_period, filter, group);
  });
}

Result<std::vector<AnalyticsSession>> SqliteStore::read_analytics_sessions(
    TimePoint from, TimePoint to, const std::optional<SessionKey>& after, std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.analytics().read_sessions(from, to, after, limit); });
}

Result<std::vector<OpenSession>> SqliteStore::open_sessions_idle_before(TimePoint before,
                                                                        std::size_t limit) {
  return with_reader(
      [&](ReadStatements& r) { return r.analytics().open_sessions_idle_before(before, limit); });
}

Result<OpenSession> SqliteStore::get_open_session(const std::string& conversation_id) {
  return with_reader(
      [&](ReadStatements& r) { return r.analytics().get_open_session(conversation_id); });
}

}  // namespace baton::store::sqlite
