// Bot turns per second in process, one core: the dialog runtime on the Contoso example bot and on
// a 150-topic bot generated from CLINC150 (trigger phrases = 10 training examples per intent).
// A "turn" is one customer message in and the bot's replies out (stamped activities). When a turn
// escalates, the handoff is cancelled within the same turn so the bot keeps serving (counted).
//
//   build/bench/dialog_turns_benchmark --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#include "bot/loader.hpp"
#include "core/json.hpp"
#include "dialog/runtime.hpp"

namespace {

using namespace baton;

std::shared_ptr<const dialog::CompiledBot> load_example(const std::string& name) {
  auto loaded = bot::load_bot(std::string(BATON_SOURCE_DIR) + "/examples/" + name);
  if (!loaded.bot) {
    for (const auto& d : loaded.diagnostics) {
      fmt::print(stderr, "{}\n", d.format());
    }
    std::abort();
  }
  return dialog::CompiledBot::compile(std::move(*loaded.bot));
}

// Builds a bot with one topic per CLINC150 intent: 10 trigger phrases, one message node.
std::shared_ptr<const dialog::CompiledBot> clinc_bot(std::vector<std::string>* queries) {
  std::ifstream in(std::string(BATON_SOURCE_DIR) + "/datasets/clinc150/data_full.json");
  std::stringstream text;
  text << in.rdbuf();
  auto data = json::parse(text.str());
  if (!data) {
    std::abort();
  }
  std::map<std::string, std::vector<std::string>> phrases;
  for (const auto& pair : data->at("train").as_array()) {
    const auto& p = pair.as_array();
    auto& list = phrases[std::string(p[1].as_string())];
    if (list.size() < 10) {
      list.emplace_back(p[0].as_string());
    }
  }
  for (const auto& pair : data->at("test").as_array()) {
    queries->emplace_back(pair.as_array()[0].as_string());
  }
  bot::Bot b;
  b.id = "clinc150";
  b.name = "CLINC150";
  for (auto& [intent, list] : phrases) {
    bot::Topic t;
    t.name = intent;
    t.triggers = std::move(list);
    bot::Node n;
    bot::MessageNode m;
    m.text = *bot::parse_template("You asked about " + intent + ".");
    n.kind = std::move(m);
    t.nodes.push_back(std::move(n));
    b.topics.push_back(std::move(t));
  }
  // Let the loader's defaults supply the system topics: round-trip through an empty YAML bot.
  auto defaults = bot::load_bot_from_string("bot:\n  id: d\n  name: d\n", "defaults.yaml");
  if (defaults.bot) {
    for (auto& t : defaults.bot->topics) {
      b.topics.push_back(std::move(t));
    }
  }
  return dialog::CompiledBot::compile(std::move(b));
}

void run_turns(benchmark::State& state, const std::shared_ptr<const dialog::CompiledBot>& bot,
               const std::vector<std::string>& script) {
  ManualClock clock;
  std::uint64_t seq = 0;
  dialog::ConversationInfo info;
  info.conversation_id = "bench";
  info.user = {"u1", "User", "user"};
  auto ids = [&seq] { return fmt::format("bench|{}", ++seq); };
  auto runtime = std::make_unique<dialog::Runtime>(bot, clock, ids, info);
  activity::Activity in = activity::make_message("");
  in.from = info.user;
  in.conversation.id = "bench";
  std::size_t i = 0;
  std::size_t replies = 0;
  std::size_t handoffs = 0;
  for (auto _ : state) {
    if (runtime->transcript().size() + 8 >= dialog::Runtime::kMaxTranscript) {
      runtime = std::make_unique<dialog::Runtime>(bot, clock, ids, info);  // fresh conversation
    }
    in.text = script[i++ % script.size()];
    in.id = ids();
    clock.advance(std::chrono::milliseconds(100));
    auto turn = runtime->on_activity(in);
    replies += turn.replies.size();
    benchmark::DoNotOptimize(turn);
    const auto flow = runtime->state();
    if (flow == dialog::FlowState::kHandoffPending || flow == dialog::FlowState::kWithAgent) {
      // An escalation paused the flow; the customer cancels so the next turn is served by the bot.
      auto resumed = runtime->resume(dialog::HandoffOutcome::kCancelled);
      replies += resumed.replies.size();
      ++handoffs;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["turns/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  const auto turns = static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.counters["replies/turn"] = static_cast<double>(replies) / turns;
  state.counters["handoffs/turn"] = static_cast<double>(handoffs) / turns;
}

void BM_ContosoTurns(benchmark::State& state) {
  static const auto bot = load_example("contoso");
  // A realistic loop: a topic with questions, answers, a no-match, small talk.
  static const std::vector<std::string> script = {"what are your store hours",
                                                  "bellevue square",
                                                  "where is my order",
                                                  "CN123456",
                                                  "me@example.com",
                                                  "blorp",
                                                  "hello",
                                                  "when do you close",
                                                  "Redmond"};
  run_turns(state, bot, script);
}
BENCHMARK(BM_ContosoTurns);

void BM_Clinc150Turns(benchmark::State& state) {
  static std::vector<std::string> queries;
  static const auto bot = clinc_bot(&queries);
  run_turns(state, bot, queries);
}
BENCHMARK(BM_Clinc150Turns);

}  // namespace

BENCHMARK_MAIN();
