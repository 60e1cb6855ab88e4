#include "cli/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>

#include "core/metrics.hpp"
#include "core/testing/temp_dir.hpp"

namespace baton::cli {
namespace {

namespace http = server::http;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ServeMetrics, RendersEveryFamilyFromOneReading) {
  MetricsReading r;
  r.engine.turns = 7;
  metrics::Histogram turns(metrics::kLatencyBuckets);
  turns.observe(0.003);
  r.engine.turn_seconds = turns.snapshot();
  r.conversations_loaded = 4;
  r.store.batches_committed = 11;
  r.connections = 5;
  r.websockets = 3;
  r.engagement.handoffs.accepted = 2;
  r.engagement.offers.declined = 1;
  r.engagement.queues = {{"general", 3, std::chrono::milliseconds(1500)},
                         {"sales \"EU\"", 0, Millis{0}}};
  r.engagement.agents_by_presence[static_cast<std::size_t>(hub::Presence::kBusy)] = 2;
  const std::string text = render_metrics(r);
  EXPECT_EQ(count_of(text, "# TYPE "), 12u);
  EXPECT_EQ(count_of(text, "# HELP "), 12u);
  for (const char* line : {
           "baton_turns_total 7\n",
           "baton_turn_duration_seconds_bucket{le=\"0.0025\"} 0\n",
           "baton_turn_duration_seconds_bucket{le=\"0.005\"} 1\n",
           "baton_turn_duration_seconds_count 1\n",
           "baton_conversations_loaded 4\n",
           "baton_store_batches_total{result=\"committed\"} 11\n",
           "baton_store_commit_batches_bucket{le=\"+Inf\"} 0\n",  // an empty snapshot: zeros
           "baton_connections{kind=\"http\"} 2\n",
           "baton_connections{kind=\"websocket\"} 3\n",
           "baton_handoffs_total{result=\"accepted\"} 2\n",
           "baton_handoffs_total{result=\"timed_out\"} 0\n",
           "baton_offers_total{result=\"declined\"} 1\n",
           "baton_queue_waiting{queue=\"general\"} 3\n",
           "baton_queue_waiting{queue=\"sales \\\"EU\\\"\"} 0\n",
           "baton_queue_longest_wait_seconds{queue=\"general\"} 1.5\n",
           "baton_agents{presence=\"busy\"} 2\n",
           "baton_agents{presence=\"offline\"} 0\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
}

TEST(ServeMetrics, AnExternalBotAddsItsDeliveryFamilies) {
  MetricsReading r;
  EXPECT_EQ(render_metrics(r).find("baton_bot_"), std::string::npos) << "a YAML bot: none";
  r.bot_connector = botframework::ConnectorStats{5, 2, 1, 4};
  const std::string text = render_metrics(r);
  EXPECT_EQ(count_of(text, "# TYPE "), 14u);
  for (const char* line : {
           "baton_bot_deliveries_total{result=\"delivered\"} 5\n",
           "baton_bot_deliveries_total{result=\"failed\"} 2\n",
           "baton_bot_deliveries_total{result=\"dropped\"} 1\n",
           "baton_bot_replies_total 4\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
}

std::optional<server::Response> admit(const server::Router& router, const char* authorization) {
  server::Request request;
  request.message.method(http::verb::get);
  request.message.target("/metrics");
  if (authorization != nullptr) {
    request.message.set(http::field::authorization, authorization);
  }
  return router.routes().front().options.admit(request);
}

TEST(ServeMetrics, TheTokenIsCheckedBeforeAnythingElse) {
  server::Router open;
  ASSERT_TRUE(
      add_metrics_route(open, [](const server::Request&, const server::Responder&) {}).ok());
  EXPECT_FALSE(open.routes().front().options.admit) << "no token: no admission check";

  server::Router guarded;
  ASSERT_TRUE(add_metrics_route(
                  guarded, [](const server::Request&, const server::Responder&) {}, "s3cret-token")
                  .ok());
  EXPECT_FALSE(admit(guarded, "Bearer s3cret-token").has_value());
  for (const char* wrong :
       {static_cast<const char*>(nullptr), "Bearer s3cret", "Bearer s3cret-tokenX",
        "Basic s3cret-token", "s3cret-token", "Bearer "}) {
    auto refused = admit(guarded, wrong);
    ASSERT_TRUE(refused.has_value()) << (wrong ? wrong : "(none)");
    EXPECT_EQ(refused->status, http::status::unauthorized);
    EXPECT_EQ(refused->headers[http::field::www_authenticate], "Bearer");
    EXPECT_NE(refused->body.find("\"Unauthorized\""), std::string::npos);
    EXPECT_EQ(refused->body.find("s3cret"), std::string::npos) << "the token is never echoed";
  }
}

TEST(ServeMetrics, TheTokenFileIsCreatedOnceWithARandomToken) {
  testing::TempDir dir;
  auto first = load_metrics_token(dir.path() / "metrics-token");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_GE(first->size(), 40u);  // 32 random bytes, base64url
  auto again = load_metrics_token(dir.path() / "metrics-token");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  testing::TempDir other;
  EXPECT_NE(*load_metrics_token(other.path() / "metrics-token"), *first);
}

}  // namespace
}  // namespace baton::cli
