// The engine's analytics sessions (sessions.cpp) with the real SQLite store and a ManualClock:
// what each kind of session stores, when it ends, and that it survives a restart.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "engine/engine.hpp"
#include "engine/engine_test_support.hpp"

namespace baton::engine {
namespace {

using namespace baton::engine::testing;  // NOLINT: test helpers
using std::chrono::minutes;
using std::chrono::seconds;

// A bot with a survey at the end (the built-in End of Conversation topic asks SurveyResolved and
// SurveyRating) and a topic that confirms success.
constexpr const char* kSurveyBotYaml = R"yaml(
bot:
  id: survey-bot
  name: Survey Bot
  language: en-us
topics:
  - name: Greeting
    system: greeting
    triggers: [hi, hello]
    nodes:
      - message: Hello!
  - name: Store hours
    triggers: [what are your store hours, when do you open, opening times]
    nodes:
      - message: We're open 9 to 5.
  - name: Goodbye
    triggers: [bye, goodbye, that is all for today]
    nodes:
      - end_conversation:
          survey: true
  - name: Thanks
    confirms_success: true
    triggers: [thanks that solved it, great that helps a lot]
    nodes:
      - message: Glad to help!
)yaml";

std::shared_ptr<const dialog::CompiledBot> survey_bot() {
  bot::LoadResult loaded = bot::load_bot_from_string(kSurveyBotYaml, "survey_bot.yaml");
  for (const auto& d : loaded.diagnostics) {
    ADD_FAILURE() << d.format();
  }
  return dialog::CompiledBot::compile(std::move(*loaded.bot));
}

class EngineSessionsTest : public EngineTest {
 protected:
  EngineSessionsTest() {
    close();
    options_.session_timeout = minutes(30);
    open(options_);
  }

  void use_survey_bot() {
    close();
    open(options_, survey_bot());
  }

  std::size_t end_idle() {
    auto ended = await<std::size_t>([&](auto cb) {
      engine_->end_idle_sessions(clock_.now() - options_.session_timeout, 100, cb);
    });
    EXPECT_TRUE(ended.ok());
    io_.drain(strand_);
    wait_for_writes();
    return ended.ok() ? *ended : 0;
  }

  // Every batch submitted so far is durable: a read sees them (one status() round trip through the
  // strand after the writer's callbacks).
  void wait_for_writes() {
    for (int i = 0; i < 3; ++i) {
      io_.drain(strand_);
      store::WriteBatch sync;
      sync.put_meta("test.sync", std::to_string(i));
      (void)store_->write(std::move(sync));
    }
    io_.drain(strand_);
  }

  std::vector<store::AnalyticsSession> sessions() {
    auto rows = store_->read_analytics_sessions(TimePoint{}, clock_.now() + std::chrono::hours(24),
                                                std::nullopt, 100);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::AnalyticsSession>{};
  }

  // metric → count over all cells.
  std::map<std::string, std::int64_t> counts() {
    auto cells =
        store_->read_analytics(0, analytics_hour_after(), {}, store::AnalyticsGroup::kNone);
    EXPECT_TRUE(cells.ok());
    std::map<std::string, std::int64_t> out;
    for (const auto& c : cells.ok() ? *cells : std::vector<store::AnalyticsCell>{}) {
      out[c.metric] += c.count;
    }
    return out;
  }

  std::int64_t analytics_hour_after() {
    return std::chrono::duration_cast<std::chrono::hours>(clock_.now().time_since_epoch()).count() +
           48;
  }

  Result<Ownership> move(const std::string& id, std::uint64_t epoch, OwnershipEvent event,
                         HandoffRoute route = {}) {
    return await<Ownership>([&](auto cb) {
      engine_->change_ownership(
          {id, epoch, event, dialog::HandoffOutcome::kCompleted, HandoffEnd{}, std::move(route)},
          cb);
    });
  }

  EngineOptions options_;
};

TEST_F(EngineSessionsTest, AGreetingAloneIsAnUnengagedSessionOnceIdle) {
  ASSERT_TRUE(start("c1", true).ok());
  const TimePoint began = clock_.now();
  clock_.advance(minutes(29));
  EXPECT_EQ(end_idle(), 0u);
  EXPECT_TRUE(sessions().empty());
  clock_.advance(minutes(2));
  EXPECT_EQ(end_idle(), 1u);
  auto rows = sessions();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].conversation_id, "c1");
  EXPECT_EQ(rows[0].number, 1u);
  EXPECT_EQ(rows[0].outcome, "unengaged");
  EXPECT_EQ(rows[0].started, began);
  EXPECT_EQ(rows[0].ended, began);
  EXPECT_EQ(counts(),
            (std::map<std::string, std::int64_t>{{"session", 1}, {"session.unengaged", 1}}));
  EXPECT_EQ(store_->get_open_session("c1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(end_idle(), 0u) << "an ended session ends once";
}

TEST_F(EngineSessionsTest, ATopicThenSilenceIsAbandonedAndTheNextMessageOpensANewSession) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  clock_.advance(minutes(45));
  auto next = say("c1", "hello");  // the idle session ends in this turn's batch
  ASSERT_TRUE(next.ok());
  wait_for_writes();
  auto rows = sessions();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].outcome, "abandoned");
  EXPECT_EQ(rows[0].topic, "Store hours");
  auto open = store_->get_open_session("c1");
  ASSERT_TRUE(open.ok()) << "the new session is stored as it opens";
  EXPECT_NE(open->state_json.find(fmt::format("\"n\":{}", next->seq)), std::string::npos)
      << open->state_json;
}

