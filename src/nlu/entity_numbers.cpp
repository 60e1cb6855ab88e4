// Numbers, money and percentages: a small lexer over normalised text, digit forms with
// language-dependent separators, and number words in English, German, French and Spanish.
#include <utf8proc.h>

#include <cmath>
#include <string>
#include <unordered_map>

#include "nlu/entity_parts.hpp"
#include "nlu/text.hpp"

namespace baton::nlu::detail {
namespace {

// Up to 15 significant digits survive a double exactly; longer digit runs are not amounts.
constexpr std::size_t kMaxDigits = 15;
constexpr double kMaxMagnitude = 1e15;

enum class WordKind { kValue, kHundred, kScale, kDozen, kConnector, kArticle };
struct NumberWord {
  WordKind kind;
  double value;
};
using WordTable = std::unordered_map<std::string_view, NumberWord>;

void add_values(WordTable& t, std::initializer_list<std::pair<std::string_view, double>> words) {
  for (const auto& [w, v] : words) {
    t.emplace(w, NumberWord{WordKind::kValue, v});
  }
}

WordTable english_words() {
  WordTable t;
  add_values(
      t, {{"zero", 0},     {"one", 1},      {"two", 2},        {"three", 3},     {"four", 4},
          {"five", 5},     {"six", 6},      {"seven", 7},      {"eight", 8},     {"nine", 9},
          {"ten", 10},     {"eleven", 11},  {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14},
          {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19},
          {"twenty", 20},  {"thirty", 30},  {"forty", 40},     {"fifty", 50},    {"sixty", 60},
          {"seventy", 70}, {"eighty", 80},  {"ninety", 90}});
  t.emplace("hundred", NumberWord{WordKind::kHundred, 100});
  t.emplace("thousand", NumberWord{WordKind::kScale, 1e3});
  t.emplace("million", NumberWord{WordKind::kScale, 1e6});
  t.emplace("billion", NumberWord{WordKind::kScale, 1e9});
  t.emplace("dozen", NumberWord{WordKind::kDozen, 12});
  t.emplace("and", NumberWord{WordKind::kConnector, 0});
  t.emplace("a", NumberWord{WordKind::kArticle, 1});
  t.emplace("an", NumberWord{WordKind::kArticle, 1});
  return t;
}

WordTable german_words() {
  WordTable t;
  add_values(
      t, {{"null", 0},      {"eins", 1},      {"ein", 1},       {"eine", 1},      {"zwei", 2},
          {"drei", 3},      {"vier", 4},      {"funf", 5},      {"sechs", 6},     {"sieben", 7},
          {"acht", 8},      {"neun", 9},      {"zehn", 10},     {"elf", 11},      {"zwolf", 12},
          {"dreizehn", 13}, {"vierzehn", 14}, {"funfzehn", 15}, {"sechzehn", 16}, {"siebzehn", 17},
          {"achtzehn", 18}, {"neunzehn", 19}, {"zwanzig", 20},  {"dreissig", 30}, {"vierzig", 40},
          {"funfzig", 50},  {"sechzig", 60},  {"siebzig", 70},  {"achtzig", 80},  {"neunzig", 90}});
  t.emplace("hundert", NumberWord{WordKind::kHundred, 100});
  t.emplace("tausend", NumberWord{WordKind::kScale, 1e3});
  t.emplace("million", NumberWord{WordKind::kScale, 1e6});
  t.emplace("millionen", NumberWord{WordKind::kScale, 1e6});
  t.emplace("milliarde", NumberWord{WordKind::kScale, 1e9});
  t.emplace("milliarden", NumberWord{WordKind::kScale, 1e9});
  t.emplace("dutzend", NumberWord{WordKind::kDozen, 12});
  t.emplace("und", NumberWord{WordKind::kConnector, 0});
  return t;
}

WordTable french_words() {
  WordTable t;
  add_values(
      t, {{"zero", 0},      {"un", 1},        {"une", 1},        {"deux", 2},      {"trois", 3},
          {"quatre", 4},    {"cinq", 5},      {"six", 6},        {"sept", 7},      {"huit", 8},
          {"neuf", 9},      {"dix", 10},      {"onze", 11},      {"douze", 12},    {"treize", 13},
          {"quatorze", 14}, {"quinze", 15},   {"seize", 16},     {"vingt", 20},    {"vingts", 20},
          {"trente", 30},   {"quarante", 40}, {"cinquante", 50}, {"soixante", 60}, {"septante", 70},
          {"huitante", 80}, {"nonante", 90}});
  t.emplace("cent", NumberWord{WordKind::kHundred, 100});
  t.emplace("cents", NumberWord{WordKind::kHundred, 100});
  t.emplace("mille", NumberWord{WordKind::kScale, 1e3});
  t.emplace("million", NumberWord{WordKind::kScale, 1e6});
  t.emplace("millions", NumberWord{WordKind::kScale, 1e6});
  t.emplace("milliard", NumberWord{WordKind::kScale, 1e9});
  t.emplace("milliards", NumberWord{WordKind::kScale, 1e9});
  t.emplace("douzaine", NumberWord{WordKind::kDozen, 12});
  t.emplace("et", NumberWord{WordKind::kConnector, 0});
  return t;
}

WordTable spanish_words() {
  WordTable t;
  add_values(
      t, {{"cero", 0},         {"uno", 1},           {"una", 1},           {"un", 1},
          {"dos", 2},          {"tres", 3},          {"cuatro", 4},        {"cinco", 5},
          {"seis", 6},         {"siete", 7},         {"ocho", 8},          {"nueve", 9},
          {"diez", 10},        {"once", 11},         {"doce", 12},         {"trece", 13},
          {"catorce", 14},     {"quince", 15},       {"dieciseis", 16},    {"diecisiete", 17},
          {"dieciocho", 18},   {"diecinueve", 19},   {"veinte", 20},       {"veintiuno", 21},
          {"veintidos", 22},   {"veintitres", 23},   {"veinticuatro", 24}, {"veinticinco", 25},
          {"veintiseis", 26},  {"veintisiete", 27},  {"veintiocho", 28},   {"veintinueve", 29},
          {"treinta", 30},     {"cuarenta", 40},     {"cincuenta", 50},    {"sesenta", 60},
          {"setenta", 70},     {"ochenta", 80},      {"noventa", 90},      {"cien", 100},
          {"ciento", 100},     {"doscientos", 200},  {"trescientos", 300}, {"cuatrocientos", 400},
          {"quinientos", 500}, {"seiscientos", 600}, {"setecientos", 700}, {"ochocientos", 800},
          {"novecientos", 900}});
  t.emplace("mil", NumberWord{WordKind::kScale, 1e3});
  t.emplace("millon", NumberWord{WordKind::kScale, 1e6});
  t.emplace("millones", NumberWord{WordKind::kScale, 1e6});
  t.emplace("docena", NumberWord{WordKind::kDozen, 12});
  t.emplace("y", NumberWord{WordKind::kConnector, 0});
  return t;
}

const WordTable* table_for(std::string_view language) {
  static const WordTable en = english_words();
  static const WordTable de = german_words();
  static const WordTable fr = french_words();
  static const WordTable es = spanish_words();
  const std::string p = primary_language(language);
  if (p == "de") {
    return &de;
  }
  if (p == "fr") {
    return &fr;
  }
  if (p == "es") {
    return &es;
  }
  return &en;
}

const std::unordered_map<std::string_view, double>& ordinal_words() {
  static const std::unordered_map<std::string_view, double> words{
      {"first", 1},       {"second", 2},     {"third", 3},      {"fourth", 4},
      {"fifth", 5},       {"sixth", 6},      {"seventh", 7},    {"eighth", 8},
      {"ninth", 9},       {"tenth", 10},     {"eleventh", 11},  {"twelfth", 12},
      {"thirteenth", 13}, {"fifteenth", 15}, {"twentieth", 20}, {"thirtieth", 30}};
  return words;
}

// Looks a word up in the language's table, then in English (customers mix languages), then as a
// German compound ("zweihundertfunfundzwanzig") split greedily into table words.
std::vector<NumberWord> number_words(std::string_view word, std::string_view language) {
  const WordTable* table = table_for(language);
  static const WordTable& en = *table_for("en");
  for (const WordTable* t : {table, &en}) {
    if (auto it = t->find(word); it != t->end()) {
      return {it->second};
    }
  }
  if (primary_language(language) != "de" || word.size() < 6 || word.size() > 60) {
    return {};
  }
  std::vector<NumberWord> parts;
  std::size_t pos = 0;
  while (pos < word.size()) {
    std::size_t best = 0;
    for (std::size_t len = std::min<std::size_t>(10, word.size() - pos); len >= 3; --len) {
      if (table->contains(word.substr(pos, len))) {
        best = len;
        break;
      }
    }
    if (best == 0) {
      return {};
    }
    parts.push_back(table->at(word.substr(pos, best)));
    pos += best;
  }
  return parts;
}

// Accumulates number words left to right: "two hundred thirty thousand five" = 230005.
class WordNumber {
 public:
  explicit WordNumber(bool french) : french_(french) {}
  void add(const NumberWord& w) {
    switch (w.kind) {
      case WordKind::kValue:
        // French "quatre-vingt(s)" multiplies: 4 then 20 means 80.
        if (french_ && w.value == 20 && std::fmod(current_, 100) == 4) {
          current_ += 76;
        } else {
          current_ += w.value;
        }
        break;
      case WordKind::kHundred:
        current_ = (current_ == 0 ? 1 : current_) * 100;
        break;
      case WordKind::kScale:
        total_ += (current_ == 0 ? 1 : current_) * w.value;
        current_ = 0;
        break;
      case WordKind::kDozen:
        current_ = (current_ == 0 ? 1 : current_) * 12;
        break;
      case WordKind::kConnector:
      case WordKind::kArticle:
        break;
    }
  }
  double value() const { return total_ + current_; }

