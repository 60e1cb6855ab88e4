// The customer's paths through the hub: availability decided per routed queue (closed, no agents,
// no skilled agents, with the queue's unavailable text), queues that wait for an agent, and
// agent affinity (a returning user offered first to their last agent). Scenario tables as in
// hub_offer_test.cpp (each also replayed), plus direct checks of texts, availability() and
// snapshots.

#include <gtest/gtest.h>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

Millis sec(int n) { return Millis(n * 1000); }

// t0() is Monday 10:00 UTC: `closed` is shut on Mondays, `billing` needs a skill, `waiting`
// waits for an agent (at most 1 minute, then overflow to `general`), `patient` waits without an
// overflow.
const char* kPathsYaml = R"(
hub:
  default_queue: general
  affinity_window: 10m
  defaults:
    offer_timeout: 30s
  queues:
    - name: closed
      when: va_LastTopic == "Closed"
      hours:
        time_zone: UTC
        weekly:
          tuesday: ["08:00-18:00"]
      texts:
        unavailable: "{queue} is closed; we open Tuesday at 8."
    - name: billing
      when: va_LastTopic == "Billing"
      skills: [billing]
    - name: waiting
      when: va_LastTopic == "Waiting"
      wait_for_agent: true
      max_wait: 1m
      overflow: general
      skills: [waiter]
      texts:
        waiting_for_agent: "Nobody in {queue} yet; we'll connect you."
    - name: patient
      when: va_LastTopic == "Patient"
      wait_for_agent: true
      max_wait: 2m
      skills: [patient]
    - name: general
)";

Event topic(std::string conv, const char* name, std::string user = {}) {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.context = {{"va_LastTopic", name}};
  e.reason = "explicit";
  e.user = std::move(user);
  return e;
}

Event from_user(std::string conv, std::string user) {
  return topic(std::move(conv), "", std::move(user));
}

