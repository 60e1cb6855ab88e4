// Routing, time-driven rules (max wait, overflow, positions, abandonment, hours) and cancel, as
// scenario tables (each also replayed, see run()).

#include <gtest/gtest.h>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// Routing on the handoff context.

struct RouteCase {
  std::string name;
  boost::json::object context;
  std::string reason;
  std::string language;
  std::string hint;
  std::string expect_queue;
};

class Routing : public ::testing::TestWithParam<RouteCase> {};

TEST_P(Routing, PicksQueue) {
  const RouteCase& c = GetParam();
  ManualClock clock(t0());
  Hub hub(config_from(kBaseYaml), clock);
  ASSERT_TRUE(hub.handle(reg("x", {"billing", "german"}, 5)).ok());
  ASSERT_TRUE(hub.handle(avail("x")).ok());
  HandoffSubmitted e;
  e.conversation = "c";
  e.context = c.context;
  e.reason = c.reason;
  e.language = c.language;
  e.queue_hint = c.hint;
  auto result = hub.handle(e);
  ASSERT_TRUE(result.ok());
  ASSERT_FALSE(result->empty());
  const auto* queued = std::get_if<Queued>(&result->front());
  ASSERT_NE(queued, nullptr) << describe(result->front());
  EXPECT_EQ(queued->queue, c.expect_queue);
}

INSTANTIATE_TEST_SUITE_P(
    Hub, Routing,
    ::testing::Values(
        RouteCase{"LastTopic", {{"va_LastTopic", "billing"}}, "explicit", "", "", "billing"},
        RouteCase{"LanguageField", {}, "explicit", "de-DE", "", "german"},
        RouteCase{"LanguageFromContext", {{"va_Language", "de-de"}}, "explicit", "", "", "german"},
        RouteCase{"UserVariable", {{"Tier", "gold"}}, "explicit", "", "", "vip"},
        // vip (priority 10) is tried before billing (5) when both match.
        RouteCase{"PriorityOrder",
                  {{"Tier", "gold"}, {"va_LastTopic", "Billing"}},
                  "explicit",
                  "",
                  "",
                  "vip"},
        RouteCase{"Reason", {}, "no_match", "", "", "complaints"},
        RouteCase{
            "DefaultQueue", {{"va_LastTopic", "Store hours"}}, "requested", "en", "", "general"},
        RouteCase{"HintWins", {{"Tier", "gold"}}, "explicit", "", "billing", "billing"},
        RouteCase{
            "UnknownHintFallsBackToRules", {{"Tier", "gold"}}, "explicit", "", "nope", "vip"}),
    [](const auto& p) { return p.param.name; });

// ---------------------------------------------------------------------------------------------
// Time-driven rules.

const char* kWaitYaml = R"(
hub:
  default_queue: front
  default_handle_time: 5m
  defaults:
    position_update_interval: 30s
  queues:
    - name: front
      max_wait: 5m
      overflow: back
    - name: back
      max_wait: 3m
    - name: main
      when: Tier == "gold"
      abandon_after: 2m
      offer_timeout: 5m
)";

const char* kPositionYaml = R"(
hub:
  default_handle_time: 4m
  queues:
    - name: main
      position_update_interval: 30s
      texts:
        queued: "#{position}, ~{wait} min in {queue}"
        position: "now #{position}, ~{wait} min"
)";

// Europe/Berlin, weekdays 09:00-17:00, 2026-03-03 (a Tuesday) a holiday. t0 is Monday
// 2026-03-02 10:00 UTC = 11:00 CET.
const char* kHoursYaml = R"(
hub:
  queues:
    - name: main
      hours:
        time_zone: Europe/Berlin
        weekly:
          weekdays: ["09:00-17:00"]
        holidays: [2026-03-03]
)";

Event busy_agent_setup() { return reg("a"); }

std::vector<Step> with_busy_agent(std::vector<Step> rest, const std::string& queue = "front") {
  std::vector<Step> steps = {
      {sec(0), busy_agent_setup(), {}},
      {sec(0), avail("a"), {"presence a available (requested)"}},
      {sec(0),
       submit("c0"),
       {"queued c0 in " + queue + " at 1 wait 0ms", "offer c0 -> a #1",
        "presence a busy (capacity)"}},
      {sec(0), accept("c0", "a", 1), {"assigned c0 -> a in " + queue}},
  };
  steps.insert(steps.end(), rest.begin(), rest.end());
  return steps;
}

