#include "server/static_files.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "server/test_client.hpp"

namespace baton::server {
namespace {

namespace fs = std::filesystem;
using testing::http_request;
using testing::TestServer;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("baton_static_" + std::to_string(std::random_device{}()));
    root_ = base_ / "www";
    fs::create_directories(root_ / "sub");
    write(root_ / "index.html", "<h1>home</h1>");
    write(root_ / "app.js", "console.log(1)");
    write(root_ / "sub" / "index.html", "sub home");
    write(root_ / "sub" / "font.woff2", "wOF2");
    write(root_ / ".secret", "hidden");
    write(base_ / "outside.txt", "do not serve");
    fs::create_symlink(base_ / "outside.txt", root_ / "link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, ResolvesFilesAndIndexes) {
  auto file = resolve_static_path(root_, "app.js", "index.html");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->filename(), "app.js");
  EXPECT_EQ(resolve_static_path(root_, "", "index.html")->filename(), "index.html");
  auto sub = resolve_static_path(root_, "sub/", "index.html");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->parent_path().filename(), "sub");
}

TEST_F(StaticFilesTest, RefusesEverythingOutsideTheRoot) {
  using std::string_view_literals::operator""sv;
  for (std::string_view path :
       {"../outside.txt"sv, "sub/../../outside.txt"sv, ".."sv, ".secret"sv, "./app.js"sv,
        "link.txt"sv, "sub"sv, "missing.js"sv, "sub\\..\\app.js"sv, "app.js\0x"sv}) {
    auto resolved = resolve_static_path(root_, path, "index.html");
    EXPECT_FALSE(resolved.ok()) << path;
    if (!resolved.ok()) {
      EXPECT_EQ(resolved.error().code, ErrorCode::kNotFound);
    }
  }
}

TEST_F(StaticFilesTest, ServesOverHttpWithTypesAndETag) {
  TestServer server;
  ASSERT_TRUE(server.router().add(http::verb::get, "/static/{*path}", static_files(root_)).ok());
  ASSERT_TRUE(server.router().add(http::verb::get, "/one.js", static_file(root_ / "app.js")).ok());
  server.start();

  auto js = http_request(server.port(), http::verb::get, "/static/app.js");
  EXPECT_EQ(js.result(), http::status::ok);
  EXPECT_EQ(js.body(), "console.log(1)");
  EXPECT_EQ(js[http::field::content_type], "text/javascript; charset=utf-8");
  const std::string etag(js[http::field::etag]);
  EXPECT_FALSE(etag.empty());
  EXPECT_FALSE(js[http::field::last_modified].empty());

  auto font = http_request(server.port(), http::verb::get, "/static/sub/font.woff2");
  EXPECT_EQ(font[http::field::content_type], "font/woff2");
  auto index = http_request(server.port(), http::verb::get, "/static/");
  EXPECT_EQ(index.body(), "<h1>home</h1>");
  EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");

  http::fields conditional;
  conditional.set(http::field::if_none_match, etag);
  auto cached = http_request(server.port(), http::verb::get, "/static/app.js", "", conditional);
  EXPECT_EQ(cached.result(), http::status::not_modified);
  EXPECT_TRUE(cached.body().empty());

  auto single = http_request(server.port(), http::verb::get, "/one.js");
  EXPECT_EQ(single.body(), "console.log(1)");
}

TEST_F(StaticFilesTest, TraversalAttemptsOverHttpAre404) {
  TestServer server;
  ASSERT_TRUE(server.router().add(http::verb::get, "/static/{*path}", static_files(root_)).ok());
  server.start();
  for (const char* target :
       {"/static/../outside.txt", "/static/%2e%2e/outside.txt", "/static/..%2Foutside.txt",
        "/static/sub/..%2F..%2Foutside.txt", "/static/.secret", "/static/link.txt", "/static/%00",
        "/static/nope.css"}) {
    auto response = http_request(server.port(), http::verb::get, target);
    EXPECT_EQ(response.result(), http::status::not_found) << target;
    EXPECT_EQ(response.body().find("do not serve"), std::string::npos) << target;
  }
}

TEST(ContentType, KnownExtensions) {
  EXPECT_EQ(content_type_for("a.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("webchat.js.map"), "application/json");
  EXPECT_EQ(content_type_for("x.json"), "application/json");
  EXPECT_EQ(content_type_for("x.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("x.png"), "image/png");
  EXPECT_EQ(content_type_for("x.bin"), "application/octet-stream");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace baton::server
