// The WebSocket stream: validate ?t=TOKEN, subscribe to the engine at ?watermark=, and write
// ActivitySet frames {"activities":[...],"watermark":"N"}. One socket per conversation: a new one
// takes the "customer-ws" slot and the old one is closed with reason "collision".
#include <fmt/format.h>

#include <mutex>

#include "channels/directline/channel_impl.hpp"
#include "server/websocket_session.hpp"

namespace baton::directline {
namespace {

constexpr const char* kSlot = "customer-ws";
constexpr std::uint16_t kCloseNormal = 1000;
constexpr std::uint16_t kCloseInternal = 1011;
// RFC 6455 "policy violation": the conversation was erased, so its stream must not be reopened.
constexpr std::uint16_t kClosePolicy = 1008;

// Bridges engine deliveries to one socket. deliver()/replaced() run on the engine strand, the
// close notification on the socket's strand; the mutex guards the id/closed handshake between them.
class StreamSubscriber final : public engine::Subscriber {
 public:
  StreamSubscriber(std::weak_ptr<server::WebSocketSession> session, std::size_t frame_max)
      : session_(std::move(session)), frame_max_(frame_max) {}

  void deliver(const std::vector<engine::Delivery>& activities) override {
    auto session = session_.lock();
    if (!session) {
      return;
    }
    std::string frame;
    std::size_t in_frame = 0;
    for (std::size_t i = 0; i < activities.size(); ++i) {
      const auto& d = activities[i];
      if (d.audience != engine::Audience::kInternal) {
        frame += in_frame == 0 ? R"({"activities":[)" : ",";
        frame += *d.json;
        ++in_frame;
      }
      const bool last = i + 1 == activities.size();
      if (in_frame > 0 && (last || in_frame == frame_max_)) {
        frame += fmt::format(R"(],"watermark":"{}"}})", d.seq);
        session->send(std::make_shared<const std::string>(std::move(frame)));
        frame.clear();
        in_frame = 0;
      }
    }
  }

  void replaced() override {
    if (auto session = session_.lock()) {
      session->close(kCloseNormal, "collision");
    }
  }

  void erased() override {
    if (auto session = session_.lock()) {
      session->close(kClosePolicy, "erased");
    }
  }

  // Returns true when the socket already closed (the caller must unsubscribe).
  bool set_id(engine::SubscriptionId id) {
    std::lock_guard lock(mutex_);
    id_ = id;
    return closed_;
  }
  // Returns the id to unsubscribe, 0 when subscribe has not answered yet.
  engine::SubscriptionId close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    return id_;
  }

 private:
  std::weak_ptr<server::WebSocketSession> session_;
  std::size_t frame_max_;
  std::mutex mutex_;
  engine::SubscriptionId id_ = 0;
  bool closed_ = false;
};

}  // namespace

server::WebSocketDecision DirectLineChannel::Impl::open_stream(const server::Request& request) {
  const std::string id(request.param("id"));
  Result<Caller> caller =
      make_error(ErrorCode::kUnauthorized, "MissingAuthorization", "add ?t=TOKEN");
  if (auto t = request.query_value("t"); t && !t->empty()) {
    caller = authenticate_token(*t, id);
  } else if (request.header("Authorization")) {
    caller = authenticate(request, id);
  }
  if (!caller.ok()) {
    return error_response(caller.error());
  }
  auto watermark = parse_watermark(request);
  if (!watermark.ok()) {
    return error_response(watermark.error());
  }
  if (auto row = store::unless_erased(store.get_conversation(id)); !row.ok()) {
    return error_response(row.error());
  }
  const std::uint64_t after = watermark->value_or(0);
  auto subscriber = std::make_shared<std::shared_ptr<StreamSubscriber>>();
  engine::Engine* eng = &engine;
  const std::size_t frame_max = options.frame_max_activities;
  server::WebSocketCallbacks callbacks;
  callbacks.on_open = [eng, id, after, subscriber,
                       frame_max](const std::shared_ptr<server::WebSocketSession>& session) {
    auto sub = std::make_shared<StreamSubscriber>(session, frame_max);
    *subscriber = sub;
    std::weak_ptr<server::WebSocketSession> weak = session;
    eng->subscribe(id, after, kSlot, sub,
                   [eng, id, sub, weak](Result<engine::SubscriptionId> subscribed) {
                     if (!subscribed.ok()) {
                       if (auto s = weak.lock()) {
                         s->close(kCloseInternal, subscribed.error().message.substr(0, 100));
                       }
                       return;
                     }
                     if (sub->set_id(*subscribed)) {
                       eng->unsubscribe(id, *subscribed);
                     }
                   });
  };
  callbacks.on_message = [](const std::shared_ptr<server::WebSocketSession>&, const std::string&,
                            bool) {
    // Direct Line clients only ping with empty frames (filtered by the server); voice-mode
    // activity frames are not supported and ignored.
  };
  callbacks.on_close = [eng, id, subscriber](const std::shared_ptr<server::WebSocketSession>&,
                                             const server::CloseInfo&) {
    if (*subscriber) {
      if (const auto sub_id = (*subscriber)->close(); sub_id != 0) {
        eng->unsubscribe(id, sub_id);
      }
      subscriber->reset();
    }
  };
  return callbacks;
}

}  // namespace baton::directline
