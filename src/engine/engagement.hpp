#pragma once
// Engagement: drives the pure hub::Hub from real events and acts on its decisions through the
// Engine. It is the "hub side" of a handoff: queueing, offers to agents' consoles, presence,
// assignment, agent messages, transfer, end (return to bot / close), wrap-up, supervisor views.
//
//   Engine ──EngineObserver──► Engagement ──hub::Input──► hub::Hub ──Decisions──► Engagement
//                                   │  (log durably, then act)                        │
//                                   ├─► Engine::change_ownership / post_notice / post_as_owner
//                                   └─► AgentSink::push (the agent API's WebSocket)
//
// Threading: runs on the ENGINE's strand (pass the same executor). Public methods may be called
// from any thread; they post to the strand and answer through their callback ON the strand.
//
// Durability: every hub input is appended to the store's hub log (op::AppendHubLog,
// hub::input_to_json) and applied to the Hub at once; its decisions are acted on only after the
// log write is durable, in order. Ticks (every tick_interval) are logged only when they yield
// decisions. start() replays the log, registers agents (hub.yaml, then the store's, which win),
// reconciles with the engine (a conversation the engine holds queued/offered/agent but the hub
// does not know is submitted again; one the hub holds but the engine has back with the bot or
// closed is cancelled in the hub; the engine's ownership is moved to what the hub says), then
// applies Recover{} (pending offers re-issued). Presence survives a restart like everything else.
//
// Agents: the store's agents are re-read every agent_refresh (new/changed → AgentRegistered,
// removed → AgentRemoved), so `baton agent add|remove` takes effect on a running server. An
// agent whose last sink detached and who does not attach again within disconnect_grace is set
// offline (its offers go to others).
//
// Customer texts: Queued/PositionUpdate texts (the hub rate-limits position updates per queue,
// position_update_interval) and "agent joined" / "transferred" texts are sent with
// Engine::post_notice. Every ownership move is an Engine::change_ownership fenced by the
// Ownership the Engagement last saw for that conversation.
//
// After the agent: end(kReturnToBot) resumes the dialog with `completed` (the End of
// conversation topic runs the survey); end(kClose) closes the conversation. Either way the
// agent's capacity is held by the wrap-up until wrap_up_done (or the queue's max wrap-up).

#include <boost/asio/any_io_executor.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activity/activity.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "engine/engine.hpp"
#include "hub/config.hpp"
#include "hub/hub.hpp"
#include "store/store.hpp"

namespace baton::engine {

// Receives pushes for one attached agent console (one WebSocket). Called on the engine strand:
// must not block (queue and return). Messages are JSON objects exactly as docs/AGENT_API.md
// describes under "Stream messages" (type: offer, offer_withdrawn, assigned, unassigned,
// presence, activity, conversation, transfer_failed, supervisor, ...).
class AgentSink {
 public:
  virtual ~AgentSink() = default;
  virtual void push(const boost::json::object& message) = 0;
  // The agent was removed or its session revoked: no more pushes follow; close the socket.
  virtual void closed(std::string_view reason) = 0;
};

// What the customer is told besides the queue texts of hub.yaml. `{agent}` is replaced by the
// agent's display name.
struct EngagementTexts {
  std::string joined;        // an agent accepted: "{agent} joined the chat."
  std::string transferring;  // the agent transferred the conversation
  std::string closed;        // the agent or a supervisor closed the conversation
};

// Built-in texts for a bot language ("de-de" → German; anything else → English).
EngagementTexts default_engagement_texts(std::string_view language);

struct EngagementOptions {
  Millis tick_interval{1000};
  Millis agent_refresh{2000};
  Millis disconnect_grace{60000};
  std::optional<EngagementTexts> texts;  // nullopt: default_engagement_texts(the bot's language)
};

// The hub configuration for a bot directory: `hub.yaml` (or `hub.yml`) beside the bot when
// present, else the built-in default (one queue "general", 30 s offers, English texts).
// Errors: kInvalidArgument whose message lists every diagnostic as "file:line:col: error: ...",
// one per line.
Result<std::shared_ptr<const hub::HubConfig>> load_engagement_config(
    const std::filesystem::path& bot_dir);

// --- JSON shapes of docs/AGENT_API.md, shared with the agent API (src/channels/agent).
// ConversationSummary: {id, state, queue, agent, offeredTo, waitedMs, position, priority, reason}.
boost::json::object conversation_summary_json(const hub::ConversationView& view);
// Queue: {name, waiting, offered, longestWaitMs, open, agentsOnline, agentsAvailable,
// averageHandleTimeMs, estimatedWaitMs}.
boost::json::object queue_json(const hub::QueueView& view);
// AgentStatus: {id, displayName, role, presence, load, capacity, conversations, offers}.
boost::json::object agent_status_json(const hub::AgentView& view);
// Agent: {id, displayName, role, skills, capacity}.
boost::json::object agent_json(const hub::Agent& agent);
// One transcript Entry {seq, part, sender, kind, internal, activity} for a stored activity (its
// JSON text). part: "bot" when seq <= handoff_seq (0 = no handoff: everything is "bot"), else
// "live". sender, from fields only the server sets: customer (from.role "user", which the engine
// writes on every customer activity, whatever the client sent), else agent (from.id "agent:…"),
// bot (other bot-side messages), system (the server's events, traces, endOfConversation, ...).
// kind: "message", "note" (an agent's internal note: sender agent and the event baton.note), or
// "event" (anything else). internal: a line of the server's that the customer never saw (events,
// notes, traces); never true for what the customer sent, so a customer's event cannot pass for a
// note or a system line. Unparsable JSON gives activity null, sender system, kind event, internal.
boost::json::object transcript_entry(std::uint64_t seq, std::string_view activity_json,
                                     std::uint64_t handoff_seq);

// Who is calling: the logged-in agent (from the API's session). Supervisors and admins see and
// may monitor / force-close every conversation; agents only those offered or assigned to them.
struct Actor {
  std::string agent_id;
  hub::Role role = hub::Role::kAgent;
};

enum class EndMode { kReturnToBot, kClose };

// What the console shows for one conversation: the context panel and the hub's view of it.
struct ConversationDetail {
  hub::ConversationView hub;      // state, queue, agent, offered_to, waited, position, priority,
                                  // reason, transfer_note, context
  std::string handoff_id;         // the open (or last) handoff record
  std::string agent_message;      // the bot's private message for the agent (va_AgentMessage)
  boost::json::object variables;  // user variables (from the handoff context, non-va_ keys)
  std::uint64_t handoff_seq = 0;  // seq of the handoff.initiate activity: bot part <= it < live
  Ownership ownership;
};

class Engagement : public EngineObserver {
 public:
  // `engine`, `store`, `clock` must outlive this object (destroy it before the Engine);
  // `executor` is the engine's strand. Registers itself as the engine's observer (and removes
  // itself in the destructor). Nothing happens until start().
  Engagement(boost::asio::any_io_executor executor, Engine& engine, store::Store& store,
             std::shared_ptr<const hub::HubConfig> config, const Clock& clock,
             EngagementOptions options = {});
  ~Engagement() override;
  Engagement(const Engagement&) = delete;
  Engagement& operator=(const Engagement&) = delete;

