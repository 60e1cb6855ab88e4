#pragma once
// Internal to src/hub: the Hub's state and the operations on it, split over hub_state.cpp
// (inputs), hub_assign.cpp (routing and offers), hub_timers.cpp (tick, recover, positions),
// hub_measures.cpp (measurements: spans), hub_views.cpp and hub_snapshot.cpp (the snapshot's JSON
// form). Not part of the module's contract.
//
// Data structures, chosen so that an assignment decision does not scan the waiting list:
// - every conversation has a submission sequence number `seq`; conversations live in a map by seq
//   (deterministic iteration) with an id → seq index;
// - each queue keeps its unassigned conversations in an order-statistics tree keyed by
//   (−priority, seq) (position = rank in O(log n)) and the subset not currently offered in an
//   ordered set with the same key (the next conversation for a freed agent = its first element);
// - each queue keeps the agents whose skills cover it, in id order (the candidates of a strategy);
//   each agent keeps the queues it covers (the queues to look at when it frees up).

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "hub/hub.hpp"

namespace baton::hub::detail {

using Key = std::pair<int, std::uint64_t>;  // (−priority, seq)
struct Conv;
// Ordered by Key, with rank queries (order_of_key) in O(log n); maps to the conversation.
using RankedMap = __gnu_pbds::tree<Key, Conv*, std::less<Key>, __gnu_pbds::rb_tree_tag,
                                   __gnu_pbds::tree_order_statistics_node_update>;

struct AgentState;

struct Conv {
  std::uint64_t seq = 0;
  std::string id;
  std::string user;  // the customer's user id ("" = unknown): agent affinity
  ConversationState state = ConversationState::kWaiting;
  boost::json::object context;
  std::string reason;
  std::string language;
  std::vector<std::string> skills;  // normalised
  std::optional<int> priority_hint;
  int priority = 0;
  std::size_t queue = 0;
  TimePoint submitted_at;
  TimePoint queued_at;  // entered the current queue (max_wait counts from here)
  TimePoint last_activity;
  TimePoint assigned_at;
  TimePoint ended_at;
  // Entered the queues unassigned: submission, or the transfer / requeue that put it back
  // (an overflow keeps it). Measures waits (measures.hpp).
  TimePoint waiting_since;
  bool assigned_once = false;  // handoff.accepted measures the first assignment only
  std::string agent;           // owner (assigned, wrap-up)
  // The current offer (state kOffered, or a transfer offer while kAssigned).
  std::string offer_agent;
  std::uint64_t offer_id = 0;
  TimePoint offer_expires;
  TimePoint offer_at;  // when the current (or last) offer was made
  bool offer_is_transfer = false;
  std::string transfer_note;
  std::set<std::string> declined;  // agents who declined or missed it
  // Last position update sent.
  int sent_position = 0;
  Millis sent_wait{-1};
  TimePoint sent_at;

  Key key() const { return Key{-priority, seq}; }
};

// An agent's open measurement spans (measures.hpp): from its first appearance, the value each
// quantity had when its span started, and since when. Between inputs the values equal the
// agent's (effective presence, load, online capacity): hub_measures.cpp settles every agent an
// input touched.
struct Spans {
  bool open = false;
  Presence presence = Presence::kOffline;
  TimePoint presence_since;
  int load = 0;
  TimePoint load_since;
  int capacity = 0;  // 0 while not online
  TimePoint capacity_since;
};

struct AgentState {
  Agent agent;
  Presence chosen = Presence::kOffline;
  int load = 0;
  int missed = 0;
  TimePoint idle_since;
  std::set<std::uint64_t> offers;   // conversation seqs
  std::set<std::uint64_t> owned;    // assigned or wrap-up
  std::vector<std::size_t> queues;  // queues whose skills it has, ascending
  Spans spans;

