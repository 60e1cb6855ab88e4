#pragma once
// Test-only helpers: a scenario table (advance the clock, apply an event, expect decisions) run
// against a real Hub with a ManualClock, short constructors for events, and seeded pseudo-random
// input streams with the invariants they must keep.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
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

inline Event transfer_queue(std::string conv, std::string from, std::string queue,
                            std::string note) {
  return TransferRequested{std::move(conv), std::move(from), std::move(queue), "", std::move(note)};
}

inline Event sup_assign(std::string conv, std::string agent, std::string note = "") {
  return SupervisorAssign{std::move(conv), "sup", std::move(agent), std::move(note), false};
}
inline Event take_over(std::string conv, std::string supervisor) {
  std::string agent = supervisor;
  return SupervisorAssign{std::move(conv), std::move(supervisor), std::move(agent), "", true};
}
inline Event sup_requeue(std::string conv, std::string queue, std::string note = "") {
  return SupervisorRequeue{std::move(conv), "sup", std::move(queue), std::move(note)};
}
inline Event transfer_agent(std::string conv, std::string from, std::string to) {
  return TransferRequested{std::move(conv), std::move(from), "", std::move(to), "over to you"};
}

// A long pseudo-random event stream, fixed by `seed`, over kBaseYaml's queues. With
// `every_input`, also agent removal, transfers to agents, customers' activity and leaving, queue
// hints, extra skills and priorities, Recover and an occasional long gap (expiries, max waits).
inline std::vector<std::pair<Millis, Event>> random_stream(int count, std::uint32_t seed = 42,
                                                           bool every_input = false) {
  std::mt19937 rng(seed);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::vector<std::pair<Millis, Event>> out;
  const char* topics[] = {"Billing", "Returns", "Hours"};
  const char* queues[] = {"billing", "general", "vip", "complaints", "german"};
  for (int i = 0; i < count; ++i) {
    std::string conv = "c" + std::to_string(pick(60));
    std::string agent = "a" + std::to_string(pick(8));
    std::uint64_t offer = static_cast<std::uint64_t>(pick(40));
    Millis gap{pick(20'000)};
    switch (pick(every_input ? 23 : 12)) {
      case 0:
        out.emplace_back(
            gap,
            reg(agent, pick(2) ? std::vector<std::string>{"billing"} : std::vector<std::string>{},
                1 + pick(3)));
        break;
      case 1:
        out.emplace_back(gap, presence(agent, static_cast<Presence>(pick(4))));
        break;
      case 2:
      case 3:
        out.emplace_back(gap, submit(conv, {{"va_LastTopic", topics[pick(3)]}},
                                     pick(4) == 0 ? "no_match" : "explicit"));
        break;
      case 4:
        out.emplace_back(gap, accept(conv, agent, offer));
        break;
      case 5:
        out.emplace_back(gap, decline(conv, agent, offer));
        break;
      case 6:
        out.emplace_back(gap, end(conv, agent));
        break;
      case 7:
        out.emplace_back(gap, wrapped(conv, agent));
        break;
      case 8:
        out.emplace_back(gap, transfer_queue(conv, agent, pick(2) ? "billing" : "general", ""));
        break;
      case 9:
        out.emplace_back(gap, Event{HandoffCancelled{conv}});
        break;
      case 10:
      case 11:
        if (every_input) {  // agents come back: without them nothing is ever offered
          out.emplace_back(gap, avail(agent));
        } else {
          out.emplace_back(gap, tick());
        }
        break;
      case 12:
        out.emplace_back(gap, Event{AgentRemoved{agent}});
        break;
      case 13:
        out.emplace_back(gap, transfer_agent(conv, agent, "a" + std::to_string(pick(8))));
        break;
      case 14:
        out.emplace_back(gap, Event{CustomerActivity{conv}});
        break;
      case 15:
        out.emplace_back(gap, Event{CustomerLeft{conv}});
        break;
      case 16: {
        HandoffSubmitted e;
        e.conversation = conv;
        e.context = {{"va_LastTopic", topics[pick(3)]}, {"Tier", pick(3) == 0 ? "gold" : "none"}};
        e.reason = "explicit";
        e.language = pick(3) == 0 ? "de-de" : "";
        e.queue_hint = pick(2) == 0 ? queues[pick(5)] : "";
        if (pick(2) == 0) {
          e.skills = {"billing"};
        }
        if (pick(2) == 0) {
          e.priority = pick(20) - 5;
        }
        out.emplace_back(gap, Event{std::move(e)});
        break;
      }
      case 17:
        out.emplace_back(pick(4) == 0 ? Millis{pick(3'600'000)} : gap, Event{Recover{}});
        break;
      case 18:
        out.emplace_back(Millis{pick(1'200'000)}, tick());
        break;
      case 19:
        out.emplace_back(gap, reg(agent, {"billing", "german"}, 1 + pick(3)));
        break;
      case 20: {  // a supervisor's assignment or take-over
        const bool take_over = pick(3) == 0;
        out.emplace_back(gap, Event{SupervisorAssign{
                                  conv, agent, take_over ? agent : "a" + std::to_string(pick(8)),
                                  "from the supervisor", take_over}});
        break;
      }
      case 21:
        out.emplace_back(gap, Event{SupervisorRequeue{conv, agent, queues[pick(5)], "moved"}});
        break;
      default:
        out.emplace_back(gap, tick());
        break;
    }
  }
  return out;
}

// Applies the stream, accepting every third offer at once so that the stream reaches all states
// (with `end_some`, also ending every other assignment: wrap-ups); returns the inputs applied and
// the decisions seen. With `measures`, applies with measures appended there; `after` is called
// after each input.
inline RunLog drive(Hub& hub, ManualClock& clock,
                    const std::vector<std::pair<Millis, Event>>& stream, bool end_some = false,
                    Measures* measures = nullptr,
                    const std::function<void(const Input&)>& after = nullptr) {
  RunLog out;
  int turn = 0;
  auto apply = [&](Event event) {
    Input input = hub.stamp(std::move(event));
    out.log.push_back(input);
    auto result = hub.apply(input, measures);
    if (after) {
      after(input);
    }
    if (!result.ok()) {
      return Decisions{};
    }
    for (const auto& d : *result) {
      out.all_decisions.push_back(describe(d));
    }
    return *result;
  };
  for (const auto& [gap, event] : stream) {
    clock.advance(gap);
    Decisions decisions = apply(event);
    for (const auto& d : decisions) {
      if (const auto* offer = std::get_if<Offered>(&d); offer && (++turn % 3 == 0)) {
        for (const auto& next : apply(accept(offer->conversation, offer->agent, offer->offer_id))) {
          const auto* assigned = std::get_if<Assigned>(&next);
          if (end_some && assigned != nullptr && turn % 2 == 0) {
            apply(end(assigned->conversation, assigned->agent));
          }
        }
      }
    }
  }
  return out;
}

// Invariants visible through the views: loads add up, offers and owners agree on both sides,
// positions in each queue are exactly 1..n.
inline void check_invariants(const Hub& hub, TimePoint now) {
  std::map<std::string, ConversationView> convs;
  std::map<std::string, std::vector<int>> positions;
  for (auto& c : hub.conversations(now)) {
    if (c.state == ConversationState::kWaiting || c.state == ConversationState::kOffered) {
      positions[c.queue].push_back(c.position);
      EXPECT_TRUE(c.agent.empty()) << c.id;
    } else {
      EXPECT_FALSE(c.agent.empty()) << c.id;
    }
    EXPECT_EQ(c.state == ConversationState::kOffered, !c.offered_to.empty() && c.agent.empty())
        << c.id;
    convs.emplace(c.id, std::move(c));
  }
  for (auto& [queue, list] : positions) {
    std::sort(list.begin(), list.end());
    for (std::size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(list[i], static_cast<int>(i) + 1) << queue;
    }
  }
  for (const auto& a : hub.agents(now)) {
    EXPECT_EQ(a.load, static_cast<int>(a.conversations.size() + a.offers.size())) << a.id;
    EXPECT_EQ(
        a.presence == Presence::kBusy,
        a.chosen == Presence::kBusy || (a.chosen == Presence::kAvailable && a.load >= a.capacity))
        << a.id;
    for (const auto& id : a.offers) {
      EXPECT_EQ(convs.at(id).offered_to, a.id);
    }
    for (const auto& id : a.conversations) {
      EXPECT_EQ(convs.at(id).agent, a.id);
    }
    if (a.chosen == Presence::kAway || a.chosen == Presence::kOffline) {
      EXPECT_TRUE(a.offers.empty()) << a.id;
    }
  }
}

inline Millis sec(int s) { return Millis{s * 1000LL}; }
inline Millis mins(int m) { return Millis{m * 60'000LL}; }

}  // namespace baton::hub::testing
