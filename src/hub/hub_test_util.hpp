#pragma once
// Test-only helpers: a scenario table (advance the clock, apply an event, expect decisions) run
// against a real Hub with a ManualClock, plus short constructors for events.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "hub/hub.hpp"

namespace baton::hub::testing {

// Monday 2026-03-02 10:00:00 UTC.
inline TimePoint t0() { return *parse_iso8601("2026-03-02T10:00:00Z"); }

inline std::shared_ptr<const HubConfig> config_from(const std::string& yaml) {
  auto result = load_hub_config_from_string(yaml, "hub.yaml");
  std::string errors;
  for (const auto& d : result.diagnostics) {
    errors += d.format() + "\n";
  }
  EXPECT_TRUE(result.config.has_value()) << errors;
  if (!result.config) {
    return std::make_shared<HubConfig>();
  }
  return std::make_shared<HubConfig>(std::move(*result.config));
}

// describe() without the " until <time>" of offers (times are checked separately).
inline std::string brief(const Decision& d) {
  std::string text = describe(d);
  auto at = text.find(" until ");
  if (at != std::string::npos) {
    auto end = text.find(' ', at + 7);
    text.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  return text;
}

inline std::vector<std::string> briefs(const Decisions& decisions) {
  std::vector<std::string> out;
  for (const auto& d : decisions) {
    out.push_back(brief(d));
  }
  return out;
}

// The YAML most scenarios use: five queues routed on topic, language, a user variable and reason.
inline const char* kBaseYaml = R"(
hub:
  default_queue: general
  missed_offers_before_away: 2
  default_handle_time: 4m
  defaults:
    offer_timeout: 30s
    position_update_interval: 10s
  queues:
    - name: billing
      when: va_LastTopic == "Billing"
      priority: 5
      skills: [billing]
    - name: german
      when: language == "de-de"
      skills: [german]
    - name: vip
      when: Tier == "gold"
      priority: 10
    - name: complaints
      when: reason == "no_match"
    - name: general
)";

struct Step {
  Millis advance{0};
  Event event;
  std::vector<std::string> expect;
  ErrorCode error = ErrorCode::kInternal;  // kInternal = expect success
};

struct Scenario {
  std::string name;
  std::vector<Step> steps;
  const char* yaml = nullptr;  // nullptr = kBaseYaml
};

inline std::ostream& operator<<(std::ostream& os, const Scenario& s) { return os << s.name; }

struct RunLog {
  std::vector<Input> log;                  // every input applied, successful or not
  std::vector<std::string> all_decisions;  // full describe() of every decision, in order
};

// Applies the steps to `hub` (advancing `clock` first) and checks each step's decisions.
inline RunLog run_steps(Hub& hub, ManualClock& clock, const Scenario& scenario) {
  RunLog out;
  int index = 0;
  for (const Step& step : scenario.steps) {
    ++index;
    clock.advance(step.advance);
    Input input = hub.stamp(step.event);
    auto result = hub.apply(input);
    out.log.push_back(input);
    if (step.error != ErrorCode::kInternal) {
      EXPECT_FALSE(result.ok()) << scenario.name << " step " << index;
      if (!result.ok()) {
        EXPECT_EQ(result.error().code, step.error) << result.error().message;
      }
      continue;
    }
    EXPECT_TRUE(result.ok()) << scenario.name << " step " << index << ": "
                             << (result.ok() ? "" : result.error().message);
    if (result.ok()) {
      EXPECT_EQ(briefs(*result), step.expect) << scenario.name << " step " << index;
      for (const auto& d : *result) {
        out.all_decisions.push_back(describe(d));
      }
    }
  }
  return out;
}

// Replays a log into a fresh hub; returns the full describe() of every decision.
inline std::vector<std::string> replay(std::shared_ptr<const HubConfig> config,
                                       const std::vector<Input>& log, Hub* into = nullptr) {
  ManualClock clock(t0());
  std::unique_ptr<Hub> own;
  if (into == nullptr) {
    own = std::make_unique<Hub>(std::move(config), clock);
    into = own.get();
  }
  std::vector<std::string> out;
  for (const Input& input : log) {
    auto result = into->apply(input);
    if (result.ok()) {
      for (const auto& d : *result) {
        out.push_back(describe(d));
      }
    }
  }
  return out;
}

// Runs a scenario on a fresh hub at t0(), then replays its log into another fresh hub and expects
// the very same decisions (the replay guarantee of hub.hpp).
inline void run(const Scenario& scenario) {
  auto config = config_from(scenario.yaml != nullptr ? scenario.yaml : kBaseYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  RunLog first = run_steps(hub, clock, scenario);
  EXPECT_EQ(replay(config, first.log), first.all_decisions) << scenario.name << " (replay)";
}

inline Event reg(const std::string& id, std::vector<std::string> skills = {}, int capacity = 1) {
  return AgentRegistered{Agent{id, id, Role::kAgent, std::move(skills), capacity}};
}
inline Event avail(std::string id) { return PresenceSet{std::move(id), Presence::kAvailable}; }
inline Event presence(std::string id, Presence p) { return PresenceSet{std::move(id), p}; }
inline Event submit(std::string conv, boost::json::object context = {},
                    std::string reason = "explicit") {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.context = std::move(context);
  e.reason = std::move(reason);
  return e;
}
inline Event submit_with(HandoffSubmitted e) { return e; }
inline Event accept(std::string conv, std::string agent, std::uint64_t offer) {
  return OfferAccepted{std::move(conv), std::move(agent), offer};
}
inline Event decline(std::string conv, std::string agent, std::uint64_t offer) {
  return OfferDeclined{std::move(conv), std::move(agent), offer};
}
inline Event tick() { return Tick{}; }
inline Event end(std::string conv, std::string agent) {
  return ConversationEnded{std::move(conv), std::move(agent)};
}
inline Event wrapped(std::string conv, std::string agent) {
  return WrapUpDone{std::move(conv), std::move(agent)};
}

inline Millis sec(int s) { return Millis{s * 1000LL}; }
inline Millis mins(int m) { return Millis{m * 60'000LL}; }

}  // namespace baton::hub::testing
