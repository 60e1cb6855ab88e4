// Offers and conversations: accept/decline, list, detail (audited transcript read), messages,
// typing, notes, transfer, end, wrap-up, force-close (audited).
#include <boost/asio/post.hpp>

#include "activity/activity.hpp"
#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

bj::object empty_object(bool) { return bj::object{}; }

// The activity an agent sends: from "agent:<id>" with its display name and role "bot", so Web
// Chat shows it on the bot side under the agent's name.
activity::ChannelAccount agent_account(const Session& session) {
  return {"agent:" + session.agent.id,
          session.agent.display_name.empty() ? session.agent.id : session.agent.display_name,
          "bot"};
}

}  // namespace

void AgentChannel::Impl::answer_offer(const server::Request& request, server::Responder responder,
                                      bool accept) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto offer_id = parse_offer_id(body);
  if (!offer_id.ok()) {
    responder.send(error_response(offer_id.error()));
    return;
  }
  std::string id(request.param("id"));
  if (accept) {
    engagement.accept(session->actor, id, *offer_id, answer<bool>(std::move(responder), [id](bool) {
                        return bj::object{{"conversationId", id}};
                      }));
  } else {
    engagement.decline(session->actor, id, *offer_id,
                       answer<bool>(std::move(responder), empty_object));
  }
}

void AgentChannel::Impl::list_conversations(const server::Request& request,
                                            server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  engagement.conversations(
      session->actor,
      answer<std::vector<hub::ConversationView>>(
          std::move(responder), [](const std::vector<hub::ConversationView>& views) {
            bj::array list;
            for (const auto& v : views) {
              list.emplace_back(summary_json(v));
            }
            return bj::object{{"conversations", std::move(list)}};
          }));
}

void AgentChannel::Impl::conversation_detail(const server::Request& request,
                                             server::Responder responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  std::string id(request.param("id"));
  if (auto row = store.get_conversation(id); !row.ok()) {
    responder.send(error_response(row.error()));
    return;
  }
  // Read, then audit, then answer: a transcript never leaves without its audit record.
  auto finish = [this, actor = session->actor.agent_id, id,
                 responder = std::move(responder)](Result<bj::object> body) {
    if (!body.ok()) {
      responder.send(error_response(body.error()));
      return;
    }
    audit(
        actor, "transcript.read", id, bj::object{},
        [responder, body = std::move(*body)](const Status& s) {
          if (!s.ok()) {
            responder.send(error_response(make_error(ErrorCode::kUnavailable, s.error().message)));
            return;
          }
          responder.send(ok_json(body));
        });
  };
  // One question to the engagement (may this actor read it, and what does the hub know), then
  // the store reads on an I/O thread, never on the engagement's strand.
  engagement.access(session->actor, id,
                    [this, id, finish](Result<engagement::ConversationAccess> access) mutable {
                      boost::asio::post(io, [this, id, finish = std::move(finish),
                                             access = std::move(access)]() mutable {
                        finish(read_detail(id, std::move(access)));
                      });
                    });
}

Result<bj::object> AgentChannel::Impl::read_detail(
    const std::string& id, Result<engagement::ConversationAccess> access) const {
  if (!access.ok()) {
    return access.error();
  }
  auto transcript = store.read_transcript(id);
  if (!transcript.ok()) {
    return make_error(ErrorCode::kUnavailable, transcript.error().message);
  }
  if (access->hub) {
    bj::object body = detail_json(*access, *transcript);
    // What the wrap-up may record (hub.yaml: the queue's dispositions).
    bj::array codes;
    bool required = false;
    if (auto index = options.hub ? options.hub->find_queue(access->hub->queue) : std::nullopt) {
      const hub::QueueConfig& queue = options.hub->queues[*index];
      for (const auto& code : queue.dispositions) {
        codes.emplace_back(code);
      }
      required = queue.disposition_required;
    }
    body["dispositions"] = std::move(codes);
    body["dispositionRequired"] = required;
    return body;
  }
  // No longer in the hub (back with the bot, or closed; only supervisors get here): the store's
  // record of it.
  auto row = store.get_conversation(id);
  auto handoffs = store.handoffs_for_conversation(id);
  if (!row.ok() || !handoffs.ok()) {
    return make_error(ErrorCode::kUnavailable,
                      !row.ok() ? row.error().message : handoffs.error().message);
  }
  return archived_detail_json(*row, *handoffs, *transcript);
}

