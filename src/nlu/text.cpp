#include "nlu/text.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "core/utf8.hpp"

namespace baton::nlu {

namespace {

bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

bool is_ascii_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string normalize_unicode(std::string_view text) {
  const std::string valid = utf8::sanitize(text);
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                      UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &mapped, options);
  std::string folded;
  if (n >= 0 && mapped != nullptr) {
    folded.assign(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
  }
  std::free(mapped);  // NOLINT: utf8proc allocates with malloc
  return utf8::collapse_whitespace(folded);
}

std::string normalize(std::string_view text) {
  if (!is_ascii(text)) {
    return normalize_unicode(text);
  }
  // ASCII is its own NFKC form and has no marks; case folding is A-Z -> a-z.
  std::string folded(text);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return utf8::collapse_whitespace(folded);
}

std::vector<std::string> tokenize(std::string_view normalized) {
  std::vector<std::string> tokens;
  std::string current;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(normalized.data());
  utf8proc_ssize_t pos = 0;
  const auto size = static_cast<utf8proc_ssize_t>(normalized.size());
  while (pos < size) {
    if (const char c = normalized[static_cast<std::size_t>(pos)];
        static_cast<unsigned char>(c) < 0x80) {  // ASCII without a table lookup
      if (c == '\'' && !current.empty()) {
        current.push_back('\'');
      } else if (is_ascii_word_char(c)) {
        current.push_back(c);
      } else if (!current.empty()) {
        tokens.push_back(std::move(current));
        current.clear();
      }
      ++pos;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (len <= 0) {
      ++pos;
      continue;
    }
    const auto cat = utf8proc_category(cp);
    const bool word_char = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                           (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) ||
                           cat == UTF8PROC_CATEGORY_ND;
    const bool apostrophe = (cp == '\'' || cp == 0x2019) && !current.empty();
    if (apostrophe) {
      current.push_back('\'');  // U+2019 too, so "what’s" and "what's" are one token
    } else if (word_char) {
      current.append(
          normalized.substr(static_cast<std::size_t>(pos), static_cast<std::size_t>(len)));
    } else if (!current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
    pos += len;
  }
  if (!current.empty()) {
    tokens.push_back(std::move(current));
  }
  for (auto& t : tokens) {
    while (!t.empty() && t.back() == '\'') {
      t.pop_back();
    }
  }
  return tokens;
}

}  // namespace baton::nlu

namespace baton::nlu {

std::vector<AnalyzedToken> analyze(std::string_view text, std::string_view language) {
  std::vector<AnalyzedToken> out;
  const std::string primary = primary_language(language);
  // French and Italian elide articles and pronouns into the next word ("l'adresse", "j'ai"):
  // split them off so the content word matches its unelided form.
  const bool elides = primary == "fr" || primary == "it";
  std::vector<std::string> tokens;
  for (auto& tok : tokenize(normalize(text))) {
    const auto apos = tok.find('\'');
    if (elides && apos != std::string::npos && apos > 0 && apos <= 2 && apos + 1 < tok.size()) {
      tokens.push_back(tok.substr(0, apos));
      tokens.push_back(tok.substr(apos + 1));
    } else {
      tokens.push_back(std::move(tok));
    }
  }
  for (auto& tok : tokens) {
    AnalyzedToken at;
    at.stop = is_stop_word(language, tok);
    at.stem = stem(language, tok);
    at.text = std::move(tok);
    out.push_back(std::move(at));
  }
  return out;
}

}  // namespace baton::nlu
