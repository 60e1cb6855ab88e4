#include "nlu/authoring.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace baton::nlu {
namespace {

std::vector<Example> bot() {
  return {
      {"where is my order", "status"},    {"track my order", "status"},
      {"has my order shipped", "status"}, {"where is my package", "status"},
      {"cancel my order", "cancel"},      {"please cancel my order", "cancel"},
      {"stop my order", "cancel"},        {"what are your opening hours", "hours"},
      {"when do you open", "hours"},      {"What are your opening hours?", "hours"},
      {"zebra giraffe", "zoo"},
  };
}

TEST(AuthoringTest, SimilarPhrasesFindsDuplicatesAndOverlapsBestFirst) {
  const auto examples = bot();
  const auto pairs = similar_phrases(examples, "en", 0.5);
  ASSERT_FALSE(pairs.empty());
  // Case and punctuation do not matter: the same words are similarity 1.
  EXPECT_EQ(pairs.front().a, 7U);
  EXPECT_EQ(pairs.front().b, 9U);
  EXPECT_NEAR(pairs.front().similarity, 1.0, 1e-6);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_LT(pairs[i].a, pairs[i].b);
    EXPECT_GE(pairs[i].similarity, 0.5);
    EXPECT_LE(pairs[i].similarity, 1.0);
    if (i > 0) {
      EXPECT_LE(pairs[i].similarity, pairs[i - 1].similarity);
    }
    EXPECT_NE(pairs[i].b, 10U);  // "zebra giraffe" shares nothing with anyone
  }
  // "cancel my order" and "please cancel my order" overlap across the same label, and
  // "where is my order" / "cancel my order" across labels, less.
  bool cancel_pair = false;
  for (const auto& p : pairs) {
    cancel_pair = cancel_pair || (p.a == 4 && p.b == 5);
  }
  EXPECT_TRUE(cancel_pair);
  EXPECT_TRUE(similar_phrases(examples, "en", 1.01).empty());
  EXPECT_TRUE(similar_phrases({}, "en", 0.0).empty());
}

TEST(AuthoringTest, CrossValidationHoldsEachPhraseOut) {
  const auto examples = bot();
  const auto cv = cross_validate(examples, TrainOptions{});
  EXPECT_EQ(cv.folds, 4U);  // the largest label has 4 phrases
  EXPECT_DOUBLE_EQ(cv.threshold, 0.40);
  ASSERT_EQ(cv.predictions.size(), examples.size());
  // A duplicate is recognised from its twin...
  EXPECT_EQ(cv.predictions[9].predicted, "hours");
  EXPECT_TRUE(cv.predictions[9].in_scope);
  // ...but a label's only phrase cannot be: without it the model has never seen the label.
  EXPECT_NE(cv.predictions[10].predicted, "zoo");
  EXPECT_FALSE(cv.predictions[10].in_scope);
  // At most max_folds trainings.
  EXPECT_EQ(cross_validate(examples, TrainOptions{}, 2).folds, 2U);
}

TEST(AuthoringTest, ReportListsLabelsAndConfusions) {
  const auto examples = bot();
  CrossValidation cv;
  cv.folds = 4;
  cv.threshold = 0.4;
  cv.predictions.assign(examples.size(), {"status", 0.9, true});
  cv.predictions[4] = {"status", 0.7, true};   // cancel → status
  cv.predictions[10] = {"hours", 0.1, false};  // zoo → below threshold
  std::ostringstream out;
  write_cross_validation(examples, cv, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("held-out accuracy: 36.4 % (4 of 11 phrases"), std::string::npos) << text;
  EXPECT_NE(text.find("status        4   100.0 %                0                 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  cancel -> status: 3, \"cancel my order\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  zoo -> (none): 1, \"zebra giraffe\"\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace baton::nlu
