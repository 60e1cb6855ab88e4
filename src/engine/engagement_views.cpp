// Permissions, views (conversations, detail, queues, agents), force-close and monitoring, the
// JSON shapes of docs/AGENT_API.md, texts, and loading hub.yaml for a bot directory.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "core/json.hpp"
#include "engine/engagement_impl.hpp"

namespace baton::engine {
namespace {

namespace bj = boost::json;

bool in_hub_for(const hub::ConversationView& v, const std::string& agent) {
  return v.agent == agent || v.offered_to == agent;
}

// The built-in hub configuration when a bot directory has no hub.yaml.
constexpr const char* kDefaultHubYaml = R"yaml(
hub:
  default_queue: general
  queues:
    - name: general
)yaml";

}  // namespace

Status Engagement::Impl::check_read(const Actor& actor, const std::string& conversation) {
  auto view = hub.conversation(conversation, clock.now());
  if (view && (supervisor(actor) || in_hub_for(*view, actor.agent_id))) {
    return {};
  }
  if (!view) {
    auto row = store.get_conversation(conversation);
    if (!row.ok()) {
      return make_error(ErrorCode::kNotFound, fmt::format("no conversation '{}'", conversation));
    }
    if (supervisor(actor)) {
      return {};
    }
  }
  auto t = tracks.find(conversation);
  if (t != tracks.end() && t->second.past_agents.count(actor.agent_id) != 0) {
    return make_error(ErrorCode::kConflict,
                      fmt::format("conversation '{}' is no longer yours", conversation));
  }
  return make_error(ErrorCode::kForbidden,
                    fmt::format("conversation '{}' is not yours", conversation));
}

Status Engagement::Impl::check_owner(const Actor& actor, const std::string& conversation) {
  auto view = hub.conversation(conversation, clock.now());
  if (view && view->state == hub::ConversationState::kAssigned && view->agent == actor.agent_id) {
    return {};
  }
  Status readable = check_read(actor, conversation);
  if (!readable.ok()) {
    return readable;
  }
  return make_error(ErrorCode::kConflict,
                    fmt::format("conversation '{}' is not assigned to you", conversation));
}

EngagementTexts default_engagement_texts(std::string_view language) {
  if (language.substr(0, 2) == "de") {
    return {"{agent} ist dem Chat beigetreten.", "Einen Moment bitte, ich verbinde Sie weiter.",
            "Dieser Chat wurde beendet. Vielen Dank!"};
  }
  return {"{agent} joined the chat.", "Please wait while I transfer you.",
          "This chat has been closed. Thank you!"};
}

Result<std::shared_ptr<const hub::HubConfig>> load_engagement_config(
    const std::filesystem::path& bot_dir) {
  hub::HubConfigResult loaded;
  std::error_code ec;
  if (std::filesystem::exists(bot_dir / "hub.yaml", ec)) {
    loaded = hub::load_hub_config(bot_dir / "hub.yaml");
  } else if (std::filesystem::exists(bot_dir / "hub.yml", ec)) {
    loaded = hub::load_hub_config(bot_dir / "hub.yml");
  } else {
    loaded = hub::load_hub_config_from_string(kDefaultHubYaml, "(built-in hub.yaml)");
  }
  if (!loaded.config || bot::has_errors(loaded.diagnostics)) {
    std::string message;
    for (const auto& d : loaded.diagnostics) {
      if (d.severity == bot::Severity::kError) {
        message += (message.empty() ? "" : "\n") + d.format();
      }
    }
    return make_error(ErrorCode::kInvalidArgument,
                      message.empty() ? std::string("hub.yaml: invalid") : message);
  }
  for (const auto& d : loaded.diagnostics) {
    spdlog::warn("{}", d.format());
  }
  return std::shared_ptr<const hub::HubConfig>(
      std::make_shared<hub::HubConfig>(std::move(*loaded.config)));
}

bj::object conversation_summary_json(const hub::ConversationView& v) {
  return {{"id", v.id},
          {"state", hub::to_string(v.state)},
          {"queue", v.queue},
          {"agent", v.agent},
          {"offeredTo", v.offered_to},
          {"waitedMs", v.waited.count()},
          {"position", v.position},
          {"priority", v.priority},
          {"reason", v.reason}};
}

bj::object queue_json(const hub::QueueView& q) {
  return {{"name", q.name},
          {"waiting", q.waiting},
          {"offered", q.offered},
          {"longestWaitMs", q.longest_wait.count()},
          {"open", q.open},
          {"agentsOnline", q.agents_online},
          {"agentsAvailable", q.agents_available},
          {"averageHandleTimeMs", q.average_handle_time.count()},
          {"estimatedWaitMs", q.estimated_wait.count()}};
}

bj::object agent_status_json(const hub::AgentView& a) {
  bj::array conversations;
  for (const auto& c : a.conversations) {
    conversations.emplace_back(c);
  }
  bj::array offers;
  for (const auto& c : a.offers) {
    offers.emplace_back(c);
  }
  return {{"id", a.id},
          {"displayName", a.display_name},
          {"role", hub::to_string(a.role)},
          {"presence", hub::to_string(a.presence)},
          {"load", a.load},
          {"capacity", a.capacity},
          {"conversations", std::move(conversations)},
          {"offers", std::move(offers)}};
}

bj::object agent_json(const hub::Agent& a) {
  bj::array skills;
  for (const auto& s : a.skills) {
    skills.emplace_back(s);
  }
  return {{"id", a.id},
          {"displayName", a.display_name},
          {"role", hub::to_string(a.role)},
          {"skills", std::move(skills)},
          {"capacity", a.capacity}};
}

