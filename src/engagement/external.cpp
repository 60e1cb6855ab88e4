// External queues' hubs (hub.yaml `external:`, docs/EXTERNAL_HUBS.md): the hub's ExternalHandoff
// sends the stored handoff.initiate through the ExternalHubSink (a delivery that fails every
// attempt is the hub's ExternalStatus{failed}); ExternalAccepted makes ownership follow the hub
// to the agent state (ownership_sync.cpp: kExternal is an agent owner "external:<queue>") and
// forwards the customer's activities; ExternalEnded returns the conversation to the bot (the hub's
// status message kept with the handoff's end); ExternalWithdrawn tells the hub Baton took the
// conversation back (the signed endOfConversation). The
// external hub's own calls (already authenticated as one queue's hub) are checked against that
// queue here.
#include <spdlog/spdlog.h>

#include "core/json.hpp"
#include "core/overloaded.hpp"
#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

// Forwards a conversation's customer messages (and their leaving) to its external hub.
class ExternalView final : public engine::Subscriber {
 public:
  ExternalView(std::weak_ptr<ExternalHubSink> sink, ExternalHubTarget target,
               std::string conversation)
      : sink_(std::move(sink)),
        target_(std::move(target)),
        conversation_(std::move(conversation)) {}

  void deliver(const std::vector<engine::Delivery>& activities) override {
    auto sink = sink_.lock();
    if (!sink) {
      return;
    }
    for (const auto& d : activities) {
      if (!d.json) {
        continue;
      }
      boost::json::object a = json::parse_object(*d.json);
      const auto* from = a.if_contains("from");
      const bool customer = from != nullptr && from->is_object() &&
                            json::string_at(from->as_object(), "role") == "user";
      const std::string_view type = json::string_at(a, "type");
      if (customer && (type == "message" || type == "endOfConversation")) {
        sink->forward(target_, conversation_, std::move(a));
      }
    }
  }
  void replaced() override {}
  void erased() override {}

 private:
  std::weak_ptr<ExternalHubSink> sink_;
  ExternalHubTarget target_;
  std::string conversation_;
};

// The Bot Framework's endOfConversation code for why Baton took a conversation back.
const char* end_code(hub::ExternalLeave cause) {
  switch (cause) {
    case hub::ExternalLeave::kCancelled:
    case hub::ExternalLeave::kLeft:
      return "userCancelled";
    case hub::ExternalLeave::kSilent:
    case hub::ExternalLeave::kTimedOut:
      return "botTimedOut";
    case hub::ExternalLeave::kOutOfHours:
    case hub::ExternalLeave::kClosed:
      break;
  }
  return "unknown";
}

ExternalHubTarget target_of(const std::string& queue, const hub::ExternalHub& hub) {
  return ExternalHubTarget{queue, hub.url, hub.secret};
}

}  // namespace

std::string external_owner(std::string_view queue) { return "external:" + std::string(queue); }

std::optional<ExternalHubTarget> Engagement::Impl::external_target(const std::string& queue) const {
  auto index = config->find_queue(queue);
  if (!index || !config->queues[*index].external) {
    return std::nullopt;
  }
  return target_of(queue, *config->queues[*index].external);
}

std::vector<ExternalHubTarget> external_hub_targets(const hub::HubConfig& config) {
  std::vector<ExternalHubTarget> targets;
  for (const auto& q : config.queues) {
    if (q.external) {
      targets.push_back(target_of(q.name, *q.external));
    }
  }
  return targets;
}

bool Engagement::Impl::act_external(const hub::Decision& decision) {
  return std::visit(Overloaded{
                        [&](const hub::ExternalHandoff& d) {
                          send_initiate(d.conversation, d.queue);
                          return true;
                        },
                        [&](const hub::ExternalAccepted& d) {
                          follow_external(d.conversation, d.queue);
                          return true;
                        },
                        [&](const hub::ExternalEnded& d) {
                          drop_view(d.conversation, external_owner(d.queue));
                          to_bot(d.conversation,
                                 d.failed ? dialog::HandoffOutcome::kUnavailable
                                          : dialog::HandoffOutcome::kCompleted,
                                 engine::HandoffEnd{external_owner(d.queue), "",
                                                    d.failed ? "no_agents" : "", d.message});
                          return true;
                        },
                        [&](const hub::ExternalWithdrawn& d) {
                          send_withdrawn(d);
                          return true;
                        },
                        [](const auto&) { return false; },
                    },
                    decision);
}

void Engagement::Impl::external_failed(const std::string& conversation, const std::string& queue) {
  auto view = hub->conversation(conversation, clock.now());
  if (view && view->queue == queue && view->state == hub::ConversationState::kWaiting) {
    input(hub::ExternalStatus{conversation, hub::ExternalState::kFailed});
  }
}

std::optional<boost::json::object> Engagement::Impl::read_initiate(
    const std::string& conversation) {
  const std::uint64_t seq = info(conversation).handoff_seq;
  if (seq == 0) {
    return std::nullopt;
  }
  auto page = store.read_activities(conversation, seq - 1, 1);
  if (!page.ok() || page->empty() || page->front().name != "handoff.initiate") {
    spdlog::error("engagement: {}: the handoff.initiate activity #{} cannot be read", conversation,
                  seq);
    return std::nullopt;
  }
  return json::parse_object(page->front().json);
}

