// Dates and times relative to the context's clock and UTC offset, in English, German, French and
// Spanish: keywords (today, tomorrow), weekdays (next friday), offsets (in 3 days), ISO and
// numeric dates, month names, clock times (3pm, 15:30, 15h30, 15 Uhr, noon).
#include <chrono>
#include <cstdio>
#include <string>
#include <unordered_map>

#include "nlu/entity_parts.hpp"
#include "nlu/text.hpp"

namespace baton::nlu::detail {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;

using WordMap = std::unordered_map<std::string_view, int>;

struct Local {
  sys_days day;
  int minute_of_day = 0;
};

Local local_now(const EntityContext& ctx) {
  const auto local = ctx.now + minutes(ctx.utc_offset_minutes);
  const auto day = std::chrono::floor<days>(local);
  const auto mins = std::chrono::duration_cast<minutes>(local - day).count();
  return Local{sys_days(day), static_cast<int>(mins)};
}

bool is_language(std::string_view language, std::string_view code) {
  return primary_language(language) == code;
}

// Looks `w` up in the language's map and then in English.
int lookup(const std::unordered_map<std::string, const WordMap*>& maps, std::string_view language,
           std::string_view w) {
  for (const std::string& code : {primary_language(language), std::string("en")}) {
    auto it = maps.find(code);
    if (it != maps.end()) {
      if (auto jt = it->second->find(w); jt != it->second->end()) {
        return jt->second;
      }
    }
  }
  return -1;
}

int weekday_of(std::string_view language, std::string_view w) {
  static const WordMap en{{"sunday", 0},   {"monday", 1}, {"tuesday", 2},  {"wednesday", 3},
                          {"thursday", 4}, {"friday", 5}, {"saturday", 6}, {"sun", 0},
                          {"mon", 1},      {"tue", 2},    {"tues", 2},     {"wed", 3},
                          {"thu", 4},      {"thurs", 4},  {"fri", 5},      {"sat", 6}};
  static const WordMap de{{"sonntag", 0},    {"montag", 1},  {"dienstag", 2}, {"mittwoch", 3},
                          {"donnerstag", 4}, {"freitag", 5}, {"samstag", 6},  {"sonnabend", 6}};
  static const WordMap fr{{"dimanche", 0}, {"lundi", 1},    {"mardi", 2}, {"mercredi", 3},
                          {"jeudi", 4},    {"vendredi", 5}, {"samedi", 6}};
  static const WordMap es{{"domingo", 0}, {"lunes", 1},   {"martes", 2}, {"miercoles", 3},
                          {"jueves", 4},  {"viernes", 5}, {"sabado", 6}};
  static const std::unordered_map<std::string, const WordMap*> maps{
      {"en", &en}, {"de", &de}, {"fr", &fr}, {"es", &es}};
  return lookup(maps, language, w);
}

int month_of(std::string_view language, std::string_view w) {
  static const WordMap en{{"january", 1},   {"february", 2}, {"march", 3},     {"april", 4},
                          {"may", 5},       {"june", 6},     {"july", 7},      {"august", 8},
                          {"september", 9}, {"october", 10}, {"november", 11}, {"december", 12},
                          {"jan", 1},       {"feb", 2},      {"mar", 3},       {"apr", 4},
                          {"jun", 6},       {"jul", 7},      {"aug", 8},       {"sep", 9},
                          {"sept", 9},      {"oct", 10},     {"nov", 11},      {"dec", 12}};
  static const WordMap de{{"januar", 1},   {"janner", 1},    {"februar", 2},  {"marz", 3},
                          {"april", 4},    {"mai", 5},       {"juni", 6},     {"juli", 7},
                          {"august", 8},   {"september", 9}, {"oktober", 10}, {"november", 11},
                          {"dezember", 12}};
  static const WordMap fr{{"janvier", 1},   {"fevrier", 2},  {"mars", 3},      {"avril", 4},
                          {"mai", 5},       {"juin", 6},     {"juillet", 7},   {"aout", 8},
                          {"septembre", 9}, {"octobre", 10}, {"novembre", 11}, {"decembre", 12}};
  static const WordMap es{{"enero", 1},      {"febrero", 2},   {"marzo", 3},    {"abril", 4},
                          {"mayo", 5},       {"junio", 6},     {"julio", 7},    {"agosto", 8},
                          {"septiembre", 9}, {"setiembre", 9}, {"octubre", 10}, {"noviembre", 11},
                          {"diciembre", 12}};
  static const std::unordered_map<std::string, const WordMap*> maps{
      {"en", &en}, {"de", &de}, {"fr", &fr}, {"es", &es}};
  return lookup(maps, language, w);
}

// Day offset of a relative day word: today 0, tomorrow 1, yesterday -1, ...; nullopt otherwise.
std::optional<int> day_word(std::string_view language, const std::vector<Token>& t, std::size_t i) {
  const std::string& w = t[i].text;
  const std::string prev = i > 0 ? t[i - 1].text : "";
  const std::string prev2 = i > 1 ? t[i - 2].text : "";
  if (w == "today" || w == "tonight" || w == "heute" || w == "aujourd'hui" || w == "hoy") {
    return 0;
  }
  if (w == "tomorrow") {
    return prev == "after" && prev2 == "day" ? 2 : 1;
  }
  if (w == "yesterday") {
    return prev == "before" && prev2 == "day" ? -2 : -1;
  }
  if (is_language(language, "de")) {
    static const WordMap de{{"morgen", 1}, {"ubermorgen", 2}, {"gestern", -1}, {"vorgestern", -2}};
    if (auto it = de.find(w); it != de.end()) {
      return it->second;
    }
  } else if (is_language(language, "fr")) {
    if (w == "demain") {
      return prev == "-" && prev2 == "apres" ? 2 : 1;
    }
    if (w == "hier") {
      return prev == "-" && prev2 == "avant" ? -2 : -1;
    }
  } else if (is_language(language, "es")) {
    if (w == "manana") {
      return prev == "pasado" ? 2 : 1;
    }
    if (w == "ayer") {
      return prev == "antes" ? -2 : -1;
    }
    if (w == "anteayer") {
      return -2;
    }
  }
  return std::nullopt;
}

enum class Unit { kNone, kDay, kWeek, kMonth, kYear, kHour, kMinute };

Unit unit_of(std::string_view w) {
  static const std::unordered_map<std::string_view, Unit> units{
      {"day", Unit::kDay},        {"days", Unit::kDay},      {"tag", Unit::kDay},
      {"tage", Unit::kDay},       {"tagen", Unit::kDay},     {"jour", Unit::kDay},
      {"jours", Unit::kDay},      {"dia", Unit::kDay},       {"dias", Unit::kDay},
      {"week", Unit::kWeek},      {"weeks", Unit::kWeek},    {"woche", Unit::kWeek},
      {"wochen", Unit::kWeek},    {"semaine", Unit::kWeek},  {"semaines", Unit::kWeek},
      {"semana", Unit::kWeek},    {"semanas", Unit::kWeek},  {"month", Unit::kMonth},
      {"months", Unit::kMonth},   {"monat", Unit::kMonth},   {"monate", Unit::kMonth},
      {"monaten", Unit::kMonth},  {"mois", Unit::kMonth},    {"mes", Unit::kMonth},
      {"meses", Unit::kMonth},    {"year", Unit::kYear},     {"years", Unit::kYear},
      {"jahr", Unit::kYear},      {"jahre", Unit::kYear},    {"jahren", Unit::kYear},
      {"an", Unit::kYear},        {"ans", Unit::kYear},      {"ano", Unit::kYear},
      {"anos", Unit::kYear},      {"hour", Unit::kHour},     {"hours", Unit::kHour},
      {"hr", Unit::kHour},        {"hrs", Unit::kHour},      {"stunde", Unit::kHour},
      {"stunden", Unit::kHour},   {"heure", Unit::kHour},    {"heures", Unit::kHour},
      {"hora", Unit::kHour},      {"horas", Unit::kHour},    {"minute", Unit::kMinute},
      {"minutes", Unit::kMinute}, {"min", Unit::kMinute},    {"mins", Unit::kMinute},
      {"minuten", Unit::kMinute}, {"minuto", Unit::kMinute}, {"minutos", Unit::kMinute}};
  auto it = units.find(w);
  return it == units.end() ? Unit::kNone : it->second;
}

sys_days add_months(sys_days day, int months) {
  year_month_day ymd{day};
  auto ym = std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(months);
  auto last = std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  const auto d = std::min(ymd.day(), last.day());
  return sys_days(year_month_day(ym.year(), ym.month(), d));
}

// A moment relative to now: "in 3 days", "2 weeks ago", "vor 2 Tagen", "in 2 hours".
struct Offset {
  Unit unit = Unit::kNone;
  int amount = 0;
};

std::optional<Offset> find_offset(const std::vector<Token>& t, std::string_view language) {
  const auto numbers = find_numbers(t, language);
  for (const auto& m : numbers) {
    if (m.ordinal || m.last >= t.size() || m.value < 0 || m.value > 10000) {
      continue;
    }
    const Unit unit = unit_of(t[m.last].text);
    if (unit == Unit::kNone) {
      continue;
    }
    const std::string before = m.first > 0 ? t[m.first - 1].text : "";
    const std::string after = m.last + 1 < t.size() ? t[m.last + 1].text : "";
    const bool past = after == "ago" || before == "vor" || before == "hace" ||
                      (before == "il" && m.first > 1 && t[m.first - 2].text == "y");
    const int n = static_cast<int>(m.value);
    return Offset{unit, past ? -n : n};
  }
  // "next week", "last month", "a week from now" without a number.
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    const Unit unit = unit_of(t[i + 1].text);
    if (unit == Unit::kNone || unit == Unit::kHour || unit == Unit::kMinute) {
      continue;
    }
    if (t[i].text == "next" || t[i].text == "nachste" || t[i].text == "nachsten") {
      return Offset{unit, 1};
    }
    if (t[i].text == "last" || t[i].text == "letzte" || t[i].text == "letzten") {
      return Offset{unit, -1};
    }
    if ((t[i].text == "a" || t[i].text == "an") && i + 2 < t.size() &&
        (t[i + 2].text == "from" || t[i + 2].text == "later")) {
      return Offset{unit, 1};
    }
  }
  return std::nullopt;
}

