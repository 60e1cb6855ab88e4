// History and search (docs/AGENT_API.md "History and search"): a customer's previous
// conversations (GET conversations/{id}/history, audited `history.list`), one of them read-only
// (GET history/{conversationId}, audited `history.read` before the answer), and the search over
// ended handoffs (GET search; agents: only the ones they handled). Store reads on an I/O thread.
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <optional>
#include <tuple>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

// How many of a customer's conversations the history reads (id order), and how many of them,
// newest first, it lists.
constexpr std::size_t kHistoryReadLimit = 500;
constexpr std::size_t kHistoryEntries = 50;

Error unavailable(const Error& e) {
  if (e.code == ErrorCode::kNotFound || e.code == ErrorCode::kForbidden) {
    return e;
  }
  return make_error(ErrorCode::kUnavailable, e.message);
}

// 1..256 bytes of printable ASCII: every conversation id a channel issues is (Direct Line's are
// 22 base64url characters). kInvalidArgument otherwise.
Result<std::string> parse_conversation_id(std::string_view id, std::string_view what) {
  if (id.empty() || id.size() > 256 || std::any_of(id.begin(), id.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
      })) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{}: not a conversation id", what));
  }
  return std::string(id);
}

bool handled_by(const std::vector<store::HandoffRecord>& handoffs, const std::string& agent) {
  return std::any_of(handoffs.begin(), handoffs.end(),
                     [&](const auto& h) { return !h.open() && handoff_agent(h) == agent; });
}

}  // namespace

void AgentChannel::Impl::customer_history(const server::Request& request,
                                          server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto id = parse_conversation_id(request.param("id"), "id");
  if (!id.ok()) {
    responder.send(error_response(id.error()));
    return;
  }
  // The rights are those of the conversation: offered, assigned or in wrap-up to an agent.
  engagement.access(
      session->actor, *id,
      [this, id = *id, actor = session->actor.agent_id, responder = std::move(responder)](
          const Result<engagement::ConversationAccess>& access) mutable {
        if (!access.ok()) {
          responder.send(error_response(access.error()));
          return;
        }
        boost::asio::post(io, [this, id = std::move(id), actor = std::move(actor),
                               responder = std::move(responder)]() {
          auto body = read_history(id);
          if (!body.ok()) {
            responder.send(error_response(body.error()));
            return;
          }
          auto shared = std::make_shared<bj::object>(std::move(*body));
          audit(
              actor, "history.list", id,
              bj::object{{"userId", shared->at("userId")},
                         {"conversations", shared->at("conversations").as_array().size()}},
              [responder, shared](const Status& s) {
                responder.send(s.ok() ? ok_json(*shared) : error_response(unavailable(s.error())));
              });
        });
      });
}

Result<bj::object> AgentChannel::Impl::read_history(const std::string& id) const {
  auto row = store::unless_erased(store.get_conversation(id));
  if (!row.ok()) {
    return unavailable(row.error());
  }
  std::vector<store::Conversation> previous;
  bool truncated = false;
  std::string after;
  while (!row->user_id.empty()) {
    auto page = store.conversations_of_user(row->user_id, after, 100);
    if (!page.ok()) {
      return unavailable(page.error());
    }
    for (auto& c : *page) {
      after = c.id;
      if (c.id != id && !store::is_erased(c)) {
        previous.push_back(std::move(c));
      }
    }
    if (page->size() < 100) {
      break;
    }
    if (previous.size() >= kHistoryReadLimit) {
      truncated = true;
      break;
    }
  }
  std::sort(previous.begin(), previous.end(), [](const auto& a, const auto& b) {
    return std::tie(a.created, a.id) > std::tie(b.created, b.id);
  });
  if (previous.size() > kHistoryEntries) {
    previous.resize(kHistoryEntries);
    truncated = true;
  }
  bj::array list;
  for (const auto& c : previous) {
    auto handoffs = store.handoffs_for_conversation(c.id);
    if (!handoffs.ok()) {
      return unavailable(handoffs.error());
    }
    list.emplace_back(history_entry_json(c, *handoffs));
  }
  return bj::object{{"conversationId", id},
                    {"userId", row->user_id},
                    {"conversations", std::move(list)},
                    {"truncated", truncated}};
}

