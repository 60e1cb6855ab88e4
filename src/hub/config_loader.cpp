// hub.yaml → HubConfig (docs/HUB.md): the file, the hub's settings, texts and hours; the queues,
// external hubs and agents are config_loader_queues.cpp's.

#include "hub/config_loader.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/utf8.hpp"
#include "hub/config.hpp"
#include "hub/config_texts.hpp"

namespace baton::hub {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

constexpr std::string_view kRootKeys[] = {"hub"};
constexpr std::string_view kTopKeys[] = {"default_queue",
                                         "missed_offers_before_away",
                                         "default_handle_time",
                                         "max_wrap_up",
                                         "defaults",
                                         "queues",
                                         "agents",
                                         "live_chat_channels",
                                         "affinity_window",
                                         "texts"};
constexpr std::string_view kSettingKeys[] = {
    "strategy", "offer_timeout", "position_update_interval", "abandon_after", "max_wait", "texts",
    "hours",    "wait_for_agent"};
constexpr std::string_view kHoursKeys[] = {"time_zone", "weekly", "holidays"};
constexpr std::string_view kTextKeys[] = {"queued", "position", "waiting_for_agent", "unavailable"};
constexpr std::string_view kNoticeKeys[] = {"joined", "transferred", "left", "closed"};
// The placeholders each text takes (docs/HUB.md).
constexpr std::string_view kQueuePlaceholders[] = {"position", "wait", "queue"};
constexpr std::string_view kAgentPlaceholders[] = {"agent"};

const char* const kDayNames[7] = {"sunday",   "monday", "tuesday", "wednesday",
                                  "thursday", "friday", "saturday"};

}  // namespace