 private:
  bool french_;
  double total_ = 0;
  double current_ = 0;
};

bool is_separator(const Token& t) {
  return t.kind == Token::Kind::kSymbol && !t.space_before &&
         (t.text == "." || t.text == "," || t.text == "'");
}

// Reads a digit-form number starting at tokens[i] (a kDigits token); returns tokens consumed.
std::size_t read_digits(const std::vector<Token>& tokens, std::size_t i, std::string_view language,
                        double& value) {
  // Collect digit groups and the separators between them.
  std::vector<std::string> groups{tokens[i].text};
  std::vector<char> seps;
  std::size_t j = i + 1;
  while (j + 1 < tokens.size() && is_separator(tokens[j]) &&
         tokens[j + 1].kind == Token::Kind::kDigits && !tokens[j + 1].space_before) {
    seps.push_back(tokens[j].text[0]);
    groups.push_back(tokens[j + 1].text);
    j += 2;
  }
  const std::string p = primary_language(language);
  const char language_decimal = (p == "en" || p.empty()) ? '.' : ',';
  // The decimal separator: the last separator when two kinds appear, else the single separator
  // unless it is the language's thousands separator followed by exactly three digits.
  char decimal = 0;
  if (!seps.empty()) {
    const char last = seps.back();
    const bool mixed = seps.front() != last;
    const bool repeated = seps.size() > 1;
    if (last == '\'') {
      decimal = 0;
    } else if (mixed || (!repeated && (last == language_decimal || groups.back().size() != 3))) {
      decimal = last;
    }
  }
  std::string digits;
  std::string fraction;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const bool after_decimal = decimal != 0 && g == groups.size() - 1;
    if (g > 0 && !after_decimal && groups[g].size() != 3) {
      // "1,23,4" is no number we understand: keep the leading part only.
      j = i + 2 * g - 1;
      break;
    }
    (after_decimal ? fraction : digits) += groups[g];
  }
  if (digits.size() > kMaxDigits) {
    digits.resize(kMaxDigits);  // absurd lengths: a cap, not a crash
  }
  value = std::strtod((digits + (fraction.empty() ? "" : "." + fraction.substr(0, 6))).c_str(),
                      nullptr);
  return j - i;
}

double scale_word(std::string_view w) {
  static const std::unordered_map<std::string_view, double> scales{
      {"k", 1e3},       {"thousand", 1e3},  {"million", 1e6},    {"millions", 1e6},
      {"mio", 1e6},     {"millionen", 1e6}, {"millones", 1e6},   {"millon", 1e6},
      {"bn", 1e9},      {"billion", 1e9},   {"milliarden", 1e9}, {"milliards", 1e9},
      {"tausend", 1e3}, {"mille", 1e3},     {"mil", 1e3},        {"hundred", 1e2},
      {"hundert", 1e2}, {"dozen", 12}};
  auto it = scales.find(w);
  return it == scales.end() ? 0.0 : it->second;
}

}  // namespace

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto size = static_cast<utf8proc_ssize_t>(s.size());
  utf8proc_ssize_t pos = 0;
  bool space = false;
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (len <= 0) {
      len = 1;
      cp = 0xFFFD;
    }
    const std::string_view piece =
        s.substr(static_cast<std::size_t>(pos), static_cast<std::size_t>(len));
    pos += len;
    const auto cat = utf8proc_category(cp);
    Token::Kind kind = Token::Kind::kSymbol;
    if (cp >= '0' && cp <= '9') {
      kind = Token::Kind::kDigits;
    } else if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
               (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)) {
      kind = Token::Kind::kWord;
    } else if (cat == UTF8PROC_CATEGORY_ZS || cp == '\t' || cp == '\n' || cp == '\r') {
      space = true;
      continue;
    }
    const bool apostrophe_in_word = (cp == '\'' || cp == 0x2019) && !out.empty() &&
                                    out.back().kind == Token::Kind::kWord && !space && pos < size &&
                                    std::isalpha(bytes[pos]) != 0;
    if (apostrophe_in_word) {
      out.back().text.push_back('\'');
      continue;
    }
    const bool extend =
        kind != Token::Kind::kSymbol && !out.empty() && !space && out.back().kind == kind;
    if (extend) {
      out.back().text.append(piece);
    } else {
      out.push_back(Token{kind, std::string(piece), space});
    }
    space = false;
  }
  return out;
}

