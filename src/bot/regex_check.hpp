#pragma once
// Validation of the ECMAScript patterns of regex questions, so that a bad or hostile pattern is a
// load-time error and never reaches std::regex at run time. Internal to the loader.

#include <optional>
#include <string>
#include <string_view>

namespace baton::bot::detail {

// Longest pattern accepted, in bytes.
inline constexpr std::size_t kMaxPatternBytes = 1000;

// nullopt when `pattern` compiles as an ECMAScript std::regex and its expanded size (counted
// repetitions multiply) stays small; otherwise the reason, for "invalid regex pattern: <reason>".
std::optional<std::string> check_regex(std::string_view pattern);

}  // namespace baton::bot::detail
