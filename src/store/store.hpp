#pragma once
// The durable store: Baton's source of truth for conversations, their activity logs (sequence
// numbers = Direct Line watermarks), dialog-state snapshots, handoff records, the per-conversation
// ownership/handoff event log, analytics (hourly aggregate cells, ended sessions, the sessions in
// progress), and a small key/value table for configuration.
//
// Writes are grouped into a WriteBatch that is applied atomically and acknowledged (callback) only
// after it is durable. Reads are synchronous and see every batch whose callback has run.
//
// Implementations: SQLite (sqlite_store.hpp, the embedded default) and PostgreSQL (pg_store.hpp:
// a lost connection is an outage — kUnavailable, health() says why, it reconnects by itself —
// not a poisoning). Both pass the same typed test suites (store_suite.hpp,
// store_durability_suite.hpp).
//
// JSON text fields (activity bodies, snapshots, requests, payloads) are stored verbatim: the store
// never parses them, so callers own their validity. Times are stored with millisecond precision.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/result.hpp"

namespace baton::store {

// Largest sequence number / epoch the store accepts: both are stored as signed 64-bit integers.
inline constexpr std::uint64_t kMaxSeq = static_cast<std::uint64_t>(INT64_MAX);

// Largest page a paged read returns. Every `limit` is clamped to 1..kMaxPageSize.
inline constexpr std::size_t kMaxPageSize = 1000;

// One conversation's header row. The engine is its single writer and writes the whole row.
struct Conversation {
  std::string id;
  std::string bot_id;
  std::string user_id;
  std::string channel_id;  // "directline", "test", ...
  TimePoint created{};
  TimePoint updated{};
  // Ownership state machine position: bot | queued | offered | agent | wrap_up | closed. The store
  // keeps it as text so it does not depend on the engine's enum.
  std::string ownership = "bot";
  // Fencing token: incremented by the engine on every ownership change; stale writers are
  // rejected with update_conversation(..., if_epoch).
  std::uint64_t epoch = 0;
  // The sequence number the next activity will get (one past the last used).
  std::uint64_t next_seq = 1;
  // Free-form JSON object for channel/token data (e.g. user name, token issue time).
  std::string metadata_json = "{}";
  bool closed = false;

  friend bool operator==(const Conversation&, const Conversation&) = default;
};

// What remains of a conversation after its customer's data was erased: the header row alone,
// closed, with no user, no bot and `kErasedMetadata` as its metadata. It keeps the id from being
// used again, so the conversation's old Direct Line tokens name a conversation that refuses them;
// retention removes it like any other closed conversation. Written by the engine (and by
// `baton data erase` while no server runs), in the batch that deletes the rest.
inline constexpr std::string_view kErasedMetadata = R"({"erased":true})";
Conversation erased_conversation(const Conversation& row, TimePoint now);
bool is_erased(const Conversation& row);
// kForbidden with the protocol code "ConversationErased": what a request naming an erased
// conversation gets.
Error erased_error(std::string_view conversation_id);
// The row, or erased_error() when it is a tombstone.
Result<Conversation> unless_erased(Result<Conversation> row);

// One activity in a conversation's append-only log.
struct ActivityRecord {
  std::string conversation_id;
  std::uint64_t seq = 0;    // 1-based, contiguous per conversation; the Direct Line watermark
  std::string activity_id;  // globally unique (Direct Line "id")
  std::string type;         // activity type, e.g. "message", "event" (indexed metadata)
  std::string name;         // an event's name, e.g. "handoff.initiate"; "" for other types
  TimePoint timestamp{};    // the activity's timestamp
  std::string json;         // the serialised activity

  friend bool operator==(const ActivityRecord&, const ActivityRecord&) = default;
};

// The latest dialog-runtime state of one conversation (only the newest is kept).
struct DialogSnapshot {
  std::string conversation_id;
  std::uint64_t seq = 0;  // the last activity seq this state reflects
  TimePoint saved{};
  std::string json;