boost::json::value number_value(double v) {
  if (std::isfinite(v) && std::abs(v) < kMaxMagnitude && v == std::floor(v)) {
    return boost::json::value(static_cast<std::int64_t>(v));
  }
  return boost::json::value(v);
}

namespace {

// A digit-form number at tokens[i] with its sign, ordinal suffix or scale word.
NumberMention digit_mention(const std::vector<Token>& tokens, std::size_t i,
                            std::string_view language) {
  NumberMention m;
  m.first = i;
  const bool negative = i > 0 && tokens[i - 1].text == "-" && !tokens[i].space_before &&
                        (i == 1 || tokens[i - 1].space_before);
  i += read_digits(tokens, i, language, m.value);
  if (negative) {
    m.first -= 1;
    m.value = -m.value;
  }
  if (i < tokens.size() && tokens[i].kind == Token::Kind::kWord) {
    const std::string& w = tokens[i].text;
    if (!tokens[i].space_before && (w == "st" || w == "nd" || w == "rd" || w == "th")) {
      m.ordinal = true;
      ++i;
    } else if (const double scale = scale_word(w); scale != 0.0) {
      m.value *= scale;
      ++i;
    }
  }
  m.last = i;
  return m;
}

// A run of number words starting at tokens[i] (hyphens and connectors allowed between them);
// `last` == `first` when there is none.
NumberMention word_mention(const std::vector<Token>& tokens, std::size_t i,
                           std::string_view language) {
  WordNumber number(primary_language(language) == "fr");
  std::size_t j = i;
  std::size_t end = i;
  bool any_value = false;
  while (j < tokens.size()) {
    if (tokens[j].kind == Token::Kind::kSymbol && tokens[j].text == "-" && j > i) {
      ++j;
      continue;
    }
    if (tokens[j].kind != Token::Kind::kWord) {
      break;
    }
    const auto words = number_words(tokens[j].text, language);
    if (words.empty()) {
      break;
    }
    const WordKind k = words.front().kind;
    const bool filler = k == WordKind::kConnector || k == WordKind::kArticle;
    if (filler && (!any_value && k == WordKind::kConnector)) {
      break;
    }
    for (const auto& w : words) {
      number.add(w);
      any_value = any_value || (w.kind != WordKind::kConnector && w.kind != WordKind::kArticle);
    }
    ++j;
    if (!filler) {
      end = j;
    }
  }
  return NumberMention{number.value(), i, any_value ? end : i, false};
}

}  // namespace

