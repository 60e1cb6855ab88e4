// Each conversation's analytics session (analytics/session.hpp), kept by the engine because it
// owns the facts: the session's open form is written in the batch of the turn that changed it,
// and an ended session's row and hourly cells in the batch that ended it, so analytics never
// costs a write of its own on the turn path.
#include <spdlog/spdlog.h>

#include "analytics/cells.hpp"
#include "core/json.hpp"
#include "engine/engine_impl.hpp"

namespace baton::engine {
namespace {

analytics::TopicRole role_of(const bot::Topic& topic) {
  switch (topic.system) {
    case bot::SystemTopic::kNone:
      return topic.confirms_success ? analytics::TopicRole::kConfirmsSuccess
                                    : analytics::TopicRole::kUser;
    case bot::SystemTopic::kGreeting:
      return analytics::TopicRole::kGreeting;
    case bot::SystemTopic::kEscalate:
      return analytics::TopicRole::kEscalate;
    case bot::SystemTopic::kFallback:
      return analytics::TopicRole::kFallback;
    case bot::SystemTopic::kEndOfConversation:
      return analytics::TopicRole::kEndOfConversation;
    case bot::SystemTopic::kStartOver:
      return analytics::TopicRole::kStartOver;
  }
  return analytics::TopicRole::kUser;
}

void record(Pending& pending, store::AnalyticsSession&& row) {
  pending.batch.add_analytics(analytics::session_cells(row));
  pending.batch.put_analytics_session(std::move(row));
}

}  // namespace

void Engine::Impl::session_touch(Conv& conv, Pending& pending, std::uint64_t first_seq) {
  if (auto ended =
          conv.session.touch(conv.row.id, first_seq, clock.now(), options.session_timeout)) {
    record(pending, std::move(*ended));
    conv.session_stored.clear();  // the new session's form is written by session_store
  }
}

void Engine::Impl::session_turn(Conv& conv, Pending& pending, const dialog::TurnResult& turn) {
  const auto& topics = bot->bot().topics;
  for (const std::size_t t : turn.topics) {
    if (t < topics.size()) {
      conv.session.topic_started(topics[t].name, role_of(topics[t]));
    }
  }
  if (turn.handoff) {
    conv.session.escalated(dialog::to_string(turn.handoff->reason), turn.handoff->routing.queue,
                           clock.now());
    if (turn.resolved) {
      // The dialog took the offline or unsupported path at once: the hub never sees this handoff,
      // so it is counted here as the hub counts the unavailable ones it routes (the queue it
      // routed to and why, when the availability check said).
      const std::string& queue = turn.unavailable && !turn.unavailable->queue.empty()
                                     ? turn.unavailable->queue
                                     : turn.handoff->routing.queue;
      const std::string cause = *turn.resolved == dialog::HandoffOutcome::kUnsupported
                                    ? "handoff.unavailable.unsupported"
                                : turn.unavailable && !turn.unavailable->reason.empty()
                                    ? "handoff.unavailable." + turn.unavailable->reason
                                    : "handoff.unavailable.no_agents";
      pending.batch.add_analytics(
          analytics::sample_cells({{clock.now(), "handoff.unavailable", queue, "", 1, 0},
                                   {clock.now(), cause, queue, "", 1, 0}}));
    }
  }
  if (conv.session.surveyed()) {
    const SurveyAnswers answers = survey_answers(conv.runtime->variables());
    conv.session.survey(answers.resolved, answers.rating);
  }
  if (turn.ended) {
    conv.session.end_reached();
    session_end(conv, pending);
  }
}

void Engine::Impl::session_end(Conv& conv, Pending& pending) {
  if (auto ended = conv.session.end(conv.row.id)) {
    record(pending, std::move(*ended));
  }
}

void Engine::Impl::session_store(Conv& conv, Pending& pending) {
  if (!conv.session.open()) {
    if (!conv.session_stored.empty()) {
      pending.batch.delete_open_session(conv.row.id);
      conv.session_stored.clear();
    }
    return;
  }
  std::string form = json::dump(conv.session.to_json());
  if (form != conv.session_stored) {
    pending.batch.put_open_session({conv.row.id, form, {}});
    conv.session_stored = std::move(form);
  }
}

void Engine::Impl::session_load(Conv& conv) {
  auto stored = store.get_open_session(conv.row.id);
  if (!stored.ok()) {
    if (stored.error().code != ErrorCode::kNotFound) {
      spdlog::warn("engine: conversation {}: cannot read its analytics session ({})", conv.row.id,
                   stored.error().message);
    }
    return;
  }
  auto parsed = json::parse(stored->state_json);
  auto session = parsed.ok() ? analytics::Session::from_json(*parsed, conv.row.updated)
                             : Result<analytics::Session>(parsed.error());
  if (!session.ok()) {
    spdlog::warn(
        "engine: conversation {}: its analytics session is unreadable ({}); it starts "
        "a new one",
        conv.row.id, session.error().message);
    conv.session_stored = stored->state_json;  // replaced or deleted by the next batch
    return;
  }
  conv.session = std::move(*session);
  conv.session_stored = stored->state_json;
}

void Engine::Impl::end_idle_sessions(TimePoint idle_before, std::size_t limit,
                                     const Callback<std::size_t>& done) {
  // In memory: the conversation's own session decides.
  std::vector<std::string> idle;
  for (const auto& [id, conv] : conversations) {
    if (conv->runtime && conv->session.open() && conv->session.last() < idle_before) {
      idle.push_back(id);
    }
  }
  auto ended = std::make_shared<std::size_t>(0);
  auto end_in_memory = [this, idle_before, ended](Conv& conv) {
    if (!conv.runtime || !conv.session.open() || conv.session.last() >= idle_before) {
      return;  // it moved on meanwhile
    }
    Pending pending;
    session_end(conv, pending);
    session_store(conv, pending);
    ++*ended;
    submit(conv, std::move(pending));
  };
  for (const auto& id : idle) {
    with_conversation(id, end_in_memory, [](const Error&) {});
  }
  // Only in the store: its stored form and row decide, without loading the dialog.
  auto stored = store.open_sessions_idle_before(idle_before, limit);
  if (!stored.ok()) {
    done(stored.error());
    return;
  }
  for (const store::OpenSession& open : *stored) {
    if (conversations.count(open.conversation_id) != 0) {
      continue;  // in memory: handled above, or active again
    }
    auto row = store.get_conversation(open.conversation_id);
    if (!row.ok() || store::is_erased(*row)) {
      continue;
    }
    std::unique_ptr<Conv> owned = make_conv(std::move(*row));
    Conv& conv = *owned;
    Pending pending;
    if (auto parsed = json::parse(open.state_json); parsed.ok()) {
      if (auto session = analytics::Session::from_json(*parsed, conv.row.updated); session.ok()) {
        conv.session = std::move(*session);
        session_end(conv, pending);
      }
    }
    pending.batch.delete_open_session(conv.row.id);
    const std::string id = conv.row.id;
    // It stands in memory, busy, until the batch completes: anything else for it queues behind
    // and then loads it afresh.
    lru.push_front(id);
    conv.lru = lru.begin();
    conversations.emplace(id, std::move(owned));
    pending.ack = [this, id](const Status&) { drop(id); };
    ++*ended;
    submit(*conversations.at(id), std::move(pending));
  }
  done(*ended);
}

void Engine::Impl::schedule_session_sweep() {
  using std::chrono::milliseconds;
  const auto interval = std::clamp<milliseconds>(options.session_timeout / 2, milliseconds(100),
                                                 std::chrono::minutes(1));
  session_sweep->expires_after(interval);
  session_sweep->async_wait(
      [weak = std::weak_ptr<Impl>(shared_from_this())](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || !self->session_sweep) {
          return;
        }
        self->end_idle_sessions(self->clock.now() - self->options.session_timeout,
                                store::kMaxPageSize, [](const Result<std::size_t>& ended) {
                                  if (!ended.ok()) {
                                    spdlog::warn("analytics: idle sessions not ended yet: {}",
                                                 ended.error().message);
                                  }
                                });
        self->schedule_session_sweep();
      });
}

}  // namespace baton::engine