  friend bool operator==(const DialogSnapshot&, const DialogSnapshot&) = default;
};

// The statuses of a handoff that has ended, which never change again.
inline constexpr std::array<std::string_view, 6> kEndedHandoffStatuses = {
    "cancelled", "completed", "unavailable", "unsupported", "timed_out", "abandoned"};
// The same, as an SQL list for `status IN (...)`: "('cancelled', 'completed', ...)".
std::string ended_handoff_statuses_sql();

// One request to hand a conversation to a human agent, and how it ended.
struct HandoffRecord {
  std::string id;
  std::string conversation_id;
  std::string reason;  // explicit | requested | no_match | invalid_answer
  // open: pending | offered | accepted; ended: cancelled | completed | unavailable | unsupported |
  // timed_out | abandoned
  std::string status = "pending";
  std::string queue;  // routing queue ("" = default)
  TimePoint created{};
  TimePoint updated{};
  // The request: context (va_*), agent message, routing hints, transcript reference (seq range).
  std::string request_json;
  std::string outcome_json;  // how it ended (agent, notes, ...); "" while open

  // Not ended yet (pending, offered or accepted); the other statuses are kEndedHandoffStatuses.
  bool open() const { return status == "pending" || status == "offered" || status == "accepted"; }

  friend bool operator==(const HandoffRecord&, const HandoffRecord&) = default;
};

// One entry of a conversation's ownership/handoff event log, replayed by the hub on restart.
struct ConversationEvent {
  std::string conversation_id;
  std::uint64_t seq = 0;  // 1-based per conversation, its own sequence (not the activity seq)
  std::string kind;       // e.g. "handoff.requested", "ownership.changed"
  std::uint64_t epoch = 0;
  TimePoint time{};
  std::string payload_json;
  // Assigned by the store at commit: a store-wide increasing position, so several conversations'
  // events can be replayed in commit order. Ignored on write.
  std::uint64_t position = 0;

  friend bool operator==(const ConversationEvent&, const ConversationEvent&) = default;
};

// An agent who can log in to the console (`baton agent add`). The hub's routing facts come from
// here; hub.yaml may list more agents (routing only, no login).
struct AgentRecord {
  std::string id;  // login name: 1..64 chars of [A-Za-z0-9._@-]
  std::string display_name;
  std::string role = "agent";       // agent | supervisor | admin
  std::vector<std::string> skills;  // lower-case, sorted, unique (stored as a JSON array)
  int capacity = 1;                 // concurrent conversations, >= 1
  std::string password_hash;        // libsodium crypto_pwhash_str (Argon2id), never the password
  // A disabled agent cannot log in and gets no offers; its record and history stay (schema v13 /
  // PostgreSQL v6).
  bool disabled = false;
  TimePoint created{};
  TimePoint updated{};

  friend bool operator==(const AgentRecord&, const AgentRecord&) = default;
};

// A canned response (docs/AGENT_API.md "Canned responses"): a text agents insert into a reply,
// global (queue "") or for one queue. Written by supervisors and admins through the agent API,
// which issues the id and checks the queue exists; (queue, code) is unique.
struct CannedResponse {
  std::string id;     // issued by the server: 1..64 chars of [A-Za-z0-9._@-]
  std::string queue;  // "" = global, else a hub.yaml queue name (at most 256 bytes)
  std::string code;   // what `/` search matches first: 1..32 chars of [a-z0-9._-]
  std::string title;  // 1..400 bytes
  std::string text;   // 1..16000 bytes; {customer.name}, {agent.name}, {context.X} placeholders
  std::string updated_by;  // agent id of the last writer
  TimePoint created{};
  TimePoint updated{};

  friend bool operator==(const CannedResponse&, const CannedResponse&) = default;
};

// Bounds WriteBatch::validate() enforces on canned responses (bytes).
inline constexpr std::size_t kMaxCannedCodeLength = 32;
inline constexpr std::size_t kMaxCannedTitleLength = 400;
inline constexpr std::size_t kMaxCannedTextLength = 16000;

// One hub input (hub::input_to_json text) in the hub's durable, store-wide log; replayed in
// position order after a restart.
struct HubLogRecord {
  std::uint64_t position = 0;  // assigned by the store at commit (increasing); ignored on write
  TimePoint time{};
  std::string json;

