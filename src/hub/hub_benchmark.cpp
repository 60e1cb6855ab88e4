// Assignment decision time with 10,000 waiting conversations and 1,000 agents.
//
// The world: 20 skill queues (routed by va_LastTopic rules) plus a default queue `general` that
// every agent serves. 900 agents each have 3 of the 20 skills and capacity 2, and are full; the
// 10,000 waiting conversations sit in the 20 skill queues behind them (random priorities, 10%
// with an extra `spanish` skill hint). 100 more agents have no skill, so they serve only
// `general`, and are free. Each benchmark times one Hub::apply() and keeps the world in the same
// shape between iterations (untimed). The reported time is the thread's CPU time inside apply()
// (the machines are shared; wall time mostly measures the scheduler); `wall_us` is the wall-clock
// time of the same calls.
//
//   AgentFreedToOffer   a full agent finishes a wrap-up → the hub offers it the best waiting
//                       conversation across its queues (priority, then wait)
//   HandoffToOffer      a new handoff matches no rule (all 20 evaluated) → general → the
//                       strategy picks among 1,000 candidates → offer
//   TickWithPositions   a tick over 10,000 waiting conversations after the head of one queue
//                       left (≈500–1,000 position updates)
//   ...Measured         the same input applied with its measures (Hub::apply(input, &measures))
//
// Snapshots, in a world of their own: 200 agents of capacity 5 (all full: 1,000 conversations
// assigned) and 9,000 waiting, 10,000 conversations in all, each with a handoff context as the
// dialog builds it (va_* variables, a few user variables: ≈600 bytes of JSON). Times are the
// benchmark's own (CPU and wall); `bytes` is the snapshot's JSON text.
//
//   Snapshot            Hub::snapshot(): the state as a JSON object
//   SnapshotText        the same serialised: what the engagement does on its strand to compact
//   Restore             parse that text and Hub::restore(): what a start does before the replay

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <unordered_map>

#include "hub/hub.hpp"

namespace baton::hub {
namespace {

constexpr int kQueues = 20;
constexpr int kSkilledAgents = 900;
constexpr int kFreeAgents = 100;
constexpr int kWaiting = 10'000;

std::string make_yaml() {
  std::string yaml = "hub:\n  default_queue: general\n  queues:\n";
  for (int q = 0; q < kQueues; ++q) {
    yaml += "    - name: q" + std::to_string(q) + "\n      when: va_LastTopic == \"topic" +
            std::to_string(q) + "\"\n      skills: [k" + std::to_string(q) + "]\n";
  }
  yaml += "    - name: general\n";
  return yaml;
}

class World {
 public:
  World() : rng_(7) {
    auto loaded = load_hub_config_from_string(make_yaml(), "bench.yaml");
    if (!loaded.config) {
      std::abort();
    }
    hub_ = std::make_unique<Hub>(std::make_shared<HubConfig>(std::move(*loaded.config)), clock_);
    for (int a = 0; a < kSkilledAgents; ++a) {
      std::vector<std::string> skills = {"k" + std::to_string(a % kQueues),
                                         "k" + std::to_string((a + 7) % kQueues),
                                         "k" + std::to_string((a + 13) % kQueues)};
      if (a % 10 == 0) {
        skills.push_back("spanish");
      }
      apply(AgentRegistered{Agent{"s" + std::to_string(a), "", Role::kAgent, skills, 2}});
      apply(PresenceSet{"s" + std::to_string(a), Presence::kAvailable});
    }
    // Fill every skilled agent (2 each), accepting at once; then the waiting ones.
    while (assigned_ < kSkilledAgents * 2) {
      submit_skilled();
    }
    while (waiting_ < kWaiting) {
      submit_skilled();
    }
    int queued = 0;
    for (const QueueView& q : hub_->queues(clock_.now())) {
      queued += q.waiting;
    }
    (void)std::fprintf(stderr, "world: %d waiting (counted %d), %d assigned\n", queued, waiting_,
                       assigned_);
    for (int a = 0; a < kFreeAgents; ++a) {
      apply(AgentRegistered{Agent{"f" + std::to_string(a), "", Role::kAgent, {}, 2}});
      apply(PresenceSet{"f" + std::to_string(a), Presence::kAvailable});
    }
  }

