// Micro-benchmarks for the intent classifier and the entity extractors:
//   nlu_benchmark [--benchmark_filter=...]
// Data: CLINC150 full (datasets/clinc150/data_full.json in the repository).
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "nlu/classifier.hpp"
#include "nlu/entities.hpp"
#include "nlu/thesaurus.hpp"

namespace baton::nlu {
namespace {

struct Clinc {
  std::vector<Example> train;
  std::vector<std::string> queries;  // test + oos_test texts
};

const Clinc& clinc() {
  static const Clinc data = [] {
    Clinc c;
    {
      std::ifstream in(std::filesystem::path(BATON_SOURCE_DIR) / "datasets" / "clinc150" /
                       "data_full.json");
      if (!in) {
        std::abort();  // the data set is part of the repository
      }
      std::stringstream ss;
      ss << in.rdbuf();
      const auto root = boost::json::parse(ss.str()).as_object();
      for (const auto& p : root.at("train").as_array()) {
        c.train.push_back(
            {std::string(p.as_array()[0].as_string()), std::string(p.as_array()[1].as_string())});
      }
      for (const char* key : {"test", "oos_test"}) {
        for (const auto& p : root.at(key).as_array()) {
          c.queries.emplace_back(p.as_array()[0].as_string());
        }
      }
    }
    return c;
  }();
  return data;
}

// A bot of `topics` intents with `phrases` trigger phrases each, taken from CLINC150.
std::vector<Example> bot(std::size_t topics, std::size_t phrases) {
  std::map<std::string, std::size_t> seen;
  std::vector<Example> out;
  for (const auto& ex : clinc().train) {
    auto& n = seen[ex.label];
    if (n < phrases && (seen.size() <= topics)) {
      out.push_back(ex);
      ++n;
    }
  }
  return out;
}

void BM_TrainClinc150(benchmark::State& state) {
  if (clinc().train.empty()) {
    state.SkipWithError("CLINC150 data not found");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(train_classifier(clinc().train, TrainOptions{}));
  }
  state.counters["examples"] = static_cast<double>(clinc().train.size());
}
BENCHMARK(BM_TrainClinc150)->Unit(benchmark::kMillisecond)->Iterations(3);

// Arguments: topics, phrases per topic, thesaurus on (1) or off (0). The thesaurus is loaded once
// per process before timing (BM_LoadLexicon measures that).
void BM_TrainBot(benchmark::State& state) {
  const auto examples =
      bot(static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)));
  if (examples.empty()) {
    state.SkipWithError("CLINC150 data not found");
    return;
  }
  TrainOptions options;
  options.lexicon = state.range(2) != 0;
  (void)lexicon_for(options.language);
  for (auto _ : state) {
    benchmark::DoNotOptimize(train_classifier(examples, options));
  }
  state.counters["examples"] = static_cast<double>(examples.size());
}
BENCHMARK(BM_TrainBot)
    ->Args({50, 10, 1})
    ->Args({50, 10, 0})
    ->Args({50, 20, 1})
    ->Args({5, 5, 1})
    ->Unit(benchmark::kMillisecond);

// Reading and indexing the English thesaurus (what the first bot in English pays, once per
// process), with the index's size.
void BM_LoadLexicon(benchmark::State& state) {
  std::size_t entries = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto t = Thesaurus::load(lexicon_path("en"), "en");
    if (!t.ok()) {
      state.SkipWithError(t.error().message.c_str());
      return;
    }
    entries = (*t)->entries();
    bytes = (*t)->memory_bytes();
  }
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["memory_MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_LoadLexicon)->Unit(benchmark::kMillisecond)->Iterations(3);

void classify_loop(benchmark::State& state, const IntentClassifier& clf) {
  const auto& queries = clinc().queries;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(clf.classify(queries[i]));
    i = (i + 1) % queries.size();
  }
}

void BM_ClassifyClinc150(benchmark::State& state) {
  if (clinc().train.empty()) {
    state.SkipWithError("CLINC150 data not found");
    return;
  }
  // Argument: thesaurus on (1) or off (0).
  static const auto with = train_classifier(clinc().train, TrainOptions{});
  static const auto without = [] {
    TrainOptions options;
    options.lexicon = false;
    return train_classifier(clinc().train, options);
  }();
  classify_loop(state, state.range(0) != 0 ? *with : *without);
}
BENCHMARK(BM_ClassifyClinc150)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

void BM_ClassifyBot50x10(benchmark::State& state) {
  if (clinc().train.empty()) {
    state.SkipWithError("CLINC150 data not found");
    return;
  }
  static const auto clf = train_classifier(bot(50, 10), TrainOptions{});
  classify_loop(state, *clf);
}
BENCHMARK(BM_ClassifyBot50x10)->Unit(benchmark::kMicrosecond);

void BM_ExtractEntities(benchmark::State& state) {
  const std::vector<std::pair<EntityType, std::string>> inputs{
      {EntityType::kNumber, "about two hundred and fifty"},
      {EntityType::kMoney, "I paid $1,250.50 yesterday"},
      {EntityType::kDate, "next friday please"},
      {EntityType::kDateTime, "tomorrow at 3:30pm"},
      {EntityType::kPhone, "call me on +1 (415) 555-0123"},
      {EntityType::kEmail, "jane.doe@example.com"},
      {EntityType::kYesNo, "yes, no problem"},
  };
  EntityContext ctx;
  ctx.now = std::chrono::system_clock::now();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(extract_entity(inputs[i].first, inputs[i].second, ctx));
    i = (i + 1) % inputs.size();
  }
}
BENCHMARK(BM_ExtractEntities)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace baton::nlu

BENCHMARK_MAIN();
