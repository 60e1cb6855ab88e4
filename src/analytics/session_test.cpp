#include "analytics/session.hpp"

#include <gtest/gtest.h>

#include "analytics/cells.hpp"

namespace baton::analytics {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr TimePoint kT0{std::chrono::hours(490'000)};
constexpr Millis kTimeout = minutes(30);

// Drives one session through `steps` and ends it.
struct Case {
  const char* name;
  void (*steps)(Session&);
  const char* outcome;
  const char* topic;
};

TEST(AnalyticsSession, OutcomeRules) {
  const Case cases[] = {
      {"greeting only", [](Session&) {}, "unengaged", ""},
      {"greeting and start over",
       [](Session& s) {
         s.topic_started("Greeting", TopicRole::kGreeting);
         s.topic_started("Start over", TopicRole::kStartOver);
       },
       "unengaged", ""},
      {"a topic, then silence",
       [](Session& s) { s.topic_started("Store hours", TopicRole::kUser); }, "abandoned",
       "Store hours"},
      {"fallback alone engages",
       [](Session& s) { s.topic_started("Fallback", TopicRole::kFallback); }, "abandoned", ""},
      {"end of conversation, no answer",
       [](Session& s) {
         s.topic_started("Store hours", TopicRole::kUser);
         s.topic_started("Survey", TopicRole::kEndOfConversation);
       },
       "resolved", "Store hours"},
      {"end of conversation answered yes",
       [](Session& s) {
         s.topic_started("Returns", TopicRole::kUser);
         s.topic_started("Survey", TopicRole::kEndOfConversation);
         s.survey(true, 4);
       },
       "resolved", "Returns"},
      {"end of conversation answered no",
       [](Session& s) {
         s.topic_started("Returns", TopicRole::kUser);
         s.topic_started("Survey", TopicRole::kEndOfConversation);
         s.survey(false, 2);
       },
       "abandoned", "Returns"},
      {"an end_conversation node without survey",
       [](Session& s) {
         s.topic_started("Goodbye", TopicRole::kUser);
         s.end_reached();
       },
       "resolved", "Goodbye"},
      {"confirms success",
       [](Session& s) {
         s.topic_started("Order status", TopicRole::kUser);
         s.topic_started("Thanks", TopicRole::kConfirmsSuccess);
       },
       "resolved", "Thanks"},
      {"escalation wins over resolution",
       [](Session& s) {
         s.topic_started("Billing", TopicRole::kUser);
         s.topic_started("Escalate", TopicRole::kEscalate);
         s.escalated("requested", "", kT0);
         s.topic_started("Survey", TopicRole::kEndOfConversation);
         s.survey(true, 5);
       },
       "escalated", "Billing"},
      {"the last non-system topic is the session's",
       [](Session& s) {
         s.topic_started("Billing", TopicRole::kUser);
         s.topic_started("Returns", TopicRole::kUser);
         s.topic_started("Fallback", TopicRole::kFallback);
       },
       "abandoned", "Returns"},
  };
  for (const Case& c : cases) {
    Session s;
    EXPECT_FALSE(s.touch("c1", 1, kT0, kTimeout)) << c.name;
    c.steps(s);
    auto row = s.end("c1");
    ASSERT_TRUE(row) << c.name;
    EXPECT_EQ(row->outcome, c.outcome) << c.name;
    EXPECT_EQ(row->topic, c.topic) << c.name;
    EXPECT_FALSE(s.open()) << c.name;
  }
}

TEST(AnalyticsSession, EndsAfterTheTimeoutAndTheNextActivityOpensAnother) {
  Session s;
  EXPECT_FALSE(s.touch("c1", 1, kT0, kTimeout));
  s.topic_started("Store hours", TopicRole::kUser);
  EXPECT_FALSE(s.touch("c1", 3, kT0 + minutes(29), kTimeout));  // still the same session
  EXPECT_FALSE(s.idle(kT0 + minutes(58), kTimeout));
  EXPECT_TRUE(s.idle(kT0 + minutes(59), kTimeout));
  auto ended = s.touch("c1", 5, kT0 + minutes(59), kTimeout);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->number, 1u);
  EXPECT_EQ(ended->started, kT0);
  EXPECT_EQ(ended->ended, kT0 + minutes(29));  // its last activity, not when it was noticed
  EXPECT_EQ(ended->outcome, "abandoned");
  ASSERT_TRUE(s.open());
  auto second = s.end("c1");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->number, 5u);
  EXPECT_EQ(second->outcome, "unengaged");
  EXPECT_EQ(second->started, kT0 + minutes(59));
  EXPECT_FALSE(s.end("c1"));  // nothing open any more
}

TEST(AnalyticsSession, EscalationKeepsReasonQueueAgentAndFirstWait) {
  Session s;
  s.touch("c1", 1, kT0, kTimeout);
  s.topic_started("Billing", TopicRole::kUser);
  s.escalated("no_match", "general", kT0 + seconds(10));
  s.accepted("billing", "alice", kT0 + seconds(52));
  s.accepted("billing", "bob", kT0 + seconds(90));  // a transfer: the first wait stays
  s.handled_by("carol");                            // the agent at its end
  s.handled_by("");
  auto row = s.end("c1");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->reason, "no_match");
  EXPECT_EQ(row->queue, "billing");
  EXPECT_EQ(row->agent, "carol");
  EXPECT_EQ(row->wait_ms, 42'000);
}

TEST(AnalyticsSession, TheLatestSurveyAnswerCountsAndRatingsOutsideOneToFiveDoNot) {
  Session s;
  s.touch("c1", 1, kT0, kTimeout);
  s.topic_started("Survey", TopicRole::kEndOfConversation);
  s.survey(true, 2);
  s.survey(std::nullopt, 9);
  s.survey(std::nullopt, 4);
  auto row = s.end("c1");
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->surveyed);
  EXPECT_EQ(row->rating, 4);
  EXPECT_EQ(row->resolved, true);
}

