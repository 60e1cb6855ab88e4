#pragma once
// Internal to src/engine: the state behind Engagement, split over engagement.cpp (public API,
// the input pipeline), engagement_act.cpp (acting on hub decisions), engagement_agents.cpp
// (agents, sinks, presence grace, start/replay/reconcile) and engagement_views.cpp (permissions,
// views, JSON). Everything here runs on the engine strand only.

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

#include "engine/engagement.hpp"

namespace baton::engine {

// What the Engagement knows about one conversation it has seen in the hub.
struct Track {
  Ownership owner;     // the engine's ownership as last seen or predicted (fencing claim)
  bool known = false;  // `owner` is valid
  // From the open (or last) handoff record, loaded lazily.
  bool info_loaded = false;
  std::string handoff_id;
  std::string agent_message;
  std::uint64_t handoff_seq = 0;
  boost::json::object context;
  // Customer texts.
  std::set<std::string> past_agents;  // agents who owned or were offered it (stale writers)
  bool closing = false;               // force_close: the hub's Cancelled closes instead of resuming
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

struct Engagement::Impl : std::enable_shared_from_this<Engagement::Impl> {
  Impl(boost::asio::any_io_executor executor, Engine& engine, store::Store& store,
       std::shared_ptr<const hub::HubConfig> config, const Clock& clock, EngagementOptions options);

  // --- engagement.cpp: the input pipeline
  // Stamps and applies `event`; on success appends it to the hub log and, once durable and after
  // every earlier input, acts on the decisions and calls `then`. Hub errors go to `then` at once
  // (nothing logged). Ticks without decisions are not logged (`log_empty` false).
  // With `into`, the hub-log entry goes into that batch (the engine's, which the engine submits
  // right after this call, so inputs stay in log order) instead of a batch of its own, and the
  // returned function must be called with that batch's commit outcome (empty: nothing logged).
  std::function<void(Status)> input(hub::Event event,
                                    std::function<void(Result<hub::Decisions>)> then = {},
                                    bool log_empty = true, store::WriteBatch* into = nullptr);
  void drain();
  // Tells the engine whether any agent is online (available or busy) when that changed since
  // the last call (always on the first).
  void update_online();
  void schedule_tick();
  void tick();

  // --- engagement_act.cpp
  void act(const hub::Decisions& decisions);
  void act_one(const hub::Decision& decision);
  bool act_customer(const hub::Decision& decision);
  bool act_agent(const hub::Decision& decision);
  Track& track(const std::string& conversation);
  // Loads the conversation's handoff info (agent message, context, handoff seq) once.
  Track& info(const std::string& conversation);
  void load_info(Track& t, const store::HandoffRecord& record, const boost::json::object& request);
  // Moves the engine's ownership one step, fenced by the predicted claim; a refused move
  // re-reads the engine's status.
  void move(const std::string& conversation, OwnershipEvent event,
            dialog::HandoffOutcome outcome = dialog::HandoffOutcome::kCompleted,
            const HandoffEnd& end = {});
  // Moves the engine's ownership to what the hub says (waiting → queued, offered → offered,
  // assigned → agent). Conversations not in the hub or in wrap-up are left alone.
  void sync(const std::string& conversation);
  void to_bot(const std::string& conversation, dialog::HandoffOutcome outcome,
              const HandoffEnd& end = {});
  void close_conversation(const std::string& conversation, dialog::HandoffOutcome outcome,
                          const std::string& agent);
  void refresh_owner(const std::string& conversation);
  void notice(const std::string& conversation, std::string text);
  void ensure_view(const std::string& conversation, const std::string& agent);
  void drop_view(const std::string& conversation, const std::string& agent);
  // `batch`: log the submission in it (see input_into) and return its commit callback.
  std::function<void(Status)> submit_from_record(const store::HandoffRecord& record,
                                                 store::WriteBatch* batch = nullptr);

  // --- engagement_agents.cpp
  void push(const std::string& agent, const boost::json::object& message);
  void push_supervisors();
  void close_sinks(const std::string& agent, std::string_view reason);
  void refresh_agents(bool initial);
  // Whether the hub knows the agent, re-reading the store's agents first when it does not (an
  // agent added with `baton agent add` a moment ago logs in before the periodic refresh).
  bool ensure_agent(const std::string& agent_id);
  void check_grace();
  boost::json::object hello(const Actor& actor);
  boost::json::object offer_json(const hub::Offered& offer);
  std::string display_name(const std::string& agent) const;
  void start(const Callback<bool>& done);
  void replay();
  void reconcile();

  // --- engagement_views.cpp
  // kNotFound when the conversation is unknown (neither in the hub nor in the store), kForbidden
  // when the actor may not see it.
  Status check_read(const Actor& actor, const std::string& conversation);
  // The actor must own it (assigned): kConflict for a stale owner / earlier offer,
  // kForbidden otherwise, kNotFound when unknown.
  Status check_owner(const Actor& actor, const std::string& conversation);
  static bool supervisor(const Actor& actor) { return actor.role != hub::Role::kAgent; }

  boost::asio::any_io_executor executor;
  Engine& engine;
  store::Store& store;
  std::shared_ptr<const hub::HubConfig> config;
  const Clock& clock;
  EngagementOptions options;
  EngagementTexts texts;
  hub::Hub hub;
  boost::asio::steady_timer timer;
  bool started = false;
  bool stopped = false;
  bool dirty = true;                // something changed since the last supervisor push
  std::optional<bool> online_told;  // what update_online last told the engine

  std::deque<std::shared_ptr<Step>> steps;
  std::unordered_map<std::string, Track> tracks;
  std::unordered_map<std::string, std::vector<SinkEntry>> sinks;  // by agent id
  std::uint64_t next_sink = 1;
  std::unordered_map<std::string, TimePoint> detached_at;  // agents without a sink, since
  // Agents as last read from the store (routing facts + password hash) and as registered.
  std::map<std::string, store::AgentRecord> store_agents;
  std::map<std::string, hub::Agent> agents;
  TimePoint last_refresh{};
  // Activity subscriptions: conversation → agent → engine subscription.
  std::unordered_map<std::string, std::map<std::string, SubscriptionId>> views;
};

}  // namespace baton::engine
