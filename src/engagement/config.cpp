#include "engagement/config.hpp"

#include <spdlog/spdlog.h>

namespace baton::engagement {
namespace {

// The built-in hub configuration when a bot directory has no hub.yaml.
constexpr const char* kDefaultHubYaml = R"yaml(
hub:
  default_queue: general
  queues:
    - name: general
)yaml";

}  // namespace

Result<std::shared_ptr<const hub::HubConfig>> load_engagement_config(
    const std::filesystem::path& bot_dir) {
  hub::HubConfigResult loaded;
  std::error_code ec;
  if (std::filesystem::exists(bot_dir / "hub.yaml", ec)) {
    loaded = hub::load_hub_config(bot_dir / "hub.yaml");
  } else if (std::filesystem::exists(bot_dir / "hub.yml", ec)) {
    loaded = hub::load_hub_config(bot_dir / "hub.yml");
  } else {
    loaded = hub::load_hub_config_from_string(kDefaultHubYaml, "(built-in hub.yaml)");
  }
  if (!loaded.config || bot::has_errors(loaded.diagnostics)) {
    std::string message;
    for (const auto& d : loaded.diagnostics) {
      if (d.severity == bot::Severity::kError) {
        message += (message.empty() ? "" : "\n") + d.format();
      }
    }
    return make_error(ErrorCode::kInvalidArgument,
                      message.empty() ? std::string("hub.yaml: invalid") : message);
  }
  for (const auto& d : loaded.diagnostics) {
    spdlog::warn("{}", d.format());
  }
  return std::shared_ptr<const hub::HubConfig>(
      std::make_shared<hub::HubConfig>(std::move(*loaded.config)));
}

}  // namespace baton::engagement
