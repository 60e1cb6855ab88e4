#include "cli/serve.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <future>
#include <optional>
#include <ostream>
#include <string_view>
#include <system_error>
#include <thread>

#include "bot/loader.hpp"
#include "channels/agent/agent.hpp"
#include "channels/agent/session.hpp"
#include "channels/botframework/connector.hpp"
#include "channels/directline/directline.hpp"
#include "channels/directline/token.hpp"
#include "channels/externalhub/external_hubs.hpp"
#include "cli/health.hpp"
#include "cli/metrics.hpp"
#include "cli/serve_wiring.hpp"
#include "cli/service_log.hpp"
#include "cli/shared.hpp"
#include "cli/store_open.hpp"
#include "core/public_url.hpp"
#include "core/secret_file.hpp"
#include "core/thread_name.hpp"
#include "dialog/runtime.hpp"
#include "engagement/engagement.hpp"
#include "engine/engine.hpp"
#include "lifecycle/retention.hpp"
#include "server/http_client.hpp"
#include "server/open_files.hpp"
#include "server/server.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace baton::cli {
namespace {

namespace fs = std::filesystem;

struct Address {
  std::string host;
  std::uint16_t port = 0;
};

// `flag` names the option in errors.
Result<Address> parse_listen(const std::string& text, std::string_view flag = "--listen") {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{} must be HOST:PORT", flag));
  }
  Address a;
  a.host = text.substr(0, colon);
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (ec != std::errc() || end != port.data() + port.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("{}: the port must be 0..65535", flag));
  }
  return a;
}

// "" or an absolute http(s) URL with a host, without query or fragment.
Status check_public_url(const std::string& text) {
  if (text.empty()) {
    return {};
  }
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty() ||
      url->has_query() || url->has_fragment() || url->has_userinfo()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "must be an http:// or https:// URL with a host and no query, e.g. "
                      "https://chat.example.com");
  }
  return {};
}