  bool online() const { return chosen == Presence::kAvailable || chosen == Presence::kBusy; }
  bool can_take() const { return chosen == Presence::kAvailable && load < agent.capacity; }
  Presence effective() const {
    return chosen == Presence::kAvailable && load >= agent.capacity ? Presence::kBusy : chosen;
  }
  int online_capacity() const { return online() ? agent.capacity : 0; }
};

struct QueueState {
  RankedMap unassigned;
  RankedMap waiting;                // unassigned and not offered right now
  std::vector<AgentState*> agents;  // in id order
  Millis average_handle_time{0};
  std::string round_robin_last;  // id of the last agent picked
};

// The agent who last had a user's conversation (agent affinity), and when: its assignment, then
// the end of its wrap-up. Kept while younger than the config's affinity_window.
struct Affinity {
  std::string agent;
  TimePoint at;
};

class HubState {
 public:
  explicit HubState(std::shared_ptr<const HubConfig> config);

  // Applies the input; appends its measures to *measures when not null (nothing on failure).
  Result<Decisions> apply(const Input& input, Measures* measures);

  // hub_state.cpp: one handler per input.
  Result<Decisions> on(const HandoffSubmitted& e);
  Result<Decisions> on(const HandoffCancelled& e);
  Result<Decisions> on(const CustomerActivity& e);
  Result<Decisions> on(const CustomerLeft& e);
  Result<Decisions> on(const AgentRegistered& e);
  Result<Decisions> on(const AgentRemoved& e);
  Result<Decisions> on(const PresenceSet& e);
  Result<Decisions> on(const OfferAccepted& e);
  Result<Decisions> on(const OfferDeclined& e);
  Result<Decisions> on(const TransferRequested& e);
  Result<Decisions> on(const ConversationEnded& e);
  Result<Decisions> on(const WrapUpDone& e);
  Result<Decisions> on(const Tick& e);
  Result<Decisions> on(const Recover& e);
  Result<Decisions> on(const SupervisorAssign& e);
  Result<Decisions> on(const SupervisorRequeue& e);
  Result<Decisions> on(const ExternalStatus& e);  // hub_external.cpp

  // hub_assign.cpp
  std::size_t route(const Conv& conv) const;
  // `first`: the handoff's first queue (measured as handoff.queued).
  bool enter_queue(Conv& conv, std::size_t queue, bool first, Decisions& out);
  // Why `queue` cannot take a conversation needing `skills` at `now`; nullopt = it can (open,
  // and an eligible agent online or the queue waits for one).
  std::optional<UnavailableCause> unavailable_cause(std::size_t queue,
                                                    const std::vector<std::string>& skills,
                                                    TimePoint now) const;
  // texts.unavailable in `conv`'s language (language_of), rendered.
  std::string unavailable_text(std::size_t queue, const Conv& conv) const;
  // The language `conv`'s customer texts are in: the handoff's language, else the context's
  // va_Language (the bot's language); "" → English (texts.hpp's pick_text).
  static std::string language_of(const Conv& conv);
  // The user's previous agent when it can take `conv` in `queue` now (affinity), else null.
  AgentState* affinity_agent(std::size_t queue, const Conv& conv);
  void remember_agent(const Conv& conv, const AgentState& agent);
  void prune_affinity();  // drops entries older than affinity_window
  void leave_unavailable(Conv& conv, std::size_t queue, UnavailableCause cause, Decisions& out);
  // A conversation of an external queue (waiting for its hub's answer, or accepted) is leaving
  // for `cause`: ExternalWithdrawn, so its hub is told. Nothing for other queues.
  void withdraw_external(const Conv& conv, ExternalLeave cause, Decisions& out) const;
  void try_offer(Conv& conv, Decisions& out);
  void dispatch(AgentState& agent, Decisions& out);
  void make_offer(Conv& conv, AgentState& agent, bool transfer, Decisions& out);
  // Frees the offer's slot, no re-route; `outcome` is how the offer ended (offer.declined, ...).
  AgentState* end_offer(Conv& conv, const char* outcome, Decisions& out);
  void offer_failed(Conv& conv, bool expired, Decisions& out);
  void assign(Conv& conv, AgentState& agent, Decisions& out);
  void release(Conv& conv, AgentState& agent, Decisions& out);
  void remove_conv(Conv& conv);  // `conv` is destroyed
  // `outcome`: handoff.cancelled or handoff.abandoned.
  void drop_unassigned(Conv& conv, RescindCause cause, Decision final_decision, const char* outcome,
                       Decisions& out);
  // hub_transfer.cpp: the owner of `conv` is released and it enters `queue` (the checks done).
  void owner_to_queue(Conv& conv, std::size_t queue, const std::string& note, const std::string& by,
                      Decisions& out);
  void transfer_failed(const Conv& conv, TransferFailCause cause, Decisions& out);
  void finish_wrap_up(Conv& conv, bool forced, Decisions& out);
  void add_load(AgentState& agent, int delta, Decisions& out);
  void rescind_agent_offers(AgentState& agent, RescindCause cause, Decisions& out);
  bool anyone_online(std::size_t queue, const std::vector<std::string>& skills,
                     std::string_view except) const;
  AgentState* pick_agent(std::size_t queue, const Conv& conv);