  Decisions apply(Event event) {
    clock_.advance(Millis{1});
    auto result = hub_->apply(Input{clock_.now(), std::move(event)});
    if (!result.ok()) {
      std::abort();
    }
    observe(*result);
    return std::move(*result);
  }

  // Times one input by the CPU time of this thread (the machine is shared: wall time mostly
  // measures the scheduler); the wall time is summed in wall_seconds_. The decisions are
  // observed (untimed) afterwards. With `measures`, the input is applied with its measures.
  double timed(Event event, Decisions& out, Measures* measures = nullptr) {
    clock_.advance(Millis{1});
    Input input{clock_.now(), std::move(event)};
    auto wall_start = std::chrono::steady_clock::now();
    double cpu_start = thread_cpu_seconds();
    auto result = measures != nullptr ? hub_->apply(input, measures) : hub_->apply(input);
    double cpu = thread_cpu_seconds() - cpu_start;
    wall_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    if (!result.ok()) {
      std::abort();
    }
    out = std::move(*result);
    observe(out);
    return cpu;
  }

  static double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }

  double wall_seconds_ = 0;

  // Submits until one is queued or offered (a `spanish` request for a queue without Spanish
  // speakers is unavailable at once and would shrink the waiting list).
  void submit_skilled() {
    int before = waiting_;
    while (waiting_ == before) {
      submit_one();
    }
  }

  void submit_one() {
    HandoffSubmitted e;
    e.conversation = "w" + std::to_string(next_++);
    e.context["va_LastTopic"] = "topic" + std::to_string(rng_() % kQueues);
    e.priority = static_cast<int>(rng_() % 4);
    if (rng_() % 10 == 0) {
      e.skills = {"spanish"};
    }
    apply(std::move(e));
  }

  // One skilled agent and one of its conversations, in turn.
  std::pair<std::string, std::string> next_owned() {
    for (;;) {
      std::string agent = "s" + std::to_string(turn_++ % kSkilledAgents);
      auto& list = owned_[agent];
      if (!list.empty()) {
        std::string conv = list.back();
        list.pop_back();
        return {agent, conv};
      }
    }
  }

  ManualClock clock_;
  std::unique_ptr<Hub> hub_;
  int waiting_ = 0;

 private:
  void observe(const Decisions& decisions) {
    for (const Decision& d : decisions) {
      if (std::holds_alternative<Queued>(d)) {
        waiting_ += 1;
      } else if (const auto* o = std::get_if<Offered>(&d)) {
        pending_.push_back(*o);
      } else if (const auto* a = std::get_if<Assigned>(&d)) {
        owned_[a->agent].push_back(a->conversation);
        assigned_ += 1;
      } else if (std::holds_alternative<Cancelled>(d)) {
        waiting_ -= 1;
      }
    }
    // Accept every offer to a skilled agent at once (keeps them full).
    while (!pending_.empty()) {
      Offered o = pending_.back();
      pending_.pop_back();
      if (o.agent[0] == 's') {
        waiting_ -= 1;
        apply(OfferAccepted{o.conversation, o.agent, o.offer_id});
      } else {
        free_offers_.push_back(o);
      }
    }
  }

 public:
  std::vector<Offered> free_offers_;