  friend bool operator==(const HubLogRecord&, const HubLogRecord&) = default;
};

// Who read or did what (transcript reads, force-close, monitor, logins). Append-only.
struct AuditRecord {
  std::uint64_t position = 0;  // assigned by the store at commit (increasing); ignored on write
  TimePoint time{};
  std::string actor;            // agent id
  std::string action;           // e.g. "transcript.read", "conversation.force_close", "login"
  std::string conversation_id;  // "" when none
  std::string detail_json = "{}";

  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

// --- Analytics (docs/ANALYTICS.md). Aggregates are hourly cells that outlive the conversations
// they count (retention and erasure never touch them); ended sessions are rows for the CSV export.

// Bounds WriteBatch::validate() enforces on analytics rows (bytes).
inline constexpr std::size_t kMaxAnalyticsMetricLength = 64;
inline constexpr std::size_t kMaxAnalyticsDimensionLength = 256;  // topic, queue, agent, reason
inline constexpr std::size_t kMaxOpenSessionStateLength = std::size_t{16} * 1024;
// The most rows read_analytics() returns; a query that would give more fails.
inline constexpr std::size_t kMaxAnalyticsRows = 100'000;

// One aggregate cell: `count` occurrences and the `sum` of their values (milliseconds, ratings,
// ...) of one metric in one period, under its dimensions ("" = not applicable). The period key is
// the analytics module's (analytics/cells.hpp: a rollup and an hour or day index in one number);
// the store only orders, ranges and groups by it.
struct AnalyticsCell {
  std::int64_t period = 0;
  std::string metric;  // e.g. "session", "session.resolved", "handoff.accepted"
  std::string topic;
  std::string queue;
  std::string agent;
  std::int64_t count = 0;
  double sum = 0;

  friend bool operator==(const AnalyticsCell&, const AnalyticsCell&) = default;
};

// One ended session of a conversation (a row of the sessions CSV). Names and numbers only: no
// text anyone wrote.
struct AnalyticsSession {
  std::string conversation_id;
  std::uint32_t number = 1;  // the seq of the activity that opened it (>= 1)
  TimePoint started{};
  TimePoint ended{};
  std::string outcome;  // unengaged | resolved | escalated | abandoned
  std::string topic;    // last non-system topic, "" when none
  std::string reason;   // escalation reason, "" unless escalated
  std::string queue;
  std::string agent;
  std::optional<std::int64_t> wait_ms;  // handoff → an agent accepted
  std::optional<std::int32_t> rating;   // CSAT 1..5, the session's latest
  std::optional<bool> resolved;         // the survey's "did that answer your question"
  bool surveyed = false;                // the survey was asked in this session

  friend bool operator==(const AnalyticsSession&, const AnalyticsSession&) = default;
};

// A conversation's session in progress, owned by the engine (state_json is its own format, stored
// verbatim).
struct OpenSession {
  std::string conversation_id;
  std::string state_json;
  TimePoint last{};  // the conversation row's `updated` (read only; ignored on write)

