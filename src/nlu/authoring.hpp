#pragma once
// Feedback for bot authors on their training phrases, before customers meet the bot: which
// phrases look alike (within a label: near-duplicates; across labels: confusable), and how each
// phrase is classified by a model trained without it. Behind `baton check`'s understanding
// warnings and `baton nlu-eval --bot`. Pure functions of their arguments; thread-safe.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "nlu/classifier.hpp"

namespace baton::nlu {

struct PhrasePair {
  std::size_t a = 0;  // indexes into the examples, a < b
  std::size_t b = 0;
  double similarity = 0.0;  // cosine in [0, 1] of the two phrases' feature vectors
};

// Every pair of examples whose similarity is at least `min_similarity`, most similar first (ties
// by index). Similarity is the cosine of the classifier's TF-IDF vectors (stems, bigrams,
// character n-grams, IDF over these examples), so 1 means "the same words". Quadratic in the
// number of examples: meant for a bot's phrases (a few thousand at most).
std::vector<PhrasePair> similar_phrases(const std::vector<Example>& examples,
                                        std::string_view language, double min_similarity);

struct HeldOutPrediction {
  std::string predicted;    // the top label of a model trained without the phrase; "" if none
  double confidence = 0.0;  // its confidence
  bool in_scope = false;    // confidence >= the model's threshold
};

struct CrossValidation {
  std::size_t folds = 0;
  double threshold = 0.0;
  // One per example, in order (an example with empty text gets an empty prediction).
  std::vector<HeldOutPrediction> predictions;
};

// Classifies every example with a model trained without it. The examples are split into
// `folds` = min(max_folds, the largest label's phrase count) folds; a label's j-th phrase goes to
// fold j mod folds, so a label with at most `folds` phrases loses only the phrase held out (leave
// one out), and each fold's model is trained once. Cost: `folds` trainings.
CrossValidation cross_validate(const std::vector<Example>& examples, const TrainOptions& options,
                               std::size_t max_folds = 10);

// The report of `baton nlu-eval --bot`: overall and per-label accuracy of `cv` (a phrase is right
// when its held-out prediction is its own label, in scope), then the most confused
// (expected → predicted) pairs with an example phrase each; "(none)" stands for below threshold.
void write_cross_validation(const std::vector<Example>& examples, const CrossValidation& cv,
                            std::ostream& out, std::size_t worst_pairs = 10);

}  // namespace baton::nlu
