// First entity extractors (yes/no, number, email, choice, text, regex). The NLU issue completes
// the set; the interface in entities.hpp stays.
#include "nlu/entities.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

constexpr std::size_t kMaxInputBytes = 4096;

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

std::optional<boost::json::value> extract_yes_no(std::string_view text) {
  static const std::array<const char*, 8> yes{"yes",  "y",  "yeah", "yep",
                                              "sure", "ok", "okay", "correct"};
  static const std::array<const char*, 6> no{"no", "n", "nope", "nah", "not", "incorrect"};
  for (const auto& tok : tokenize(normalize(text))) {
    if (std::find(yes.begin(), yes.end(), tok) != yes.end()) {
      return boost::json::value(true);
    }
    if (std::find(no.begin(), no.end(), tok) != no.end()) {
      return boost::json::value(false);
    }
  }
  return std::nullopt;
}

std::optional<boost::json::value> extract_number(std::string_view text) {
  const std::string s(text);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool sign =
        (s[i] == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
    if (std::isdigit(static_cast<unsigned char>(s[i])) || sign) {
      char* end = nullptr;
      const double v = std::strtod(s.c_str() + i, &end);
      if (end != s.c_str() + i) {
        if (v == static_cast<double>(static_cast<long long>(v)) && std::abs(v) < 9e15) {
          return boost::json::value(static_cast<std::int64_t>(v));
        }
        return boost::json::value(v);
      }
    }
  }
  return std::nullopt;
}

std::optional<boost::json::value> extract_email(std::string_view text) {
  static const std::regex re(
      R"(([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}))");
  std::cmatch m;
  const std::string s(text);
  if (std::regex_search(s.c_str(), m, re)) {
    return boost::json::value(normalize(m.str(1)));
  }
  return std::nullopt;
}

std::optional<boost::json::value> extract_choice(std::string_view text, const EntityContext& ctx) {
  if (ctx.choices == nullptr) {
    return std::nullopt;
  }
  const std::string answer = normalize(text);
  for (const auto& choice : *ctx.choices) {
    if (normalize(choice.value) == answer) {
      return boost::json::value(choice.value);
    }
    for (const auto& syn : choice.synonyms) {
      if (normalize(syn) == answer) {
        return boost::json::value(choice.value);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

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
    case EntityType::kText: {
      std::string t = normalize(text).empty() ? std::string() : std::string(text);
      if (t.empty()) {
        return std::nullopt;
      }
      return boost::json::value(t);
    }
    case EntityType::kYesNo:
      return extract_yes_no(text);
    case EntityType::kNumber:
      return extract_number(text);
    case EntityType::kEmail:
      return extract_email(text);
    case EntityType::kChoice:
      return extract_choice(text, context);
    case EntityType::kRegex: {
      if (context.pattern == nullptr) {
        return std::nullopt;
      }
      std::cmatch m;
      const std::string s(text);
      if (std::regex_search(s.c_str(), m, *context.pattern)) {
        return boost::json::value(m.str(0));
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace baton::nlu
