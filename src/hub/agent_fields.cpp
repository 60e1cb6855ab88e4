#include "hub/agent_fields.hpp"

#include <fmt/format.h>

#include "core/utf8.hpp"

namespace baton::hub {
namespace {

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '-';
}

bool has_control(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return true;
    }
  }
  return false;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// Text to quote in a message: valid UTF-8, control characters shown as '?'.
std::string printable(std::string_view text) {
  std::string out = utf8::sanitize(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = '?';
    }
  }
  return out;
}

}  // namespace

Status check_agent_id(std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxAgentIdChars;
  for (char c : id) {
    ok = ok && id_char(c);
  }
  if (!ok) {
    return invalid(
        fmt::format("invalid agent id '{}': use 1 to {} letters, digits, '.', '_', '@' or '-'",
                    printable(id.substr(0, 2 * kMaxAgentIdChars)), kMaxAgentIdChars));
  }
  return {};
}

Status check_agent_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxAgentNameBytes || !utf8::is_valid(name) ||
      has_control(name)) {
    return invalid(
        fmt::format("invalid name: use 1 to {} bytes of UTF-8 text without control characters",
                    kMaxAgentNameBytes));
  }
  return {};
}

Result<Role> check_agent_role(std::string_view role) {
  if (auto parsed = parse_role(role)) {
    return *parsed;
  }
  return invalid(fmt::format("invalid role '{}': use agent, supervisor or admin",
                             printable(role.substr(0, 64))));
}

Status check_agent_capacity(std::int64_t capacity) {
  if (capacity < 1 || capacity > kMaxAgentCapacity) {
    return invalid(fmt::format("invalid capacity '{}': use a whole number from 1 to {}", capacity,
                               kMaxAgentCapacity));
  }
  return {};
}

Result<std::vector<std::string>> check_agent_skills(const std::vector<std::string>& skills) {
  std::vector<std::string> kept;
  for (const auto& skill : skills) {
    std::string word = trim(skill);
    if (word.empty()) {
      continue;
    }
    if (!utf8::is_valid(word) || has_control(word)) {
      return invalid("invalid skills: use words without control characters");
    }
    kept.push_back(std::move(word));
  }
  return normalize_skills(std::move(kept));
}

}  // namespace baton::hub
