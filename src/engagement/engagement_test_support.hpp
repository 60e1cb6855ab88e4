#pragma once
// Test-only: a fixture running the real Contoso example bot (examples/contoso) on the real SQLite
// store with an Engine + Engagement on one strand, a ManualClock the test advances, agents in
// the store, recording agent sinks and a recording customer subscriber.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "bot/loader.hpp"
#include "core/json.hpp"
#include "engagement/engagement.hpp"
#include "engine/engine_test_support.hpp"

namespace baton::engagement::testing {

namespace bj = boost::json;
using namespace baton::engine;           // NOLINT: the engine's types in the tests
using namespace baton::engine::testing;  // NOLINT: its test helpers

inline std::shared_ptr<const dialog::CompiledBot> contoso_example_bot() {
  static std::shared_ptr<const dialog::CompiledBot> bot = [] {
    bot::LoadResult loaded =
        bot::load_bot(std::filesystem::path(BATON_SOURCE_DIR) / "examples/contoso");
    for (const auto& d : loaded.diagnostics) {
      if (d.severity == bot::Severity::kError) {
        ADD_FAILURE() << d.format();
      }
    }
    if (!loaded.bot) {
      std::abort();
    }
    return dialog::CompiledBot::compile(std::move(*loaded.bot));
  }();
  return bot;
}

// Records every event; thread-safe (pushes run on the strand, the test reads).
class RecordingSink final : public AgentSink {
 public:
  void push(const AgentEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  void closed(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    closed_ = std::string(reason);
  }
  // The events of one kind, in order.
  template <class T>
  std::vector<T> of() const {
    std::lock_guard lock(mutex_);
    std::vector<T> out;
    for (const auto& e : events_) {
      if (const T* t = std::get_if<T>(&e)) {
        out.push_back(*t);
      }
    }
    return out;
  }
  std::string closed_reason() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<AgentEvent> events_;
  std::string closed_;
};

// Polls `pred` (the engine and store run on other threads) for up to 5 s.
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// Offers to agents: 30 s, 2 missed offers set an agent away; billing needs the billing skill;
// a customer silent for 10 minutes while waiting is abandoned; the general queue tells positions
// at most every 5 s.
inline constexpr const char* kTestHubYaml = R"yaml(
hub:
  default_queue: general
  missed_offers_before_away: 2
  defaults:
    offer_timeout: 30s
    abandon_after: 10m
    texts:
      queued: "You're number {position} in the queue."
      position: "You're now number {position}."
  queues:
    - name: billing
      skills: [billing]
    - name: general
      position_update_interval: 5s
      dispositions: [solved, call-back]
)yaml";

// The agents the tests act as. Built on first use, not during static initialisation (where a throw
// could not be caught).
inline const Actor& alice_actor() {
  static const Actor actor{"alice", hub::Role::kAgent};
  return actor;
}
inline const Actor& bob_actor() {
  static const Actor actor{"bob", hub::Role::kAgent};
  return actor;
}
inline const Actor& carol_actor() {
  static const Actor actor{"carol", hub::Role::kAgent};
  return actor;
}
inline const Actor& boss_actor() {
  static const Actor actor{"boss", hub::Role::kSupervisor};
  return actor;
}

class EngagementTest : public ::testing::Test {
 public:
  ~EngagementTest() override { close(); }  // public: ::testing::Test's destructor is public virtual