  friend bool operator==(const OpenSession&, const OpenSession&) = default;
};

// Which dimension read_analytics groups by, besides the metric.
enum class AnalyticsGroup { kNone, kPeriod, kTopic, kQueue, kAgent };

// Only cells whose dimension equals the given value; "" = no condition on it.
struct AnalyticsFilter {
  std::string topic;
  std::string queue;
  std::string agent;
};

// The sort key of an ended session in read_analytics_sessions(): pages continue after the last
// row's key.
struct SessionKey {
  TimePoint ended{};
  std::string conversation_id;
  std::uint32_t number = 0;
};

// --- The search over ended handoffs (a customer's history, the console's search:
// docs/AGENT_API.md "History and search").

// What search_ended_handoffs() matches; an empty or unset field is no condition.
struct HandoffSearch {
  std::string user_id;               // the conversation's customer (Conversation::user_id)
  std::optional<TimePoint> from;     // created >= from
  std::optional<TimePoint> to;       // created < to
  std::optional<std::string> queue;  // the handoff's queue ("" = the default queue)
  // The agent the handoff ended with (its outcome's "agent", or its wrap-up's); an agent id.
  std::string agent;
  std::string status;  // one of kEndedHandoffStatuses
  // Text in one of the conversation's message activities: a substring of the stored JSON (the
  // text and the sender's name), compared with both sides lower-cased (ASCII letters on SQLite,
  // the database's lower() on PostgreSQL). Up to kMaxSearchTextLength bytes, no control
  // characters (they would not match the JSON's escapes).
  std::string text;
};

inline constexpr std::size_t kMaxSearchTextLength = 200;
// How many ended handoffs (newest first, matching every condition but `text`) one page of
// search_ended_handoffs() examines at most: the bound on a search's cost, whatever it matches.
inline constexpr std::size_t kSearchScanLimit = 2000;

// The sort key of a search hit (newest first); a page continues after the last one's key.
struct HandoffSearchKey {
  TimePoint created{};
  std::string id;  // the handoff's id (ties)

