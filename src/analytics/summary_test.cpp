// The summary and the series over the real SQLite store: cells written as the engine and the
// engagement write them, read back as figures with known values.
#include "analytics/summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "analytics/cells.hpp"
#include "analytics/summary_json.hpp"
#include "core/testing/temp_dir.hpp"
#include "store/sqlite_store.hpp"

namespace baton::analytics {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kHour = 490'000;
constexpr TimePoint kT0{std::chrono::hours(kHour)};

class SummaryTest : public ::testing::Test {
 protected:
  SummaryTest() {
    store::SqliteOptions options;
    options.path = dir_.path() / "baton.db";
    auto opened = store::open_sqlite_store(options);
    EXPECT_TRUE(opened.ok());
    store_ = std::move(*opened);
  }

  // One ended session, written as the engine writes it: its row and its cells in one batch.
  void session(const std::string& conversation, TimePoint ended, const std::string& outcome,
               const std::string& topic = "", const std::string& reason = "",
               std::optional<std::int32_t> rating = std::nullopt,
               std::optional<bool> resolved = std::nullopt, const std::string& agent = "") {
    store::WriteBatch batch;
    store::Conversation row;
    row.id = conversation;
    row.bot_id = "bot";
    row.user_id = "u-" + conversation;
    row.channel_id = "test";
    row.created = row.updated = ended;
    batch.insert_conversation(row);
    store::AnalyticsSession s;
    s.conversation_id = conversation;
    s.number = 1;
    s.started = ended - minutes(3);
    s.ended = ended;
    s.outcome = outcome;
    s.topic = topic;
    s.reason = reason;
    s.queue = reason.empty() ? "" : "general";
    s.agent = agent;
    s.rating = rating;
    s.resolved = resolved;
    s.surveyed = rating.has_value() || resolved.has_value();
    batch.add_analytics(session_cells(s));
    batch.put_analytics_session(s);
    ASSERT_TRUE(store_->write(std::move(batch)).ok());
  }

  void samples(const std::vector<Sample>& list) {
    store::WriteBatch batch;
    batch.add_analytics(sample_cells(list));
    ASSERT_TRUE(store_->write(std::move(batch)).ok());
  }

  Summary summary(const Query& q = {kHour, kHour + 24, "", "", ""}) {
    auto s = summarize(*store_, q);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : Summary{};
  }

