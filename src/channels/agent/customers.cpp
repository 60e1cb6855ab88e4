// A customer's data: GET customers/{userId}/export and DELETE customers/{userId} (admins only;
// audited before the answer).
#include <boost/asio/post.hpp>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "lifecycle/export.hpp"

namespace baton::agent {

namespace bj = boost::json;

// One erasure in progress: the customer's conversations, erased one after another, and what
// went with them.
struct Erasure {
  Erasure(engagement::Actor who, std::vector<std::string> ids, server::Responder out)
      : actor(std::move(who)), conversations(std::move(ids)), responder(std::move(out)) {}

  engagement::Actor actor;
  std::vector<std::string> conversations;
  std::size_t next = 0;
  std::uint64_t activities = 0;
  std::uint64_t handoffs = 0;
  store::UploadRemoval uploads;
  server::Responder responder;
};

namespace {

// Every conversation id of `user_id` (all pages).
Result<std::vector<std::string>> conversation_ids(store::Store& store, const std::string& user_id) {
  std::vector<std::string> ids;
  while (true) {
    auto page =
        store.conversations_of_user(user_id, ids.empty() ? "" : ids.back(), store::kMaxPageSize);
    if (!page.ok()) {
      return page.error();
    }
    if (page->empty()) {
      return ids;
    }
    for (const auto& row : *page) {
      ids.push_back(row.id);
    }
  }
}

}  // namespace

void AgentChannel::Impl::export_customer(const server::Request& request,
                                         server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (session->actor.role != hub::Role::kAdmin) {
    responder.send(error_response(
        make_error(ErrorCode::kForbidden, "only admins may export a customer's data")));
    return;
  }
  auto user_id = parse_user_id(request.param("userId"));
  if (!user_id.ok()) {
    responder.send(error_response(user_id.error()));
    return;
  }
  // Blocking reads (every conversation of the customer) on an I/O thread; the audit record is
  // durable before the document leaves.
  boost::asio::post(io, [this, actor = session->actor.agent_id, user_id = std::move(*user_id),
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
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (session->actor.role != hub::Role::kAdmin) {
    responder.send(error_response(
        make_error(ErrorCode::kForbidden, "only admins may erase a customer's data")));
    return;
  }
  auto user_id = parse_user_id(request.param("userId"));
  if (!user_id.ok()) {
    responder.send(error_response(user_id.error()));
    return;
  }
  boost::asio::post(io, [this, actor = session->actor, user_id = std::move(*user_id),
                         responder = std::move(responder)]() mutable {
    auto ids = conversation_ids(store, user_id);
    if (!ids.ok()) {
      responder.send(error_response(ids.error()));
      return;
    }
    erase_next(std::make_shared<Erasure>(std::move(actor), std::move(*ids), std::move(responder)));
  });
}

// On an I/O thread: the next conversation's handoffs are counted, the engagement takes it out of
// the hub and the engine erases it, then its uploads go; after the last one, the audit record.
void AgentChannel::Impl::erase_next(const std::shared_ptr<Erasure>& erasure) {
  if (erasure->next == erasure->conversations.size()) {
    finish_erasure(erasure);
    return;
  }
  const std::string id = erasure->conversations[erasure->next];
  if (auto handoffs = store.handoffs_for_conversation(id); handoffs.ok()) {
    erasure->handoffs += handoffs->size();
  }
  engagement.erase(erasure->actor, id,
                   [this, erasure, id](const Result<engine::ErasedConversation>& erased) {
                     if (!erased.ok()) {
                       erasure->responder.send(error_response(erased.error()));
                       return;
                     }
                     erasure->activities += erased->activities;
                     boost::asio::post(io, [this, erasure, id] {
                       if (options.uploads) {
                         auto removed = options.uploads->remove_conversation(id);
                         if (!removed.ok()) {
                           erasure->responder.send(error_response(removed.error()));
                           return;
                         }
                         erasure->uploads.files += removed->files;
                         erasure->uploads.bytes += removed->bytes;
                       }
                       ++erasure->next;
                       erase_next(erasure);
                     });
                   });
}

void AgentChannel::Impl::finish_erasure(const std::shared_ptr<Erasure>& erasure) {
  const auto count = static_cast<std::uint64_t>(erasure->conversations.size());
  bj::object summary{{"conversations", count},
                     {"activities", erasure->activities},
                     {"handoffs", erasure->handoffs},
                     {"uploads", bj::object{{"files", erasure->uploads.files},
                                            {"bytes", erasure->uploads.bytes}}}};
  // The record names who erased and how much, never whose data it was: the customer's id is
  // personal data too.
  audit(erasure->actor.agent_id, "customer.erase", "", summary,
        [erasure, summary](const Status& s) {
          if (!s.ok()) {
            erasure->responder.send(
                error_response(make_error(ErrorCode::kUnavailable, s.error().message)));
            return;
          }
          erasure->responder.send(ok_json(summary));
        });
}

}  // namespace baton::agent
