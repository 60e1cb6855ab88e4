#pragma once
// Internal to src/engagement: the state behind Engagement, over these files —
//   pipeline.cpp        hub inputs: stamp, apply, log durably, act in order; the rebuild after a
//                       failed log write; the timer
//   ownership_sync.cpp  per conversation, the engine's reported ownership and the commands that
//                       move it toward the hub's decisions, one at a time
//   decisions.cpp       acting on the hub's decisions: customer texts, console events, views
//   agents.cpp          the agents' registry (hub.yaml and the store), consoles, disconnect grace,
//                       Hello and Offer, the supervisor view
//   startup.cpp         start(): restore the snapshot, replay the log, reconcile with the
//                       engine, Recover
//   compaction.cpp      the hub's snapshot and the trim of its log, when the hub is quiescent
//   edge.cpp            the engine's events and its handoff hook
//   console.cpp         the console's operations (accept, send, transfer, end, ...)
//   views.cpp           permissions and views
// Everything here runs on the engagement's strand only.

#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engagement/engagement.hpp"

namespace baton::engagement {
namespace detail {

// The store's meta key of the hub's snapshot (Hub::snapshot() as JSON text). The hub log holds
// the inputs applied after it; startup restores it, then replays them.
inline constexpr const char* kHubSnapshotKey = "hub.snapshot";

// An ownership move the engagement decided beyond following the hub's state: a handoff's end
// (with its outcome) or a close.
struct Move {
  engine::OwnershipEvent event = engine::OwnershipEvent::kHandoffEnded;
  dialog::HandoffOutcome outcome = dialog::HandoffOutcome::kCompleted;
  engine::HandoffEnd end;
  engine::HandoffRoute route = {};  // offered / accepted: from the hub's view of it
};

// What the engagement knows about one conversation.
struct Track {
  // The ownership the engine last reported (an OwnershipChanged event, a command's answer, its
  // status, or the store's row, which is what it committed); nullopt until known.
  std::optional<engine::Ownership> ownership;
  bool command_in_flight = false;  // one ChangeOwnership at a time, each from the last report
  std::deque<Move> moves;          // explicit moves, before following the hub's state
  // Run once the engine's ownership agrees with the hub (no command in flight, none to issue).
  std::vector<std::function<void()>> when_settled;
  // The open (or last) handoff, from the engine's HandoffRequested or its stored record.
  bool info_loaded = false;
  std::string handoff_id;
  std::string agent_message;
  std::uint64_t handoff_seq = 0;
  boost::json::object context;
  std::string language = {};  // the customer's (HandoffRequested::language): their texts' language
  std::set<std::string> past_agents;  // agents who owned or were offered it (stale writers)
  bool closing = false;               // force_close: the hub's Cancelled closes instead of resuming
  bool agent_told = false;  // the owning agent was told why it lost the conversation (closed,
                            // abandoned): the wrap-up's end adds no Unassigned{ended}
};

struct SinkEntry {
  std::uint64_t id = 0;
  Actor actor;
  std::shared_ptr<AgentSink> sink;
};

// One hub input whose log write is in flight; acted on in order once durable.
struct Step {
  std::string conversation;  // the conversation the input names ("" for agent-wide inputs)
  hub::Decisions decisions;
  bool durable = false;
  Status status;
  std::function<void(Result<hub::Decisions>)> then;
};

}  // namespace detail

struct Engagement::Impl : std::enable_shared_from_this<Engagement::Impl> {
  Impl(boost::asio::any_io_executor executor, engine::Engine& engine, store::Store& store,
       std::shared_ptr<const hub::HubConfig> config, const Clock& clock, EngagementOptions options);

  // --- pipeline.cpp
  // Stamps and applies `event`; on success appends it to the hub log and, once durable and after
  // every earlier input, acts on the decisions and calls `then`. Hub errors go to `then` at once
  // (nothing logged); while a rebuild is pending, kUnavailable. Ticks without decisions are not
  // logged (`log_empty` false).
  void input(hub::Event event, std::function<void(Result<hub::Decisions>)> then = {},
             bool log_empty = true);
  // The same for an input that commits in another's transaction (the engine's escalating turn):
  // the log record to add there and the function to call with that commit's outcome; nullopt
  // when the hub refused the input.
  std::optional<engine::HandoffCommit> input_in_turn(hub::Event event);
  void drain();
  // After a failed log write: a fresh hub from the durable log, agents, reconciliation, Recover.
  // Waits until no log write is in flight; retried by tick() while the store cannot be read.
  void rebuild();
  // Tells the engine whether any agent is online (available or busy) when that changed since
  // the last call (always on the first).
  void update_online();
  void schedule_tick();
  void tick();
  // Drops what is known of conversations the hub no longer holds and the engine has with the bot
  // or closed, with nothing in flight: the store has it all (track() and info() read it back).
  void forget_settled();

