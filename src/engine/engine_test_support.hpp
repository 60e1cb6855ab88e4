#pragma once
// Test-only helpers for engine tests (and the Direct Line tests): a temp dir, a Contoso-like test
// bot, a strand on a running io_context, blocking waits on engine callbacks, a recording
// subscriber, and a Store decorator that fails chosen writes (fault injection over the real store).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "bot/loader.hpp"
#include "core/json.hpp"
#include "core/testing/temp_dir.hpp"
#include "engine/engine.hpp"
#include "store/sqlite_store.hpp"

namespace baton::engine::testing {

using baton::testing::TempDir;  // core/testing/temp_dir.hpp

// A small bot in the shape of examples/contoso (greeting with quick replies, a question topic, an
// escalation with a transfer to queue "general"), kept here so engine tests do not depend on the
// example's wording.
inline constexpr const char* kTestBotYaml = R"yaml(
bot:
  id: contoso-store
  name: Contoso Store
  language: en-us
settings:
  no_match_threshold: 3
  escalation_phrases:
    - talk to an agent
    - speak to a human
  handoff:
    agents_online_text: Let's send you to an available agent.
    agents_offline_text: There are no agents available at this time.
topics:
  - name: Greeting
    system: greeting
    triggers: [hi, hello, good morning]
    nodes:
      - message:
          text: Hi! I'm the Contoso virtual assistant. I can help with store hours, returns, order status and payments.
          quick_replies: [Store hours, Return an item, Order status, Pay my bill]
  - name: Escalate
    system: escalate
    triggers: [agent, human, representative]
    nodes:
      - message: I'll get someone from our team to help.
      - transfer:
          agent_message: "Escalated by the bot ({System.EscalationReason})"
          queue: general
      - condition:
          - if: System.HandoffOutcome == "completed"
            then:
              - message: Thanks for chatting with us.
          - if: System.HandoffOutcome == "cancelled"
            then:
              - message: OK, I'm here if you need me.
          - else:
              - message: Sorry, nobody can take your chat right now.
  - name: Fallback
    system: fallback
    nodes:
      - message: Sorry, I didn't get that. Could you say it another way?
  - name: Store hours
    triggers:
      - what are your store hours
      - when does the store open
      - opening times
    nodes:
      - question:
          prompt: Which store are you asking about?
          entity: choice
          choices:
            - value: Bellevue
            - value: Redmond
            - value: Seattle
          variable: StoreLocation
      - condition:
          - if: StoreLocation == "Seattle"
            then:
              - message: Our {StoreLocation} store is open 10am to 9pm every day.
          - else:
              - message: Our {StoreLocation} store is open 9am to 8pm Monday to Saturday.
variables:
  - name: StoreLocation
)yaml";

inline std::shared_ptr<const dialog::CompiledBot> contoso_bot() {
  static std::shared_ptr<const dialog::CompiledBot> bot = [] {
    bot::LoadResult loaded = bot::load_bot_from_string(kTestBotYaml, "test_bot.yaml");
    for (const auto& d : loaded.diagnostics) {
      ADD_FAILURE() << d.format();
    }
    if (!loaded.bot) {
      std::abort();
    }
    return dialog::CompiledBot::compile(std::move(*loaded.bot));
  }();
  return bot;
}

