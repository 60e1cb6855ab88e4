// Snapshots: a hub restored from a snapshot decides like the original (seeded random streams cut at
// random points), snapshot → restore → snapshot is identical, a changed config is reconciled by
// name, and corrupt snapshots are refused with an error, never a crash.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "core/json.hpp"
#include "hub/hub.hpp"
#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

// kBaseYaml's queues with every timer and strategy, so random streams reach overflow, max wait,
// abandonment, forced wrap-up ends, round robin and least busy.
const char* kTimedYaml = R"(
hub:
  default_queue: general
  missed_offers_before_away: 2
  default_handle_time: 4m
  max_wrap_up: 2m
  defaults:
    offer_timeout: 30s
    position_update_interval: 10s
    abandon_after: 15m
  queues:
    - name: billing
      when: va_LastTopic == "Billing"
      priority: 5
      skills: [billing]
      strategy: round_robin
      max_wait: 5m
      overflow: general
    - name: german
      when: language == "de-de"
      skills: [german]
    - name: vip
      when: Tier == "gold"
      priority: 10
      strategy: least_busy
    - name: complaints
      when: reason == "no_match"
      max_wait: 10m
    - name: general
)";

std::string text_of(const Hub& hub) { return json::dump(hub.snapshot()); }

// The snapshot as the store keeps it: text, parsed back.
Result<std::unique_ptr<Hub>> restore_text(std::shared_ptr<const HubConfig> config,
                                          const Clock& clock, const std::string& text) {
  auto parsed = json::parse(text);
  if (!parsed.ok()) {
    return parsed.error();
  }
  if (!parsed->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "not an object");
  }
  return Hub::restore(std::move(config), clock, parsed->as_object());
}

// Everything the views show at `now`, one line per item.
std::vector<std::string> views(const Hub& hub, TimePoint now) {
  std::vector<std::string> out;
  for (const auto& q : hub.queues(now)) {
    out.push_back(fmt::format("queue {} {} {} {} {} {} {} {} {}", q.name, q.waiting, q.offered,
                              q.longest_wait.count(), q.open, q.agents_online, q.agents_available,
                              q.average_handle_time.count(), q.estimated_wait.count()));
  }
  for (const auto& a : hub.agents(now)) {
    std::string line = fmt::format("agent {} {} {} {} {} {} {} {} |", a.id, a.display_name,
                                   to_string(a.role), to_string(a.presence), to_string(a.chosen),
                                   a.load, a.capacity, a.missed_offers);
    for (const auto& c : a.conversations) {
      line += " " + c;
    }
    line += " |";
    for (const auto& c : a.offers) {
      line += " " + c;
    }
    out.push_back(line);
  }
  for (const auto& c : hub.conversations(now)) {
    out.push_back(fmt::format("conv {} {} {} {} {} {} {} {} {} {} {}", c.id, to_string(c.state),
                              c.queue, c.agent, c.offered_to, c.waited.count(), c.position,
                              c.priority, c.reason, c.transfer_note, json::dump(c.context)));
  }
  for (const auto& d : hub.pending_offers()) {
    out.push_back(describe(d));
  }
  return out;
}

// The decisions of each input of `log`, applied in order to `hub` (errors as "error <code>"),
// and with `measured` its measures ("#<i> measure ...") after them.
std::vector<std::string> apply_all(Hub& hub, const std::vector<Input>& log, std::size_t from,
                                   std::size_t to, bool measured = false) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < to; ++i) {
    Measures measures;
    auto result = measured ? hub.apply(log[i], &measures) : hub.apply(log[i]);
    if (!result.ok()) {
      out.push_back(fmt::format("#{} error {}", i, to_string(result.error().code)));
      continue;
    }
    for (const auto& d : *result) {
      out.push_back(fmt::format("#{} {}", i, describe(d)));
    }
    for (const auto& m : measures) {
      out.push_back(fmt::format("#{} measure {}", i, describe(m)));
    }
  }
  return out;
}

struct Property {
  const char* yaml;
  bool every_input;
};

void PrintTo(const Property& p, std::ostream* os) {
  *os << (p.yaml == kBaseYaml ? "base" : "timed") << (p.every_input ? ", every input" : "");
}

