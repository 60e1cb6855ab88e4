// Yes/no answers (en, de, fr, es, with negation) and choices with synonyms, token containment and
// typo tolerance.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "nlu/entity_parts.hpp"
#include "nlu/text.hpp"

namespace baton::nlu::detail {
namespace {

// Phrases (normalised tokens joined by spaces) that answer yes (true) or no (false). Multi-word
// phrases are matched before single words so "not really" and "no problem" win over "no"/"really".
const std::vector<std::pair<std::string_view, bool>>& yes_no_phrases() {
  static const std::vector<std::pair<std::string_view, bool>> phrases{
      // English
      {"no problem", true},
      {"no worries", true},
      {"of course not", false},
      {"not really", false},
      {"not at all", false},
      {"no thanks", false},
      {"no thank you", false},
      {"i don't think so", false},
      {"don't", false},
      {"do not", false},
      {"not sure", false},
      {"of course", true},
      {"that's right", true},
      {"that is right", true},
      {"sounds good", true},
      {"go ahead", true},
      {"please do", true},
      {"i do", true},
      {"yes", true},
      {"y", true},
      {"yeah", true},
      {"yea", true},
      {"yep", true},
      {"yup", true},
      {"ya", true},
      {"sure", true},
      {"ok", true},
      {"okay", true},
      {"k", true},
      {"correct", true},
      {"right", true},
      {"absolutely", true},
      {"definitely", true},
      {"certainly", true},
      {"affirmative", true},
      {"agreed", true},
      {"indeed", true},
      {"no", false},
      {"n", false},
      {"nope", false},
      {"nah", false},
      {"negative", false},
      {"never", false},
      {"incorrect", false},
      {"wrong", false},
      // German
      {"auf keinen fall", false},
      {"nicht wirklich", false},
      {"auf jeden fall", true},
      {"na klar", true},
      {"ja", true},
      {"jawohl", true},
      {"jep", true},
      {"genau", true},
      {"klar", true},
      {"stimmt", true},
      {"richtig", true},
      {"gerne", true},
      {"gern", true},
      {"nein", false},
      {"ne", false},
      {"nee", false},
      {"no", false},
      {"falsch", false},
      {"niemals", false},
      // French
      {"pas vraiment", false},
      {"pas du tout", false},
      {"bien sur", true},
      {"d'accord", true},
      {"tout a fait", true},
      {"oui", true},
      {"ouais", true},
      {"exactement", true},
      {"volontiers", true},
      {"non", false},
      {"jamais", false},
      {"pas", false},
      // Spanish
      {"para nada", false},
      {"en absoluto", false},
      {"no gracias", false},
      {"por supuesto", true},
      {"de acuerdo", true},
      {"si", true},
      {"claro", true},
      {"vale", true},
      {"correcto", true},
      {"exacto", true},
      {"nunca", false},
  };
  return phrases;
}

// Words that turn a following yes-word into a no: "not ok", "nicht richtig", "pas d'accord".
bool is_negation(std::string_view w) {
  return w == "not" || w == "nicht" || w == "kein" || w == "pas" || w == "ne" || w == "no";
}

std::vector<std::string> words_of(std::string_view text) { return tokenize(normalize(text)); }

bool phrase_at(const std::vector<std::string>& words, std::size_t i,
               const std::vector<std::string>& phrase) {
  if (i + phrase.size() > words.size()) {
    return false;
  }
  return std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<long>(i));
}

}  // namespace

