// The agent's WebSocket: GET /api/agent/stream?ticket=... One AgentStream per socket is the
// Engagement's AgentSink (hello, offers, assignments, activities, ...) and handles the client's
// monitor / unmonitor (Engagement::monitor, audited) / ping messages. The server's bounded send
// queue closes a socket whose reader stalls (1008); the console reconnects and gets a fresh hello.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <set>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "core/json.hpp"

namespace baton::agent {
namespace {

namespace bj = boost::json;

constexpr std::uint16_t kCloseGoingAway = 1001;
constexpr std::uint16_t kCloseRevoked = 4001;

class AgentStream final : public engagement::AgentSink,
                          public std::enable_shared_from_this<AgentStream> {
 public:
  AgentStream(AgentChannel::Impl& channel, Session session)
      : channel_(channel), session_(std::move(session)) {}

  void push(const engagement::AgentEvent& event) override { send(event_json(event)); }

  void closed(std::string_view reason) override {
    if (auto s = socket()) {
      s->close(reason == "shutdown" ? kCloseGoingAway : kCloseRevoked, std::string(reason));
    }
  }

  void send(const bj::object& message) {
    if (auto s = socket()) {
      s->send(std::make_shared<const std::string>(json::dump(message)));
    }
  }

  void open(const std::shared_ptr<server::WebSocketSession>& socket) {
    {
      std::lock_guard lock(mutex_);
      socket_ = socket;
    }
    channel_.track_socket(session_.claims.session, socket);
    auto self = shared_from_this();
    channel_.engagement.attach(session_.actor, self, [self](Result<std::uint64_t> attached) {
      if (!attached.ok()) {
        self->send(stream_error(attached.error()));
        if (auto s = self->socket()) {
          s->close(1011, attached.error().message.substr(0, 100));
        }
        return;
      }
      bool closed = false;
      {
        std::lock_guard lock(self->mutex_);
        self->attachment_ = *attached;
        closed = self->closed_;
      }
      if (closed) {
        self->channel_.engagement.detach(self->session_.actor.agent_id, *attached);
      }
    });
  }

  void message(const std::string& text, bool binary) {
    if (binary) {
      send(stream_error(make_error(ErrorCode::kInvalidArgument, "send JSON text frames")));
      return;
    }
    auto command = parse_stream_command(text);
    if (!command.ok()) {
      send(stream_error(command.error()));
      return;
    }
    switch (command->kind) {
      case StreamCommand::Kind::kPing:
        send(bj::object{{"type", "pong"}});
        return;
      case StreamCommand::Kind::kMonitor:
        monitor(std::move(command->conversation_id));
        return;
      case StreamCommand::Kind::kUnmonitor:
        unmonitor(command->conversation_id);
        return;
    }
  }

  void close() {
    std::optional<std::uint64_t> attachment;
    std::set<std::string> monitors;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      attachment = attachment_;
      monitors.swap(monitors_);
      socket_.reset();
    }
    if (attachment) {
      channel_.engagement.detach(session_.actor.agent_id, *attachment);
    }
    // Monitoring is per agent in the Engagement; a closed console stops what it started.
    for (const auto& conversation : monitors) {
      channel_.engagement.monitor(session_.actor, conversation, false, [](const Result<bool>&) {});
    }
  }

 private:
  std::shared_ptr<server::WebSocketSession> socket() {
    std::lock_guard lock(mutex_);
    return socket_.lock();
  }

  void monitor(std::string conversation) {
    auto self = shared_from_this();
    channel_.engagement.monitor(
        session_.actor, conversation, true, [self, conversation](const Result<bool>& on) {
          if (!on.ok()) {
            bj::object message = stream_error(on.error());
            message["conversationId"] = conversation;
            self->send(message);
            return;
          }
          {
            std::lock_guard lock(self->mutex_);
            if (self->closed_) {
              return;  // close() ran before: nothing to stop later, the hub keeps no sink
            }
            self->monitors_.insert(conversation);
          }
          self->channel_.audit(self->session_.actor.agent_id, "conversation.monitor", conversation,
                               bj::object{}, [](const Status& s) {
                                 if (!s.ok()) {
                                   spdlog::error("agent api: audit conversation.monitor: {}",
                                                 s.error().message);
                                 }
                               });
          self->send(bj::object{{"type", "monitoring"}, {"conversationId", conversation}});
        });
  }

