#pragma once
// Entity extraction for questions: turns a customer's answer into a typed value.
//
// Values are JSON so they can be stored in variables, compared in expressions and put in the
// handoff context unchanged. Shapes:
//   text        string (the trimmed answer)
//   number      number                              "two hundred" → 200
//   money       {"amount": number, "currency": "USD"} (currency "" when not stated)
//   percentage  number (50% → 50)
//   email, phone, url   string (normalised)
//   date        "YYYY-MM-DD"; time "HH:MM"; datetime "YYYY-MM-DDTHH:MM"
//   yes_no      boolean
//   choice      string: the canonical choice value (synonyms and fuzzy matches map to it)
//   regex       string: the whole match
// Extraction is pure and thread-safe; dates are relative to the `now` passed in.

#include <boost/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace baton::nlu {

enum class EntityType {
  kText,
  kNumber,
  kMoney,
  kPercentage,
  kEmail,
  kPhone,
  kUrl,
  kDate,
  kTime,
  kDateTime,
  kYesNo,
  kChoice,
  kRegex,
};

// Names as written in bot YAML: text, number, money, percentage, email, phone, url, date, time,
// datetime, yes_no, choice, regex.
const char* to_string(EntityType type);
std::optional<EntityType> parse_entity_type(std::string_view name);
// Every valid name, for error messages ("expected one of: ...").
std::string entity_type_names();

struct ChoiceOption {
  std::string value;                  // canonical value stored in the variable
  std::vector<std::string> synonyms;  // other ways customers say it
};

struct EntityContext {
  TimePoint now{};              // reference for "today", "next friday"
  int utc_offset_minutes = 0;   // the customer's offset from UTC, for calendar dates
  std::string language = "en";  // affects number words and yes/no variants
  const std::vector<ChoiceOption>* choices = nullptr;  // for kChoice
  const std::regex* pattern = nullptr;                 // for kRegex
};

// The value found in `text`, or nullopt when the answer holds no valid value of that type.
std::optional<boost::json::value> extract_entity(EntityType type, std::string_view text,
                                                 const EntityContext& context);

}  // namespace baton::nlu