class HubSnapshotProperty : public ::testing::TestWithParam<Property> {};

// Hub A applies a whole log, measuring; hub B the log up to a cut without measuring (as a replay
// does), then its snapshot (as text) becomes hub C. C, and B itself, apply the rest measuring:
// both decide and measure every later input as A does, and C ends in A's state.
TEST_P(HubSnapshotProperty, ARestoredHubDecidesAsTheOriginal) {
  auto config = config_from(GetParam().yaml);
  int checked = 0;
  for (std::uint32_t seed = 1; seed <= 24; ++seed) {
    ManualClock clock(t0());
    Hub recorder(config, clock);
    const std::vector<Input> log =
        drive(recorder, clock, random_stream(400, seed, GetParam().every_input),
              GetParam().every_input)
            .log;
    ManualClock unused(t0());
    Hub a(config, unused);
    const std::vector<std::string> decided = apply_all(a, log, 0, log.size());
    Hub measuring(config, unused);
    const std::vector<std::string> all = apply_all(measuring, log, 0, log.size(), true);
    ASSERT_EQ(text_of(measuring), text_of(a)) << "measuring changes nothing, seed " << seed;
    // The lines of inputs from `cut` on.
    auto from = [&all](std::size_t cut) {
      std::vector<std::string> out;
      for (const std::string& line : all) {
        if (std::stoul(line.substr(1)) >= cut) {
          out.push_back(line);
        }
      }
      return out;
    };
    int measured = 0;
    for (const std::string& line : all) {
      measured += line.find(" measure ") != std::string::npos ? 1 : 0;
    }
    ASSERT_GT(measured, 100) << "seed " << seed;
    std::vector<std::string> decisions_of_all = all;
    std::erase_if(decisions_of_all,
                  [](const std::string& line) { return line.find(" measure ") != line.npos; });
    ASSERT_EQ(decisions_of_all, decided) << "measuring decides the same, seed " << seed;
    std::mt19937 rng(seed);
    for (int round = 0; round < 4; ++round) {
      const std::size_t cut = rng() % (log.size() + 1);
      Hub b(config, unused);
      std::vector<std::string> prefix = apply_all(b, log, 0, cut);
      const std::string text = text_of(b);
      auto c = restore_text(config, unused, text);
      ASSERT_TRUE(c.ok()) << c.error().message;
      ASSERT_EQ(text_of(**c), text) << "snapshot → restore → snapshot, seed " << seed;
      ASSERT_EQ((*c)->now(), b.now());
      std::vector<std::string> expected = from(cut);
      ASSERT_EQ(apply_all(**c, log, cut, log.size(), true), expected)
          << "restored, seed " << seed << ", cut at " << cut << " of " << log.size();
      ASSERT_EQ(apply_all(b, log, cut, log.size(), true), expected)
          << "replayed, seed " << seed << ", cut at " << cut << " of " << log.size();
      std::vector<std::string> decided_prefix(decided.begin(), decided.end());
      std::erase_if(decided_prefix,
                    [cut](const std::string& line) { return std::stoul(line.substr(1)) >= cut; });
      ASSERT_EQ(prefix, decided_prefix) << "seed " << seed;
      ASSERT_EQ(views(**c, clock.now()), views(a, clock.now())) << "seed " << seed;
      ASSERT_EQ(text_of(**c), text_of(a)) << "seed " << seed;
      ASSERT_EQ(text_of(b), text_of(a)) << "seed " << seed;
      check_invariants(**c, clock.now());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 24 * 4);
}

INSTANTIATE_TEST_SUITE_P(Configs, HubSnapshotProperty,
                         ::testing::Values(Property{kBaseYaml, false}, Property{kBaseYaml, true},
                                           Property{kTimedYaml, true}),
                         [](const auto& param_info) {
                           return std::string(param_info.param.yaml == kBaseYaml ? "Base"
                                                                                 : "Timed") +
                                  (param_info.param.every_input ? "EveryInput" : "Basic");
                         });

TEST(HubSnapshot, HoldsEveryStateAndItsContext) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("b")).ok());
  ASSERT_TRUE(hub.handle(avail("b")).ok());
  clock.advance(sec(1));
  ASSERT_TRUE(hub.handle(reg("a", {"billing"}, 2)).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(submit("c1", {{"Email", "ann@example.com"}})).ok());  // to b, idle longest
  ASSERT_TRUE(hub.handle(accept("c1", "b", 1)).ok());
  ASSERT_TRUE(hub.handle(submit("c2")).ok());                                 // offered to a
  ASSERT_TRUE(hub.handle(submit("c3", {{"va_LastTopic", "Billing"}})).ok());  // to a as well
  ASSERT_TRUE(hub.handle(end("c1", "b")).ok());                               // wrap-up
  ASSERT_TRUE(hub.handle(submit("c4")).ok());                                 // waits
  const boost::json::object snap = hub.snapshot();
  EXPECT_EQ(snap.at("version").as_int64(), 2);
  const auto& convs = snap.at("conversations").as_array();
  ASSERT_EQ(convs.size(), 4u);
  EXPECT_EQ(convs[0].at("state").as_string(), "wrap_up");
  EXPECT_EQ(convs[0].at("context").at("Email").as_string(), "ann@example.com");
  EXPECT_EQ(convs[1].at("state").as_string(), "offered");
  EXPECT_EQ(convs[2].at("queue").as_string(), "billing");
  EXPECT_EQ(convs[3].at("state").as_string(), "waiting");
  EXPECT_EQ(snap.at("agents").as_array().size(), 2u);
  EXPECT_EQ(snap.at("agents").as_array()[0].at("load").as_int64(), 2);

  auto restored = Hub::restore(config, clock, snap);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  EXPECT_EQ(views(**restored, clock.now()), views(hub, clock.now()));
  // The same next offer id on both sides.
  clock.advance(sec(1));
  Input done = hub.stamp(wrapped("c1", "b"));
  const auto expected = briefs(*hub.apply(done));
  EXPECT_EQ(briefs(*(*restored)->apply(done)), expected);
  EXPECT_FALSE(expected.empty()) << "b takes c4";
}

