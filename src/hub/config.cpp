#include "hub/config.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace baton::hub {

const char* to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::kLongestIdle:
      return "longest_idle";
    case Strategy::kLeastBusy:
      return "least_busy";
    case Strategy::kRoundRobin:
      return "round_robin";
  }
  return "longest_idle";
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  for (Strategy s : {Strategy::kLongestIdle, Strategy::kLeastBusy, Strategy::kRoundRobin}) {
    if (name == to_string(s)) {
      return s;
    }
  }
  return std::nullopt;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::kAgent:
      return "agent";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAdmin:
      return "admin";
  }
  return "agent";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : {Role::kAgent, Role::kSupervisor, Role::kAdmin}) {
    if (name == to_string(r)) {
      return r;
    }
  }
  return std::nullopt;
}

bool OperatingHours::is_open(TimePoint t) const {
  if (zone == nullptr) {
    return true;
  }
  auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(t));
  auto day = date::floor<date::days>(local);
  int day_number = static_cast<int>(day.time_since_epoch().count());
  if (std::binary_search(holidays.begin(), holidays.end(), day_number)) {
    return false;
  }
  int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  unsigned weekday = date::weekday{day}.c_encoding();
  for (const Range& range : week[weekday]) {
    if (minute >= range.start && minute < range.end) {
      return true;
    }
  }
  return false;
}

std::optional<std::size_t> HubConfig::find_queue(std::string_view name) const {
  for (std::size_t i = 0; i < queues.size(); ++i) {
    if (queues[i].name == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::vector<std::string> normalize_skills(std::vector<std::string> skills) {
  for (std::string& s : skills) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  std::erase_if(skills, [](const std::string& s) { return s.empty(); });
  std::sort(skills.begin(), skills.end());
  skills.erase(std::unique(skills.begin(), skills.end()), skills.end());
  return skills;
}

bool has_skills(const std::vector<std::string>& have, const std::vector<std::string>& need) {
  return std::includes(have.begin(), have.end(), need.begin(), need.end());
}

bool HubConfig::live_chat_supported(std::string_view channel_id) const {
  return !live_chat_channels || std::find(live_chat_channels->begin(), live_chat_channels->end(),
                                          channel_id) != live_chat_channels->end();
}

}  // namespace baton::hub
