// The PostgreSQL store's read path: a bounded pool of read connections, each with the read
// statements prepared, used concurrently with the writer's connection.
#include <fmt/format.h>

#include <algorithm>

#include "store/encoding.hpp"
#include "store/pg_statements.hpp"
#include "store/pg_store_impl.hpp"

namespace baton::store::pg {
namespace {

std::int64_t page(std::size_t limit) {
  return static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, kMaxPageSize));
}

std::uint64_t capped(std::uint64_t value) { return std::min(value, kMaxSeq); }

}  // namespace

Result<std::unique_ptr<Conn>> PgStore::lease_reader(bool& fresh) {
  std::unique_lock lock(readers_mu_);
  readers_cv_.wait(lock, [this] {
    return readers_closed_ || !idle_readers_.empty() || open_readers_ < options_.max_readers;
  });
  if (readers_closed_) {
    return make_error(ErrorCode::kUnavailable, "store is closed");
  }
  if (!idle_readers_.empty()) {
    std::unique_ptr<Conn> reader = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    ++leased_readers_;
    fresh = false;
    return reader;
  }
  ++open_readers_;  // reserve the slot, then connect without holding the lock
  ++leased_readers_;
  lock.unlock();
  fresh = true;
  auto conn = Conn::connect(options_.conninfo, ConnectDefaults{options_.connect_timeout_s});
  Status prepared = conn.ok() ? conn->prepare(read_statements()) : Status(conn.error());
  if (prepared.ok()) {
    if (auto named = conn->exec("SET application_name = 'baton reader'"); !named.ok()) {
      prepared = named.error();
    }
  }
  if (!prepared.ok()) {
    lock.lock();
    --open_readers_;
    --leased_readers_;
    lock.unlock();
    readers_cv_.notify_all();
    Error error = prepared.error();
    error.code = ErrorCode::kUnavailable;
    return error;
  }
  return std::make_unique<Conn>(std::move(conn).value());
}

void PgStore::return_reader(std::unique_ptr<Conn> reader, bool broken) {
  {
    std::lock_guard lock(readers_mu_);
    --leased_readers_;
    if (readers_closed_ || broken) {
      --open_readers_;
      reader.reset();
    } else {
      idle_readers_.push_back(std::move(reader));
    }
  }
  readers_cv_.notify_all();
}

// Waits for reads in progress, then closes every read connection.
void PgStore::close_readers() {
  std::unique_lock lock(readers_mu_);
  readers_closed_ = true;
  readers_cv_.notify_all();
  readers_cv_.wait(lock, [this] { return leased_readers_ == 0; });
  open_readers_ -= idle_readers_.size();
  idle_readers_.clear();
}

Result<PgResult> PgStore::run_read(const char* statement, const Params& params,
                                   std::string_view what) {
  for (;;) {
    bool fresh = false;
    auto reader = lease_reader(fresh);
    if (!reader.ok()) {
      return reader.error();
    }
    auto result = (*reader)->run(statement, params, what);
    const bool broken = !(*reader)->ok();
    return_reader(std::move(reader).value(), broken);
    // A pooled connection may have broken while idle (the server restarted): one more try on a
    // new connection tells that apart from a server that is down.
    if (result.ok() || !broken || fresh) {
      return result;
    }
  }
}

template <class T, class Decode>
Result<std::vector<T>> PgStore::read_rows(const char* statement, const Params& params,
                                          std::string_view what, Decode decode) {
  auto result = run_read(statement, params, what);
  if (!result.ok()) {
    return result.error();
  }
  const PGresult* r = result->get();
  std::vector<T> rows;
  const int n = PQntuples(r);
  rows.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    rows.push_back(decode(r, i));
  }
  return rows;
}

template <class T, class Decode>
Result<T> PgStore::read_one(const char* statement, const Params& params, const std::string& what,
                            Decode decode) {
  auto result = run_read(statement, params, what);
  if (!result.ok()) {
    return result.error();
  }
  if (PQntuples(result->get()) == 0) {
    return make_error(ErrorCode::kNotFound, fmt::format("{}: not found", what));
  }
  return decode(result->get(), 0);
}

