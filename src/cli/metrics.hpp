#pragma once
// `GET /metrics` of `baton serve`: Prometheus's text exposition format 0.0.4 for operators.
// docs/DEPLOY.md ("Metrics") lists every metric named in metrics.cpp, with its type and labels.
//
// A scrape reads each fact from its one owner: the engine's and the store's stats (atomics, read
// from any thread), the public listener's connection counts, and, on the engine's strand, the
// engagement's counts and hub views and the engine's loaded conversations (the scrape waits for
// the strand without blocking a thread; the server's handler timeout bounds the wait).
//
// Where it is served (serve.cpp): on a listener of its own (--metrics-listen HOST:PORT, nothing
// but this route), and/or on the public listener behind a bearer token (--metrics-token-file).
// With neither, nowhere: /metrics on the public listener is a 404 like any unknown path.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "channels/botframework/connector.hpp"
#include "channels/externalhub/external_hubs.hpp"
#include "core/result.hpp"
#include "engagement/engagement.hpp"
#include "engine/engine.hpp"
#include "server/handler.hpp"
#include "server/router.hpp"
#include "server/server.hpp"
#include "store/store.hpp"

namespace baton::cli {

// Everything one scrape reports.
struct MetricsReading {
  engine::EngineStats engine;
  std::size_t conversations_loaded = 0;
  store::StoreStats store;
  std::size_t connections = 0;  // the public listener's open connections, WebSockets included
  std::size_t websockets = 0;
  engagement::EngagementMetrics engagement;
  // An external bot's deliveries and replies (nullopt: a YAML bot; the families are left out).
  std::optional<botframework::ConnectorStats> bot_connector;
  // External queues' hubs (nullopt: no external queue; the families are left out).
  std::optional<externalhub::ExternalHubStats> external_hubs = {};
};

// The exposition text of one reading.
std::string render_metrics(const MetricsReading& reading);

// Where a reading comes from; each must outlive the servers answering with it (stop them first).
struct MetricsSources {
  engine::Engine& engine;
  engagement::Engagement& engagement;
  const store::Store& store;
  const server::Server& server;  // the public listener, whose connections are counted
  const botframework::Connector* connector = nullptr;        // an external bot's, else null
  const externalhub::ExternalHubs* external_hubs = nullptr;  // external queues', else null
};

// Answers GET /metrics with a reading of `sources`. Scrapes may run concurrently.
server::AsyncHandler metrics_handler(MetricsSources sources);

// Registers GET /metrics on `router`. With a non-empty `token`, only requests carrying
// "Authorization: Bearer <token>" get through (compared in constant time); every other one is
// answered 401 {"error":{"code":"Unauthorized"}} with `WWW-Authenticate: Bearer` before anything
// else. Errors: the router's.
Status add_metrics_route(server::Router& router, server::AsyncHandler handler,
                         std::string token = {});

// The token of --metrics-token-file: the file's first line; when the file does not exist it is
// created (0600) with a new random token, for the operator to give the scraper. Errors as
// read_or_create_secret_file (kIo, kInvalidArgument for an empty first line).
Result<std::string> load_metrics_token(const std::filesystem::path& file);

// The listener of --metrics-listen: a server of its own on one I/O thread, serving only
// GET /metrics (no /healthz; every other path is a 404), at most 32 connections at once.
// Started when returned; its destructor stops it. Errors: Server::listen's.
Result<std::unique_ptr<server::Server>> start_metrics_listener(std::string_view host,
                                                               std::uint16_t port,
                                                               server::AsyncHandler handler);

}  // namespace baton::cli
