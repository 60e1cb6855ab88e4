#pragma once
// Internal to src/engine: the state behind Engine, split over engine.cpp (public API, queueing,
// commit completion), conversation.cpp (load/create, turns, batches) and subscriptions.cpp.
// Everything here runs on the engine strand only.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/session.hpp"
#include "engine/engine.hpp"

namespace baton::engine {

struct Conv;

// An operation waiting for a conversation's in-flight batch to complete.
struct WaitingOp {
  std::function<void(Conv&)> op;
  std::function<void(Error)> fail;
};

// One conversation in memory. Its fields run ahead of the store by at most one in-flight batch
// (`busy`); when that batch fails the whole object is dropped and reloaded, so there is no
// rollback.
struct Conv {
  store::Conversation row;  // the header as it will be after the in-flight batch
  std::unique_ptr<dialog::Runtime> runtime;
  Ownership ownership;
  std::uint64_t next_seq = 1;        // next activity seq to allocate
  std::uint64_t committed = 0;       // last durable activity seq
  std::uint64_t next_event_seq = 1;  // next ConversationEvent seq
  // The runtime holds no past transcript (loaded from the store without it; cleared after each
  // commit): a handoff reads the stored part back (handoff_transcript). The runtime's own
  // transcript holds the activities recorded after this seq.
  std::uint64_t transcript_after = 0;
  // The open handoff's record as stored (pending, offered or accepted), kept so a status change
  // does not read it back from the store on the strand. Empty when none is open.
  std::optional<store::HandoffRecord> open_handoff;
  std::string open_handoff_id() const { return open_handoff ? open_handoff->id : std::string(); }
  // The analytics session (as it will be after the in-flight batch) and its stored form ("" when
  // no open session is stored), so a batch writes it only when a fact changed (sessions.cpp).
  analytics::Session session;
  std::string session_stored;
  bool busy = false;              // a batch is in flight
  std::deque<WaitingOp> waiting;  // operations queued behind it (bounded)
  std::list<std::string>::iterator lru;
};

// The ack of a batch: `value` to `done` once it is durable, the store's error otherwise.
template <class T>
std::function<void(Status)> ack_with(Callback<T> done, T value) {
  return [done = std::move(done), value = std::move(value)](const Status& s) {
    if (s.ok()) {
      done(value);
    } else {
      done(s.error());
    }
  };
}

// What one batch publishes once durable.
struct Pending {
  store::WriteBatch batch;
  std::vector<Delivery> deliveries;
  std::function<void(Status)> ack;  // answers the caller; runs on the strand after the commit
  // The handoff hook's records in this batch: told the outcome of the commit, ok or not (after
  // ack and fan-out, before `events`).
  std::vector<std::function<void(Status)>> committed;
  // The listener's events, delivered in order after a successful commit (after ack and fan-out).
  std::vector<EngineEvent> events;
  // The handoff record this batch updates last (end of a handoff), so a later op of the same
  // batch (the survey's answers) builds on it rather than on the store's older row.
  std::optional<store::HandoffRecord> handoff_update;
  // For an external bot (EngineOptions::external_bot): what it is sent once this batch is durable.
  std::vector<activity::Activity> to_bot;
};

// The survey's answers among a dialog's variables: SurveyResolved (a yes/no) and SurveyRating
// (1..5, from a choice "1".."5" or a number); each nullopt when missing or out of range. The one
// reading both the handoff record's outcome and the analytics session use (handoffs.cpp).
struct SurveyAnswers {
  std::optional<bool> resolved;
  std::optional<std::int32_t> rating;
};
SurveyAnswers survey_answers(const boost::json::object& variables);

struct SubscriptionEntry {
  SubscriptionId id = 0;
  std::string slot;
  std::shared_ptr<Subscriber> subscriber;
};

// The turns' instruments (EngineStats). Shared with the callbacks that time each turn, which may
// outlive the Impl in a store's queue; atomics, so they are read from any thread.
struct TurnMetrics {
  metrics::Counter turns;
  metrics::Histogram seconds{metrics::kLatencyBuckets};
};

// Who an activity is stamped for (stamp()).
enum class Side { kCustomer, kBot };

struct Engine::Impl : std::enable_shared_from_this<Engine::Impl> {
  Impl(boost::asio::any_io_executor executor, store::Store& store,
       std::shared_ptr<const dialog::CompiledBot> bot, const Clock& clock, EngineOptions options);

