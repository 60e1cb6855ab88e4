// The default intent classifier: multinomial logistic regression over TF-IDF word, bigram and
// character n-gram features (plus each word's thesaurus synonyms that the vocabulary knows), with
// a naive Bayes model's log-likelihoods added to its weights, ranks the intents; the confidence
// combines the top intent's nearest training phrase similarity with its probability, so that one
// threshold works for bots of any size. See docs/NLU.md for the choice and the numbers.
#include "nlu/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <random>
#include <unordered_map>

#include "nlu/features.hpp"
#include "nlu/thesaurus.hpp"
#include "nlu/word_vectors.hpp"

namespace baton::nlu {
namespace {

// Training hyper-parameters, chosen on CLINC150's validation lists (docs/NLU.md). L2 is small
// because the TF-IDF vectors are normalised and the bag of n-grams is sparse; 12 epochs reach
// the plateau of validation accuracy.
constexpr int kEpochs = 12;
constexpr double kL2 = 1e-6;
constexpr double kLearningRate = 1.0;
// Naive Bayes added to the trained weights: weight of its per-feature log-likelihoods (centred
// over the intents) and its additive smoothing of the TF-IDF mass. NB is steadier than SGD on
// rare features; the blend made closed-set accuracy on CLINC150 92.4 -> 93.0 % (mean of 3 seeds,
// chosen on the validation lists, docs/NLU.md) at no cost per classification.
constexpr double kNaiveBayesWeight = 0.2;
constexpr double kNaiveBayesSmoothing = 0.01;
// Default out-of-scope threshold on the confidence below: the one that best balances in-scope
// accuracy and out-of-scope recall on the validation lists of six bot shapes simulated from
// CLINC150, 5 to 150 intents with 5 to 100 phrases each. At 0.40: CLINC150 full 90.6% in-scope /
// 80% OOS rejected; 5-intent bots trained on 5 phrases each 87-93% / 89-91% (docs/NLU.md).
constexpr double kDefaultThreshold = 0.40;

// Updates whose |gradient| is below this are skipped: after the first epochs almost every
// non-target class has a negligible probability, and skipping them makes training ~10x faster.
constexpr float kMinGradient = 1e-4F;

// Softmax over the intents plus a background class with logit 0: a text with no evidence for any
// intent gets low probabilities however few intents the bot has. Returns the intents' part.
std::vector<float> softmax(const std::vector<float>& z) {
  float max = 0.0F;
  for (const float v : z) {
    max = std::max(max, v);
  }
  std::vector<float> p(z.size());
  double sum = std::exp(-static_cast<double>(max));
  for (std::size_t k = 0; k < z.size(); ++k) {
    p[k] = std::exp(z[k] - max);
    sum += static_cast<double>(p[k]);
  }
  for (auto& v : p) {
    v = static_cast<float>(static_cast<double>(v) / sum);
  }
  return p;
}

class LinearClassifier final : public IntentClassifier {
 public:
  LinearClassifier(const std::vector<Example>& examples, const TrainOptions& options)
      : language_(options.language),
        lexicon_(options.lexicon ? lexicon_for(options.language) : nullptr),
        vectors_(options.word_vectors ? word_vectors_for(options.language) : nullptr),
        max_ranked_(options.max_ranked),
        threshold_(options.threshold.value_or(kDefaultThreshold)) {
    std::vector<std::vector<HashedFeature>> docs;
    std::vector<std::vector<float>> dense;
    std::vector<std::uint32_t> targets;
    std::unordered_map<std::string, std::uint32_t> label_ids;
    for (const auto& ex : examples) {
      const auto tokens = analyze_for_features(ex.text, language_);
      auto feats = extract_features(tokens, lexicon_);
      if (feats.empty()) {
        continue;
      }
      auto [it, added] =
          label_ids.try_emplace(ex.label, static_cast<std::uint32_t>(labels_.size()));
      if (added) {
        labels_.push_back(ex.label);
      }
      targets.push_back(it->second);
      docs.push_back(std::move(feats));
      dense.push_back(dense_of(tokens));
    }
    space_.build(docs);
    dimensions_ = space_.size() + (vectors_ != nullptr ? 2 * vectors_->dimensions() : 0);
    std::vector<SparseVector> vectors;
    vectors.reserve(docs.size());
    for (const auto& d : docs) {
      vectors.push_back(space_.vectorize(d));
    }
    {
      // The regression sees the sparse features and the dense ones; naive Bayes and the nearest
      // phrase similarity see the sparse features only (NB needs non-negative masses).
      std::vector<SparseVector> with_dense = vectors;
      for (std::size_t i = 0; i < with_dense.size(); ++i) {
        append_dense(with_dense[i], dense[i]);
      }
      train(with_dense, targets, options.seed);
    }
    add_naive_bayes(vectors, targets);
    phrases_.resize(labels_.size());
    for (std::size_t i = 0; i < vectors.size(); ++i) {
      phrases_[targets[i]].push_back(std::move(vectors[i]));
    }
  }

