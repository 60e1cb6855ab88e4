// Bot turns per second in process (goal: ≥ 200,000/s on one core for the Contoso bot).
// A "turn" is one Runtime::on_activity call with a user message, including classification,
// node execution, output stamping and the transcript append.
#include <benchmark/benchmark.h>

#include "dialog/test_bot.hpp"

namespace baton::dialog {
namespace {

using testing::Chat;

const std::shared_ptr<const CompiledBot>& store() {
  static const auto compiled = CompiledBot::compile(testing::store_bot());
  return compiled;
}

// Whole conversations, as the engine runs them: a fresh Runtime, the greeting, a simple topic,
// a two-question topic ending in a transfer that is resumed (completed), a number question, a
// no-match. Counts user turns; the runtime construction, start() and resume() are included in
// the time but not counted as turns.
void BM_StoreBotConversations(benchmark::State& state) {
  const std::vector<std::string> inputs = {
      "what are your hours", "return an item", "rtc", "AB123456", "order status", "42",
      "xyzzy plugh"};
  std::int64_t turns = 0;
  for (auto _ : state) {
    Chat chat(store());
    benchmark::DoNotOptimize(chat.runtime().start());
    for (const auto& input : inputs) {
      auto result = chat.say(input);
      if (result.handoff) {
        benchmark::DoNotOptimize(chat.runtime().resume(HandoffOutcome::kCompleted));
      }
      benchmark::DoNotOptimize(result);
      ++turns;
    }
  }
  state.counters["turns/s"] =
      benchmark::Counter(static_cast<double>(turns), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StoreBotConversations);

// The cheapest useful turn: one intent, one message.
void BM_SimpleTopicTurn(benchmark::State& state) {
  Chat chat(store());
  chat.runtime().start();
  for (auto _ : state) {
    auto result = chat.say("what are your hours");
    benchmark::DoNotOptimize(result);
  }
  state.counters["turns/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimpleTopicTurn);

void BM_Classify(benchmark::State& state) {
  const auto& classifier = store()->classifier();
  for (auto _ : state) {
    auto result = classifier.classify("what are your hours");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_Classify);

void BM_SnapshotRestore(benchmark::State& state) {
  Chat chat(store());
  chat.runtime().start();
  chat.say("return an item");
  for (auto _ : state) {
    chat.restart_from_snapshot();
  }
}
BENCHMARK(BM_SnapshotRestore);

}  // namespace
}  // namespace baton::dialog
