// A customer's data: GET customers/{userId}/export and DELETE customers/{userId} (admins only;
// audited before the answer).
#include <fmt/format.h>

#include <boost/asio/post.hpp>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "lifecycle/erase.hpp"
#include "lifecycle/export.hpp"

namespace baton::agent {

namespace bj = boost::json;

Result<std::pair<Session, std::string>> AgentChannel::Impl::admit_admin(
    const server::Request& request, std::string_view verb) const {
  auto session = authenticate(request);
  if (!session.ok()) {
    return session.error();
  }
  if (session->actor.role != hub::Role::kAdmin) {
    return make_error(ErrorCode::kForbidden,
                      fmt::format("only admins may {} a customer's data", verb));
  }
  auto user_id = parse_user_id(request.param("userId"));
  if (!user_id.ok()) {
    return user_id.error();
  }
  return std::pair{std::move(*session), std::move(*user_id)};
}

void AgentChannel::Impl::export_customer(const server::Request& request,
                                         server::Responder responder) {
  auto admitted = admit_admin(request, "export");
  if (!admitted.ok()) {
    responder.send(error_response(admitted.error()));
    return;
  }
  auto& [session, user_id] = *admitted;
  // Blocking reads (every conversation of the customer) on an I/O thread; the audit record is
  // durable before the document leaves.
  boost::asio::post(io, [this, actor = session.actor.agent_id, user_id = std::move(user_id),
                         responder = std::move(responder)]() {
    auto data = lifecycle::collect_customer(store, options.uploads.get(), user_id, clock.now());
    if (!data.ok()) {
      responder.send(error_response(data.error()));
      return;
    }
    auto document = std::make_shared<bj::object>(lifecycle::to_json(*data));
    audit(
        actor, "customer.export", "",
        bj::object{{"userId", user_id},
                   {"conversations", static_cast<std::uint64_t>(data->conversations.size())}},
        [responder, document](const Status& s) {
          if (!s.ok()) {
            responder.send(error_response(make_error(ErrorCode::kUnavailable, s.error().message)));
            return;
          }
          responder.send(ok_json(*document));
        });
  });
}

void AgentChannel::Impl::erase_customer(const server::Request& request,
                                        server::Responder responder) {
  auto admitted = admit_admin(request, "erase");
  if (!admitted.ok()) {
    responder.send(error_response(admitted.error()));
    return;
  }
  auto& [session, user_id] = *admitted;
  lifecycle::erase_customer(
      io, store, engagement, options.uploads, clock, session.actor, std::move(user_id),
      [responder = std::move(responder)](const Result<lifecycle::ErasureSummary>& erased) {
        if (!erased.ok()) {
          responder.send(error_response(erased.error()));
          return;
        }
        responder.send(ok_json(erased->to_json()));
      });
}

}  // namespace baton::agent
