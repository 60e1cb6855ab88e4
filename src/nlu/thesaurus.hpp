#pragma once
// Lexical knowledge for the intent classifier: for a word's stem, the stems of its synonyms, read
// from the MyThes thesauri that Debian packages for LibreOffice (mythes-en-us, mythes-de,
// mythes-fr, mythes-es; the English one is built from WordNet). With them a bot trained on
// "cancel my card" shares evidence with "terminate my card".
//
// A Thesaurus is immutable once loaded and safe to share between threads. `lexicon_for` loads
// each language's file at most once per process.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"

namespace baton::nlu {

class Thesaurus {
 public:
  // Parses a MyThes .dat file ("word|senses" lines, each followed by `senses` lines of
  // "(pos)|term|term|..."; first line the encoding, UTF-8 or ISO8859-1). Keeps one-word
  // headwords and one-word terms only, analysed as the classifier analyses text in `language`
  // (normalised, stemmed; stop words dropped). Terms marked "(antonym)" are skipped; other
  // annotations ("(generic term)", "(ugs.)") are removed. Headwords with the same stem share one
  // merged list. Errors: kNotFound (cannot open), kParse (no entry could be read).
  static Result<std::unique_ptr<Thesaurus>> load(const std::string& dat_path,
                                                 std::string_view language);
  // The same from the file's content (for tests).
  static Result<std::unique_ptr<Thesaurus>> parse(std::string_view content,
                                                  std::string_view language);

  // Stems related to the stem `stem` (never `stem` itself), in the thesaurus' order: the synonyms
  // of its first sense first. Empty when the thesaurus does not know the word.
  std::span<const std::uint32_t> related(std::string_view stem) const;
  const std::string& stem_of(std::uint32_t id) const { return stems_[id]; }

  std::size_t entries() const { return related_.size(); }
  // Approximate heap bytes held (strings, lists and hash tables).
  std::size_t memory_bytes() const;

 private:
  // Lets `related` look a string_view up without building a std::string.
  struct StemHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> stems_;  // id → stem
  std::unordered_map<std::string, std::vector<std::uint32_t>, StemHash, std::equal_to<>>
      related_;  // stem → related ids
};

// Where the process-wide lexicon of a language lives: the MyThes .dat file of the Debian package
// for en, de, fr and es, under /usr/share/mythes or the directory named by the environment
// variable BATON_MYTHES_DIR; "" for other languages.
std::string lexicon_path(std::string_view language);

// The process-wide thesaurus for the primary subtag of `language`, loaded on first call and kept
// for the life of the process (thread-safe). nullptr when the language has no lexicon or its file
// could not be read; `lexicon_status` then says why (e.g. "install mythes-en-us").
const Thesaurus* lexicon_for(std::string_view language);
Status lexicon_status(std::string_view language);

}  // namespace baton::nlu
