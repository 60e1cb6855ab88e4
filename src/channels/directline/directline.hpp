#pragma once
// The Direct Line 3.0 channel: what botframework-directlinejs and botframework-webchat speak
// (docs/PROTOCOLS.md §1 and §7), on top of src/server's Router and
// the engine. Entry point of src/channels/directline; see README.md for the endpoint table.
//
// Routes registered by register_routes():
// Every route that takes a body authenticates on the request's headers, before the body is read
// (server::RouteOptions::admit), so a bad credential is refused at once whatever it sends.
//
//   POST /v3/directline/tokens/generate            (Bearer secret)
//   POST /v3/directline/tokens/refresh             (Bearer token)
//   POST /v3/directline/conversations              201 new / 200 when the token already started it
//   GET  /v3/directline/conversations/{id}         reconnect: fresh streamUrl + token
//   POST /v3/directline/conversations/{id}/activities   → {"id"} once durable
//   GET  /v3/directline/conversations/{id}/activities   polling (?watermark=)
//   POST /v3/directline/conversations/{id}/upload       multipart (?userId=)
//   GET  /v3/directline/conversations/{id}/files/{name} uploaded files (unguessable names)
//   WS   /v3/directline/conversations/{id}/stream       ?t=TOKEN&watermark=N
//   GET  /v3/directline/session/getsessionid
//   POST /api/directline/token                          the test page's token endpoint
//   GET  /api/conversations/{id}, /api/conversations/{id}/handoffs   (Bearer secret)
//   GET  /, /webchat/webchat.js                         the test page and the Web Chat bundle
//
// Customers never see internal activities (handoff.* and other events, trace, ...): see
// engine::Audience. Typing goes only to the WebSocket.
//
// Thread safety: handlers run on the server's I/O threads and only call thread-safe things (the
// engine posts to its strand, store reads, the signer, the rate limiter). Register routes before
// Server::start(); the channel must outlive the server's threads.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/public_url.hpp"
#include "core/result.hpp"
#include "engine/engine.hpp"
#include "server/router.hpp"
#include "store/store.hpp"
#include "store/upload_files.hpp"

namespace baton::directline {

struct DirectLineOptions {
  std::string secret;                    // required, non-empty
  std::chrono::seconds token_ttl{1800};  // expires_in of every token issued
  double rate_limit_per_minute = 600;    // activities per conversation; burst max(rate/10, 20)
  // Conversations (POST /conversations with a customer's token) and test-page tokens
  // (POST /api/directline/token) per client address and minute, burst max(rate/3, 5); 429 beyond.
  // The secret's holder (a site's backend) is not limited. 0 = no limit.
  double session_rate_limit_per_minute = 120;
  // The customers' files, shared with whoever else removes them (the agent API's erasure); when
  // null, register_routes opens uploads_dir (DATA/uploads, created on demand) with upload_limits.
  std::shared_ptr<store::UploadFiles> uploads;
  std::filesystem::path uploads_dir;
  std::size_t max_upload_bytes = std::size_t{8} * 1024 * 1024;  // one upload request's body
  store::UploadLimits upload_limits;                            // per conversation, total, disk
  // The base URL customers reach this server at ("https://chat.example.com", no trailing '/'):
  // attachment contentUrls are built from it, never from a request's Host or X-Forwarded-*
  // headers, because they are stored and shown to agents. The server sets it once the listening
  // port is known.
  std::shared_ptr<const PublicUrl> public_url = std::make_shared<const PublicUrl>();
  // Whether streamUrls come from public_url (true) or, as for a server without a configured
  // public URL, from the request's Host and X-Forwarded-Proto (false). A streamUrl only goes back
  // to the client that asked, so the header cannot mislead anyone else.
  bool stream_url_from_public_url = false;
  std::filesystem::path test_page;  // web/test-page/index.html ("" or missing: no page)
  // Sites that may show the test page in a frame (CSP frame-ancestors sources); none by default.
  std::vector<std::string> frame_ancestors;
  std::filesystem::path webchat_bundle;   // .../botframework-webchat/dist/webchat.js
  std::size_t frame_max_activities = 64;  // activities per WebSocket frame when replaying
};

class DirectLineChannel {
 public:
  // `engine`, `store` and `clock` (must be thread-safe, e.g. SystemClock) must outlive the channel.
  DirectLineChannel(engine::Engine& engine, store::Store& store, const Clock& clock,
                    DirectLineOptions options);
  ~DirectLineChannel();
  DirectLineChannel(const DirectLineChannel&) = delete;
  DirectLineChannel& operator=(const DirectLineChannel&) = delete;

  // Adds every route above and opens the upload folder. Errors: kInvalidArgument when a route
  // cannot be added (e.g. the router already has it) or the options are unusable (empty secret);
  // kIo when the upload folder cannot be opened.
  Status register_routes(server::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace baton::directline
