// Durable write throughput of the SQLite store (synchronous=FULL, real fsyncs on the temp dir's
// disk): group commit versus one transaction per batch, for 1, 8 and 64 concurrent submitters;
// and the analytics summary a dashboard asks for (BM_ReadAnalytics), summed in SQL over 30 days
// of hourly cells — 10 metrics × 20 topics, 144,000 cells, what about a million sessions leave;
// and a page of the search over ended handoffs (BM_SearchEndedHandoffs) on 100,000 of them.
//
// Each submitter owns a conversation and writes synchronously (submit, wait for the durable
// acknowledgement, repeat), as the engine's per-conversation turns do. Rates come from the store's
// own counters between a benchmark run's setup and teardown; the table printed at the end gives
// rows/s, commits/s and the ratio of group commit to the one-row-per-transaction baseline measured
// in the same run.
//
//   ./build/src/store/store_benchmark [--benchmark_min_time=2]
//   BATON_STORE_BENCH_SYNC=normal ./build/src/store/store_benchmark   (no fsync per commit)
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "store/sqlite_activity_ids.hpp"
#include "store/sqlite_store.hpp"

namespace baton::store {
namespace {

enum Mode : int { kBaseline = 0, kGroup = 1 };
// kTurn: two activities + the conversation row. kEngineTurn: what the engine writes per bot turn
// (engine/conversation.cpp): two activities with the engine's ids ("<conversation>|<seq:07>"), the
// dialog snapshot and the epoch-fenced conversation row.
enum Shape : int { kOneRow = 1, kTurn = 2, kEngineTurn = 3 };

struct Run {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  StoreStats before;
  std::chrono::steady_clock::time_point start;
};

struct Figures {
  double batches_per_s = 0;
  double rows_per_s = 0;
  double commits_per_s = 0;
};

std::unique_ptr<Run> g_run;  // the current run; set by setup(), cleared by teardown()
std::atomic<int> g_conversation{0};
Synchronous g_synchronous = Synchronous::kFull;          // BATON_STORE_BENCH_SYNC=normal to compare
std::map<std::tuple<int, int, int>, Figures> g_figures;  // (shape, mode, threads) -> last run

void setup(const benchmark::State& state) {
  std::string pattern = (std::filesystem::temp_directory_path() / "baton_bench_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::abort();  // benchmark environment broken
  }
  SqliteOptions options;
  options.path = std::filesystem::path(pattern) / kSqliteFileName;
  options.synchronous = g_synchronous;
  options.max_group_batches = state.range(0) == kBaseline ? 1 : 1024;
  auto store = open_sqlite_store(std::move(options));
  if (!store.ok()) {
    (void)std::fprintf(stderr, "open failed: %s\n", store.error().message.c_str());
    std::abort();
  }
  g_run = std::make_unique<Run>(Run{pattern, std::move(store).value(), {}, {}});
  g_run->before = g_run->store->stats();
  g_run->start = std::chrono::steady_clock::now();
}

void teardown(const benchmark::State& state) {
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_run->start);
  StoreStats after = g_run->store->stats();
  double batches = static_cast<double>(after.batches_committed - g_run->before.batches_committed);
  double commits = static_cast<double>(after.transactions - g_run->before.transactions);
  // Each thread's first batch creates its conversation; it is a batch and a row like the others.
  double rows_per_batch = state.range(1) == kOneRow ? 1.0 : 2.0;
  g_figures[{static_cast<int>(state.range(1)), static_cast<int>(state.range(0)), state.threads()}] =
      Figures{batches / elapsed.count(), batches * rows_per_batch / elapsed.count(),
              commits / elapsed.count()};
  (void)g_run->store->close();
  std::error_code ec;
  std::filesystem::remove_all(g_run->dir, ec);
  g_run.reset();
}

ActivityRecord activity(const std::string& conversation, std::uint64_t seq, bool engine_id) {
  return ActivityRecord{conversation,
                        seq,
                        engine_id ? sqlite::canonical_activity_id(conversation, seq)
                                  : fmt::format("{}|{}", conversation, seq),
                        "message",
                        "",
                        TimePoint(std::chrono::milliseconds(1'700'000'000'000)),
                        std::string(200, 'x')};  // ~200-byte body, a short chat message
}

void BM_DurableWrites(benchmark::State& state) {
  Store& store = *g_run->store;
  Conversation c;
  c.id = fmt::format("bench-{}", g_conversation.fetch_add(1));
  c.bot_id = "bot";
  c.user_id = "user";
  c.channel_id = "directline";
  if (!store.write(std::move(WriteBatch().insert_conversation(c))).ok()) {
    state.SkipWithError("insert conversation failed");
    return;
  }
  const bool engine = state.range(1) == kEngineTurn;
  const bool turn = state.range(1) == kTurn || engine;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    WriteBatch batch;
    batch.append_activity(activity(c.id, ++seq, engine));
    if (turn) {
      batch.append_activity(activity(c.id, ++seq, engine));
      if (engine) {
        // ~300 bytes, the size of a Contoso dialog snapshot in the middle of a topic.
        batch.put_snapshot(DialogSnapshot{c.id, seq, TimePoint{}, std::string(300, 's')});
      }
      c.next_seq = seq + 1;
      batch.update_conversation(c, engine ? std::optional<std::uint64_t>(c.epoch) : std::nullopt);
    }
    Status s = store.write(std::move(batch));
    if (!s.ok()) {
      state.SkipWithError(s.error().message.c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * (turn ? 2 : 1));
}

BENCHMARK(BM_DurableWrites)
    ->ArgNames({"group", "rows"})
    ->Args({kBaseline, kOneRow})
    ->Args({kGroup, kOneRow})
    ->Args({kGroup, kTurn})
    ->Args({kGroup, kEngineTurn})
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->Setup(setup)
    ->Teardown(teardown)
    ->UseRealTime()
    ->MinTime(1.0);

// 30 days of hourly cells from period 490,000 (late 2025): 10 metrics × 20 topics, 3 queues.
constexpr std::int64_t kFirstHour = 490'000;
constexpr std::int64_t kHours = std::int64_t{30} * 24;

void setup_analytics(const benchmark::State& /*state*/) {
  std::string pattern = (std::filesystem::temp_directory_path() / "baton_bench_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::abort();  // benchmark environment broken
  }
  SqliteOptions options;
  options.path = std::filesystem::path(pattern) / kSqliteFileName;
  options.synchronous = Synchronous::kNormal;  // filling is not what is measured
  auto store = open_sqlite_store(std::move(options));
  if (!store.ok()) {
    (void)std::fprintf(stderr, "open failed: %s\n", store.error().message.c_str());
    std::abort();
  }
  for (std::int64_t period = kFirstHour; period < kFirstHour + kHours; ++period) {
    std::vector<AnalyticsCell> cells;
    for (int metric = 0; metric < 10; ++metric) {
      for (int topic = 0; topic < 20; ++topic) {
        cells.push_back(AnalyticsCell{period, fmt::format("metric.{}", metric),
                                      fmt::format("Topic {}", topic), fmt::format("q{}", topic % 3),
                                      "", 7, 7 * 1234.5});
      }
    }
    if (!(*store)->write(std::move(WriteBatch().add_analytics(std::move(cells)))).ok()) {
      std::abort();
    }
  }
  g_run = std::make_unique<Run>(Run{pattern, std::move(store).value(), {}, {}});
}

void teardown_analytics(const benchmark::State& /*state*/) {
  (void)g_run->store->close();
  std::error_code ec;
  std::filesystem::remove_all(g_run->dir, ec);
  g_run.reset();
}

// Args: the grouping (AnalyticsGroup), and whether to filter on one topic.
void BM_ReadAnalytics(benchmark::State& state) {
  const auto group = static_cast<AnalyticsGroup>(state.range(0));
  AnalyticsFilter filter;
  if (state.range(1) != 0) {
    filter.topic = "Topic 3";
  }
  std::size_t rows = 0;
  for (auto _ : state) {
    auto read = g_run->store->read_analytics(kFirstHour, kFirstHour + kHours, filter, group);
    if (!read.ok()) {
      state.SkipWithError(read.error().message.c_str());
      return;
    }
    rows = read->size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

BENCHMARK(BM_ReadAnalytics)
    ->ArgNames({"group", "topic"})
    ->Args({static_cast<int>(AnalyticsGroup::kNone), 0})
    ->Args({static_cast<int>(AnalyticsGroup::kNone), 1})
    ->Args({static_cast<int>(AnalyticsGroup::kTopic), 0})
    ->Args({static_cast<int>(AnalyticsGroup::kPeriod), 0})
    ->Setup(setup_analytics)
    ->Teardown(teardown_analytics)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The search over ended handoffs (search_ended_handoffs) on 100,000 ended handoffs, one per
// conversation of 6 messages (600,000 activities), 5,000 customers, 4 queues, 20 agents.
constexpr int kSearchConversations = 100'000;

void setup_search(const benchmark::State& /*state*/) {
  std::string pattern = (std::filesystem::temp_directory_path() / "baton_bench_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::abort();  // benchmark environment broken
  }
  SqliteOptions options;
  options.path = std::filesystem::path(pattern) / kSqliteFileName;
  options.synchronous = Synchronous::kNormal;  // filling is not what is measured
  auto store = open_sqlite_store(std::move(options));
  if (!store.ok()) {
    (void)std::fprintf(stderr, "open failed: %s\n", store.error().message.c_str());
    std::abort();
  }
  const std::int64_t t0 = 1'760'000'000'000;
  for (int start = 0; start < kSearchConversations; start += 1000) {
    WriteBatch batch;
    for (int i = start; i < start + 1000; ++i) {
      const std::string id = fmt::format("conv{:06}", i);
      const std::int64_t t = t0 + std::int64_t{i} * 60'000;
      Conversation c;
      c.id = id;
      c.bot_id = "bot";
      c.user_id = fmt::format("user{}", i % 5000);
      c.channel_id = "directline";
      c.created = c.updated = TimePoint(std::chrono::milliseconds(t));
      c.next_seq = 7;
      c.closed = true;
      c.ownership = "closed";
      batch.insert_conversation(c);
      for (std::uint64_t seq = 1; seq <= 6; ++seq) {
        ActivityRecord a;
        a.conversation_id = id;
        a.seq = seq;
        a.activity_id = sqlite::canonical_activity_id(id, seq);
        a.type = "message";
        a.timestamp = c.created;
        a.json = fmt::format(
            R"({{"type":"message","id":"{}","timestamp":"2025-10-09T08:53:20.000Z","from":{{"id":"user","role":"user"}},"text":"message {} of a conversation about order number {} and its delivery"}})",
            a.activity_id, seq, i * 7 + static_cast<int>(seq));
        batch.append_activity(std::move(a));
      }
      HandoffRecord h;
      h.id = id + "|h3";
      h.conversation_id = id;
      h.reason = "requested";
      h.status = i % 10 == 0 ? "abandoned" : "completed";
      h.queue = fmt::format("q{}", i % 4);
      h.created = c.created;
      h.updated = c.created + std::chrono::minutes(5);
      h.request_json = "{}";
      h.outcome_json = fmt::format(R"({{"outcome":"completed","agent":"agent{}"}})", i % 20);
      batch.insert_handoff(std::move(h));
    }
    if (!(*store)->write(std::move(batch)).ok()) {
      std::abort();
    }
  }
  g_run = std::make_unique<Run>(Run{pattern, std::move(store).value(), {}, {}});
}

// Arg: 0 no condition (the newest 20), 1 one customer, 2 one agent, 3 a text found in one
// conversation (the newest 2,000 candidates tested), 4 a text found nowhere.
void BM_SearchEndedHandoffs(benchmark::State& state) {
  HandoffSearch search;
  switch (state.range(0)) {
    case 1:
      search.user_id = "user1234";
      break;
    case 2:
      search.agent = "agent7";
      break;
    case 3:
      search.text = "order number 699303 ";
      break;
    case 4:
      search.text = "no such words";
      break;
    default:
      break;
  }
  std::size_t hits = 0;
  for (auto _ : state) {
    auto page = g_run->store->search_ended_handoffs(search, std::nullopt, 20);
    if (!page.ok()) {
      state.SkipWithError(page.error().message.c_str());
      return;
    }
    hits = page->hits.size();
    benchmark::DoNotOptimize(hits);
  }
  state.counters["hits"] = static_cast<double>(hits);
}

BENCHMARK(BM_SearchEndedHandoffs)
    ->ArgName("kind")
    ->DenseRange(0, 4)
    ->Setup(setup_search)
    ->Teardown(teardown_analytics)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void print_summary() {
  std::printf("\nWrites, synchronous=%s (from store counters, last run of each):\n",
              g_synchronous == Synchronous::kFull ? "FULL" : "NORMAL");
  std::printf("%-28s %8s %12s %12s %12s %10s\n", "shape", "threads", "batches/s", "rows/s",
              "commits/s", "vs base");
  for (const auto& [key, f] : g_figures) {
    auto [shape, mode, threads] = key;
    auto base = g_figures.find({kOneRow, kBaseline, threads});
    double ratio = base != g_figures.end() && base->second.rows_per_s > 0
                       ? f.rows_per_s / base->second.rows_per_s
                       : 0.0;
    const char* name = mode == kBaseline  ? "1 row/txn (baseline)"
                       : shape == kOneRow ? "group commit, 1 row/batch"
                       : shape == kTurn   ? "group commit, turn (2 rows)"
                                          : "group commit, engine turn";
    std::printf("%-28s %8d %12.0f %12.0f %12.0f %9.1fx\n", name, threads, f.batches_per_s,
                f.rows_per_s, f.commits_per_s, ratio);
  }
}

}  // namespace
}  // namespace baton::store

int main(int argc, char** argv) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once in main, before any thread starts
  if (const char* sync = std::getenv("BATON_STORE_BENCH_SYNC")) {
    auto parsed = baton::store::parse_synchronous(sync);
    if (!parsed.ok()) {
      (void)std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
      return 1;
    }
    baton::store::g_synchronous = *parsed;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  baton::store::print_summary();
  return 0;
}