void Engagement::Impl::send_initiate(const std::string& conversation, const std::string& queue) {
  auto target = external_target(queue);
  if (!external_sink || !target) {
    spdlog::error("engagement: {}: no way to reach external queue '{}'", conversation, queue);
    external_failed(conversation, queue);
    return;
  }
  auto initiate = read_initiate(conversation);
  if (!initiate) {
    external_failed(conversation, queue);
    return;
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  external_sink->initiate(*target, conversation, std::move(*initiate),
                          [weak, conversation, queue](bool delivered) {
                            auto self = weak.lock();
                            if (delivered || !self) {
                              return;
                            }
                            on_strand(self, [conversation, queue](Impl& again) {
                              if (!again.stopped) {
                                again.external_failed(conversation, queue);
                              }
                            });
                          });
}

void Engagement::Impl::send_withdrawn(const hub::ExternalWithdrawn& withdrawn) {
  auto target = external_target(withdrawn.queue);
  if (!external_sink || !target) {
    return;
  }
  const std::string& id = withdrawn.conversation;
  // The customer's own doing comes from the customer, Baton's from the bot (as in the handoff).
  const bool by_customer = withdrawn.cause == hub::ExternalLeave::kCancelled ||
                           withdrawn.cause == hub::ExternalLeave::kLeft;
  boost::json::object notice{
      {"type", "endOfConversation"},
      {"timestamp", format_iso8601(clock.now())},
      {"code", end_code(withdrawn.cause)},
      {"value",
       {{"reason", hub::to_string(withdrawn.cause)},
        {"state", withdrawn.accepted ? "accepted" : "waiting"}}},
      {"conversation", {{"id", id}}},
  };
  if (auto initiate = read_initiate(id)) {
    notice["channelId"] = json::string_at(*initiate, "channelId");
    notice["replyToId"] = json::string_at(*initiate, "id");
    if (const auto* relates = initiate->if_contains("relatesTo");
        relates != nullptr && relates->is_object()) {
      const auto* who = relates->as_object().if_contains(by_customer ? "user" : "bot");
      if (who != nullptr && who->is_object()) {
        notice["from"] = *who;
      }
      notice["relatesTo"] = *relates;
    }
  }
  spdlog::info("engagement: {}: telling external queue '{}' the conversation left ({})", id,
               withdrawn.queue, hub::to_string(withdrawn.cause));
  external_sink->forward(*target, id, std::move(notice));
}

void Engagement::Impl::follow_external(const std::string& conversation, const std::string& queue) {
  const std::string owner = external_owner(queue);
  auto target = external_target(queue);
  auto& by_owner = views[conversation];
  if (!target || !external_sink || by_owner.count(owner) != 0) {
    return;
  }
  by_owner[owner] = 0;  // subscription id pending
  auto view = std::make_shared<ExternalView>(external_sink, *target, conversation);
  subscribe_view(conversation, owner, std::move(view));
}

Status Engagement::Impl::check_external(const std::string& queue, const std::string& conversation,
                                        bool owned) {
  auto view = hub->conversation(conversation, clock.now());
  if (!view) {
    return make_error(ErrorCode::kNotFound,
                      "no open handoff in conversation '" + conversation + "'");
  }
  if (view->queue != queue) {
    return make_error(ErrorCode::kConflict, "conversation '" + conversation +
                                                "' is not with external queue '" + queue + "'");
  }
  if (owned && view->state != hub::ConversationState::kExternal) {
    return make_error(ErrorCode::kConflict,
                      "conversation '" + conversation + "' was not accepted by this hub");
  }
  return {};
}

void Engagement::set_external_sink(std::shared_ptr<ExternalHubSink> sink) {
  on_strand(impl_, [sink = std::move(sink)](Impl& self) { self.external_sink = sink; });
}

void Engagement::external_status(const std::string& queue, const std::string& conversation,
                                 hub::ExternalState state, std::string message,
                                 Callback<bool> done) {
  on_strand(impl_, [queue, conversation, state, message = std::move(message),
                    done = std::move(done)](Impl& self) {
    if (self.rebuild_pending) {
      done(make_error(ErrorCode::kUnavailable, "the hub is being rebuilt"));
      return;
    }
    if (Status s = self.check_external(queue, conversation, false); !s.ok()) {
      done(s.error());
      return;
    }
    self.input(hub::ExternalStatus{conversation, state, message},
               [done](const Result<hub::Decisions>& r) {
                 if (r.ok()) {
                   done(true);
                 } else {
                   done(r.error());
                 }
               });
  });
}

void Engagement::external_send(const std::string& queue, const std::string& conversation,
                               activity::Activity activity, Callback<PostResult> done) {
  on_strand(impl_, [queue, conversation, a = std::move(activity),
                    done = std::move(done)](Impl& self) mutable {
    if (Status s = self.check_external(queue, conversation, true); !s.ok()) {
      done(s.error());
      return;
    }
    if (a.type != "message" && a.type != "typing") {
      done(make_error(ErrorCode::kInvalidArgument, "type: an external hub sends a message"));
      return;
    }
    const std::string name = a.from.name.empty() ? queue : a.from.name;
    a.from = {external_owner(queue), name, "bot"};
    self.when_settled(conversation, [&self, conversation, a = std::move(a), done]() mutable {
      const detail::Track& t = self.track(conversation);
      if (!t.ownership || t.ownership->owner != engine::Owner::kAgent) {
        done(make_error(ErrorCode::kConflict, "the conversation is not with the external hub"));
        return;
      }
      self.engine.post_as_owner({conversation, t.ownership->epoch, std::move(a)}, done);
    });
  });
}

}  // namespace baton::engagement
