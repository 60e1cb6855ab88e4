#pragma once
// The engagement hub: queues, routing, reservations (offers), presence and capacity, as a pure
// state machine. Entry point of src/hub (see README.md there).
//
// Inputs are events stamped with a time (events.hpp); each apply() returns the decisions the engine
// must act on. No I/O, no threads, no hidden clock: apply() reads time only from the Input, so
// given the same config and the same inputs the Hub makes the same decisions, byte for byte.
//
// Persistence by replay. The engine:
//   1. stamps an event with its Clock (`hub.stamp(event)`), appends the Input to its durable log,
//      then calls `hub.apply(input)` and acts on the decisions;
//   2. after a restart builds a fresh Hub with the same config and applies every logged Input in
//      order, ignoring the decisions (they were acted on before the crash);
//   3. then applies, and logs, `Recover{}` at the current time: offers still pending are re-issued
//      with a fresh timeout (Offered decisions to send again), customers' silence timers restart,
//      and the usual Tick work runs (expired max waits, closed queues, ...).
// Inputs that fail (an error Result) change nothing, so logging them or not makes no difference;
// the engine may log only successful ones.
//
// Snapshots bound the replay. `snapshot()` is the hub's whole state as JSON; `restore()` builds a
// Hub from it that decides exactly as the snapshotted one would from then on. So the log may be
// cut at a snapshot: store the snapshot and drop every input applied before it (atomically), and
// a restart restores the snapshot and replays only the inputs after it (step 2 above). Replay
// is then O(inputs since the snapshot + state).
//
// Rules in brief (details in docs/HUB.md):
// - Routing: the queue hint if it names a queue; else the first queue in routing order (priority,
//   then file order) whose `when` rule is true over the handoff context; else the default queue.
//   Out of hours, or no agent online with the skills → Unavailable at once, with its cause
//   (out_of_hours, no_agents, no_skilled_agents) and the queue's unavailable text; a queue with
//   wait_for_agent queues it anyway while open (offered when an agent comes online).
// - Affinity (config affinity_window): a conversation whose user last had agent A within the
//   window is offered to A first if A can take it now; otherwise the strategy picks.
// - One offer per conversation at a time, expiring after the queue's offer_timeout. Decline or
//   expiry → the next eligible agent; never again an agent who declined or missed it, unless no
//   other online agent could take it. N missed offers in a row → the agent is set away.
// - Eligible: presence available, load < capacity, skills ⊇ queue skills ∪ the request's skills.
//   Load counts offers, assigned conversations and wrap-ups. An available agent at capacity shows
//   as busy (PresenceChanged kCapacity) and as available again below it.
// - Order: a freed agent gets the waiting conversation with the highest priority, then the longest
//   wait (submission order), across all queues it serves. A new conversation goes to the agent the
//   queue's strategy picks among the eligible ones.
// - Estimated wait for the k-th waiting conversation of queue q (waiting = not being offered):
//   max(0, k − F) × AHT / S, rounded up to a whole minute, where F = free slots of agents of q
//   who can take an offer now, S = total capacity of online agents of q (1 when none),
//   AHT = the queue's moving average of handle times (assignment → wrap-up end, new sample
//   weighted 1/5, seeded with default_handle_time). The position shown is the rank among all
//   unassigned conversations of q (including those being offered).
//
// Thread safety: none; one owner (the engine's strand) calls everything. Cost: apply() for an
// assignment is O(agents of the queue) or O(queues of the agent × log waiting); Tick is
// O(conversations + agents).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "hub/config.hpp"
#include "hub/events.hpp"
#include "hub/measures.hpp"

namespace baton::hub {

namespace detail {
class HubState;
}  // namespace detail

// kExternal: an external queue's hub accepted it and owns it (no agent; docs/EXTERNAL_HUBS.md).
enum class ConversationState { kWaiting, kOffered, kAssigned, kWrapUp, kExternal };
const char* to_string(ConversationState state);

// Supervisor console views: snapshots by value, computed on demand.
struct QueueView {
  std::string name;
  int waiting = 0;  // unassigned conversations, including those being offered
  int offered = 0;  // of which currently offered to an agent
  Millis longest_wait{0};
  bool open = true;
  int agents_online = 0;     // available or busy, with the queue's skills
  int agents_available = 0;  // eligible for an offer right now
  Millis average_handle_time{0};
  Millis estimated_wait{0};  // for a conversation joining now
};

struct AgentView {
  std::string id;
  std::string display_name;
  Role role = Role::kAgent;
  Presence presence = Presence::kOffline;  // effective (busy at capacity)
  Presence chosen = Presence::kOffline;    // as the agent set it (or the hub, after missed offers)
  int load = 0;                            // offers + assigned + wrap-up
  int capacity = 1;
  int missed_offers = 0;                   // consecutive
  std::vector<std::string> conversations;  // assigned or in wrap-up, in submission order
  std::vector<std::string> offers;         // conversations offered to it
};

struct ConversationView {
  std::string id;
  ConversationState state = ConversationState::kWaiting;
  std::string queue;
  std::string agent;       // owner when assigned / in wrap-up
  std::string offered_to;  // agent holding the current offer (also for a transfer offer)
  Millis waited{0};        // submission → assignment, or → now while unassigned
  int position = 0;        // 1-based while unassigned, 0 otherwise
  int priority = 0;
  std::string reason;
  std::string transfer_note;
  boost::json::object context;
};

class Hub {
 public:
  // Registers config->agents (offline). `clock` is used only by stamp(); it must outlive the Hub.
  Hub(std::shared_ptr<const HubConfig> config, const Clock& clock);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // The event stamped with the clock's current time (whole milliseconds); log it (event_json.hpp),
  // then apply() it.
  Input stamp(Event event) const;