  void unmonitor(const std::string& conversation) {
    {
      std::lock_guard lock(mutex_);
      monitors_.erase(conversation);
    }
    auto self = shared_from_this();
    channel_.engagement.monitor(
        session_.actor, conversation, false, [self, conversation](const Result<bool>& off) {
          if (!off.ok()) {
            bj::object message = stream_error(off.error());
            message["conversationId"] = conversation;
            self->send(message);
            return;
          }
          self->send(bj::object{{"type", "unmonitored"}, {"conversationId", conversation}});
        });
  }

  AgentChannel::Impl& channel_;
  const Session session_;
  std::mutex mutex_;
  std::weak_ptr<server::WebSocketSession> socket_;
  std::optional<std::uint64_t> attachment_;
  bool closed_ = false;
  std::set<std::string> monitors_;  // conversations this console asked to monitor
};

}  // namespace

void AgentChannel::Impl::stream_ticket(const server::Request& request,
                                       const server::Responder& responder) {
  auto session = authenticate(request);
  if (!session.ok()) {
    responder.send(error_response(session.error()));
    return;
  }
  const auto bearer = request.bearer_token();
  responder.send(ok_json(boost::json::object{
      {"ticket", tickets.issue(std::string(*bearer))},
      {"expiresIn",
       static_cast<std::int64_t>(
           std::chrono::duration_cast<std::chrono::seconds>(tickets.ttl()).count())}}));
}

bool AgentChannel::Impl::origin_allowed(const server::Request& request) const {
  const auto origin = request.header("Origin");
  if (!origin) {
    return true;  // not a browser page: a page cannot open a socket without sending its Origin
  }
  if (std::find(options.allowed_origins.begin(), options.allowed_origins.end(), *origin) !=
      options.allowed_origins.end()) {
    return true;
  }
  // The server's own origin: a browser serialises it as scheme "://" host [":" port], which must
  // be exactly the Host the upgrade names (compared as text: URL parsers are lenient about what
  // follows a port).
  const auto host = request.header("Host");
  std::string_view rest = *origin;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (rest.starts_with(scheme)) {
      rest.remove_prefix(scheme.size());
      return host && !host->empty() && rest.size() == host->size() &&
             std::equal(rest.begin(), rest.end(), host->begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
             });
    }
  }
  return false;
}

server::WebSocketDecision AgentChannel::Impl::open_stream(const server::Request& request) {
  if (!origin_allowed(request)) {
    return error_response(
        make_error(ErrorCode::kForbidden, "this page's origin may not open the agent stream"));
  }
  // A one-time ticket (POST /api/agent/stream/ticket) or the Authorization header; never the
  // session token in the URL.
  Result<Session> session =
      make_error(ErrorCode::kUnauthorized, "add ?ticket=<ticket> (POST /api/agent/stream/ticket)");
  if (auto t = request.query_value("ticket"); t && !t->empty()) {
    if (auto token = tickets.redeem(*t)) {
      session = authenticate_token(*token);
    } else {
      session = make_error(ErrorCode::kUnauthorized, "the ticket is unknown, used or expired");
    }
  } else if (request.header("Authorization")) {
    session = authenticate(request);
  }
  if (!session.ok()) {
    return error_response(session.error());
  }
  auto stream = std::make_shared<AgentStream>(*this, std::move(*session));
  server::WebSocketCallbacks callbacks;
  callbacks.on_open = [stream](const std::shared_ptr<server::WebSocketSession>& socket) {
    stream->open(socket);
  };
  callbacks.on_message = [stream](const std::shared_ptr<server::WebSocketSession>&,
                                  const std::string& text,
                                  bool binary) { stream->message(text, binary); };
  callbacks.on_close = [stream](const std::shared_ptr<server::WebSocketSession>&,
                                const server::CloseInfo&) { stream->close(); };
  return callbacks;
}

}  // namespace baton::agent
