#include "cli/metrics.hpp"

#include <sodium.h>

#include <array>
#include <chrono>
#include <utility>
#include <vector>

#include "core/metrics.hpp"
#include "core/secret_file.hpp"
#include "core/signed_token.hpp"
#include "hub/events.hpp"

namespace baton::cli {
namespace {

namespace http = server::http;
using metrics::Exposition;
using metrics::Type;

double seconds(Millis ms) { return std::chrono::duration<double>(ms).count(); }

void write_engine(Exposition& out, const MetricsReading& r) {
  out.family("baton_turns_total", Type::kCounter,
             "Customer activities acknowledged, each once it was durable.");
  out.sample({}, static_cast<double>(r.engine.turns));
  out.family("baton_turn_duration_seconds", Type::kHistogram,
             "Customer activities from receipt to durable acknowledgement (bot turn and commit "
             "included).");
  out.histogram({}, r.engine.turn_seconds);
  out.family("baton_conversations_loaded", Type::kGauge,
             "Conversations whose dialog state is in memory.");
  out.sample({}, static_cast<double>(r.conversations_loaded));
}

void write_store(Exposition& out, const MetricsReading& r) {
  out.family("baton_store_batches_total", Type::kCounter,
             "Write batches acknowledged by the store, by result.");
  out.sample({{"result", "committed"}}, static_cast<double>(r.store.batches_committed));
  out.sample({{"result", "failed"}}, static_cast<double>(r.store.batches_failed));
  out.family("baton_store_commit_duration_seconds", Type::kHistogram,
             "Store transactions from begin to durable.");
  out.histogram({}, r.store.commit_seconds);
  out.family("baton_store_commit_batches", Type::kHistogram,
             "Write batches per store transaction (group commit).");
  out.histogram({}, r.store.commit_batches);
}

void write_server(Exposition& out, const MetricsReading& r) {
  out.family("baton_connections", Type::kGauge,
             "Open client connections of the public listener, by kind.");
  const std::size_t http = r.connections > r.websockets ? r.connections - r.websockets : 0;
  out.sample({{"kind", "http"}}, static_cast<double>(http));
  out.sample({{"kind", "websocket"}}, static_cast<double>(r.websockets));
}

void write_engagement(Exposition& out, const engagement::EngagementMetrics& m) {
  out.family("baton_handoffs_total", Type::kCounter, "Waits in an agent queue, by how they ended.");
  out.sample({{"result", "accepted"}}, static_cast<double>(m.handoffs.accepted));
  out.sample({{"result", "cancelled"}}, static_cast<double>(m.handoffs.cancelled));
  out.sample({{"result", "unavailable"}}, static_cast<double>(m.handoffs.unavailable));
  out.sample({{"result", "timed_out"}}, static_cast<double>(m.handoffs.timed_out));
  out.sample({{"result", "abandoned"}}, static_cast<double>(m.handoffs.abandoned));
  out.family("baton_offers_total", Type::kCounter,
             "Offers of conversations to agents: made, and how each ended.");
  out.sample({{"result", "made"}}, static_cast<double>(m.offers.made));
  out.sample({{"result", "accepted"}}, static_cast<double>(m.offers.accepted));
  out.sample({{"result", "declined"}}, static_cast<double>(m.offers.declined));
  out.sample({{"result", "expired"}}, static_cast<double>(m.offers.expired));
  out.sample({{"result", "rescinded"}}, static_cast<double>(m.offers.rescinded));
  out.family("baton_queue_waiting", Type::kGauge,
             "Conversations waiting for an agent in the queue, offered ones included.");
  for (const auto& q : m.queues) {
    out.sample({{"queue", q.name}}, q.waiting);
  }
  out.family("baton_queue_longest_wait_seconds", Type::kGauge,
             "How long the queue's longest-waiting conversation has waited (0 when none waits).");
  for (const auto& q : m.queues) {
    out.sample({{"queue", q.name}}, seconds(q.longest_wait));
  }
  out.family("baton_agents", Type::kGauge,
             "Agents by presence (busy includes available agents at capacity).");
  for (const hub::Presence p : {hub::Presence::kAvailable, hub::Presence::kBusy,
                                hub::Presence::kAway, hub::Presence::kOffline}) {
    out.sample({{"presence", hub::to_string(p)}},
               m.agents_by_presence[static_cast<std::size_t>(p)]);
  }
}

bool same_token(std::string_view given, const std::string& expected) {
  // Digests first, so the comparison takes the same time whatever the lengths.
  std::array<unsigned char, crypto_generichash_BYTES> a{};
  std::array<unsigned char, crypto_generichash_BYTES> b{};
  crypto_generichash(a.data(), a.size(), reinterpret_cast<const unsigned char*>(given.data()),
                     given.size(), nullptr, 0);
  crypto_generichash(b.data(), b.size(), reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// An external bot's connector (docs/EXTERNAL_BOTS.md).
void write_bot_connector(Exposition& out, const botframework::ConnectorStats& s) {
  out.family("baton_bot_deliveries_total", Type::kCounter,
             "Activities sent to the external bot's endpoint, by result.");
  out.sample({{"result", "delivered"}}, static_cast<double>(s.delivered));
  out.sample({{"result", "failed"}}, static_cast<double>(s.failed));
  out.sample({{"result", "dropped"}}, static_cast<double>(s.dropped));
  out.family("baton_bot_replies_total", Type::kCounter,
             "Activities the external bot wrote through the Connector API, stored.");
  out.sample({}, static_cast<double>(s.replies));
}

// External queues' hubs (docs/EXTERNAL_HUBS.md).
void write_external_hubs(Exposition& out, const externalhub::ExternalHubStats& s) {
  out.family("baton_external_hub_deliveries_total", Type::kCounter,
             "Requests sent to external hubs (handoff.initiate, forwarded activities), by result.");
  out.sample({{"result", "delivered"}}, static_cast<double>(s.delivered));
  out.sample({{"result", "failed"}}, static_cast<double>(s.failed));
  out.sample({{"result", "dropped"}}, static_cast<double>(s.dropped));
  out.family("baton_external_hub_retries_total", Type::kCounter,
             "Attempts to reach an external hub that failed and were retried.");
  out.sample({}, static_cast<double>(s.retried));
  out.family("baton_external_hub_calls_total", Type::kCounter,
             "Calls external hubs made to Baton, by result (done, or refused: bad signature).");
  out.sample({{"result", "done"}}, static_cast<double>(s.received));
  out.sample({{"result", "unauthorized"}}, static_cast<double>(s.refused));
}

}  // namespace

std::string render_metrics(const MetricsReading& reading) {
  Exposition out;
  write_engine(out, reading);
  write_store(out, reading);
  write_server(out, reading);
  write_engagement(out, reading.engagement);
  if (reading.bot_connector) {
    write_bot_connector(out, *reading.bot_connector);
  }
  if (reading.external_hubs) {
    write_external_hubs(out, *reading.external_hubs);
  }
  return out.take();
}

server::AsyncHandler metrics_handler(MetricsSources sources) {
  return [sources](const server::Request&, const server::Responder& responder) {
    sources.engagement.metrics([sources, responder](engagement::EngagementMetrics hub) mutable {
      // On the engine's strand; loaded_count() answers on it too, after what is queued there.
      sources.engine.loaded_count(
          [sources, responder, hub = std::move(hub)](std::size_t loaded) mutable {
            MetricsReading reading;
            reading.engine = sources.engine.stats();
            reading.conversations_loaded = loaded;
            reading.store = sources.store.stats();
            reading.connections = sources.server.connection_count();
            reading.websockets = sources.server.websocket_count();
            reading.engagement = std::move(hub);
            if (sources.connector != nullptr) {
              reading.bot_connector = sources.connector->stats();
            }
            if (sources.external_hubs != nullptr) {
              reading.external_hubs = sources.external_hubs->stats();
            }
            responder.send(server::Response(http::status::ok, std::string(metrics::kContentType),
                                            render_metrics(reading)));
          });
    });
  };
}

Status add_metrics_route(server::Router& router, server::AsyncHandler handler, std::string token) {
  server::RouteOptions options;
  options.cors = false;  // for scrapers, not for pages of other sites
  if (!token.empty()) {
    options.admit =
        [token = std::move(token)](const server::Request& head) -> std::optional<server::Response> {
      const auto given = head.bearer_token();
      if (given && same_token(*given, token)) {
        return std::nullopt;
      }
      server::Response refused = server::json_error(
          http::status::unauthorized, "Unauthorized",
          "send Authorization: Bearer <token> with the token of --metrics-token-file");
      refused.headers.set(http::field::www_authenticate, "Bearer");
      return refused;
    };
  }
  return router.add_async(http::verb::get, "/metrics", std::move(handler), std::move(options));
}

Result<std::string> load_metrics_token(const std::filesystem::path& file) {
  return read_or_create_secret_file(file, [] {
    const std::vector<unsigned char> bytes = signed_token::random_bytes(32);
    return signed_token::to_base64url(bytes.data(), bytes.size());
  });
}

Result<std::unique_ptr<server::Server>> start_metrics_listener(std::string_view host,
                                                               std::uint16_t port,
                                                               server::AsyncHandler handler) {
  server::ServerOptions options;
  options.healthz = false;
  options.max_connections = 32;
  options.handler_timeout = std::chrono::seconds(10);
  auto listener = std::make_unique<server::Server>(std::move(options));
  if (Status added = add_metrics_route(listener->router(), std::move(handler)); !added.ok()) {
    return added.error();
  }
  if (auto bound = listener->listen(host, port); !bound.ok()) {
    return bound.error();
  }
  listener->start(1);
  return listener;
}

}  // namespace baton::cli