std::vector<Scenario> scenarios() {
  return {
      {"ClosedQueueIsOutOfHoursEvenWithAgentsOnline",
       {
           {sec(0), reg("a"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(0), topic("c1", "Closed"), {"unavailable c1 in closed (out_of_hours)"}},
           // Another queue is open and served.
           {sec(0),
            topic("c2", "Other"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #1",
             "presence a busy (capacity)"}},
       },
       kPathsYaml},
      {"NoAgentsThenNoSkilledAgents",
       {
           {sec(0), topic("c1", "Billing"), {"unavailable c1 in billing (no_agents)"}},
           {sec(0), topic("c2", "Other"), {"unavailable c2 in general (no_agents)"}},
           {sec(0), reg("plain"), {}},
           {sec(0), avail("plain"), {"presence plain available (requested)"}},
           // Someone is online, but not with the billing skill.
           {sec(0), topic("c3", "Billing"), {"unavailable c3 in billing (no_skilled_agents)"}},
           // A busy agent with the skill counts as online: the customer waits.
           {sec(0), reg("biller", {"billing"}), {}},
           {sec(0), presence("biller", Presence::kBusy), {"presence biller busy (requested)"}},
           {sec(0), topic("c4", "Billing"), {"queued c4 in billing at 1 wait 300000ms"}},
       },
       kPathsYaml},
      {"WaitForAgentQueuesUntilOneComesOnline",
       {
           {sec(0), topic("c1", "Waiting"), {"queued c1 in waiting at 1 wait 300000ms"}},
           {sec(20), reg("w", {"waiter"}), {}},
           {sec(0),
            avail("w"),
            {"presence w available (requested)", "offer c1 -> w #1", "presence w busy (capacity)"}},
           {sec(5), accept("c1", "w", 1), {"assigned c1 -> w in waiting"}},
       },
       kPathsYaml},
      {"WaitForAgentOverflowsAfterMaxWait",
       {
           {sec(0), reg("g"), {}},
           {sec(0), presence("g", Presence::kBusy), {"presence g busy (requested)"}},
           {sec(0), topic("c1", "Waiting"), {"queued c1 in waiting at 1 wait 300000ms"}},
           {sec(59), tick(), {}},
           {sec(1),
            tick(),
            {"overflow c1 waiting -> general", "queued c1 in general at 1 wait 300000ms"}},
       },
       kPathsYaml},
      {"WaitForAgentTimesOutWithoutOverflow",
       {
           {sec(0), topic("c1", "Patient"), {"queued c1 in patient at 1 wait 300000ms"}},
           {sec(120), tick(), {"timed_out c1 in patient"}},
       },
       kPathsYaml},
      {"WaitForAgentStillClosesOutOfHours",
       {
           {sec(0), topic("c1", "Closed"), {"unavailable c1 in closed (out_of_hours)"}},
       },
       R"(
hub:
  queues:
    - name: closed
      wait_for_agent: true
      hours:
        time_zone: UTC
        weekly:
          tuesday: ["08:00-18:00"]
)"},
      {"AffinityOffersTheLastAgentFirst",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1), avail("b"), {"presence b available (requested)"}},
           // Longest idle is a; a declines, b takes u1's first conversation.
           {sec(0),
            from_user("c1", "u1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0),
            decline("c1", "a", 1),
            {"presence a available (capacity)", "offer c1 -> b #2", "presence b busy (capacity)"}},
           {sec(0), accept("c1", "b", 2), {"assigned c1 -> b in general"}},
           {sec(10), end("c1", "b"), {}},
           {sec(0), wrapped("c1", "b"), {"wrap_up_ended c1 b", "presence b available (capacity)"}},
           // u1 comes back: b, though a has been idle longer.
           {sec(60),
            from_user("c2", "u1"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> b #3",
             "presence b busy (capacity)"}},
           // Another user gets the strategy's pick.
           {sec(0),
            from_user("c3", "u2"),
            {"queued c3 in general at 2 wait 0ms", "offer c3 -> a #4",
             "presence a busy (capacity)"}},
       },
       kPathsYaml},
      {"AffinityNeverWaitsForAnAbsentAgent",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            from_user("c1", "u1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> b #1",
             "presence b busy (capacity)"}},
           {sec(0), accept("c1", "b", 1), {"assigned c1 -> b in general"}},
           {sec(0), end("c1", "b"), {}},
           {sec(0), wrapped("c1", "b"), {"wrap_up_ended c1 b", "presence b available (capacity)"}},
           {sec(0), presence("b", Presence::kAway), {"presence b away (requested)"}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           // b is away: a gets it at once.
           {sec(0),
            from_user("c2", "u1"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #2",
             "presence a busy (capacity)"}},
           {sec(0), accept("c2", "a", 2), {"assigned c2 -> a in general"}},
           {sec(0), end("c2", "a"), {}},
           {sec(0), wrapped("c2", "a"), {"wrap_up_ended c2 a", "presence a available (capacity)"}},
           {sec(0), avail("b"), {"presence b available (requested)"}},
           // The last agent is now a.
           {sec(0),
            from_user("c3", "u1"),
            {"queued c3 in general at 1 wait 0ms", "offer c3 -> a #3",
             "presence a busy (capacity)"}},
       },
       kPathsYaml},
      {"AffinityEndsWithItsWindow",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            from_user("c1", "u1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0),
            decline("c1", "a", 1),
            {"presence a available (capacity)", "offer c1 -> b #2", "presence b busy (capacity)"}},
           {sec(0), accept("c1", "b", 2), {"assigned c1 -> b in general"}},
           {sec(0), end("c1", "b"), {}},
           {sec(0), wrapped("c1", "b"), {"wrap_up_ended c1 b", "presence b available (capacity)"}},
           // 10 minutes after the wrap-up: the window (10m) is over, the strategy picks a.
           {Millis(600'000), tick(), {}},
           {sec(0),
            from_user("c2", "u1"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #3",
             "presence a busy (capacity)"}},
       },
       kPathsYaml},
      {"NoAffinityWithoutAWindow",
       {
           {sec(0), reg("a"), {}},
           {sec(0), reg("b"), {}},
           {sec(0), avail("a"), {"presence a available (requested)"}},
           {sec(1), avail("b"), {"presence b available (requested)"}},
           {sec(0),
            from_user("c1", "u1"),
            {"queued c1 in general at 1 wait 0ms", "offer c1 -> a #1",
             "presence a busy (capacity)"}},
           {sec(0),
            decline("c1", "a", 1),
            {"presence a available (capacity)", "offer c1 -> b #2", "presence b busy (capacity)"}},
           {sec(0), accept("c1", "b", 2), {"assigned c1 -> b in general"}},
           {sec(0), end("c1", "b"), {}},
           {sec(0), wrapped("c1", "b"), {"wrap_up_ended c1 b", "presence b available (capacity)"}},
           {sec(0),
            from_user("c2", "u1"),
            {"queued c2 in general at 1 wait 0ms", "offer c2 -> a #3",
             "presence a busy (capacity)"}},
       },
       "hub:\n  queues:\n    - name: general\n"},
  };
}

class PathRules : public ::testing::TestWithParam<Scenario> {};

