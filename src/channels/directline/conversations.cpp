// Tokens and conversations: tokens/generate, tokens/refresh, POST /conversations (start) and
// GET /conversations/{id} (reconnect).
#include <fmt/format.h>

#include "channels/directline/channel_impl.hpp"

namespace baton::directline {
namespace {

namespace bj = boost::json;
using server::http::status;

constexpr std::size_t kConversationIdBytes = 16;

std::string new_conversation_id() { return random_id(kConversationIdBytes); }

// "dl_" marks a user id embedded in a token (docs/PROTOCOLS.md §1.3).
std::string new_user_id() { return "dl_" + random_id(9); }

bj::object conversation_body(const std::string& conversation_id, const std::string& token,
                             std::chrono::seconds ttl) {
  return bj::object{{"conversationId", conversation_id},
                    {"token", token},
                    {"expires_in", static_cast<std::int64_t>(ttl.count())}};
}

}  // namespace

server::Response DirectLineChannel::Impl::generate_token(const server::Request& request) {
  auto caller = authenticate(request, {});
  if (!caller.ok()) {
    return error_response(caller.error());
  }
  if (!caller->secret) {
    return server::json_error(status::forbidden, "Forbidden",
                              "tokens/generate needs the Direct Line secret, not a token");
  }
  auto body = parse_object_body(request.body());
  if (!body.ok()) {
    return error_response(body.error());
  }
  auto user = user_from_body(*body);
  if (!user.ok()) {
    return error_response(user.error());
  }
  const std::string conversation_id = new_conversation_id();
  const std::string user_id = user->first.empty() ? new_user_id() : user->first;
  return server::json_response(
      status::ok,
      conversation_body(conversation_id, issue(conversation_id, user_id), options.token_ttl));
}

server::Response DirectLineChannel::Impl::refresh_token(const server::Request& request) {
  auto caller = authenticate(request, {});
  if (!caller.ok()) {
    return error_response(caller.error());
  }
  if (caller->secret) {
    return server::json_error(status::forbidden, "Forbidden",
                              "tokens/refresh takes a token; a secret does not expire");
  }
  const auto& c = caller->claims;
  // A token of an erased conversation is not renewed (a conversation not started yet is).
  if (auto row = store::unless_erased(store.get_conversation(c.conversation_id));
      !row.ok() && row.error().code != ErrorCode::kNotFound) {
    return error_response(row.error());
  }
  return server::json_response(
      status::ok,
      conversation_body(c.conversation_id, issue(c.conversation_id, c.user_id), options.token_ttl));
}

void DirectLineChannel::Impl::start_conversation(const server::Request& request,
                                                 server::Responder responder) {
  auto caller = authenticate(request, {});
  if (!caller.ok()) {
    responder.send(error_response(caller.error()));
    return;
  }
  auto body = parse_object_body(request.body());
  if (!body.ok()) {
    responder.send(error_response(body.error()));
    return;
  }
  auto user = user_from_body(*body);
  if (!user.ok()) {
    responder.send(error_response(user.error()));
    return;
  }
  engine::StartParams params;
  params.conversation_id = caller->secret ? new_conversation_id() : caller->claims.conversation_id;
  params.user.id = caller->secret ? "" : caller->claims.user_id;
  if (params.user.id.empty()) {
    params.user.id = user->first;
  }
  params.greet = !params.user.id.empty();  // the user is known: greet now (docs/PROTOCOLS.md §7.13)
  if (params.user.id.empty()) {
    params.user.id = new_user_id();
  }
  params.user.name = user->second;
  params.user.role = "user";
  if (const auto* locale = body->if_contains("locale"); locale != nullptr && locale->is_string()) {
    params.locale = std::string(locale->as_string()).substr(0, 32);
  }
  const std::string token = issue(params.conversation_id, params.user.id);
  const std::string url = stream_url(request, params.conversation_id, token, std::nullopt);
  const std::string id = params.conversation_id;
  const auto ttl = options.token_ttl;
  engine.start_conversation(std::move(params), [responder = std::move(responder), id, token, url,
                                                ttl](Result<engine::StartResult> started) {
    if (!started.ok()) {
      responder.send(error_response(started.error()));
      return;
    }
    bj::object out = conversation_body(id, token, ttl);
    out["streamUrl"] = url;
    out["referenceGrammarId"] = "";
    responder.send(server::json_response(started->created ? status::created : status::ok, out));
  });
}

server::Response DirectLineChannel::Impl::reconnect(const server::Request& request) {
  const std::string id(request.param("id"));
  auto access = admit_read(request, id);
  if (!access.ok()) {
    return error_response(access.error());
  }
  auto row = store::unless_erased(store.get_conversation(id));
  if (!row.ok()) {
    return error_response(row.error());
  }
  const Caller& caller = access->caller;
  const std::string token = issue(id, caller.secret ? row->user_id : caller.claims.user_id);
  bj::object out = conversation_body(id, token, options.token_ttl);
  out["streamUrl"] = stream_url(request, id, token, access->watermark);
  return server::json_response(status::ok, out);
}

}  // namespace baton::directline
