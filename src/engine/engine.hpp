#pragma once
// Engine: the single writer of conversation state. Entry point of src/engine (see README.md); its
// edge with the engagement layer (events out, commands in) is edge.hpp.
//
// For every conversation it owns the dialog::Runtime, the sequence allocator (sequence numbers are
// Direct Line watermarks, activity ids are "<conversationId>|<seq, 7+ digits>"), the ownership
// state machine (ownership.hpp) and the subscribers. A customer activity is stamped, given to the
// owner (the bot), and the activity, the bot's replies, any handoff record/event, the ownership
// change, the dialog snapshot and the conversation row go to the store as ONE WriteBatch. Only
// after the store reports it durable is the caller acknowledged and are subscribers fed.
//
// Threading: every piece of engine state lives on one strand (the executor given to the
// constructor). Public methods may be called from any thread: they post to the strand and answer
// through their callback, which runs ON the strand and must return quickly (e.g. hand a response to
// a server Responder). Store callbacks (writer thread) only post back to the strand, so no I/O
// thread ever waits for an fsync. Store reads (loading a conversation, replaying a subscription)
// run synchronously on the strand: they are short WAL reads, never syncs.
//
// Durability contract: a callback reporting success means everything the turn produced is on disk.
// A failed write reports the error, drops the conversation from memory and reloads it from the
// store on next access, so memory never diverges from disk.
//
// Memory: at most EngineOptions::max_loaded_conversations runtimes stay in memory (LRU; idle ones
// are evicted and reload on demand). Subscriptions do not pin a conversation in memory.
//
// Lifetime: destroy the Engine only after its executor stopped running handlers and the store was
// closed (callbacks still queued are then dropped, never run against a dead engine).

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "activity/activity.hpp"
#include "analytics/session.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/result.hpp"
#include "dialog/handoff.hpp"
#include "dialog/runtime.hpp"
#include "engine/edge.hpp"
#include "engine/ownership.hpp"
#include "store/store.hpp"

namespace baton::engine {

// "<conversationId>|<seq zero-padded to 7 digits>" (more digits past 9,999,999).
std::string make_activity_id(std::string_view conversation_id, std::uint64_t seq);
// The seq of an id made by make_activity_id for `conversation_id`; nullopt otherwise.
std::optional<std::uint64_t> parse_activity_seq(std::string_view activity_id,
                                                std::string_view conversation_id);

// A handoff's transcript (the handoff.initiate event's Transcript attachment and the stored
// request's `transcript`) holds the newest activities whose JSON fits in this many characters;
// the request says `transcriptTruncated` when older ones were left out (they stay in the
// conversation's log, where the agent console reads the whole history). Bot Framework limits a
// serialized activity to 256K characters (150K recommended; docs/PROTOCOLS.md §1.6), and the event
// carries the context besides. It also bounds the work a handoff in a long conversation does on
// the engine's strand (docs/BENCHMARKS.md, "Handoffs in long conversations").
inline constexpr std::size_t kTranscriptBudget = std::size_t{128} * 1024;

// Who may see an activity. Customers see messages, endOfConversation and (live only) typing;
// events (handoff.*, startConversation, ...), trace and everything else are internal.
enum class Audience : std::uint8_t { kCustomer, kCustomerLiveOnly, kInternal };
Audience audience_of_type(std::string_view activity_type);

// One stored activity as subscribers receive it. `json` is the exact text stored, shared by every
// subscriber (never copied per subscriber).
struct Delivery {
  std::uint64_t seq = 0;
  std::shared_ptr<const std::string> json;
  Audience audience = Audience::kInternal;
};

// Receives a conversation's activities in seq order, without gaps or duplicates, from the
// watermark it subscribed at. Called on the engine strand: must not block (queue and return).
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // One committed batch (or a replay page); never empty.
  virtual void deliver(const std::vector<Delivery>& activities) = 0;
  // Another subscription took this one's slot (Direct Line: one socket per conversation). No more
  // deliveries follow.
  virtual void replaced() = 0;
  // The conversation was erased (Engine::erase_conversation): no more deliveries follow; close
  // whatever shows it.
  virtual void erased() = 0;
};