 protected:
  EngagementTest() : clock_(TimePoint(std::chrono::seconds(1'800'000'000))) {
    auto loaded = hub::load_hub_config_from_string(kTestHubYaml, "hub.yaml");
    for (const auto& d : loaded.diagnostics) {
      ADD_FAILURE() << d.format();
    }
    config_ = std::make_shared<hub::HubConfig>(std::move(*loaded.config));
    open();
  }

  void open() {
    store::SqliteOptions so;
    so.path = dir_.path() / "baton.db";
    so.synchronous = store::Synchronous::kNormal;
    auto opened = store::open_sqlite_store(so);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    auto faulty = std::make_unique<FaultyStore>(std::move(*opened));
    faulty_ = faulty.get();
    store_ = std::move(faulty);
    strand_ = boost::asio::make_strand(io_.io());
    engine_ = std::make_unique<Engine>(strand_, *store_, contoso_example_bot(), clock_);
    EngagementOptions options;
    options.tick_interval = std::chrono::hours(1);  // the test ticks by hand
    options.compact_after = compact_after_;
    engagement_ =
        std::make_unique<Engagement>(strand_, *engine_, *store_, config_, clock_, options);
  }

  Result<bool> start_engagement() {
    return await<bool>([&](auto cb) { engagement_->start(cb); });
  }

  // A restart: stop, let queued work run, close the store, destroy everything.
  void close() {
    if (!engine_) {
      return;
    }
    engagement_->stop();
    settle();
    (void)store_->close();
    io_.drain(strand_);
    engagement_.reset();
    engine_.reset();
    store_.reset();
  }

  // Lets in-flight writes and the actions they trigger run.
  void settle() {
    for (int i = 0; i < 8; ++i) {
      io_.drain(strand_);
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  }

  void add_agent(const std::string& id, const std::string& name, const std::string& role,
                 std::vector<std::string> skills = {}, int capacity = 2) {
    store::AgentRecord r;
    r.id = id;
    r.display_name = name;
    r.role = role;
    r.skills = std::move(skills);
    r.capacity = capacity;
    r.password_hash = "hash-" + id;
    store::WriteBatch batch;
    batch.put_agent(r);
    ASSERT_TRUE(store_->write(std::move(batch)).ok());
  }

  // A new customer who asks for an agent; returns once the hub holds the conversation.
  void escalate(const std::string& id) {
    customer(id);
    ASSERT_TRUE(say(id, "talk to an agent").ok());
    ASSERT_TRUE(eventually([&] { return view(id).has_value(); })) << id;
  }

  std::shared_ptr<RecordingSink> attach(const Actor& actor) {
    auto sink = std::make_shared<RecordingSink>();
    auto r = await<std::uint64_t>([&](auto cb) { engagement_->attach(actor, sink, cb); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return sink;
  }

  Status presence(const Actor& actor, hub::Presence p) {
    auto r = await<bool>([&](auto cb) { engagement_->set_presence(actor, p, cb); });
    settle();
    return r.ok() ? Status{} : Status(r.error());
  }

  void customer(const std::string& id) {
    StartParams p;
    p.conversation_id = id;
    p.user = {"user-" + id, "Ann", "user"};
    p.greet = true;
    ASSERT_TRUE(await<StartResult>([&](auto cb) { engine_->start_conversation(p, cb); }).ok());
  }

  Result<PostResult> say(const std::string& id, const std::string& text) {
    auto r = await<PostResult>(
        [&](auto cb) { engine_->post_activity(id, activity::make_message(text), cb); });
    settle();
    return r;
  }

  Result<PostResult> post(const std::string& id, activity::Activity a) {
    auto r = await<PostResult>([&](auto cb) { engine_->post_activity(id, std::move(a), cb); });
    settle();
    return r;
  }

  Result<ConversationStatus> status(const std::string& id) {
    return await<ConversationStatus>([&](auto cb) { engine_->status(id, cb); });
  }

  std::vector<activity::Activity> log(const std::string& id) {
    std::vector<activity::Activity> out;
    auto records = store_->read_transcript(id);
    EXPECT_TRUE(records.ok());
    for (const auto& r : *records) {
      out.push_back(*activity::parse(r.json));
    }
    return out;
  }

  // Texts of the messages the customer sees from the bot side (bot and agents).
  std::vector<std::string> texts(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& a : log(id)) {
      if (a.type == "message" && a.from.role != "user") {
        out.push_back(a.text);
      }
    }
    return out;
  }

  bool said(const std::string& id, const std::string& text) {
    const auto all = texts(id);
    return std::find(all.begin(), all.end(), text) != all.end();
  }

  std::optional<hub::ConversationView> view(const std::string& id) {
    const Actor boss{"boss", hub::Role::kSupervisor};
    auto all = await<std::vector<hub::ConversationView>>(
        [&](auto cb) { engagement_->conversations(boss, cb); });
    for (auto& v : *all) {
      if (v.id == id) {
        return v;
      }
    }
    return std::nullopt;
  }

  TempDir dir_;
  ManualClock clock_;
  IoThread io_;
  boost::asio::any_io_executor strand_;
  std::shared_ptr<const hub::HubConfig> config_;
  std::unique_ptr<store::Store> store_;
  FaultyStore* faulty_ = nullptr;  // store_ itself: fail_writes makes every write fail
  std::uint64_t compact_after_ = EngagementOptions{}.compact_after;  // read by open()
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Engagement> engagement_;
};

// The flow tests' fixture: alice (billing), bob and a supervisor in the store, the engagement
// started, and helpers for the agent's side.
class EngagementFlow : public EngagementTest {
 protected:
  void SetUp() override {
    add_agent("alice", "Alice Martin", "agent", {"billing"});
    add_agent("bob", "Bob Stone", "agent");
    add_agent("boss", "Bea Boss", "supervisor", {}, 1);
    ASSERT_TRUE(start_engagement().ok());
  }

  // Alice is online but busy (so no offers go out); `id` asks for an agent and waits in the hub.
  void wait_in_queue(const std::string& id) {
    attach(alice_actor());
    ASSERT_TRUE(presence(alice_actor(), hub::Presence::kBusy).ok());
    customer(id);
    ASSERT_TRUE(say(id, "talk to an agent").ok());
    ASSERT_TRUE(eventually([&] { return view(id).has_value(); }));
  }

  // The latest offer `sink` received for `id`, once it has one (nullopt after the wait).
  std::optional<Offer> offer_for(const std::string& id, RecordingSink& sink) {
    std::optional<Offer> found;
    eventually([&] {
      for (auto& o : sink.of<Offer>()) {
        if (o.conversation == id) {
          found = o;
        }
      }
      return found.has_value();
    });
    return found;
  }

  // Escalates `id` and returns the offer the given sink received for it.
  std::optional<Offer> escalate_and_offer(const std::string& id, RecordingSink& sink) {
    customer(id);
    EXPECT_TRUE(say(id, "talk to an agent").ok());
    return offer_for(id, sink);
  }

  Result<bool> accept(const Actor& a, const std::string& id, std::uint64_t offer) {
    auto r = await<bool>([&](auto cb) { engagement_->accept(a, id, offer, cb); });
    settle();
    return r;
  }

  Result<PostResult> agent_says(const Actor& a, const std::string& id, const std::string& text) {
    auto r = await<PostResult>(
        [&](auto cb) { engagement_->send(a, id, activity::make_message(text), cb); });
    settle();
    return r;
  }

  Result<bool> end(const Actor& a, const std::string& id, EndMode mode) {
    auto r = await<bool>([&](auto cb) { engagement_->end(a, id, mode, cb); });
    settle();
    return r;
  }

  // alice available with a console, bob offline: offers go to alice.
  std::shared_ptr<RecordingSink> alice_online() {
    auto sink = attach(alice_actor());
    EXPECT_TRUE(presence(alice_actor(), hub::Presence::kAvailable).ok());
    return sink;
  }

  // c1 assigned to alice.
  std::shared_ptr<RecordingSink> assigned_to_alice(const std::string& id) {
    auto sink = alice_online();
    auto offer = escalate_and_offer(id, *sink);
    EXPECT_TRUE(offer.has_value());
    EXPECT_TRUE(accept(alice_actor(), id, offer->offer_id).ok());
    return sink;
  }
};

}  // namespace baton::engagement::testing
