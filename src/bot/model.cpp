// Templates, system topic names and Bot look-ups.
#include "bot/model.hpp"

#include <fmt/format.h>

#include <array>

#include "bot/expr_internal.hpp"

namespace baton::bot {
namespace {

int column_of(std::string_view text, std::size_t pos) {
  int col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return col;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Names in placeholders: identifiers, dotted for System.* ("System.UserName").
bool is_placeholder_name(std::string_view name) {
  bool segment_start = true;
  for (const char c : name) {
    if (c == '.') {
      if (segment_start) {
        return false;
      }
      segment_start = true;
      continue;
    }
    if (segment_start ? !is_name_start(c) : !is_name_char(c)) {
      return false;
    }
    segment_start = false;
  }
  return !name.empty() && !segment_start;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

Error template_error(std::string_view text, std::size_t pos, std::string message) {
  return make_error(ErrorCode::kParse,
                    fmt::format("column {}: {}", column_of(text, pos), std::move(message)));
}

constexpr std::array<std::pair<SystemTopic, const char*>, 5> kSystemTopicNames{{
    {SystemTopic::kGreeting, "greeting"},
    {SystemTopic::kEscalate, "escalate"},
    {SystemTopic::kFallback, "fallback"},
    {SystemTopic::kEndOfConversation, "end_of_conversation"},
    {SystemTopic::kStartOver, "start_over"},
}};

}  // namespace

std::vector<std::string> Template::variables() const {
  std::vector<std::string> names;
  for (const auto& part : parts) {
    if (part.is_variable) {
      names.push_back(part.text);
    }
  }
  return names;
}

Result<Template> parse_template(std::string_view text) {
  Template tmpl;
  tmpl.source = std::string(text);
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) {
      tmpl.parts.push_back(Template::Part{false, std::move(literal)});
      literal.clear();
    }
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      literal.push_back(c);
      ++i;
      continue;
    }
    if (c == '}') {
      return template_error(text, i, "unmatched '}' (write '}}' for a literal brace)");
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    const std::size_t close = text.find('}', i + 1);
    const std::size_t next_open = text.find('{', i + 1);
    if (close == std::string_view::npos || next_open < close) {
      return template_error(text, i, "unclosed '{' (write '{{' for a literal brace)");
    }
    const std::string_view name = trim(text.substr(i + 1, close - i - 1));
    if (name.empty()) {
      return template_error(text, i, "empty placeholder '{}'");
    }
    if (!is_placeholder_name(name)) {
      return template_error(text, i,
                            fmt::format("invalid variable name '{}' in placeholder", name));
    }
    flush();
    tmpl.parts.push_back(Template::Part{true, std::string(name)});
    i = close;
  }
  flush();
  return tmpl;
}

std::string render(const Template& tmpl, const VariableLookup& lookup) {
  std::string out;
  for (const auto& part : tmpl.parts) {
    if (!part.is_variable) {
      out += part.text;
      continue;
    }
    const boost::json::value* v = lookup ? lookup(part.text) : nullptr;
    if (v != nullptr) {
      out += to_display_string(*v);
    }
  }
  return out;
}

const char* to_string(SystemTopic topic) {
  for (const auto& [which, name] : kSystemTopicNames) {
    if (which == topic) {
      return name;
    }
  }
  return "none";
}

std::optional<SystemTopic> parse_system_topic(std::string_view name) {
  for (const auto& [which, known] : kSystemTopicNames) {
    if (name == known) {
      return which;
    }
  }
  return std::nullopt;
}

const Topic* Bot::find_topic(std::string_view wanted) const {
  const std::string folded = fold_case(wanted);
  for (const auto& topic : topics) {
    if (fold_case(topic.name) == folded) {
      return &topic;
    }
  }
  return nullptr;
}

const Topic* Bot::system_topic(SystemTopic which) const {
  if (which == SystemTopic::kNone) {
    return nullptr;
  }
  for (const auto& topic : topics) {
    if (topic.system == which) {
      return &topic;
    }
  }
  return nullptr;
}

const Variable* Bot::find_variable(std::string_view wanted) const {
  for (const auto& variable : variables) {
    if (variable.name == wanted) {
      return &variable;
    }
  }
  return nullptr;
}

}  // namespace baton::bot
