#pragma once
// The hub.yaml loader (load_hub_config, config.hpp) shared by its two halves: config_loader.cpp
// (the file, the hub's settings, texts and hours) and config_loader_queues.cpp (queues, external
// hubs, agents). Every problem becomes a Diagnostic at the offending node, and loading goes on
// where it can so one run reports many. Internal to src/hub.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hub/config.hpp"

namespace baton::hub::detail {

// The keys a mapping may have; lists are short, so a lookup is a linear scan.
using Keys = std::span<const std::string_view>;

class Loader {
 public:
  Loader(std::string file, std::filesystem::path base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  HubConfigResult load(std::string_view text);

  bot::Diagnostics diagnostics_;

 private:
  HubConfigResult finish();

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

  void load_root(const YAML::Node& root);
  void load_live_chat_channels(const YAML::Node& node);

  // Queue settings before hub.yaml's defaults: the texts are the built-in ones (texts.hpp).
  static QueueConfig default_settings() { return QueueConfig{}; }

  void load_settings(const YAML::Node& map, QueueConfig& q);
  void load_text(const YAML::Node& node, Keys placeholders, LocalizedText& out);

  void load_notices(const YAML::Node& node);
  std::optional<OperatingHours> load_hours(const YAML::Node& node);

  std::optional<int> parse_date(const YAML::Node& node);
  void load_weekly(const YAML::Node& weekly, OperatingHours& hours);

  std::vector<OperatingHours::Range> load_ranges(const YAML::Node& node);
  static std::optional<int> parse_clock(std::string_view text);

  static std::optional<OperatingHours::Range> parse_range(std::string_view text);
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

}  // namespace baton::hub::detail