sys_days apply_days(sys_days today, const Offset& o) {
  switch (o.unit) {
    case Unit::kDay:
      return today + days(o.amount);
    case Unit::kWeek:
      return today + days(7 * o.amount);
    case Unit::kMonth:
      return add_months(today, o.amount);
    case Unit::kYear:
      return add_months(today, 12 * o.amount);
    default:
      return today;
  }
}

std::optional<sys_days> make_date(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                     std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return sys_days(ymd);
}

int to_int(const Token& t) {
  return t.kind == Token::Kind::kDigits && t.text.size() <= 4 ? std::stoi(t.text) : -1;
}

int full_year(int y) { return y >= 0 && y < 100 ? 2000 + y : y; }

// Month and day without a year: the next such date on or after today.
std::optional<sys_days> upcoming(sys_days today, int month, int day) {
  const int year = static_cast<int>(year_month_day{today}.year());
  for (int y = year; y <= year + 4; ++y) {  // Feb 29 needs up to four years
    if (auto d = make_date(y, month, day); d && *d >= today) {
      return d;
    }
  }
  return std::nullopt;
}

// Numeric dates: 2026-12-25, 12/25/2026 (en month first), 25.12.2026, 25/12 (day first outside
// en); a first field over 12 is always the day.
std::optional<sys_days> numeric_date(const std::vector<Token>& t, std::size_t i,
                                     std::string_view language, sys_days today) {
  auto sep_at = [&](std::size_t k) {
    return k < t.size() && t[k].kind == Token::Kind::kSymbol && !t[k].space_before &&
           (t[k].text == "-" || t[k].text == "/" || t[k].text == ".");
  };
  auto digits_at = [&](std::size_t k) {
    return k < t.size() && t[k].kind == Token::Kind::kDigits && !t[k].space_before;
  };
  if (!sep_at(i + 1) || !digits_at(i + 2)) {
    return std::nullopt;
  }
  const int a = to_int(t[i]);
  const int b = to_int(t[i + 2]);
  const bool has_third = sep_at(i + 3) && digits_at(i + 4) && t[i + 3].text == t[i + 1].text;
  const int c = has_third ? to_int(t[i + 4]) : -1;
  if (t[i].text.size() == 4) {
    return has_third ? make_date(a, b, c) : std::nullopt;
  }
  if (t[i + 1].text == "." && !has_third && !is_language(language, "de")) {
    return std::nullopt;  // "1.5" is a number, not a date, outside German
  }
  const bool month_first = is_language(language, "en") ? a <= 12 : (b > 12 && a <= 12);
  const int month = month_first ? a : b;
  const int day = month_first ? b : a;
  if (has_third) {
    return make_date(full_year(c), month, day);
  }
  return upcoming(today, month, day);
}