// An io_context running on one background thread.
class IoThread {
 public:
  IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }
  // Waits until every handler posted to `executor` before this call has run.
  void drain(const boost::asio::any_io_executor& executor) {
    std::promise<void> done;
    boost::asio::post(executor, [&] { done.set_value(); });
    done.get_future().wait();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Calls `start(callback)` and blocks for the callback's Result.
template <class T, class Start>
Result<T> await(Start start) {
  std::promise<Result<T>> promise;
  start([&promise](Result<T> r) { promise.set_value(std::move(r)); });
  return promise.get_future().get();
}

class RecordingSubscriber final : public Subscriber {
 public:
  void deliver(const std::vector<Delivery>& activities) override {
    std::lock_guard lock(mutex_);
    for (const auto& d : activities) {
      seqs_.push_back(d.seq);
      json_.push_back(*d.json);
      audiences_.push_back(d.audience);
    }
  }
  void replaced() override { was_replaced_ = true; }
  void erased() override { was_erased_ = true; }

  std::vector<std::uint64_t> seqs() const {
    std::lock_guard lock(mutex_);
    return seqs_;
  }
  std::vector<std::string> json() const {
    std::lock_guard lock(mutex_);
    return json_;
  }
  std::vector<Audience> audiences() const {
    std::lock_guard lock(mutex_);
    return audiences_;
  }
  bool was_replaced() const { return was_replaced_; }
  bool was_erased() const { return was_erased_; }

 private:
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> seqs_;
  std::vector<std::string> json_;
  std::vector<Audience> audiences_;
  std::atomic<bool> was_replaced_{false};
  std::atomic<bool> was_erased_{false};
};

// The real store, except that while `fail_writes` is set every submitted batch fails with kIo
// in its callback (as a failed fsync would report it), without being applied.
class FaultyStore final : public store::Store {
 public:
  explicit FaultyStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}
  std::atomic<bool> fail_writes{false};
  // When set, health() reports this state (with reason "injected") instead of the real store's.
  std::atomic<int> health_override{-1};

  Status submit(store::WriteBatch&& batch, store::WriteCallback done) override {
    if (fail_writes) {
      done(make_error(ErrorCode::kIo, "injected fsync failure"));  // as the writer would
      return {};
    }
    {
      std::lock_guard lock(held_mutex_);
      if (hold_writes_) {
        held_.emplace_back(std::move(batch), std::move(done));
        return {};
      }
    }
    return inner_->submit(std::move(batch), std::move(done));
  }

  // While holding, submitted batches wait (oldest first) until release() hands one to the real
  // store: a test decides the order in which concurrent turns commit.
  void hold_writes(bool on) {
    std::lock_guard lock(held_mutex_);
    hold_writes_ = on;
  }
  std::size_t held() const {
    std::lock_guard lock(held_mutex_);
    return held_.size();
  }
  // Submits the index-th held batch (0 = the oldest still held).
  Status release(std::size_t index) {
    std::pair<store::WriteBatch, store::WriteCallback> one;
    {
      std::lock_guard lock(held_mutex_);
      if (index >= held_.size()) {
        return make_error(ErrorCode::kNotFound, "no such held batch");
      }
      one = std::move(held_[index]);
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
    }
    return inner_->submit(std::move(one.first), std::move(one.second));
  }
  Result<store::Conversation> get_conversation(const std::string& id) override {
    return inner_->get_conversation(id);
  }
  Result<std::vector<store::Conversation>> list_conversations(const std::string& after,
                                                              std::size_t limit,
                                                              bool open_only) override {
    return inner_->list_conversations(after, limit, open_only);
  }
  Result<std::vector<store::Conversation>> conversations_of_user(const std::string& user,
                                                                 const std::string& after,
                                                                 std::size_t limit) override {
    return inner_->conversations_of_user(user, after, limit);
  }
  Result<store::HandoffSearchPage> search_ended_handoffs(
      const store::HandoffSearch& search, const std::optional<store::HandoffSearchKey>& after,
      std::size_t limit) override {
    return inner_->search_ended_handoffs(search, after, limit);
  }
  Result<std::vector<store::ActivityRecord>> read_activities(const std::string& id,
                                                             std::uint64_t watermark,
                                                             std::size_t limit) override {
    return inner_->read_activities(id, watermark, limit);
  }
  Result<std::vector<store::ActivityRecord>> read_history_before(const std::string& id,
                                                                 std::uint64_t before_seq,
                                                                 std::size_t limit) override {
    return inner_->read_history_before(id, before_seq, limit);
  }
  Result<std::vector<store::ActivityRecord>> read_transcript(const std::string& id) override {
    return inner_->read_transcript(id);
  }
  Result<store::ActivityRecord> find_activity(const std::string& id) override {
    return inner_->find_activity(id);
  }
  Result<store::DialogSnapshot> get_snapshot(const std::string& id) override {
    return inner_->get_snapshot(id);
  }
  Result<store::HandoffRecord> get_handoff(const std::string& id) override {
    return inner_->get_handoff(id);
  }
  Result<std::vector<store::HandoffRecord>> list_handoffs(const std::string& status,
                                                          std::size_t limit) override {
    return inner_->list_handoffs(status, limit);
  }
  Result<std::vector<store::HandoffRecord>> handoffs_for_conversation(
      const std::string& id) override {
    return inner_->handoffs_for_conversation(id);
  }
  Result<std::vector<std::string>> conversations_with_ended_handoffs(TimePoint before,
                                                                     std::size_t limit) override {
    return inner_->conversations_with_ended_handoffs(before, limit);
  }
  Result<std::vector<store::ConversationEvent>> read_events(const std::string& id,
                                                            std::uint64_t after,
                                                            std::size_t limit) override {
    return inner_->read_events(id, after, limit);
  }
  Result<std::vector<store::ConversationEvent>> read_all_events(std::uint64_t after,
                                                                std::size_t limit) override {
    return inner_->read_all_events(after, limit);
  }
  Result<std::string> get_meta(const std::string& key) override { return inner_->get_meta(key); }
  Result<store::AgentRecord> get_agent(const std::string& id) override {
    return inner_->get_agent(id);
  }
  Result<std::vector<store::AgentRecord>> list_agents() override { return inner_->list_agents(); }
  Result<std::vector<store::CannedResponse>> list_canned() override {
    return inner_->list_canned();
  }
  Result<store::CannedResponse> get_canned(const std::string& id) override {
    return inner_->get_canned(id);
  }
  Result<std::vector<store::HubLogRecord>> read_hub_log(std::uint64_t after,
                                                        std::size_t limit) override {
    return inner_->read_hub_log(after, limit);
  }
  Result<std::vector<store::AuditRecord>> read_audit(std::uint64_t after, std::size_t limit,
                                                     const std::string& conversation_id) override {
    return inner_->read_audit(after, limit, conversation_id);
  }
  Result<std::vector<store::AnalyticsCell>> read_analytics(std::int64_t from_period,
                                                           std::int64_t to_period,
                                                           const store::AnalyticsFilter& filter,
                                                           store::AnalyticsGroup group) override {
    return inner_->read_analytics(from_period, to_period, filter, group);
  }
  Result<std::vector<store::AnalyticsSession>> read_analytics_sessions(
      TimePoint from, TimePoint to, const std::optional<store::SessionKey>& after,
      std::size_t limit) override {
    return inner_->read_analytics_sessions(from, to, after, limit);
  }
  Result<std::vector<store::OpenSession>> open_sessions_idle_before(TimePoint before,
                                                                    std::size_t limit) override {
    return inner_->open_sessions_idle_before(before, limit);
  }
  Result<store::OpenSession> get_open_session(const std::string& conversation_id) override {
    return inner_->get_open_session(conversation_id);
  }
  store::StoreStats stats() const override { return inner_->stats(); }
  store::StoreHealth health() const override {
    store::StoreHealth h = inner_->health();
    if (const int state = health_override.load(); state >= 0) {
      h.state = static_cast<store::StoreHealth::State>(state);
      h.reason = h.writable() ? "" : "injected";
    }
    return h;
  }
  Status close() override { return inner_->close(); }

 private:
  std::unique_ptr<store::Store> inner_;
  mutable std::mutex held_mutex_;
  bool hold_writes_ = false;
  std::vector<std::pair<store::WriteBatch, store::WriteCallback>> held_;
};