  // hub_measures.cpp. Measures go to sink_ (null: not measuring); the state they depend on
  // advances either way.
  void measure(const char* metric, std::string_view queue, std::string_view agent,
               Millis value = Millis{0});
  Millis since(TimePoint then) const;  // now_ − then, at least 0
  const std::string& queue_name(const Conv& conv) const { return qconf(conv.queue).name; }
  void touch(AgentState& agent) { touched_.push_back(&agent); }
  // After a successful input: the touched agents' changed spans end (and new ones start) at now_;
  // if now_ is in a later hour than `before`, every open span is cut at the hour boundaries.
  void settle_spans(TimePoint before);
  void close_spans(AgentState& agent);  // the agent is removed
  // Cuts the span [from, until) of `metric` at `rate` per ms at the hour boundaries, emitting
  // the pieces, and the rest as the span's end when `ends`; returns where the open rest starts.
  TimePoint cut_span(const AgentState& agent, const char* metric, int rate, TimePoint from,
                     TimePoint until, bool ends);
  void cut_spans(AgentState& agent, bool ends);

  // hub_timers.cpp
  void expire_offers(Decisions& out);
  void close_queues(Decisions& out);
  void check_waits(Decisions& out);
  void check_wrap_ups(Decisions& out);
  void retry_declined(Decisions& out);
  void update_positions(Decisions& out);
  struct QueueStats {
    int online_capacity = 0;  // Σ capacity of online agents with the queue's skills
    int free_capacity = 0;    // Σ free slots of agents who can take an offer
    int online = 0;
    int available = 0;
  };
  QueueStats stats(std::size_t queue) const;
  Millis estimate_wait(std::size_t queue, int position) const;
  Millis estimate_wait(const QueueStats& stats, std::size_t queue, int position) const;
  std::string render(const std::string& text, const Conv& conv, int position, Millis wait) const;
  int position_of(const Conv& conv) const;   // 1-based rank among unassigned
  int waiting_rank(const Conv& conv) const;  // 1-based rank among waiting (not offered)

  Conv* find_conv(std::string_view id);
  const Conv* find_conv(std::string_view id) const;
  AgentState* find_agent(std::string_view id);
  void link_agent(AgentState& agent);
  void unlink_agent(AgentState& agent);
  const QueueConfig& qconf(std::size_t queue) const { return config_->queues[queue]; }

  // hub_snapshot.cpp (the format and the rules: hub.hpp, Hub::snapshot / Hub::restore)
  boost::json::object snapshot() const;
  // Fills a HubState fresh from the constructor (config agents registered, nothing applied).
  // On error the state is half filled: discard it.
  Status restore(const boost::json::object& snapshot);

  std::shared_ptr<const HubConfig> config_;
  TimePoint now_{};
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_offer_id_ = 1;
  std::map<std::uint64_t, Conv> convs_;
  std::unordered_map<std::string, std::uint64_t> ids_;
  std::set<std::pair<TimePoint, std::uint64_t>> offer_deadlines_;  // (expires, seq) of offers
  std::map<std::string, AgentState, std::less<>> agents_;
  std::vector<QueueState> queues_;
  std::map<std::string, Affinity, std::less<>> affinity_;  // by user id
  // During apply() only:
  Measures* sink_ = nullptr;
  std::vector<AgentState*> touched_;  // agents whose spans may have changed (repeats allowed)
};

}  // namespace baton::hub::detail