TEST(AnalyticsSession, FactsWithoutAnOpenSessionChangeNothing) {
  Session s;
  s.topic_started("Billing", TopicRole::kUser);
  s.escalated("explicit", "", kT0);
  s.survey(true, 5);
  s.end_reached();
  EXPECT_FALSE(s.open());
  EXPECT_FALSE(s.end("c1"));
  EXPECT_EQ(s, Session{});
}

TEST(AnalyticsSession, StoredFormRoundTripsWithTheLastActivityFromOutside) {
  Session s;
  s.touch("c1", 7, kT0, kTimeout);
  s.topic_started("Billing", TopicRole::kUser);
  s.escalated("requested", "general", kT0 + seconds(3));
  s.accepted("billing", "alice", kT0 + seconds(20));
  s.topic_started("Survey", TopicRole::kEndOfConversation);
  s.survey(false, 3);
  s.touch("c1", 12, kT0 + minutes(5), kTimeout);
  const boost::json::object form = s.to_json();
  EXPECT_FALSE(form.contains("last"));
  auto back = Session::from_json(form, kT0 + minutes(5));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->to_json(), form);
}

TEST(AnalyticsSession, MalformedStoredFormsAreRefusedByField) {
  const std::pair<const char*, const char*> bad[] = {
      {"[]", "expected an object"},
      {R"({"v":2})", "v:"},
      {R"({"v":1,"n":0,"started":0})", "n:"},
      {R"({"v":1,"n":3})", "started:"},
      {R"({"v":1,"n":3,"started":0,"engaged":"yes"})", "engaged:"},
      {R"({"v":1,"n":3,"started":0,"engaged":true,"escalated":false,"end":false,)"
       R"("confirmed":false,"surveyed":false,"topic":"","reason":"","queue":"","agent":"",)"
       R"("rating":6})",
       "rating:"},
  };
  for (const auto& [text, message] : bad) {
    auto parsed = Session::from_json(boost::json::parse(text), kT0);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message.find(message), std::string::npos)
        << text << " → " << parsed.error().message;
  }
}