  friend bool operator==(const HandoffSearchKey&, const HandoffSearchKey&) = default;
};

struct HandoffHit {
  HandoffRecord handoff;  // without its request (request_json is "")
  std::string user_id;    // the conversation's customer
};

struct HandoffSearchPage {
  std::vector<HandoffHit> hits;
  // Where the next page starts; unset when the search is complete. Set also when this page has
  // fewer than `limit` hits but stopped at kSearchScanLimit examined handoffs.
  std::optional<HandoffSearchKey> next;
};

// Operations a WriteBatch can carry. Each names its failure when it cannot apply.
namespace op {
struct InsertConversation {  // kConflict if the id exists
  Conversation row;
};
struct UpdateConversation {  // kNotFound if missing; kConflict if if_epoch is set and differs
  Conversation row;
  std::optional<std::uint64_t> if_epoch;
};
struct AppendActivity {  // kConflict on a duplicate (conversation, seq) or activity id;
  ActivityRecord row;    // kNotFound if the conversation does not exist
};
struct PutSnapshot {  // replaces the conversation's snapshot; kNotFound if no conversation
  DialogSnapshot row;
};
struct InsertHandoff {  // kConflict if the id exists; kNotFound if no conversation
  HandoffRecord row;
};
// Replaces status, queue, updated, outcome; kNotFound if missing. The request (request_json) is
// written once by InsertHandoff and never changes: the row's request_json is not read here, so a
// status change never rewrites (or compares) the few KB of context and transcript.
struct UpdateHandoff {
  HandoffRecord row;
};
struct AppendEvent {  // kConflict on a duplicate (conversation, seq); kNotFound if no conversation
  ConversationEvent row;
};
// Removes a conversation and everything stored under it: its activities, dialog snapshot, handoff
// records (requests included), event log, ended analytics sessions and open session; kNotFound if
// missing. The hub log, the audit log and the analytics cells (counts outlive what they count) are
// not touched. The id may be used again afterwards. SQLite overwrites what it deletes
// (secure_delete), so once the WAL is checkpointed none of it remains in the database files;
// PostgreSQL's rows are gone at once and their bytes once VACUUM reclaims them and the server's
// WAL is recycled.
struct DeleteConversation {
  std::string id;
};
struct PutAgent {  // inserts or replaces (by id); `created` is kept when replacing
  AgentRecord row;
};
struct DeleteAgent {  // kNotFound if missing
  std::string id;
};
// Inserts or replaces the canned response with this id (`created` is kept when replacing);
// kConflict when another one has the same (queue, code).
struct PutCanned {
  CannedResponse row;
};
struct DeleteCanned {  // kNotFound if missing
  std::string id;
};
struct AppendHubLog {
  HubLogRecord row;
};
// Deletes every hub log record committed before this op's batch and those appended earlier in
// the same batch (records appended later in it stay); positions are never reused. Meant to go
// with the hub's snapshot (put_meta) in one batch, so that snapshot and log agree. SQLite
// overwrites what it deletes (secure_delete); PostgreSQL's rows go at once, their bytes once
// VACUUM reclaims them.
struct ClearHubLog {};
struct AppendAudit {
  AuditRecord row;
};
// Retention: of the `limit` oldest audit records (by position), deletes those with time < `before`.
// Positions follow commit order, so while the clock moves forward these are the oldest records;
// call again until a call deletes nothing.
struct DeleteAuditBefore {
  TimePoint before{};
  std::size_t limit = kMaxPageSize;
};
// Retention of handoff records: deletes the conversation's ended handoffs (HandoffRecord::open()
// false) last updated before `before`, requests and outcomes included; open ones stay. Deleting
// none is not an error, nor is a missing conversation.
struct DeleteEndedHandoffs {
  std::string conversation_id;
  TimePoint before{};
};
struct PutMeta {
  std::string key;
  std::string value;
};
struct DeleteMeta {  // deleting a missing key is not an error
  std::string key;
};
// Adds each cell's count and sum to the stored cell with the same (period, metric, topic, queue,
// agent), creating it at zero first. Cells with the same key in one op or batch add up. No
// conversation is involved, so this never fails on its own.
struct AddAnalytics {
  std::vector<AnalyticsCell> cells;
};
// Inserts or replaces the row with the same (conversation_id, number). kNotFound if the
// conversation does not exist.
struct PutAnalyticsSession {
  AnalyticsSession row;
};
// Inserts or replaces the conversation's open session (`last` is not written); kNotFound if no
// conversation.
struct PutOpenSession {
  OpenSession row;
};
// Removes the conversation's open session; a missing one is not an error.
struct DeleteOpenSession {
  std::string conversation_id;
};
}  // namespace op

using WriteOp =
    std::variant<op::InsertConversation, op::UpdateConversation, op::AppendActivity,
                 op::PutSnapshot, op::InsertHandoff, op::UpdateHandoff, op::AppendEvent,
                 op::DeleteConversation, op::PutAgent, op::DeleteAgent, op::AppendHubLog,
                 op::ClearHubLog, op::AppendAudit, op::DeleteAuditBefore, op::DeleteEndedHandoffs,
                 op::PutMeta, op::DeleteMeta, op::AddAnalytics, op::PutAnalyticsSession,
                 op::PutOpenSession, op::DeleteOpenSession, op::PutCanned, op::DeleteCanned>;

// A list of writes applied atomically, in order: either all of them become durable or none does.
// Later operations see earlier ones (insert a conversation, then append to it). A plain value; not
// thread-safe to mutate.
class WriteBatch {
 public:
  WriteBatch& insert_conversation(Conversation row);
  WriteBatch& update_conversation(Conversation row, std::optional<std::uint64_t> if_epoch = {});
  WriteBatch& append_activity(ActivityRecord row);
  WriteBatch& put_snapshot(DialogSnapshot row);
  WriteBatch& insert_handoff(HandoffRecord row);
  WriteBatch& update_handoff(HandoffRecord row);
  WriteBatch& append_event(ConversationEvent row);
  WriteBatch& delete_conversation(std::string id);
  WriteBatch& put_agent(AgentRecord row);
  WriteBatch& delete_agent(std::string id);
  WriteBatch& append_hub_log(HubLogRecord row);
  WriteBatch& clear_hub_log();
  WriteBatch& append_audit(AuditRecord row);
  WriteBatch& delete_audit_before(TimePoint before, std::size_t limit = kMaxPageSize);
  WriteBatch& delete_ended_handoffs(std::string conversation_id, TimePoint before);
  WriteBatch& put_meta(std::string key, std::string value);
  WriteBatch& delete_meta(std::string key);
  WriteBatch& add_analytics(std::vector<AnalyticsCell> cells);
  WriteBatch& put_analytics_session(AnalyticsSession row);
  WriteBatch& put_open_session(OpenSession row);
  WriteBatch& delete_open_session(std::string conversation_id);
  WriteBatch& put_canned(CannedResponse row);
  WriteBatch& delete_canned(std::string id);

