// hub.yaml → HubConfig. The format is documented in docs/HUB.md; every problem becomes a
// Diagnostic at the offending node, and loading goes on where it can so one run reports many.

#include <date/date.h>
#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <span>
#include <sstream>
#include <vector>

#include "core/secret_file.hpp"
#include "core/utf8.hpp"
#include "hub/config.hpp"
#include "hub/config_texts.hpp"

namespace baton::hub {
namespace {

// The keys a mapping may have; lists are short, so a lookup is a linear scan.
using Keys = std::span<const std::string_view>;

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
constexpr std::string_view kQueueKeys[] = {"name",
                                           "when",
                                           "priority",
                                           "skills",
                                           "overflow",
                                           "strategy",
                                           "offer_timeout",
                                           "position_update_interval",
                                           "abandon_after",
                                           "max_wait",
                                           "texts",
                                           "hours",
                                           "wait_for_agent",
                                           "dispositions",
                                           "disposition_required",
                                           "external"};
constexpr std::string_view kHoursKeys[] = {"time_zone", "weekly", "holidays"};
constexpr std::string_view kTextKeys[] = {"queued", "position", "waiting_for_agent", "unavailable"};
constexpr std::string_view kExternalKeys[] = {"url", "secret_file", "secret"};
// Queue keys that concern agents, refused on an external queue (it has none).
constexpr std::string_view kAgentOnlyQueueKeys[] = {"skills",        "strategy",
                                                    "offer_timeout", "wait_for_agent",
                                                    "dispositions",  "disposition_required",
                                                    "overflow"};
constexpr std::string_view kNoticeKeys[] = {"joined", "transferred", "left", "closed"};
// The placeholders each text takes (docs/HUB.md).
constexpr std::string_view kQueuePlaceholders[] = {"position", "wait", "queue"};
constexpr std::string_view kAgentPlaceholders[] = {"agent"};
constexpr std::string_view kAgentKeys[] = {"id", "name", "role", "skills", "capacity"};

const char* const kDayNames[7] = {"sunday",   "monday", "tuesday", "wednesday",
                                  "thursday", "friday", "saturday"};

class Loader {
 public:
  Loader(std::string file, std::filesystem::path base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  HubConfigResult load(std::string_view text) {
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

  bot::Diagnostics diagnostics_;

 private:
  HubConfigResult finish() {
    HubConfigResult result;
    result.diagnostics = std::move(diagnostics_);
    if (!bot::has_errors(result.diagnostics)) {
      result.config = std::move(config_);
    }
    return result;
  }

  bot::SourceLoc loc(const YAML::Node& node) const {
    YAML::Mark mark = node.Mark();
    if (mark.line < 0) {
      return bot::SourceLoc{file_, 0, 0};
    }
    return bot::SourceLoc{file_, mark.line + 1, mark.column + 1};
  }

  void error_at(int line, int column, std::string message) {
    diagnostics_.push_back(bot::Diagnostic{
        bot::Severity::kError, bot::SourceLoc{file_, std::max(line, 0), std::max(column, 0)},
        std::move(message)});
  }

  void error(const YAML::Node& node, std::string message) {
    diagnostics_.push_back(bot::Diagnostic{bot::Severity::kError, loc(node), std::move(message)});
  }

  bool expect_map(const YAML::Node& node, std::string_view what) {
    if (!node.IsMap()) {
      error(node, std::string(what) + " must be a mapping");
      return false;
    }
    return true;
  }

  void check_keys(const YAML::Node& map, Keys allowed, std::string_view where) {
    for (const auto& item : map) {
      if (!item.first.IsScalar() ||
          std::find(allowed.begin(), allowed.end(), item.first.Scalar()) == allowed.end()) {
        std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
        error(item.first, "unknown key '" + key + "' in " + std::string(where));
      }
    }
  }

  std::optional<std::string> scalar(const YAML::Node& node, std::string_view what) {
    if (!node.IsScalar()) {
      error(node, std::string(what) + " must be a scalar");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<int> integer(const YAML::Node& node, std::string_view what, int min, int max) {
    auto text = scalar(node, what);
    if (!text) {
      return std::nullopt;
    }
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max) {
      error(node, std::string(what) + " must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max));
      return std::nullopt;
    }
    return value;
  }

  std::optional<Millis> duration(const YAML::Node& node, std::string_view what) {
    auto text = scalar(node, what);
    if (!text) {
      return std::nullopt;
    }
    auto value = parse_duration(*text);
    if (!value) {
      error(node, std::string(what) + ": bad duration '" + *text +
                      "' (examples: 30s, 10m, 1h30m, 250ms, or seconds)");
    }
    return value;
  }

  std::vector<std::string> string_list(const YAML::Node& node, std::string_view what) {
    std::vector<std::string> out;
    if (!node.IsSequence()) {
      error(node, std::string(what) + " must be a list");
      return out;
    }
    for (const auto& item : node) {
      if (auto s = scalar(item, what)) {
        out.push_back(*s);
      }
    }
    return out;
  }

  void load_root(const YAML::Node& root) {
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

  void load_live_chat_channels(const YAML::Node& node) {
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

  // Queue settings before hub.yaml's defaults: the texts are the built-in ones (texts.hpp).
  static QueueConfig default_settings() { return QueueConfig{}; }

  void load_settings(const YAML::Node& map, QueueConfig& q) {
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

  void load_text(const YAML::Node& node, Keys placeholders, LocalizedText& out) {
    if (node) {
      detail::load_localized_text(node, placeholders, file_, out, diagnostics_);
    }
  }

  void load_notices(const YAML::Node& node) {
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

  std::optional<OperatingHours> load_hours(const YAML::Node& node) {
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

  std::optional<int> parse_date(const YAML::Node& node) {
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

  void load_weekly(const YAML::Node& weekly, OperatingHours& hours) {
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

  std::vector<OperatingHours::Range> load_ranges(const YAML::Node& node) {
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

  static std::optional<int> parse_clock(std::string_view text) {
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

  static std::optional<OperatingHours::Range> parse_range(std::string_view text) {
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

  void load_queues(const YAML::Node& list, const YAML::Node& hub, const QueueConfig& defaults);
  void load_queue(const YAML::Node& node, const QueueConfig& defaults);
  void load_dispositions(const YAML::Node& node, QueueConfig& q);
  void load_external(const YAML::Node& node, QueueConfig& q);
  std::optional<std::string> read_secret(const YAML::Node& node, const std::string& file);
  void resolve_queue_links(const YAML::Node& list, const YAML::Node& hub);
  void load_agents(const YAML::Node& list);

  std::string file_;
  std::filesystem::path base_dir_;
  HubConfig config_;
  std::vector<YAML::Node> overflow_nodes_;  // per queue, the overflow node (or null)
};

void Loader::load_queues(const YAML::Node& list, const YAML::Node& hub,
                         const QueueConfig& defaults) {
  if (!list || !list.IsSequence() || list.size() == 0) {
    error(list ? list : hub, "hub needs a non-empty list of queues");
    return;
  }
  for (const auto& node : list) {
    load_queue(node, defaults);
  }
  resolve_queue_links(list, hub);
}

void Loader::load_queue(const YAML::Node& node, const QueueConfig& defaults) {
  if (!expect_map(node, "a queue")) {
    return;
  }
  check_keys(node, kQueueKeys, "queue");
  QueueConfig q = defaults;
  q.loc = loc(node);
  if (auto n = node["name"]) {
    if (auto s = scalar(n, "name")) {
      q.name = *s;
    }
  }
  if (q.name.empty()) {
    error(node, "a queue needs a non-empty name");
    return;
  }
  if (config_.find_queue(q.name)) {
    error(node["name"], "duplicate queue '" + q.name + "'");
    return;
  }
  if (auto n = node["when"]) {
    if (auto s = scalar(n, "when")) {
      auto expr = bot::parse_expression(*s);
      if (expr.ok()) {
        q.when = std::move(expr.value());
      } else {
        error(n, "bad routing rule: " + expr.error().message);
      }
    }
  }
  if (auto n = node["priority"]) {
    q.priority = integer(n, "priority", -1000, 1000).value_or(0);
  }
  if (auto n = node["skills"]) {
    q.skills = normalize_skills(string_list(n, "skills"));
  }
  load_dispositions(node, q);
  load_settings(node, q);
  if (auto n = node["external"]) {
    load_external(node, q);
  }
  config_.queues.push_back(std::move(q));
  overflow_nodes_.push_back(node["overflow"]);
}

void Loader::load_dispositions(const YAML::Node& node, QueueConfig& q) {
  if (auto list = node["dispositions"]) {
    if (!list.IsSequence()) {
      error(list, "dispositions must be a list of codes");
    } else if (list.size() > kMaxDispositions) {
      error(list, "a queue may have at most " + std::to_string(kMaxDispositions) + " dispositions");
    } else {
      for (const auto& item : list) {
        auto code = scalar(item, "a disposition");
        if (!code) {
          continue;
        }
        const bool valid = !code->empty() && code->size() <= kMaxDispositionLength &&
                           std::all_of(code->begin(), code->end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                                    c == '_' || c == '-';
                           });
        if (!valid) {
          error(item, "disposition '" + *code + "' must be 1.." +
                          std::to_string(kMaxDispositionLength) +
                          " characters of a-z, 0-9 and . _ -");
        } else if (std::find(q.dispositions.begin(), q.dispositions.end(), *code) !=
                   q.dispositions.end()) {
          error(item, "duplicate disposition '" + *code + "'");
        } else {
          q.dispositions.push_back(*code);
        }
      }
    }
  }
  if (auto n = node["disposition_required"]) {
    auto value = scalar(n, "disposition_required");
    if (value && (*value == "true" || *value == "false")) {
      q.disposition_required = *value == "true";
      if (q.disposition_required && !node["dispositions"]) {
        error(n, "disposition_required needs a list of dispositions on the same queue");
      }
    } else if (value) {
      error(n, "disposition_required must be true or false");
    }
  }
}

// A URL's shape without resolving anything: http://host[:port][/path][?query], printable ASCII,
// no credentials, no fragment. (The HTTP client checks it again when it sends.)
bool plausible_http_url(std::string_view url) {
  const std::string_view scheme = url.starts_with("https://") ? "https://" : "http://";
  if (!url.starts_with(scheme) || url.size() > kMaxExternalUrlLength) {
    return false;
  }
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return false;
  }
  std::string_view rest = url.substr(scheme.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         url.find('#') == std::string_view::npos && authority.front() != ':';
}

void Loader::load_external(const YAML::Node& node, QueueConfig& q) {
  const YAML::Node ext = node["external"];
  if (!expect_map(ext, "external")) {
    return;
  }
  check_keys(ext, kExternalKeys, "external");
  for (std::string_view key : kAgentOnlyQueueKeys) {
    if (auto n = node[std::string(key)]) {
      error(n, "'" + std::string(key) + "' does not apply to an external queue (it has no agents)");
    }
  }
  ExternalHub hub;
  if (auto n = ext["url"]) {
    if (auto s = scalar(n, "url")) {
      if (plausible_http_url(*s)) {
        hub.url = *s;
      } else {
        error(n,
              "external url must be http[s]://host[:port][/path] (no credentials, no fragment, at "
              "most " +
                  std::to_string(kMaxExternalUrlLength) + " characters)");
      }
    }
  } else {
    error(ext, "external needs a url");
  }
  if (auto n = ext["secret"]) {
    error(n,
          "a secret is not written in hub.yaml: put it in a file (mode 0600) and name the "
          "file with secret_file");
  }
  if (auto n = ext["secret_file"]) {
    if (auto s = scalar(n, "secret_file"); s && !s->empty()) {
      hub.secret_file = *s;
      if (auto secret = read_secret(n, *s)) {
        hub.secret = std::move(*secret);
      }
    } else if (s) {
      error(n, "secret_file must name a file");
    }
  } else if (!ext["secret"]) {
    error(ext, "external needs a secret_file");
  }
  q.wait_for_agent = false;  // a default's setting does not apply
  q.external = std::move(hub);
}

std::optional<std::string> Loader::read_secret(const YAML::Node& node, const std::string& file) {
  std::filesystem::path path(file);
  if (path.is_relative() && !base_dir_.empty()) {
    path = base_dir_ / path;
  }
  auto secret = read_configured_secret(path, kMinExternalSecretLength);
  if (!secret.ok()) {
    error(node, "secret_file: " + secret.error().message);
    return std::nullopt;
  }
  return std::move(*secret);
}

void Loader::resolve_queue_links(const YAML::Node& list, const YAML::Node& hub) {
  for (std::size_t i = 0; i < config_.queues.size(); ++i) {
    const YAML::Node& n = overflow_nodes_[i];
    if (!n) {
      continue;
    }
    auto name = scalar(n, "overflow");
    if (!name) {
      continue;
    }
    if (!config_.find_queue(*name)) {
      error(n, "overflow to unknown queue '" + *name + "'");
    } else if (config_.queues[*config_.find_queue(*name)].external) {
      error(n,
            "overflow to external queue '" + *name + "' (a handoff reaches one only by routing)");
    } else if (*name == config_.queues[i].name) {
      error(n, "a queue cannot overflow to itself");
    } else {
      config_.queues[i].overflow = *name;
      if (!config_.queues[i].max_wait) {
        error(n, "overflow needs max_wait on the same queue (or in defaults)");
      }
    }
  }
  // Cycles: follow each chain; a chain longer than the number of queues revisits one.
  for (std::size_t i = 0; i < config_.queues.size(); ++i) {
    std::size_t at = i;
    for (std::size_t steps = 0; steps <= config_.queues.size(); ++steps) {
      auto next = config_.find_queue(config_.queues[at].overflow);
      if (config_.queues[at].overflow.empty() || !next) {
        break;
      }
      at = *next;
      if (at == i) {
        error(overflow_nodes_[i],
              "overflow chain of queue '" + config_.queues[i].name + "' loops back to it");
        break;
      }
    }
  }
  if (auto n = hub["default_queue"]) {
    if (auto name = scalar(n, "default_queue")) {
      if (auto index = config_.find_queue(*name)) {
        config_.default_queue = *index;
      } else {
        error(n, "default_queue names unknown queue '" + *name + "'");
      }
    }
  } else if (config_.queues.size() > 1) {
    error(list, "hub needs a default_queue when it has more than one queue");
  }
  for (std::size_t i = 0; i < config_.queues.size(); ++i) {
    config_.routing_order.push_back(i);
  }
  std::stable_sort(config_.routing_order.begin(), config_.routing_order.end(),
                   [this](std::size_t a, std::size_t b) {
                     return config_.queues[a].priority > config_.queues[b].priority;
                   });
}

void Loader::load_agents(const YAML::Node& list) {
  if (!list.IsSequence()) {
    error(list, "agents must be a list");
    return;
  }
  for (const auto& node : list) {
    if (!expect_map(node, "an agent")) {
      continue;
    }
    check_keys(node, kAgentKeys, "agent");
    Agent agent;
    if (auto n = node["id"]) {
      agent.id = scalar(n, "id").value_or("");
    }
    if (agent.id.empty()) {
      error(node, "an agent needs a non-empty id");
      continue;
    }
    for (const Agent& other : config_.agents) {
      if (other.id == agent.id) {
        error(node["id"], "duplicate agent '" + agent.id + "'");
      }
    }
    agent.display_name = agent.id;
    if (auto n = node["name"]) {
      agent.display_name = scalar(n, "name").value_or(agent.id);
    }
    if (auto n = node["role"]) {
      auto s = scalar(n, "role");
      auto role = s ? parse_role(*s) : std::nullopt;
      if (s && !role) {
        error(n, "unknown role '" + *s + "' (agent, supervisor, admin)");
      }
      agent.role = role.value_or(Role::kAgent);
    }
    if (auto n = node["skills"]) {
      agent.skills = normalize_skills(string_list(n, "skills"));
    }
    if (auto n = node["capacity"]) {
      agent.capacity = integer(n, "capacity", 1, 1000).value_or(1);
    }
    config_.agents.push_back(std::move(agent));
  }
}

}  // namespace

HubConfigResult load_hub_config_from_string(std::string_view yaml, const std::string& file_name,
                                            const std::filesystem::path& base_dir) {
  Loader loader(file_name, base_dir);
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
