#include "cli/serve_wiring.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/url/parse.hpp>
#include <vector>

#include "cli/health.hpp"

#ifndef BATON_SOURCE_DIR
#define BATON_SOURCE_DIR "."
#endif

namespace baton::cli {
namespace {

namespace fs = std::filesystem;

// Where web/ is: $BATON_WEB_DIR, ./web, beside the binary or its parent, installed beside it
// (PREFIX/bin/baton → PREFIX/share/baton/web, deploy/CMakeLists.txt), or the source tree.
fs::path find_web_dir() {
  std::vector<fs::path> candidates;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): Baton never writes the environment (setenv, putenv)
  if (const char* env = std::getenv("BATON_WEB_DIR"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  candidates.emplace_back("web");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "web");
    candidates.push_back(exe.parent_path().parent_path() / "web");
    candidates.push_back(exe.parent_path().parent_path() / "share" / "baton" / "web");
  }
  candidates.push_back(fs::path(BATON_SOURCE_DIR) / "web");
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c / "test-page" / "index.html", ec)) {
      return c;
    }
  }
  return {};
}

}  // namespace

// The public listener's options: readiness from the store and the data directory's disk, the
// connection caps (by default 90 % of the open-file limit: room for the store, the log and the
// listener besides the sockets).
server::ServerOptions listener_options(const ServeOptions& options, store::Store& store,
                                       const server::OpenFileLimit& files,
                                       const server::TrustedProxies& trusted_proxies) {
  server::ServerOptions server_options;
  server_options.trusted_proxies = trusted_proxies;
  server_options.readiness = [&store, data_dir = options.data_dir,
                              warn = options.disk_warning_bytes] {
    return check_readiness(store, data_dir, warn);
  };
  server_options.max_connections = options.max_connections > 0
                                       ? static_cast<std::size_t>(options.max_connections)
                                       : static_cast<std::size_t>(files.soft * 9 / 10);
  server_options.max_connections_per_address =
      static_cast<std::size_t>(options.max_connections_per_address);
  if (!options.trusted_proxies.empty()) {
    spdlog::info("client addresses from X-Forwarded-For behind {}",
                 fmt::join(options.trusted_proxies, ", "));
  }
  return server_options;
}

// An external bot (docs/EXTERNAL_BOTS.md): Baton is its channel, and the connector delivers to it
// as the engine's bot sink; a graceful stop still makes its deliveries. Null for a YAML bot.
std::unique_ptr<botframework::Connector> connect_external_bot(
    const ServeOptions& options, const dialog::CompiledBot& bot, const Secrets& secrets,
    engine::Engine& engine, server::Server& server, std::shared_ptr<const PublicUrl> public_base) {
  const auto& external = bot.bot().external;
  if (!external) {
    return nullptr;
  }
  botframework::ConnectorOptions co;
  co.endpoint = options.bot_endpoint.empty() ? external->endpoint : options.bot_endpoint;
  co.apology_text = external->apology_text;
  co.service_url = std::move(public_base);
  if (!external->app_id.empty()) {
    co.app_auth = botframework::ConnectorOptions::AppAuth{
        secrets.channel_key, {external->app_id, external->app_password}};
  }
  auto connector = std::make_unique<botframework::Connector>(engine, server.executor(), co);
  engine.set_bot_sink([c = connector.get()](const activity::Activity& a) { c->deliver(a); });
  server.on_stop([c = connector.get()](std::function<void()> done) { c->drain(std::move(done)); });
  spdlog::info(
      "external bot at {} ({})", co.endpoint,
      co.app_auth ? "authenticated: app id " + external->app_id : std::string("anonymous"));
  return connector;
}

// External queues' hubs (docs/EXTERNAL_HUBS.md): handoffs routed there are sent to them, and a
// graceful stop still sends what they are owed. Null without external queues.
std::shared_ptr<externalhub::ExternalHubs> connect_external_hubs(
    const hub::HubConfig& hub_config, engagement::Engagement& engagement, server::Server& server,
    std::shared_ptr<const PublicUrl> public_base) {
  std::vector<engagement::ExternalHubTarget> targets = engagement::external_hub_targets(hub_config);
  for (const auto& target : targets) {
    spdlog::info("queue '{}' is the external hub at {}", target.queue, target.url);
  }
  if (targets.empty()) {
    return nullptr;
  }
  externalhub::ExternalHubOptions hub_options;
  hub_options.service_url = std::move(public_base);
  auto hubs = std::make_shared<externalhub::ExternalHubs>(
      engagement, server.executor(), std::move(targets), std::move(hub_options));
  engagement.set_external_sink(hubs);
  server.on_stop([weak = std::weak_ptr(hubs)](std::function<void()> done) {
    if (auto alive = weak.lock()) {
      alive->drain(std::move(done));
    } else {
      done();
    }
  });
  return hubs;
}

// The channels' settings from the command line; the uploads directory opened (its error).
Result<ChannelSettings> channel_settings(const ServeOptions& options, const Secrets& secrets,
                                         std::shared_ptr<const hub::HubConfig> hub_config,
                                         const server::ServerOptions& server_options,
                                         const std::shared_ptr<const PublicUrl>& public_base) {
  ChannelSettings settings;
  directline::DirectLineOptions& dl = settings.directline;
  dl.secret = secrets.directline;
  dl.token_ttl = std::chrono::seconds(options.token_ttl_seconds);
  dl.rate_limit_per_minute = options.rate_limit_per_minute;
  dl.session_rate_limit_per_minute = options.session_rate_limit_per_minute;
  dl.uploads_dir = options.data_dir / "uploads";
  dl.upload_limits.max_conversation_bytes = options.upload_quota_bytes;
  dl.upload_limits.max_total_bytes = options.uploads_total_bytes;
  dl.upload_limits.min_free_bytes = options.uploads_min_free_bytes;
  dl.stream_url_from_public_url = !options.public_url.empty();
  dl.frame_ancestors = options.frame_ancestors;
  dl.public_url = public_base;
  agent::AgentChannelOptions& agent_options = settings.agents;
  agent_options.session_key = secrets.agent_session_key;
  agent_options.hub = std::move(hub_config);
  agent_options.readiness = server_options.readiness;
  agent_options.allowed_origins = options.agent_origins;
  agent_options.public_url = public_base;
  auto uploads = store::UploadFiles::open(dl.uploads_dir, dl.upload_limits);
  if (!uploads.ok()) {
    return uploads.error();
  }
  dl.uploads = std::move(*uploads);
  agent_options.uploads = dl.uploads;
  if (!options.public_url.empty()) {
    auto url = boost::urls::parse_absolute_uri(options.public_url);
    agent_options.allowed_origins.push_back(
        fmt::format("{}://{}", url->scheme(), url->encoded_authority()));
  }
  if (const fs::path web = find_web_dir(); !web.empty()) {
    dl.test_page = web / "test-page" / "index.html";
    dl.webchat_bundle = web / "node_modules" / "botframework-webchat" / "dist" / "webchat.js";
    agent_options.console_dir = web / "agent";
    agent_options.chart_library = web / "node_modules" / "chart.js" / "dist" / "chart.umd.js";
    spdlog::info("web pages from {}", fs::absolute(web).lexically_normal().string());
  } else {
    spdlog::warn("web/test-page not found (set BATON_WEB_DIR); GET / and /agent are not served");
  }
  return settings;
}

}  // namespace baton::cli
