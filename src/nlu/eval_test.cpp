#include "nlu/eval.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace baton::nlu {
namespace {

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nlu_eval_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path) << content;
    return path.string();
  }

  std::filesystem::path dir_;
};

constexpr const char* kTiny = R"({
  "train": [["where is my order", "track"], ["track my package", "track"],
            ["has my parcel shipped", "track"], ["i want a refund", "refund"],
            ["give me my money back", "refund"], ["refund my purchase", "refund"]],
  "val": [["where is my package", "track"], ["i want my money back", "refund"]],
  "test": [["track my order", "track"], ["refund please", "refund"]],
  "oos_val": [["what is the capital of peru", "oos"]],
  "oos_test": [["how tall is the eiffel tower", "oos"], ["play some jazz music", "oos"]],
  "mine": [["where is my order", "track"], ["refund", "refund"]]
})";

TEST_F(EvalTest, ReportsEveryMetric) {
  EvalOptions o;
  o.data_path = write("tiny.json", kTiny);
  auto r = run_nlu_eval(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (const char* key :
       {"in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "threshold",
        "train_seconds", "predict_us_p50", "predict_us_p99", "counts", "worst_confusions"}) {
    EXPECT_TRUE(r->contains(key)) << key;
  }
  EXPECT_EQ(r->at("counts").at("train").to_number<std::int64_t>(), 6);
  EXPECT_EQ(r->at("counts").at("oos_test").to_number<std::int64_t>(), 2);
  // The picked threshold rejects the validation out-of-scope query and keeps both val queries.
  EXPECT_GT(r->at("threshold").as_double(), 0.0);
  EXPECT_LE(r->at("threshold").as_double(), 1.0);
  // At threshold 0 nothing is rejected: every test query gets its intent.
  o.threshold = 0.0;
  auto closed = run_nlu_eval(o);
  ASSERT_TRUE(closed.ok());
  EXPECT_DOUBLE_EQ(closed->at("in_scope_accuracy").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(closed->at("oos_recall").as_double(), 0.0);
}

TEST_F(EvalTest, FewShotAndKeysAreSelectable) {
  EvalOptions o;
  o.data_path = write("tiny.json", kTiny);
  o.few_shot = 1;
  o.test_key = "mine";
  auto r = run_nlu_eval(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("counts").at("train").to_number<std::int64_t>(), 2);
  EXPECT_EQ(r->at("counts").at("test").to_number<std::int64_t>(), 2);
  o.oos_train_key = "oos_val";
  o.few_shot = 0;
  auto with_oos = run_nlu_eval(o);
  ASSERT_TRUE(with_oos.ok());
  EXPECT_EQ(with_oos->at("counts").at("train").to_number<std::int64_t>(), 7);
}

TEST_F(EvalTest, ErrorsAreValues) {
  EvalOptions o;
  o.data_path = (dir_ / "missing.json").string();
  auto missing = run_nlu_eval(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  o.data_path = write("bad.json", "{not json");
  EXPECT_FALSE(run_nlu_eval(o).ok());

  o.data_path = write("nokey.json", R"({"train": []})");
  auto nokey = run_nlu_eval(o);
  ASSERT_FALSE(nokey.ok());
  EXPECT_NE(nokey.error().message.find("\"val\""), std::string::npos);

  o.data_path =
      write("badentry.json",
            R"({"train": [["a"]], "val": [], "test": [], "oos_val": [], "oos_test": []})");
  auto bad = run_nlu_eval(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

  o.data_path =
      write("empty.json", R"({"train": [], "val": [], "test": [], "oos_val": [], "oos_test": []})");
  EXPECT_FALSE(run_nlu_eval(o).ok());
}

TEST_F(EvalTest, CommandPrintsJsonOrError) {
  EvalOptions o;
  o.data_path = write("tiny.json", kTiny);
  std::ostringstream out, err;
  EXPECT_EQ(nlu_eval_command(o, out, err), 0);
  EXPECT_TRUE(err.str().empty());
  EXPECT_TRUE(boost::json::parse(out.str()).is_object());
  o.data_path = (dir_ / "missing.json").string();
  std::ostringstream out2, err2;
  EXPECT_EQ(nlu_eval_command(o, out2, err2), 1);
  EXPECT_TRUE(out2.str().empty());
  EXPECT_NE(err2.str().find("nlu-eval"), std::string::npos);
}

}  // namespace
}  // namespace baton::nlu