TEST_F(EngineSessionsTest, AnEscalationKeepsItsReasonQueueAgentAndFirstWait) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  ASSERT_TRUE(say("c1", "Seattle").ok());
  ASSERT_TRUE(say("c1", "talk to an agent").ok());
  clock_.advance(seconds(12));
  ASSERT_TRUE(move("c1", 1, OwnershipEvent::kOffered, {"billing", "alice"}).ok());
  clock_.advance(seconds(3));
  ASSERT_TRUE(move("c1", 2, OwnershipEvent::kAccepted, {"billing", "alice"}).ok());
  EXPECT_EQ((*store_->handoffs_for_conversation("c1"))[0].queue, "billing")
      << "the handoff record names the queue the hub routed it to";
  clock_.advance(minutes(2));
  ASSERT_TRUE(await<Ownership>([&](auto cb) {
                engine_->change_ownership(
                    {"c1", 3, OwnershipEvent::kClosed, dialog::HandoffOutcome::kCompleted,
                     HandoffEnd{"alice", ""}},
                    cb);
              }).ok());
  wait_for_writes();
  auto rows = sessions();
  ASSERT_EQ(rows.size(), 1u) << "closing ends the session at once";
  EXPECT_EQ(rows[0].outcome, "escalated");
  EXPECT_EQ(rows[0].topic, "Store hours");
  EXPECT_EQ(rows[0].reason, "requested");
  EXPECT_EQ(rows[0].queue, "billing");
  EXPECT_EQ(rows[0].agent, "alice");
  EXPECT_EQ(rows[0].wait_ms, 15'000);
  const auto c = counts();
  EXPECT_EQ(c.at("session.escalated"), 1);
  EXPECT_EQ(c.at("session.reason.requested"), 1);
}

TEST_F(EngineSessionsTest, TheSurveyResolvesAndItsAnswersAreKept) {
  use_survey_bot();
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "when do you open").ok());
  ASSERT_TRUE(say("c1", "goodbye").ok());
  ASSERT_TRUE(say("c1", "yes").ok());
  EXPECT_TRUE(sessions().empty()) << "the survey is still running";
  ASSERT_TRUE(say("c1", "5").ok());
  wait_for_writes();
  auto rows = sessions();
  ASSERT_EQ(rows.size(), 1u) << "the end of the conversation ends the session";
  EXPECT_EQ(rows[0].outcome, "resolved");
  EXPECT_EQ(rows[0].topic, "Goodbye");
  EXPECT_TRUE(rows[0].surveyed);
  EXPECT_EQ(rows[0].resolved, true);
  EXPECT_EQ(rows[0].rating, 5);
  const auto c = counts();
  EXPECT_EQ(c.at("csat.asked"), 1);
  EXPECT_EQ(c.at("csat.rating.5"), 1);
  EXPECT_EQ(c.at("csat.resolved.yes"), 1);

  // The conversation goes on after its end: a new session, numbered by its first activity.
  ASSERT_TRUE(say("c1", "thanks that solved it").ok());
  clock_.advance(minutes(31));
  EXPECT_EQ(end_idle(), 1u);
  rows = sessions();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].outcome, "resolved") << "a confirms_success topic resolves";
  EXPECT_GT(rows[1].number, rows[0].number);
}

TEST_F(EngineSessionsTest, ASurveyAnsweredNoIsNotResolved) {
  use_survey_bot();
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "when do you open").ok());
  ASSERT_TRUE(say("c1", "goodbye").ok());
  ASSERT_TRUE(say("c1", "no").ok());
  ASSERT_TRUE(say("c1", "2").ok());
  wait_for_writes();
  auto rows = sessions();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].outcome, "abandoned");
  EXPECT_EQ(rows[0].resolved, false);
  EXPECT_EQ(rows[0].rating, 2);
}

TEST_F(EngineSessionsTest, AnOpenSessionSurvivesARestartAndEndsFromTheStoreAlone) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  ASSERT_TRUE(start("c2", true).ok());
  ASSERT_TRUE(say("c2", "talk to an agent").ok());
  close();
  open(options_);
  // c1 comes back into memory and goes on in the same session; c2 stays in the store.
  ASSERT_TRUE(say("c1", "Redmond").ok());
  clock_.advance(minutes(31));
  EXPECT_EQ(end_idle(), 2u);
  auto rows = sessions();
  ASSERT_EQ(rows.size(), 2u);
  std::map<std::string, store::AnalyticsSession> by_id;
  for (auto& r : rows) {
    by_id[r.conversation_id] = r;
  }
  EXPECT_EQ(by_id["c1"].outcome, "abandoned");
  EXPECT_EQ(by_id["c1"].topic, "Store hours");
  EXPECT_EQ(by_id["c1"].number, 1u) << "the same session as before the restart";
  EXPECT_EQ(by_id["c2"].outcome, "escalated");
  EXPECT_EQ(by_id["c2"].reason, "requested");
  // c2 was ended without being loaded: it still works afterwards.
  ASSERT_TRUE(status("c2").ok());
  EXPECT_EQ(status("c2")->ownership.owner, Owner::kQueued);
}

TEST_F(EngineSessionsTest, ErasureKeepsTheCountsAndDropsTheRows) {
  ASSERT_TRUE(start("c1", true).ok());
  ASSERT_TRUE(say("c1", "what are your store hours").ok());
  ASSERT_TRUE(
      await<ErasedConversation>([&](auto cb) { engine_->erase_conversation("c1", cb); }).ok());
  wait_for_writes();
  EXPECT_TRUE(sessions().empty());
  EXPECT_EQ(store_->get_open_session("c1").error().code, ErrorCode::kNotFound);
  const auto c = counts();
  EXPECT_EQ(c.at("session"), 1);
  EXPECT_EQ(c.at("session.abandoned"), 1);
}

}  // namespace
}  // namespace baton::engine
