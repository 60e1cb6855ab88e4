// First intent matcher: nearest trigger phrase by TF-IDF cosine over word tokens and character
// trigrams. Replaced by the measured classifier of the NLU issue; the interface stays.
#include "nlu/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

constexpr std::size_t kMaxInputBytes = 4096;
constexpr double kDefaultThreshold = 0.5;

using SparseVector = std::vector<std::pair<std::size_t, double>>;  // sorted by feature id

std::vector<std::string> features(std::string_view text) {
  const std::string norm = normalize(text.substr(0, kMaxInputBytes));
  std::vector<std::string> out;
  for (auto& tok : tokenize(norm)) {
    const std::string padded = " " + tok + " ";
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
      out.push_back("c:" + padded.substr(i, 3));
    }
    out.push_back("w:" + tok);
    out.push_back("w:" + tok);  // whole words weigh more than their trigrams
  }
  return out;
}

class PhraseClassifier final : public IntentClassifier {
 public:
  PhraseClassifier(const std::vector<Example>& examples, const TrainOptions& options)
      : threshold_(options.threshold.value_or(kDefaultThreshold)), max_ranked_(options.max_ranked) {
    std::vector<std::unordered_map<std::size_t, double>> counts;
    std::unordered_map<std::size_t, std::size_t> doc_freq;
    for (const auto& ex : examples) {
      auto feats = features(ex.text);
      if (feats.empty()) {
        continue;
      }
      std::unordered_map<std::size_t, double> tf;
      for (auto& f : feats) {
        auto [it, inserted] = vocab_.try_emplace(std::move(f), vocab_.size());
        tf[it->second] += 1.0;
      }
      for (const auto& [id, _] : tf) {
        ++doc_freq[id];
      }
      counts.push_back(std::move(tf));
      auto [lit, added] = label_ids_.try_emplace(ex.label, labels_.size());
      if (added) {
        labels_.push_back(ex.label);
      }
      example_labels_.push_back(lit->second);
    }
    const double n = static_cast<double>(counts.size());
    idf_.assign(vocab_.size(), 0.0);
    for (const auto& [id, df] : doc_freq) {
      idf_[id] = std::log((1.0 + n) / (1.0 + static_cast<double>(df))) + 1.0;
    }
    for (auto& tf : counts) {
      vectors_.push_back(weigh(tf));
    }
  }

  Classification classify(std::string_view text) const override {
    Classification result;
    std::unordered_map<std::size_t, double> tf;
    for (const auto& f : features(text)) {
      if (auto it = vocab_.find(f); it != vocab_.end()) {
        tf[it->second] += 1.0;
      }
    }
    if (tf.empty()) {
      return result;
    }
    const SparseVector q = weigh(tf);
    std::vector<double> best(labels_.size(), 0.0);
    for (std::size_t i = 0; i < vectors_.size(); ++i) {
      const double sim = dot(q, vectors_[i]);
      auto& b = best[example_labels_[i]];
      b = std::max(b, sim);
    }
    for (std::size_t l = 0; l < labels_.size(); ++l) {
      if (best[l] > 0.0) {
        result.ranked.push_back({labels_[l], std::min(1.0, best[l])});
      }
    }
    std::sort(result.ranked.begin(), result.ranked.end(), [](const auto& a, const auto& b) {
      return a.confidence != b.confidence ? a.confidence > b.confidence : a.label < b.label;
    });
    if (result.ranked.size() > max_ranked_) {
      result.ranked.resize(max_ranked_);
    }
    result.in_scope = !result.ranked.empty() && result.ranked.front().confidence >= threshold_;
    return result;
  }

  double threshold() const override { return threshold_; }

 private:
  SparseVector weigh(const std::unordered_map<std::size_t, double>& tf) const {
    SparseVector v;
    double norm = 0.0;
    for (const auto& [id, count] : tf) {
      const double w = (1.0 + std::log(count)) * idf_[id];
      v.emplace_back(id, w);
      norm += w * w;
    }
    norm = std::sqrt(norm);
    for (auto& [_, w] : v) {
      w /= norm;
    }
    std::sort(v.begin(), v.end());
    return v;
  }

  static double dot(const SparseVector& a, const SparseVector& b) {
    double s = 0.0;
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (a[i].first == b[j].first) {
        s += a[i++].second * b[j++].second;
      } else if (a[i].first < b[j].first) {
        ++i;
      } else {
        ++j;
      }
    }
    return s;
  }

  double threshold_;
  std::size_t max_ranked_;
  std::unordered_map<std::string, std::size_t> vocab_;
  std::vector<double> idf_;
  std::vector<SparseVector> vectors_;
  std::vector<std::size_t> example_labels_;
  std::unordered_map<std::string, std::size_t> label_ids_;
  std::vector<std::string> labels_;
};

}  // namespace

std::unique_ptr<IntentClassifier> train_classifier(const std::vector<Example>& examples,
                                                   const TrainOptions& options) {
  return std::make_unique<PhraseClassifier>(examples, options);
}

}  // namespace baton::nlu