struct EngineOptions {
  std::string channel_id = "directline";
  std::size_t max_loaded_conversations = 10000;   // runtimes kept in memory (LRU)
  std::size_t max_waiting_per_conversation = 64;  // operations queued behind an in-flight write
  // Whether this engine's channel supports live chat (hub.yaml live_chat_channels). false: every
  // handoff takes the dialog's unsupported-channel path at once and never reaches the hub.
  bool live_chat_supported = true;
  // Analytics: a conversation's session ends after this long without any activity
  // (analytics/session.hpp; `baton serve --session-timeout`).
  Millis session_timeout = analytics::kDefaultSessionTimeout;
  // The bot is external (bot::Bot::external, docs/EXTERNAL_BOTS.md): the dialog runtime never
  // runs (no greeting, no answers); what the bot must see goes to the bot sink (set_bot_sink) and
  // its answers come back through post_bot_reply.
  bool external_bot = false;
};

// An external bot's answer (EngineOptions::external_bot), as its Connector API call carried it.
struct BotReply {
  std::string conversation;
  activity::Activity activity;
};

// What an external bot is sent, after the batch holding it is durable, in commit order per
// conversation: a `conversationUpdate` (membersAdded: the user and the bot) when a conversation
// is created (not stored), each customer activity but typing while the bot owns the conversation,
// and every `handoff.status` event (from the user's side, to the bot). Called on the strand: must
// not block.
using BotSink = std::function<void(const activity::Activity&)>;

// Parameters of a new conversation.
struct StartParams {
  std::string conversation_id;  // chosen by the channel (e.g. pre-assigned in a token)
  activity::ChannelAccount user;
  std::string locale;
  bool greet = false;  // run the Greeting topic now (the user is known)
};

struct StartResult {
  bool created = false;         // false: it existed already (nothing was written)
  std::uint64_t watermark = 0;  // last durable seq after this call
};

// What Engine::erase_conversation removed.
struct ErasedConversation {
  std::string id;
  std::uint64_t activities = 0;  // the activity log's length when it was erased
};

struct PostResult {
  std::string id;
  std::uint64_t seq = 0;
};

// What the engine has done since it was built, for operators (GET /metrics).
struct EngineStats {
  // Customer activities (post_activity) acknowledged durable.
  std::uint64_t turns = 0;
  // Those turns by how long each took, from the post_activity call to its acknowledgement (the
  // wait for a busy conversation, the bot's turn and the durable commit), in seconds
  // (metrics::kLatencyBuckets).
  metrics::HistogramSnapshot turn_seconds;
};

// A conversation's header as the engine sees it (durable state).
struct ConversationStatus {
  std::string id;
  std::string user_id;
  std::string channel_id;
  Ownership ownership;
  dialog::FlowState flow = dialog::FlowState::kActive;
  std::uint64_t watermark = 0;  // last durable seq
  std::string open_handoff_id;  // "" when none
  TimePoint created{};
  TimePoint updated{};
};

// Receives the engine's events (edge.hpp) on the strand, after the batch each reports is durable,
// in commit order (within one batch, in the order they happened). Must not block: queue work, or
// call the Engine, whose methods only queue.
class EngineListener {
 public:
  virtual ~EngineListener() = default;
  virtual void on_event(const EngineEvent& event) = 0;
};

// Records another module commits in the SAME transaction as the customer's turn that requests a
// handoff (the engagement hub's own record of the submission, so the hub never knows a handoff
// the store does not, nor the reverse; and what it measured of it), and what to tell it once that
// transaction committed (ok) or failed.
struct HandoffCommit {
  std::vector<store::HubLogRecord> hub_log;
  std::vector<store::AnalyticsCell> cells;  // the hub's measurements of the submission
  std::function<void(Status)> committed;    // may be empty
};

// Called on the strand while the escalating turn is being built: nothing of it is stored yet.
// Not called for handoffs the dialog resolved in the same turn (unsupported channel, ...).
using HandoffHook = std::function<HandoffCommit(const HandoffRequested&)>;

// Asked on the strand while a customer's turn runs, at a handoff node on a live-chat channel:
// can the queue this handoff would route to take it now? nullopt = yes (the handoff waits);
// otherwise the dialog takes the unavailable path at once with the answer's reason and text.
// `user` is the conversation's user id, `language` the customer's language (as
// HandoffRequested::language). Must not block. Without a hook, the SetAgentsOnline flag decides
// (reason no_agents).
using AvailabilityHook = std::function<std::optional<dialog::HandoffUnavailable>(
    const std::string& conversation, const std::string& user, const std::string& language,
    const dialog::HandoffRequest&)>;

using SubscriptionId = std::uint64_t;

template <class T>
using Callback = std::function<void(Result<T>)>;