bj::object transcript_entry(std::uint64_t seq, std::string_view activity_json,
                            std::uint64_t handoff_seq) {
  bj::object entry{
      {"seq", seq},         {"part", handoff_seq == 0 || seq <= handoff_seq ? "bot" : "live"},
      {"sender", "system"}, {"kind", "event"},
      {"internal", true},   {"activity", nullptr}};
  auto parsed = json::parse(activity_json);
  if (!parsed.ok() || !parsed->is_object()) {
    return entry;
  }
  const bj::object& a = parsed->as_object();
  auto str = [](const bj::object& o, std::string_view key) -> std::string_view {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
  };
  const std::string_view type = str(a, "type");
  std::string_view from_id;
  std::string_view role;
  if (const auto* from = a.if_contains("from"); from != nullptr && from->is_object()) {
    from_id = str(from->as_object(), "id");
    role = str(from->as_object(), "role");
  }
  const bool customer_visible = type == "message" || type == "typing";
  const bool customer = role == "user";
  const bool agent = !customer && from_id.substr(0, 6) == "agent:";
  if (customer) {
    entry["sender"] = "customer";
  } else if (agent) {
    entry["sender"] = "agent";
  } else if (customer_visible) {
    entry["sender"] = "bot";
  }
  if (type == "message") {
    entry["kind"] = "message";
  } else if (agent && type == "event" && str(a, "name") == "baton.note") {
    entry["kind"] = "note";
  }
  entry["internal"] = !customer && !(customer_visible || type == "endOfConversation");
  entry["activity"] = std::move(*parsed);
  return entry;
}

// --- public API

namespace {

template <class Fn>
void on_strand(const std::shared_ptr<Engagement::Impl>& impl, Fn&& fn) {
  boost::asio::post(impl->executor, [impl, fn = std::forward<Fn>(fn)]() mutable { fn(*impl); });
}

}  // namespace

void Engagement::conversations(const Actor& actor,
                               Callback<std::vector<hub::ConversationView>> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    std::vector<hub::ConversationView> out;
    for (auto& v : self.hub.conversations(self.clock.now())) {
      if (Impl::supervisor(actor) || in_hub_for(v, actor.agent_id)) {
        out.push_back(std::move(v));
      }
    }
    done(std::move(out));
  });
}

void Engagement::detail(const Actor& actor, const std::string& conversation,
                        Callback<ConversationDetail> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    ConversationDetail d;
    if (auto view = self.hub.conversation(conversation, self.clock.now())) {
      d.hub = std::move(*view);
    } else {
      d.hub.id = conversation;
    }
    Track& t = self.info(conversation);
    d.handoff_id = t.handoff_id;
    d.agent_message = t.agent_message;
    d.handoff_seq = t.handoff_seq;
    const bj::object& context = d.hub.context.empty() ? t.context : d.hub.context;
    for (const auto& [key, value] : context) {
      if (key.substr(0, 3) != "va_") {
        d.variables[key] = value;
      }
    }
    if (d.hub.context.empty()) {
      d.hub.context = t.context;
    }
    self.engine.status(conversation,
                       [d = std::move(d), done](Result<ConversationStatus> s) mutable {
                         if (!s.ok()) {
                           done(s.error());
                           return;
                         }
                         d.ownership = s->ownership;
                         done(std::move(d));
                       });
  });
}

void Engagement::queues(const Actor& actor, Callback<std::vector<hub::QueueView>> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    done(self.hub.queues(self.clock.now()));
  });
}

void Engagement::agents(const Actor& actor, Callback<std::vector<hub::AgentView>> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    done(self.hub.agents(self.clock.now()));
  });
}

void Engagement::may_read(const Actor& actor, const std::string& conversation,
                          Callback<bool> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    Status s = self.check_read(actor, conversation);
    if (s.ok()) {
      done(true);
    } else if (s.error().code == ErrorCode::kNotFound) {
      done(s.error());
    } else {
      done(false);
    }
  });
}

void Engagement::monitor(const Actor& actor, const std::string& conversation, bool on,
                         Callback<bool> done) {
  on_strand(impl_, [actor, conversation, on, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (on) {
      self.ensure_view(conversation, actor.agent_id);
    } else {
      auto view = self.hub.conversation(conversation, self.clock.now());
      if (!view || view->agent != actor.agent_id) {  // its own conversation stays streamed
        self.drop_view(conversation, actor.agent_id);
      }
    }
    done(true);
  });
}

void Engagement::force_close(const Actor& actor, const std::string& conversation,
                             Callback<bool> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    auto view = self.hub.conversation(conversation, self.clock.now());
    if (!view || view->state == hub::ConversationState::kWrapUp) {
      self.close_conversation(conversation, dialog::HandoffOutcome::kCancelled, "");
      done(true);
      return;
    }
    if (view->state != hub::ConversationState::kAssigned) {
      self.track(conversation).closing = true;  // the hub's Cancelled closes it
      self.input(hub::HandoffCancelled{conversation}, [done](const Result<hub::Decisions>& r) {
        r.ok() ? done(true) : done(r.error());
      });
      return;
    }
    const std::string agent = view->agent;
    self.track(conversation).closing = true;
    self.input(hub::ConversationEnded{conversation, agent});
    self.input(hub::WrapUpDone{conversation, agent}, [&self, conversation, agent,
                                                      done](const Result<hub::Decisions>& r) {
      self.push(agent,
                {{"type", "unassigned"}, {"conversationId", conversation}, {"cause", "closed"}});
      self.drop_view(conversation, agent);
      self.close_conversation(conversation, dialog::HandoffOutcome::kCompleted, agent);
      r.ok() ? done(true) : done(r.error());
    });
  });
}

}  // namespace baton::engine