// --secret, then BATON_DIRECTLINE_SECRET, then DATA/directline-secret (created at first start).
Result<std::string> load_secret(const ServeOptions& options) {
  if (!options.secret.empty()) {
    return options.secret;
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): Baton never writes the environment (setenv, putenv)
  if (const char* env = std::getenv("BATON_DIRECTLINE_SECRET"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const fs::path file = options.data_dir / "directline-secret";
  const bool existed = fs::exists(file);
  auto secret = read_or_create_secret_file(file, directline::generate_secret);
  if (secret.ok() && !existed) {
    spdlog::info("created a new Direct Line secret in {}", file.string());
  }
  return secret;
}

// Starts the Engagement (replay, agents, reconcile, recover) and waits for the outcome.
Status start_engagement(engagement::Engagement& engagement) {
  auto done = std::make_shared<std::promise<Status>>();
  engagement.start([done](const Result<bool>& started) {
    done->set_value(started.ok() ? Status{} : Status(started.error()));
  });
  return done->get_future().get();
}

// Where /metrics is served (cli/metrics.hpp): on the public listener behind the token, and on a
// listener of its own. Returns that listener (null without --metrics-listen), or the error.
Result<std::unique_ptr<server::Server>> serve_metrics(const ServeOptions& options,
                                                      const Secrets& secrets,
                                                      server::Server& server,
                                                      server::AsyncHandler handler) {
  if (!secrets.metrics_token.empty()) {
    if (Status added = add_metrics_route(server.router(), handler, secrets.metrics_token);
        !added.ok()) {
      return added.error();
    }
    spdlog::info("metrics: GET /metrics on the public listener, for the bearer token in {}",
                 options.metrics_token_file.string());
  }
  if (options.metrics_listen.empty()) {
    return std::unique_ptr<server::Server>();
  }
  auto address = parse_listen(options.metrics_listen, "--metrics-listen");  // checked at start
  auto listener = start_metrics_listener(address->host, address->port, std::move(handler));
  if (!listener.ok()) {
    return make_error(listener.error().code, "--metrics-listen: " + listener.error().message);
  }
  const bool v6 = address->host.find(':') != std::string::npos;
  spdlog::info("metrics: listening on http://{}{}{}:{}/metrics", v6 ? "[" : "", address->host,
               v6 ? "]" : "", (*listener)->port());
  return listener;
}

// Every connection is a descriptor; Debian's default soft limit (1,024) would cap the server at
// about a thousand customers, so serve runs at the hard limit (open_files.hpp).
void log_open_file_limit(const server::OpenFileLimit& files) {
  if (files.soft != files.before) {
    spdlog::info("open-file limit raised from {} to {} (the hard limit)", files.before, files.soft);
  }
  if (files.soft < server::kFewOpenFiles) {
    spdlog::warn(
        "the open-file limit is {} (hard {}): at most about that many connections; raise the hard "
        "limit (LimitNOFILE= in a systemd unit, `ulimit -Hn` as root)",
        files.soft, files.hard);
  }
}

// Baton's public base URL (attachment links, the service URL bots and external hubs call back at,
// the channel tokens' issuer): --public-url, else the listen address ("localhost" in place of an
// address that means every interface, with a warning: customers elsewhere need --public-url).
std::string public_url(const ServeOptions& options, const Address& address, std::uint16_t port) {
  if (!options.public_url.empty()) {
    return options.public_url;
  }
  std::string host = address.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) {
    spdlog::warn(
        "listening on every interface without --public-url: attachment links will name "
        "localhost; set --public-url to the address customers use");
    host = "localhost";
  }
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

// --retain, --retention-interval and --session-timeout, parsed once.
struct BackgroundSettings {
  lifecycle::RetentionPolicy policy;  // empty: nothing is deleted
  lifecycle::RetentionOptions options;
  Millis session_timeout = analytics::kDefaultSessionTimeout;  // --session-timeout
};

Result<BackgroundSettings> parse_retention_settings(const ServeOptions& options) {
  BackgroundSettings settings;
  if (!options.retain.empty()) {
    auto policy = lifecycle::parse_retention(options.retain);
    if (!policy.ok()) {
      return make_error(ErrorCode::kInvalidArgument, "--retain: " + policy.error().message);
    }
    settings.policy = *policy;
  }
  const auto interval = parse_duration(options.retention_interval);
  if (!interval || *interval < std::chrono::seconds(1)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("--retention-interval: '{}' is not a duration of at least 1s",
                                  options.retention_interval));
  }
  settings.options.interval = *interval;
  const auto session_timeout = parse_duration(options.session_timeout);
  if (!session_timeout || *session_timeout < std::chrono::seconds(1)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("--session-timeout: '{}' is not a duration of at least 1s",
                                  options.session_timeout));
  }
  settings.session_timeout = *session_timeout;
  return settings;
}

// Every route of the public listener, then the engagement started (replay, recovery).
Status register_and_start(server::Router& router, directline::DirectLineChannel& channel,
                          agent::AgentChannel& agents, botframework::Connector* connector,
                          externalhub::ExternalHubs* external_hubs,
                          engagement::Engagement& engagement) {
  Status ready = channel.register_routes(router);
  if (ready.ok()) {
    ready = agents.register_routes(router);
  }
  if (ready.ok() && connector != nullptr) {
    ready = connector->register_routes(router);
  }
  if (ready.ok() && external_hubs != nullptr) {
    ready = external_hubs->register_routes(router);
  }
  if (ready.ok()) {
    ready = start_engagement(engagement);
  }
  return ready;
}

