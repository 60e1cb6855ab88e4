#pragma once
// Internal pieces shared by the entity extractor families (entities*.cpp). Not a public contract:
// only entities.cpp's `extract_entity` calls these. All functions are pure and thread-safe.

#include <boost/json.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nlu/entities.hpp"

namespace baton::nlu::detail {

// A piece of normalised text: a run of letters (apostrophes inside kept), a run of ASCII digits,
// or one other non-space code point. `space_before` tells "3 pm" from "3pm" and "1, 2" from "1,2".
struct Token {
  enum class Kind { kWord, kDigits, kSymbol };
  Kind kind = Kind::kSymbol;
  std::string text;
  bool space_before = false;
};
std::vector<Token> lex(std::string_view normalized);

// A number found in a token list, covering tokens [first, last).
struct NumberMention {
  double value = 0.0;
  std::size_t first = 0;
  std::size_t last = 0;
  bool ordinal = false;  // "25th", "third"
};
// Numbers in digit form (with the language's decimal and thousands separators, scale words such
// as "2 million" or "20k") and in words (English plus `language`'s number words), in order.
std::vector<NumberMention> find_numbers(const std::vector<Token>& tokens,
                                        std::string_view language);

// A JSON number: an integer when the value is integral and fits, else a double.
boost::json::value number_value(double v);

std::optional<boost::json::value> extract_number(std::string_view text, const EntityContext& ctx);
std::optional<boost::json::value> extract_money(std::string_view text, const EntityContext& ctx);
std::optional<boost::json::value> extract_percentage(std::string_view text,
                                                     const EntityContext& ctx);
std::optional<boost::json::value> extract_email(std::string_view text);
std::optional<boost::json::value> extract_phone(std::string_view text);
std::optional<boost::json::value> extract_url(std::string_view text);
std::optional<boost::json::value> extract_date(std::string_view text, const EntityContext& ctx);
std::optional<boost::json::value> extract_time(std::string_view text, const EntityContext& ctx);
std::optional<boost::json::value> extract_datetime(std::string_view text, const EntityContext& ctx);
std::optional<boost::json::value> extract_yes_no(std::string_view text, const EntityContext& ctx);
std::optional<boost::json::value> extract_choice(std::string_view text, const EntityContext& ctx);

// Optimal-string-alignment edit distance, giving up (returning limit + 1) once it exceeds limit.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace baton::nlu::detail
