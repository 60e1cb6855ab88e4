// Entity extraction entry point plus the contact-detail extractors (email, phone, URL). Numbers
// live in entity_numbers.cpp, dates and times in entity_dates.cpp, yes/no and choices in
// entity_choice.cpp.
#include "nlu/entities.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/utf8.hpp"
#include "nlu/entity_parts.hpp"
#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

// Answers are short; longer input is cut (not rejected) so a pasted essay still costs little.
constexpr std::size_t kMaxInputBytes = 4096;
// std::regex backtracks recursively: keep its input small enough that no pattern can exhaust the
// stack.
constexpr std::size_t kMaxRegexInputBytes = 512;

struct TypeName {
  EntityType type;
  const char* name;
};
constexpr std::array<TypeName, 13> kTypeNames{{
    {EntityType::kText, "text"},
    {EntityType::kNumber, "number"},
    {EntityType::kMoney, "money"},
    {EntityType::kPercentage, "percentage"},
    {EntityType::kEmail, "email"},
    {EntityType::kPhone, "phone"},
    {EntityType::kUrl, "url"},
    {EntityType::kDate, "date"},
    {EntityType::kTime, "time"},
    {EntityType::kDateTime, "datetime"},
    {EntityType::kYesNo, "yes_no"},
    {EntityType::kChoice, "choice"},
    {EntityType::kRegex, "regex"},
}};

std::optional<boost::json::value> extract_text(std::string_view text) {
  const std::string valid = normalize(text).empty() ? std::string() : utf8::sanitize(text);
  const auto first = valid.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return std::nullopt;
  }
  const auto last = valid.find_last_not_of(" \t\r\n");
  return boost::json::value(valid.substr(first, last - first + 1));
}

std::optional<boost::json::value> extract_regex(std::string_view text, const EntityContext& ctx) {
  if (ctx.pattern == nullptr) {
    return std::nullopt;
  }
  const std::string s = utf8::sanitize(text.substr(0, kMaxRegexInputBytes));
  std::smatch m;
  try {
    if (std::regex_search(s, m, *ctx.pattern)) {
      return boost::json::value(m.str(0));
    }
  } catch (const std::regex_error&) {
    // error_complexity / error_stack from a pathological pattern: no value, not a crash.
  }
  return std::nullopt;
}

}  // namespace

namespace detail {

namespace {

bool is_local_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}
bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

// A host name with at least two labels and an alphabetic top-level label of 2+ letters.
bool valid_host(std::string_view host) {
  if (host.empty() || host.front() == '.' || host.front() == '-' ||
      host.find("..") != std::string_view::npos) {
    return false;
  }
  const auto dot = host.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return false;
  }
  const auto tld = host.substr(dot + 1);
  return tld.size() >= 2 && std::all_of(tld.begin(), tld.end(), [](char c) {
           return std::isalpha(static_cast<unsigned char>(c)) != 0;
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<boost::json::value> extract_email(std::string_view text) {
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && is_local_char(text[begin - 1])) {
      --begin;
    }
    std::size_t end = at + 1;
    while (end < text.size() && is_host_char(text[end])) {
      ++end;
    }
    std::string_view host = text.substr(at + 1, end - at - 1);
    while (!host.empty() && (host.back() == '.' || host.back() == '-')) {
      host.remove_suffix(1);  // sentence punctuation after the address
    }
    const std::string_view local = text.substr(begin, at - begin);
    if (!local.empty() && local.front() != '.' && local.back() != '.' && valid_host(host)) {
      return boost::json::value(std::string(local) + "@" + lower(host));
    }
  }
  return std::nullopt;
}

// E.164 allows at most 15 digits; fewer than 7 is an extension or a number, not a phone.
std::optional<boost::json::value> extract_phone(std::string_view text) {
  constexpr std::size_t kMinDigits = 7;
  constexpr std::size_t kMaxDigits = 15;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '(')) {
      ++i;
      continue;
    }
    std::string digits;
    bool plus = false;
    bool has_dash_date_shape = false;
    std::size_t j = i;
    for (; j < text.size(); ++j) {
      const char d = text[j];
      if (std::isdigit(static_cast<unsigned char>(d)) != 0) {
        digits.push_back(d);
      } else if (d == '+' && digits.empty() && !plus) {
        plus = true;
      } else if (!(d == ' ' || d == '-' || d == '.' || d == '(' || d == ')' || d == '/')) {
        break;
      }
    }
    const std::string_view run = text.substr(i, j - i);
    // 2026-12-25 and 12/25/2026 are dates.
    has_dash_date_shape =
        run.size() <= 10 && std::count(run.begin(), run.end(), '-') == 2 && digits.size() == 8;
    has_dash_date_shape = has_dash_date_shape || std::count(run.begin(), run.end(), '/') == 2;
    if (!plus && digits.size() > 2 && digits.starts_with("00")) {
      plus = true;  // international prefix
      digits.erase(0, 2);
    }
    if (digits.size() >= kMinDigits && digits.size() <= kMaxDigits && !has_dash_date_shape) {
      return boost::json::value((plus ? "+" : "") + digits);
    }
    i = j + 1;
  }
  return std::nullopt;
}