TEST_P(PathRules, Decisions) { run(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Hub, PathRules, ::testing::ValuesIn(scenarios()),
                         [](const auto& p) { return p.param.name; });

TEST(HubPaths, UnavailableCarriesTheQueueTextAndAvailabilityAgrees) {
  auto config = config_from(kPathsYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  auto closed = std::get<HandoffSubmitted>(topic("c1", "Closed"));
  auto probe = hub.availability(closed, clock.now());
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->queue, "closed");
  EXPECT_EQ(probe->cause, UnavailableCause::kOutOfHours);
  EXPECT_EQ(probe->text, "closed is closed; we open Tuesday at 8.");
  auto decided = hub.handle(closed);
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->size(), 1u);
  const auto& unavailable = std::get<Unavailable>(decided->front());
  EXPECT_EQ(unavailable.text, probe->text);
  EXPECT_EQ(unavailable.cause, probe->cause);

  // No text configured: "" (the bot says its own).
  auto billing = std::get<HandoffSubmitted>(topic("c2", "Billing"));
  probe = hub.availability(billing, clock.now());
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->cause, UnavailableCause::kNoAgentOnline);
  EXPECT_EQ(probe->text, "");
  // The probe changed nothing: the conversation is not in the hub.
  EXPECT_FALSE(hub.conversation("c2", clock.now()).has_value());

  // A wait_for_agent queue is available; the Queued text says we wait for an agent.
  auto waiting = std::get<HandoffSubmitted>(topic("c3", "Waiting"));
  EXPECT_FALSE(hub.availability(waiting, clock.now()).has_value());
  decided = hub.handle(waiting);
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->size(), 1u);
  EXPECT_EQ(std::get<Queued>(decided->front()).text, "Nobody in waiting yet; we'll connect you.");

  // Probing at a time the queue is open (Tuesday 10:00) says it is available... for agents.
  auto tuesday = clock.now() + std::chrono::hours(24);
  probe = hub.availability(closed, tuesday);
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->cause, UnavailableCause::kNoAgentOnline);
}

TEST(HubPaths, AffinitySurvivesSnapshotAndReplay) {
  auto config = config_from(kPathsYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  std::vector<Input> log;
  auto step = [&](Event e) {
    Input input = hub.stamp(std::move(e));
    log.push_back(input);
    auto r = hub.apply(input);
    EXPECT_TRUE(r.ok());
  };
  step(reg("a"));
  step(reg("b"));
  step(avail("a"));
  clock.advance(sec(1));
  step(avail("b"));
  step(from_user("c1", "u1"));
  step(decline("c1", "a", 1));
  step(accept("c1", "b", 2));
  step(end("c1", "b"));
  step(wrapped("c1", "b"));
  clock.advance(sec(30));

  boost::json::object snap = hub.snapshot();
  ASSERT_TRUE(snap.contains("affinity"));
  auto restored = Hub::restore(config, clock, snap);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ((*restored)->snapshot(), snap);

  Hub replayed(config, clock);
  replay(config, log, &replayed);

  for (Hub* h : {&hub, restored->get(), &replayed}) {
    auto decided = h->apply(Input{clock.now(), from_user("c2", "u1")});
    ASSERT_TRUE(decided.ok());
    EXPECT_EQ(briefs(*decided),
              (std::vector<std::string>{"queued c2 in general at 1 wait 0ms", "offer c2 -> b #3",
                                        "presence b busy (capacity)"}));
  }
}

TEST(HubPaths, ConfigKeys) {
  auto config = config_from(kPathsYaml);
  ASSERT_TRUE(config->affinity_window.has_value());
  EXPECT_EQ(*config->affinity_window, Millis(600'000));
  EXPECT_TRUE(config->queues[2].wait_for_agent);
  EXPECT_FALSE(config->queues[0].wait_for_agent);
  EXPECT_EQ(config->queues[0].texts.unavailable.any, "{queue} is closed; we open Tuesday at 8.");
  auto bad = load_hub_config_from_string(
      "hub:\n  queues:\n    - name: q\n      wait_for_agent: maybe\n", "hub.yaml");
  ASSERT_FALSE(bad.config.has_value());
  EXPECT_NE(bad.diagnostics.front().format().find("wait_for_agent must be true or false"),
            std::string::npos);
  bad = load_hub_config_from_string("hub:\n  affinity_window: soon\n  queues:\n    - name: q\n",
                                    "hub.yaml");
  EXPECT_FALSE(bad.config.has_value());
}

}  // namespace
}  // namespace baton::hub::testing