// "25 December 2026", "December 25th, 2026", "25th of Dec", "25. Dezember", "le 25 decembre".
std::optional<sys_days> named_month_date(const std::vector<Token>& t, std::size_t i,
                                         std::string_view language, sys_days today) {
  const int month = month_of(language, t[i].text);
  if (month < 0) {
    return std::nullopt;
  }
  auto day_before = [&]() -> int {
    std::size_t k = i;
    if (k > 0 && (t[k - 1].text == "of" || t[k - 1].text == "de" || t[k - 1].text == ".")) {
      --k;
    }
    if (k > 0 && (t[k - 1].text == "th" || t[k - 1].text == "st" || t[k - 1].text == "nd" ||
                  t[k - 1].text == "rd" || t[k - 1].text == "er")) {
      --k;
    }
    return k > 0 ? to_int(t[k - 1]) : -1;
  };
  int day = day_before();
  std::size_t next = i + 1;
  if (day < 0 && next < t.size()) {
    day = to_int(t[next]);
    ++next;
    if (next < t.size() && t[next].kind == Token::Kind::kWord && !t[next].space_before) {
      ++next;  // 25th
    }
  }
  if (day < 1 || day > 31) {
    return std::nullopt;
  }
  if (next < t.size() && (t[next].text == "," || t[next].text == "de")) {
    ++next;
  }
  if (next < t.size() && t[next].kind == Token::Kind::kDigits && t[next].text.size() == 4) {
    return make_date(to_int(t[next]), month, day);
  }
  return upcoming(today, month, day);
}

