// Measurements (measures.hpp): each metric with its exact value under a ManualClock, spans cut at
// hour boundaries, transfers and requeues, failed inputs, and an independent model of the agents'
// spans over random streams. Replay and restore: hub_snapshot_test.cpp.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>

#include "hub/hub.hpp"
#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

// "<metric> <queue>/<agent> n=<count> v=<value> @<ms since t0>"
std::string brief(const Measure& m) {
  EXPECT_EQ(m.value, std::floor(m.value)) << "whole milliseconds";
  return fmt::format("{} {}/{} n={} v={} @{}", m.metric, m.queue, m.agent, m.count,
                     static_cast<std::int64_t>(m.value),
                     std::chrono::duration_cast<Millis>(m.at - t0()).count());
}

std::vector<std::string> briefs(const Measures& measures) {
  std::vector<std::string> out;
  for (const Measure& m : measures) {
    out.push_back(brief(m));
  }
  return out;
}

struct MStep {
  Millis advance{0};
  Event event;
  std::vector<std::string> expect;  // the measures of this input
  ErrorCode error = ErrorCode::kInternal;
};

struct MScenario {
  std::string name;
  std::vector<MStep> steps;
  const char* yaml = nullptr;  // nullptr = kBaseYaml
};

void PrintTo(const MScenario& s, std::ostream* os) { *os << s.name; }

// Runs the steps on a measuring hub and, beside it, on a hub applying without measures: both must
// decide the same, and a failed input leaves the measures as they were. Each step is also
// measured by a fresh hub that replayed the steps before it without measures.
void run_measured(const MScenario& scenario) {
  auto config = config_from(scenario.yaml != nullptr ? scenario.yaml : kBaseYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  Hub plain(config, clock);
  std::vector<Input> log;
  int index = 0;
  for (const MStep& step : scenario.steps) {
    ++index;
    clock.advance(step.advance);
    const Input input = hub.stamp(step.event);
    Hub replayed(config, clock);
    for (const Input& earlier : log) {
      (void)replayed.apply(earlier);
    }
    log.push_back(input);
    Measures after_replay;
    (void)replayed.apply(input, &after_replay);
    Measures measures{Measure{t0(), "earlier", "", "", 1, 0}};
    auto result = hub.apply(input, &measures);
    auto expected = plain.apply(input);
    ASSERT_EQ(result.ok(), expected.ok()) << scenario.name << " step " << index;
    ASSERT_FALSE(measures.empty());
    EXPECT_EQ(measures.front().metric, "earlier") << "measures are appended";
    measures.erase(measures.begin());
    if (step.error != ErrorCode::kInternal) {
      ASSERT_FALSE(result.ok()) << scenario.name << " step " << index;
      EXPECT_EQ(result.error().code, step.error) << result.error().message;
      EXPECT_TRUE(measures.empty()) << scenario.name << " step " << index;
      continue;
    }
    ASSERT_TRUE(result.ok()) << scenario.name << " step " << index << ": "
                             << result.error().message;
    EXPECT_EQ(testing::briefs(*result), testing::briefs(*expected))
        << scenario.name << " step " << index;
    EXPECT_EQ(briefs(measures), step.expect) << scenario.name << " step " << index;
    EXPECT_EQ(after_replay, measures) << scenario.name << " step " << index << " after a replay";
  }
}

constexpr std::int64_t kH = 3'600'000;  // an hour in ms

// Queues with operating hours (open 08:00–10:30 UTC; t0 is 10:00) and with max waits.
const char* kTimedYaml = R"(
hub:
  default_queue: general
  queues:
    - name: morning
      hours:
        time_zone: UTC
        weekly:
          daily: ["08:00-10:30"]
    - name: billing
      when: va_LastTopic == "Billing"
      max_wait: 1m
      overflow: general
    - name: general
      max_wait: 2m
)";

