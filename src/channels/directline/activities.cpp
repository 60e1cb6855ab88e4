// POST /conversations/{id}/activities (send) and GET /conversations/{id}/activities (polling).
#include <fmt/format.h>

#include "channels/directline/channel_impl.hpp"

namespace baton::directline {
namespace {

namespace bj = boost::json;
using server::http::status;

constexpr std::size_t kPollPage = 500;

bool client_may_post(std::string_view type) {
  return type == "message" || type == "event" || type == "typing" || type == "endOfConversation";
}

}  // namespace

void DirectLineChannel::Impl::post_activity(const server::Request& request,
                                            server::Responder responder) {
  std::string id(request.param("id"));
  auto admitted = admit_write(request, id);
  if (auto* refused = std::get_if<server::Response>(&admitted)) {
    responder.send(std::move(*refused));
    return;
  }
  const Caller& caller = std::get<Caller>(admitted);
  auto parsed = activity::parse(request.body());
  if (!parsed.ok()) {
    Error e = parsed.error();
    if (e.code == ErrorCode::kParse) {
      e.protocol_code = "MalformedJson";
    }
    responder.send(error_response(e));
    return;
  }
  if (!client_may_post(parsed->type)) {
    responder.send(server::json_error(
        status::bad_request, "BadArgument",
        fmt::format("type: '{}' cannot be sent by a client (message, event, typing, "
                    "endOfConversation)",
                    parsed->type)));
    return;
  }
  if (Status allowed = check_customer_activity(*parsed); !allowed.ok()) {
    responder.send(error_response(allowed.error()));
    return;
  }
  if (!caller.secret && !caller.claims.user_id.empty()) {
    parsed->from.id = caller.claims.user_id;  // the token's user, whatever the client claims
  }
  engine.post_activity(
      std::move(id), std::move(*parsed),
      [responder = std::move(responder)](Result<engine::PostResult> posted) {
        if (!posted.ok()) {
          responder.send(error_response(posted.error()));
          return;
        }
        responder.send(server::json_response(status::ok, bj::object{{"id", posted->id}}));
      });
}

server::Response DirectLineChannel::Impl::poll(const server::Request& request) {
  const std::string id(request.param("id"));
  auto access = admit_read(request, id);
  if (!access.ok()) {
    return error_response(access.error());
  }
  if (auto row = store::unless_erased(store.get_conversation(id)); !row.ok()) {
    return error_response(row.error());
  }
  const std::uint64_t after = access->watermark.value_or(0);
  auto records = store.read_activities(id, after, kPollPage);
  if (!records.ok()) {
    return error_response(records.error());
  }
  std::uint64_t last = after;
  std::string body = R"({"activities":[)";
  bool first = true;
  for (const auto& r : *records) {
    last = r.seq;
    if (engine::audience_of_type(r.type) != engine::Audience::kCustomer) {
      continue;  // internal, or typing (WebSocket only)
    }
    if (!first) {
      body += ',';
    }
    first = false;
    body += r.json;
  }
  body += fmt::format(R"(],"watermark":"{}"}})", last);
  return server::Response(status::ok, "application/json", std::move(body));
}

}  // namespace baton::directline