// http(s) URLs, and bare "www.example.com/..." or "example.com/path" (given an https scheme).
std::optional<boost::json::value> extract_url(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) {
      ++i;
    }
    std::size_t j = i;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j])) == 0) {
      ++j;
    }
    std::string_view word = text.substr(i, j - i);
    i = j;
    while (!word.empty() &&
           std::string_view(".,;:!?)\"'>").find(word.back()) != std::string_view::npos) {
      word.remove_suffix(1);
    }
    while (!word.empty() && (word.front() == '(' || word.front() == '<' || word.front() == '"')) {
      word.remove_prefix(1);
    }
    std::string scheme = "https://";
    const std::string lowered = lower(word.substr(0, std::min<std::size_t>(word.size(), 8)));
    if (lowered.starts_with("http://") || lowered.starts_with("https://")) {
      scheme = lowered.starts_with("https") ? "https://" : "http://";
      word.remove_prefix(scheme.size());
    } else if (word.find('@') != std::string_view::npos) {
      continue;  // an email address
    }
    const auto slash = std::min(word.find_first_of("/?#"), word.size());
    std::string_view host = word.substr(0, slash);
    std::string_view port;
    if (const auto colon = host.find(':'); colon != std::string_view::npos) {
      port = host.substr(colon);
      host = host.substr(0, colon);
    }
    const bool host_chars = std::all_of(host.begin(), host.end(), is_host_char);
    if (!host_chars || !valid_host(host)) {
      continue;
    }
    return boost::json::value(scheme + lower(host) + std::string(port) +
                              std::string(word.substr(slash)));
  }
  return std::nullopt;
}

}  // namespace detail

const char* to_string(EntityType type) {
  for (const auto& tn : kTypeNames) {
    if (tn.type == type) {
      return tn.name;
    }
  }
  return "text";
}

std::optional<EntityType> parse_entity_type(std::string_view name) {
  for (const auto& tn : kTypeNames) {
    if (name == tn.name) {
      return tn.type;
    }
  }
  return std::nullopt;
}

std::string entity_type_names() {
  std::string out;
  for (const auto& tn : kTypeNames) {
    if (!out.empty()) {
      out += ", ";
    }
    out += tn.name;
  }
  return out;
}

std::optional<boost::json::value> extract_entity(EntityType type, std::string_view text,
                                                 const EntityContext& context) {
  text = text.substr(0, kMaxInputBytes);
  switch (type) {
    case EntityType::kText:
      return extract_text(text);
    case EntityType::kNumber:
      return detail::extract_number(text, context);
    case EntityType::kMoney:
      return detail::extract_money(text, context);
    case EntityType::kPercentage:
      return detail::extract_percentage(text, context);
    case EntityType::kEmail:
      return detail::extract_email(text);
    case EntityType::kPhone:
      return detail::extract_phone(text);
    case EntityType::kUrl:
      return detail::extract_url(text);
    case EntityType::kDate:
      return detail::extract_date(text, context);
    case EntityType::kTime:
      return detail::extract_time(text, context);
    case EntityType::kDateTime:
      return detail::extract_datetime(text, context);
    case EntityType::kYesNo:
      return detail::extract_yes_no(text, context);
    case EntityType::kChoice:
      return detail::extract_choice(text, context);
    case EntityType::kRegex:
      return extract_regex(text, context);
  }
  return std::nullopt;
}

}  // namespace baton::nlu