std::vector<NumberMention> find_numbers(const std::vector<Token>& tokens,
                                        std::string_view language) {
  std::vector<NumberMention> out;
  std::size_t i = 0;
  while (i < tokens.size()) {
    const Token& t = tokens[i];
    if (t.kind != Token::Kind::kDigits && t.kind != Token::Kind::kWord) {
      ++i;
      continue;
    }
    NumberMention m;
    if (t.kind == Token::Kind::kDigits) {
      m = digit_mention(tokens, i, language);
    } else if (auto it = ordinal_words().find(t.text); it != ordinal_words().end()) {
      m = NumberMention{it->second, i, i + 1, true};
    } else {
      m = word_mention(tokens, i, language);
    }
    if (m.last <= i) {
      ++i;
      continue;
    }
    i = m.last;
    if (std::abs(m.value) < kMaxMagnitude) {  // "hundred hundred hundred ..." is no amount
      out.push_back(m);
    }
  }
  return out;
}

std::optional<boost::json::value> extract_number(std::string_view text, const EntityContext& ctx) {
  const auto tokens = lex(normalize(text));
  const auto numbers = find_numbers(tokens, ctx.language);
  if (numbers.empty()) {
    return std::nullopt;
  }
  return number_value(numbers.front().value);
}

namespace {

// ISO 4217 code for a currency symbol or word, "" when the token names no currency.
std::string currency_of(std::string_view w) {
  static const std::unordered_map<std::string_view, std::string_view> currencies{
      {"$", "USD"},       {"usd", "USD"},  {"dollar", "USD"}, {"dollars", "USD"}, {"buck", "USD"},
      {"bucks", "USD"},   {"us$", "USD"},  {"€", "EUR"},      {"eur", "EUR"},     {"euro", "EUR"},
      {"euros", "EUR"},   {"£", "GBP"},    {"gbp", "GBP"},    {"pound", "GBP"},   {"pounds", "GBP"},
      {"quid", "GBP"},    {"¥", "JPY"},    {"jpy", "JPY"},    {"yen", "JPY"},     {"chf", "CHF"},
      {"franken", "CHF"}, {"cad", "CAD"},  {"aud", "AUD"},    {"inr", "INR"},     {"₹", "INR"},
      {"rupees", "INR"},  {"cny", "CNY"},  {"yuan", "CNY"},   {"sek", "SEK"},     {"nok", "NOK"},
      {"dkk", "DKK"},     {"mxn", "MXN"},  {"pesos", "MXN"},  {"brl", "BRL"},     {"reais", "BRL"},
      {"pln", "PLN"},     {"zloty", "PLN"}};
  auto it = currencies.find(w);
  return it == currencies.end() ? std::string() : std::string(it->second);
}

}  // namespace

