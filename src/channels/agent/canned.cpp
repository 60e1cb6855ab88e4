// Canned responses: GET canned (what the caller may insert), POST canned, PUT canned/{id},
// DELETE canned/{id} (supervisors and admins; each audited). Store reads here are short (one small
// table) and run on the I/O thread; writes answer from the store's callback.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "core/json.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;
using server::http::status;

Error not_supervisor() {
  return make_error(ErrorCode::kForbidden,
                    "only supervisors and admins may manage canned responses");
}

Error store_unavailable(const Error& e) {
  return make_error(ErrorCode::kUnavailable, "the store is not available: " + e.message);
}

std::string new_canned_id() {
  std::array<unsigned char, 8> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string id = "cr_";
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0x0f];
  }
  return id;
}

// Whether the agent serves `queue`: it has every skill the queue requires.
bool serves(const hub::HubConfig* hub, const store::AgentRecord& agent, const std::string& queue) {
  if (hub == nullptr) {
    return false;
  }
  auto index = hub->find_queue(queue);
  return index && hub::has_skills(agent.skills, hub->queues[*index].skills);
}

}  // namespace

void AgentChannel::Impl::list_canned(const server::Request& request,
                                     const server::Responder& responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto all = store.list_canned();
  if (!all.ok()) {
    responder.send(error_response(store_unavailable(all.error())));
    return;
  }
  bj::array list;
  for (const auto& c : *all) {
    if (session->supervisor() || c.queue.empty() ||
        serves(options.hub.get(), session->agent, c.queue)) {
      list.emplace_back(canned_json(c));
    }
  }
  responder.send(ok_json(bj::object{{"canned", std::move(list)},
                                    {"max", static_cast<std::uint64_t>(kMaxCannedResponses)}}));
}

namespace {

// One handler body for POST and PUT; `id` empty = create.
void write_canned(AgentChannel::Impl& self, const server::Request& request,
                  const server::Responder& responder, const std::string& id) {
  bj::object body;
  auto session = self.admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (!session->supervisor()) {
    responder.send(error_response(not_supervisor()));
    return;
  }
  if (!id.empty() && !valid_canned_id(id)) {
    responder.send(error_response(
        make_error(ErrorCode::kInvalidArgument, "a canned response id is cr_ and 16 hex digits")));
    return;
  }
  auto fields = parse_canned(body);
  if (!fields.ok()) {
    responder.send(error_response(fields.error()));
    return;
  }
  if (!fields->queue.empty() &&
      (self.options.hub == nullptr || !self.options.hub->find_queue(fields->queue))) {
    responder.send(error_response(make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("queue \"{}\" is not a queue of hub.yaml (\"\" = global)", fields->queue))));
    return;
  }
  auto all = self.store.list_canned();
  if (!all.ok()) {
    responder.send(error_response(store_unavailable(all.error())));
    return;
  }
  store::CannedResponse row;
  const auto existing =
      std::find_if(all->begin(), all->end(), [&](const auto& c) { return c.id == id; });
  if (id.empty()) {
    if (all->size() >= kMaxCannedResponses) {
      responder.send(error_response(make_error(
          ErrorCode::kConflict,
          fmt::format("there are already {} canned responses, the most allowed; delete some first",
                      kMaxCannedResponses))));
      return;
    }
    row.id = new_canned_id();
    row.created = self.clock.now();
  } else if (existing == all->end()) {
    responder.send(error_response(
        make_error(ErrorCode::kNotFound, fmt::format("no canned response '{}'", id))));
    return;
  } else {
    row = *existing;
  }
  for (const auto& c : *all) {
    if (c.id != row.id && c.queue == fields->queue && c.code == fields->code) {
      responder.send(error_response(
          make_error(ErrorCode::kConflict,
                     fmt::format("the code \"{}\" is already used in {}", fields->code,
                                 fields->queue.empty() ? std::string("the global responses")
                                                       : "queue \"" + fields->queue + "\""))));
      return;
    }
  }
  row.queue = std::move(fields->queue);
  row.code = std::move(fields->code);
  row.title = std::move(fields->title);
  row.text = std::move(fields->text);
  row.updated_by = session->agent.id;
  row.updated = self.clock.now();
  store::AuditRecord audit;
  audit.time = row.updated;
  audit.actor = session->agent.id;
  audit.action = id.empty() ? "canned.create" : "canned.update";
  audit.detail_json =
      json::dump(bj::object{{"id", row.id}, {"queue", row.queue}, {"code", row.code}});
  store::WriteBatch batch;
  batch.put_canned(row).append_audit(std::move(audit));
  const bool created = id.empty();
  auto answer = [responder, row, created](const Status& s) {
    if (!s.ok()) {
      responder.send(error_response(
          s.error().code == ErrorCode::kConflict ? s.error() : store_unavailable(s.error())));
      return;
    }
    responder.send(server::json_response(created ? status::created : status::ok, canned_json(row)));
  };
  if (Status s = self.store.submit(std::move(batch), answer); !s.ok()) {
    responder.send(error_response(store_unavailable(s.error())));
  }
}

}  // namespace

void AgentChannel::Impl::create_canned(const server::Request& request,
                                       const server::Responder& responder) {
  write_canned(*this, request, responder, "");
}

void AgentChannel::Impl::update_canned(const server::Request& request,
                                       const server::Responder& responder) {
  write_canned(*this, request, responder, std::string(request.param("id")));
}

void AgentChannel::Impl::delete_canned(const server::Request& request,
                                       const server::Responder& responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (!session->supervisor()) {
    responder.send(error_response(not_supervisor()));
    return;
  }
  const std::string id(request.param("id"));
  if (!valid_canned_id(id)) {
    responder.send(error_response(
        make_error(ErrorCode::kInvalidArgument, "a canned response id is cr_ and 16 hex digits")));
    return;
  }
  store::AuditRecord audit;
  audit.time = clock.now();
  audit.actor = session->agent.id;
  audit.action = "canned.delete";
  audit.detail_json = json::dump(bj::object{{"id", id}});
  store::WriteBatch batch;
  batch.delete_canned(id).append_audit(std::move(audit));
  auto answer = [responder, id](const Status& s) {
    if (!s.ok()) {
      responder.send(error_response(
          s.error().code == ErrorCode::kNotFound
              ? make_error(ErrorCode::kNotFound, fmt::format("no canned response '{}'", id))
              : store_unavailable(s.error())));
      return;
    }
    responder.send(ok_json(bj::object{}));
  };
  if (Status s = store.submit(std::move(batch), answer); !s.ok()) {
    responder.send(error_response(store_unavailable(s.error())));
  }
}

}  // namespace baton::agent