Event gold(std::string conv) { return submit(std::move(conv), {{"Tier", "gold"}}); }

Event submit_to(std::string conv, std::string queue) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.queue_hint = std::move(queue);
  return e;
}

Millis hours(int h) { return mins(60 * h); }

std::vector<Scenario> scenarios() {
  return {
      {"MaxWaitOverflowsThenTimesOut",
       with_busy_agent({
           {sec(1), submit("c1"), {"queued c1 in front at 1 wait 300000ms"}},
           {mins(5) - sec(1), tick(), {}},  // 4:59 waited
           {sec(1), tick(), {"overflow c1 front -> back", "queued c1 in back at 1 wait 300000ms"}},
           {mins(3), tick(), {"timed_out c1 in back"}},
           {sec(0), Event{HandoffCancelled{"c1"}}, {}, ErrorCode::kNotFound},
       }),
       kWaitYaml},
      {"PositionUpdatesOnlyOnChangeAndRateLimited",
       with_busy_agent(
           {
               {sec(0), submit("c1"), {"queued c1 in main at 1 wait 240000ms"}},
               {sec(0), submit("c2"), {"queued c2 in main at 2 wait 480000ms"}},
               {sec(0), submit("c3"), {"queued c3 in main at 3 wait 720000ms"}},
               {sec(10), tick(), {}},  // nothing changed
               {sec(0), Event{HandoffCancelled{"c1"}}, {"cancelled c1"}},
               {sec(10), tick(), {}},  // changed, but only 20 s since the last message
               {sec(10),
                tick(),
                {"position c2 in main at 1 wait 240000ms",
                 "position c3 in main at 2 wait 480000ms"}},
               {sec(30), tick(), {}},  // unchanged again
           },
           "main"),
       kPositionYaml},
      {"CancelWhileQueuedOrOffered",
       with_busy_agent({
           {sec(0), submit("c1"), {"queued c1 in front at 1 wait 300000ms"}},
           {sec(0), Event{HandoffCancelled{"c1"}}, {"cancelled c1"}},
           {sec(0), Event{HandoffCancelled{"c0"}}, {}, ErrorCode::kConflict},  // with an agent
           {sec(0), reg("b"), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            submit("c2"),
            {"queued c2 in front at 1 wait 0ms", "offer c2 -> b #2", "presence b busy (capacity)"}},
           {sec(0),
            Event{HandoffCancelled{"c2"}},
            {"rescind c2 -> b #2 (cancelled)", "presence b available (capacity)", "cancelled c2"}},
       }),
       kWaitYaml},
      {"AbandonmentBySilenceOrLeaving",
       with_busy_agent(
           {
               {sec(0), gold("c1"), {"queued c1 in main at 1 wait 300000ms"}},
               {sec(0), gold("c2"), {"queued c2 in main at 2 wait 600000ms"}},
               {sec(90), Event{CustomerActivity{"c1"}}, {}},
               {sec(40), tick(), {"abandoned c2 (silent)"}},
               {sec(0), Event{CustomerLeft{"c1"}}, {"abandoned c1 (left)"}},
               {sec(0), Event{CustomerLeft{"c0"}}, {}},  // with an agent: the agent ends it
               {sec(0), reg("b"), {}},
               {sec(0), avail("b"), {"presence b available (requested)"}},
               {sec(0),
                gold("c3"),
                {"queued c3 in main at 1 wait 0ms", "offer c3 -> b #2",
                 "presence b busy (capacity)"}},
               {mins(2),
                tick(),
                {"rescind c3 -> b #2 (abandoned)", "presence b available (capacity)",
                 "abandoned c3 (silent)"}},
           },
           "main"),
       R"(
hub:
  default_handle_time: 5m
  queues:
    - name: main
      abandon_after: 2m
      offer_timeout: 5m
)"},
      {"OutOfHoursAndHoliday",
       {
           {sec(0), reg("a", {}, 5), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), submit("c1"), {"queued c1 in main at 1 wait 0ms", "offer c1 -> a #1"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in main"}},
           // 16:59:59 Berlin: open; 17:00: closed.
           {mins(359) + sec(59),
            submit("c2"),
            {"queued c2 in main at 1 wait 0ms", "offer c2 -> a #2"}},
           {sec(1), submit("c3"), {"unavailable c3 in main (out_of_hours)"}},
           // Tuesday 11:00 Berlin is a holiday; Wednesday 11:00 is open again.
           {mins(18 * 60), submit("c4"), {"unavailable c4 in main (out_of_hours)"}},
           {mins(24 * 60), submit("c5"), {"queued c5 in main at 2 wait 0ms", "offer c5 -> a #3"}},
       },
       kHoursYaml},
      {"QueueClosingSendsWaitingCustomersAway",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c0"),
            {"queued c0 in main at 1 wait 0ms", "offer c0 -> a #1", "presence a busy (capacity)"}},
           {sec(0), accept("c0", "a", 1), {"assigned c0 -> a in main"}},
           {mins(355), submit("c1"), {"queued c1 in main at 1 wait 300000ms"}},
           {mins(5), tick(), {"unavailable c1 in main (out_of_hours)"}},
       },
       kHoursYaml},
      {"MaxWrapUpIsForced",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0),
            submit("c1"),
            {"queued c1 in main at 1 wait 0ms", "offer c1 -> a #1", "presence a busy (capacity)"}},
           {sec(0), accept("c1", "a", 1), {"assigned c1 -> a in main"}},
           {sec(30), end("c1", "a"), {}},
           {sec(59), tick(), {}},
           {sec(1), tick(), {"wrap_up_ended c1 a (forced)", "presence a available (capacity)"}},
           {sec(0), wrapped("c1", "a"), {}, ErrorCode::kNotFound},
       },
       R"(
