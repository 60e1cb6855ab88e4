// Quality regression on CLINC150 (full split, oos-threshold protocol): the product brief's figures
// (in-scope accuracy >= 92 %, out-of-scope recall >= 50 %) must hold. Runs the same code as
// `baton nlu-eval`. The few-shot floor holds the 10-phrases-per-intent operating point.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>

#include "nlu/eval.hpp"

namespace baton::nlu {
namespace {

// The data set is part of the repository (datasets/clinc150, CC BY 3.0).
std::string clinc_path() {
  return (std::filesystem::path(BATON_SOURCE_DIR) / "datasets" / "clinc150" / "data_full.json")
      .string();
}

TEST(Clinc150Test, MeetsRequiredAccuracyAndOosRecall) {
  EvalOptions options;
  options.data_path = clinc_path();
  auto result = run_nlu_eval(options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& r = *result;
  const double in_scope = r.at("in_scope_accuracy").as_double();
  const double oos_recall = r.at("oos_recall").as_double();
  RecordProperty("in_scope_accuracy", std::to_string(in_scope));
  RecordProperty("oos_recall", std::to_string(oos_recall));
  std::cout << boost::json::serialize(r) << "\n";
  EXPECT_GE(in_scope, 0.93);  // 93.5 % with the word vectors, 92.6 % without (docs/NLU.md)
  EXPECT_GE(oos_recall, 0.50);
  EXPECT_EQ(r.at("word_vectors").at("words").to_number<std::int64_t>(), 200000);
  EXPECT_EQ(r.at("counts").at("train").to_number<std::int64_t>(), 15000);
  EXPECT_EQ(r.at("counts").at("intents").to_number<std::int64_t>(), 150);
  EXPECT_EQ(r.at("counts").at("oos_test").to_number<std::int64_t>(), 1000);
  // CPU time, not wall time: the CI machine is shared.
  EXPECT_LE(r.at("train_cpu_seconds").as_double(), 10.0);
}

// The few-shot operating point (10 phrases per intent, what bot authors write), as a mean over
// three samples of the phrases (seeds 1-3). The floors sit under today's figures (docs/NLU.md:
// 85.39 % in-scope, 86.13 % closed-set, 48.2 % OOS recall; 85.24 / 85.93 % with stop words at
// 0.7) and above the model without the word vectors (83.21 % / 83.58 %) for the accuracies. OOS
// recall at the val-picked threshold swings by 15 points between samples, so its floor is loose.
TEST(Clinc150Test, HoldsTheFewShotFloor) {
  double in_scope = 0.0;
  double closed_set = 0.0;
  double oos_recall = 0.0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EvalOptions options;
    options.data_path = clinc_path();
    options.few_shot = 10;
    options.seed = seed;
    auto result = run_nlu_eval(options);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->at("counts").at("train").to_number<std::int64_t>(), 1500);
    ASSERT_TRUE(result->at("lexicon").as_object().contains("entries"))
        << boost::json::serialize(result->at("lexicon"));
    in_scope += result->at("in_scope_accuracy").as_double() / 3;
    closed_set += result->at("closed_set_accuracy").as_double() / 3;
    oos_recall += result->at("oos_recall").as_double() / 3;
  }
  RecordProperty("few_shot_10_in_scope_accuracy", std::to_string(in_scope));
  RecordProperty("few_shot_10_closed_set_accuracy", std::to_string(closed_set));
  RecordProperty("few_shot_10_oos_recall", std::to_string(oos_recall));
  std::cout << "few-shot 10 (mean of seeds 1-3): in-scope " << in_scope << ", closed-set "
            << closed_set << ", OOS recall " << oos_recall << "\n";
  EXPECT_GE(in_scope, 0.848);
  EXPECT_GE(closed_set, 0.855);
  EXPECT_GE(oos_recall, 0.35);
}

TEST(Clinc150Test, DefaultThresholdHoldsForASmallBot) {
  EvalOptions options;
  options.data_path = clinc_path();
  options.intents = 5;
  options.few_shot = 5;
  auto result = run_nlu_eval(options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  options.threshold = result->at("default_threshold").as_double();
  auto at_default = run_nlu_eval(options);
  ASSERT_TRUE(at_default.ok());
  // A 5-topic bot with 5 phrases per topic, at the default threshold, still accepts most
  // paraphrases and rejects most of everything else (other intents and CLINC's oos queries).
  EXPECT_GE(at_default->at("in_scope_accuracy").as_double(), 0.85);
  EXPECT_GE(at_default->at("oos_recall").as_double(), 0.80);
}

}  // namespace
}  // namespace baton::nlu
