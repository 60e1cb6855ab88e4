#include "bot/regex_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <vector>

namespace baton::bot::detail {
namespace {

// Above this many expanded atoms, std::regex's NFA grows too big for a bot's answer check.
constexpr long long kMaxExpandedAtoms = 20000;

long long capped(long long v) { return std::min(v, kMaxExpandedAtoms + 1); }

// Parses "{n}", "{n,}" or "{n,m}" at `i`; returns the largest count (n + 1 for "{n,}") and moves
// `i` to the '}', or -1 when it is not a counted repetition (then '{' is a literal).
long long repetition_count(std::string_view p, std::size_t& i) {
  std::size_t j = i + 1;
  long long n = 0;
  long long m = -1;
  bool digits = false;
  while (j < p.size() && p[j] >= '0' && p[j] <= '9') {
    n = capped(n * 10 + (p[j] - '0'));
    digits = true;
    ++j;
  }
  if (!digits) {
    return -1;
  }
  if (j < p.size() && p[j] == ',') {
    ++j;
    m = n + 1;
    bool upper = false;
    long long u = 0;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') {
      u = capped(u * 10 + (p[j] - '0'));
      upper = true;
      ++j;
    }
    if (upper) {
      m = u;
    }
  }
  if (j >= p.size() || p[j] != '}') {
    return -1;
  }
  i = j;
  return std::max(n, m);
}

// An upper bound of the number of atoms once counted repetitions are expanded.
long long expanded_size(std::string_view p) {
  std::vector<long long> groups{0};
  long long last = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
      last = 1;
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == ']') {
        ++j;
      }
      while (j < p.size() && p[j] != ']') {
        j += p[j] == '\\' ? 2 : 1;
      }
      i = j;
      last = 1;
    } else if (c == '(') {
      groups.push_back(0);
      last = 0;
      continue;
    } else if (c == ')') {
      last = groups.back();
      if (groups.size() > 1) {
        groups.pop_back();
      }
    } else if (c == '{') {
      const long long count = repetition_count(p, i);
      if (count < 0) {
        last = 1;
      } else {
        groups.back() = capped(groups.back() + capped(last * std::max(count - 1, 0LL)));
        last = capped(last * count);
        continue;
      }
    } else if (c == '*' || c == '+' || c == '?') {
      groups.back() = capped(groups.back() + last);
      continue;
    } else {
      last = 1;
    }
    groups.back() = capped(groups.back() + last);
  }
  long long total = 0;
  for (const long long g : groups) {
    total = capped(total + g);
  }
  return total;
}

}  // namespace

std::optional<std::string> check_regex(std::string_view pattern) {
  if (pattern.size() > kMaxPatternBytes) {
    return fmt::format("the pattern is longer than {} characters", kMaxPatternBytes);
  }
  if (expanded_size(pattern) > kMaxExpandedAtoms) {
    return std::string("the pattern is too complex (repetition counts are too large)");
  }
  try {
    const std::regex re(pattern.begin(), pattern.end(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return std::string(e.what());
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace baton::bot::detail