  Classification classify(std::string_view text) const override {
    Classification result;
    if (labels_.empty()) {
      return result;
    }
    double coverage = 0.0;
    const auto tokens = analyze_for_features(text, language_);
    const SparseVector x = space_.vectorize(extract_features(tokens, lexicon_), &coverage);
    if (x.empty()) {
      return result;
    }
    SparseVector with_dense = x;
    append_dense(with_dense, dense_of(tokens));
    const std::size_t c = labels_.size();
    std::vector<float> z(bias_);
    for (const auto& [f, v] : with_dense) {
      const float* row = &weights_[static_cast<std::size_t>(f) * c];
      for (std::size_t k = 0; k < c; ++k) {
        z[k] += v * row[k];
      }
    }
    const std::vector<float> p = softmax(z);
    std::vector<std::uint32_t> order(c);
    std::iota(order.begin(), order.end(), 0);
    const std::size_t keep = std::min(std::max<std::size_t>(max_ranked_, 1), c);
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(keep), order.end(),
                      [&](std::uint32_t a, std::uint32_t b) {
                        return p[a] != p[b] ? p[a] > p[b] : labels_[a] < labels_[b];
                      });
    // The model ranks (it is the more accurate); the confidence of the top intent also asks how
    // close the text is to that intent's nearest training phrase, which does not depend on how many
    // intents the bot has. Lower-ranked intents scale it by their probability ratio.
    const double p1 = static_cast<double>(p[order[0]]);
    // Similarity of the whole text, not just its known part: words no intent was trained on
    // dilute it, so one shared word does not make "the weather on mars" a match.
    const double sim = nearest_similarity(QueryIndex(x), order[0]) * coverage;
    const double top = confidence(sim, p1);
    for (std::size_t i = 0; i < keep; ++i) {
      const std::uint32_t label = order[i];
      result.ranked.push_back({labels_[label], top * static_cast<double>(p[label]) / p1});
    }
    result.in_scope = !result.ranked.empty() && result.ranked.front().confidence >= threshold_;
    return result;
  }

  double threshold() const override { return threshold_; }

 private:
  // Open-addressing map from feature index to query weight, for fast sparse dot products.
  class QueryIndex {
   public:
    explicit QueryIndex(const SparseVector& x) {
      std::size_t size = 16;
      while (size < 2 * x.size()) {
        size *= 2;
      }
      mask_ = size - 1;
      keys_.assign(size, kEmpty);
      values_.assign(size, 0.0F);
      for (const auto& [f, v] : x) {
        std::size_t h = static_cast<std::size_t>(f * 2654435761U) & mask_;
        while (keys_[h] != kEmpty) {
          h = (h + 1) & mask_;
        }
        keys_[h] = f;
        values_[h] = v;
      }
    }
    float dot(const SparseVector& y) const {
      float s = 0.0F;
      for (const auto& [f, v] : y) {
        std::size_t h = static_cast<std::size_t>(f * 2654435761U) & mask_;
        while (keys_[h] != kEmpty) {
          if (keys_[h] == f) {
            s += v * values_[h];
            break;
          }
          h = (h + 1) & mask_;
        }
      }
      return s;
    }

