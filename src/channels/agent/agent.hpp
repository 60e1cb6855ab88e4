#pragma once
// The agent API: the JSON REST + WebSocket interface of the engagement hub that the agent console
// (web/agent, served at /agent) and any other client use. The wire contract is docs/AGENT_API.md;
// entry point of src/channels/agent (see README.md there).
//
// Routes registered by register_routes() (all under /api/agent unless noted):
//   POST login, POST logout, GET me, PUT presence
//   POST offers/{conversationId}/accept|decline
//   GET  conversations, GET conversations/{id} (audited transcript read)
//   POST conversations/{id}/messages|typing|notes|transfer|end|wrapup|close
//   GET  supervisor, GET audit
//   GET|POST canned, PUT|DELETE canned/{id}   canned responses (writes: supervisors, admins)
//   POST stream/ticket, WS stream?ticket=...
//   GET  /agent, /agent/, /agent/{*path}   the console's static files (when console_dir exists)
//   GET  /agent/vendor/chart.umd.js         the chart library of the Analytics view (chart_library)
//
// Sessions are signed tokens (session.hpp) checked on every request against the store: the agent
// must still exist with the same password hash, and the session must not be revoked (logout;
// revocations are stored as meta keys so they survive a restart). Permissions are the
// Engagement's (engagement::Actor); the agent API adds the supervisor-only audit view. The
// channel meets the rest of Baton only through the Engagement (typed calls and AgentEvents, which
// render.hpp turns into JSON) and the store (sessions, audit, transcripts).
//
// Thread safety: handlers run on the server's I/O threads and call only thread-safe things (the
// Engagement posts to its strand, store reads, the signer, the rate limiter). The Engagement
// answers on its strand (the engine's); work that blocks (reading a transcript) moves back to the
// `io` executor first. Password checks (Argon2id, ~64 MiB, tens of ms) run on one private
// thread, never on an I/O thread. Register routes before Server::start(); the channel must
// outlive the server's threads.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/public_url.hpp"
#include "core/result.hpp"
#include "engagement/engagement.hpp"
#include "hub/config.hpp"
#include "server/router.hpp"
#include "server/server.hpp"
#include "store/store.hpp"
#include "store/upload_files.hpp"

namespace baton::agent {

struct AgentChannelOptions {
  std::string session_key;  // required: the content of DATA/agent-session-key
  std::chrono::seconds session_ttl{43200};
  // Login attempts (successful or not): per agent id and per client address, token buckets with a
  // burst equal to the per-minute figure.
  double logins_per_minute_per_agent = 10;
  double logins_per_minute_per_address = 60;
  // web/agent: index.html and its assets ("" or missing: /agent is not served).
  std::filesystem::path console_dir;
  // The one file of the charting library (Chart.js's UMD build, web/node_modules/chart.js/dist/
  // chart.umd.js) that the console's Analytics view loads from /agent/vendor/chart.umd.js, a fixed
  // route; "" or missing: not served, and the view shows its figures without charts.
  std::filesystem::path chart_library;
  // Web origins ("https://console.example.com"), besides the server's own (the Host the upgrade
  // request names, and the public URL's), whose pages may open the stream. A browser's upgrade
  // from any other Origin is refused with 403: pages elsewhere must not ride on an agent's session.
  std::vector<std::string> allowed_origins;
  // The customers' files (DATA/uploads, shared with the Direct Line channel that stores them):
  // listed in a customer's export, removed by their erasure. null = none.
  std::shared_ptr<store::UploadFiles> uploads;
  // The URL customers reach this server at (the Direct Line channel's): the prefix of the
  // contentUrl of the files agents send, and of the customers' uploads the console previews
  // (`filesBase` in GET me). Until the server sets it, agents cannot send files (503).
  std::shared_ptr<const PublicUrl> public_url = std::make_shared<const PublicUrl>();
  // The body of one POST conversations/{id}/files (a file an agent sends; 413 beyond, before the
  // body is read): the same bound as a Direct Line upload's.
  std::size_t max_upload_bytes = std::size_t{8} * 1024 * 1024;
  // The hub's configuration: which queues exist (canned responses per queue) and which an agent
  // serves (their skills). null = no queues: only global canned responses.
  std::shared_ptr<const hub::HubConfig> hub;
  // The service's readiness (storage, disk space), shown to supervisors; none = not shown.
  std::function<server::Readiness()> readiness;
};

class AgentChannel {
 public:
  // `engagement`, `store` and `clock` (thread-safe, e.g. SystemClock) must outlive the channel;
  // `io` runs the blocking reads that follow an Engagement answer (the server's executor).
  AgentChannel(engagement::Engagement& engagement, store::Store& store, const Clock& clock,
               boost::asio::any_io_executor io, AgentChannelOptions options);
  ~AgentChannel();
  AgentChannel(const AgentChannel&) = delete;
  AgentChannel& operator=(const AgentChannel&) = delete;

  // Adds every route above. Errors: kInvalidArgument when a route cannot be added or the options
  // are unusable (empty session key).
  Status register_routes(server::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace baton::agent