// A snapshot of version 1 (before measurements) is restored with the defaults of hub_snapshot.cpp:
// offer times from the offer's expiry, waits from the submission, spans from the snapshot's time.
TEST(HubSnapshot, VersionOneIsReadWithMeasuringDefaults) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(reg("b")).ok());  // never online: no spans
  clock.advance(sec(1));
  ASSERT_TRUE(hub.handle(submit("c1")).ok());  // offered to a
  ASSERT_TRUE(hub.handle(submit("c2")).ok());  // waits
  clock.advance(sec(4));
  ASSERT_TRUE(hub.handle(tick()).ok());  // the snapshot's time
  boost::json::object old = hub.snapshot();
  old["version"] = 1;
  for (auto& a : old["agents"].as_array()) {
    a.as_object().erase("spans");
  }
  for (auto& c : old["conversations"].as_array()) {
    for (const char* key : {"waiting_since", "assigned_once", "offer_at"}) {
      c.as_object().erase(key);
    }
  }
  auto restored = Hub::restore(config, clock, old);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  Hub& r = **restored;
  const auto brief = [](const Measures& measures) {
    std::vector<std::string> out;
    for (const Measure& m : measures) {
      out.push_back(fmt::format("{} {}/{} n={} v={}", m.metric, m.queue, m.agent, m.count,
                                static_cast<std::int64_t>(m.value)));
    }
    return out;
  };
  clock.advance(sec(3));
  Measures measures;
  ASSERT_TRUE(r.apply(r.stamp(accept("c1", "a", 1)), &measures).ok());
  EXPECT_EQ(brief(measures), (std::vector<std::string>{"offer.accepted general/a n=1 v=7000",
                                                       "handoff.accepted general/a n=1 v=7000"}));
  measures.clear();
  ASSERT_TRUE(r.apply(r.stamp(end("c1", "a")), &measures).ok());
  clock.advance(sec(2));
  ASSERT_TRUE(r.apply(r.stamp(wrapped("c1", "a")), &measures).ok());
  EXPECT_EQ(brief(measures), (std::vector<std::string>{"handle general/a n=1 v=2000",
                                                       "offer.made general/a n=1 v=0"}))
      << "a takes c2 at once: still busy";
  measures.clear();
  ASSERT_TRUE(r.apply(r.stamp(Event{HandoffCancelled{"c2"}}), &measures).ok());
  EXPECT_EQ(brief(measures),
            (std::vector<std::string>{
                "offer.rescinded general/a n=1 v=0", "handoff.cancelled general/ n=1 v=9000",
                "agent.presence.busy /a n=1 v=5000", "agent.load /a n=1 v=5000"}))
      << "waited since its submission; spans measured since the restore";
  EXPECT_EQ(r.snapshot().at("version").as_int64(), 2);
  EXPECT_TRUE(r.snapshot().at("agents").as_array()[1].at("spans").is_null()) << "b";
}