  baton::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SummaryTest, SessionsRatesAndCsatAddUpFromTheCells) {
  session("a", kT0 + minutes(5), "unengaged");
  session("b", kT0 + minutes(10), "resolved", "Store hours", "", 5, true);
  session("c", kT0 + minutes(20), "abandoned", "Store hours");
  session("d", kT0 + hours(1), "escalated", "Billing", "requested", 3, true, "alice");
  session("e", kT0 + hours(2), "escalated", "Billing", "no_match");
  session("f", kT0 + hours(2), "abandoned", "Returns", "", std::nullopt, false);

  const Summary s = summary();
  EXPECT_EQ(s.sessions.total, 6);
  EXPECT_EQ(s.sessions.engaged, 5);
  EXPECT_EQ(s.sessions.unengaged, 1);
  EXPECT_EQ(s.sessions.resolved, 1);
  EXPECT_EQ(s.sessions.escalated, 2);
  EXPECT_EQ(s.sessions.abandoned, 2);
  EXPECT_DOUBLE_EQ(*s.rates.engagement, 5.0 / 6);
  EXPECT_DOUBLE_EQ(*s.rates.resolution, 1.0 / 5);
  EXPECT_DOUBLE_EQ(*s.rates.escalation, 2.0 / 5);
  EXPECT_DOUBLE_EQ(*s.rates.abandon, 2.0 / 5);
  EXPECT_EQ(s.csat.asked, 3);
  EXPECT_EQ(s.csat.responses, 2);
  EXPECT_DOUBLE_EQ(*s.csat.average, 4.0);
  EXPECT_DOUBLE_EQ(*s.csat.response_rate, 2.0 / 3);
  EXPECT_EQ(s.csat.distribution.at(5), 1);
  EXPECT_EQ(s.csat.distribution.at(3), 1);
  EXPECT_EQ(s.csat.distribution.at(1), 0);
  EXPECT_EQ(s.csat.resolved_yes, 2);
  EXPECT_EQ(s.csat.resolved_no, 1);
  EXPECT_EQ(s.handoffs.by_reason,
            (std::map<std::string, std::int64_t>{{"no_match", 1}, {"requested", 1}}));
  // Topics by escalation rate: Billing (1.0), then Store hours and Returns (0) by sessions.
  ASSERT_EQ(s.topics.size(), 3u);
  EXPECT_EQ(s.topics[0].topic, "Billing");
  EXPECT_DOUBLE_EQ(s.topics[0].escalation_rate, 1.0);
  EXPECT_EQ(s.topics[1].topic, "Store hours");
  EXPECT_EQ(s.topics[1].sessions, 2);
  EXPECT_DOUBLE_EQ(s.topics[1].resolution_rate, 0.5);
  EXPECT_DOUBLE_EQ(s.topics[1].abandon_rate, 0.5);
  EXPECT_EQ(s.topics[2].topic, "Returns");

  // The range and the filters.
  EXPECT_EQ(summary({kHour, kHour + 1, "", "", ""}).sessions.total, 3);
  EXPECT_EQ(summary({kHour + 1, kHour + 2, "", "", ""}).sessions.total, 1);
  EXPECT_EQ(summary({kHour, kHour + 24, "Billing", "", ""}).sessions.escalated, 2);
  EXPECT_EQ(summary({kHour, kHour + 24, "", "", "alice"}).sessions.total, 1);
  const Summary none = summary({kHour + 5, kHour + 6, "", "", ""});
  EXPECT_EQ(none.sessions.total, 0);
  EXPECT_FALSE(none.rates.engagement) << "nothing to divide: null, not 0";
  EXPECT_FALSE(none.csat.average);
}

TEST_F(SummaryTest, HandoffAndAgentFiguresComeFromTheHubsSamples) {
  samples({
      {kT0, "handoff.queued", "general", "", 1, 0},
      {kT0, "handoff.queued", "general", "", 1, 0},
      {kT0, "handoff.queued", "billing", "", 1, 0},
      {kT0, "handoff.unavailable", "billing", "", 1, 0},
      {kT0 + seconds(10), "handoff.accepted", "general", "alice", 1, 8'000},
      {kT0 + seconds(50), "handoff.accepted", "general", "bob", 1, 45'000},
      {kT0 + seconds(60), "handoff.abandoned", "billing", "", 1, 60'000},
      {kT0 + seconds(9), "offer.made", "general", "alice", 1, 0},
      {kT0 + seconds(10), "offer.accepted", "general", "alice", 1, 1'000},
      {kT0 + seconds(40), "offer.made", "general", "bob", 1, 0},
      {kT0 + seconds(50), "offer.accepted", "general", "bob", 1, 10'000},
      {kT0 + seconds(20), "offer.declined", "general", "carol", 1, 0},
      {kT0 + minutes(5), "handle", "general", "alice", 1, 290'000},
      {kT0 + minutes(5), "transfer", "general", "alice", 1, 0},
      {kT0 + minutes(30), "agent.presence.available", "", "alice", 1, 1'200'000},
      {kT0 + minutes(30), "agent.load", "", "alice", 1, 600'000},
      {kT0 + minutes(30), "agent.capacity", "", "alice", 1, 2'400'000},
  });
  const Summary s = summary();
  const auto& h = s.handoffs;
  EXPECT_EQ(h.total, 4);
  EXPECT_EQ(h.accepted, 2);
  EXPECT_EQ(h.unavailable, 1);
  EXPECT_EQ(h.abandoned, 1);
  EXPECT_EQ(h.transfers, 1);
  EXPECT_EQ(h.offers, 2);
  EXPECT_EQ(h.offers_declined, 1);
  EXPECT_DOUBLE_EQ(*h.first_wait_ms.avg, 26'500);
  // Buckets: 8 s in (5 s, 10 s], 45 s in (30 s, 60 s]. p50 = the first's upper bound; p90 = 80 %
  // into the second (linear within it).
  EXPECT_DOUBLE_EQ(*h.first_wait_ms.p50, 10'000);
  EXPECT_DOUBLE_EQ(*h.first_wait_ms.p90, 30'000 + 0.8 * 30'000);
  EXPECT_DOUBLE_EQ(*h.service_level_20s, 1.0 / 3);  // of accepted 2 + abandoned 1
  EXPECT_DOUBLE_EQ(*h.service_level_60s, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*h.handle_time_ms_avg, 290'000);
  EXPECT_DOUBLE_EQ(*h.time_to_accept_ms_avg, 5'500);

  ASSERT_EQ(s.agents.size(), 3u);
  EXPECT_EQ(s.agents[0].id, "alice");
  EXPECT_EQ(s.agents[0].handled, 1);
  EXPECT_DOUBLE_EQ(*s.agents[0].utilisation, 0.25);
  EXPECT_DOUBLE_EQ(s.agents[0].presence_ms.at("available"), 1'200'000);
  EXPECT_EQ(s.agents[2].id, "carol");
  EXPECT_EQ(s.agents[2].offers_declined, 1);

  ASSERT_EQ(s.queues.size(), 2u);
  EXPECT_EQ(s.queues[0].queue, "billing");
  EXPECT_EQ(s.queues[0].handoffs, 2);
  EXPECT_DOUBLE_EQ(*s.queues[0].service_level_20s, 0.0);
  EXPECT_EQ(s.queues[1].queue, "general");
  EXPECT_DOUBLE_EQ(*s.queues[1].service_level_20s, 0.5);

  EXPECT_EQ(summary({kHour, kHour + 24, "", "billing", ""}).handoffs.total, 2);
  EXPECT_EQ(summary({kHour, kHour + 24, "Billing", "", ""}).handoffs.total, 0)
      << "the hub's figures carry no topic";
}

TEST_F(SummaryTest, WrapUpsAreCountedPerDisposition) {
  const std::string solved = std::string(kDispositionPrefix) + "solved";
  samples({
      {kT0, solved, "general", "alice", 1, 0},
      {kT0 + minutes(1), solved, "billing", "bob", 1, 0},
      {kT0 + minutes(2), std::string(kDispositionPrefix) + "call-back", "billing", "bob", 1, 0},
  });
  EXPECT_EQ(summary().handoffs.by_disposition,
            (std::map<std::string, std::int64_t>{{"call-back", 1}, {"solved", 2}}));
  EXPECT_EQ(summary({kHour, kHour + 24, "", "billing", ""}).handoffs.by_disposition,
            (std::map<std::string, std::int64_t>{{"call-back", 1}, {"solved", 1}}));
  EXPECT_EQ(summary({kHour, kHour + 24, "", "", "alice"}).handoffs.by_disposition,
            (std::map<std::string, std::int64_t>{{"solved", 1}}));
  EXPECT_TRUE(summary({kHour + 1, kHour + 2, "", "", ""}).handoffs.by_disposition.empty());
}

TEST_F(SummaryTest, SeriesHaveOnePointPerIntervalEmptyOnesIncluded) {
  session("a", kT0 + minutes(5), "resolved", "Store hours", "", 4);
  session("b", kT0 + minutes(6), "abandoned", "Store hours", "", 2);
  session("c", kT0 + hours(2), "resolved", "Store hours");
  auto hourly = series(*store_, {kHour, kHour + 3, "", "", ""}, "sessions", 1);
  ASSERT_TRUE(hourly.ok());
  ASSERT_EQ(hourly->size(), 3u);
  EXPECT_EQ((*hourly)[0].start, kT0);
  EXPECT_EQ((*hourly)[0].value, 2);
  EXPECT_EQ((*hourly)[1].value, 0);
  EXPECT_EQ((*hourly)[2].value, 1);
  auto csat = series(*store_, {kHour, kHour + 3, "", "", ""}, "csat", 1);
  ASSERT_TRUE(csat.ok());
  EXPECT_EQ((*csat)[0].value, 3.0);
  EXPECT_FALSE((*csat)[1].value) << "no rating: null";
  auto daily = series(*store_, {kHour, kHour + 3, "", "", ""}, "resolved", 24);
  ASSERT_TRUE(daily.ok());
  ASSERT_EQ(daily->size(), 1u);
  EXPECT_EQ((*daily)[0].start, start_of_hour(kHour - kHour % 24)) << "days start at 00:00Z";
  EXPECT_EQ((*daily)[0].value, 2);

  EXPECT_EQ(series(*store_, {kHour, kHour + 3, "", "", ""}, "bogus", 1).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(series(*store_, {0, kMaxSeriesPoints + 1, "", "", ""}, "sessions", 1).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(SummaryTest, RangesAcrossDaysReadDailyCellsAndEdgeHoursAlike) {
  // One session every 5 hours for 4 days from midnight; the hour-by-hour count is the reference.
  const std::int64_t day0 = (kHour / 24 + 1) * 24;
  std::vector<std::int64_t> at;
  for (std::int64_t h = day0; h < day0 + 96; h += 5) {
    session("s" + std::to_string(h), start_of_hour(h) + minutes(30), "resolved", "Store hours");
    at.push_back(h);
  }
  const std::vector<std::pair<std::int64_t, std::int64_t>> ranges = {
      {day0, day0 + 96},    {day0 + 7, day0 + 90},   {day0 + 23, day0 + 25},
      {day0 + 3, day0 + 4}, {day0 - 10, day0 + 200}, {day0 + 24, day0 + 48}};
  for (const auto& range : ranges) {
    const std::int64_t from = range.first;
    const std::int64_t to = range.second;
    const auto expected =
        std::count_if(at.begin(), at.end(), [&](std::int64_t h) { return h >= from && h < to; });
    EXPECT_EQ(summary({from, to, "", "", ""}).sessions.total, expected)
        << from - day0 << ".." << to - day0;
    EXPECT_EQ(summary({from, to, "Store hours", "", ""}).sessions.resolved, expected);
    auto daily = series(*store_, {from, to, "", "", ""}, "sessions", 24);
    ASSERT_TRUE(daily.ok());
    double sum = 0;
    for (const auto& p : *daily) {
      sum += p.value.value_or(0);
    }
    EXPECT_EQ(sum, static_cast<double>(expected));
  }
}

TEST(AnalyticsQuery, TextBecomesWholeHoursAndBadTextIsRefusedByField) {
  const TimePoint now = kT0 + minutes(30);
  auto defaults = parse_query({}, now);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->to_hour, kHour + 1) << "an hour begun counts whole";
  EXPECT_EQ(defaults->from_hour, kHour - std::int64_t{7} * 24);
  auto given = parse_query(
      {"2026-12-01T10:30:00Z", "2026-12-01T12:00:00Z", "Billing", std::nullopt, std::nullopt}, now);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->to_hour - given->from_hour, 2);
  EXPECT_EQ(given->topic, "Billing");

  const std::pair<QueryText, const char*> bad[] = {
      {{"yesterday", std::nullopt, std::nullopt, std::nullopt, std::nullopt}, "from:"},
      {{std::nullopt, "2026-13-01T00:00:00Z", std::nullopt, std::nullopt, std::nullopt}, "to:"},
      {{"2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z", std::nullopt, std::nullopt, std::nullopt},
       "to:"},
      {{"2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z", std::nullopt, std::nullopt, std::nullopt},
       "3 years"},
  };
  for (const auto& [text, field] : bad) {
    auto q = parse_query(text, now);
    ASSERT_FALSE(q.ok()) << field;
    EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(q.error().message.find(field), std::string::npos) << q.error().message;
  }
  auto mixed = parse_query({std::nullopt, std::nullopt, "Billing", "general", std::nullopt}, now);
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message.find("topic: cannot be combined"), std::string::npos);
  const std::string long_topic(300, 'x');
  EXPECT_FALSE(
      parse_query({std::nullopt, std::nullopt, long_topic, std::nullopt, std::nullopt}, now).ok());
}

TEST(AnalyticsJson, NullWhereNothingDividesAndEveryRatingPresent) {
  const Summary empty;
  const auto json = to_json(empty, {kHour, kHour + 1, "", "", ""});
  EXPECT_TRUE(json.at("rates").at("resolution").is_null());
  EXPECT_TRUE(json.at("handoffs").at("firstWaitMs").at("p90").is_null());
  EXPECT_EQ(json.at("range").at("from").as_string(), format_iso8601(kT0));
  EXPECT_EQ(json.at("sessions").at("total").as_int64(), 0);
  EXPECT_EQ(json.at("csat").at("distribution").as_object().size(), 5u);
  EXPECT_EQ(json.at("csat").at("distribution").at("3").as_int64(), 0);
}

}  // namespace
}  // namespace baton::analytics