  const std::vector<WriteOp>& ops() const { return ops_; }
  std::size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

  // Checks what can be checked without the database: required ids present, seq/epoch within
  // 1..kMaxSeq (0 allowed for epoch); analytics cells with a metric of 1..64 bytes, dimensions of
  // at most 256 bytes, count >= 0 and a finite sum; ended sessions with number >= 1, a known
  // outcome, rating 1..5 and wait_ms >= 0 when set, ended >= started, and text fields of at most
  // 256 bytes; open sessions with state_json of at most 16 KiB; canned responses with an id of
  // the agent-id alphabet, a code of 1..32 [a-z0-9._-], a title of 1..400 and a text of 1..16000
  // bytes and a queue of at most 256 bytes. kInvalidArgument naming the
  // operation index and field.
  Status validate() const;

 private:
  std::vector<WriteOp> ops_;
};

// Invoked exactly once per accepted batch: ok once the batch is durable; kConflict / kNotFound /
// kUnavailable when it was not applied; kIo when storage failed, in which case the batch's fate is
// unknown (a failed fsync may still leave it on disk, as with any database; a connection to a
// database server may break while its COMMIT is outstanding) — never acknowledge it, and expect a
// retry of it to meet kConflict if it did land. Runs on the store's writer thread:
// keep it short (post real work elsewhere) and never wait on another write from inside it.
using WriteCallback = std::function<void(Status)>;

// Counters for monitoring and benchmarks; monotonic since open.
struct StoreStats {
  std::uint64_t batches_committed = 0;  // batches acknowledged ok
  std::uint64_t batches_failed = 0;     // batches acknowledged with an error
  std::uint64_t transactions = 0;       // durable commits (one sync each with synchronous=FULL)
  std::uint64_t checkpoints = 0;        // WAL checkpoints completed (0 where not applicable)
  std::uint64_t wal_restarts = 0;  // times the writer finished a checkpoint so the WAL restarts
  std::uint64_t max_wal_restart_pause_us = 0;  // the longest such pause of the commit path
  std::uint64_t max_transaction_us = 0;        // the longest durable commit (begin to synced)
  std::uint64_t slow_transactions = 0;         // durable commits that took 50 ms or more
  // Durable commits by how long each took, begin to synced, in seconds (metrics::kLatencyBuckets),
  // and by how many batches each held (the group commit's size; metrics::kSizeBuckets).
  metrics::HistogramSnapshot commit_seconds;
  metrics::HistogramSnapshot commit_batches;
};

// Whether the store takes writes right now, and why not. Read by /healthz, the systemd status and
// the supervisor view; the store updates it itself (nobody else keeps a copy).
struct StoreHealth {
  enum class State {
    kWritable,
    // Writes fail with kUnavailable for a reason expected to pass (the disk is full, the database
    // server is unreachable). The store keeps probing and becomes writable again by itself.
    kUnavailable,
    // Writes fail with kIo until the process restarts (e.g. a failed fsync: what reached the disk
    // is unknown, so the store must not go on).
    kFailed,
  };
  State state = State::kWritable;
  std::string reason;  // why not writable, for people ("" when writable)
  // Bytes free (for an unprivileged writer) on the filesystem the store writes to, when the store
  // writes to a local filesystem; nullopt otherwise (a database server) or when unknown.
  std::optional<std::uint64_t> free_bytes;
  std::optional<std::uint64_t> total_bytes;  // that filesystem's size, likewise
  std::optional<std::uint64_t> device;       // that filesystem's st_dev, likewise

  bool writable() const { return state == State::kWritable; }
};

// The store. All methods are safe to call concurrently from any thread.
class Store {
 public:
  virtual ~Store() = default;

