#include "server/router.hpp"

#include <gtest/gtest.h>

namespace baton::server {
namespace {

Response ok(const Request&) { return Response(http::status::ok, "text/plain", "ok"); }

TEST(Router, MatchesLiteralAndParamSegments) {
  Router router;
  ASSERT_TRUE(
      router.add(http::verb::post, "/v3/directline/conversations/{id}/activities", ok).ok());
  auto match = router.match(http::verb::post,
                            split_path("/v3/directline/conversations/abc-1/activities"), false);
  ASSERT_EQ(match.outcome, Router::Outcome::kFound);
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0].first, "id");
  EXPECT_EQ(match.params[0].second, "abc-1");
  EXPECT_EQ(match.route->pattern, "/v3/directline/conversations/{id}/activities");
}

TEST(Router, UnknownPathIsNotFoundAndOtherMethodIsNotAllowed) {
  Router router;
  ASSERT_TRUE(router.add(http::verb::get, "/a/{id}", ok).ok());
  ASSERT_TRUE(router.add(http::verb::post, "/a/{id}", ok).ok());
  EXPECT_EQ(router.match(http::verb::get, split_path("/b/1"), false).outcome,
            Router::Outcome::kNotFound);
  EXPECT_EQ(router.match(http::verb::get, split_path("/a/1/extra"), false).outcome,
            Router::Outcome::kNotFound);
  EXPECT_EQ(router.match(http::verb::get, split_path("/a"), false).outcome,
            Router::Outcome::kNotFound);
  auto match = router.match(http::verb::delete_, split_path("/a/1"), false);
  EXPECT_EQ(match.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, POST, OPTIONS");
}

TEST(Router, ParamsNeverMatchEmptySegments) {
  Router router;
  ASSERT_TRUE(router.add(http::verb::get, "/c/{id}/x", ok).ok());
  EXPECT_EQ(router.match(http::verb::get, split_path("/c//x"), false).outcome,
            Router::Outcome::kNotFound);
}

TEST(Router, RestParameterTakesTheRemainingPath) {
  Router router;
  ASSERT_TRUE(router.add(http::verb::get, "/static/{*path}", ok).ok());
  auto match = router.match(http::verb::get, split_path("/static/js/app.js"), false);
  ASSERT_EQ(match.outcome, Router::Outcome::kFound);
  EXPECT_EQ(match.params[0].second, "js/app.js");
  match = router.match(http::verb::get, split_path("/static"), false);
  ASSERT_EQ(match.outcome, Router::Outcome::kFound);
  EXPECT_EQ(match.params[0].second, "");
  match = router.match(http::verb::get, split_path("/static/"), false);
  ASSERT_EQ(match.outcome, Router::Outcome::kFound);
  EXPECT_EQ(match.params[0].second, "");
}

TEST(Router, RootPattern) {
  Router router;
  ASSERT_TRUE(router.add(http::verb::get, "/", ok).ok());
  EXPECT_EQ(router.match(http::verb::get, split_path("/"), false).outcome, Router::Outcome::kFound);
  EXPECT_EQ(router.match(http::verb::get, split_path("/x"), false).outcome,
            Router::Outcome::kNotFound);
}

TEST(Router, FirstRegisteredRouteWins) {
  Router router;
  ASSERT_TRUE(router.add(http::verb::get, "/t/generate", ok).ok());
  ASSERT_TRUE(router.add(http::verb::get, "/t/{name}", ok).ok());
  auto match = router.match(http::verb::get, split_path("/t/generate"), false);
  EXPECT_EQ(match.route->pattern, "/t/generate");
  EXPECT_TRUE(match.params.empty());
  match = router.match(http::verb::get, split_path("/t/other"), false);
  EXPECT_EQ(match.route->pattern, "/t/{name}");
}

TEST(Router, WebSocketRoutesAreSeparateFromHttpRoutes) {
  Router router;
  ASSERT_TRUE(
      router
          .add_websocket("/conversations/{id}/stream",
                         [](const Request&) -> WebSocketDecision { return WebSocketCallbacks{}; })
          .ok());
  auto segments = split_path("/conversations/c1/stream");
  EXPECT_EQ(router.match(http::verb::get, segments, false).outcome, Router::Outcome::kNotFound);
  auto match = router.match(http::verb::get, segments, true);
  ASSERT_EQ(match.outcome, Router::Outcome::kFound);
  EXPECT_TRUE(match.route->is_websocket());
  EXPECT_EQ(match.params[0].second, "c1");
}

TEST(Router, RejectsMalformedPatterns) {
  Router router;
  for (const char* pattern :
       {"", "no-slash", "/a/{", "/a/{}", "/{*}", "/{*a}/b", "/{x}/{x}", "/a{b}", "/{a}}"}) {
    auto status = router.add(http::verb::get, pattern, ok);
    ASSERT_FALSE(status.ok()) << pattern;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(router.empty());
}

TEST(Router, SplitPath) {
  EXPECT_EQ(split_path("/"), std::vector<std::string>{});
  EXPECT_EQ(split_path("/a/b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_path("/a/"), (std::vector<std::string>{"a", ""}));
}

}  // namespace
}  // namespace baton::server
