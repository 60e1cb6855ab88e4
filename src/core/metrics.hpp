#pragma once
// Metrics for operators: counters and histograms their owners update from any thread without a
// lock, and a writer of Prometheus's text exposition format 0.0.4 for `GET /metrics`.
//
// There is no global registry. Each module keeps its instruments beside the state they describe
// and reports their values in its own stats (store::StoreStats, engine::EngineStats, ...); the
// program serving /metrics (src/cli/metrics.hpp) reads those at scrape time and names every metric
// in one place. This file only counts and writes the format.

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace baton::metrics {

// A count that only goes up. add() is one relaxed atomic add: safe from any thread, no lock.
class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A histogram's values read at one moment.
struct HistogramSnapshot {
  std::vector<double> upper_bounds;  // ascending and finite; the +Inf bucket is implied
  // Observations per bucket, NOT cumulative: buckets[i] counts values in (bound[i-1], bound[i]];
  // the last entry (index upper_bounds.size()) counts those above every bound.
  std::vector<std::uint64_t> buckets;
  double sum = 0;  // of every observed value

  // Observations in all (the sum of `buckets`).
  std::uint64_t count() const;
};

// Observations counted in fixed buckets (Prometheus's `le`: a value equal to a bound falls in
// that bound's bucket). observe() is lock-free: relaxed atomic adds to one bucket and to the sum,
// from any thread. A snapshot taken while observations run may miss those in flight (the count
// is the buckets' sum, so _count and the +Inf bucket always agree; the sum may lag by one value).
class Histogram {
 public:
  // `upper_bounds`: not empty, finite, strictly ascending. Anything else is a programming error:
  // std::invalid_argument (instruments are built at start-up from the constants below).
  explicit Histogram(std::span<const double> upper_bounds);

  // Counts `value` (NaN is ignored: it belongs in no bucket).
  void observe(double value);
  HistogramSnapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Seconds, from half a millisecond to ten seconds: turn and commit latencies.
inline constexpr std::array<double, 14> kLatencyBuckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// Powers of two up to 1024: sizes such as batches per group commit.
inline constexpr std::array<double, 11> kSizeBuckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

// The Content-Type of the text exposition format.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class Type { kCounter, kGauge, kHistogram };

// One label of a sample. Names are the program's constants; values are escaped when written
// (backslash, double quote, line feed; invalid UTF-8 replaced), so they may be operators' text
// such as queue names. Never put per-conversation or per-user values in labels: every distinct
// value is a time series kept for ever by the scraper.
struct Label {
  std::string_view name;
  std::string_view value;
};

// Writes the text exposition format 0.0.4: per family a `# HELP` and a `# TYPE` line, then its
// samples. Not thread-safe (one writer per scrape).
//
//   Exposition out;
//   out.family("baton_turns_total", Type::kCounter, "Customer activities acknowledged.");
//   out.sample({}, 42);
//   out.family("baton_agents", Type::kGauge, "Agents by presence.");
//   out.sample({{"presence", "available"}}, 3);
//   std::string body = out.take();
class Exposition {
 public:
  // Starts a family. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* and not have been started before;
  // a counter's must end in "_total". Violations are programming errors: std::logic_error.
  // `help` is escaped (backslash, line feed).
  void family(std::string_view name, Type type, std::string_view help);

  // One sample of the current counter or gauge family, named after it. std::logic_error when the
  // current family is a histogram or there is none.
  void sample(std::initializer_list<Label> labels, double value);

  // One histogram of the current histogram family: NAME_bucket{...,le="B"} with cumulative counts
  // for every bound and "+Inf", then NAME_sum and NAME_count. std::logic_error when the current
  // family is not a histogram.
  void histogram(std::initializer_list<Label> labels, const HistogramSnapshot& h);

  // The text written so far; take() hands it over and leaves the writer empty.
  const std::string& text() const { return out_; }
  std::string take();

 private:
  void series(std::string_view suffix, std::initializer_list<Label> labels, const Label* extra,
              std::string_view value);

  std::string out_;
  std::vector<std::string> families_;
  std::string current_;
  Type type_ = Type::kGauge;
};

// A sample value as the format writes it: integers without a fraction, "+Inf", "-Inf", "NaN".
std::string format_value(double value);

}  // namespace baton::metrics
