#pragma once
// `baton serve`: the Direct Line server (SERVE_SPEC.md). Loads the bot, opens DATA/baton.db,
// starts the engine and the Direct Line channel on a Beast server, prints exactly one line to
// stdout when ready ("baton: listening on http://HOST:PORT") and logs to stderr. SIGINT/SIGTERM
// stop it gracefully (exit code 0).

#include <filesystem>
#include <iosfwd>
#include <string>

namespace baton::cli {

struct ServeOptions {
  std::filesystem::path bot_path = "examples/contoso";
  std::string listen = "127.0.0.1:3978";  // HOST:PORT, port 0 = any free port
  std::filesystem::path data_dir = "data";
  std::string secret;  // "" → env BATON_DIRECTLINE_SECRET → DATA/directline-secret (created)
  int threads = 2;
  std::string sync = "full";  // full | normal
  int token_ttl_seconds = 1800;
  double rate_limit_per_minute = 600;
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
};

// Runs until a signal stops the server. Returns the exit code: 0 after a graceful stop, 1 when the
// bot does not load or the data directory / port cannot be used, 2 for bad options. Errors are
// written to `err`; the ready line to `out`.
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::cli
