#pragma once
// How `baton serve` wires its parts (serve.cpp builds them in order and owns their lifetimes): the
// public listener's options, the external bot's connector, the external hubs, and the customer and
// agent channels' settings.

#include <filesystem>
#include <memory>
#include <string>

#include "channels/agent/agent.hpp"
#include "channels/botframework/connector.hpp"
#include "channels/directline/directline.hpp"
#include "channels/externalhub/external_hubs.hpp"
#include "cli/serve.hpp"
#include "core/public_url.hpp"
#include "core/result.hpp"
#include "dialog/runtime.hpp"
#include "engagement/engagement.hpp"
#include "engine/engine.hpp"
#include "hub/config.hpp"
#include "server/open_files.hpp"
#include "server/server.hpp"
#include "store/store.hpp"

namespace baton::cli {

// The secrets `baton serve` found or created at start.
struct Secrets {
  std::string directline;
  std::string agent_session_key;
  std::string metrics_token;  // "" = /metrics is not on the public listener
  // An external bot with an app id: the key Baton signs its channel's tokens with.
  std::shared_ptr<const botframework::SigningKey> channel_key = {};
};

// The public listener's options: readiness from the store and the data directory's disk, the
// connection caps (by default 90 % of the open-file limit: room for the store, the log and the
// listener besides the sockets).
server::ServerOptions listener_options(const ServeOptions& options, store::Store& store,
                                       const server::OpenFileLimit& files,
                                       const server::TrustedProxies& trusted_proxies);

// An external bot (docs/EXTERNAL_BOTS.md): Baton is its channel, and the connector delivers to it
// as the engine's bot sink; a graceful stop still makes its deliveries. Null for a YAML bot. The
// connector must outlive the server's run and the engine's use of the sink.
std::unique_ptr<botframework::Connector> connect_external_bot(
    const ServeOptions& options, const dialog::CompiledBot& bot, const Secrets& secrets,
    engine::Engine& engine, server::Server& server, std::shared_ptr<const PublicUrl> public_base);

// External queues' hubs (docs/EXTERNAL_HUBS.md): handoffs routed there are sent to them, and a
// graceful stop still sends what they are owed. Null without external queues.
std::shared_ptr<externalhub::ExternalHubs> connect_external_hubs(
    const hub::HubConfig& hub_config, engagement::Engagement& engagement, server::Server& server,
    std::shared_ptr<const PublicUrl> public_base);

// What the customer and agent channels are built with.
struct ChannelSettings {
  directline::DirectLineOptions directline;
  agent::AgentChannelOptions agents;
};

// The channels' settings from the command line, with the web pages found (web/: $BATON_WEB_DIR,
// ./web, beside the binary, installed, or the source tree) and the uploads directory opened (its
// error).
Result<ChannelSettings> channel_settings(const ServeOptions& options, const Secrets& secrets,
                                         std::shared_ptr<const hub::HubConfig> hub_config,
                                         const server::ServerOptions& server_options,
                                         const std::shared_ptr<const PublicUrl>& public_base);

}  // namespace baton::cli
