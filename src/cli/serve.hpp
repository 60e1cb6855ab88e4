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
// replacing it logs every agent out), uploads/.

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
};

// Runs until a signal stops the server. Returns the exit code: 0 after a graceful stop, 1 when the
// bot or hub.yaml does not load (diagnostics on `err`), the data directory / port cannot be used
// or the Engagement cannot start, 2 for bad options. Errors are
// written to `err`; the ready line to `out`.
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