// hub.yaml edited between the snapshot and the restore.
const char* kBefore = R"(
hub:
  default_queue: general
  agents:
    - id: yaml1
      name: Yaml One
      skills: [returns]
  queues:
    - name: returns
      when: va_LastTopic == "Returns"
      priority: 3
      skills: [returns]
    - name: general
)";

const char* kAfter = R"(
hub:
  default_queue: general
  default_handle_time: 7m
  agents:
    - id: yaml2
      name: Yaml Two
  queues:
    - name: support
      when: va_LastTopic == "Returns"
      priority: 8
    - name: general
    - name: spare
)";

TEST(HubSnapshot, AChangedConfigIsReconciledByName) {
  ManualClock clock(t0());
  Hub hub(config_from(kBefore), clock);
  ASSERT_TRUE(hub.handle(reg("a", {"returns"}, 2)).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(submit("c1", {{"va_LastTopic", "Returns"}})).ok());  // returns, to a
  ASSERT_TRUE(hub.handle(accept("c1", "a", 1)).ok());
  ASSERT_TRUE(hub.handle(submit("c2", {{"va_LastTopic", "Returns"}})).ok());  // offered to a
  ASSERT_TRUE(hub.handle(submit("c3", {{"va_LastTopic", "Returns"}})).ok());  // waits
  ASSERT_TRUE(hub.handle(submit("c4")).ok());                                 // general, waits
  ASSERT_EQ(hub.conversation("c3", clock.now())->queue, "returns");

  auto after = config_from(kAfter);
  auto restored = Hub::restore(after, clock, hub.snapshot());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  Hub& r = **restored;
  const TimePoint now = clock.now();
  // Conversations of the removed queue are routed by today's rules, with that queue's priority.
  EXPECT_EQ(r.conversation("c1", now)->queue, "support");
  EXPECT_EQ(r.conversation("c1", now)->state, ConversationState::kAssigned);
  EXPECT_EQ(r.conversation("c2", now)->state, ConversationState::kOffered);
  EXPECT_EQ(r.conversation("c2", now)->offered_to, "a");
  EXPECT_EQ(r.conversation("c3", now)->queue, "support");
  EXPECT_EQ(r.conversation("c3", now)->priority, 8);
  EXPECT_EQ(r.conversation("c3", now)->position, 2);  // behind c2, being offered
  EXPECT_EQ(r.conversation("c4", now)->queue, "general");
  EXPECT_EQ(r.conversation("c4", now)->position, 1);
  // Agents: the snapshot's keep their facts and presence (yaml1 although hub.yaml dropped it);
  // yaml2, new in hub.yaml, is registered offline.
  auto a = r.agent("a", now);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->load, 2);
  EXPECT_EQ(a->chosen, Presence::kAvailable);
  auto yaml1 = r.agent("yaml1", now);
  ASSERT_TRUE(yaml1.has_value());
  EXPECT_EQ(yaml1->display_name, "Yaml One");
  auto yaml2 = r.agent("yaml2", now);
  ASSERT_TRUE(yaml2.has_value());
  EXPECT_EQ(yaml2->chosen, Presence::kOffline);
  // Queues: general keeps its average, the new ones start from today's default.
  for (const auto& q : r.queues(now)) {
    if (q.name == "general") {
      EXPECT_EQ(q.average_handle_time, mins(5)) << "hub.yaml's default then";
    } else {
      EXPECT_EQ(q.average_handle_time, mins(7)) << q.name;
    }
  }
  check_invariants(r, now);
  // The restored hub routes by the new config.
  clock.advance(sec(1));
  ASSERT_TRUE(r.handle(submit("c5", {{"va_LastTopic", "Returns"}})).ok());
  EXPECT_EQ(r.conversation("c5", clock.now())->queue, "support");
  EXPECT_EQ(r.conversation("c5", clock.now())->position, 3);
  check_invariants(r, clock.now());
}

