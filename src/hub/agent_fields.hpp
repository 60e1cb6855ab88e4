#pragma once
// The rules for the fields of an agent's record (id, display name, role, skills, capacity), shared
// by everything that makes or changes one: `baton agent` (src/cli/agent.cpp) and the agent API's
// agent management (src/channels/agent/agents.cpp). One rule and one message per field, wherever
// an agent is made. Pure, thread-safe. Errors: kInvalidArgument, with a message meant for a person
// that names the field (never echoing control characters).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "hub/config.hpp"

namespace baton::hub {

inline constexpr std::size_t kMaxAgentIdChars = 64;
inline constexpr std::size_t kMaxAgentNameBytes = 200;
// Highest capacity accepted (the same bound as hub.yaml's agents).
inline constexpr int kMaxAgentCapacity = 1000;

// 1..64 of [A-Za-z0-9._@-] (the same rule as store::WriteBatch::validate).
Status check_agent_id(std::string_view id);
// 1..200 bytes of UTF-8 without control characters.
Status check_agent_name(std::string_view name);
// agent | supervisor | admin.
Result<Role> check_agent_role(std::string_view role);
// 1..kMaxAgentCapacity.
Status check_agent_capacity(std::int64_t capacity);
// Every skill UTF-8 without control characters (blank ones are dropped), then normalised as
// normalize_skills does (lower-case, sorted, unique).
Result<std::vector<std::string>> check_agent_skills(const std::vector<std::string>& skills);

}  // namespace baton::hub
