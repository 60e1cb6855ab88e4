#pragma once
// Internal to src/channels/directline: the channel's shared state and the helpers its handler
// files (conversations.cpp, activities.cpp, upload.cpp, stream.cpp, api.cpp) use.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "activity/activity.hpp"
#include "channels/directline/directline.hpp"
#include "channels/directline/token.hpp"
#include "server/handler.hpp"
#include "server/http.hpp"
#include "server/rate_limiter.hpp"

namespace baton::directline {

// Who is calling: the secret holder, or a token's bearer.
struct Caller {
  bool secret = false;
  TokenClaims claims;  // empty when secret
};

struct DirectLineChannel::Impl {
  Impl(engine::Engine& engine_ref, store::Store& store_ref, const Clock& clock_ref,
       DirectLineOptions options_value);

  // Authorization: Bearer <secret|token>. With a non-empty `conversation_id`, a token for another
  // conversation is kForbidden. Errors carry the Direct Line code as a "Code: " message prefix.
  Result<Caller> authenticate(const server::Request& request,
                              std::string_view conversation_id) const;
  Result<Caller> authenticate_token(std::string_view token, std::string_view conversation_id) const;
  // A fresh token for (conversation, user) expiring token_ttl from now.
  std::string issue(const std::string& conversation_id, const std::string& user_id) const;
  // ws(s)://HOST/v3/directline/conversations/{id}/stream?watermark=N&t=TOKEN
  std::string stream_url(const server::Request& request, const std::string& conversation_id,
                         const std::string& token, std::optional<std::uint64_t> watermark) const;
  // The WebSocket origin for stream URLs: ws(s):// + the public URL's authority, or the Host
  // (and X-Forwarded-Proto) header's (DirectLineOptions::stream_url_from_public_url).
  std::string stream_origin(const server::Request& request) const;
  // nullopt when the conversation's rate allows one more activity; the 429 otherwise.
  std::optional<server::Response> rate_limited(const std::string& conversation_id);
  // nullopt when the client's address may start one more session (a conversation or a test-page
  // token); the 429 otherwise.
  std::optional<server::Response> session_limited(const server::Request& request);

  // Admission checks on a request's headers (server::RouteOptions::admit), before its body:
  // any valid credential; a credential for the path's conversation; a credential, and for a
  // customer's token the session rate; the session rate alone.
  std::optional<server::Response> admit_credential(const server::Request& head) const;
  std::optional<server::Response> admit_conversation(const server::Request& head) const;
  std::optional<server::Response> admit_new_conversation(const server::Request& head);
  std::optional<server::Response> admit_session(const server::Request& head);
  // The preamble of the routes that add activities (post, upload): the caller when it is
  // authorised for the conversation and within its rate; the refusal (401/403/429) otherwise.
  std::variant<Caller, server::Response> admit_write(const server::Request& request,
                                                     const std::string& conversation_id);
  // The preamble of the routes that read from a watermark (poll, reconnect): the caller,
  // authorised for the conversation, and the parsed `?watermark=`.
  struct ReadAccess {
    Caller caller;
    std::optional<std::uint64_t> watermark;
  };
  Result<ReadAccess> admit_read(const server::Request& request,
                                const std::string& conversation_id) const;

  // Handlers (files named in the header comment).
  server::Response generate_token(const server::Request& request);
  server::Response refresh_token(const server::Request& request);
  void start_conversation(const server::Request& request, server::Responder responder);
  server::Response reconnect(const server::Request& request);
  void post_activity(const server::Request& request, server::Responder responder);
  server::Response poll(const server::Request& request);
  void upload(const server::Request& request, server::Responder responder);
  server::Response serve_file(const server::Request& request);
  server::WebSocketDecision open_stream(const server::Request& request);
  server::Response test_page_token(const server::Request& request);
  void list_handoffs(const server::Request& request, server::Responder responder);
  // Appends an audit record of a read made with the secret (actor "directline-secret", the
  // client's address), then sends `answer` once it is durable (or the store's error).
  void audit_then(const server::Request& request, std::string action,
                  const std::string& conversation_id, server::Response answer,
                  server::Responder responder);
  void conversation_status(const server::Request& request, const server::Responder& responder);

  engine::Engine& engine;
  store::Store& store;
  const Clock& clock;
  DirectLineOptions options;
  std::shared_ptr<store::UploadFiles> uploads;  // set by register_routes
  TokenSigner signer;
  server::RateLimiter limiter;   // per conversation (rate_limit_per_minute)
  server::RateLimiter sessions;  // per client address (session_rate_limit_per_minute)
};

// The Direct Line error response for an error: status by class, `error.code` from the error's
// protocol code when it has one (BadToken, TokenExpired, ...), else a default per class.
server::Response error_response(const Error& error);

// `?watermark=`: absent or "" → nullopt; digits → the number; anything else → kInvalidArgument.
Result<std::optional<std::uint64_t>> parse_watermark(const server::Request& request);

// What a customer may not post: names reserved for the server's own events (baton.*, handoff.*,
// in any case), which consoles and hubs act on, and attachment URLs other than http(s).
// kInvalidArgument with the code BadArgument.
Status check_customer_activity(const activity::Activity& activity);

// Whether `id` has the form of the conversation ids this channel issues (22 base64url
// characters): anything else cannot name a conversation's files.
bool is_conversation_id(std::string_view id);

// Parses an optional JSON object body ("" → empty object). kParse → MalformedJson.
Result<boost::json::object> parse_object_body(std::string_view body);

// A user id from a `{"user":{"id","name"}}` body; kInvalidArgument for wrong types or lengths.
Result<std::pair<std::string, std::string>> user_from_body(const boost::json::object& body);

}  // namespace baton::directline