  // --- ownership_sync.cpp
  detail::Track& track(const std::string& conversation);
  // Takes an ownership the engine reported, when it is newer than what is known.
  void learn(const std::string& conversation, const engine::Ownership& ownership);
  // Issues the next command for the conversation, if none is in flight: its next explicit move,
  // else the step toward the hub's state (waiting → queued, offered → offered, assigned → agent).
  void advance(const std::string& conversation);
  // Runs `fn` once the engine's ownership of the conversation agrees with what the hub decided
  // (at once when it does already): e.g. an agent's first message after accepting waits for the
  // engine to give it the conversation, instead of guessing that it will.
  void when_settled(const std::string& conversation, std::function<void()> fn);
  // Explicit moves: back to the bot with an outcome (when a handoff is open), or closed.
  void to_bot(const std::string& conversation, dialog::HandoffOutcome outcome,
              const engine::HandoffEnd& end = {});
  void close_conversation(const std::string& conversation, dialog::HandoffOutcome outcome,
                          const engine::HandoffEnd& end);
  // The engine reports the conversation with the bot or closed while the hub still holds it
  // (the customer's cancel crossed an agent's accept): the hub lets it go (an owning agent's
  // slot is freed and the agent told Unassigned{abandoned}). Nothing when the hub does not hold
  // it or holds it in wrap-up.
  void let_go(const std::string& conversation);
  // Takes the conversation out of the hub and closes it in the engine (force-close, erasure):
  // waiting or offered → cancelled, and the hub's Cancelled closes it; assigned → ended and
  // wrap-up done, the agent told Unassigned{closed}; in wrap-up → with `end_wrap_up` the same,
  // else the wrap-up runs on; with an external hub → taken from it (HandoffCancelled{closed}: the
  // hub is told, ExternalWithdrawn), ended as completed, then closed; not in the hub → closed.
  // `then` gets the last hub input's answer once it is durable (at once when there was none).
  void release(const std::string& conversation, bool end_wrap_up,
               std::function<void(const Result<hub::Decisions>&)> then);
  // Whether the engine reports the conversation with an agent and the hub says it is `agent`'s.
  bool with_agent(const std::string& conversation, const std::string& agent);

  // --- decisions.cpp
  void act(const hub::Decisions& decisions);
  void act_one(const hub::Decision& decision);
  bool act_customer(const hub::Decision& decision);
  bool act_agent(const hub::Decision& decision);
  void notice(const std::string& conversation, std::string text);  // "" = nothing is sent
  // hub.yaml's notice of `kind` (joined, transferred, left, closed) in the conversation's
  // customer's language (Track::language), {agent} replaced by `agent`'s display name.
  std::string notice_text(const std::string& conversation, hub::TextKind kind,
                          const std::string& agent);
  // The agent's console gets the conversation's new activities (ActivityAdded).
  void ensure_view(const std::string& conversation, const std::string& agent);
  // Subscribes `view` live to the conversation under views[conversation][owner], whose slot must
  // already hold 0 (pending); the slot gets the id, or goes when the subscription fails. A slot
  // dropped meanwhile (drop_view) unsubscribes the late id.
  void subscribe_view(const std::string& conversation, const std::string& owner,
                      std::shared_ptr<engine::Subscriber> view);
  void drop_view(const std::string& conversation, const std::string& agent);
  // The open (or last) handoff's info, read from the store once when not known.
  detail::Track& info(const std::string& conversation);
  void learn_handoff(const engine::HandoffRequested& handoff);
  hub::HandoffSubmitted submission(const engine::HandoffRequested& handoff) const;

  // --- external.cpp (external queues' hubs)
  bool act_external(const hub::Decision& decision);
  std::optional<ExternalHubTarget> external_target(const std::string& queue) const;
  void send_initiate(const std::string& conversation, const std::string& queue);
  // The stored handoff.initiate of the conversation's open (or last) handoff; nullopt when it
  // cannot be read.
  std::optional<boost::json::object> read_initiate(const std::string& conversation);
  // Tells the queue's hub that Baton took the conversation back (the signed endOfConversation,
  // docs/EXTERNAL_HUBS.md), in order after what was sent to it before.
  void send_withdrawn(const hub::ExternalWithdrawn& withdrawn);
  // Every attempt to deliver the handoff failed: the hub's ExternalStatus{failed}, if it still
  // waits for that queue's answer.
  void external_failed(const std::string& conversation, const std::string& queue);
  // Forwards the customer's activities to the queue's hub (a subscription in `views`, keyed by
  // external_owner(queue)).
  void follow_external(const std::string& conversation, const std::string& queue);
  // kNotFound when the hub does not hold the conversation, kConflict when it is with another
  // queue, or (`owned`) not accepted by this one.
  Status check_external(const std::string& queue, const std::string& conversation, bool owned);