  // --- engine.cpp: scheduling
  // Runs `op` with the conversation loaded and idle (no batch in flight); queues it otherwise.
  // `fail` reports load errors or a full queue.
  void with_conversation(const std::string& id, std::function<void(Conv&)> op,
                         std::function<void(Error)> fail);
  // Submits the batch built by an operation; the conversation stays busy until it completes.
  void submit(Conv& conv, Pending&& pending);
  void complete(const std::string& id, const Status& status, Pending&& pending,
                std::uint64_t last_seq);
  // Drops a conversation (failed write) and lets its waiting operations run again (they reload).
  void drop(const std::string& id);
  void run_waiting(const std::string& id);
  void touch(Conv& conv);
  void evict_idle();

  // --- conversation.cpp
  Result<Conv*> load(const std::string& id);
  std::unique_ptr<Conv> make_conv(store::Conversation row);
  dialog::ConversationInfo info_for(const store::Conversation& row) const;
  void start(const StartParams& params, const Callback<StartResult>& done);
  void post(Conv& conv, activity::Activity&& activity, const Callback<PostResult>& done);
  void post_owner(Conv& conv, PostAsOwner&& command, const Callback<PostResult>& done);
  void change(Conv& conv, const ChangeOwnership& command, const Callback<Ownership>& done);
  void notice(Conv& conv, activity::Activity&& activity, const Callback<PostResult>& done);
  // Writes one activity of the bot side (the bot, an agent, a notice) in a batch of its own at
  // `epoch`: stamps it, validates it (kInvalidArgument, kTooLarge; nothing written), records it
  // in the runtime's transcript unless it is typing, and answers once it is durable.
  void write_bot_side(Conv& conv, activity::Activity& a, std::uint64_t epoch,
                      const Callback<PostResult>& done);
  void wrap_up(Conv& conv, const RecordWrapUp& command, const Callback<bool>& done);
  // --- external_bot.cpp: an external bot's answers and what it is sent
  void bot_reply(Conv& conv, activity::Activity&& activity, const Callback<PostResult>& done);
  void bot_handoff(Conv& conv, const activity::Activity& initiate,
                   const Callback<PostResult>& done);
  // A customer activity for the bot (its copy, addressed to the bot).
  void to_bot(Conv& conv, Pending& pending, const activity::Activity& a);
  // The conversationUpdate a new conversation sends the bot.
  void bot_greeting(Conv& conv, Pending& pending);
  // Deletes the conversation (with its tombstone for an erasure); refused while a queue or an
  // agent holds it.
  void remove(Conv& conv, bool tombstone, const Callback<ErasedConversation>& done);
  // Retention's deletion. A conversation not in memory is not loaded for it (no dialog restore):
  // its row alone decides, and stands in memory, busy, until the deletion completes, so every
  // other operation on it queues behind the deletion.
  void expire(const std::string& id, TimePoint idle_before, const Callback<bool>& done);
  // Retention of handoff records: deletes the conversation's ended handoffs last updated before
  // `ended_before` (open ones stay), answering how many went. Like expire, it does not load a
  // conversation that is not in memory.
  void expire_handoffs(const std::string& id, TimePoint ended_before,
                       const Callback<std::size_t>& done);
  // Runs `op` on the conversation: the one in memory (queued behind its writes), or else its
  // stored row standing in memory without a dialog (no restore) for as long as a write `op`
  // submits is in flight, so that every other operation on it queues behind that write.
  void with_stored_row(const std::string& id, const std::function<void(Conv&)>& op,
                       const std::function<void(Error)>& fail);
  // Gives `a` its next id (returned: its seq), timestamp, channel and conversation, and the
  // sender and recipient fields of its side: a customer's (from.role "user", from.id the
  // conversation's user when empty, to the bot) or the bot side's (from the bot when from.id is
  // empty, role "bot" when empty, to the user).
  std::uint64_t stamp(Conv& conv, activity::Activity& a, Side side);
  // kClosed: ends an open handoff, appends endOfConversation, moves to closed.
  void close(Conv& conv, Pending& pending, dialog::HandoffOutcome outcome, const HandoffEnd& end);
  // Appends a stamped activity (id already assigned from conv's allocator) to the batch.
  void append(Conv& conv, Pending& pending, const activity::Activity& activity);
  // Adds the bot's replies, a handoff request and a resolved handoff of one turn.
  void apply_turn(Conv& conv, Pending& pending, dialog::TurnResult&& turn,
                  const std::string& reply_to);
  // A handoff's transcript, oldest first: the newest activities whose JSON fits in
  // kTranscriptBudget characters, at most dialog::Runtime::kMaxTranscript of them. `recent` (the
  // runtime's, not stored yet) comes last; the stored ones before it (up to
  // Conv::transcript_after) are read back newest first, a page at a time
  // (Store::read_history_before, which leaves out typing and handoff.* events unread), and only
  // those kept are parsed. `truncated` tells whether older activities were left out. A read error
  // leaves what the runtime has.
  // With `stored` false only `recent` is trimmed (an external bot's own transcript).
  std::vector<activity::Activity> handoff_transcript(const Conv& conv,
                                                     std::vector<activity::Activity> recent,
                                                     bool& truncated, bool stored = true);
  // The customer's language (HandoffRequested::language): the conversation's start locale, else
  // the locale of the newest customer activity in `transcript` carrying one, else the bot's
  // language. A locale that is not 1..32 letters, digits, '-' or '_' is ignored.
  std::string customer_language(const Conv& conv,
                                const std::vector<activity::Activity>& transcript) const;
  void request_handoff(Conv& conv, Pending& pending, const dialog::HandoffRequest& request,
                       std::optional<dialog::HandoffOutcome> resolved, const std::string& reply_to,
                       bool own_transcript = false);
  void end_handoff(Conv& conv, Pending& pending, dialog::HandoffOutcome outcome,
                   const HandoffEnd& end = {}, bool move = true);
  // A `handoff.status` event activity (docs/PROTOCOLS.md §2.2) in the log; internal audience.
  void add_status(Conv& conv, Pending& pending, std::string_view state,
                  std::string_view message = {});
  // After the conversation ended (the survey ran): SurveyResolved / SurveyRating into the last
  // handoff record's outcome_json "survey".
  void store_survey(Conv& conv, Pending& pending);
  // offered / accepted / pending (declined) on the open handoff record, if any.
  void set_handoff_status(Conv& conv, Pending& pending, const char* status);
  void move_ownership(Conv& conv, Pending& pending, OwnershipEvent event);
  void add_event(Conv& conv, Pending& pending, std::string kind, std::string payload_json);
  // Snapshot (when the dialog state may have changed) + conversation row: the last operations of
  // every batch.
  void finish_batch(Conv& conv, Pending& pending, std::uint64_t previous_epoch,
                    bool dialog_changed = true);
  std::string next_id(Conv& conv);

