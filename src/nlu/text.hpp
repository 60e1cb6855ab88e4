#pragma once
// Text normalisation shared by the classifier and the entity extractors.

#include <string>
#include <string_view>
#include <vector>

namespace baton::nlu {

// Unicode NFKC + case folding, invalid UTF-8 replaced, runs of whitespace collapsed, trimmed.
// ASCII text takes a shortcut with the same result as normalize_unicode.
std::string normalize(std::string_view text);
// The same through utf8proc whatever the text (normalize's general path).
std::string normalize_unicode(std::string_view text);

// Splits normalised text into word tokens (letters/digits runs; apostrophes kept inside words).
std::vector<std::string> tokenize(std::string_view normalized);

// The primary language subtag of a BCP 47 / ISO 639 code, lower-cased: "en-US" → "en",
// "DE_at" → "de", "" → "". Never fails.
std::string primary_language(std::string_view code);

// True when Snowball stemming is available for the primary subtag of `language` (en, de, fr, es,
// it, pt, nl, sv, da, no, fi, ru, ...). Unknown languages are analysed without stemming.
bool has_stemmer(std::string_view language);

// Snowball stem of one normalised token in `language`; the token itself when the language has no
// stemmer or the token is over 64 bytes. Thread-safe: libstemmer objects are not, so each thread
// keeps its own stemmer per language (created on first use, freed at thread exit).
std::string stem(std::string_view language, std::string_view token);

// True when the normalised (case-folded, accent-stripped) token is a stop word in `language`.
// Curated lists exist for en, de, fr, es; other languages have no stop words. Thread-safe.
bool is_stop_word(std::string_view language, std::string_view token);

// normalize + tokenize + stem: the token stream the classifier and the choice matcher use.
// Stop words are kept (intent phrases rely on "how"/"what"); callers decide what to drop.
struct AnalyzedToken {
  std::string text;  // normalised surface form
  std::string stem;  // Snowball stem (== text when no stemmer)
  bool stop = false;
};
std::vector<AnalyzedToken> analyze(std::string_view text, std::string_view language);

}  // namespace baton::nlu
