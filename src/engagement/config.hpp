#pragma once
// The engagement layer's configuration for a bot: its hub.yaml (queues, routing, hours, offers,
// the customer's texts per language: docs/HUB.md).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "hub/config.hpp"

namespace baton::engagement {

// The hub configuration for a bot directory: `hub.yaml` (or `hub.yml`) beside the bot when
// present, else the built-in default (one queue "general", 30 s offers, built-in texts). Warnings
// are logged. Errors: kInvalidArgument whose message lists every diagnostic as
// "file:line:col: error: ...", one per line.
Result<std::shared_ptr<const hub::HubConfig>> load_engagement_config(
    const std::filesystem::path& bot_dir);

}  // namespace baton::engagement