// One agent set away by a single missed offer, forced wrap-up ends, silent customers.
const char* kStrictYaml = R"(
hub:
  default_queue: general
  missed_offers_before_away: 1
  max_wrap_up: 1m
  defaults:
    offer_timeout: 10s
    abandon_after: 5m
  queues:
    - name: general
)";

HandoffSubmitted hinted(std::string conv, std::string queue) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.queue_hint = std::move(queue);
  return e;
}

std::vector<MScenario> scenarios() {
  return {
      {"FirstWaitAndOfferTimes",
       {
           {sec(0), reg("a"), {}},  // registered, not yet appeared: no spans
           {sec(0), avail("a"), {}},
           {sec(1), reg("b"), {}},
           {sec(0), avail("b"), {}},
           {sec(1),
            submit("c1"),  // to a, idle longest
            {"handoff.queued general/ n=1 v=0 @2000", "offer.made general/a n=1 v=0 @2000",
             "agent.presence.available /a n=1 v=2000 @2000"}},
           {sec(1),
            decline("c1", "a", 1),
            {"offer.declined general/a n=1 v=1000 @3000", "offer.made general/b n=1 v=0 @3000",
             "agent.presence.busy /a n=1 v=1000 @3000", "agent.load /a n=1 v=1000 @3000",
             "agent.presence.available /b n=1 v=2000 @3000"}},
           {sec(4),
            accept("c1", "b", 2),
            {"offer.accepted general/b n=1 v=4000 @7000",
             "handoff.accepted general/b n=1 v=5000 @7000"}},
           {sec(10), end("c1", "b"), {}},
           {sec(5),
            wrapped("c1", "b"),
            {"handle general/b n=1 v=15000 @22000", "agent.presence.busy /b n=1 v=19000 @22000",
             "agent.load /b n=1 v=19000 @22000"}},
       }},
      {"OfferOutcomesAndWaits",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {}},
           {sec(1),
            submit("c1"),
            {"handoff.queued general/ n=1 v=0 @1000", "offer.made general/a n=1 v=0 @1000",
             "agent.presence.available /a n=1 v=1000 @1000"}},
           // Expired, and offered to a again at once (nobody else): a stays busy, no span ends.
           {sec(30),
            tick(),
            {"offer.expired general/a n=1 v=30000 @31000", "offer.made general/a n=1 v=0 @31000"}},
           {sec(5),
            Event{HandoffCancelled{"c1"}},
            {"offer.rescinded general/a n=1 v=5000 @36000",
             "handoff.cancelled general/ n=1 v=35000 @36000",
             "agent.presence.busy /a n=1 v=35000 @36000", "agent.load /a n=1 v=35000 @36000"}},
           {sec(1),
            submit("c2"),
            {"handoff.queued general/ n=1 v=0 @37000", "offer.made general/a n=1 v=0 @37000",
             "agent.presence.available /a n=1 v=1000 @37000"}},
           {sec(2),
            Event{CustomerLeft{"c2"}},
            {"offer.rescinded general/a n=1 v=2000 @39000",
             "handoff.abandoned general/ n=1 v=2000 @39000",
             "agent.presence.busy /a n=1 v=2000 @39000", "agent.load /a n=1 v=2000 @39000"}},
           {sec(0), Event{CustomerLeft{"c2"}}, {}, ErrorCode::kNotFound},
       }},
      {"UnavailableOverflowAndTimeOut",
       {
           {sec(0),
            submit("c0"),  // nobody online
            {"handoff.unavailable general/ n=1 v=0 @0",
             "handoff.unavailable.no_agents general/ n=1 v=0 @0"}},
           {sec(0), reg("a"), {}},
           {sec(0), presence("a", Presence::kBusy), {}},  // online, takes no offers
           {sec(0), submit_with(hinted("c1", "morning")), {"handoff.queued morning/ n=1 v=0 @0"}},
           {sec(0),
            submit("c2", {{"va_LastTopic", "Billing"}}),
            {"handoff.queued billing/ n=1 v=0 @0"}},
           {sec(60), tick(), {"handoff.overflowed billing/ n=1 v=60000 @60000"}},
           {sec(120), tick(), {"handoff.timed_out general/ n=1 v=180000 @180000"}},
           {mins(27),
            tick(),  // 10:30: morning closes on its waiting customer
            {"handoff.unavailable morning/ n=1 v=0 @1800000",
             "handoff.unavailable.out_of_hours morning/ n=1 v=0 @1800000"}},
           {sec(0),
            submit_with(hinted("c3", "morning")),
            {"handoff.unavailable morning/ n=1 v=0 @1800000",
             "handoff.unavailable.out_of_hours morning/ n=1 v=0 @1800000"}},
           {sec(0),
            presence("a", Presence::kOffline),
            {"agent.presence.busy /a n=1 v=1800000 @1800000",
             "agent.capacity /a n=1 v=1800000 @1800000"}},
       },
       kTimedYaml},
      {"MissedOffersForcedWrapUpAndSilence",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {}},
           {sec(1),
            submit("c1"),
            {"handoff.queued general/ n=1 v=0 @1000", "offer.made general/a n=1 v=0 @1000",
             "agent.presence.available /a n=1 v=1000 @1000"}},
           // Missed: a is set away, so no longer online (its capacity span ends too).
           {sec(10),
            tick(),
            {"offer.expired general/a n=1 v=10000 @11000",
             "agent.presence.busy /a n=1 v=10000 @11000", "agent.load /a n=1 v=10000 @11000",
             "agent.capacity /a n=1 v=11000 @11000"}},
           {sec(1),
            avail("a"),
            {"offer.made general/a n=1 v=0 @12000", "agent.presence.away /a n=1 v=1000 @12000"}},
           {sec(1),
            accept("c1", "a", 2),
            {"offer.accepted general/a n=1 v=1000 @13000",
             "handoff.accepted general/a n=1 v=12000 @13000"}},
           {sec(1), end("c1", "a"), {}},
           {sec(60),
            tick(),  // max_wrap_up
            {"handle general/a n=1 v=61000 @74000", "agent.presence.busy /a n=1 v=62000 @74000",
             "agent.load /a n=1 v=62000 @74000"}},
           {sec(1),
            submit("c2"),
            {"handoff.queued general/ n=1 v=0 @75000", "offer.made general/a n=1 v=0 @75000",
             "agent.presence.available /a n=1 v=1000 @75000"}},
           // Declined, and offered back at once (nobody else): a's busy span goes on.
           {sec(1),
            decline("c2", "a", 3),
            {"offer.declined general/a n=1 v=1000 @76000", "offer.made general/a n=1 v=0 @76000"}},
           {mins(5),
            tick(),
            {"offer.expired general/a n=1 v=300000 @376000",
             "handoff.abandoned general/ n=1 v=301000 @376000",
             "agent.presence.busy /a n=1 v=301000 @376000", "agent.load /a n=1 v=301000 @376000",
             "agent.capacity /a n=1 v=364000 @376000"}},
       },
       kStrictYaml},
      {"TransfersAndLaterAssignments",
       {
           {sec(0), reg("a", {"billing"}), {}},
           {sec(0), avail("a"), {}},
           {sec(1), reg("b", {"billing"}), {}},
           {sec(0), avail("b"), {}},
           {sec(0),
            submit("c1"),
            {"handoff.queued general/ n=1 v=0 @1000", "offer.made general/a n=1 v=0 @1000",
             "agent.presence.available /a n=1 v=1000 @1000"}},
           {sec(1),
            accept("c1", "a", 1),
            {"offer.accepted general/a n=1 v=1000 @2000",
             "handoff.accepted general/a n=1 v=1000 @2000"}},
           {sec(5),
            transfer_agent("c1", "a", "b"),
            {"offer.made general/b n=1 v=0 @7000", "offer.transfer general/b n=1 v=0 @7000",
             "agent.presence.available /b n=1 v=6000 @7000"}},
           {sec(3),
            decline("c1", "b", 2),
            {"offer.declined general/b n=1 v=3000 @10000",
             "transfer.failed general/a n=1 v=0 @10000", "agent.presence.busy /b n=1 v=3000 @10000",
             "agent.load /b n=1 v=3000 @10000"}},
           {sec(0),
            transfer_queue("c1", "a", "german", ""),
            {"transfer.failed general/a n=1 v=0 @10000"}},
           {sec(1),
            transfer_agent("c1", "a", "b"),
            {"offer.made general/b n=1 v=0 @11000", "offer.transfer general/b n=1 v=0 @11000",
             "agent.presence.available /b n=1 v=1000 @11000"}},
           {sec(4),
            accept("c1", "b", 3),  // a transfer: no second handoff.accepted
            {"offer.accepted general/b n=1 v=4000 @15000", "transfer general/a n=1 v=0 @15000",
             "handle general/a n=1 v=13000 @15000", "agent.presence.busy /a n=1 v=14000 @15000",
             "agent.load /a n=1 v=14000 @15000"}},
           {sec(5),
            transfer_queue("c1", "b", "billing", "refund"),  // not a new handoff.queued
            {"transfer general/b n=1 v=0 @20000", "handle general/b n=1 v=5000 @20000",
             "offer.made billing/a n=1 v=0 @20000", "agent.presence.busy /b n=1 v=9000 @20000",
             "agent.load /b n=1 v=9000 @20000", "agent.presence.available /a n=1 v=5000 @20000"}},
           {sec(2), accept("c1", "a", 4), {"offer.accepted billing/a n=1 v=2000 @22000"}},
       }},
      {"RemovedAgentsWorkIsRequeued",
       {
           {sec(0), reg("a", {}, 2), {}},
           {sec(0), avail("a"), {}},
           {sec(1),
            submit("c1"),  // a stays available (1 of 2): only the load changes
            {"handoff.queued general/ n=1 v=0 @1000", "offer.made general/a n=1 v=0 @1000"}},
           {sec(1),
            accept("c1", "a", 1),
            {"offer.accepted general/a n=1 v=1000 @2000",
             "handoff.accepted general/a n=1 v=1000 @2000"}},
           {sec(1),
            submit("c2"),
            {"handoff.queued general/ n=1 v=0 @3000", "offer.made general/a n=1 v=0 @3000",
             "agent.presence.available /a n=1 v=3000 @3000", "agent.load /a n=1 v=2000 @3000"}},
           {sec(1),
            accept("c2", "a", 2),
            {"offer.accepted general/a n=1 v=1000 @4000",
             "handoff.accepted general/a n=1 v=1000 @4000"}},
           {sec(1), end("c2", "a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("b"), {}},
           {sec(2),
            Event{AgentRemoved{"a"}},
            {"handle general/a n=1 v=5000 @7000", "offer.made general/b n=1 v=0 @7000",
             "handle general/a n=1 v=3000 @7000", "agent.presence.busy /a n=1 v=4000 @7000",
             "agent.load /a n=1 v=8000 @7000", "agent.capacity /a n=1 v=14000 @7000",
             "agent.presence.available /b n=1 v=2000 @7000"}},
           // Waiting again since the requeue, not since the submission.
           {sec(3),
            Event{HandoffCancelled{"c1"}},
            {"offer.rescinded general/b n=1 v=3000 @10000",
             "handoff.cancelled general/ n=1 v=3000 @10000",
             "agent.presence.busy /b n=1 v=3000 @10000", "agent.load /b n=1 v=3000 @10000"}},
       }},
      {"SpansAreCutAtHourBoundaries",
       {
           {sec(0), reg("a", {}, 2), {}},
           {sec(0), avail("a"), {}},
           {mins(30),
            submit("c1"),
            {"handoff.queued general/ n=1 v=0 @1800000", "offer.made general/a n=1 v=0 @1800000"}},
           {mins(10),
            accept("c1", "a", 1),
            {"offer.accepted general/a n=1 v=600000 @2400000",
             "handoff.accepted general/a n=1 v=600000 @2400000"}},
           // A failed input after the boundary cuts nothing.
           {mins(20) + Millis{500}, accept("c1", "a", 1), {}, ErrorCode::kConflict},
           // 11:00:00.500: the first input after 11:00 cuts the open spans at 10:59:59.999.
           {sec(0),
            tick(),
            {fmt::format("agent.presence.available /a n=0 v={} @{}", kH, kH - 1),
             fmt::format("agent.load /a n=0 v={} @{}", kH / 2, kH - 1),
             fmt::format("agent.capacity /a n=0 v={} @{}", 2 * kH, kH - 1)}},
           {sec(0), tick(), {}},
           // 13:00:00.500: two boundaries; presence and capacity end, load goes on.
           {Millis{2 * kH},
            presence("a", Presence::kAway),
            {fmt::format("agent.presence.available /a n=0 v={} @{}", kH, 2 * kH - 1),
             fmt::format("agent.presence.available /a n=0 v={} @{}", kH, 3 * kH - 1),
             fmt::format("agent.presence.available /a n=1 v=500 @{}", 3 * kH + 500),
             fmt::format("agent.capacity /a n=0 v={} @{}", 2 * kH, 2 * kH - 1),
             fmt::format("agent.capacity /a n=0 v={} @{}", 2 * kH, 3 * kH - 1),
             fmt::format("agent.capacity /a n=1 v=1000 @{}", 3 * kH + 500),
             fmt::format("agent.load /a n=0 v={} @{}", kH, 2 * kH - 1),
             fmt::format("agent.load /a n=0 v={} @{}", kH, 3 * kH - 1)}},
           {Millis{kH},
            tick(),
            {fmt::format("agent.presence.away /a n=0 v={} @{}", kH - 500, 4 * kH - 1),
             fmt::format("agent.load /a n=0 v={} @{}", kH, 4 * kH - 1)}},
           {sec(0),
            Event{AgentRemoved{"a"}},
            {fmt::format("handle general/a n=1 v={} @{}", 4 * kH + 500 - 2'400'000, 4 * kH + 500),
             fmt::format("handoff.unavailable general/ n=1 v=0 @{}", 4 * kH + 500),
             fmt::format("handoff.unavailable.no_agents general/ n=1 v=0 @{}", 4 * kH + 500),
             fmt::format("agent.presence.away /a n=1 v=500 @{}", 4 * kH + 500),
             fmt::format("agent.load /a n=1 v=500 @{}", 4 * kH + 500)}},
       }},
      {"ASpanEndingOnTheBoundary",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {}},
           {Millis{kH},
            presence("a", Presence::kOffline),
            {fmt::format("agent.presence.available /a n=0 v={} @{}", kH, kH - 1),
             fmt::format("agent.presence.available /a n=1 v=0 @{}", kH),
             fmt::format("agent.capacity /a n=0 v={} @{}", kH, kH - 1),
             fmt::format("agent.capacity /a n=1 v=0 @{}", kH)}},
           // Offline is measured from then on (the agent has appeared).
           {mins(30),
            avail("a"),
            {fmt::format("agent.presence.offline /a n=1 v={} @{}", kH / 2, kH + kH / 2)}},
       }},
  };
}

