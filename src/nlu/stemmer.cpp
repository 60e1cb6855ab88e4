// Snowball stemming through libstemmer, one stemmer per thread and language because sb_stemmer
// objects keep per-call state.
#include <libstemmer.h>

#include <array>
#include <memory>
#include <string>
#include <unordered_map>

#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

// Longer tokens are not words worth stemming (URLs, hashes, pasted garbage).
constexpr std::size_t kMaxStemBytes = 64;

struct LanguageAlgorithm {
  const char* code;
  const char* algorithm;
};
constexpr std::array<LanguageAlgorithm, 15> kAlgorithms{{
    {"da", "danish"},
    {"de", "german"},
    {"en", "english"},
    {"es", "spanish"},
    {"fi", "finnish"},
    {"fr", "french"},
    {"hu", "hungarian"},
    {"it", "italian"},
    {"nb", "norwegian"},
    {"nl", "dutch"},
    {"no", "norwegian"},
    {"pt", "portuguese"},
    {"ro", "romanian"},
    {"ru", "russian"},
    {"sv", "swedish"},
}};

const char* algorithm_for(std::string_view language) {
  const std::string primary = primary_language(language);
  for (const auto& la : kAlgorithms) {
    if (primary == la.code) {
      return la.algorithm;
    }
  }
  return nullptr;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};
using StemmerPtr = std::unique_ptr<sb_stemmer, StemmerDeleter>;

sb_stemmer* thread_stemmer(const char* algorithm) {
  thread_local std::unordered_map<std::string, StemmerPtr> stemmers;
  auto it = stemmers.find(algorithm);
  if (it == stemmers.end()) {
    it = stemmers.emplace(algorithm, StemmerPtr(sb_stemmer_new(algorithm, "UTF_8"))).first;
  }
  return it->second.get();
}

}  // namespace

std::string primary_language(std::string_view code) {
  std::string out;
  for (const char c : code) {
    if (c == '-' || c == '_') {
      break;
    }
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

bool has_stemmer(std::string_view language) { return algorithm_for(language) != nullptr; }

std::string stem(std::string_view language, std::string_view token) {
  const char* algorithm = algorithm_for(language);
  if (algorithm == nullptr || token.empty() || token.size() > kMaxStemBytes) {
    return std::string(token);
  }
  sb_stemmer* stemmer = thread_stemmer(algorithm);
  if (stemmer == nullptr) {  // allocation failure inside libstemmer
    return std::string(token);
  }
  const sb_symbol* out = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(token.data()),
                                         static_cast<int>(token.size()));
  if (out == nullptr) {
    return std::string(token);
  }
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer)));
}

}  // namespace baton::nlu
