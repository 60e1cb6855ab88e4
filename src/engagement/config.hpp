#pragma once
// The engagement layer's configuration for a bot: its hub.yaml (queues, routing, hours, offers:
// docs/HUB.md) and the texts the customer is told besides the queue texts.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "hub/config.hpp"

namespace baton::engagement {

// What the customer is told besides the queue texts of hub.yaml. `{agent}` is replaced by the
// agent's display name.
struct EngagementTexts {
  std::string joined;        // an agent accepted: "{agent} joined the chat."
  std::string transferring;  // the agent transferred the conversation
  std::string closed;        // the agent or a supervisor closed the conversation
};

// Built-in texts for a bot language ("de-de" → German; anything else → English).
EngagementTexts default_engagement_texts(std::string_view language);

// The hub configuration for a bot directory: `hub.yaml` (or `hub.yml`) beside the bot when
// present, else the built-in default (one queue "general", 30 s offers, English texts). Warnings
// are logged. Errors: kInvalidArgument whose message lists every diagnostic as
// "file:line:col: error: ...", one per line.
Result<std::shared_ptr<const hub::HubConfig>> load_engagement_config(
    const std::filesystem::path& bot_dir);

}  // namespace baton::engagement
