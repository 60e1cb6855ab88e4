// Curated stop-word lists (function words only) for the languages Baton ships example bots in.
// Written accent-free and lower-case because they are compared with normalised tokens, which
// `normalize` case-folds and strips of marks.
#include <string>
#include <string_view>
#include <unordered_set>

#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

using WordSet = std::unordered_set<std::string_view>;

const WordSet& english() {
  static const WordSet words{
      "a",      "an",    "the",   "and",   "or",    "but",    "if",    "of",    "at",    "by",
      "for",    "with",  "about", "to",    "from",  "in",     "on",    "into",  "over",  "under",
      "is",     "am",    "are",   "was",   "were",  "be",     "been",  "being", "do",    "does",
      "did",    "have",  "has",   "had",   "i",     "me",     "my",    "we",    "our",   "us",
      "you",    "your",  "he",    "him",   "his",   "she",    "her",   "it",    "its",   "they",
      "them",   "their", "this",  "that",  "these", "those",  "so",    "than",  "too",   "very",
      "just",   "can",   "will",  "would", "could", "should", "shall", "may",   "might", "must",
      "i'm",    "it's",  "i'd",   "i'll",  "there", "here",   "then",  "also",  "as",    "one",
      "please", "some",  "any",   "all",   "own",   "same",   "such",  "up",    "down",  "out",
  };
  return words;
}

const WordSet& german() {
  static const WordSet words{
      "der",    "die",   "das",   "den",   "dem",   "des",   "ein",    "eine",   "einen",  "einem",
      "einer",  "eines", "und",   "oder",  "aber",  "wenn",  "von",    "vom",    "zu",     "zum",
      "zur",    "mit",   "bei",   "beim",  "fur",   "auf",   "aus",    "an",     "am",     "im",
      "in",     "ins",   "uber",  "unter", "ist",   "sind",  "war",    "waren",  "bin",    "bist",
      "sein",   "hat",   "habe",  "haben", "hatte", "ich",   "mich",   "mir",    "mein",   "meine",
      "meinen", "du",    "dich",  "dir",   "dein",  "er",    "sie",    "es",     "wir",    "uns",
      "unser",  "ihr",   "euch",  "ihnen", "dies",  "diese", "dieser", "dieses", "so",     "als",
      "auch",   "noch",  "doch",  "ja",    "bitte", "mal",   "kann",   "konnen", "mochte", "will",
      "wurde",  "nur",   "schon", "sehr",  "da",    "dann",  "hier",   "dort",   "man",    "wie",
  };
  return words;
}

const WordSet& french() {
  static const WordSet words{
      "le",    "la",    "les",   "l",     "un",    "une",   "des",   "du",       "de",    "d",
      "et",    "ou",    "mais",  "si",    "a",     "au",    "aux",   "en",       "dans",  "sur",
      "sous",  "pour",  "par",   "avec",  "sans",  "chez",  "est",   "sont",     "etre",  "suis",
      "es",    "etait", "ai",    "as",    "avoir", "avez",  "avons", "ont",      "je",    "j",
      "me",    "m",     "moi",   "mon",   "ma",    "mes",   "tu",    "te",       "t",     "toi",
      "ton",   "ta",    "tes",   "il",    "elle",  "on",    "nous",  "vous",     "ils",   "elles",
      "se",    "s",     "leur",  "leurs", "ce",    "c",     "cet",   "cette",    "ces",   "qui",
      "que",   "qu",    "y",     "ne",    "n",     "plus",  "tres",  "aussi",    "alors", "donc",
      "votre", "vos",   "notre", "nos",   "sil",   "plait", "veux",  "voudrais", "peux",  "pouvez",
  };
  return words;
}

const WordSet& spanish() {
  static const WordSet words{
      "el",    "la",     "los",      "las",   "lo",    "un",    "una",      "unos",     "unas",
      "y",     "e",      "o",        "u",     "pero",  "si",    "de",       "del",      "a",
      "al",    "en",     "con",      "sin",   "por",   "para",  "sobre",    "entre",    "es",
      "son",   "soy",    "eres",     "ser",   "esta",  "estoy", "estan",    "era",      "fue",
      "he",    "ha",     "han",      "hay",   "yo",    "me",    "mi",       "mis",      "tu",
      "te",    "ti",     "tus",      "el",    "ella",  "nos",   "nosotros", "vosotros", "ellos",
      "ellas", "se",     "su",       "sus",   "le",    "les",   "este",     "esto",     "ese",
      "eso",   "aquel",  "que",      "como",  "mas",   "muy",   "tambien",  "ya",       "porfa",
      "favor", "quiero", "quisiera", "puedo", "puede", "usted", "ustedes",  "nuestro",
  };
  return words;
}

}  // namespace

bool is_stop_word(std::string_view language, std::string_view token) {
  const std::string primary = primary_language(language);
  const WordSet* set = nullptr;
  if (primary == "en") {
    set = &english();
  } else if (primary == "de") {
    set = &german();
  } else if (primary == "fr") {
    set = &french();
  } else if (primary == "es") {
    set = &spanish();
  }
  return set != nullptr && set->contains(token);
}

}  // namespace baton::nlu