hub:
  max_wrap_up: 1m
  queues:
    - name: main
)"},
      {"OverflowToAQueueWithNobodyOnlineIsUnavailable",
       with_busy_agent({
           {sec(0), submit("c1"), {"queued c1 in front at 1 wait 300000ms"}},
           {mins(1),
            tick(),
            {"overflow c1 front -> back", "unavailable c1 in back (no_skilled_agents)"}},
       }),
       R"(
hub:
  default_queue: front
  default_handle_time: 5m
  queues:
    - name: front
      max_wait: 1m
      overflow: back
    - name: back
      skills: [experts]
)"},
      {"HintToAClosedQueueIsUnavailable",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {hours(7), submit_to("c1", "main"), {"unavailable c1 in main (out_of_hours)"}},
           {sec(0),
            submit_to("c2", "other"),
            {"queued c2 in other at 1 wait 0ms", "offer c2 -> a #1", "presence a busy (capacity)"}},
       },
       R"(
hub:
  default_queue: main
  queues:
    - name: main
      hours:
        time_zone: Europe/Berlin
        weekly:
          weekdays: ["09:00-17:00"]
    - name: other
)"},
  };
}

class TimerRules : public ::testing::TestWithParam<Scenario> {};

TEST_P(TimerRules, Decisions) { run(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hub, TimerRules, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

TEST(HubTexts, QueuedAndPositionTextsAreRendered) {
  ManualClock clock(t0());
  Hub hub(config_from(kPositionYaml), clock);
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(presence("a", Presence::kBusy)).ok());
  auto first = hub.handle(submit("c1"));
  auto second = hub.handle(submit("c2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(std::get<Queued>(second->front()).text, "#2, ~8 min in main");
  ASSERT_TRUE(hub.handle(HandoffCancelled{"c1"}).ok());
  clock.advance(sec(30));
  auto tick_result = hub.handle(Tick{});
  ASSERT_TRUE(tick_result.ok());
  ASSERT_EQ(tick_result->size(), 1u);
  EXPECT_EQ(std::get<PositionUpdate>(tick_result->front()).text, "now #1, ~4 min");
}

TEST(HubHours, DaylightSavingTimeBoundary) {
  // Europe/Berlin moves to CEST on 2026-03-29. 07:30 UTC is 08:30 local (closed) on Friday
  // 03-27 but 09:30 local (open) on Monday 03-30.
  auto config = config_from(kHoursYaml);
  ManualClock clock(*parse_iso8601("2026-03-27T07:30:00Z"));
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("a", {}, 5)).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  auto friday = hub.handle(submit("c1"));
  ASSERT_TRUE(friday.ok());
  EXPECT_EQ(briefs(*friday), std::vector<std::string>{"unavailable c1 in main (out_of_hours)"});
  clock.set(*parse_iso8601("2026-03-30T07:30:00Z"));
  auto monday = hub.handle(submit("c2"));
  ASSERT_TRUE(monday.ok());
  EXPECT_EQ(briefs(*monday),
            (std::vector<std::string>{"queued c2 in main at 1 wait 0ms", "offer c2 -> a #1"}));
}

}  // namespace
}  // namespace baton::hub::testing
