// The agent's WebSocket: GET /api/agent/stream?token=... One AgentStream per socket is the
// Engagement's AgentSink (hello, offers, assignments, activities, ...) and handles the client's
// monitor / unmonitor / ping messages. The server's bounded send queue closes a socket whose
// reader stalls (1008); the console reconnects and gets a fresh hello.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <map>

#include "channels/agent/channel_impl.hpp"
#include "channels/agent/requests.hpp"
#include "core/json.hpp"

namespace baton::agentapi {
namespace {

namespace bj = boost::json;

constexpr std::uint16_t kCloseGoingAway = 1001;
constexpr std::uint16_t kCloseRevoked = 4001;

class AgentStream;

// Feeds one monitored conversation's activities to a supervisor's stream.
class MonitorSubscriber final : public engine::Subscriber {
 public:
  MonitorSubscriber(std::weak_ptr<AgentStream> stream, std::string conversation,
                    std::uint64_t handoff_seq)
      : stream_(std::move(stream)),
        conversation_(std::move(conversation)),
        handoff_seq_(handoff_seq) {}
  void deliver(const std::vector<engine::Delivery>& activities) override;
  void replaced() override {}

 private:
  std::weak_ptr<AgentStream> stream_;
  std::string conversation_;
  std::uint64_t handoff_seq_;
};

class AgentStream final : public engine::AgentSink,
                          public std::enable_shared_from_this<AgentStream> {
 public:
  AgentStream(AgentChannel::Impl& channel, Session session)
      : channel_(channel), session_(std::move(session)) {}

  void push(const bj::object& message) override { send(message); }

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

  void message(std::string text, bool binary) {
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
    std::map<std::string, engine::SubscriptionId> monitors;
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
    for (const auto& [conversation, id] : monitors) {
      if (id != 0) {
        channel_.engine.unsubscribe(conversation, id);
      }
    }
  }

 private:
  std::shared_ptr<server::WebSocketSession> socket() {
    std::lock_guard lock(mutex_);
    return socket_.lock();
  }

  void monitor(std::string conversation) {
    if (!session_.supervisor()) {
      send(stream_error(make_error(ErrorCode::kForbidden, "only supervisors may monitor")));
      return;
    }
    {
      std::lock_guard lock(mutex_);
      if (closed_ || !monitors_.emplace(conversation, 0).second) {
        return;  // already monitoring (or subscribing)
      }
    }
    auto self = shared_from_this();
    channel_.engagement.detail(session_.actor, conversation,
                               [self, conversation](Result<engine::ConversationDetail> detail) {
                                 if (!detail.ok()) {
                                   self->monitor_failed(conversation, detail.error());
                                   return;
                                 }
                                 self->subscribe(conversation, detail->handoff_seq);
                               });
  }

  // On the engine strand (after detail): subscribe from the current watermark.
  void subscribe(const std::string& conversation, std::uint64_t handoff_seq) {
    auto self = shared_from_this();
    engine::Engine& eng = channel_.engine;
    eng.status(conversation, [self, &eng, conversation,
                              handoff_seq](Result<engine::ConversationStatus> status) {
      if (!status.ok()) {
        self->monitor_failed(conversation, status.error());
        return;
      }
      auto subscriber = std::make_shared<MonitorSubscriber>(self, conversation, handoff_seq);
      eng.subscribe(conversation, status->watermark, "", subscriber,
                    [self, &eng, conversation](Result<engine::SubscriptionId> id) {
                      if (!id.ok()) {
                        self->monitor_failed(conversation, id.error());
                        return;
                      }
                      self->subscribed(conversation, *id);
                    });
    });
  }

  void subscribed(const std::string& conversation, engine::SubscriptionId id) {
    bool keep = false;
    {
      std::lock_guard lock(mutex_);
      auto it = monitors_.find(conversation);
      if (!closed_ && it != monitors_.end() && it->second == 0) {
        it->second = id;
        keep = true;
      }
    }
    if (!keep) {
      channel_.engine.unsubscribe(conversation, id);
      return;
    }
    channel_.audit(
        session_.actor.agent_id, "conversation.monitor", conversation, bj::object{}, [](Status s) {
          if (!s.ok()) {
            spdlog::error("agent api: audit conversation.monitor: {}", s.error().message);
          }
        });
    send(bj::object{{"type", "monitoring"}, {"conversationId", conversation}});
  }

  void monitor_failed(const std::string& conversation, const Error& error) {
    {
      std::lock_guard lock(mutex_);
      monitors_.erase(conversation);
    }
    bj::object message = stream_error(error);
    message["conversationId"] = conversation;
    send(message);
  }

  void unmonitor(const std::string& conversation) {
    engine::SubscriptionId id = 0;
    {
      std::lock_guard lock(mutex_);
      auto it = monitors_.find(conversation);
      if (it != monitors_.end()) {
        id = it->second;
        monitors_.erase(it);
      }
    }
    if (id != 0) {
      channel_.engine.unsubscribe(conversation, id);
    }
    send(bj::object{{"type", "unmonitored"}, {"conversationId", conversation}});
  }

  AgentChannel::Impl& channel_;
  const Session session_;
  std::mutex mutex_;
  std::weak_ptr<server::WebSocketSession> socket_;
  std::optional<std::uint64_t> attachment_;
  bool closed_ = false;
  // Monitored conversations → subscription id (0 while subscribing).
  std::map<std::string, engine::SubscriptionId> monitors_;
};

void MonitorSubscriber::deliver(const std::vector<engine::Delivery>& activities) {
  auto stream = stream_.lock();
  if (!stream) {
    return;
  }
  for (const auto& d : activities) {
    stream->send(bj::object{{"type", "activity"},
                            {"conversationId", conversation_},
                            {"monitor", true},
                            {"entry", entry_json(d.seq, *d.json, handoff_seq_)}});
  }
}

}  // namespace

server::WebSocketDecision AgentChannel::Impl::open_stream(const server::Request& request) {
  Result<Session> session =
      make_error(ErrorCode::kUnauthorized, "add ?token=<session token> (POST /api/agent/login)");
  if (auto t = request.query_value("token"); t && !t->empty()) {
    session = authenticate_token(*t);
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
                                  std::string text,
                                  bool binary) { stream->message(std::move(text), binary); };
  callbacks.on_close = [stream](const std::shared_ptr<server::WebSocketSession>&,
                                const server::CloseInfo&) { stream->close(); };
  return callbacks;
}

}  // namespace baton::agentapi
