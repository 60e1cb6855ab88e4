#pragma once
// Engagement: the hub side of a handoff. Entry point of src/engagement (README.md draws it). It
// owns the pure hub::Hub and its durable input log, the agents' registry and consoles, offers and
// assignment, queue texts, transfers, and the way back to the bot. It meets the engine only
// through the edge (engine/edge.hpp): it hears the engine's events, sends it commands fenced by
// the epoch the engine last reported, and adds its record of a handoff to the escalating turn's
// transaction through the engine's declared handoff hook.
//
//   Engine ──EngineEvent──► Engagement ──hub::Input──► hub::Hub ──Decisions──► Engagement
//      ▲                        │   (logged durably, then acted on, in order)        │
//      └──── EngineCommand ─────┴──── AgentEvent ──► AgentSink (the agent console's socket)
//
// Ownership: the engine's state machine is the one source of truth. The engagement keeps, per
// conversation, the ownership the engine last reported (OwnershipChanged, or a command's answer)
// and moves it toward what the hub decided, one command at a time; a refused command (stale
// epoch) is logged and the conversation's ownership re-read from the engine, never guessed.
//
// Threading: runs on the ENGINE's strand (pass the same executor): the engine calls its handoff
// hook synchronously while it builds the escalating turn, and its events on that strand. Public
// methods may be called from any thread; they post to the strand and answer through their
// callback ON the strand.
//
// Durability: every hub input is appended to the store's hub log and applied to the Hub at once;
// its decisions are acted on only after the log write is durable, in order. The log is cut at
// snapshots of the Hub (compact()), so a start restores the latest snapshot and replays only
// the inputs after it. When a write fails
// (a full disk, an unreachable database), the Hub's memory is ahead of its log: the engagement
// then rebuilds the Hub from the durable log (start()'s replay and reconciliation) before it
// takes more input, retrying every tick while the store cannot be read.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "activity/activity.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "engagement/agent_events.hpp"
#include "engagement/config.hpp"
#include "engagement/external_hub.hpp"
#include "engine/engine.hpp"
#include "hub/hub.hpp"
#include "store/store.hpp"

