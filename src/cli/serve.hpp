#pragma once
// `baton serve`: the Direct Line server (docs/PROTOCOLS.md §8) and the engagement hub. Loads the
// bot and its hub configuration (hub.yaml beside the bot, else the default), opens the store
// (DATA/baton.db, or the PostgreSQL database of --store),
// starts the engine and the Engagement on their own thread (the Engagement replays its log before
// the port opens), then the Direct Line channel, the agent API (docs/AGENT_API.md) and the agent
// console (/agent) on a Beast server; prints exactly one line to stdout when ready
// ("baton: listening on http://HOST:PORT") and logs to stderr. Under systemd (Type=notify,
// deploy/baton.service.in) it also sends READY=1 then and STOPPING=1 when stopping. SIGINT/SIGTERM
// stop it gracefully (exit code 0).
//
// Files in DATA: baton.db (the store, unless --store), directline-secret (unless --secret or
// $BATON_DIRECTLINE_SECRET), agent-session-key (signs agent sessions; created 0600 at first start;
// replacing it logs every agent out), uploads/. The metrics token file is wherever
// --metrics-token-file says.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "store/sqlite_store.hpp"

namespace baton::cli {

inline const store::SqliteOptions kStoreDefaults{};

struct ServeOptions {
  std::filesystem::path bot_path = "examples/contoso";
  std::string listen = "127.0.0.1:3978";  // HOST:PORT, port 0 = any free port
  std::filesystem::path data_dir = "data";
  // A PostgreSQL connection string (--store, $BATON_STORE); "" = SQLite in data_dir. The data
  // directory still holds the secret, the session key and uploads.
  std::string store;
  std::string secret;  // "" → env BATON_DIRECTLINE_SECRET → DATA/directline-secret (created)
  int threads = 2;
  std::string sync = "full";  // full | normal
  // Store tuning (store::SqliteOptions); the defaults are the store's own.
  int checkpoint_interval_ms = static_cast<int>(kStoreDefaults.checkpoint_interval.count());
  int checkpoint_pages = static_cast<int>(kStoreDefaults.checkpoint_wal_pages);
  int store_cache_kib = static_cast<int>(kStoreDefaults.writer_cache_kib);
  // Batches per store transaction (group commit), for either store; 1 = a transaction per batch.
  int store_group = static_cast<int>(kStoreDefaults.max_group_batches);
  int token_ttl_seconds = 1800;
  double rate_limit_per_minute = 600;
  // Reverse proxies (addresses or networks) whose X-Forwarded-For names the client, for the
  // per-address login limit and the audit log (server::TrustedProxies). None by default.
  std::vector<std::string> trusted_proxies;
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
  // The base URL customers reach this server at (e.g. https://chat.example.com behind a proxy):
  // attachment links are built from it, and stream URLs too when it is set. "" = the listen
  // address (http://HOST:PORT; "localhost" when listening on every interface).
  std::string public_url;
  // An external bot's endpoint, overriding bot.yaml's `bot.endpoint` ("" = bot.yaml's).
  std::string bot_endpoint;
  // Connections open at once: in all (0 = 90 % of the open-file limit) and per client address
  // (trusted proxies are exempt; 0 = no limit). Beyond either, new connections get 503 and close.
  int max_connections = 0;
  int max_connections_per_address = 256;
  // Tokens and conversations created per client address and minute (429 beyond; 0 = no limit).
  double session_rate_limit_per_minute = 120;
  // Uploads: bytes per conversation (413 beyond), in all (507 beyond; 0 = no limit), and the
  // free space they must leave on the data directory's filesystem (507 below it).
  std::uint64_t upload_quota_bytes = std::uint64_t{64} << 20;
  std::uint64_t uploads_total_bytes = std::uint64_t{4} << 30;
  std::uint64_t uploads_min_free_bytes = std::uint64_t{512} << 20;
  // Free space on the data directory's filesystem below which serve warns (log, /healthz, the
  // supervisor view) before the disk fills; 0 = never.
  std::uint64_t disk_warning_bytes = std::uint64_t{1} << 30;
  // Sites that may show the test page in a frame (CSP frame-ancestors); none by default.
  std::vector<std::string> frame_ancestors;
  // Web origins, besides the server's own, whose pages may open the agent API's WebSocket.
  std::vector<std::string> agent_origins;
  // Retention (lifecycle::parse_retention: "conversations=90d,uploads=30d,audit=400d"); "" =
  // everything is kept. The sweep runs at start and then every `retention_interval`.
  std::string retain;
  std::string retention_interval = "1h";
  // Analytics: a conversation's session ends after this long without activity (docs/ANALYTICS.md).
  std::string session_timeout = "30m";
  // Prometheus's GET /metrics (cli/metrics.hpp; docs/DEPLOY.md, "Metrics"): on a listener of its
  // own at HOST:PORT ("" = none; port 0 = any free port, logged), and/or on the public listener
  // behind the bearer token in this file (created with a random token when missing; "" = not on
  // the public listener, where /metrics is then a 404).
  std::string metrics_listen;
  std::filesystem::path metrics_token_file;
};

// Runs until a signal stops the server. Returns the exit code: 0 after a graceful stop, 1 when the
// bot or hub.yaml does not load (diagnostics on `err`), the data directory / port cannot be used
// or the Engagement cannot start, 2 for bad options. Errors are
// written to `err`; the ready line to `out`.
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