 private:
  std::mt19937 rng_;
  int next_ = 0;
  int assigned_ = 0;
  std::uint64_t turn_ = 0;
  std::vector<Offered> pending_;
  std::unordered_map<std::string, std::vector<std::string>> owned_;
};

World& world() {
  static World w;
  return w;
}

void report(benchmark::State& state, World& w) {
  state.counters["waiting"] = w.waiting_;
  state.counters["wall_us"] =
      benchmark::Counter(w.wall_seconds_ * 1e6 / static_cast<double>(state.iterations()));
  w.wall_seconds_ = 0;
}

void agent_freed_to_offer(benchmark::State& state, bool measured) {
  World& w = world();
  w.wall_seconds_ = 0;
  Measures measures;
  for (auto _ : state) {
    auto [agent, conv] = w.next_owned();
    w.apply(ConversationEnded{conv, agent});
    Decisions out;
    measures.clear();
    state.SetIterationTime(w.timed(WrapUpDone{conv, agent}, out, measured ? &measures : nullptr));
    bool offered = std::any_of(out.begin(), out.end(), [](const Decision& d) {
      return std::holds_alternative<Offered>(d);
    });
    if (!offered) {
      state.SkipWithError("no offer");
      break;
    }
    w.submit_skilled();  // keep 10,000 waiting
  }
  report(state, w);
}
void BM_AgentFreedToOffer(benchmark::State& state) { agent_freed_to_offer(state, false); }
void BM_AgentFreedToOfferMeasured(benchmark::State& state) { agent_freed_to_offer(state, true); }
BENCHMARK(BM_AgentFreedToOffer)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AgentFreedToOfferMeasured)->UseManualTime()->Unit(benchmark::kMicrosecond);