class Engine {
 public:
  // `store`, `clock` must outlive the engine; `bot` is shared read-only. `executor` should be a
  // strand (or a one-thread executor): the engine never runs two of its handlers at once only if
  // the executor guarantees it, so pass asio::make_strand(...).
  Engine(boost::asio::any_io_executor executor, store::Store& store,
         std::shared_ptr<const dialog::CompiledBot> bot, const Clock& clock,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Creates the conversation (row + snapshot, and the greeting when params.greet) or, when it
  // exists, reports created=false. Errors: kInvalidArgument (bad id), kIo/kUnavailable (store).
  void start_conversation(StartParams params, Callback<StartResult> done);

  // A customer activity. The engine stamps id, timestamp, channelId, conversation, from.role
  // "user" (and from.id = the conversation's user when empty), keeps channelData; runs the bot when
  // it owns the conversation (while queued/paused the runtime still sees it and only answers a
  // cancel). Errors: kNotFound (unknown conversation), kInvalidArgument/kTooLarge (validation),
  // kConflict (conversation closed), kUnavailable (too many waiting, store queue full), kIo.
  void post_activity(std::string conversation_id, activity::Activity activity,
                     Callback<PostResult> done);

  // --- commands (edge.hpp)

  // An activity from the agent who owns the conversation, refused with kConflict unless it is
  // still at `expected_epoch` with an agent owner. Recorded in the dialog transcript.
  void post_as_owner(PostAsOwner command, Callback<PostResult> done);

  // A message from the bot's side that is not a dialog turn: queue position updates, "an agent
  // joined" texts from the hub, agents' notes. Stamped like a bot reply (from = the bot unless
  // activity.from.id is set), recorded in the dialog transcript (typing excepted), written in its
  // own batch. Allowed in every state but closed (kConflict). Errors as post_activity.
  void post_notice(PostNotice command, Callback<PostResult> done);

  // An external bot's answer (EngineOptions::external_bot). A message (or any activity but the
  // ones below) is stamped as the bot's reply (from = the bot, whatever the bot wrote; replyToId
  // kept), stored, fanned out. A `handoff.initiate` event (dialog::parse_handoff_initiate) opens
  // a handoff as a YAML bot's escalation does: its value is the routing context, its Transcript
  // attachment (else the stored history) the bot part; with live chat unsupported or nobody
  // online it is resolved at once (handoff.status failed to the bot). Errors: kNotFound,
  // kConflict (closed; an agent owns the conversation; a handoff already open;
  // not an external bot), kInvalidArgument/kTooLarge (validation), store errors.
  void post_bot_reply(BotReply reply, Callback<PostResult> done);

  // Moves ownership one step (the hub's decisions: offered, declined, accepted, requeued, handoff
  // ended, closed), refused with kConflict unless the conversation is still at
  // `expected_epoch`. Each transition is one batch with an `ownership.changed` event.
  //   kAccepted      the handoff record becomes "accepted"; a `handoff.status` {state accepted}
  //                  event activity is logged; the dialog stops answering cancels.
  //   kHandoffEnded  resumes the paused dialog with `outcome` and writes its replies; the
  //                  handoff record gets status = outcome and outcome_json {"outcome","agent"
  //                  (when given),"endedAt"}; `handoff.status` {completed} for kCompleted, else
  //                  {failed, message: outcome}.
  //   kClosed        ends an open handoff the same way (without resuming the dialog), appends an
  //                  endOfConversation activity for the customer (code "completedSuccessfully")
  //                  and closes the conversation: later posts get kConflict. Send any closing
  //                  text with post_notice first.
  // `end.agent` (may be "") is the agent id recorded in the ended handoff's outcome. With
  // `end.abandoned` set the handoff's status is "abandoned" (whatever the outcome the flow
  // resumes with) and its outcome gets {"abandoned": "left" | "silent"}. The answer is the new
  // ownership (also reported by an OwnershipChanged event).
  // Errors: kConflict (stale epoch or illegal transition), kNotFound, store errors.
  void change_ownership(ChangeOwnership command, Callback<Ownership> done);

  // Records the agent's wrap-up (RecordWrapUp) on the conversation's latest handoff, which must
  // have ended: its outcome_json gets "wrapUp": {"agent","disposition","note","at"} (the
  // disposition and note only when given; a second wrap-up replaces the first), and a disposition
  // adds the analytics cells of wrapup.disposition.<code> under the handoff's queue and the agent,
  // in the same batch. Allowed in every state, closed included (the survey that may follow sees
  // it: the batch is the conversation's next). Errors: kNotFound (unknown conversation),
  // kConflict (no handoff, or the latest one still open), store errors.
  void record_wrap_up(RecordWrapUp command, Callback<bool> done);

  // Whether any agent is online hub-wide (SetAgentsOnline). Applied to each conversation's dialog
  // before every customer turn and on load, so a handoff with nobody online takes the bot's
  // agents-offline path at once. Default: online (no hub driver: handoffs wait). Fire and forget;
  // takes effect for turns run after it.
  void set_agents_online(SetAgentsOnline command);

  // Feeds `subscriber` every activity with seq > after_watermark: first what is durable (read
  // from the store), then live batches as they commit, with no gap or duplicate. A subscription
  // in a non-empty `slot` replaces the one already in that slot (its replaced() is called).
  // Errors: kNotFound (unknown conversation), kIo.
  void subscribe(std::string conversation_id, std::uint64_t after_watermark, std::string slot,
                 std::shared_ptr<Subscriber> subscriber, Callback<SubscriptionId> done);
  // Ends a subscription; unknown ids are ignored. Fire and forget.
  void unsubscribe(std::string conversation_id, SubscriptionId id);

  // Erases everything stored under the conversation (activities, dialog snapshot, handoff records
  // and their requests, event log) and leaves its tombstone (store::erased_conversation), in one
  // batch. Once it is durable the conversation leaves memory, its subscribers get erased(), and
  // every later call naming it fails with kForbidden "ConversationErased" (start_conversation with
  // its id included). Refused with kConflict while a queue or an agent holds it: the engagement
  // closes it first. A bot-owned conversation is closed by the erasure itself (OwnershipChanged
  // to closed). Errors: kNotFound, kForbidden (already erased), store errors.
  void erase_conversation(std::string conversation_id, Callback<ErasedConversation> done);

  // Retention: deletes the conversation and everything stored under it, leaving no tombstone (its
  // tokens expired long ago; an id used again starts afresh), but only when nobody but the bot
  // holds it (with the bot or closed) and it was last updated before `idle_before` — checked
  // here, against what the engine holds now, not against an earlier read. Answers whether it was
  // deleted; subscribers get erased(). Errors: kNotFound, kForbidden (erased), store errors.
  void expire_conversation(std::string conversation_id, TimePoint idle_before, Callback<bool> done);

  // Retention of handoff records: deletes the conversation's ended handoffs (requests, contexts,
  // transcripts and outcomes) last updated before `ended_before`, in a write of its own queued
  // behind the conversation's; open ones stay, and so does the conversation. Answers how many
  // went. Errors: kNotFound, kForbidden (erased), store errors.
  void expire_handoffs(std::string conversation_id, TimePoint ended_before,
                       Callback<std::size_t> done);

  // Analytics: ends every open session idle since before `idle_before` (the session timeout ago),
  // those in memory and those only in the store (read from their stored form, without loading the
  // conversation), each in a batch of its own with its row and cells; answers how many it set
  // out to end (a conversation busy with a write ends its session right after). Reads at most
  // `limit` stored ones per call; call again while it answers `limit` or more.
  // Errors: store errors (sessions already ended stay ended).
  void end_idle_sessions(TimePoint idle_before, std::size_t limit, Callback<std::size_t> done);

  // Runs end_idle_sessions by itself, on the strand, every min(session_timeout / 2, 1 min) (at
  // least 100 ms) until stop_session_sweep() or the engine's destruction. Call once.
  void start_session_sweep();
  void stop_session_sweep();

  // The conversation's status. Errors: kNotFound, kIo.
  void status(std::string conversation_id, Callback<ConversationStatus> done);

  // Registers the listener of the engine's events and the handoff hook (nullptr / empty to
  // remove). Call before traffic starts; the listener must outlive the engine's use of it.
  void set_listener(EngineListener* listener);
  void set_handoff_hook(HandoffHook hook);
  void set_availability_hook(AvailabilityHook hook);
  // Where an external bot's deliveries go (BotSink); set before traffic starts.
  void set_bot_sink(BotSink sink);

  // Runtimes currently in memory (for tests and metrics). Callback on the strand.
  void loaded_count(std::function<void(std::size_t)> done);
  // Thread-safe, lock-free: read from any thread without waiting for the strand.
  EngineStats stats() const;

  // The bot this engine runs (immutable, shared). Thread-safe.
  const std::shared_ptr<const dialog::CompiledBot>& bot() const;

  struct Impl;  // internal (engine_impl.hpp); public only so the .cpp helpers can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace baton::engine