   private:
    static constexpr std::uint32_t kEmpty = 0xffffffffU;
    std::size_t mask_ = 0;
    std::vector<std::uint32_t> keys_;
    std::vector<float> values_;
  };

  double nearest_similarity(const QueryIndex& q, std::uint32_t label) const {
    float best = 0.0F;
    for (const auto& phrase : phrases_[label]) {
      best = std::max(best, q.dot(phrase));
    }
    return std::min(1.0, static_cast<double>(best));
  }

  // Geometric mean of the nearest-phrase similarity (is the text like anything this intent was
  // trained on?) and the intent's probability (is it clearly this intent rather than another, or
  // none?). The similarity does not depend on the number of intents, and the background class
  // keeps a small bot's probabilities low for a text with no evidence, which is what lets one
  // threshold serve a 5-topic bot and a 150-intent one.
  static double confidence(double similarity, double probability) {
    return std::sqrt(std::clamp(similarity, 0.0, 1.0) * std::clamp(probability, 0.0, 1.0));
  }

  // Adds kNaiveBayesWeight x a multinomial naive Bayes model to the weights: per intent k and
  // feature f, log((m[f][k] + a) / (M[k] + a * F)) with m the intent's TF-IDF mass on the feature,
  // M its total and F the number of features, centred on its mean over the intents (so a feature
  // no intent prefers adds nothing and the background class keeps its meaning).
  void add_naive_bayes(const std::vector<SparseVector>& xs, const std::vector<std::uint32_t>& ys) {
    const std::size_t c = labels_.size();
    const std::size_t features = space_.size();
    if (c == 0 || features == 0) {
      return;
    }
    // The training mass grouped by feature (a counting sort): (intent, mass) pairs of feature f
    // are entries[start[f] .. start[f + 1]).
    std::vector<std::size_t> start(features + 1, 0);
    std::vector<double> total(c, 0.0);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      for (const auto& [f, v] : xs[i]) {
        ++start[f + 1];
        total[ys[i]] += static_cast<double>(v);
      }
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::pair<std::uint32_t, float>> entries(start.back());
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      for (const auto& [f, v] : xs[i]) {
        entries[next[f]++] = {ys[i], v};
      }
    }
    // Most features are seen by a few intents only: every other intent gets
    // log(a) - log(M[k] + a * F), so each row is a dense part (unseen[k] - mean) plus a correction
    // for the intents that saw f.
    const double a = kNaiveBayesSmoothing;
    const double log_a = std::log(a);
    std::vector<float> unseen(c);
    double unseen_sum = 0.0;
    for (std::size_t k = 0; k < c; ++k) {
      const double v = log_a - std::log(total[k] + a * static_cast<double>(features));
      unseen[k] = static_cast<float>(kNaiveBayesWeight * v);
      unseen_sum += v;
    }
    std::vector<double> mass(c, 0.0);
    std::vector<std::uint32_t> seen;
    for (std::size_t f = 0; f < features; ++f) {
      seen.clear();
      for (std::size_t e = start[f]; e < start[f + 1]; ++e) {
        const auto [k, v] = entries[e];
        if (mass[k] == 0.0) {
          seen.push_back(k);
        }
        mass[k] += static_cast<double>(v);
      }
      double sum = unseen_sum;
      for (const std::uint32_t k : seen) {
        sum += std::log(mass[k] + a) - log_a;
      }
      const auto mean = static_cast<float>(kNaiveBayesWeight * sum / static_cast<double>(c));
      float* row = &weights_[f * c];
      for (std::size_t k = 0; k < c; ++k) {
        row[k] += unseen[k] - mean;
      }
      for (const std::uint32_t k : seen) {
        row[k] += static_cast<float>(kNaiveBayesWeight * (std::log(mass[k] + a) - log_a));
        mass[k] = 0.0;
      }
    }
  }