void handoff_to_offer(benchmark::State& state, bool measured) {
  World& w = world();
  w.wall_seconds_ = 0;
  Measures measures;
  int n = 0;
  for (auto _ : state) {
    HandoffSubmitted e;
    e.conversation = "g" + std::to_string(n++);
    e.context["va_LastTopic"] = "something else";
    Decisions out;
    measures.clear();
    state.SetIterationTime(w.timed(std::move(e), out, measured ? &measures : nullptr));
    if (out.size() < 2 || !std::holds_alternative<Offered>(out[1])) {
      state.SkipWithError("no offer");
      break;
    }
    w.free_offers_.clear();
    w.apply(HandoffCancelled{std::get<Offered>(out[1]).conversation});
  }
  report(state, w);
}
void BM_HandoffToOffer(benchmark::State& state) { handoff_to_offer(state, false); }
void BM_HandoffToOfferMeasured(benchmark::State& state) { handoff_to_offer(state, true); }
BENCHMARK(BM_HandoffToOffer)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HandoffToOfferMeasured)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_TickWithPositions(benchmark::State& state) {
  World& w = world();
  w.wall_seconds_ = 0;
  int queue = 0;
  for (auto _ : state) {
    // The head of one queue leaves (cancels); everyone behind it moves up.
    auto views = w.hub_->conversations(w.clock_.now());
    for (const auto& c : views) {
      if (c.state == ConversationState::kWaiting && c.queue == "q" + std::to_string(queue) &&
          c.position == 1) {
        w.apply(HandoffCancelled{c.id});
        break;
      }
    }
    queue = (queue + 1) % kQueues;
    w.submit_skilled();
    w.clock_.advance(Millis{60'000});
    Decisions out;
    state.SetIterationTime(w.timed(Tick{}, out));
    state.counters["updates"] = static_cast<double>(out.size());
  }
  report(state, w);
}
BENCHMARK(BM_TickWithPositions)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The snapshot benchmarks' world (see the header).
class SnapshotWorld {
 public:
  static constexpr int kAgents = 200;
  static constexpr int kCapacity = 5;
  static constexpr int kConversations = 10'000;

  SnapshotWorld() {
    std::string yaml = "hub:\n  default_queue: general\n  queues:\n";
    for (int q = 0; q < 5; ++q) {
      yaml += "    - name: q" + std::to_string(q) + "\n      when: va_LastTopic == \"topic" +
              std::to_string(q) + "\"\n";
    }
    yaml += "    - name: general\n";
    auto loaded = load_hub_config_from_string(yaml, "bench.yaml");
    if (!loaded.config) {
      std::abort();
    }
    config_ = std::make_shared<HubConfig>(std::move(*loaded.config));
    hub_ = std::make_unique<Hub>(config_, clock_);
    for (int a = 0; a < kAgents; ++a) {
      const std::string id = "agent" + std::to_string(a);
      apply(AgentRegistered{Agent{id, "Agent " + std::to_string(a), Role::kAgent, {}, kCapacity}});
      apply(PresenceSet{id, Presence::kAvailable});
    }
    for (int c = 0; c < kConversations; ++c) {
      HandoffSubmitted e;
      e.conversation = "conversation-" + std::to_string(c);
      e.reason = "requested";
      e.context = context_of(c);
      for (const Decision& d : apply(std::move(e))) {
        if (const auto* o = std::get_if<Offered>(&d)) {
          apply(OfferAccepted{o->conversation, o->agent, o->offer_id});
        }
      }
    }
    if (hub_->conversations(clock_.now()).size() != kConversations) {
      std::abort();
    }
    text_ = boost::json::serialize(hub_->snapshot());
  }

  const Hub& hub() const { return *hub_; }
  const std::string& text() const { return text_; }
  std::shared_ptr<const HubConfig> config() const { return config_; }
  const Clock& clock() const { return clock_; }

 private:
  static boost::json::object context_of(int c) {
    const std::string topic = "topic" + std::to_string(c % 6);
    const std::string id = "conversation-" + std::to_string(c);
    return boost::json::object{
        {"va_Scope", "bot"},
        {"va_LastTopic", topic},
        {"va_Topics", boost::json::array{"Greeting", "Order status", topic}},
        {"va_LastPhrases", "I want to talk to a person about my order"},
        {"va_Phrases", boost::json::array{"hi", "where is my order",
                                          "I want to talk to a person about my order"}},
        {"va_ConversationId", id},
        {"va_AgentMessage", "Customer asks about a delayed order; verified e-mail."},
        {"va_BotId", "contoso-support"},
        {"va_BotName", "Contoso Support"},
        {"va_Language", "en-us"},
        {"UserName", "Customer " + std::to_string(c)},
        {"Email", "customer" + std::to_string(c) + "@example.com"},
        {"OrderNumber", std::to_string(100'000 + c)},
    };
  }

  Decisions apply(Event event) {
    clock_.advance(Millis{1});
    auto result = hub_->apply(Input{clock_.now(), std::move(event)});
    if (!result.ok()) {
      std::abort();
    }
    return std::move(*result);
  }

  ManualClock clock_;
  std::shared_ptr<const HubConfig> config_;
  std::unique_ptr<Hub> hub_;
  std::string text_;
};

SnapshotWorld& snapshot_world() {
  static SnapshotWorld w;
  return w;
}

void snapshot_counters(benchmark::State& state, const SnapshotWorld& w) {
  state.counters["bytes"] = static_cast<double>(w.text().size());
  state.counters["conversations"] = SnapshotWorld::kConversations;
  state.counters["agents"] = SnapshotWorld::kAgents;
}

void BM_Snapshot(benchmark::State& state) {
  const SnapshotWorld& w = snapshot_world();
  for (auto _ : state) {
    boost::json::object snapshot = w.hub().snapshot();
    benchmark::DoNotOptimize(snapshot);
  }
  snapshot_counters(state, w);
}
BENCHMARK(BM_Snapshot)->Unit(benchmark::kMillisecond);

void BM_SnapshotText(benchmark::State& state) {
  const SnapshotWorld& w = snapshot_world();
  for (auto _ : state) {
    std::string text = boost::json::serialize(w.hub().snapshot());
    benchmark::DoNotOptimize(text);
  }
  snapshot_counters(state, w);
}
BENCHMARK(BM_SnapshotText)->Unit(benchmark::kMillisecond);

void BM_Restore(benchmark::State& state) {
  const SnapshotWorld& w = snapshot_world();
  for (auto _ : state) {
    boost::json::value parsed = boost::json::parse(w.text());
    auto restored = Hub::restore(w.config(), w.clock(), parsed.as_object());
    if (!restored.ok()) {
      state.SkipWithError(restored.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(restored);
  }
  snapshot_counters(state, w);
}
BENCHMARK(BM_Restore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace baton::hub

BENCHMARK_MAIN();