namespace detail {

HubConfigResult Loader::load(std::string_view text) {
  if (text.size() > kMaxFileBytes) {
    error_at(0, 0, "the file is larger than 1 MiB");
    return finish();
  }
  if (text.starts_with("\xEF\xBB\xBF")) {
    text.remove_prefix(3);  // a UTF-8 byte order mark
  }
  if (auto bad = utf8::find_invalid(text)) {
    std::string_view before = text.substr(0, *bad);
    int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    std::size_t line_start = before.rfind('\n');
    int column =
        static_cast<int>(*bad - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
    error_at(line, column, "invalid UTF-8 byte sequence");
    return finish();
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    error_at(e.mark.line + 1, e.mark.column + 1, "YAML syntax: " + e.msg);
    return finish();
  }
  try {
    load_root(root);
  } catch (const YAML::Exception& e) {  // defensive: a yaml-cpp accessor we did not expect
    error_at(e.mark.line + 1, e.mark.column + 1, "YAML: " + e.msg);
  } catch (const std::exception& e) {
    error_at(0, 0, std::string("YAML: ") + e.what());
  }
  return finish();
}

HubConfigResult Loader::finish() {
  HubConfigResult result;
  result.diagnostics = std::move(diagnostics_);
  if (!bot::has_errors(result.diagnostics)) {
    result.config = std::move(config_);
  }
  return result;
}

void Loader::load_root(const YAML::Node& root) {
  if (!root.IsMap() || !root["hub"]) {
    error(root, "a hub configuration must be a mapping with a top-level 'hub' key");
    return;
  }
  check_keys(root, kRootKeys, "the file");
  const YAML::Node hub = root["hub"];
  if (!expect_map(hub, "hub")) {
    return;
  }
  check_keys(hub, kTopKeys, "hub");
  if (auto n = hub["missed_offers_before_away"]) {
    if (auto v = integer(n, "missed_offers_before_away", 0, 1000)) {
      config_.missed_offers_before_away = *v;
    }
  }
  if (auto n = hub["default_handle_time"]) {
    if (auto v = duration(n, "default_handle_time")) {
      config_.default_handle_time = std::max(*v, Millis{1000});
    }
  }
  if (auto n = hub["max_wrap_up"]) {
    config_.max_wrap_up = duration(n, "max_wrap_up");
  }
  if (auto n = hub["affinity_window"]) {
    config_.affinity_window = duration(n, "affinity_window");
  }
  QueueConfig defaults = default_settings();
  if (auto n = hub["defaults"]; n && expect_map(n, "defaults")) {
    check_keys(n, kSettingKeys, "defaults");
    load_settings(n, defaults);
  }
  load_queues(hub["queues"], hub, defaults);
  if (auto n = hub["agents"]) {
    load_agents(n);
  }
  if (auto n = hub["live_chat_channels"]) {
    load_live_chat_channels(n);
  }
  if (auto n = hub["texts"]) {
    load_notices(n);
  }
}

void Loader::load_live_chat_channels(const YAML::Node& node) {
  std::vector<std::string> channels;
  if (!node.IsSequence()) {
    error(node, "live_chat_channels must be a list of channel ids");
    return;
  }
  for (const auto& item : node) {
    auto id = scalar(item, "live_chat_channels entry");
    if (id && id->empty()) {
      error(item, "live_chat_channels entries must be non-empty channel ids");
    } else if (id) {
      channels.push_back(*id);
    }
  }
  config_.live_chat_channels = std::move(channels);
}

void Loader::load_settings(const YAML::Node& map, QueueConfig& q) {
  if (auto n = map["strategy"]) {
    if (auto s = scalar(n, "strategy")) {
      if (auto st = parse_strategy(*s)) {
        q.strategy = *st;
      } else {
        error(n, "unknown strategy '" + *s + "' (longest_idle, least_busy, round_robin)");
      }
    }
  }
  if (auto n = map["offer_timeout"]) {
    if (auto v = duration(n, "offer_timeout")) {
      if (*v < Millis{1000}) {
        error(n, "offer_timeout must be at least 1s");
      } else {
        q.offer_timeout = *v;
      }
    }
  }
  if (auto n = map["position_update_interval"]) {
    if (auto v = duration(n, "position_update_interval")) {
      q.position_update_interval = *v;
    }
  }
  if (auto n = map["abandon_after"]) {
    q.abandon_after = duration(n, "abandon_after");
  }
  if (auto n = map["max_wait"]) {
    q.max_wait = duration(n, "max_wait");
  }
  if (auto n = map["texts"]; n && expect_map(n, "texts")) {
    check_keys(n, kTextKeys, "texts");
    load_text(n["queued"], kQueuePlaceholders, q.texts.queued);
    load_text(n["position"], kQueuePlaceholders, q.texts.position);
    load_text(n["waiting_for_agent"], kQueuePlaceholders, q.texts.waiting_for_agent);
    load_text(n["unavailable"], kQueuePlaceholders, q.texts.unavailable);
  }
  if (auto n = map["wait_for_agent"]) {
    if (auto v = scalar(n, "wait_for_agent")) {
      if (*v == "true" || *v == "false") {
        q.wait_for_agent = *v == "true";
      } else {
        error(n, "wait_for_agent must be true or false");
      }
    }
  }
  if (auto n = map["hours"]) {
    q.hours = load_hours(n);
  }
}

void Loader::load_text(const YAML::Node& node, Keys placeholders, LocalizedText& out) {
  if (node) {
    detail::load_localized_text(node, placeholders, file_, out, diagnostics_);
  }
}

void Loader::load_notices(const YAML::Node& node) {
  if (!expect_map(node, "texts")) {
    return;
  }
  check_keys(node, kNoticeKeys, "hub texts (queue texts go under defaults or a queue)");
  NoticeTexts& t = config_.texts;
  load_text(node["joined"], kAgentPlaceholders, t.joined);
  load_text(node["transferred"], {}, t.transferred);
  load_text(node["left"], kAgentPlaceholders, t.left);
  load_text(node["closed"], {}, t.closed);
}

std::optional<OperatingHours> Loader::load_hours(const YAML::Node& node) {
  if (!expect_map(node, "hours")) {
    return std::nullopt;
  }
  check_keys(node, kHoursKeys, "hours");
  OperatingHours hours;
  YAML::Node zone = node["time_zone"];
  if (!zone) {
    error(node, "hours need a time_zone (an IANA name such as Europe/Berlin)");
    return std::nullopt;
  }
  if (auto name = scalar(zone, "time_zone")) {
    try {
      hours.zone = date::locate_zone(*name);
      hours.zone_name = *name;
    } catch (const std::exception&) {
      error(zone, "unknown time zone '" + *name + "'");
      return std::nullopt;
    }
  }
  if (auto weekly = node["weekly"]; weekly && expect_map(weekly, "weekly")) {
    load_weekly(weekly, hours);
  } else if (!weekly) {
    error(node, "hours need a weekly schedule");
  }
  if (auto list = node["holidays"]) {
    for (const auto& item : list.IsSequence() ? list : YAML::Node()) {
      if (auto day = parse_date(item)) {
        hours.holidays.push_back(*day);
      }
    }
    if (!list.IsSequence()) {
      error(list, "holidays must be a list of dates (YYYY-MM-DD)");
    }
    std::sort(hours.holidays.begin(), hours.holidays.end());
  }
  return hours;
}

std::optional<int> Loader::parse_date(const YAML::Node& node) {
  auto text = scalar(node, "holiday");
  if (!text) {
    return std::nullopt;
  }
  date::year_month_day ymd{};
  std::istringstream in(*text);
  in >> date::parse("%Y-%m-%d", ymd);
  if (in.fail() || in.peek() != std::char_traits<char>::eof() || !ymd.ok()) {
    error(node, "bad date '" + *text + "' (YYYY-MM-DD)");
    return std::nullopt;
  }
  return static_cast<int>(date::sys_days{ymd}.time_since_epoch().count());
}

void Loader::load_weekly(const YAML::Node& weekly, OperatingHours& hours) {
  // Shorthands first so that a named day overrides them, whatever the order in the file.
  const std::pair<const char*, std::vector<int>> shorthands[] = {
      {"daily", {0, 1, 2, 3, 4, 5, 6}}, {"weekdays", {1, 2, 3, 4, 5}}, {"weekend", {0, 6}}};
  std::vector<std::string_view> allowed = {"daily", "weekdays", "weekend"};
  allowed.insert(allowed.end(), std::begin(kDayNames), std::end(kDayNames));
  check_keys(weekly, allowed, "weekly");
  for (const auto& [name, days] : shorthands) {
    if (auto n = weekly[name]) {
      auto ranges = load_ranges(n);
      for (int d : days) {
        hours.week[static_cast<std::size_t>(d)] = ranges;
      }
    }
  }
  for (std::size_t d = 0; d < 7; ++d) {
    if (auto n = weekly[kDayNames[d]]) {
      hours.week[d] = load_ranges(n);
    }
  }
}

std::vector<OperatingHours::Range> Loader::load_ranges(const YAML::Node& node) {
  std::vector<OperatingHours::Range> out;
  if (node.IsScalar() && node.Scalar() == "closed") {
    return out;
  }
  std::vector<std::string> items =
      node.IsScalar() ? std::vector<std::string>{node.Scalar()} : string_list(node, "hours");
  for (const std::string& item : items) {
    auto range = parse_range(item);
    if (!range) {
      error(node, "bad time range '" + item + "' (HH:MM-HH:MM, start before end, up to 24:00)");
      continue;
    }
    out.push_back(*range);
  }
  return out;
}

std::optional<int> Loader::parse_clock(std::string_view text) {
  int h = 0;
  int m = 0;
  if (text.size() != 5 || text[2] != ':') {
    return std::nullopt;
  }
  auto r1 = std::from_chars(text.data(), text.data() + 2, h);
  auto r2 = std::from_chars(text.data() + 3, text.data() + 5, m);
  if (r1.ec != std::errc{} || r2.ec != std::errc{} || r1.ptr != text.data() + 2 ||
      r2.ptr != text.data() + 5 || h > 24 || m > 59 || (h == 24 && m != 0)) {
    return std::nullopt;
  }
  return h * 60 + m;
}

std::optional<OperatingHours::Range> Loader::parse_range(std::string_view text) {
  std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return std::nullopt;
  }
  auto start = parse_clock(text.substr(0, dash));
  auto end = parse_clock(text.substr(dash + 1));
  if (!start || !end || *start >= *end) {
    return std::nullopt;
  }
  return OperatingHours::Range{*start, *end};
}

}  // namespace detail

HubConfigResult load_hub_config_from_string(std::string_view yaml, const std::string& file_name,
                                            const std::filesystem::path& base_dir) {
  detail::Loader loader(file_name, base_dir);
  return loader.load(yaml);
}

HubConfigResult load_hub_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    HubConfigResult result;
    result.diagnostics.push_back(bot::Diagnostic{
        bot::Severity::kError, bot::SourceLoc{path.string(), 0, 0}, "cannot read the file"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_hub_config_from_string(text.str(), path.string(), path.parent_path());
}

}  // namespace baton::hub