TEST(HubSnapshot, CorruptSnapshotsAreRefusedWithTheirField) {
  auto config = config_from(kBaseYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(submit("c1")).ok());
  const boost::json::object good = hub.snapshot();
  auto refused = [&](const std::function<void(boost::json::object&)>& edit) {
    boost::json::object bad = good;
    edit(bad);
    auto r = Hub::restore(config, clock, bad);
    return r.ok() ? std::string("restored") : r.error().message;
  };
  auto conv = [](boost::json::object& o) -> boost::json::object& {
    return o["conversations"].as_array()[0].as_object();
  };
  EXPECT_EQ(refused([](auto& o) { o["version"] = 3; }),
            "hub snapshot: version 3 is not a supported one (1 or 2)");
  EXPECT_EQ(refused([](auto& o) { o.erase("agents"); }), "hub snapshot: agents: missing");
  EXPECT_EQ(refused([&](auto& o) { conv(o)["offer_id"] = "1"; }),
            "hub snapshot: conversations[0].offer_id: expected an integer");
  EXPECT_EQ(refused([&](auto& o) { conv(o)["offer_agent"] = "nobody"; }),
            "hub snapshot: conversations[0].offer_agent: 'nobody' is not among the snapshot's "
            "agents");
  EXPECT_EQ(refused([&](auto& o) { conv(o)["state"] = "waiting"; }),
            "hub snapshot: conversations[0].state: a waiting conversation has no agent and no "
            "offer");
  EXPECT_EQ(refused([&](auto& o) { conv(o)["seq"] = 5; }),
            "hub snapshot: conversations[0].seq: 5 is not below next_seq or appears twice");
  EXPECT_EQ(refused([](auto& o) { o["agents"].as_array()[0].as_object()["load"] = 0; }),
            "hub snapshot: agent 'a' has load 0 but 1 offers and conversations");
  EXPECT_EQ(refused([](auto& o) { o["now"] = -1; }),
            "hub snapshot: now: -1 is outside 0..7000000000000");
  EXPECT_EQ(refused([](auto& o) { o["queues"].as_array().push_back(1); }),
            "hub snapshot: queues[5]: expected an object");
  auto agent = [](boost::json::object& o) -> boost::json::object& {
    return o["agents"].as_array()[0].as_object();
  };
  const std::int64_t now = good.at("now").as_int64();
  EXPECT_EQ(refused([&](auto& o) { agent(o)["spans"] = 1; }),
            "hub snapshot: agents[0].spans: expected an object or null");
  EXPECT_EQ(refused([&](auto& o) { agent(o)["spans"].as_object().erase("load"); }),
            "hub snapshot: agents[0].spans.load: missing");
  EXPECT_EQ(refused([&](auto& o) { agent(o)["spans"].as_object()["presence"] = now + 1; }),
            fmt::format("hub snapshot: agents[0].spans.presence: {} is outside {}..{}", now + 1,
                        now - now % 3'600'000, now));
  EXPECT_EQ(refused([&](auto& o) { agent(o)["spans"].as_object()["capacity"] = now - 3'600'000; }),
            fmt::format("hub snapshot: agents[0].spans.capacity: {} is outside {}..{}",
                        now - 3'600'000, now - now % 3'600'000, now));
  EXPECT_EQ(
      refused([&](auto& o) { conv(o)["offer_at"] = now + 1; }),
      fmt::format("hub snapshot: conversations[0].offer_at: {} is outside 0..{}", now + 1, now));
  EXPECT_EQ(refused([&](auto& o) { conv(o).erase("assigned_once"); }),
            "hub snapshot: conversations[0].assigned_once: missing");
  EXPECT_EQ(refused([&](auto& o) { agent(o)["spans"] = nullptr; }), "restored");
  EXPECT_EQ(refused([](auto&) {}), "restored");
}

