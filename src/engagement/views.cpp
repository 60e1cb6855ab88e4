// Permissions and the views of the hub: who may read or act on a conversation, the conversations
// an actor sees, the one check a transcript read makes (access()), queues and agents.
#include <fmt/format.h>

#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

bool in_hub_for(const hub::ConversationView& v, const std::string& agent) {
  return v.agent == agent || v.offered_to == agent;
}

}  // namespace

Status Engagement::Impl::check_supervisor_read(const Actor& actor,
                                               const std::string& conversation) {
  if (!supervisor(actor)) {
    return make_error(ErrorCode::kForbidden, "supervisors only");
  }
  return check_read(actor, conversation);
}

Status Engagement::Impl::check_read(const Actor& actor, const std::string& conversation) {
  auto view = hub->conversation(conversation, clock.now());
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
  auto view = hub->conversation(conversation, clock.now());
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

void Engagement::conversations(const Actor& actor,
                               Callback<std::vector<hub::ConversationView>> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    std::vector<hub::ConversationView> out;
    for (auto& v : self.hub->conversations(self.clock.now())) {
      if (Impl::supervisor(actor) || in_hub_for(v, actor.agent_id)) {
        out.push_back(std::move(v));
      }
    }
    done(std::move(out));
  });
}

void Engagement::access(const Actor& actor, const std::string& conversation,
                        Callback<ConversationAccess> done) {
  on_strand(impl_, [actor, conversation, done = std::move(done)](Impl& self) {
    if (Status s = self.check_read(actor, conversation); !s.ok()) {
      // Reading is allowed or not: a conversation that was the agent's before is not theirs.
      Error e = s.error();
      if (e.code == ErrorCode::kConflict) {
        e.code = ErrorCode::kForbidden;
      }
      done(std::move(e));
      return;
    }
    ConversationAccess a;
    a.hub = self.hub->conversation(conversation, self.clock.now());
    const detail::Track& t = self.info(conversation);
    a.handoff_id = t.handoff_id;
    a.agent_message = t.agent_message;
    a.handoff_seq = t.handoff_seq;
    a.context = a.hub && !a.hub->context.empty() ? a.hub->context : t.context;
    done(std::move(a));
  });
}

void Engagement::queues(const Actor& actor, Callback<std::vector<hub::QueueView>> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    done(self.hub->queues(self.clock.now()));
  });
}

void Engagement::agents(const Actor& actor, Callback<std::vector<hub::AgentView>> done) {
  on_strand(impl_, [actor, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    done(self.hub->agents(self.clock.now()));
  });
}

}  // namespace baton::engagement
