// A supervisor's actions: another agent's presence, the agents re-read after the API changed one;
// and interventions in a conversation: whisper to its agent, barge in (write to the
// customer in the owner's session, under the supervisor's own name), take it over, assign it to
// an agent or move it to a queue. Moves go through the hub (SupervisorAssign, SupervisorRequeue)
// and reach the engine as the usual epoch-fenced ownership commands (ownership_sync.cpp).
#include <fmt/format.h>

#include "core/strand.hpp"
#include "engagement/state.hpp"

namespace baton::engagement {
namespace {

// kConflict unless the hub holds the conversation assigned to an agent; the owner otherwise.
Result<std::string> owner_of(Engagement::Impl& self, const std::string& conversation) {
  auto view = self.hub->conversation(conversation, self.clock.now());
  if (!view || view->state != hub::ConversationState::kAssigned) {
    return make_error(ErrorCode::kConflict,
                      fmt::format("conversation '{}' is not with an agent", conversation));
  }
  return view->agent;
}

Status check_text(const std::string& text) {
  if (text.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "text: empty");
  }
  return {};
}

}  // namespace

void Engagement::set_agent_presence(const Actor& actor, const std::string& agent,
                                    hub::Presence presence, Callback<bool> done) {
  on_strand(impl_, [actor, agent, presence, done = std::move(done)](Impl& self) {
    if (!Impl::supervisor(actor)) {
      done(make_error(ErrorCode::kForbidden, "supervisors only"));
      return;
    }
    if (!self.ensure_agent(agent)) {
      done(make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", agent)));
      return;
    }
    self.input(hub::PresenceSet{agent, presence}, [done](const Result<hub::Decisions>& r) {
      if (r.ok()) {
        done(true);
      } else {
        done(r.error());
      }
    });
  });
}

void Engagement::refresh_agents() {
  on_strand(impl_, [](Impl& self) {
    if (self.started && !self.stopped) {
      self.refresh_agents(false);
    }
  });
}

void Engagement::whisper(const Actor& actor, const std::string& conversation, std::string text,
                         Callback<PostResult> done) {
  on_strand(impl_, [actor, conversation, text = std::move(text),
                    done = std::move(done)](Impl& self) mutable {
    if (Status s = self.check_supervisor_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (Status s = check_text(text); !s.ok()) {
      done(s.error());
      return;
    }
    auto owner = owner_of(self, conversation);
    if (!owner.ok()) {
      done(owner.error());
      return;
    }
    // An event: the engine never delivers events to the customer (engine::audience_of_type).
    activity::Activity a = activity::make_event(
        "baton.whisper", boost::json::object{{"text", std::move(text)}, {"to", *owner}});
    a.from = {"agent:" + actor.agent_id, self.display_name(actor.agent_id), "agent"};
    self.ensure_view(conversation, actor.agent_id);
    self.engine.post_notice({conversation, std::move(a)}, done);
  });
}

void Engagement::barge(const Actor& actor, const std::string& conversation, std::string text,
                       Callback<PostResult> done) {
  on_strand(impl_, [actor, conversation, text = std::move(text),
                    done = std::move(done)](Impl& self) mutable {
    if (Status s = self.check_supervisor_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (Status s = check_text(text); !s.ok()) {
      done(s.error());
      return;
    }
    if (auto owner = owner_of(self, conversation); !owner.ok()) {
      done(owner.error());
      return;
    }
    activity::Activity a = activity::make_message(std::move(text));
    a.from = {"agent:" + actor.agent_id, self.display_name(actor.agent_id), "bot"};
    self.ensure_view(conversation, actor.agent_id);
    // Written in the owner's session, fenced by its epoch: refused if the agent lost it meanwhile.
    self.when_settled(conversation, [&self, conversation, a = std::move(a), done]() mutable {
      const detail::Track& t = self.track(conversation);
      if (!t.ownership || t.ownership->owner != engine::Owner::kAgent) {
        done(make_error(ErrorCode::kConflict, "the conversation is not with an agent"));
        return;
      }
      self.engine.post_as_owner({conversation, t.ownership->epoch, std::move(a)}, done);
    });
  });
}

void Engagement::take_over(const Actor& actor, const std::string& conversation,
                           Callback<bool> done) {
  reassign(actor, conversation, "", actor.agent_id, "", true, std::move(done));
}

void Engagement::reassign(const Actor& actor, const std::string& conversation, std::string to_queue,
                          std::string to_agent, std::string note, Callback<bool> done) {
  reassign(actor, conversation, std::move(to_queue), std::move(to_agent), std::move(note), false,
           std::move(done));
}

void Engagement::reassign(const Actor& actor, const std::string& conversation, std::string to_queue,
                          std::string to_agent, std::string note, bool take_over,
                          Callback<bool> done) {
  on_strand(impl_, [actor, conversation, to_queue = std::move(to_queue),
                    to_agent = std::move(to_agent), note = std::move(note), take_over,
                    done = std::move(done)](Impl& self) mutable {
    if (Status s = self.check_supervisor_read(actor, conversation); !s.ok()) {
      done(s.error());
      return;
    }
    if (to_queue.empty() == to_agent.empty()) {
      done(make_error(ErrorCode::kInvalidArgument, "name exactly one of queue and agentId"));
      return;
    }
    if (!self.hub->conversation(conversation, self.clock.now())) {
      done(make_error(
          ErrorCode::kConflict,
          fmt::format("conversation '{}' is not waiting or with an agent", conversation)));
      return;
    }
    if (!to_queue.empty()) {
      self.input(hub::SupervisorRequeue{conversation, actor.agent_id, std::move(to_queue),
                                        std::move(note)},
                 [done](const Result<hub::Decisions>& r) {
                   if (r.ok()) {
                     done(true);
                   } else {
                     done(r.error());
                   }
                 });
      return;
    }
    if (!self.ensure_agent(to_agent)) {
      done(make_error(ErrorCode::kNotFound, fmt::format("no agent '{}'", to_agent)));
      return;
    }
    // Answered once the engine has given the agent the conversation (as accept is).
    self.input(
        hub::SupervisorAssign{conversation, actor.agent_id, to_agent, std::move(note), take_over},
        [&self, conversation, to_agent, done](const Result<hub::Decisions>& r) {
          if (!r.ok()) {
            done(r.error());
            return;
          }
          self.when_settled(conversation, [&self, conversation, to_agent, done] {
            if (self.with_agent(conversation, to_agent)) {
              done(true);
            } else {
              done(make_error(ErrorCode::kConflict, "the customer left before the agent joined"));
            }
          });
        });
  });
}

}  // namespace baton::engagement