void AgentChannel::Impl::send_message(const server::Request& request, server::Responder responder,
                                      bool typing) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  activity::Activity a;
  if (typing) {
    a = activity::make_typing();
  } else {
    auto text = parse_text(body);
    if (!text.ok()) {
      responder.send(error_response(text.error()));
      return;
    }
    a = activity::make_message(std::move(*text));
  }
  a.from = agent_account(*session);
  std::string id(request.param("id"));
  if (typing) {
    engagement.send(session->actor, id, std::move(a),
                    [responder = std::move(responder)](const Result<engagement::PostResult>& r) {
                      responder.send(r.ok() ? no_content() : error_response(r.error()));
                    });
    return;
  }
  engagement.send(
      session->actor, id, std::move(a),
      answer<engagement::PostResult>(std::move(responder), [](const engagement::PostResult& r) {
        return bj::object{{"id", r.id}};
      }));
}

void AgentChannel::Impl::add_note(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto text = parse_text(body);
  if (!text.ok()) {
    responder.send(error_response(text.error()));
    return;
  }
  engagement.note(
      session->actor, std::string(request.param("id")), std::move(*text),
      answer<engagement::PostResult>(std::move(responder), [](const engagement::PostResult& r) {
        return bj::object{{"id", r.id}};
      }));
}

void AgentChannel::Impl::transfer(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto t = parse_transfer(body);
  if (!t.ok()) {
    responder.send(error_response(t.error()));
    return;
  }
  engagement.transfer(session->actor, std::string(request.param("id")), std::move(t->queue),
                      std::move(t->agent_id), std::move(t->note),
                      answer<bool>(std::move(responder), empty_object));
}

void AgentChannel::Impl::end(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto mode = parse_end_mode(body);
  if (!mode.ok()) {
    responder.send(error_response(mode.error()));
    return;
  }
  engagement.end(session->actor, std::string(request.param("id")), *mode,
                 answer<bool>(std::move(responder), empty_object));
}

void AgentChannel::Impl::wrap_up(const server::Request& request, server::Responder responder) {
  bj::object body;
  auto session = admit(request, &body);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  auto wrap = parse_wrap_up(body);
  if (!wrap.ok()) {
    responder.send(error_response(wrap.error()));
    return;
  }
  engagement.wrap_up_done(session->actor, std::string(request.param("id")), std::move(*wrap),
                          answer<bool>(std::move(responder), empty_object));
}

void AgentChannel::Impl::force_close(const server::Request& request, server::Responder responder) {
  auto session = admit(request, nullptr);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  if (!session->supervisor()) {
    responder.send(error_response(
        make_error(ErrorCode::kForbidden, "only supervisors and admins may force-close")));
    return;
  }
  std::string id(request.param("id"));
  const std::string actor = session->actor.agent_id;
  engagement.force_close(
      session->actor, id,
      [this, actor, id, responder = std::move(responder)](const Result<bool>& r) {
        if (!r.ok()) {
          responder.send(error_response(r.error()));
          return;
        }
        audit(actor, "conversation.force_close", id, bj::object{}, [responder](const Status& s) {
          // The conversation is closed either way; a failed audit write is reported, not hidden.
          responder.send(s.ok()
                             ? ok_json(bj::object{})
                             : error_response(make_error(
                                   ErrorCode::kUnavailable,
                                   "closed, but the audit record failed: " + s.error().message)));
        });
      });
}

}  // namespace baton::agent
