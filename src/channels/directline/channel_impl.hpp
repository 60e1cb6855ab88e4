#pragma once
// Internal to src/channels/directline: the channel's shared state and the helpers its handler
// files (conversations.cpp, activities.cpp, upload.cpp, stream.cpp, api.cpp) use.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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
  // http(s)://HOST from the Host (and X-Forwarded-Proto) header.
  std::string origin(const server::Request& request, bool websocket) const;
  // nullopt when the conversation's rate allows one more activity; the 429 otherwise.
  std::optional<server::Response> rate_limited(const std::string& conversation_id);
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
  server::Response list_handoffs(const server::Request& request);
  void conversation_status(const server::Request& request, server::Responder responder);

  engine::Engine& engine;
  store::Store& store;
  const Clock& clock;
  DirectLineOptions options;
  TokenSigner signer;
  server::RateLimiter limiter;
};

// The Direct Line error response for an error: status by code, `error.code` from a "Code: "
// message prefix when there is one (BadToken, TokenExpired, ...), else a default per status.
server::Response error_response(const Error& error);

// `?watermark=`: absent or "" → nullopt; digits → the number; anything else → kInvalidArgument.
Result<std::optional<std::uint64_t>> parse_watermark(const server::Request& request);

// Parses an optional JSON object body ("" → empty object). kParse → MalformedJson.
Result<boost::json::object> parse_object_body(std::string_view body);

// A user id from a `{"user":{"id","name"}}` body; kInvalidArgument for wrong types or lengths.
Result<std::pair<std::string, std::string>> user_from_body(const boost::json::object& body);

}  // namespace baton::directline
