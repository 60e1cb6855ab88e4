#pragma once
// Intent classification: which of a bot's intents (topics) a customer's text means, with a
// confidence in [0, 1], or out-of-scope when no intent is confident enough.
//
// nlu knows nothing about topics or nodes: callers train it with (text, label) examples, where a
// label is any string (the dialog runtime uses topic names plus reserved labels such as
// "__escalate__"). A trained classifier is immutable and safe to use from many threads at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton::nlu {

struct Example {
  std::string text;
  std::string label;
};

struct ScoredIntent {
  std::string label;
  // In [0, 1]. Not a probability: the geometric mean of how close the text is to the intent's
  // nearest training phrase (discounted by the share of the text the model has never seen) and
  // the model's probability for the intent (against every other intent and a background class
  // for "none of them"). One threshold serves bots of 5 to 150 intents (docs/NLU.md).
  double confidence = 0.0;
};

struct Classification {
  std::vector<ScoredIntent> ranked;  // best first; may be empty (empty text, no vocabulary overlap)
  bool in_scope = false;             // ranked[0].confidence >= the classifier's threshold

  // The best intent when in scope, else nullptr.
  const ScoredIntent* top() const {
    return in_scope && !ranked.empty() ? &ranked.front() : nullptr;
  }
};

class IntentClassifier {
 public:
  virtual ~IntentClassifier() = default;

  // Never fails: empty, huge, invalid-UTF-8 or emoji-only text yields an out-of-scope result.
  // Reads at most the first 2,048 bytes / 96 words. Typical cost: ~20 µs for a 50-intent bot,
  // ~60 µs for 150 intents with 100 phrases each (one core).
  virtual Classification classify(std::string_view text) const = 0;

  // Confidence at or above which a query is in scope.
  virtual double threshold() const = 0;
};

struct TrainOptions {
  std::string language = "en";  // ISO 639-1 code (stemming and stop words); unknown → no stemming
  // Out-of-scope threshold; nullopt → the default (0.40, chosen on CLINC150 and simulated small
  // bots, see docs/NLU.md).
  std::optional<double> threshold;
  std::uint64_t seed = 1;      // training is deterministic for a given seed
  std::size_t max_ranked = 5;  // how many intents `classify` returns
  // Add synonym features from the language's thesaurus (lexicon_for); without one, or when false,
  // the classifier uses the words alone.
  bool lexicon = true;
  // Add the text's pooled word vectors (word_vectors_for; English only) as dense features of the
  // logistic regression; without them, or when false, the classifier uses the sparse features
  // alone.
  bool word_vectors = true;
};

// Trains the default classifier (logistic regression over word, bigram and character n-gram
// features, plus thesaurus synonyms unless options.lexicon is false, plus pooled word vectors
// unless options.word_vectors is false). Examples with empty text are ignored; an empty example set
// gives a classifier that rejects everything. Cost: ~35 ms CPU for 50 intents × 10 phrases, ~3 s
// for 15,000 examples; the first classifier of a process in en, de, fr or es also loads that
// language's thesaurus (lexicon_for: ~0.25 s for English), the first in English its word vectors
// (word_vectors_for). Memory: (distinct features + 200) × (intents) floats.
std::unique_ptr<IntentClassifier> train_classifier(const std::vector<Example>& examples,
                                                   const TrainOptions& options);

}  // namespace baton::nlu