  // Queues a batch for the writer. On ok, `done` will be called exactly once (see WriteCallback).
  // Fails fast without calling `done`, never blocks:
  //   kUnavailable  the queue is full (back-pressure: retry later or shed load), the store is
  //                 closed, or it cannot write for a passing reason (health() is kUnavailable:
  //                 a full disk, an unreachable database server; it recovers by itself);
  //   kIo           the store is poisoned by an earlier storage failure (message says which);
  //   kInvalidArgument  the batch is empty or fails WriteBatch::validate().
  // Per-batch outcomes reported to `done`: kConflict / kNotFound as documented on the ops (only
  // this batch is rolled back; other batches committed with it are unaffected); kUnavailable when
  // the database server went away before the batch could be applied; kIo when the storage failed
  // (SQLite is then poisoned: every later write fails with kIo) or the batch's fate is unknown
  // (PostgreSQL: the connection broke during its COMMIT; the store reconnects).
  virtual Status submit(WriteBatch&& batch, WriteCallback done) = 0;

  // submit() and wait for the outcome. Called from a WriteCallback it would wait for itself, so
  // there it fails at once with kInternal instead (use submit() from callbacks).
  Status write(WriteBatch&& batch);

  // Reads: synchronous, concurrent with writes and with each other; each sees every batch whose
  // callback has already run. Errors: kNotFound for a missing key, kIo on storage failure,
  // kUnavailable after close().
  virtual Result<Conversation> get_conversation(const std::string& id) = 0;
  // Conversations with id > after_id in id order, at most `limit` (clamped).
  virtual Result<std::vector<Conversation>> list_conversations(const std::string& after_id,
                                                               std::size_t limit,
                                                               bool open_only) = 0;
  // One customer's conversations (user_id = `user_id`) with id > after_id in id order, at most
  // `limit` (clamped): what an export or an erasure of that customer's data starts from.
  virtual Result<std::vector<Conversation>> conversations_of_user(const std::string& user_id,
                                                                  const std::string& after_id,
                                                                  std::size_t limit) = 0;
  // Activities with seq > watermark in seq order, at most `limit` (clamped).
  // An unknown conversation yields an empty page (callers check the conversation separately).
  virtual Result<std::vector<ActivityRecord>> read_activities(const std::string& conversation_id,
                                                              std::uint64_t watermark,
                                                              std::size_t limit) = 0;
  // A conversation's history before `before_seq`, newest first, at most `limit` (clamped): its
  // activities without typing and without the handoff protocol's events (named "handoff.*", the
  // handoff.initiate ones carrying transcripts of their own). Filtered on the rows' type and name;
  // the bodies of the rows left out are never read.
  virtual Result<std::vector<ActivityRecord>> read_history_before(
      const std::string& conversation_id, std::uint64_t before_seq, std::size_t limit) = 0;
  // The whole log of a conversation in seq order (read page by page; memory grows with the log).
  virtual Result<std::vector<ActivityRecord>> read_transcript(
      const std::string& conversation_id) = 0;
  virtual Result<ActivityRecord> find_activity(const std::string& activity_id) = 0;
  virtual Result<DialogSnapshot> get_snapshot(const std::string& conversation_id) = 0;
  virtual Result<HandoffRecord> get_handoff(const std::string& id) = 0;
  // Handoffs with the given status, oldest first, at most `limit` (clamped).
  virtual Result<std::vector<HandoffRecord>> list_handoffs(const std::string& status,
                                                           std::size_t limit) = 0;
  virtual Result<std::vector<HandoffRecord>> handoffs_for_conversation(
      const std::string& conversation_id) = 0;
  // Retention: ids of conversations with at least one ended handoff (HandoffRecord::open() false)
  // created and last updated before `before`, each once, at most `limit` (clamped), in no
  // particular order. Reads the handoffs' status index, not their requests.
  virtual Result<std::vector<std::string>> conversations_with_ended_handoffs(TimePoint before,
                                                                             std::size_t limit) = 0;
  // One conversation's events with seq > after_seq, in seq order (limit clamped).
  virtual Result<std::vector<ConversationEvent>> read_events(const std::string& conversation_id,
                                                             std::uint64_t after_seq,
                                                             std::size_t limit) = 0;
  // All conversations' events with position > after_position, in commit order (limit clamped).
  virtual Result<std::vector<ConversationEvent>> read_all_events(std::uint64_t after_position,
                                                                 std::size_t limit) = 0;
  virtual Result<std::string> get_meta(const std::string& key) = 0;
  virtual Result<AgentRecord> get_agent(const std::string& id) = 0;
  // Every agent, in id order.
  virtual Result<std::vector<AgentRecord>> list_agents() = 0;
  // Every canned response, ordered by queue, then code (bytewise).
  virtual Result<std::vector<CannedResponse>> list_canned() = 0;
  virtual Result<CannedResponse> get_canned(const std::string& id) = 0;
  // Hub log records with position > after_position, in position order (limit clamped).
  virtual Result<std::vector<HubLogRecord>> read_hub_log(std::uint64_t after_position,
                                                         std::size_t limit) = 0;
  // Audit records with position > after_position, in position order (limit clamped); when
  // `conversation_id` is non-empty, only that conversation's.
  virtual Result<std::vector<AuditRecord>> read_audit(std::uint64_t after_position,
                                                      std::size_t limit,
                                                      const std::string& conversation_id) = 0;
  // The analytics cells with from_period <= period < to_period matching `filter`, summed (in the
  // database) per metric and per value of `group`: the other dimensions come back "", and period is
  // 0 unless grouped by period. Ordered by metric, then the grouped value (bytewise).
  // kInvalidArgument when the answer would have more than kMaxAnalyticsRows rows (narrow the range
  // or the grouping).
  virtual Result<std::vector<AnalyticsCell>> read_analytics(std::int64_t from_period,
                                                            std::int64_t to_period,
                                                            const AnalyticsFilter& filter,
                                                            AnalyticsGroup group) = 0;
  // Ended sessions with from <= ended < to, ordered by (ended, conversation_id, number), after
  // `after` when set (keyset paging, so a streamed export neither skips nor repeats rows while
  // others are written), at most `limit` (clamped).
  virtual Result<std::vector<AnalyticsSession>> read_analytics_sessions(
      TimePoint from, TimePoint to, const std::optional<SessionKey>& after, std::size_t limit) = 0;
  // Open sessions whose conversation's `updated` is before `before`, oldest first (ties by
  // conversation id), at most `limit` (clamped): what the engine's idle-session sweep ends. Its
  // cost follows the number of open sessions, not of conversations.
  virtual Result<std::vector<OpenSession>> open_sessions_idle_before(TimePoint before,
                                                                     std::size_t limit) = 0;
  // kNotFound when the conversation has no open session.
  virtual Result<OpenSession> get_open_session(const std::string& conversation_id) = 0;

  // Ended handoffs (HandoffRecord::open() false) matching `search`, newest first by (created,
  // id), after `after` when set (keyset paging), at most `limit` (clamped to 1..kMaxPageSize)
  // hits, having examined at most kSearchScanLimit candidates (see HandoffSearchPage::next).
  // kInvalidArgument when a field of `search` is out of bounds. Reads the handoffs, their
  // conversations' user ids and, for `text` only, the message activities of the candidates.
  virtual Result<HandoffSearchPage> search_ended_handoffs(
      const HandoffSearch& search, const std::optional<HandoffSearchKey>& after,
      std::size_t limit) = 0;

  virtual StoreStats stats() const = 0;

  // Whether writes are accepted now (see StoreHealth). Cheap: no I/O beyond a statvfs.
  virtual StoreHealth health() const = 0;

  // Stops accepting writes, commits everything already queued (callbacks run), stops background
  // work. Idempotent; the destructor calls it. Returns the poisoning error if the store was
  // poisoned. Reads after close fail with kUnavailable.
  virtual Status close() = 0;

 protected:
  // True when called on the thread that runs WriteCallbacks (write() must not wait there).
  virtual bool on_callback_thread() const { return false; }
};

}  // namespace baton::store
