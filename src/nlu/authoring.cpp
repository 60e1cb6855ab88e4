// Phrase similarity and held-out classification of a bot's phrases (see authoring.hpp).
#include "nlu/authoring.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>
#include <unordered_map>

#include "nlu/features.hpp"

namespace baton::nlu {
namespace {

double dot(const SparseVector& x, const SparseVector& y) {
  double s = 0.0;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < x.size() && j < y.size()) {
    if (x[i].first == y[j].first) {
      s += static_cast<double>(x[i].second) * static_cast<double>(y[j].second);
      ++i;
      ++j;
    } else if (x[i].first < y[j].first) {
      ++i;
    } else {
      ++j;
    }
  }
  return s;
}

std::string percent(std::size_t part, std::size_t whole) {
  char buf[16];
  (void)std::snprintf(
      buf, sizeof buf, "%.1f %%",
      whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

}  // namespace

std::vector<PhrasePair> similar_phrases(const std::vector<Example>& examples,
                                        std::string_view language, double min_similarity) {
  std::vector<std::vector<HashedFeature>> docs;
  docs.reserve(examples.size());
  for (const auto& ex : examples) {
    docs.push_back(extract_features(ex.text, language));
  }
  FeatureSpace space;
  space.build(docs);
  std::vector<SparseVector> vectors;
  vectors.reserve(docs.size());
  for (const auto& d : docs) {
    vectors.push_back(space.vectorize(d));
  }
  std::vector<PhrasePair> out;
  for (std::size_t a = 0; a < vectors.size(); ++a) {
    for (std::size_t b = a + 1; b < vectors.size(); ++b) {
      const double s = std::min(1.0, dot(vectors[a], vectors[b]));
      if (s >= min_similarity && !vectors[a].empty()) {
        out.push_back({a, b, s});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PhrasePair& x, const PhrasePair& y) {
    return x.similarity > y.similarity;
  });
  return out;
}

CrossValidation cross_validate(const std::vector<Example>& examples, const TrainOptions& options,
                               std::size_t max_folds) {
  CrossValidation cv;
  cv.predictions.resize(examples.size());
  std::unordered_map<std::string, std::size_t> seen;  // phrases so far per label
  std::vector<std::size_t> fold_of(examples.size());
  std::size_t largest = 0;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    fold_of[i] = seen[examples[i].label]++;
    largest = std::max(largest, seen[examples[i].label]);
  }
  cv.folds = std::min(std::max<std::size_t>(max_folds, 1), largest);
  TrainOptions opts = options;
  opts.max_ranked = 1;
  for (std::size_t fold = 0; fold < cv.folds; ++fold) {
    std::vector<Example> train;
    std::vector<std::size_t> held;
    for (std::size_t i = 0; i < examples.size(); ++i) {
      if (fold_of[i] % cv.folds == fold) {
        held.push_back(i);
      } else {
        train.push_back(examples[i]);
      }
    }
    const auto model = train_classifier(train, opts);
    cv.threshold = model->threshold();
    for (const std::size_t i : held) {
      const Classification c = model->classify(examples[i].text);
      if (!c.ranked.empty()) {
        cv.predictions[i] = {c.ranked.front().label, c.ranked.front().confidence, c.in_scope};
      }
    }
  }
  return cv;
}

void write_cross_validation(const std::vector<Example>& examples, const CrossValidation& cv,
                            std::ostream& out, std::size_t worst_pairs) {
  struct LabelStats {
    std::size_t phrases = 0;
    std::size_t right = 0;
    std::size_t below = 0;  // top label right but under the threshold
    std::size_t other = 0;  // another label in scope
  };
  std::map<std::string, LabelStats> labels;
  // (expected, predicted or "(none)") → count and the first phrase
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::size_t>> confusions;
  std::size_t right = 0;
  for (std::size_t i = 0; i < examples.size() && i < cv.predictions.size(); ++i) {
    const auto& p = cv.predictions[i];
    auto& stats = labels[examples[i].label];
    ++stats.phrases;
    if (p.in_scope && p.predicted == examples[i].label) {
      ++stats.right;
      ++right;
      continue;
    }
    const std::string predicted = p.in_scope ? p.predicted : "(none)";
    (p.in_scope ? stats.other : stats.below) += 1;
    auto [it, added] = confusions.try_emplace({examples[i].label, predicted}, 0, i);
    ++it->second.first;
  }
  out << "held-out accuracy: " << percent(right, examples.size()) << " (" << right << " of "
      << examples.size() << " phrases; each classified by a model trained without it, " << cv.folds
      << " folds, threshold " << cv.threshold << ")\n\n";
  std::size_t width = 5;
  for (const auto& [label, stats] : labels) {
    width = std::max(width, label.size());
  }
  out << "label" << std::string(width - 5, ' ')
      << "  phrases  accuracy  below threshold  as another label\n";
  for (const auto& [label, stats] : labels) {
    char row[96];
    (void)std::snprintf(row, sizeof row, "  %7zu  %8s  %15zu  %16zu\n", stats.phrases,
                        percent(stats.right, stats.phrases).c_str(), stats.below, stats.other);
    out << label << std::string(width - label.size(), ' ') << row;
  }
  std::vector<std::pair<std::pair<std::string, std::string>, std::pair<std::size_t, std::size_t>>>
      ranked(confusions.begin(), confusions.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.second.first > y.second.first; });
  out << "\nmost confused (expected -> predicted: count, e.g.):\n";
  if (ranked.empty()) {
    out << "  none\n";
  }
  for (std::size_t r = 0; r < ranked.size() && r < worst_pairs; ++r) {
    const auto& [pair, info] = ranked[r];
    out << "  " << pair.first << " -> " << pair.second << ": " << info.first << ", \""
        << examples[info.second].text << "\"\n";
  }
}

}  // namespace baton::nlu