class MeasureRules : public ::testing::TestWithParam<MScenario> {};

TEST_P(MeasureRules, Measures) { run_measured(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hub, MeasureRules, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

TEST(HubMeasures, DescribeIsOneStableLine) {
  Measure m{t0() + Millis{1500}, "handle", "general", "alice", 1, 61000};
  EXPECT_EQ(describe(m), "2026-03-02T10:00:01.500Z handle q=general a=alice n=1 v=61000");
}

// An independent model of the agents' spans: from the views after each input, the time each
// agent spends in each effective presence, its load and its online capacity, per UTC hour, and
// how many presence spans end. The hub's measures must add up to exactly that.
TEST(HubMeasures, SpansAddUpToTheViewsOverRandomStreams) {
  auto config = config_from(kBaseYaml);
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    ManualClock clock(t0());
    Hub hub(config, clock);
    Measures measures;
    using Key = std::tuple<std::string, std::string, std::int64_t>;  // agent, metric, hour
    std::map<Key, std::int64_t> expected_value;
    std::map<std::pair<std::string, std::string>, std::int64_t> expected_count;
    std::map<std::string, AgentView> appeared;  // after the previous input
    TimePoint previous = t0();
    auto add = [&](const std::string& agent, const std::string& metric, std::int64_t rate,
                   TimePoint from, TimePoint to) {
      while (from < to) {
        const TimePoint hour_end =
            std::chrono::floor<std::chrono::hours>(from) + std::chrono::hours(1);
        const TimePoint until = std::min(to, hour_end);
        const std::int64_t hour =
            std::chrono::floor<std::chrono::hours>(from).time_since_epoch() / std::chrono::hours(1);
        if (rate != 0) {
          expected_value[{agent, metric, hour}] +=
              rate * std::chrono::duration_cast<Millis>(until - from).count();
        }
        from = until;
      }
    };
    auto presence_metric = [](Presence p) { return std::string("agent.presence.") + to_string(p); };
    auto online = [](const AgentView& a) {
      return a.presence == Presence::kAvailable || a.presence == Presence::kBusy;
    };
    auto observe = [&](const Input& input) {
      const TimePoint now = hub.now();
      for (const auto& [id, before] : appeared) {
        add(id, presence_metric(before.presence), 1, previous, now);
        add(id, "agent.load", before.load, previous, now);
        add(id, "agent.capacity", online(before) ? before.capacity : 0, previous, now);
      }
      std::map<std::string, AgentView> next;
      for (AgentView& a : hub.agents(now)) {
        auto it = appeared.find(a.id);
        if (it == appeared.end() && a.chosen == Presence::kOffline) {
          continue;
        }
        if (it != appeared.end() && it->second.presence != a.presence) {
          expected_count[{a.id, presence_metric(it->second.presence)}] += 1;
        }
        next.emplace(a.id, std::move(a));
      }
      for (const auto& [id, before] : appeared) {
        if (!next.contains(id)) {  // removed
          expected_count[{id, presence_metric(before.presence)}] += 1;
        }
      }
      appeared = std::move(next);
      previous = now;
      (void)input;
    };
    drive(hub, clock, random_stream(600, seed, true), true, &measures, observe);
    // Close every span: remove the agents.
    clock.advance(sec(1));
    for (const AgentView& a : hub.agents(clock.now())) {
      Input input = hub.stamp(AgentRemoved{a.id});
      ASSERT_TRUE(hub.apply(input, &measures).ok());
      observe(input);
    }
    std::map<Key, std::int64_t> value;
    std::map<std::pair<std::string, std::string>, std::int64_t> count;
    int cut = 0;
    for (const Measure& m : measures) {
      if (!m.metric.starts_with("agent.")) {
        continue;
      }
      const std::int64_t hour =
          std::chrono::floor<std::chrono::hours>(m.at).time_since_epoch() / std::chrono::hours(1);
      if (m.value != 0) {
        value[{m.agent, m.metric, hour}] += static_cast<std::int64_t>(m.value);
      }
      if (m.metric.starts_with("agent.presence.")) {
        count[{m.agent, m.metric}] += m.count;
      }
      cut += m.count == 0 ? 1 : 0;
    }
    EXPECT_EQ(value, expected_value) << "seed " << seed;
    EXPECT_EQ(count, expected_count) << "seed " << seed;
    EXPECT_GT(cut, 0) << "the stream crosses hour boundaries, seed " << seed;
    EXPECT_FALSE(expected_value.empty());
  }
}

}  // namespace
}  // namespace baton::hub::testing