// "friday" and "this friday": the next one on or after today; "next friday": the first strictly
// after today; "last friday": the latest strictly before today.
std::optional<sys_days> weekday_date(const std::vector<Token>& t, std::size_t i,
                                     std::string_view language, sys_days today) {
  const int wd = weekday_of(language, t[i].text);
  if (wd < 0 || (t[i].text.size() <= 4 && !is_language(language, "en"))) {
    return std::nullopt;
  }
  const std::string prev = i > 0 ? t[i - 1].text : "";
  const std::string next = i + 1 < t.size() ? t[i + 1].text : "";
  const int today_wd = static_cast<int>(std::chrono::weekday(today).c_encoding());
  int ahead = (wd - today_wd + 7) % 7;
  const bool next_word = prev == "next" || prev == "nachsten" || prev == "nachster" ||
                         prev == "kommenden" || next == "prochain" || prev == "proximo" ||
                         (next == "que" && i + 2 < t.size() && t[i + 2].text == "viene");
  const bool last_word =
      prev == "last" || prev == "letzten" || next == "dernier" || next == "pasado";
  if (last_word) {
    const int back = (today_wd - wd + 7) % 7;
    return today - days(back == 0 ? 7 : back);
  }
  if (next_word && ahead == 0) {
    ahead = 7;
  }
  return today + days(ahead);
}

std::optional<sys_days> find_date(const std::vector<Token>& t, std::string_view language,
                                  const Local& now) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind == Token::Kind::kDigits) {
      if (auto d = numeric_date(t, i, language, now.day)) {
        return d;
      }
      continue;
    }
    if (t[i].kind != Token::Kind::kWord) {
      continue;
    }
    if (auto off = day_word(language, t, i)) {
      return now.day + days(*off);
    }
    if (auto d = named_month_date(t, i, language, now.day)) {
      return d;
    }
    if (auto d = weekday_date(t, i, language, now.day)) {
      return d;
    }
  }
  if (auto off = find_offset(t, language)) {
    if (off->unit == Unit::kHour || off->unit == Unit::kMinute) {
      const int mins = now.minute_of_day + off->amount * (off->unit == Unit::kHour ? 60 : 1);
      return now.day + days(mins >= 0 ? mins / 1440 : -((-mins + 1439) / 1440));
    }
    return apply_days(now.day, *off);
  }
  return std::nullopt;
}

struct TimeOfDay {
  int minute_of_day = 0;
  std::optional<sys_days> day;  // set by relative times ("in 2 hours") that fix the date too
};

bool is_pm(const std::vector<Token>& t, std::size_t k) {
  return k < t.size() && (t[k].text == "pm" || (t[k].text == "p" && k + 2 < t.size() &&
                                                t[k + 1].text == "." && t[k + 2].text == "m"));
}
bool is_am(const std::vector<Token>& t, std::size_t k) {
  return k < t.size() && (t[k].text == "am" || (t[k].text == "a" && k + 2 < t.size() &&
                                                t[k + 1].text == "." && t[k + 2].text == "m"));
}