Result<Conversation> PgStore::get_conversation(const std::string& id) {
  return read_one<Conversation>(read::kGetConversation, Params().text(id),
                                fmt::format("conversation '{}'", id), decode_conversation);
}

Result<std::vector<Conversation>> PgStore::list_conversations(const std::string& after_id,
                                                              std::size_t limit, bool open_only) {
  return read_rows<Conversation>(
      open_only ? read::kListOpenConversations : read::kListConversations,
      Params().text(after_id).i64(page(limit)), "list conversations", decode_conversation);
}

Result<std::vector<Conversation>> PgStore::conversations_of_user(const std::string& user_id,
                                                                 const std::string& after_id,
                                                                 std::size_t limit) {
  return read_rows<Conversation>(read::kConversationsOfUser,
                                 Params().text(user_id).text(after_id).i64(page(limit)),
                                 "list a customer's conversations", decode_conversation);
}

Result<std::vector<ActivityRecord>> PgStore::read_activities(const std::string& conversation_id,
                                                             std::uint64_t watermark,
                                                             std::size_t limit) {
  return read_rows<ActivityRecord>(
      read::kReadActivities, Params().text(conversation_id).u64(capped(watermark)).i64(page(limit)),
      "read activities", decode_activity);
}

Result<std::vector<ActivityRecord>> PgStore::read_history_before(const std::string& conversation_id,
                                                                 std::uint64_t before_seq,
                                                                 std::size_t limit) {
  return read_rows<ActivityRecord>(
      read::kReadHistoryBefore,
      Params().text(conversation_id).u64(capped(before_seq)).i64(page(limit)), "read the history",
      decode_activity);
}