// Flushes and closes the store, and logs what its writer did over the run.
void close_store(store::Store& store) {
  spdlog::info("stopping: flushing the store");
  if (Status closed = store.close(); !closed.ok()) {
    spdlog::error("store: {}", closed.error().message);
  }
  const store::StoreStats stats = store.stats();
  spdlog::info(
      "store: {} batches committed ({} failed) in {} transactions (longest {:.1f} ms, {} of "
      "50 ms or more), {} checkpoints, {} WAL restarts (longest pause {:.1f} ms)",
      stats.batches_committed, stats.batches_failed, stats.transactions,
      static_cast<double>(stats.max_transaction_us) / 1000.0, stats.slow_transactions,
      stats.checkpoints, stats.wal_restarts,
      static_cast<double>(stats.max_wal_restart_pause_us) / 1000.0);
}

// Binds the public listener, then the metrics (after the engagement started: a scrape reads its
// hub; before the public listener runs). The bound port; `metrics_listener` is set with
// --metrics-listen.
Result<std::uint16_t> open_listeners(const ServeOptions& options, const Secrets& secrets,
                                     const Address& address, server::Server& server,
                                     server::AsyncHandler metrics,
                                     std::unique_ptr<server::Server>& metrics_listener) {
  Result<std::uint16_t> port = server.listen(address.host, address.port);
  if (!port.ok()) {
    return port;
  }
  auto listener = serve_metrics(options, secrets, server, std::move(metrics));
  if (!listener.ok()) {
    return listener.error();
  }
  metrics_listener = std::move(*listener);
  return port;
}

// Says Baton serves: the "listening" line on `out` (what scripts and tests wait for), the log, and
// systemd's READY. Returns the status line.
std::string announce(const ServeOptions& options, const Address& address, std::uint16_t port,
                     const std::string& bot_id, std::ostream& out) {
  const bool v6 = address.host.find(':') != std::string::npos;
  const std::string url =
      fmt::format("http://{}{}{}:{}", v6 ? "[" : "", address.host, v6 ? "]" : "", port);
  out << "baton: listening on " << url << std::endl;
  spdlog::info("serving bot '{}' from {} with data in {} and the store in {}", bot_id,
               options.bot_path.string(), options.data_dir.string(),
               describe_store(options.store, options.data_dir));
  std::string serving = fmt::format("serving bot '{}' on {}", bot_id, url);
  notify_service_manager("READY=1\nSTATUS=" + serving);
  return serving;
}