// A clock time starting at digits token i, or nullopt.
std::optional<int> clock_time(const std::vector<Token>& t, std::size_t i) {
  int hour = to_int(t[i]);
  int minute = 0;
  std::size_t k = i + 1;
  bool marked = false;  // a separator or suffix says this number is a time
  if (k + 1 < t.size() && !t[k].space_before &&
      (t[k].text == ":" || t[k].text == "h" || t[k].text == ".") &&
      t[k + 1].kind == Token::Kind::kDigits && !t[k + 1].space_before &&
      t[k + 1].text.size() == 2) {
    marked = t[k].text != ".";
    minute = to_int(t[k + 1]);
    k += 2;
  } else if (k < t.size() && t[k].text == "h" && !t[k].space_before) {
    marked = true;
    ++k;
  }
  const std::string before = i > 0 ? t[i - 1].text : "";
  if (is_pm(t, k) || is_am(t, k)) {
    if (hour < 1 || hour > 12) {
      return std::nullopt;
    }
    hour = hour % 12 + (is_pm(t, k) ? 12 : 0);
    marked = true;
  } else if (k < t.size() && (t[k].text == "uhr" || t[k].text == "o'clock" ||
                              t[k].text == "heures" || t[k].text == "heure")) {
    marked = true;
  } else if (before == "at" || before == "um" || before == "las" || before == "a") {
    marked = marked || (i + 1 >= t.size() || t[i + 1].text != ".");
  }
  if (!marked || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return std::nullopt;
  }
  return hour * 60 + minute;
}

std::optional<TimeOfDay> find_time(const std::vector<Token>& t, std::string_view language,
                                   const Local& now) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& w = t[i].text;
    if (w == "noon" || w == "midday" || w == "mittag" || w == "midi" || w == "mediodia") {
      return TimeOfDay{12 * 60, std::nullopt};
    }
    if (w == "midnight" || w == "mitternacht" || w == "minuit" || w == "medianoche") {
      return TimeOfDay{0, std::nullopt};
    }
    if (t[i].kind == Token::Kind::kDigits && t[i].text.size() <= 2) {
      if (auto m = clock_time(t, i)) {
        return TimeOfDay{*m, std::nullopt};
      }
    }
  }
  if (auto off = find_offset(t, language);
      off && (off->unit == Unit::kHour || off->unit == Unit::kMinute)) {
    const int total = now.minute_of_day + off->amount * (off->unit == Unit::kHour ? 60 : 1);
    const int day_shift = total >= 0 ? total / 1440 : -((-total + 1439) / 1440);
    return TimeOfDay{total - day_shift * 1440, now.day + days(day_shift)};
  }
  for (const auto& tok : t) {
    if (tok.text == "now") {
      return TimeOfDay{now.minute_of_day, now.day};
    }
  }
  return std::nullopt;
}

std::string format_date(sys_days d) {
  const year_month_day ymd{d};
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_time(int minute_of_day) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buf;
}

}  // namespace

std::optional<boost::json::value> extract_date(std::string_view text, const EntityContext& ctx) {
  const auto tokens = lex(normalize(text));
  if (auto d = find_date(tokens, ctx.language, local_now(ctx))) {
    return boost::json::value(format_date(*d));
  }
  return std::nullopt;
}

std::optional<boost::json::value> extract_time(std::string_view text, const EntityContext& ctx) {
  const auto tokens = lex(normalize(text));
  if (auto t = find_time(tokens, ctx.language, local_now(ctx))) {
    return boost::json::value(format_time(t->minute_of_day));
  }
  return std::nullopt;
}

// A date and a time; without a date the time's next occurrence (today, or tomorrow once passed).
std::optional<boost::json::value> extract_datetime(std::string_view text,
                                                   const EntityContext& ctx) {
  const auto tokens = lex(normalize(text));
  const Local now = local_now(ctx);
  const auto time = find_time(tokens, ctx.language, now);
  if (!time) {
    return std::nullopt;
  }
  auto day = time->day;
  if (!day) {
    day = find_date(tokens, ctx.language, now);
  }
  if (!day) {
    day = time->minute_of_day >= now.minute_of_day ? now.day : now.day + days(1);
  }
  return boost::json::value(format_date(*day) + "T" + format_time(time->minute_of_day));
}

}  // namespace baton::nlu::detail