TEST(AnalyticsCells, ASessionCountsInTheHourItEnded) {
  store::AnalyticsSession row;
  row.conversation_id = "c1";
  row.number = 1;
  row.started = kT0 + minutes(50);
  row.ended = kT0 + minutes(70);
  row.outcome = "escalated";
  row.topic = "Billing";
  row.reason = "requested";
  row.queue = "billing";
  row.agent = "alice";
  row.surveyed = true;
  row.rating = 4;
  row.resolved = true;
  const auto cells = session_cells(row);
  auto names_in = [&](Grain grain, Dims dims, std::int64_t index) {
    std::vector<std::string> names;
    for (const auto& c : cells) {
      if (c.period == period_key(grain, dims, index)) {
        EXPECT_EQ(c.count, 1);
        names.push_back(c.metric);
      }
    }
    return names;
  };
  const std::vector<std::string> all = {
      "csat.asked", "csat.rating",       "csat.rating.4",           "csat.resolved.yes",
      "session",    "session.escalated", "session.reason.requested"};
  // In the hour and the day it ended, in each rollup with its dimensions.
  EXPECT_EQ(names_in(Grain::kHour, Dims::kTotal, 490'001), all);
  EXPECT_EQ(names_in(Grain::kDay, Dims::kTotal, 490'001 / 24), all);
  for (const Dims d : {Dims::kTopic, Dims::kQueue, Dims::kAgent, Dims::kQueueAgent}) {
    EXPECT_EQ(names_in(Grain::kHour, d, 490'001), all);
  }
  EXPECT_EQ(cells.size(), all.size() * 10);
  for (const auto& c : cells) {
    const std::int64_t rollup = c.period >> 40;
    EXPECT_EQ(c.topic, rollup % 8 == 1 ? "Billing" : "");
    EXPECT_EQ(c.queue, rollup % 8 == 2 || rollup % 8 == 4 ? "billing" : "");
    EXPECT_EQ(c.agent, rollup % 8 == 3 || rollup % 8 == 4 ? "alice" : "");
    if (c.metric == "session") {
      EXPECT_EQ(c.sum, 20 * 60'000);  // the session's length
    }
    if (c.metric == "csat.rating") {
      EXPECT_EQ(c.sum, 4);
    }
  }
  // A session without handoff has no queue or agent rollups.
  row.queue.clear();
  row.agent.clear();
  EXPECT_EQ(session_cells(row).size(), all.size() * 4);
}

TEST(AnalyticsCells, HoursAndFirstWaitBuckets) {
  EXPECT_EQ(hour_of(TimePoint{}), 0);
  EXPECT_EQ(hour_of(TimePoint{} - Millis(1)), -1);
  EXPECT_EQ(hour_of(start_of_hour(490'000) + minutes(59)), 490'000);
  EXPECT_EQ(first_wait_bucket(0), "handoff.first_wait.le.5000");
  EXPECT_EQ(first_wait_bucket(20'000), "handoff.first_wait.le.20000");
  EXPECT_EQ(first_wait_bucket(20'001), "handoff.first_wait.le.30000");
  EXPECT_EQ(first_wait_bucket(100'000'000), "handoff.first_wait.le.inf");
}

TEST(AnalyticsCells, SamplesMergeByCellAndAcceptedOnesFillTheWaitHistogram) {
  const std::vector<Sample> samples = {
      {kT0, "handoff.accepted", "billing", "alice", 1, 12'000},
      {kT0 + minutes(1), "handoff.accepted", "billing", "alice", 1, 50'000},
      {kT0 + minutes(61), "handoff.accepted", "billing", "alice", 1, 4'000},
      {kT0, "offer.declined", "billing", "bob", 1, 0},
  };
  const auto cells = sample_cells(samples);
  auto find = [&](std::int64_t hour, std::string_view metric) -> const store::AnalyticsCell* {
    for (const auto& c : cells) {
      if (c.period == period_key(Grain::kHour, Dims::kTotal, hour) && c.metric == metric) {
        return &c;
      }
    }
    return nullptr;
  };
  ASSERT_NE(find(490'000, "handoff.accepted"), nullptr);
  EXPECT_EQ(find(490'000, "handoff.accepted")->count, 2);
  EXPECT_EQ(find(490'000, "handoff.accepted")->sum, 62'000);
  EXPECT_EQ(find(490'000, "handoff.first_wait.le.20000")->count, 1);
  EXPECT_EQ(find(490'000, "handoff.first_wait.le.60000")->count, 1);
  EXPECT_EQ(find(490'001, "handoff.first_wait.le.5000")->count, 1);
  EXPECT_EQ(find(490'000, "offer.declined")->count, 1);
  // Six hourly totals (two accepted merged in the first hour), and their days and dimensions.
  std::size_t hourly_totals = 0;
  for (const auto& c : cells) {
    hourly_totals += (c.period >> 40) == 0 ? 1 : 0;
    EXPECT_TRUE(c.topic.empty());
  }
  EXPECT_EQ(hourly_totals, 6u);
}

TEST(AnalyticsCells, PeriodKeysKeepRollupsApartAndInOrder) {
  EXPECT_LT(period_key(Grain::kHour, Dims::kTotal, 490'000),
            period_key(Grain::kHour, Dims::kTotal, 490'001));
  EXPECT_LT(period_key(Grain::kHour, Dims::kTotal, 1'000'000'000),
            period_key(Grain::kHour, Dims::kTopic, 0));
  EXPECT_LT(period_key(Grain::kHour, Dims::kQueueAgent, 1'000'000'000),
            period_key(Grain::kDay, Dims::kTotal, 0));
  EXPECT_EQ(index_of(period_key(Grain::kDay, Dims::kAgent, 20'416)), 20'416);
  EXPECT_EQ(index_of(period_key(Grain::kDay, Dims::kAgent, -5)), 0) << "before 1970: the first";
}

}  // namespace
}  // namespace baton::analytics