// Pages through the log; each page is its own snapshot, which is consistent because the log is
// append-only and contiguous: later pages can only add rows after the ones already read.
Result<std::vector<ActivityRecord>> PgStore::read_transcript(const std::string& conversation_id) {
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

Result<ActivityRecord> PgStore::find_activity(const std::string& activity_id) {
  return read_one<ActivityRecord>(read::kFindActivity, Params().text(activity_id),
                                  fmt::format("activity '{}'", activity_id), decode_activity);
}

Result<DialogSnapshot> PgStore::get_snapshot(const std::string& conversation_id) {
  return read_one<DialogSnapshot>(read::kGetSnapshot, Params().text(conversation_id),
                                  fmt::format("snapshot of conversation '{}'", conversation_id),
                                  decode_snapshot);
}

Result<HandoffRecord> PgStore::get_handoff(const std::string& id) {
  return read_one<HandoffRecord>(read::kGetHandoff, Params().text(id),
                                 fmt::format("handoff '{}'", id), decode_handoff);
}

Result<std::vector<HandoffRecord>> PgStore::list_handoffs(const std::string& status,
                                                          std::size_t limit) {
  return read_rows<HandoffRecord>(read::kListHandoffs, Params().text(status).i64(page(limit)),
                                  "list handoffs", decode_handoff);
}

Result<std::vector<HandoffRecord>> PgStore::handoffs_for_conversation(
    const std::string& conversation_id) {
  return read_rows<HandoffRecord>(read::kHandoffsForConversation, Params().text(conversation_id),
                                  "handoffs of a conversation", decode_handoff);
}

Result<std::vector<std::string>> PgStore::conversations_with_ended_handoffs(TimePoint before,
                                                                            std::size_t limit) {
  return read_rows<std::string>(read::kConversationsWithEndedHandoffs,
                                Params().i64(to_millis(before)).i64(page(limit)),
                                "conversations with ended handoffs",
                                [](const PGresult* r, int row) { return column_text(r, row, 0); });
}

Result<std::vector<ConversationEvent>> PgStore::read_events(const std::string& conversation_id,
                                                            std::uint64_t after_seq,
                                                            std::size_t limit) {
  return read_rows<ConversationEvent>(
      read::kReadEvents, Params().text(conversation_id).u64(capped(after_seq)).i64(page(limit)),
      "read events", decode_event);
}

Result<std::vector<ConversationEvent>> PgStore::read_all_events(std::uint64_t after_position,
                                                                std::size_t limit) {
  return read_rows<ConversationEvent>(read::kReadAllEvents,
                                      Params().u64(capped(after_position)).i64(page(limit)),
                                      "read all events", decode_event);
}

Result<std::string> PgStore::get_meta(const std::string& key) {
  return read_one<std::string>(read::kGetMeta, Params().text(key), fmt::format("meta '{}'", key),
                               [](const PGresult* r, int row) { return column_text(r, row, 0); });
}

Result<AgentRecord> PgStore::get_agent(const std::string& id) {
  return read_one<AgentRecord>(read::kGetAgent, Params().text(id), fmt::format("agent '{}'", id),
                               decode_agent);
}

Result<std::vector<AgentRecord>> PgStore::list_agents() {
  return read_rows<AgentRecord>(read::kListAgents, Params(), "list agents", decode_agent);
}

Result<std::vector<CannedResponse>> PgStore::list_canned() {
  return read_rows<CannedResponse>(read::kListCanned, Params(), "list canned responses",
                                   decode_canned);
}

Result<CannedResponse> PgStore::get_canned(const std::string& id) {
  return read_one<CannedResponse>(read::kGetCanned, Params().text(id),
                                  fmt::format("canned response '{}'", id), decode_canned);
}

Result<std::vector<HubLogRecord>> PgStore::read_hub_log(std::uint64_t after_position,
                                                        std::size_t limit) {
  return read_rows<HubLogRecord>(read::kReadHubLog,
                                 Params().u64(capped(after_position)).i64(page(limit)),
                                 "read hub log", decode_hub_log);
}

Result<std::vector<AuditRecord>> PgStore::read_audit(std::uint64_t after_position,
                                                     std::size_t limit,
                                                     const std::string& conversation_id) {
  Params params;
  params.u64(capped(after_position)).i64(page(limit));
  if (!conversation_id.empty()) {
    params.text(conversation_id);
  }
  return read_rows<AuditRecord>(
      conversation_id.empty() ? read::kReadAudit : read::kReadAuditOfConversation, params,
      "read audit log", decode_audit);
}

Result<std::vector<AnalyticsCell>> PgStore::read_analytics(std::int64_t from_period,
                                                           std::int64_t to_period,
                                                           const AnalyticsFilter& filter,
                                                           AnalyticsGroup group) {
  auto rows = read_rows<AnalyticsCell>(read_analytics_statement(group),
                                       Params()
                                           .i64(from_period)
                                           .i64(to_period)
                                           .text(filter.topic)
                                           .text(filter.queue)
                                           .text(filter.agent)
                                           .i64(static_cast<std::int64_t>(kMaxAnalyticsRows + 1)),
                                       "read analytics", decode_cell);
  if (rows.ok() && rows->size() > kMaxAnalyticsRows) {
    return too_many_analytics_rows();
  }
  return rows;
}

Result<std::vector<AnalyticsSession>> PgStore::read_analytics_sessions(
    TimePoint from, TimePoint to, const std::optional<SessionKey>& after, std::size_t limit) {
  Params params;
  params.i64(to_millis(from)).i64(to_millis(to)).i64(page(limit));
  if (after) {
    params.i64(to_millis(after->ended)).text(after->conversation_id).i64(after->number);
  }
  return read_rows<AnalyticsSession>(
      after ? read::kReadAnalyticsSessionsAfter : read::kReadAnalyticsSessions, params,
      "read analytics sessions", decode_analytics_session);
}

Result<std::vector<OpenSession>> PgStore::open_sessions_idle_before(TimePoint before,
                                                                    std::size_t limit) {
  return read_rows<OpenSession>(read::kOpenSessionsIdleBefore,
                                Params().i64(to_millis(before)).i64(page(limit)),
                                "read idle open sessions", decode_open_session);
}

Result<OpenSession> PgStore::get_open_session(const std::string& conversation_id) {
  return read_one<OpenSession>(read::kGetOpenSession, Params().text(conversation_id),
                               fmt::format("open session of conversation '{}'", conversation_id),
                               decode_open_session);
}

}  // namespace baton::store::pg