// Engine tests' fixture: the real SQLite store (behind FaultyStore) in a temp dir, the test bot,
// a ManualClock and blocking helpers.
class EngineTest : public ::testing::Test {
 public:
  ~EngineTest() override { close(); }  // public: ::testing::Test's destructor is public virtual

 protected:
  EngineTest() : clock_(TimePoint(std::chrono::seconds(1'800'000'000))) { open(); }

  void open(const EngineOptions& options = {},
            std::shared_ptr<const dialog::CompiledBot> bot = contoso_bot()) {
    store::SqliteOptions so;
    so.path = dir_.path() / "baton.db";
    auto opened = store::open_sqlite_store(so);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::make_unique<FaultyStore>(std::move(*opened));
    strand_ = boost::asio::make_strand(io_.io());
    engine_ = std::make_unique<Engine>(strand_, *store_, std::move(bot), clock_, options);
  }

  // Simulates a process restart: close the store, let queued handlers run, drop everything.
  void close() {
    if (!engine_) {
      return;
    }
    (void)store_->close();
    io_.drain(strand_);
    engine_.reset();
    store_.reset();
  }

  Result<StartResult> start(const std::string& id, bool greet) {
    StartParams p;
    p.conversation_id = id;
    p.user = {"user-1", "Ann", "user"};
    p.greet = greet;
    return await<StartResult>([&](auto cb) { engine_->start_conversation(p, cb); });
  }

  Result<PostResult> say(const std::string& id, const std::string& text) {
    activity::Activity a = activity::make_message(text);
    a.from = {"user-1", "Ann", ""};
    a.channel_data = boost::json::object{{"clientActivityID", "c-" + text}};
    return await<PostResult>([&](auto cb) { engine_->post_activity(id, a, cb); });
  }

  Result<PostResult> event(const std::string& id, const std::string& name) {
    activity::Activity a = activity::make_event(name);
    return await<PostResult>([&](auto cb) { engine_->post_activity(id, a, cb); });
  }

  Result<ConversationStatus> status(const std::string& id) {
    return await<ConversationStatus>([&](auto cb) { engine_->status(id, cb); });
  }

  // The stored log as parsed activities.
  std::vector<activity::Activity> log(const std::string& id) {
    std::vector<activity::Activity> out;
    auto records = store_->read_transcript(id);
    EXPECT_TRUE(records.ok());
    for (const auto& r : *records) {
      auto a = activity::parse(r.json);
      EXPECT_TRUE(a.ok()) << r.json;
      EXPECT_EQ(a->id, make_activity_id(id, r.seq));
      out.push_back(std::move(*a));
    }
    return out;
  }

  // The request the engine stored with the conversation's one handoff.
  boost::json::object only_handoff_request(const std::string& id) {
    auto handoffs = store_->handoffs_for_conversation(id);
    if (!handoffs.ok() || handoffs->size() != 1) {
      ADD_FAILURE() << "want exactly one handoff for " << id;
      return {};
    }
    auto request = json::parse((*handoffs)[0].request_json);
    if (!request.ok() || !request->is_object()) {
      ADD_FAILURE() << "unparseable request: " << (*handoffs)[0].request_json;
      return {};
    }
    return std::move(request->as_object());
  }

  // The ids of the stored activities before `activity_id` that a handoff's transcript holds:
  // all but typing and the handoff protocol's events.
  std::vector<std::string> history_ids_before(const std::string& id,
                                              const std::string& activity_id) {
    std::vector<std::string> ids;
    for (const auto& a : log(id)) {
      if (a.id == activity_id) {
        break;
      }
      if (a.type != "typing" && !(a.type == "event" && a.name.rfind("handoff.", 0) == 0)) {
        ids.push_back(a.id);
      }
    }
    return ids;
  }

  static std::string initiate_id_of(const boost::json::object& request) {
    return std::string(request.at("initiateActivityId").as_string());
  }

  static std::vector<std::string> ids_of(const boost::json::array& activities) {
    std::vector<std::string> ids;
    for (const auto& a : activities) {
      ids.emplace_back(a.at("id").as_string());
    }
    return ids;
  }

  // Texts of the bot messages in the stored log.
  std::vector<std::string> bot_texts(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& a : log(id)) {
      if (a.type == "message" && a.from.role == "bot") {
        out.push_back(a.text);
      }
    }
    return out;
  }

  TempDir dir_;
  ManualClock clock_;
  IoThread io_;
  boost::asio::any_io_executor strand_;
  std::unique_ptr<FaultyStore> store_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace baton::engine::testing