  // Replay, agents, reconcile, Recover, timers (see above). Errors: kIo (store), kInternal
  // (a logged input no longer applies: logged, replay continues).
  void start(Callback<bool> done);
  // Cancels timers; sinks are closed("shutdown"). Idempotent.
  void stop();
  // The periodic work, now: a hub Tick (logged only when it yields decisions), the agent refresh
  // when agent_refresh passed (by the Clock), disconnect grace, the supervisor push. The timer
  // calls it every tick_interval; tests call it after advancing their clock.
  void tick(Callback<bool> done);

  // --- agent console (every call checks the actor may do it: kForbidden / kNotFound)
  // The body of GET /api/agent/me (and of the stream's hello, without "type"): {agent, presence,
  // offers: [Offer], conversations: [ConversationSummary]}. Errors: kNotFound (unknown agent).
  void me(const Actor& actor, Callback<boost::json::object> done);
  // Attaches a sink; it first receives a "hello" message (presence, offers, conversations).
  void attach(const Actor& actor, std::shared_ptr<AgentSink> sink, Callback<std::uint64_t> done);
  void detach(const std::string& agent_id, std::uint64_t attachment);

  void set_presence(const Actor& actor, hub::Presence presence, Callback<bool> done);
  void accept(const Actor& actor, const std::string& conversation, std::uint64_t offer_id,
              Callback<bool> done);
  void decline(const Actor& actor, const std::string& conversation, std::uint64_t offer_id,
               Callback<bool> done);
  // A message (type message: text/attachments) or typing from the owning agent to the customer.
  void send(const Actor& actor, const std::string& conversation, activity::Activity activity,
            Callback<PostResult> done);
  // A private note: stored as an event activity (name "baton.note"), never shown to customers.
  void note(const Actor& actor, const std::string& conversation, std::string text,
            Callback<PostResult> done);
  // Exactly one of to_queue / to_agent.
  void transfer(const Actor& actor, const std::string& conversation, std::string to_queue,
                std::string to_agent, std::string note, Callback<bool> done);
  void end(const Actor& actor, const std::string& conversation, EndMode mode, Callback<bool> done);
  void wrap_up_done(const Actor& actor, const std::string& conversation, Callback<bool> done);
  // Supervisor/admin only: closes the conversation whoever owns it (queued, offered, agent).
  // The customer gets the closed text and an endOfConversation; an owning agent gets
  // `unassigned` {cause closed} and its slot back at once.
  void force_close(const Actor& actor, const std::string& conversation, Callback<bool> done);
  // Supervisor/admin only: `activity` pushes of this conversation to the actor's sinks
  // (on = false stops them). Errors: kForbidden, kNotFound (unknown conversation).
  void monitor(const Actor& actor, const std::string& conversation, bool on, Callback<bool> done);

  // --- views
  // Conversations the actor may see (agents: offered/assigned/wrap-up to them; supervisors: all
  // the hub holds).
  void conversations(const Actor& actor, Callback<std::vector<hub::ConversationView>> done);
  void detail(const Actor& actor, const std::string& conversation,
              Callback<ConversationDetail> done);
  // Supervisor/admin only.
  void queues(const Actor& actor, Callback<std::vector<hub::QueueView>> done);
  void agents(const Actor& actor, Callback<std::vector<hub::AgentView>> done);
  // Whether the actor may read this conversation's transcript (offered/assigned/wrap-up to them,
  // or supervisor). Conversations no longer in the hub: supervisors only.
  void may_read(const Actor& actor, const std::string& conversation, Callback<bool> done);

  // --- EngineObserver (called by the engine on the strand)
  std::function<void(Status)> handoff_requested(const std::string& conversation_id,
                                                const store::HandoffRecord& record,
                                                const dialog::HandoffRequest& request,
                                                Ownership now, store::WriteBatch& batch) override;
  void handoff_cancelled(const std::string& conversation_id, Ownership now) override;
  void customer_activity(const std::string& conversation_id, std::string_view type) override;

  struct Impl;  // internal (engagement_impl.hpp); public only so the .cpp helpers can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace baton::engine