namespace baton::engagement {

template <class T>
using Callback = engine::Callback<T>;
// What send() and note() answer: the stored activity's id.
using PostResult = engine::PostResult;

struct EngagementOptions {
  Millis tick_interval{1000};
  Millis agent_refresh{2000};
  Millis disconnect_grace{60000};
  // Hub log records written since the last snapshot before the hub is snapshotted and its log
  // trimmed (once the hub is quiescent; see compact()); 0 = only when compact() asks.
  std::uint64_t compact_after = 10'000;
};

// Who is calling: the logged-in agent (from the API's session). Supervisors and admins see and
// may monitor / force-close every conversation; agents only those offered or assigned to them.
struct Actor {
  std::string agent_id;
  hub::Role role = hub::Role::kAgent;
};

enum class EndMode { kReturnToBot, kClose };

// What an agent records when it finishes a wrap-up: one of its queue's dispositions (hub.yaml)
// and a free note; both optional unless the queue has disposition_required.
struct WrapUp {
  std::string disposition;  // "" = none
  std::string note;         // "" = none (the agent API bounds it)
};

// What a console shows for one conversation beside its transcript (which the caller reads from
// the store itself, off the engagement's strand): the hub's view and the handoff's context.
struct ConversationAccess {
  std::optional<hub::ConversationView> hub;  // nullopt: the hub no longer holds it
  std::string handoff_id;                    // the open (or last) handoff record
  std::string agent_message;                 // the bot's private message (va_AgentMessage)
  boost::json::object context;               // va_* and the bot's variables
  std::uint64_t handoff_seq = 0;  // seq of the handoff.initiate activity: bot part <= it < live
};

// What the hub decided since this process started, and its queues and agents now, for
// operators (GET /metrics). Counted where the engagement acts on the hub's decisions, so after
// their input is durable, never for inputs replayed at start. Queue and presence names only: no
// conversation or agent ids.
struct EngagementMetrics {
  // Waits in a queue by how they ended: an agent accepted the conversation, the customer
  // cancelled (or a supervisor closed it), no agent could take it (out of hours, nobody online),
  // it waited past the queue's limit, the customer left or fell silent. A transfer to an agent
  // is not a new wait; one to a queue is (so is a requeue when the agent is removed). A handoff
  // the bot resolves before the hub sees it (nobody online when it escalates, a channel without
  // live chat) is the dialog's, not counted here.
  struct Handoffs {
    std::uint64_t accepted = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t unavailable = 0;
    std::uint64_t timed_out = 0;
    std::uint64_t abandoned = 0;
  };
  // Offers to agents: made, then each one accepted, declined, expired unanswered, or rescinded
  // (the customer went, the agent went away or was removed).
  struct Offers {
    std::uint64_t made = 0;
    std::uint64_t accepted = 0;
    std::uint64_t declined = 0;
    std::uint64_t expired = 0;
    std::uint64_t rescinded = 0;
  };
  struct Queue {
    std::string name;
    int waiting = 0;         // unassigned conversations, offered ones included
    Millis longest_wait{0};  // the longest of them has waited this long (0 when none)
  };
  Handoffs handoffs;
  Offers offers;
  std::vector<Queue> queues;  // every configured queue, in the hub's order
  // Agents the hub knows by their effective presence (busy includes available at capacity),
  // indexed by hub::Presence.
  std::array<int, 4> agents_by_presence{};
};

class Engagement final : public engine::EngineListener {
 public:
  // `engine`, `store`, `clock` must outlive this object (destroy it before the Engine). Registers
  // itself as the engine's listener and handoff hook (and removes itself in the destructor).
  // Nothing happens until start().
  Engagement(boost::asio::any_io_executor executor, engine::Engine& engine, store::Store& store,
             std::shared_ptr<const hub::HubConfig> config, const Clock& clock,
             EngagementOptions options = {});
  ~Engagement() override;
  Engagement(const Engagement&) = delete;
  Engagement& operator=(const Engagement&) = delete;

  // Replays the hub log, registers agents (hub.yaml, then the store's, which win), reconciles
  // with the engine's conversations (a handoff the engine holds but the hub does not know is
  // submitted again; one the hub holds but the engine has back with the bot or closed is
  // cancelled in the hub; the engine's ownership is moved to what the hub says), applies
  // Recover{} (pending offers re-issued) and starts the timer. Errors: kIo (store).
  void start(Callback<bool> done);
  // Cancels timers; sinks are closed("shutdown"); compact() callers still waiting get
  // kUnavailable. Idempotent.
  void stop();
  // Snapshots the hub into the store (meta "hub.snapshot") and deletes every hub log record
  // before it, in one batch, as soon as the hub is quiescent: no input's log write in flight
  // (including a handoff's, which commits in the engine's turn) and no rebuild pending. Then the
  // log holds nothing of conversations that left the hub before: what a caller erasing a
  // customer's data needs (delete the conversation first: a conversation still in the hub is in
  // the snapshot). The same happens by itself every EngagementOptions::compact_after logged
  // inputs. `done`: true once the batch is durable; the store's error when it failed (nothing
  // changed: the log is only longer); kUnavailable before start() or after stop(). A compaction
  // already in flight does not count: a new snapshot is taken after it.
  void compact(Callback<bool> done);
  // The periodic work, now: a hub Tick (logged only when it yields decisions), the agent refresh
  // when agent_refresh passed, disconnect grace, the supervisor push, a pending rebuild. The timer
  // calls it every tick_interval; tests call it after advancing their clock.
  void tick(Callback<bool> done);

  // --- agent consoles (each call checks the actor may do it: kForbidden / kNotFound;
  // kUnavailable while the hub is being rebuilt after a failed write)