  // SGD on the L2-regularised log loss; the weight decay is applied lazily through `scale`
  // (w_true = scale * w_stored) so each step touches only the example's features.
  void train(const std::vector<SparseVector>& xs, const std::vector<std::uint32_t>& ys,
             std::uint64_t seed) {
    const std::size_t c = labels_.size();
    weights_.assign(dimensions_ * c, 0.0F);
    bias_.assign(c, 0.0F);
    if (xs.empty()) {
      return;
    }
    std::vector<std::size_t> order(xs.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    double scale = 1.0;
    double t = 0.0;
    std::vector<float> z(c);
    for (int epoch = 0; epoch < kEpochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      for (const std::size_t i : order) {
        const double lr = kLearningRate / (1.0 + kLearningRate * kL2 * t);
        t += 1.0;
        const auto& x = xs[i];
        std::copy(bias_.begin(), bias_.end(), z.begin());
        for (const auto& [f, v] : x) {
          const float* row = &weights_[static_cast<std::size_t>(f) * c];
          const auto sv = static_cast<float>(static_cast<double>(v) * scale);
          for (std::size_t k = 0; k < c; ++k) {
            z[k] += sv * row[k];
          }
        }
        std::vector<float> g = softmax(z);
        g[ys[i]] -= 1.0F;
        scale *= (1.0 - lr * kL2);
        const auto step = static_cast<float>(lr / scale);
        for (std::size_t k = 0; k < c; ++k) {
          if (std::abs(g[k]) < kMinGradient) {
            continue;
          }
          const float gk = g[k] * step;
          for (const auto& [f, v] : x) {
            weights_[static_cast<std::size_t>(f) * c + k] -= gk * v;
          }
          bias_[k] -= static_cast<float>(lr) * g[k];
        }
        if (scale < 1e-6) {
          rescale(scale);
        }
      }
    }
    rescale(scale);
  }

  void rescale(double& scale) {
    for (auto& w : weights_) {
      w = static_cast<float>(static_cast<double>(w) * scale);
    }
    scale = 1.0;
  }

  // The pooled word vectors of a text's tokens (empty without vectors or when no word has one).
  std::vector<float> dense_of(const std::vector<AnalyzedToken>& tokens) const {
    return vectors_ != nullptr ? sentence_vector(tokens, *vectors_) : std::vector<float>{};
  }

  // Appends the dense features after the sparse ones (indices space_.size() onwards, so `x`
  // stays sorted). Only a text with some known sparse feature gets them: a text the vocabulary
  // knows nothing of is rejected before.
  void append_dense(SparseVector& x, const std::vector<float>& dense) const {
    if (x.empty()) {
      return;
    }
    const auto base = static_cast<std::uint32_t>(space_.size());
    for (std::size_t d = 0; d < dense.size(); ++d) {
      x.emplace_back(base + static_cast<std::uint32_t>(d), dense[d]);
    }
  }

  std::string language_;
  const Thesaurus* lexicon_;    // process-wide (lexicon_for), or null
  const WordVectors* vectors_;  // process-wide (word_vectors_for), or null
  std::size_t dimensions_ = 0;  // sparse features + dense ones: the rows of weights_
  std::size_t max_ranked_;
  double threshold_;
  FeatureSpace space_;
  std::vector<std::string> labels_;
  std::vector<float> weights_;  // feature-major: weights_[feature * classes + class]
  std::vector<float> bias_;
  std::vector<std::vector<SparseVector>> phrases_;  // training vectors by label
};

}  // namespace

std::unique_ptr<IntentClassifier> train_classifier(const std::vector<Example>& examples,
                                                   const TrainOptions& options) {
  return std::make_unique<LinearClassifier>(examples, options);
}

}  // namespace baton::nlu