// Random edits of valid snapshots: restore either refuses them or gives a hub that keeps its
// invariants, snapshots identically and takes input, measuring no negative times.
TEST(HubSnapshot, MutatedSnapshotsNeverCrash) {
  auto config = config_from(kTimedYaml);
  ManualClock clock(t0());
  Hub source(config, clock);
  // The busiest moment of a random stream.
  boost::json::object good;
  const auto stream = random_stream(300, 7, true);
  for (std::size_t i = 0; i < stream.size(); i += 10) {
    drive(source, clock,
          {stream.begin() + static_cast<std::ptrdiff_t>(i),
           stream.begin() + static_cast<std::ptrdiff_t>(i + 10)},
          true);
    boost::json::object snap = source.snapshot();
    if (snap.at("conversations").as_array().size() >
        (good.empty() ? 0 : good.at("conversations").as_array().size())) {
      good = std::move(snap);
    }
  }
  ASSERT_GT(good.at("conversations").as_array().size(), 3u);
  std::mt19937 rng(99);
  auto pick = [&rng](std::size_t n) { return n == 0 ? 0 : rng() % n; };
  const boost::json::value replacements[] = {nullptr,
                                             true,
                                             -1,
                                             0,
                                             1,
                                             2,
                                             INT64_MAX,
                                             "",
                                             "a0",
                                             "general",
                                             "offered",
                                             boost::json::array{},
                                             boost::json::object{},
                                             1.5,
                                             static_cast<std::uint64_t>(UINT64_MAX)};
  int restored = 0;
  for (int round = 0; round < 3000; ++round) {
    boost::json::value doc = good;
    for (std::size_t edits = 1 + pick(3); edits > 0; --edits) {
      // Walk down to a random object or array and change, drop or copy one member.
      boost::json::value* at = &doc;
      while (true) {
        if (at->is_object() && !at->as_object().empty() && pick(3) != 0) {
          auto& o = at->as_object();
          auto it = o.begin() + static_cast<std::ptrdiff_t>(pick(o.size()));
          at = &it->value();
        } else if (at->is_array() && !at->as_array().empty() && pick(3) != 0) {
          auto& a = at->as_array();
          at = &a[pick(a.size())];
        } else {
          break;
        }
      }
      switch (pick(3)) {
        case 0:
          *at = replacements[pick(std::size(replacements))];
          break;
        case 1:
          if (at->is_array() && !at->as_array().empty()) {
            at->as_array().push_back(at->as_array()[pick(at->as_array().size())]);
          } else if (at->is_object() && !at->as_object().empty()) {
            at->as_object().erase(at->as_object().begin() +
                                  static_cast<std::ptrdiff_t>(pick(at->as_object().size())));
          }
          break;
        default:
          if (at->is_int64()) {
            *at = at->as_int64() + static_cast<std::int64_t>(pick(5)) - 2;
          } else if (at->is_string()) {
            *at = std::string(at->as_string()) + "x";
          }
          break;
      }
    }
    if (!doc.is_object()) {
      continue;
    }
    auto hub = Hub::restore(config, clock, doc.as_object());
    if (!hub.ok()) {
      EXPECT_NE(hub.error().message.find("hub snapshot: "), std::string::npos);
      continue;
    }
    ++restored;
    const std::string text = text_of(**hub);
    auto again = restore_text(config, clock, text);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(text_of(**again), text);
    check_invariants(**hub, clock.now());
    ManualClock later(clock.now());
    Measures measures;
    for (const auto& [gap, event] : random_stream(40, static_cast<std::uint32_t>(round), true)) {
      later.advance(gap);
      (void)(*hub)->apply(Input{later.now(), event}, &measures);
    }
    for (const Measure& m : measures) {
      EXPECT_TRUE((m.count == 0 || m.count == 1) && m.value >= 0) << describe(m);
    }
    check_invariants(**hub, later.now());
    if (::testing::Test::HasFailure()) {
      FAIL() << "round " << round << ": " << json::dump(doc);
    }
  }
  EXPECT_GT(restored, 100) << "some edits keep the snapshot valid (contexts, texts, times)";
}

}  // namespace
}  // namespace baton::hub::testing
