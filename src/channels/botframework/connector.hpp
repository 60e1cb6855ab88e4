#pragma once
// Baton as the channel of an external Bot Framework bot (docs/EXTERNAL_BOTS.md): the outbound
// half delivers what the engine's BotSink hands it to the bot's endpoint, as the Bot Connector
// service does (POST {endpoint} with the activity, `serviceUrl` naming Baton); the inbound half is
// the Connector API the SDK calls back under `serviceUrl`:
//   POST   /v3/conversations/{conversationId}/activities               send
//   POST   /v3/conversations/{conversationId}/activities/{activityId}  reply
//   PUT    /v3/conversations/{conversationId}/activities/{activityId}  405 NotSupported (the
//   DELETE /v3/conversations/{conversationId}/activities/{activityId}  log is append-only)
//   GET    /v3/conversations/{conversationId}/members                  the user and the bot
// Each answer is a ResourceResponse {"id"} (the stored activity's id) or Baton's JSON error.
//
// Authentication, decided before a body is read:
// - With ConnectorOptions::auth (the bot has an app id; channel_auth.hpp): deliveries carry
//   Baton's JWT; the Connector API demands a token from Baton's token endpoint (401 otherwise),
//   from any address. The OpenID metadata, keys and token endpoint are registered beside it.
// - Without (the SDK's behaviour when the bot has no MicrosoftAppId): anonymous both ways. So
//   that nobody else can write as the bot, the Connector API admits only requests from loopback
//   addresses or from the addresses in ConnectorOptions::allowed_callers, not relayed by a proxy;
//   everyone else gets 403. A bot may write only into conversations that exist (404 otherwise:
// every conversation of this server is the bot's) and only while the engine lets it
// (Engine::post_bot_reply: 409 while an agent owns it).
//
// Delivery: per conversation in order, one request in flight per conversation, at most
// `max_in_flight` requests in all (the others wait), at most `max_queued_per_conversation`
// waiting per conversation (beyond: the activity is dropped and counted). A failed delivery of a
// customer message (endpoint down, timeout, non-2xx) is logged and counted, and the customer is
// told `apology_text` (Engine::post_notice); the customer's activity stays stored.
//
// Threading: deliver() may be called from any thread (the engine strand does); the connector's
// state lives on its own strand. Route handlers run on I/O threads and answer asynchronously.
// Lifetime: outlives the server's routes and the engine's use of the sink; destroy after the
// server stopped and the engine's executor stopped.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "activity/activity.hpp"
#include "channels/botframework/channel_auth.hpp"
#include "core/metrics.hpp"
#include "core/public_url.hpp"
#include "core/result.hpp"
#include "engine/engine.hpp"
#include "server/router.hpp"

namespace baton::botframework {

struct ConnectorOptions {
  std::string endpoint;  // the bot's messaging endpoint, http://host:port/path
  // What the bot calls back at: Baton's public base URL, set by the server once its port is bound
  // (also the issuer of the tokens when the bot has an app id).
  std::shared_ptr<const PublicUrl> service_url = std::make_shared<const PublicUrl>();
  std::string apology_text = "Sorry, I can't answer right now. Please try again in a moment.";
  std::chrono::milliseconds timeout{15000};  // one delivery, connect to last byte
  std::size_t max_response_bytes =
      std::size_t{64} * 1024;                            // the bot's answer to a delivery (ignored)
  std::size_t max_in_flight = 64;                        // deliveries at once, all conversations
  std::size_t max_queued_per_conversation = 64;          // waiting behind the one in flight
  std::size_t max_body_bytes = std::size_t{300} * 1024;  // a Connector API request's body
  std::size_t max_transcript_bytes = std::size_t{1} << 20;  // a Transcript fetched by contentUrl
  std::vector<std::string> allowed_callers = {};  // anonymous: besides loopback, client IPs
  // A bot with an app id (docs/EXTERNAL_BOTS.md): the key Baton signs its tokens with and the
  // bot's credentials. nullopt: anonymous.
  struct AppAuth {
    std::shared_ptr<const SigningKey> key;
    ChannelCredentials credentials;
  };
  std::optional<AppAuth> app_auth = std::nullopt;
};

// What the connector did, for operators (GET /metrics). Lock-free reads.
struct ConnectorStats {
  std::uint64_t delivered = 0;  // deliveries the bot answered with 2xx
  std::uint64_t failed = 0;     // deliveries that failed (down, timeout, non-2xx, too large)
  std::uint64_t dropped = 0;    // activities dropped: the conversation's queue was full
  std::uint64_t replies = 0;    // Connector API writes the engine stored
};

class Connector {
 public:
  // `engine` must outlive the connector; requests run on `executor` (the server's).
  Connector(engine::Engine& engine, const boost::asio::any_io_executor& executor,
            ConnectorOptions options);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // The engine's BotSink: queues `activity` for the bot.
  void deliver(const activity::Activity& activity);
  // Registers the Connector API routes, served while the server stops (the bot's replies to the
  // deliveries drain() waits for). Errors: the router's.
  Status register_routes(server::Router& router);
  // Calls `done` (on the connector's strand) once nothing is queued or in flight: for
  // Server::on_stop, so that a graceful stop still delivers what customers sent and stores the
  // bot's replies.
  void drain(std::function<void()> done);
  ConnectorStats stats() const;

  struct Impl;

 private:
  Status register_auth_routes(server::Router& router);
  std::shared_ptr<Impl> impl_;
};

// Whether `id` may name a conversation here: 1–128 characters of the base64url alphabet the
// channels issue conversation ids in.
bool is_conversation_id(std::string_view id);

}  // namespace baton::botframework
