// MyThes thesaurus loading (see thesaurus.hpp).
#include "nlu/thesaurus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>

#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

// A headword keeps at most this many related stems (the first senses' synonyms come first); the
// classifier reads fewer. Bounds memory for words with dozens of senses ("break", "run").
constexpr std::size_t kMaxRelatedPerEntry = 48;

std::string latin1_to_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// Splits on '|'.
std::vector<std::string_view> split_bar(std::string_view line) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = line.find('|', start);
    parts.push_back(line.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) {
      return parts;
    }
    start = bar + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

class Builder {
 public:
  explicit Builder(std::string_view language) : language_(language) {
    term_cache_.reserve(1U << 18U);
    stem_ids_.reserve(1U << 17U);
  }

  // Stem id of a one-word, non-stop term; -1 otherwise. Cached per raw term, which must outlive
  // the builder (it points into the file's content).
  std::int64_t term_id(std::string_view raw) {
    auto [it, added] = term_cache_.try_emplace(raw, -1);
    if (!added) {
      return it->second;
    }
    if (raw.find(' ') != std::string_view::npos) {
      return -1;
    }
    const auto tokens = analyze(raw, language_);
    if (tokens.size() != 1 || tokens.front().stop) {
      return -1;
    }
    auto [sid, fresh] =
        stem_ids_.try_emplace(tokens.front().stem, static_cast<std::uint32_t>(stems_.size()));
    if (fresh) {
      stems_.push_back(tokens.front().stem);
      lists_.emplace_back();
    }
    it->second = sid->second;
    return it->second;
  }

  // Headwords with the same stem ("annuler", "annulation") are merged by rank: every headword's
  // first term, then every second one, and so on.
  void add(std::uint32_t head, const std::vector<std::uint32_t>& terms) {
    auto& list = lists_[head];
    for (std::size_t rank = 0; rank < terms.size(); ++rank) {
      if (terms[rank] != head) {
        list.emplace_back(static_cast<std::uint32_t>(rank), terms[rank]);
      }
    }
  }

  // stem id → related stem ids, deduplicated, best first, at most kMaxRelatedPerEntry.
  std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> finish() {
    std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> out;
    for (std::uint32_t head = 0; head < lists_.size(); ++head) {
      auto& ranked = lists_[head];
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<std::uint32_t> list;
      for (const auto& [rank, id] : ranked) {
        if (list.size() < kMaxRelatedPerEntry &&
            std::find(list.begin(), list.end(), id) == list.end()) {
          list.push_back(id);
        }
      }
      if (!list.empty()) {
        out.emplace_back(head, std::move(list));
      }
    }
    return out;
  }

  std::vector<std::string> take_stems() { return std::move(stems_); }

 private:
  std::string language_;
  std::unordered_map<std::string_view, std::int64_t> term_cache_;
  std::unordered_map<std::string, std::uint32_t> stem_ids_;
  std::vector<std::string> stems_;
  // stem id → (rank, related stem id) from every headword with that stem
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> lists_;
};

// One term of a sense line: the text before an annotation, or "" when it must be skipped.
std::string_view term_text(std::string_view term) {
  term = trim(term);
  const std::size_t paren = term.find('(');
  if (paren == std::string_view::npos) {
    return term;
  }
  const std::string_view note = term.substr(paren);
  if (note.find("antonym") != std::string_view::npos) {
    return {};
  }
  return trim(term.substr(0, paren));
}

}  // namespace

Result<std::unique_ptr<Thesaurus>> Thesaurus::parse(std::string_view content,
                                                    std::string_view language) {
  const std::size_t first_eol = content.find('\n');
  const std::string_view encoding = trim(content.substr(0, first_eol));
  std::string converted;
  std::string_view body =
      first_eol == std::string_view::npos ? std::string_view() : content.substr(first_eol + 1);
  if (encoding.find("8859") != std::string_view::npos) {
    converted = latin1_to_utf8(body);
    body = converted;
  }
  Builder builder(language);
  std::size_t pos = 0;
  std::size_t entries = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= body.size()) {
      return false;
    }
    const std::size_t eol = body.find('\n', pos);
    line = body.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? body.size() : eol + 1;
    return true;
  };
  std::string_view line;
  std::vector<std::uint32_t> terms;
  while (next_line(line)) {
    const std::size_t bar = line.rfind('|');
    if (bar == std::string_view::npos) {
      continue;
    }
    const std::string_view word = line.substr(0, bar);
    const std::string count_text(trim(line.substr(bar + 1)));
    char* end = nullptr;
    const long senses = std::strtol(count_text.c_str(), &end, 10);
    if (end == count_text.c_str() || *end != '\0' || senses <= 0) {
      continue;  // not a headword line (a stray sense line): resynchronise on the next one
    }
    const std::int64_t head = builder.term_id(trim(word));
    terms.clear();
    for (long s = 0; s < senses && next_line(line); ++s) {
      if (head < 0) {
        continue;
      }
      const auto parts = split_bar(line);
      for (std::size_t i = 1; i < parts.size(); ++i) {  // parts[0] is the part of speech
        const std::string_view text = term_text(parts[i]);
        if (text.empty()) {
          continue;
        }
        const std::int64_t id = builder.term_id(text);
        if (id >= 0) {
          terms.push_back(static_cast<std::uint32_t>(id));
        }
      }
    }
    if (head >= 0) {
      builder.add(static_cast<std::uint32_t>(head), terms);
      ++entries;
    }
  }
  if (entries == 0) {
    return make_error(ErrorCode::kParse, "no thesaurus entry could be read");
  }
  auto out = std::make_unique<Thesaurus>();
  auto lists = builder.finish();
  out->stems_ = builder.take_stems();
  out->related_.reserve(lists.size());
  for (auto& [head, list] : lists) {
    list.shrink_to_fit();
    out->related_.emplace(out->stems_[head], std::move(list));
  }
  return out;
}

