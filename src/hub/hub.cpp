#include "hub/hub.hpp"

#include "hub/hub_state.hpp"

namespace baton::hub {

const char* to_string(ConversationState state) {
  switch (state) {
    case ConversationState::kWaiting:
      return "waiting";
    case ConversationState::kOffered:
      return "offered";
    case ConversationState::kAssigned:
      return "assigned";
    case ConversationState::kWrapUp:
      return "wrap_up";
    case ConversationState::kExternal:
      return "external";
  }
  return "waiting";
}

Hub::Hub(std::shared_ptr<const HubConfig> config, const Clock& clock)
    : clock_(clock), state_(std::make_unique<detail::HubState>(std::move(config))) {}

Hub::Hub(RestoreKey, const Clock& clock, std::unique_ptr<detail::HubState> state)
    : clock_(clock), state_(std::move(state)) {}

Hub::~Hub() = default;

Input Hub::stamp(Event event) const {
  // Whole milliseconds, so that the JSON form of the input (event_json.hpp) replays exactly.
  return Input{std::chrono::floor<Millis>(clock_.now()), std::move(event)};
}

Result<Decisions> Hub::apply(const Input& input) { return state_->apply(input, nullptr); }

Result<Decisions> Hub::apply(const Input& input, Measures* measures) {
  return state_->apply(input, measures);
}

std::optional<Unavailable> Hub::availability(const HandoffSubmitted& handoff, TimePoint now) const {
  detail::Conv conv;
  conv.id = handoff.conversation;
  conv.context = handoff.context;
  conv.reason = handoff.reason;
  conv.language = handoff.language;
  conv.skills = normalize_skills(handoff.skills);
  std::optional<std::size_t> queue;
  if (!handoff.queue_hint.empty()) {
    queue = state_->config_->find_queue(handoff.queue_hint);
  }
  if (!queue) {
    queue = state_->route(conv);
  }
  auto cause = state_->unavailable_cause(*queue, conv.skills, std::max(now, state_->now_));
  if (!cause) {
    return std::nullopt;
  }
  return Unavailable{handoff.conversation, state_->qconf(*queue).name, *cause,
                     state_->unavailable_text(*queue, conv)};
}

TimePoint Hub::now() const { return state_->now_; }

const HubConfig& Hub::config() const { return *state_->config_; }

Decisions Hub::pending_offers() const {
  Decisions out;
  for (const auto& [seq, conv] : state_->convs_) {
    if (!conv.offer_agent.empty()) {
      out.push_back(Offered{conv.id, conv.offer_agent, conv.offer_id, conv.offer_expires,
                            state_->qconf(conv.queue).name, conv.offer_is_transfer});
    }
  }
  return out;
}

}  // namespace baton::hub