  // --- metrics.cpp
  // Counts the decisions acted on (EngagementMetrics); called by act() before it acts.
  void count(const hub::Decisions& decisions);

  // --- agents.cpp
  void push(const std::string& agent, const AgentEvent& event);
  void push_supervisors();
  void close_sinks(const std::string& agent, std::string_view reason);
  void refresh_agents(bool initial);
  // Whether the hub knows the agent, re-reading the store's agents first when it does not (an
  // agent added with `baton agent add` a moment ago logs in before the periodic refresh).
  bool ensure_agent(const std::string& agent_id);
  void check_grace();
  Hello hello(const Actor& actor);
  Offer offer(const hub::Offered& offered);
  std::string display_name(const std::string& agent) const;

  // --- startup.cpp
  void start(const Callback<bool>& done);
  // Replaces `hub` with one rebuilt from the store: the snapshot (meta kHubSnapshotKey) when there
  // is one, then the hub log's records after it. Counts them in logged_since_snapshot. Errors:
  // the store's (kIo, kUnavailable); kInvalidArgument when the snapshot is corrupt or does not
  // restore (never an empty hub instead).
  Status replay();
  // The engine's open conversations (the store's rows) against the hub's (see start()).
  Status reconcile();

  // --- compaction.cpp
  // Snapshots the hub and trims its log in one batch when the hub is quiescent (started, no step
  // in flight, no rebuild pending, no compaction in flight) and a compact() caller waits or
  // options.compact_after inputs were logged since the last snapshot (an automatic one at most
  // once per tick after a failure). Called where quiescence may begin: drain(), tick(), compact().
  void maybe_compact();
  // The compaction batch's outcome: `covered` inputs logged before it are no longer counted.
  void compacted(const Status& status, std::uint64_t covered);

  // --- views.cpp
  // kNotFound when the conversation is unknown (neither in the hub nor in the store), kForbidden
  // when the actor may not see it, kConflict when it was the agent's before.
  Status check_read(const Actor& actor, const std::string& conversation);
  // The actor must own it (assigned): kConflict for a stale owner / earlier offer,
  // kForbidden otherwise, kNotFound when unknown.
  Status check_owner(const Actor& actor, const std::string& conversation);
  static bool supervisor(const Actor& actor) { return actor.role != hub::Role::kAgent; }
  // What a supervisor's action on a conversation needs: kForbidden for agents, then check_read.
  Status check_supervisor_read(const Actor& actor, const std::string& conversation);

  boost::asio::any_io_executor executor;
  engine::Engine& engine;
  store::Store& store;
  std::shared_ptr<const hub::HubConfig> config;
  const Clock& clock;
  EngagementOptions options;
  std::unique_ptr<hub::Hub> hub;  // replaced whole by rebuild()
  boost::asio::steady_timer timer;
  bool started = false;
  bool stopped = false;
  bool rebuild_pending = false;     // a log write failed: the hub's memory is ahead of its log
  bool rebuilt_since_tick = false;  // drain() rebuilds at most once between two ticks
  bool dirty = true;                // something changed since the last supervisor push
  std::optional<bool> online_told;  // what update_online last told the engine

  std::deque<std::shared_ptr<detail::Step>> steps;
  std::uint64_t logged_since_snapshot = 0;  // hub log records after the stored snapshot
  bool compaction_in_flight = false;
  bool compaction_failed_since_tick = false;
  std::vector<Callback<bool>> compact_waiters;  // compact() callers, for the next compaction
  std::unordered_map<std::string, detail::Track> tracks;
  std::unordered_map<std::string, std::vector<detail::SinkEntry>> sinks;  // by agent id
  std::uint64_t next_sink = 1;
  std::unordered_map<std::string, TimePoint> detached_at;  // agents without a sink, since
  // Agents as last read from the store (routing facts + password hash) and as registered.
  std::map<std::string, store::AgentRecord> store_agents;
  std::map<std::string, hub::Agent> agents;
  TimePoint last_refresh{};
  // Activity subscriptions: conversation → agent → engine subscription (0 while pending).
  std::unordered_map<std::string, std::map<std::string, engine::SubscriptionId>> views;
  // Counted by count() and the decline's answer; read by Engagement::metrics(), on the strand.
  EngagementMetrics::Handoffs handoffs_counted;
  EngagementMetrics::Offers offers_counted;
  std::shared_ptr<ExternalHubSink> external_sink;  // null: external queues' handoffs fail
};

// The owner an external queue's hub writes as ("external:<queue>"): its messages' from.id, the
// handoff record's agent.
std::string external_owner(std::string_view queue);

}  // namespace baton::engagement