std::optional<boost::json::value> extract_money(std::string_view text, const EntityContext& ctx) {
  const auto tokens = lex(normalize(text));
  const auto numbers = find_numbers(tokens, ctx.language);
  std::optional<boost::json::value> bare;
  for (const auto& m : numbers) {
    if (m.ordinal) {
      continue;
    }
    std::string currency;
    if (m.first > 0) {
      currency = currency_of(tokens[m.first - 1].text);
    }
    if (currency.empty() && m.last < tokens.size()) {
      currency = currency_of(tokens[m.last].text);
    }
    double amount = m.value;
    // "20 dollars and 50 cents", "15.50 EUR"
    boost::json::object money;
    money["amount"] = number_value(amount);
    money["currency"] = currency;
    if (!currency.empty()) {
      return boost::json::value(std::move(money));
    }
    if (!bare) {
      bare = boost::json::value(std::move(money));
    }
  }
  return bare;
}

std::optional<boost::json::value> extract_percentage(std::string_view text,
                                                     const EntityContext& ctx) {
  const auto tokens = lex(normalize(text));
  const auto numbers = find_numbers(tokens, ctx.language);
  std::optional<boost::json::value> bare;
  for (const auto& m : numbers) {
    if (m.ordinal) {
      continue;
    }
    const std::string next = m.last < tokens.size() ? tokens[m.last].text : "";
    const std::string after = m.last + 1 < tokens.size() ? tokens[m.last + 1].text : "";
    const bool marked = next == "%" || next == "percent" || next == "pct" || next == "prozent" ||
                        next == "porciento" || (next == "per" && after == "cent") ||
                        (next == "pour" && after == "cent") || (next == "por" && after == "ciento");
    if (marked) {
      return number_value(m.value);
    }
    if (!bare) {
      bare = number_value(m.value);
    }
  }
  return bare;
}

}  // namespace baton::nlu::detail
