#pragma once
// Baton's side of external hubs (hub.yaml queues with `external:`, docs/EXTERNAL_HUBS.md).
//
// Outbound (the engagement's ExternalHubSink): each request is the stored activity as JSON with
// `serviceUrl` (Baton's public base URL) and `recipient` ({"id": "external:<queue>", "name":
// <queue>}) set, POSTed to the queue's url, signed (core/request_signature.hpp: the
// X-Baton-Timestamp and X-Baton-Signature headers). Per conversation in order, one request in
// flight per conversation; a request that fails (no connection, timeout, non-2xx) is retried
// after initial_backoff, doubling, up to max_attempts in all; then it is given up: a
// handoff.initiate fails the handoff (the engagement's ExternalStatus{failed}), a forwarded
// activity is logged and counted. At most max_queued_per_conversation wait behind the one in
// flight (beyond: dropped and counted).
//
// Inbound routes, for the external hub (never CORS):
//   POST /api/handoff/{conversationId}/activities  {type:"message", text, attachments?,
//   from?:{name}} POST /api/handoff/{conversationId}/status      {"state":
//   "accepted"|"failed"|"completed",
//                                                   "message"?: string}
// The signature is verified before the body is parsed, against each external queue's secret in
// constant time (the one that matches says which queue's hub is calling), with a timestamp at
// most 5 minutes off: otherwise 401 {"error": {"code": "Unauthorized", ...}}. Then: 404 for an
// id that is not a conversation id or a conversation the hub holds no handoff of; 409 for one
// with another queue or not in a state that allows the call; 400 for a bad body; 200
// {"id": <stored activity id>} / {"state": <state>}.
//
// Secrets never appear in logs; log lines name the queue and the conversation.
//
// Threading: initiate()/forward() may be called from any thread; the state lives on a strand of
// the executor. Route handlers run on I/O threads and answer asynchronously. Lifetime: as the
// botframework Connector: destroy after the server and the engine's executor stopped.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/public_url.hpp"
#include "core/result.hpp"
#include "engagement/engagement.hpp"
#include "engagement/external_hub.hpp"
#include "server/router.hpp"

namespace baton::externalhub {

struct ExternalHubOptions {
  // Baton's public base URL (the activities' serviceUrl), set by the server once its port is bound.
  std::shared_ptr<const PublicUrl> service_url = std::make_shared<const PublicUrl>();
  std::chrono::milliseconds timeout{10000};        // one attempt, connect to last byte
  int max_attempts = 4;                            // attempts per request, the first included
  std::chrono::milliseconds initial_backoff{500};  // before the 2nd attempt; doubles after
  std::size_t max_queued_per_conversation = 256;
  std::size_t max_body_bytes = std::size_t{64} * 1024;  // an inbound request's body
  std::size_t max_message_length = 1000;                // a status' "message"
  // false for an offline `baton data` command: handoffs (a restart's re-sent ones) are left
  // waiting, to be sent when Baton next serves; notices and other activities still go out.
  bool send_handoffs = true;
};

// What was sent and received, for operators (GET /metrics). Lock-free reads.
struct ExternalHubStats {
  std::uint64_t delivered = 0;  // requests the external hub answered with 2xx
  std::uint64_t retried = 0;    // attempts that failed and were retried
  std::uint64_t failed = 0;     // requests given up after max_attempts
  std::uint64_t dropped = 0;    // requests dropped: the conversation's queue was full
  std::uint64_t received = 0;   // inbound calls that were authenticated and done
  std::uint64_t refused = 0;    // inbound calls refused 401 (bad or missing signature)
};

class ExternalHubs final : public engagement::ExternalHubSink {
 public:
  // `engagement` must outlive this object; `hubs`: the external queues (name, url, secret).
  ExternalHubs(engagement::Engagement& engagement, const boost::asio::any_io_executor& executor,
               std::vector<engagement::ExternalHubTarget> hubs, ExternalHubOptions options);
  ~ExternalHubs() override;
  ExternalHubs(const ExternalHubs&) = delete;
  ExternalHubs& operator=(const ExternalHubs&) = delete;

  // Calls `done` (on an I/O thread) once no request is queued, in flight or waiting to be retried:
  // what a graceful stop waits for (server::Server::on_stop), bounded by the server.
  void drain(std::function<void()> done);
  void initiate(const engagement::ExternalHubTarget& target, const std::string& conversation,
                boost::json::object initiate, std::function<void(bool)> done) override;
  void forward(const engagement::ExternalHubTarget& target, const std::string& conversation,
               boost::json::object activity) override;
  // Registers the routes the hubs call (served while the server stops: their answers to what
  // drain() still sends). Errors: the router's.
  Status register_routes(server::Router& router);
  ExternalHubStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace baton::externalhub