// Builds the engine, the engagement hub and both channels on `store`, serves until a signal, then
// stops in the order the lifetimes need: server (threads joined), engagement, store (flushed),
// engine thread. Returns the exit code.
int serve_with(const ServeOptions& options, const Address& address,
               const std::shared_ptr<const dialog::CompiledBot>& bot, store::Store& store,
               const Clock& clock, const Secrets& secrets,
               const std::shared_ptr<const hub::HubConfig>& hub_config,
               const server::TrustedProxies& trusted_proxies, const BackgroundSettings& retained,
               std::ostream& out, std::ostream& err) {
  EngineThread engine_thread;
  const server::OpenFileLimit files = server::raise_open_file_limit();
  log_open_file_limit(files);
  const server::ServerOptions server_options =
      listener_options(options, store, files, trusted_proxies);
  server::Server server(server_options);
  engine::EngineOptions engine_options;
  engine_options.live_chat_supported = hub_config->live_chat_supported(engine_options.channel_id);
  engine_options.session_timeout = retained.session_timeout;
  engine_options.external_bot = bot->bot().external.has_value();
  engine::Engine engine(engine_thread.strand(), store, bot, clock, engine_options);
  // The one public base URL every channel names (public_url()): set once the port is bound.
  const auto public_base = std::make_shared<PublicUrl>();
  const std::unique_ptr<botframework::Connector> connector =
      connect_external_bot(options, *bot, secrets, engine, server, public_base);
  engagement::Engagement engagement(engine_thread.strand(), engine, store, hub_config, clock);
  const std::shared_ptr<externalhub::ExternalHubs> external_hubs =
      connect_external_hubs(*hub_config, engagement, server, public_base);
  auto settings = channel_settings(options, secrets, hub_config, server_options, public_base);
  if (!settings.ok()) {
    spdlog::error("{}", settings.error().message);
    return 1;
  }
  directline::DirectLineChannel channel(engine, store, clock, settings->directline);
  agent::AgentChannel agents(engagement, store, clock, server.executor(), settings->agents);
  // Deleted conversations' handoff contexts leave the hub's log with its next compaction.
  auto retention = std::make_shared<lifecycle::Retention>(
      server.executor(), store, engine, settings->directline.uploads, clock, retained.policy,
      retained.options, [&engagement] {
        engagement.compact([](const Result<bool>& r) {
          if (!r.ok()) {
            spdlog::warn("retention: the hub log was not compacted: {}", r.error().message);
          }
        });
      });
  std::unique_ptr<server::Server> metrics_listener;  // --metrics-listen
  auto shutdown = [&] {
    if (metrics_listener) {
      metrics_listener->stop();  // no scrape reads the engine or the store after this
      metrics_listener->wait();
    }
    retention->stop();
    engine.stop_session_sweep();
    notify_service_manager("STOPPING=1\nSTATUS=stopping: flushing the store");
    engine_thread.run_on_strand([&] { engagement.stop(); });
    close_store(store);
    engine_thread.stop();
  };
  const Status ready = register_and_start(server.router(), channel, agents, connector.get(),
                                          external_hubs.get(), engagement);
  Result<std::uint16_t> port =
      ready.ok() ? open_listeners(options, secrets, address, server,
                                  metrics_handler({engine, engagement, store, server,
                                                   connector.get(), external_hubs.get()}),
                                  metrics_listener)
                 : Result<std::uint16_t>(ready.error());
  if (!port.ok()) {
    err << "baton serve: " << port.error().message << '\n';
    shutdown();
    return 1;
  }
  server.stop_on_signals();
  engine.start_session_sweep();
  if (retained.policy.any()) {
    spdlog::info("retention: {}, swept every {}", options.retain, options.retention_interval);
    retention->start();
  }
  public_base->set(public_url(options, address, *port));
  const std::string serving = announce(options, address, *port, bot->bot().id, out);
  std::atomic<bool> storage_failed{false};
  {
    HealthMonitor health(store, options.data_dir, options.disk_warning_bytes, serving,
                         notify_service_manager, [&] {
                           storage_failed.store(true);
                           server.stop();
                         });
    server.run(options.threads);
  }
  shutdown();
  return storage_failed.load() ? kExitStorageFailed : 0;
}

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  setup_logging(options.log_level);
  auto address = parse_listen(options.listen);
  auto sync = store::parse_synchronous(options.sync);
  auto trusted_proxies = server::TrustedProxies::parse(options.trusted_proxies);
  auto metrics_address = options.metrics_listen.empty()
                             ? Result<Address>(Address{})
                             : parse_listen(options.metrics_listen, "--metrics-listen");
  if (!address.ok() || !metrics_address.ok() || !sync.ok() || !trusted_proxies.ok() ||
      options.threads < 1 || options.token_ttl_seconds < 1) {
    err << "baton serve: "
        << (!address.ok()           ? address.error().message
            : !metrics_address.ok() ? metrics_address.error().message
            : !sync.ok()            ? "--sync must be full or normal"
            : !trusted_proxies.ok() ? "--trusted-proxy: " + trusted_proxies.error().message
                                    : "--threads and --token-ttl must be positive")
        << '\n';
    return 2;
  }
  if (Status url = check_public_url(options.public_url); !url.ok()) {
    err << "baton serve: --public-url: " << url.error().message << '\n';
    return 2;
  }
  auto retention = parse_retention_settings(options);
  if (!retention.ok()) {
    err << "baton serve: " << retention.error().message << '\n';
    return 2;
  }
  auto served = load_served_bot(options.bot_path, err);
  if (!served) {
    return 1;
  }
  if (!options.bot_endpoint.empty()) {
    if (!served->bot->bot().external) {
      err << "baton serve: --bot-endpoint: " << options.bot_path.string()
          << " is a YAML bot, not an external one (bot.endpoint)\n";
      return 2;
    }
    if (auto url = server::parse_http_url(options.bot_endpoint); !url.ok()) {
      err << "baton serve: --bot-endpoint: " << url.error().message << '\n';
      return 2;
    }
  } else if (const auto& external = served->bot->bot().external) {
    if (auto url = server::parse_http_url(external->endpoint); !url.ok()) {
      err << "baton serve: bot.endpoint: " << url.error().message << '\n';
      return 2;
    }
  }

  // The data directory holds conversations and secrets: private to the server's user when it is
  // created here (its parents are ordinary folders).
  std::error_code ec;
  if (!fs::exists(options.data_dir, ec)) {
    if (options.data_dir.has_parent_path()) {
      fs::create_directories(options.data_dir.parent_path(), ec);
    }
    if (::mkdir(options.data_dir.c_str(), S_IRWXU) != 0 && errno != EEXIST) {
      err << "baton serve: cannot create " << options.data_dir.string() << ": "
          << std::generic_category().message(errno) << '\n';
      return 1;
    }
  }
  auto lock = DataDirLock::acquire(options.data_dir);
  if (!lock.ok()) {
    err << "baton serve: " << lock.error().message << " (one server per data directory)\n";
    return 1;
  }
  auto secret = load_secret(options);
  if (!secret.ok()) {
    err << "baton serve: " << secret.error().message << '\n';
    return 1;
  }
  auto session_key = agent::load_or_create_session_key(options.data_dir / "agent-session-key");
  if (!session_key.ok()) {
    err << "baton serve: " << session_key.error().message << '\n';
    return 1;
  }
  std::string metrics_token;
  if (!options.metrics_token_file.empty()) {
    auto token = load_metrics_token(options.metrics_token_file);
    if (!token.ok()) {
      err << "baton serve: --metrics-token-file: " << token.error().message << '\n';
      return 1;
    }
    metrics_token = std::move(*token);
  }
  std::shared_ptr<const botframework::SigningKey> channel_key;
  if (const auto& external = served->bot->bot().external; external && !external->app_id.empty()) {
    auto key = botframework::SigningKey::load_or_create(options.data_dir / "botframework-key.pem");
    if (!key.ok()) {
      err << "baton serve: " << key.error().message << '\n';
      return 1;
    }
    channel_key = std::move(*key);
  }
  store::SqliteOptions store_options;
  store_options.synchronous = *sync;
  store_options.checkpoint_interval = std::chrono::milliseconds(options.checkpoint_interval_ms);
  store_options.checkpoint_wal_pages = static_cast<std::uint32_t>(options.checkpoint_pages);
  store_options.writer_cache_kib = static_cast<std::size_t>(options.store_cache_kib);
  store_options.max_group_batches = static_cast<std::size_t>(options.store_group);
  notify_service_manager("STATUS=opening the store (a schema upgrade can take minutes)");
  spdlog::info("store: {}", describe_store(options.store, options.data_dir));
  auto opened = open_store(options.store, options.data_dir, store_options,
                           store::SqliteOptions{}.max_readers);
  if (!opened.ok()) {
    err << "baton serve: " << opened.error().message << '\n';
    return opened.error().code == ErrorCode::kInvalidArgument && !options.store.empty() &&
                   !store::is_postgres_target(options.store)
               ? 2
               : 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  SystemClock clock;
  const int code =
      serve_with(options, *address, served->bot, *store, clock,
                 Secrets{*secret, *session_key, std::move(metrics_token), std::move(channel_key)},
                 served->hub, *trusted_proxies, *retention, out, err);
  if (code == 0) {
    spdlog::info("stopped");
  }
  return code;
}

}  // namespace baton::cli