  // What GET /api/agent/me answers (and the stream's Hello). Errors: kNotFound (unknown agent).
  void me(const Actor& actor, Callback<Hello> done);
  // Attaches a sink; it first receives a Hello.
  void attach(const Actor& actor, std::shared_ptr<AgentSink> sink, Callback<std::uint64_t> done);
  void detach(const std::string& agent_id, std::uint64_t attachment);

  void set_presence(const Actor& actor, hub::Presence presence, Callback<bool> done);
  void accept(const Actor& actor, const std::string& conversation, std::uint64_t offer_id,
              Callback<bool> done);
  void decline(const Actor& actor, const std::string& conversation, std::uint64_t offer_id,
               Callback<bool> done);
  // A message (text/attachments) or typing from the owning agent to the customer.
  void send(const Actor& actor, const std::string& conversation, activity::Activity activity,
            Callback<PostResult> done);
  // A private note: stored as an event activity named "baton.note", never shown to customers.
  void note(const Actor& actor, const std::string& conversation, std::string text,
            Callback<PostResult> done);
  // Exactly one of to_queue / to_agent.
  void transfer(const Actor& actor, const std::string& conversation, std::string to_queue,
                std::string to_agent, std::string note, Callback<bool> done);
  void end(const Actor& actor, const std::string& conversation, EndMode mode, Callback<bool> done);
  // Ends the actor's wrap-up. With a disposition or a note, the engine first records them on the
  // conversation's ended handoff (Engine::record_wrap_up: its outcome's "wrapUp", and the
  // disposition's analytics count). Errors: kInvalidArgument when the disposition is not one of
  // the conversation's queue's, or the queue requires one and none is given (nothing recorded,
  // the wrap-up goes on); kConflict/kNotFound when the actor is not wrapping it up.
  void wrap_up_done(const Actor& actor, const std::string& conversation, WrapUp wrap_up,
                    Callback<bool> done);
  void wrap_up_done(const Actor& actor, const std::string& conversation, Callback<bool> done) {
    wrap_up_done(actor, conversation, WrapUp{}, std::move(done));
  }
  // Supervisor/admin only: closes the conversation whoever owns it (queued, offered, agent).
  // The customer gets the closed text and an endOfConversation; an owning agent gets Unassigned
  // {closed} and its slot back at once.
  void force_close(const Actor& actor, const std::string& conversation, Callback<bool> done);
  // Admin only: a customer's erasure of one conversation. Takes it out of the hub whatever its
  // state (an owning or wrapping-up agent gets Unassigned{closed}; the customer the closed text),
  // then Engine::erase_conversation once the engine has it with the bot or closed.
  void erase(const Actor& actor, const std::string& conversation,
             Callback<engine::ErasedConversation> done);
  // Supervisor/admin only: ActivityAdded events of this conversation to the actor's sinks
  // (on = false stops them). Errors: kForbidden, kNotFound (unknown conversation).
  void monitor(const Actor& actor, const std::string& conversation, bool on, Callback<bool> done);

  // Supervisor/admin only (kForbidden): another agent's presence, as if the agent had chosen it
  // (PresenceSet). kNotFound for an agent the hub does not know (the store is re-read first).
  void set_agent_presence(const Actor& actor, const std::string& agent, hub::Presence presence,
                          Callback<bool> done);
  // Re-reads the store's agents now instead of at the next agent_refresh (after the agent API
  // added, changed or removed one). Fire and forget.
  void refresh_agents();

  // --- a supervisor's interventions (supervisors and admins: kForbidden for agents; kNotFound
  // for an unknown conversation; kConflict when it is not in a state that allows the action)

