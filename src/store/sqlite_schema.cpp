#include "store/sqlite_schema.hpp"

#include <fmt/format.h>

#include "store/sqlite_db.hpp"

namespace baton::store::sqlite {

// On-disk encodings shared by every table:
//   * times are INTEGER milliseconds since the Unix epoch (UTC), columns named *_ms;
//   * sequence numbers and epochs are INTEGER (signed 64-bit; the API caps them at INT64_MAX);
//   * booleans are INTEGER 0/1;
//   * JSON is TEXT, stored verbatim, never parsed by the store.
// Foreign keys are enforced (PRAGMA foreign_keys=ON on every connection): every row of the
// conversation tables belongs to an existing conversation; `meta`, `agents`, `hub_log`,
// `audit_log`, `analytics_cells` and `canned_responses` stand alone.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1, "conversations, activity log, meta",
       R"sql(
CREATE TABLE conversations (
  id          TEXT PRIMARY KEY,
  bot_id      TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  channel_id  TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL,
  ownership   TEXT NOT NULL,            -- bot | queued | offered | agent | wrap_up | closed
  epoch       INTEGER NOT NULL,         -- ownership fencing token
  next_seq    INTEGER NOT NULL,         -- seq the next activity gets
  closed      INTEGER NOT NULL
) WITHOUT ROWID;
-- The append-only activity log; seq is the Direct Line watermark (1-based, contiguous).
CREATE TABLE activities (
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq             INTEGER NOT NULL,
  activity_id     TEXT NOT NULL UNIQUE,
  type            TEXT NOT NULL,
  timestamp_ms    INTEGER NOT NULL,
  body            TEXT NOT NULL,         -- the serialised activity
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
      {2, "dialog snapshots, handoff records",
       R"sql(
-- Only the latest snapshot per conversation is kept.
CREATE TABLE dialog_snapshots (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
  seq             INTEGER NOT NULL,      -- last activity seq the state reflects
  saved_ms        INTEGER NOT NULL,
  state           TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE handoffs (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  reason          TEXT NOT NULL,
  status          TEXT NOT NULL,         -- pending | accepted | completed | cancelled | ...
  queue           TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  request         TEXT NOT NULL,         -- JSON: context, agent message, routing, transcript ref
  outcome         TEXT NOT NULL          -- JSON or '' while open
) WITHOUT ROWID;
CREATE INDEX handoffs_by_status ON handoffs(status, created_ms);
CREATE INDEX handoffs_by_conversation ON handoffs(conversation_id, created_ms);
)sql"},
      {3, "ownership/handoff event log, conversation metadata",
       R"sql(
-- position (the rowid) is the store-wide commit order used to replay every conversation's events.
CREATE TABLE conversation_events (
  position        INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq             INTEGER NOT NULL,      -- per conversation, 1-based
  kind            TEXT NOT NULL,
  epoch           INTEGER NOT NULL,
  time_ms         INTEGER NOT NULL,
  payload         TEXT NOT NULL,
  UNIQUE (conversation_id, seq)
);
ALTER TABLE conversations ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
)sql"},
      {4, "agents, hub log, audit log",
       R"sql(
-- Console logins and their routing facts (`baton agent add`). Not tied to a conversation.
CREATE TABLE agents (
  id            TEXT PRIMARY KEY,        -- login name, [A-Za-z0-9._@-]{1,64}
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL,           -- agent | supervisor | admin
  skills        TEXT NOT NULL,           -- JSON array of lower-case strings, sorted, unique
  capacity      INTEGER NOT NULL,        -- concurrent conversations, >= 1
  password_hash TEXT NOT NULL,           -- crypto_pwhash_str output
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
) WITHOUT ROWID;
-- The hub's input log, replayed in position order after a restart. AUTOINCREMENT so a position
-- is never reused even if old entries are pruned one day.
CREATE TABLE hub_log (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms   INTEGER NOT NULL,
  input     TEXT NOT NULL                -- hub::input_to_json text
);
-- Who read or did what. conversation_id is '' when the action concerns no conversation, so there
-- is no foreign key (an audit entry may also outlive its conversation).
CREATE TABLE audit_log (
  position        INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms         INTEGER NOT NULL,
  actor           TEXT NOT NULL,
  action          TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  detail          TEXT NOT NULL
);
CREATE INDEX audit_by_conversation ON audit_log(conversation_id, position);
)sql"},
      {5, "implicit canonical activity ids",
       R"sql(
-- An activity whose id is the engine's canonical "<conversation_id>|<seq zero-padded to 7 digits>"
-- (sqlite_activity_ids.hpp) keeps activity_id NULL: the id follows from the primary key, so a turn
-- no longer updates a unique index on a random page per activity. Other ids stay unique through
-- the partial index; the writer checks that the two kinds never collide. SQLite cannot drop a
-- column's UNIQUE constraint, so the table is rebuilt.
CREATE TABLE activities_v5 (
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq             INTEGER NOT NULL,
  activity_id     TEXT,                  -- NULL = the canonical id of (conversation_id, seq)
  type            TEXT NOT NULL,
  timestamp_ms    INTEGER NOT NULL,
  body            TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
INSERT INTO activities_v5
  SELECT conversation_id, seq,
         CASE WHEN activity_id = conversation_id || '|' || printf('%07d', seq) THEN NULL
              ELSE activity_id END,
         type, timestamp_ms, body
  FROM activities;
DROP TABLE activities;
ALTER TABLE activities_v5 RENAME TO activities;
CREATE UNIQUE INDEX activities_by_explicit_id ON activities(activity_id)
  WHERE activity_id IS NOT NULL;
)sql"},
      {6, "dialog snapshots in the conversation row",
       R"sql(
-- A turn rewrites both the conversation row and its snapshot; keeping them in one row makes that
-- one b-tree page instead of two. NULL snapshot = none saved yet. The snapshot columns come last
-- so reading a conversation's header does not decode them.
ALTER TABLE conversations ADD COLUMN snapshot_seq INTEGER;
ALTER TABLE conversations ADD COLUMN snapshot_saved_ms INTEGER;
ALTER TABLE conversations ADD COLUMN snapshot TEXT;
UPDATE conversations
  SET (snapshot_seq, snapshot_saved_ms, snapshot) =
      (SELECT seq, saved_ms, state FROM dialog_snapshots WHERE conversation_id = conversations.id)
  WHERE id IN (SELECT conversation_id FROM dialog_snapshots);
DROP TABLE dialog_snapshots;
)sql"},
      {7, "handoff requests in their own table",
       R"sql(
-- A request (context, routing, transcript: often a few KB, so overflow pages) is written once, but
-- the handoff's status changes two or three times (offered, accepted, ended). In one row every
-- status change rewrote the whole request; apart, a status change rewrites a small row.
CREATE TABLE handoff_requests (
  handoff_id TEXT PRIMARY KEY REFERENCES handoffs(id),
  request    TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO handoff_requests SELECT id, request FROM handoffs;
ALTER TABLE handoffs DROP COLUMN request;
)sql"},
      {8, "activities in arrival order",
       R"sql(
-- Clustered by (conversation_id, seq), every turn inserted into its own conversation's leaf page,
-- and with ~4 rows a leaf those random leaves split every other turn: about 5.5 activity pages
-- (leaves and parents) per commit at 2,000 turns/s. In arrival order, rows go to the right edge,
-- which the commit's turns share; (conversation_id, seq) becomes a small index (~110 entries a
-- leaf) that still serves every read in order.
CREATE TABLE activities_v8 (
  position        INTEGER PRIMARY KEY,   -- arrival order; only ever appended
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq             INTEGER NOT NULL,
  activity_id     TEXT,                  -- NULL = the canonical id of (conversation_id, seq)
  type            TEXT NOT NULL,
  timestamp_ms    INTEGER NOT NULL,
  body            TEXT NOT NULL,
  UNIQUE (conversation_id, seq)
);
INSERT INTO activities_v8 (conversation_id, seq, activity_id, type, timestamp_ms, body)
  SELECT conversation_id, seq, activity_id, type, timestamp_ms, body FROM activities
  ORDER BY conversation_id, seq;
DROP TABLE activities;
ALTER TABLE activities_v8 RENAME TO activities;
CREATE UNIQUE INDEX activities_by_explicit_id ON activities(activity_id)
  WHERE activity_id IS NOT NULL;
)sql"},
      {9, "event names beside activity types",
       R"sql(
-- A handoff's transcript leaves out typing and the handoff protocol's events, and each
-- handoff.initiate carries a transcript of up to 128 KiB of its own: telling them apart by parsing
-- every row made each handoff of a conversation read and parse all the earlier ones. The name,
-- like the type, is metadata a query filters on; both come before the body, so a skipped row's
-- body (overflow pages) is never read. Rows written before get their event's name from the body.
CREATE TABLE activities_v9 (
  position        INTEGER PRIMARY KEY,   -- arrival order; only ever appended
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq             INTEGER NOT NULL,
  activity_id     TEXT,                  -- NULL = the canonical id of (conversation_id, seq)
  type            TEXT NOT NULL,
  name            TEXT NOT NULL,         -- an event's name; '' for other types
  timestamp_ms    INTEGER NOT NULL,
  body            TEXT NOT NULL,
  UNIQUE (conversation_id, seq)
);
INSERT INTO activities_v9 (position, conversation_id, seq, activity_id, type, name, timestamp_ms,
                           body)
  SELECT position, conversation_id, seq, activity_id, type,
         CASE WHEN type = 'event' AND json_valid(body) AND json_type(body, '$.name') = 'text'
              THEN json_extract(body, '$.name') ELSE '' END,
         timestamp_ms, body
  FROM activities ORDER BY position;
DROP TABLE activities;
ALTER TABLE activities_v9 RENAME TO activities;
CREATE UNIQUE INDEX activities_by_explicit_id ON activities(activity_id)
  WHERE activity_id IS NOT NULL;
)sql"},
      {10, "conversations by customer",
       R"sql(
-- A customer's export or erasure finds their conversations without a scan.
CREATE INDEX conversations_by_user ON conversations(user_id, id);
)sql"},
      {11, "analytics: hourly cells, ended sessions, open sessions",
       R"sql(
-- Aggregates (hourly and daily rollups, analytics/cells.hpp). They count conversations but do not belong to one (no foreign key): deleting
-- or erasing a conversation leaves its counts. Dimensions are '' when not applicable, never NULL,
-- so that they can be part of the key. Summaries read a range of periods and sum in SQL.
CREATE TABLE analytics_cells (
  period INTEGER NOT NULL,               -- the analytics module's period key (analytics/cells.hpp)
  metric TEXT NOT NULL,
  topic  TEXT NOT NULL,
  queue  TEXT NOT NULL,
  agent  TEXT NOT NULL,
  count  INTEGER NOT NULL,
  sum    REAL NOT NULL,                  -- of the metric's values (milliseconds, ratings, ...)
  PRIMARY KEY (period, metric, topic, queue, agent)
) WITHOUT ROWID;
-- Ended sessions, one row each, for the sessions CSV; deleted with their conversation.
-- NULL wait_ms / rating / resolved = not applicable.
CREATE TABLE analytics_sessions (
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  number          INTEGER NOT NULL,      -- the seq of the activity that opened it
  started_ms      INTEGER NOT NULL,
  ended_ms        INTEGER NOT NULL,
  outcome         TEXT NOT NULL,         -- unengaged | resolved | escalated | abandoned
  topic           TEXT NOT NULL,
  reason          TEXT NOT NULL,
  queue           TEXT NOT NULL,
  agent           TEXT NOT NULL,
  wait_ms         INTEGER,
  rating          INTEGER,               -- 1..5
  resolved        INTEGER,               -- 0/1
  surveyed        INTEGER NOT NULL,      -- 0/1
  PRIMARY KEY (conversation_id, number)
) WITHOUT ROWID;
CREATE INDEX analytics_sessions_by_end ON analytics_sessions(ended_ms, conversation_id, number);
-- The session in progress of a conversation: the engine's own state (JSON, up to 16 KiB, so a
-- rowid table: long rows do not belong in a WITHOUT ROWID b-tree). How long a session has been
-- idle is the conversation's updated_ms; the idle sweep walks this table (one row per
-- conversation with a session in progress) rather than indexing updated_ms, which every turn
-- rewrites.
CREATE TABLE open_sessions (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
  state           TEXT NOT NULL
);
)sql"},
      {12, "canned responses",
       R"sql(
-- Texts agents insert into replies (docs/AGENT_API.md), global (queue '') or per queue. Written
-- by supervisors through the agent API; not tied to a conversation.
CREATE TABLE canned_responses (
  id          TEXT PRIMARY KEY,          -- issued by the server
  queue       TEXT NOT NULL,             -- '' = global
  code        TEXT NOT NULL,             -- [a-z0-9._-]{1,32}
  title       TEXT NOT NULL,
  text        TEXT NOT NULL,
  updated_by  TEXT NOT NULL,             -- agent id
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL,
  UNIQUE (queue, code)
) WITHOUT ROWID;
)sql"},
      {13, "agents can be disabled",
       R"sql(
-- A disabled agent (docs/AGENT_API.md "Agents") cannot log in and gets no offers; the record and
-- the agent's history stay.
ALTER TABLE agents ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;  -- 0/1
)sql"},
      {14, "handoffs by creation time",
       R"sql(
-- The search over ended handoffs (Store::search_ended_handoffs) walks them newest first; on
-- handoffs_by_status it would sort every ended handoff for each page. The key is written once
-- (a handoff's creation time never changes), so status changes do not touch this index.
CREATE INDEX handoffs_by_created ON handoffs(created_ms, id);
)sql"},
  };
  return steps;
}

Result<int> schema_version(sqlite3* db) {
  auto stmt = Stmt::prepare(db, "PRAGMA user_version");
  if (!stmt.ok()) {
    return stmt.error();
  }
  int rc = stmt->step();
  if (rc != SQLITE_ROW) {
    return sqlite_error(db, rc, "cannot read the schema version");
  }
  return static_cast<int>(stmt->column_int(0));
}

namespace {

Error step_error(sqlite3* db, int rc, const Migration& step) {
  Error error = sqlite_error(
      db, rc,
      fmt::format("schema migration to version {} ({}) failed", step.version, step.description));
  if (sqlite3_get_autocommit(db) == 0) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  error.code = ErrorCode::kIo;
  return error;
}

// Applies one step unless another connection already did (checked under the write lock).
Status apply_step(sqlite3* db, const Migration& step) {
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return step_error(db, rc, step);
  }
  auto current = schema_version(db);
  if (!current.ok()) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return current.error();
  }
  if (*current >= step.version) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return {};
  }
  std::string sql = fmt::format("{}\nPRAGMA user_version = {};\nCOMMIT;", step.sql, step.version);
  rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return step_error(db, rc, step);
  }
  return {};
}

}  // namespace

Status migrate(sqlite3* db, int target) {
  auto current = schema_version(db);
  if (!current.ok()) {
    return current.error();
  }
  if (*current > target) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("database schema version {} is newer than this build supports "
                                  "({}); refusing to open it",
                                  *current, target));
  }
  for (const Migration& step : migrations()) {
    if (step.version > *current && step.version <= target) {
      Status status = apply_step(db, step);
      if (!status.ok()) {
        return status;
      }
    }
  }
  return {};
}

}  // namespace baton::store::sqlite