Result<std::unique_ptr<Thesaurus>> Thesaurus::load(const std::string& dat_path,
                                                   std::string_view language) {
  std::ifstream in(dat_path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kNotFound, "cannot open thesaurus " + dat_path);
  }
  in.seekg(0, std::ios::end);
  std::string content(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0, std::ios::beg);
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  auto parsed = parse(content, language);
  if (!parsed.ok()) {
    return make_error(parsed.error().code, dat_path + ": " + parsed.error().message);
  }
  return parsed;
}

std::span<const std::uint32_t> Thesaurus::related(std::string_view stem) const {
  const auto it = related_.find(stem);
  if (it == related_.end()) {
    return {};
  }
  return it->second;
}

std::size_t Thesaurus::memory_bytes() const {
  std::size_t bytes = stems_.capacity() * sizeof(std::string);
  for (const auto& s : stems_) {
    bytes += s.capacity() > 15 ? s.capacity() + 1 : 0;
  }
  // Hash node: key string, vector, next pointer, cached hash; plus one bucket pointer.
  bytes += related_.size() *
               (sizeof(std::string) + sizeof(std::vector<std::uint32_t>) + 2 * sizeof(void*)) +
           related_.bucket_count() * sizeof(void*);
  for (const auto& [stem, list] : related_) {
    bytes += list.capacity() * sizeof(std::uint32_t) + (stem.capacity() > 15 ? stem.size() : 0);
  }
  return bytes;
}

std::string lexicon_path(std::string_view language) {
  const std::string primary = primary_language(language);
  const char* file = nullptr;
  if (primary == "en") {
    file = "th_en_US_v2.dat";
  } else if (primary == "de") {
    file = "th_de_DE_v2.dat";
  } else if (primary == "fr") {
    file = "th_fr_FR_v2.dat";
  } else if (primary == "es") {
    file = "th_es_ES_v2.dat";
  } else {
    return {};
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): Baton never writes the environment (setenv, putenv)
  const char* dir = std::getenv("BATON_MYTHES_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/mythes") + "/" + file;
}

namespace {

struct LoadedLexicon {
  std::unique_ptr<Thesaurus> thesaurus;
  Status status;
};

std::mutex& lexicon_mutex() {
  static std::mutex m;
  return m;
}

// Never destroyed: classifiers may outlive static destruction order.
std::map<std::string, LoadedLexicon, std::less<>>& lexicons() {
  static auto* m = new std::map<std::string, LoadedLexicon, std::less<>>();
  return *m;
}

const LoadedLexicon& loaded(std::string_view language) {
  const std::string primary = primary_language(language);
  const std::lock_guard lock(lexicon_mutex());
  auto& all = lexicons();
  if (auto it = all.find(primary); it != all.end()) {
    return it->second;
  }
  LoadedLexicon entry;
  const std::string path = lexicon_path(primary);
  if (path.empty()) {
    entry.status = make_error(ErrorCode::kNotFound, "no thesaurus for language '" + primary + "'");
  } else if (auto t = Thesaurus::load(path, primary); t.ok()) {
    entry.thesaurus = std::move(t).value();
  } else {
    const std::string package = primary == "en" ? "mythes-en-us" : "mythes-" + primary;
    entry.status = make_error(t.error().code, t.error().message + " (install the Debian package " +
                                                  package + ", as scripts/setup.sh does)");
  }
  return all.emplace(primary, std::move(entry)).first->second;
}

}  // namespace

const Thesaurus* lexicon_for(std::string_view language) { return loaded(language).thesaurus.get(); }

Status lexicon_status(std::string_view language) { return loaded(language).status; }

}  // namespace baton::nlu