  // Applies one input. Errors change nothing: kNotFound (unknown conversation, agent or queue),
  // kConflict (duplicate conversation, stale offer, not the owner, wrong state), kInvalidArgument
  // (malformed input such as an empty id or a transfer with no or two targets).
  Result<Decisions> apply(const Input& input);

  // Applies the input as apply(input) does, and appends this input's measures (measures.hpp) to
  // *measures (nothing when the input fails; `measures` may be null: no measures). Measuring
  // state (open spans, offer and assignment times) advances identically with or without
  // `measures`, so a hub that replayed its log with apply(input) measures the next inputs exactly
  // as the uninterrupted one does.
  Result<Decisions> apply(const Input& input, Measures* measures);

  // stamp + apply, for callers that do not log (tests, tools).
  Result<Decisions> handle(Event event) { return apply(stamp(std::move(event))); }

  // What submitting `handoff` at `now` would decide about availability, without applying it:
  // the Unavailable decision (queue routed to, cause, the queue's unavailable text) when the
  // queue it routes to is closed or has no eligible agent online (and does not wait for one),
  // nullopt when it would be queued. Lets the bot take the unavailable path in the escalating
  // turn itself; apply() of the same handoff at the same time decides the same.
  std::optional<Unavailable> availability(const HandoffSubmitted& handoff, TimePoint now) const;

  // Offered decisions for every offer pending now (to show an agent who reconnects).
  Decisions pending_offers() const;

  std::vector<QueueView> queues(TimePoint now) const;
  std::vector<AgentView> agents(TimePoint now) const;
  std::vector<ConversationView> conversations(TimePoint now) const;  // in submission order
  std::optional<ConversationView> conversation(std::string_view id, TimePoint now) const;
  std::optional<AgentView> agent(std::string_view id, TimePoint now) const;

  // The time of the latest applied input.
  TimePoint now() const;
  const HubConfig& config() const;

  // The hub's complete state as a JSON object (format in hub_snapshot.cpp, "version": 2): its time,
  // counters (conversation seqs, offer ids), every conversation (context, queue by name, offer and
  // when it was made, owner, timers, agents who declined it, last position sent, whether it was
  // ever assigned), every agent (routing facts, presence as chosen, load, missed offers, idle
  // since, the starts of its measurement spans) and each queue's handle-time average and
  // round-robin cursor (by queue name). A restored hub measures as the snapshotted one would. What
  // follows from these (indexes, queue order, offer deadlines) is rebuilt by restore(). The same
  // state always gives the same object, key for key: restore() then snapshot() gives it back
  // identically. Times are kept to the millisecond, which is exact for inputs from stamp() or the
  // log's JSON. Cost: O(conversations + agents + the size of the contexts); the contexts are
  // copied.
  boost::json::object snapshot() const;

  // A Hub from a snapshot() of a hub, under `config` (which may differ from the config the
  // snapshot was taken under, e.g. after hub.yaml was edited). With the same config, the restored
  // hub answers every later input with the same decisions as the snapshotted one, and shows the
  // same views. A different config is reconciled by name:
  // - a queue's average and round-robin cursor go to the config's queue of the same name; a queue
  //   the config lacks is dropped, a new one starts from default_handle_time;
  // - a conversation whose queue the config lacks is routed again by the config's rules (hint
  //   ignored: rules, then the default queue) and takes that queue's priority unless its
  //   handoff set one; its state (waiting, offered, assigned, wrap-up) and offer are kept;
  // - the snapshot's agents keep presence, load and the routing facts they were last registered
  //   with, even where the config now says otherwise or no longer lists them (an agent the log
  //   registered stays, as under replay; to apply a changed config agent, register it again: the
  //   engagement does at every start); config agents the snapshot lacks are registered offline,
  //   as the constructor does; queue membership follows the config's queue skills.
  // Nothing is decided at restore (no decisions exist to return): the next input decides under
  // the new config, as after a replay — apply Recover{} as after a replay.
  // Version 1 snapshots (before measurements) are read too: a conversation's waiting and offer
  // times default to its submission and its offer's expiry less the queue's offer_timeout, and
  // agents not offline at the snapshot measure their spans from the snapshot's time.
  // Errors: kInvalidArgument naming the first bad field ("hub snapshot: conversations[3].queue:
  // missing") when the object is not a valid snapshot: an unsupported version, a missing field or
  // one of the wrong kind or range, a duplicate id, a conversation whose fields disagree with its
  // state, an offer or owner that is not among the snapshot's agents, an agent load that its
  // conversations do not add up to. Never crashes on any object.
  static Result<std::unique_ptr<Hub>> restore(std::shared_ptr<const HubConfig> config,
                                              const Clock& clock,
                                              const boost::json::object& snapshot);

 private:
  struct RestoreKey {
    explicit RestoreKey() = default;
  };

 public:
  // restore()'s: the state is already filled. Not callable elsewhere (RestoreKey is private).
  Hub(RestoreKey, const Clock& clock, std::unique_ptr<detail::HubState> state);

 private:
  const Clock& clock_;
  std::unique_ptr<detail::HubState> state_;
};

}  // namespace baton::hub