  // --- sessions.cpp: the analytics session (analytics/session.hpp) of each conversation
  // Before an operation writes activities: the first one's seq opens a session or keeps the open
  // one alive; a session idle past the timeout ends first, in this batch.
  void session_touch(Conv& conv, Pending& pending, std::uint64_t first_seq);
  // What a dialog turn did: the topics it started, its escalation, the survey's answers; a turn
  // that ended the conversation ends the session.
  void session_turn(Conv& conv, Pending& pending, const dialog::TurnResult& turn);
  // The open session ends now (the conversation closed); its row and cells join the batch.
  void session_end(Conv& conv, Pending& pending);
  // In finish_batch: the open session's stored form, when it changed.
  void session_store(Conv& conv, Pending& pending);
  // Loads the open session of a conversation read from the store.
  void session_load(Conv& conv);
  // The idle-session sweep (Engine::end_idle_sessions).
  void end_idle_sessions(TimePoint idle_before, std::size_t limit,
                         const Callback<std::size_t>& done);
  void schedule_session_sweep();

  // --- subscriptions.cpp
  void subscribe(const std::string& id, std::uint64_t after, std::string slot,
                 const std::shared_ptr<Subscriber>& subscriber,
                 const Callback<SubscriptionId>& done);
  void unsubscribe(const std::string& id, SubscriptionId sub);
  void fan_out(const std::string& id, const std::vector<Delivery>& deliveries);
  Result<std::uint64_t> committed_watermark(const std::string& id);

  boost::asio::any_io_executor executor;
  store::Store& store;
  std::shared_ptr<const dialog::CompiledBot> bot;
  const Clock& clock;
  EngineOptions options;
  activity::ChannelAccount bot_account;

  std::atomic<EngineListener*> listener{nullptr};
  HandoffHook handoff_hook;            // set before traffic (Engine::set_handoff_hook)
  BotSink bot_sink;                    // set before traffic (Engine::set_bot_sink)
  bool agents_online = true;           // Engine::set_agents_online
  AvailabilityHook availability_hook;  // Engine::set_availability_hook
  // The runtime's availability check for `conv`: the hook, else the agents-online flag.
  dialog::AvailabilityCheck availability_check(const Conv& conv);
  std::unordered_map<std::string, std::unique_ptr<Conv>> conversations;
  std::list<std::string> lru;  // front = most recently used
  std::unordered_map<std::string, std::vector<SubscriptionEntry>> subscriptions;
  SubscriptionId next_subscription = 1;
  std::optional<boost::asio::steady_timer> session_sweep;  // while the sweep runs
  std::shared_ptr<TurnMetrics> turn_metrics = std::make_shared<TurnMetrics>();
};

}  // namespace baton::engine