std::optional<boost::json::value> extract_yes_no(std::string_view text,
                                                 const EntityContext& /*ctx*/) {
  static const auto split = [] {
    std::vector<std::pair<std::vector<std::string>, bool>> out;
    for (const auto& [p, v] : yes_no_phrases()) {
      out.emplace_back(tokenize(std::string(p)), v);
    }
    return out;
  }();
  const auto words = words_of(text);
  std::optional<bool> answer;
  for (std::size_t i = 0; i < words.size();) {
    std::size_t matched = 0;
    bool value = false;
    for (const auto& [phrase, v] : split) {
      if (phrase.size() > matched && phrase_at(words, i, phrase)) {
        matched = phrase.size();
        value = v;
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    if (value && i > 0 && is_negation(words[i - 1])) {
      value = false;
    }
    if (words[i] == "not" && matched == 2 && words[i + 1] == "sure") {
      return std::nullopt;  // "not sure" is no answer
    }
    if (answer && *answer != value) {
      return std::nullopt;  // "yes and no"
    }
    answer = value;
    i += matched;
  }
  if (!answer) {
    return std::nullopt;
  }
  return boost::json::value(*answer);
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  if (a.size() > b.size()) {
    std::swap(a, b);
  }
  if (b.size() - a.size() > limit) {
    return limit + 1;
  }
  const std::size_t n = a.size();
  std::vector<std::size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
  for (std::size_t i = 0; i <= n; ++i) {
    prev[i] = i;
  }
  for (std::size_t j = 1; j <= b.size(); ++j) {
    cur[0] = j;
    std::size_t row_min = cur[0];
    for (std::size_t i = 1; i <= n; ++i) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[i] = std::min({prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[i] = std::min(cur[i], prev2[i - 2] + 1);  // transposition
      }
      row_min = std::min(row_min, cur[i]);
    }
    if (row_min > limit) {
      return limit + 1;
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return std::min(prev[n], limit + 1);
}

namespace {

// Typos allowed in a word of this many bytes: none up to 3, one up to 7, then two.
std::size_t typo_budget(std::size_t len) { return len <= 3 ? 0 : (len <= 7 ? 1 : 2); }

struct Phrase {
  std::vector<std::string> words;  // content words (stop words dropped unless all are stop words)
  std::size_t option = 0;
};

std::vector<std::string> content_words(std::string_view text, std::string_view language) {
  std::vector<std::string> all;
  std::vector<std::string> content;
  for (auto& tok : analyze(text, language)) {
    all.push_back(tok.text);
    if (!tok.stop) {
      content.push_back(tok.text);
    }
  }
  return content.empty() ? all : content;
}

// How well the answer covers the phrase: 2 per exactly present word, 1 per typo'd word; 0 when a
// phrase word is missing.
int coverage(const std::vector<std::string>& answer, const std::vector<std::string>& phrase,
             std::string_view language) {
  int score = 0;
  for (const auto& pw : phrase) {
    int best = 0;
    const std::string pstem = stem(language, pw);
    for (const auto& aw : answer) {
      if (aw == pw || stem(language, aw) == pstem) {
        best = 2;
        break;
      }
      const std::size_t budget = typo_budget(pw.size());
      if (budget > 0 && edit_distance(aw, pw, budget) <= budget) {
        best = 1;
      }
    }
    if (best == 0) {
      return 0;
    }
    score += best;
  }
  return score;
}

}  // namespace

std::optional<boost::json::value> extract_choice(std::string_view text, const EntityContext& ctx) {
  if (ctx.choices == nullptr || ctx.choices->empty()) {
    return std::nullopt;
  }
  const auto& options = *ctx.choices;
  const std::string answer = normalize(text);
  // 1. The whole answer is a value or synonym.
  for (const auto& option : options) {
    if (normalize(option.value) == answer) {
      return boost::json::value(option.value);
    }
    for (const auto& syn : option.synonyms) {
      if (normalize(syn) == answer) {
        return boost::json::value(option.value);
      }
    }
  }
  // 2. The answer contains a value or synonym, possibly with typos; the best-covered option wins,
  //    a tie between options is ambiguous.
  const auto answer_words = content_words(text, ctx.language);
  if (answer_words.empty() || answer_words.size() > 64) {
    return std::nullopt;
  }
  std::vector<int> best(options.size(), 0);
  for (std::size_t o = 0; o < options.size(); ++o) {
    std::vector<std::string_view> names{options[o].value};
    names.insert(names.end(), options[o].synonyms.begin(), options[o].synonyms.end());
    for (const auto name : names) {
      const auto words = content_words(name, ctx.language);
      if (!words.empty()) {
        best[o] = std::max(best[o], coverage(answer_words, words, ctx.language));
      }
    }
  }
  const auto top = std::max_element(best.begin(), best.end());
  if (*top > 0 && std::count(best.begin(), best.end(), *top) == 1) {
    return boost::json::value(options[static_cast<std::size_t>(top - best.begin())].value);
  }
  if (*top > 0) {
    return std::nullopt;
  }
  // 3. "the second one", "2", "the last": a position in the list.
  const auto tokens = lex(answer);
  const auto numbers = find_numbers(tokens, ctx.language);
  const bool last =
      std::find(answer_words.begin(), answer_words.end(), "last") != answer_words.end();
  if (last) {
    return boost::json::value(options.back().value);
  }
  const auto ordinal = std::find_if(numbers.begin(), numbers.end(),
                                    [](const NumberMention& m) { return m.ordinal; });
  std::optional<double> position;
  if (ordinal != numbers.end()) {
    position = ordinal->value;
  } else if (numbers.size() == 1 && tokens.size() <= 3) {
    position = numbers[0].value;  // "2", "number 2", "option 2"
  }
  if (position && *position >= 1 && *position <= static_cast<double>(options.size()) &&
      *position == static_cast<double>(static_cast<int>(*position))) {
    return boost::json::value(options[static_cast<std::size_t>(*position) - 1].value);
  }
  return std::nullopt;
}

}  // namespace baton::nlu::detail
