#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace baton::metrics {
namespace {

TEST(Metrics, CounterAddsFromManyThreads) {
  Counter counter;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.add();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  counter.add(5);
  EXPECT_EQ(counter.value(), 40005u);
}

TEST(Metrics, HistogramPutsValuesEqualToABoundInThatBucket) {
  const std::array<double, 3> bounds{0.1, 1, 10};
  Histogram h(bounds);
  h.observe(0.05);
  h.observe(0.1);  // le="0.1"
  h.observe(0.5);
  h.observe(10);                                        // le="10"
  h.observe(11);                                        // only +Inf
  h.observe(-1);                                        // below every bound: the first bucket
  h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored
  const HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.buckets, (std::vector<std::uint64_t>{3, 1, 1, 1}));
  EXPECT_EQ(s.count(), 6u);
  EXPECT_DOUBLE_EQ(s.sum, 0.05 + 0.1 + 0.5 + 10 + 11 - 1);
}

TEST(Metrics, HistogramRefusesBadBounds) {
  EXPECT_THROW(Histogram(std::span<const double>{}), std::invalid_argument);
  const std::array<double, 2> descending{1, 0.5};
  EXPECT_THROW(Histogram{descending}, std::invalid_argument);
  const std::array<double, 2> repeated{1, 1};
  EXPECT_THROW(Histogram{repeated}, std::invalid_argument);
  const std::array<double, 1> infinite{std::numeric_limits<double>::infinity()};
  EXPECT_THROW(Histogram{infinite}, std::invalid_argument);
}

TEST(Metrics, HistogramCountsEveryObservationFromManyThreads) {
  Histogram h(kLatencyBuckets);
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 5000; ++i) {
        h.observe(0.001 * (t + 1));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.count(), 20000u);
  EXPECT_NEAR(s.sum, 5000 * (0.001 + 0.002 + 0.003 + 0.004), 1e-6);
}

TEST(Metrics, WritesHelpTypeAndEscapedLabels) {
  Exposition out;
  out.family("baton_things_total", Type::kCounter, "Things.\nWith a \\ backslash.");
  out.sample({}, 3);
  out.family("baton_queue_waiting", Type::kGauge, "Waiting.");
  out.sample({{"queue", "a \"b\" \\c\nd"}}, 2);
  out.sample({{"queue", "bad \xff byte"}, {"kind", "x"}}, 0.25);
  EXPECT_EQ(out.take(),
            "# HELP baton_things_total Things.\\nWith a \\\\ backslash.\n"
            "# TYPE baton_things_total counter\n"
            "baton_things_total 3\n"
            "# HELP baton_queue_waiting Waiting.\n"
            "# TYPE baton_queue_waiting gauge\n"
            "baton_queue_waiting{queue=\"a \\\"b\\\" \\\\c\\nd\"} 2\n"
            "baton_queue_waiting{queue=\"bad \xef\xbf\xbd byte\",kind=\"x\"} 0.25\n");
  EXPECT_TRUE(out.text().empty());
}

TEST(Metrics, WritesHistogramBucketsCumulativeWithInfSumAndCount) {
  const std::array<double, 3> bounds{0.005, 0.5, 2.5};
  Histogram h(bounds);
  for (double v : {0.001, 0.002, 0.3, 1.0, 7.0}) {
    h.observe(v);
  }
  Exposition out;
  out.family("baton_turn_duration_seconds", Type::kHistogram, "Turns.");
  out.histogram({{"store", "sqlite"}}, h.snapshot());
  EXPECT_EQ(out.take(),
            "# HELP baton_turn_duration_seconds Turns.\n"
            "# TYPE baton_turn_duration_seconds histogram\n"
            "baton_turn_duration_seconds_bucket{store=\"sqlite\",le=\"0.005\"} 2\n"
            "baton_turn_duration_seconds_bucket{store=\"sqlite\",le=\"0.5\"} 3\n"
            "baton_turn_duration_seconds_bucket{store=\"sqlite\",le=\"2.5\"} 4\n"
            "baton_turn_duration_seconds_bucket{store=\"sqlite\",le=\"+Inf\"} 5\n"
            "baton_turn_duration_seconds_sum{store=\"sqlite\"} 8.303\n"
            "baton_turn_duration_seconds_count{store=\"sqlite\"} 5\n");
}

TEST(Metrics, AnEmptySnapshotIsAHistogramOfZeros) {
  Exposition out;
  out.family("baton_x_seconds", Type::kHistogram, "X.");
  HistogramSnapshot empty;
  empty.upper_bounds = {1};
  out.histogram({}, empty);
  EXPECT_EQ(out.take(),
            "# HELP baton_x_seconds X.\n# TYPE baton_x_seconds histogram\n"
            "baton_x_seconds_bucket{le=\"1\"} 0\nbaton_x_seconds_bucket{le=\"+Inf\"} 0\n"
            "baton_x_seconds_sum 0\nbaton_x_seconds_count 0\n");
}

TEST(Metrics, FormatsSpecialValues) {
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(0.0005), "0.0005");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(Metrics, RefusesMisnamedOrRepeatedFamiliesAndMisplacedSamples) {
  Exposition out;
  EXPECT_THROW(out.sample({}, 1), std::logic_error);  // no family yet
  EXPECT_THROW(out.family("baton_things", Type::kCounter, "no _total"), std::logic_error);
  EXPECT_THROW(out.family("9lives", Type::kGauge, "bad name"), std::logic_error);
  EXPECT_THROW(out.family("baton-dash", Type::kGauge, "bad name"), std::logic_error);
  out.family("baton_g", Type::kGauge, "G.");
  EXPECT_THROW(out.histogram({}, HistogramSnapshot{}), std::logic_error);
  EXPECT_THROW(out.sample({{"bad-label", "v"}}, 1), std::logic_error);
  EXPECT_THROW(out.family("baton_g", Type::kGauge, "again"), std::logic_error);
  out.family("baton_h_seconds", Type::kHistogram, "H.");
  EXPECT_THROW(out.sample({}, 1), std::logic_error);
}

}  // namespace
}  // namespace baton::metrics