void AgentChannel::Impl::open_history(const server::Request& request, server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto id = parse_conversation_id(request.param("conversationId"), "conversationId");
  if (!id.ok()) {
    responder.send(error_response(id.error()));
    return;
  }
  std::optional<std::string> via;
  if (auto v = request.query_value("via")) {
    auto parsed = parse_conversation_id(*v, "via");
    if (!parsed.ok()) {
      responder.send(error_response(parsed.error()));
      return;
    }
    via = std::move(*parsed);
  }
  boost::asio::post(io, [this, session = std::move(*session), id = std::move(*id),
                         via = std::move(via), responder = std::move(responder)]() mutable {
    auto row = store::unless_erased(store.get_conversation(id));
    auto handoffs = row.ok() ? store.handoffs_for_conversation(id)
                             : Result<std::vector<store::HandoffRecord>>(row.error());
    if (!handoffs.ok()) {
      responder.send(error_response(unavailable(handoffs.error())));
      return;
    }
    // Supervisors and admins read any; an agent one they handled, or one of the customer of a
    // conversation offered or assigned to them now (`via`).
    if (session.supervisor() || handled_by(*handoffs, session.actor.agent_id)) {
      send_history(session.actor.agent_id, *row, std::move(*handoffs), via, responder);
      return;
    }
    const Error refused = make_error(
        ErrorCode::kForbidden,
        "agents open the conversations they handled, or those of the customer of a conversation "
        "offered or assigned to them (?via=)");
    if (!via || row->user_id.empty()) {
      responder.send(error_response(refused));
      return;
    }
    engagement.access(
        session.actor, *via,
        [this, actor = session.actor.agent_id, row = std::move(*row),
         handoffs = std::move(*handoffs), via, refused, responder = std::move(responder)](
            const Result<engagement::ConversationAccess>& access) mutable {
          if (!access.ok()) {
            responder.send(error_response(
                access.error().code == ErrorCode::kForbidden ? refused : access.error()));
            return;
          }
          boost::asio::post(io, [this, actor = std::move(actor), row = std::move(row),
                                 handoffs = std::move(handoffs), via = std::move(via), refused,
                                 responder = std::move(responder)]() mutable {
            auto current = store.get_conversation(*via);
            if (!current.ok() || current->user_id != row.user_id) {
              responder.send(error_response(current.ok() ? refused : unavailable(current.error())));
              return;
            }
            send_history(actor, row, std::move(handoffs), via, responder);
          });
        });
  });
}

void AgentChannel::Impl::send_history(const std::string& actor, const store::Conversation& row,
                                      std::vector<store::HandoffRecord> handoffs,
                                      const std::optional<std::string>& via,
                                      const server::Responder& responder) {
  auto transcript = store.read_transcript(row.id);
  if (!transcript.ok()) {
    responder.send(error_response(unavailable(transcript.error())));
    return;
  }
  std::sort(handoffs.begin(), handoffs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  bj::object body = archived_detail_json(row, handoffs, *transcript);
  bj::array summaries;
  for (const auto& h : handoffs) {
    summaries.emplace_back(handoff_summary_json(h));
  }
  body["userId"] = row.user_id;
  body["created"] = format_iso8601(row.created);
  body["handoffs"] = std::move(summaries);
  body["readOnly"] = true;
  bj::object detail;
  if (via) {
    detail["via"] = *via;
  }
  auto shared = std::make_shared<bj::object>(std::move(body));
  // Read, then audit, then answer: a transcript never leaves without its audit record.
  audit(actor, "history.read", row.id, std::move(detail), [responder, shared](const Status& s) {
    responder.send(s.ok() ? ok_json(*shared) : error_response(unavailable(s.error())));
  });
}

void AgentChannel::Impl::search(const server::Request& request, server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto query = parse_search_query(request.query);
  if (!query.ok()) {
    responder.send(error_response(query.error()));
    return;
  }
  if (!session->supervisor()) {
    if (!query->search.agent.empty() && query->search.agent != session->actor.agent_id) {
      responder.send(error_response(make_error(
          ErrorCode::kForbidden, "agent: agents search only the conversations they handled")));
      return;
    }
    query->search.agent = session->actor.agent_id;
  }
  boost::asio::post(io, [this, query = std::move(*query), responder = std::move(responder)]() {
    auto page = store.search_ended_handoffs(query.search, query.after, query.limit);
    if (!page.ok()) {
      responder.send(error_response(page.error().code == ErrorCode::kInvalidArgument
                                        ? page.error()
                                        : unavailable(page.error())));
      return;
    }
    bj::array results;
    for (const auto& hit : page->hits) {
      results.emplace_back(search_hit_json(hit));
    }
    bj::object body{{"results", std::move(results)}};
    body["next"] = page->next ? bj::value(search_cursor(*page->next)) : bj::value(nullptr);
    responder.send(ok_json(body));
  });
}

}  // namespace baton::agent
