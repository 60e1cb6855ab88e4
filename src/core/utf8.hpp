#pragma once
// UTF-8 checks shared by every module that takes text from outside (activities, YAML, user input).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace baton::utf8 {

// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF are invalid), or nullopt when the whole text is valid.
std::optional<std::size_t> find_invalid(std::string_view text);

inline bool is_valid(std::string_view text) { return !find_invalid(text).has_value(); }

// Copy of text with every invalid sequence replaced by U+FFFD.
std::string sanitize(std::string_view text);

// Copy of text in which each run of ASCII whitespace (space, \t, \n, \r, \f, \v) is one space,
// without leading or trailing ones. Other bytes (UTF-8 sequences included) are kept as they are.
std::string collapse_whitespace(std::string_view text);

}  // namespace baton::utf8