  // A message to the conversation's owning agent only: stored as an event activity named
  // "baton.whisper" ({"text","to": the owner}, from the supervisor), which the engine never
  // delivers to the customer. The conversation must be assigned (kConflict). kInvalidArgument
  // for empty text. The supervisor's consoles get the conversation's activities from then on.
  void whisper(const Actor& actor, const std::string& conversation, std::string text,
               Callback<PostResult> done);
  // A message to the customer from the supervisor (from.id "agent:<id>", the supervisor's display
  // name), written in the owning agent's session: fenced by the owner's epoch, so kConflict when
  // the conversation is not (or no longer) with an agent. The owner keeps it.
  void barge(const Actor& actor, const std::string& conversation, std::string text,
             Callback<PostResult> done);
  // The supervisor becomes the conversation's owner whatever their presence and capacity; the
  // previous agent gets Unassigned{taken_over}. Answered once the engine has moved ownership.
  void take_over(const Actor& actor, const std::string& conversation, Callback<bool> done);
  // Exactly one of to_queue / to_agent (kInvalidArgument). To an agent: a waiting, offered or
  // assigned conversation is given to them at once (hub::SupervisorAssign: they must be online
  // and below capacity, else kConflict saying why); its previous owner gets
  // Unassigned{reassigned}. To a queue: hub::SupervisorRequeue (kConflict when the queue is
  // closed or nobody online could take it). kConflict when the hub does not hold it or it is in
  // wrap-up. Answered once the engine agrees (to an agent) or the input is durable (to a queue).
  void reassign(const Actor& actor, const std::string& conversation, std::string to_queue,
                std::string to_agent, std::string note, Callback<bool> done);

  // --- views
  // Conversations the actor may see (agents: offered/assigned/wrap-up to them; supervisors: all
  // the hub holds).
  void conversations(const Actor& actor, Callback<std::vector<hub::ConversationView>> done);
  // The one permission check of a conversation read, with what the hub knows of it. Agents: the
  // conversation must be offered, assigned or in wrap-up to them (kForbidden otherwise, also when
  // it was theirs before); supervisors: any conversation the store has. kNotFound when unknown.
  void access(const Actor& actor, const std::string& conversation,
              Callback<ConversationAccess> done);
  // Supervisor/admin only.
  void queues(const Actor& actor, Callback<std::vector<hub::QueueView>> done);
  void agents(const Actor& actor, Callback<std::vector<hub::AgentView>> done);
  // For the operators' /metrics (no actor: the caller exposes it only to them). Never fails;
  // answers on the strand.
  void metrics(std::function<void(EngagementMetrics)> done);

  // --- external queues' hubs (docs/EXTERNAL_HUBS.md); the caller authenticated the request as
  // `queue`'s hub. Errors: kNotFound (the hub holds no handoff of that conversation), kConflict
  // (it is with another queue; for external_send: not accepted yet, or ended), kUnavailable
  // (the hub is being rebuilt).

  // Where the engagement sends external queues' handoffs. Set it before start(); without one,
  // a handoff routed to an external queue fails (unavailable).
  void set_external_sink(std::shared_ptr<ExternalHubSink> sink);
  // The hub's answer (hub::ExternalStatus): accepted, failed or completed; kConflict when the
  // state does not allow it (completed before accepted, accepted twice). Answered once durable.
  // `message` ("" = none) is kept with a failed or completed handoff: its record's outcome, the
  // handoff.status event, the bot's System.HandoffMessage.
  void external_status(const std::string& queue, const std::string& conversation,
                       hub::ExternalState state, std::string message, Callback<bool> done);
  // A message (or typing) from the external hub to the customer, written as the owner
  // ("external:<queue>", from.name as given, else the queue's name) in the owner's epoch.
  void external_send(const std::string& queue, const std::string& conversation,
                     activity::Activity activity, Callback<PostResult> done);

  // --- the engine's events (EngineListener), on the engine's strand
  void on_event(const engine::EngineEvent& event) override;

  struct Impl;  // internal (detail/state.hpp); public only so the .cpp helpers can name it

 private:
  void reassign(const Actor& actor, const std::string& conversation, std::string to_queue,
                std::string to_agent, std::string note, bool take_over, Callback<bool> done);

  std::shared_ptr<Impl> impl_;
};

}  // namespace baton::engagement
