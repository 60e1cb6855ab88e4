// Feature extraction and TF-IDF weighting for the intent classifier.
#include "nlu/features.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "nlu/text.hpp"
#include "nlu/thesaurus.hpp"

namespace baton::nlu {
namespace {

// Character n-grams longer than this many bytes of word are skipped (tokens that long are IDs or
// garbage, and their n-grams would dominate the vector).
constexpr std::size_t kMaxCharGramWordBytes = 24;
constexpr std::size_t kMinCharGram = 3;
constexpr std::size_t kMaxCharGram = 4;

// Relative weight of each feature group before L2 normalisation: whole words carry the meaning,
// bigrams add word order, character n-grams rescue typos and unseen inflections; a word's known
// synonyms (kLexical) share a part of a word's weight between them (below).
constexpr float kGroupWeight[4] = {1.0F, 0.7F, 0.3F, 1.0F};
// A word reads at most this many of its thesaurus entry's related stems (first senses first).
constexpr std::size_t kLexicalPerWord = 8;
// The weight a word's known synonyms share: a whole word's for a word the vocabulary does not
// know (they stand in for it), half a word's beside a known word (they link it to the bot's
// other wordings of the same idea).
constexpr float kUnknownWordSynonyms = 1.0F;
constexpr float kKnownWordSynonyms = 0.5F;

std::uint64_t fnv1a(std::uint8_t tag, std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL ^ tag;
  h *= 1099511628211ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::vector<AnalyzedToken> analyze_for_features(std::string_view text, std::string_view language) {
  auto tokens = analyze(text.substr(0, kMaxClassifyBytes), language);
  if (tokens.size() > kMaxClassifyTokens) {
    tokens.resize(kMaxClassifyTokens);
  }
  return tokens;
}

std::vector<HashedFeature> extract_features(std::string_view text, std::string_view language,
                                            const Thesaurus* lexicon) {
  return extract_features(analyze_for_features(text, language), lexicon);
}

std::vector<HashedFeature> extract_features(const std::vector<AnalyzedToken>& tokens,
                                            const Thesaurus* lexicon) {
  std::vector<HashedFeature> out;
  out.reserve(tokens.size() * 12);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& tok = tokens[i];
    out.push_back({fnv1a(0, tok.stem), FeatureGroup::kWord});
    const bool last = i + 1 == tokens.size();
    const std::string_view next =
        last ? std::string_view("$") : std::string_view(tokens[i + 1].stem);
    out.push_back({fnv1a(1, tok.stem + " " + std::string(next)), FeatureGroup::kBigram});
    if (i == 0) {
      out.push_back({fnv1a(1, "^ " + tok.stem), FeatureGroup::kBigram});
    }
    if (lexicon != nullptr && !tok.stop) {
      const std::uint64_t source = fnv1a(0, tok.stem);
      const auto related = lexicon->related(tok.stem);
      for (std::size_t r = 0; r < related.size() && r < kLexicalPerWord; ++r) {
        out.push_back({fnv1a(0, lexicon->stem_of(related[r])), FeatureGroup::kLexical, source});
      }
    }
    if (tok.stop || tok.text.size() > kMaxCharGramWordBytes) {
      continue;
    }
    const std::string padded = "<" + tok.text + ">";
    for (std::size_t n = kMinCharGram; n <= kMaxCharGram; ++n) {
      for (std::size_t p = 0; p + n <= padded.size(); ++p) {
        out.push_back({fnv1a(2, std::string_view(padded).substr(p, n)), FeatureGroup::kChar});
      }
    }
  }
  return out;
}

void FeatureSpace::build(const std::vector<std::vector<HashedFeature>>& docs) {
  std::vector<std::uint32_t> doc_freq;
  std::vector<std::uint32_t> seen_in;  // last document index + 1 that counted the feature
  for (std::size_t d = 0; d < docs.size(); ++d) {
    for (const auto& f : docs[d]) {
      if (f.group == FeatureGroup::kLexical) {
        continue;
      }
      auto [it, added] = index_.try_emplace(f.hash, static_cast<std::uint32_t>(groups_.size()));
      if (added) {
        groups_.push_back(f.group);
        doc_freq.push_back(0);
        seen_in.push_back(0);
      }
      if (seen_in[it->second] != d + 1) {
        seen_in[it->second] = static_cast<std::uint32_t>(d + 1);
        ++doc_freq[it->second];
      }
    }
  }
  const double n = static_cast<double>(docs.size());
  idf_.resize(doc_freq.size());
  for (std::size_t i = 0; i < doc_freq.size(); ++i) {
    idf_[i] = static_cast<float>(std::log((1.0 + n) / (1.0 + doc_freq[i])) + 1.0);
  }
  unknown_idf_ = std::log((1.0 + n) / 1.0) + 1.0;
}

SparseVector FeatureSpace::vectorize(const std::vector<HashedFeature>& features,
                                     double* coverage) const {
  std::vector<std::pair<std::uint32_t, float>> known;
  known.reserve(features.size());
  std::vector<std::pair<std::uint64_t, FeatureGroup>> unknown;    // counted below by sorting
  std::vector<std::pair<std::uint64_t, std::uint32_t>> synonyms;  // (text's word, known synonym)
  for (const auto& f : features) {
    if (f.group == FeatureGroup::kLexical) {
      if (auto it = index_.find(f.hash); it != index_.end()) {
        synonyms.emplace_back(f.source, it->second);
      }
      continue;
    }
    if (auto it = index_.find(f.hash); it != index_.end()) {
      known.emplace_back(it->second, 1.0F);
    } else {
      unknown.emplace_back(f.hash, f.group);
    }
  }
  std::sort(known.begin(), known.end());
  SparseVector out;
  for (const auto& [id, one] : known) {
    if (!out.empty() && out.back().first == id) {
      out.back().second += one;
    } else {
      out.emplace_back(id, one);
    }
  }
  double norm = 0.0;
  for (auto& [id, count] : out) {
    const float tf = 1.0F + std::log(count);
    count = tf * idf_[id] * kGroupWeight[static_cast<int>(groups_[id])];
    norm += static_cast<double>(count) * static_cast<double>(count);
  }
  if (!synonyms.empty()) {
    // Each word's known synonyms share kUnknownWordSynonyms or kKnownWordSynonyms of a word's
    // weight (times the group weight), each at its own IDF.
    std::sort(synonyms.begin(), synonyms.end());
    std::vector<std::pair<std::uint32_t, float>> extra;
    for (std::size_t i = 0; i < synonyms.size();) {
      std::size_t j = i + 1;
      while (j < synonyms.size() && synonyms[j].first == synonyms[i].first) {
        ++j;
      }
      const float mass =
          index_.contains(synonyms[i].first) ? kKnownWordSynonyms : kUnknownWordSynonyms;
      const float share =
          mass * kGroupWeight[static_cast<int>(FeatureGroup::kLexical)] / static_cast<float>(j - i);
      for (std::size_t k = i; k < j; ++k) {
        extra.emplace_back(synonyms[k].second, share * idf_[synonyms[k].second]);
      }
      i = j;
    }
    for (const auto& [id, w] : extra) {
      auto pos = std::lower_bound(out.begin(), out.end(), std::make_pair(id, -1e30F));
      if (pos != out.end() && pos->first == id) {
        const auto before = static_cast<double>(pos->second);
        pos->second += w;
        const auto after = static_cast<double>(pos->second);
        norm += after * after - before * before;
      } else {
        out.insert(pos, {id, w});
        norm += static_cast<double>(w) * static_cast<double>(w);
      }
    }
  }
  double unknown_norm = 0.0;
  std::sort(unknown.begin(), unknown.end());
  for (std::size_t i = 0; i < unknown.size();) {
    std::size_t j = i + 1;
    while (j < unknown.size() && unknown[j].first == unknown[i].first) {
      ++j;
    }
    // A hash is one feature, so one group; the first occurrence's is as good as any.
    const double w = (1.0 + std::log(static_cast<double>(j - i))) * unknown_idf_ *
                     static_cast<double>(kGroupWeight[static_cast<int>(unknown[i].second)]);
    unknown_norm += w * w;
    i = j;
  }
  if (coverage != nullptr) {
    *coverage = norm + unknown_norm > 0.0 ? std::sqrt(norm / (norm + unknown_norm)) : 0.0;
  }
  if (norm > 0.0) {
    const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (auto& [id, w] : out) {
      w *= inv;
    }
  }
  return out;
}

}  // namespace baton::nlu
