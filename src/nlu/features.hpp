#pragma once
// Sparse text features for the intent classifier: hashed word unigrams and bigrams over Snowball
// stems plus character n-grams of the surface words (so typos still share most features).
// Internal to nlu; the classifier owns the vocabulary and IDF weights built from training text.

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nlu/text.hpp"

namespace baton::nlu {

// Inputs longer than this are cut before analysis: intent phrases are short, and the cap bounds
// the work any single message can cause.
inline constexpr std::size_t kMaxClassifyBytes = 2048;
inline constexpr std::size_t kMaxClassifyTokens = 96;

// Stop words are words like any other here ("my" vs "your" and "how" vs "what" tell intents apart;
// a weight of 0.7 for them cost 0.1-0.3 points of accuracy on CLINC150, dropping them 1.3); they
// only get no character n-grams and no synonyms (docs/NLU.md).
// kLexical: a thesaurus synonym of a text's word, as the synonym's word feature. It counts when
// the synonym is in the vocabulary: for a word the vocabulary does not know, the synonyms stand
// in for it ("terminate my plan" reads like "end my plan" to a bot trained on the latter); beside
// a known word they link it, at half weight, to the bot's other wordings. Never part of the
// vocabulary itself.
enum class FeatureGroup : std::uint8_t { kWord = 0, kBigram = 1, kChar = 2, kLexical = 3 };

struct HashedFeature {
  std::uint64_t hash = 0;
  FeatureGroup group = FeatureGroup::kWord;
  // kLexical only: the word feature of the text's word that this synonym stands in for.
  std::uint64_t source = 0;
};

// Feature hashes of `text` with repetitions (term counts follow from duplicates). Pure and
// thread-safe; never fails (bad UTF-8 is replaced, over-long input is cut).
// `lexicon` (may be null) adds kLexical features for each non-stop word's related stems.
class Thesaurus;
std::vector<HashedFeature> extract_features(std::string_view text, std::string_view language,
                                            const Thesaurus* lexicon = nullptr);
// The same from a text's analysed tokens (analyze_for_features), for callers that need the tokens
// too.
std::vector<HashedFeature> extract_features(const std::vector<AnalyzedToken>& tokens,
                                            const Thesaurus* lexicon);
// analyze() of the text cut to kMaxClassifyBytes, at most kMaxClassifyTokens tokens.
std::vector<AnalyzedToken> analyze_for_features(std::string_view text, std::string_view language);

// A sparse L2-normalised vector: (feature index, weight), sorted by index.
using SparseVector = std::vector<std::pair<std::uint32_t, float>>;

// Vocabulary and TF-IDF weighting learned from training texts. Immutable after build; safe to
// share between threads.
class FeatureSpace {
 public:
  // Builds the vocabulary from the features of every training text (kLexical ones excluded).
  void build(const std::vector<std::vector<HashedFeature>>& docs);
  // TF-IDF vector (sublinear term frequency, per-group weights, L2-normalised over the known
  // features). Features not seen in training are dropped; the result is empty when none is known.
  // A word's kLexical features that are known share a word's weight (an unknown word's, 1 / n
  // each) or half of it (a known word's), at their own IDF; in `coverage` they count as known,
  // beside the word itself.
  // `coverage`, when given, receives the share of the text's TF-IDF norm that is known (unknown
  // features weighted as the rarest known one): 1 when every feature was seen in training, near 0
  // for a text made of words no intent was trained on.
  SparseVector vectorize(const std::vector<HashedFeature>& features,
                         double* coverage = nullptr) const;
  std::size_t size() const { return idf_.size(); }

 private:
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
  std::vector<float> idf_;
  std::vector<FeatureGroup> groups_;
  double unknown_idf_ = 1.0;  // IDF given to features never seen in training
};

}  // namespace baton::nlu
