// Analytics at scale: writes the hourly cells of N ended sessions (default 1,000,000) spread over a
// number of days, as the engine and the hub write them (src/analytics/cells.hpp), then times the
// summary (analytics::summarize: the figures of GET /api/analytics/summary) and a daily series
// over the whole range, with and without filters, several times each. Prints the figures; results
// go to docs/BENCHMARKS.md with machine and date.
//
//   analytics_bench [--sessions N] [--days D] [--store postgresql://...] [--data DIR] [--runs R]
//
// Without --store it uses a fresh SQLite store in DIR (default: a new temporary directory).
#include <fmt/format.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "analytics/cells.hpp"
#include "analytics/summary.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace {

using namespace baton;  // NOLINT: a benchmark's main
using Steady = std::chrono::steady_clock;

double ms_since(Steady::time_point start) {
  return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
}

// A made-up but shaped population: 50 topics (a few popular), 3 queues, 20 agents; 15 %
// unengaged, 40 % resolved, 25 % abandoned, 20 % escalated; a survey in a third of the sessions.
store::AnalyticsSession make_session(std::mt19937_64& rng, TimePoint ended, std::uint32_t n) {
  static const char* kOutcomes[] = {"unengaged", "resolved", "abandoned", "escalated"};
  static const char* kReasons[] = {"requested", "no_match", "explicit", "invalid_answer"};
  static const char* kQueues[] = {"general", "billing", "returns"};
  std::uniform_real_distribution<double> u(0, 1);
  const double o = u(rng);
  const int outcome = o < 0.15 ? 0 : o < 0.55 ? 1 : o < 0.80 ? 2 : 3;
  store::AnalyticsSession s;
  s.conversation_id = fmt::format("c{}", n);
  s.number = 1;
  s.started = ended - std::chrono::minutes(4);
  s.ended = ended;
  s.outcome = kOutcomes[outcome];
  if (outcome != 0) {
    // Zipf-like: topic k with weight 1/(k+1).
    const double t = std::pow(u(rng), 2.5) * 50;
    s.topic = fmt::format("Topic {:02}", static_cast<int>(t));
  }
  if (outcome == 3) {
    s.reason = kReasons[rng() % 4];
    s.queue = kQueues[rng() % 3];
    if (u(rng) < 0.8) {
      s.agent = fmt::format("agent{:02}", rng() % 20);
      s.wait_ms = static_cast<std::int64_t>(u(rng) * 120'000);
    }
  }
  if (outcome != 0 && u(rng) < 0.33) {
    s.surveyed = true;
    if (u(rng) < 0.7) {
      s.rating = static_cast<std::int32_t>(1 + rng() % 5);
      s.resolved = u(rng) < 0.8;
    }
  }
  return s;
}

std::vector<analytics::Sample> hub_samples(std::mt19937_64& rng, const store::AnalyticsSession& s) {
  std::vector<analytics::Sample> out;
  if (s.reason.empty()) {
    return out;
  }
  out.push_back({s.started, "handoff.queued", s.queue, "", 1, 0});
  if (!s.agent.empty()) {
    out.push_back({s.started, "offer.made", s.queue, s.agent, 1, 0});
    out.push_back(
        {s.started, "offer.accepted", s.queue, s.agent, 1, static_cast<double>(rng() % 20'000)});
    out.push_back(
        {s.started, "handoff.accepted", s.queue, s.agent, 1, static_cast<double>(*s.wait_ms)});
    out.push_back({s.ended, "handle", s.queue, s.agent, 1, static_cast<double>(rng() % 600'000)});
  } else {
    out.push_back({s.ended, "handoff.abandoned", s.queue, "", 1, 60'000});
  }
  return out;
}

struct Timing {
  double median = 0;
  double max = 0;
};

template <class F>
Timing time_runs(int runs, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = Steady::now();
    f();
    ms.push_back(ms_since(start));
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.back()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("analytics_bench: the analytics summary over many sessions");
  std::int64_t sessions = 1'000'000;
  int days = 30;
  int runs = 7;
  std::string pg;
  std::string data;
  app.add_option("--sessions", sessions)->capture_default_str();
  app.add_option("--days", days)->capture_default_str();
  app.add_option("--runs", runs)->capture_default_str();
  app.add_option("--store", pg, "a PostgreSQL connection string (default: SQLite)");
  app.add_option("--data", data, "the SQLite store's directory (default: a new temporary one)");
  CLI11_PARSE(app, argc, argv);

  Result<std::unique_ptr<store::Store>> opened = make_error(ErrorCode::kInternal, "");
  if (!pg.empty()) {
    store::PgOptions options;
    options.conninfo = pg;
    opened = store::open_pg_store(options);
  } else {
    if (data.empty()) {
      std::string tmpl =
          (std::filesystem::temp_directory_path() / "baton-analytics-XXXXXX").string();
      data = ::mkdtemp(tmpl.data());
    }
    store::SqliteOptions options;
    options.path = std::filesystem::path(data) / "baton.db";
    opened = store::open_sqlite_store(options);
  }
  if (!opened.ok()) {
    fmt::print(stderr, "cannot open the store: {}\n", opened.error().message);
    return 1;
  }
  store::Store& store = **opened;

  const std::int64_t first_hour =
      analytics::hour_of(std::chrono::system_clock::now()) - std::int64_t{days} * 24;
  const std::int64_t span_ms = std::int64_t{days} * 24 * 3'600'000;
  std::mt19937_64 rng(42);
  const auto fill = Steady::now();
  constexpr std::int64_t kPerBatch = 2'000;
  for (std::int64_t done = 0; done < sessions;) {
    store::WriteBatch batch;
    std::vector<store::AnalyticsCell> cells;
    std::vector<analytics::Sample> samples;
    for (std::int64_t i = 0; i < kPerBatch && done < sessions; ++i, ++done) {
      const TimePoint ended = analytics::start_of_hour(first_hour) +
                              Millis(done * span_ms / std::max<std::int64_t>(sessions, 1));
      const auto s = make_session(rng, ended, static_cast<std::uint32_t>(done));
      auto more = analytics::session_cells(s);
      cells.insert(cells.end(), more.begin(), more.end());
      auto hub = hub_samples(rng, s);
      samples.insert(samples.end(), hub.begin(), hub.end());
    }
    auto hub_cells = analytics::sample_cells(samples);
    cells.insert(cells.end(), hub_cells.begin(), hub_cells.end());
    batch.add_analytics(std::move(cells));
    if (Status written = store.write(std::move(batch)); !written.ok()) {
      fmt::print(stderr, "write failed: {}\n", written.error().message);
      return 1;
    }
  }
  const double fill_ms = ms_since(fill);
  const analytics::Query all{first_hour, first_hour + std::int64_t{days} * 24 + 1, "", "", ""};
  fmt::print("{} sessions over {} days written in {:.1f} s\n", sessions, days, fill_ms / 1000);

  bool failed = false;
  auto report = [&](const char* what, const analytics::Query& q) {
    auto t = time_runs(runs, [&] {
      if (auto s = analytics::summarize(store, q); !s.ok()) {
        fmt::print(stderr, "summary failed: {}\n", s.error().message);
        failed = true;
      }
    });
    fmt::print("summary {:<28} median {:7.1f} ms  max {:7.1f} ms\n", what, t.median, t.max);
  };
  report("(whole range)", all);
  report("(last 7 days)", {all.to_hour - std::int64_t{7} * 24, all.to_hour, "", "", ""});
  report("(topic filter)", {all.from_hour, all.to_hour, "Topic 03", "", ""});
  report("(queue filter)", {all.from_hour, all.to_hour, "", "billing", ""});
  report("(agent filter)", {all.from_hour, all.to_hour, "", "", "agent07"});
  report("(queue and agent filter)", {all.from_hour, all.to_hour, "", "billing", "agent07"});
  auto series = time_runs(runs, [&] { (void)analytics::series(store, all, "sessions", 24); });
  fmt::print("series  {:<28} median {:7.1f} ms  max {:7.1f} ms\n", "(daily sessions)",
             series.median, series.max);
  return failed ? 1 : 0;
}
