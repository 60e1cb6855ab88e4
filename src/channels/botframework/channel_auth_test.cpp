#include "channels/botframework/channel_auth.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "core/signed_token.hpp"

namespace baton::botframework {
namespace {

namespace bj = boost::json;
using std::chrono::system_clock;

constexpr system_clock::time_point kNow{std::chrono::seconds(1800000000)};

std::shared_ptr<const SigningKey> test_key() {
  static const auto key = SigningKey::generate();
  return key;
}

std::unique_ptr<ChannelAuth> make_auth(std::shared_ptr<const SigningKey> key = test_key(),
                                       const std::string& url = "http://127.0.0.1:3978",
                                       const std::string& app_id = "app-1") {
  return std::make_unique<ChannelAuth>(std::move(key),
                                       ChannelCredentials{app_id, "0123456789abcdef-pw"},
                                       std::make_shared<const PublicUrl>(url));
}

std::string decode_part(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = token.find('.', start) + 1;
  }
  const auto bytes =
      signed_token::from_base64url(token.substr(start, token.find('.', start) - start));
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or("");
}

TEST(ChannelAuth, ChannelTokensAreAcceptedUntilTheyExpire) {
  const auto owner = make_auth();
  ChannelAuth& auth = *owner;
  const std::string token = auth.token_for_channel(kNow);
  EXPECT_TRUE(auth.check_bearer("Bearer " + token, kNow).ok());
  EXPECT_TRUE(auth.check_bearer("Bearer " + token, kNow + std::chrono::minutes(64)).ok());
  const Status expired = auth.check_bearer("Bearer " + token, kNow + std::chrono::minutes(66));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(auth.check_bearer("Bearer " + token, kNow - std::chrono::minutes(6)).ok());

  const bj::value claims = bj::parse(decode_part(token, 1));
  EXPECT_EQ(claims.at("iss").as_string(), "http://127.0.0.1:3978");
  EXPECT_EQ(claims.at("aud").as_string(), "http://127.0.0.1:3978");
  EXPECT_EQ(claims.at("appid").as_string(), "app-1");
}

TEST(ChannelAuth, RefusesForgedAndForeignTokens) {
  const auto owner = make_auth();
  ChannelAuth& auth = *owner;
  const std::string token = auth.token_for_channel(kNow);
  EXPECT_FALSE(auth.check_bearer("", kNow).ok());
  EXPECT_FALSE(auth.check_bearer(token, kNow).ok()) << "no scheme";
  EXPECT_FALSE(auth.check_bearer("Basic " + token, kNow).ok());
  EXPECT_FALSE(auth.check_bearer("Bearer a.b", kNow).ok());
  EXPECT_FALSE(auth.check_bearer("Bearer " + token + ".x", kNow).ok());
  EXPECT_FALSE(auth.check_bearer("Bearer " + std::string(5000, 'a'), kNow).ok());

  // Another payload under the same signature.
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string other_claims = bj::serialize(bj::object{{"iss", "http://127.0.0.1:3978"},
                                                            {"aud", "http://127.0.0.1:3978"},
                                                            {"appid", "app-1"},
                                                            {"nbf", 0},
                                                            {"exp", 4'000'000'000}});
  const std::string forged =
      token.substr(0, first + 1) +
      signed_token::to_base64url(reinterpret_cast<const unsigned char*>(other_claims.data()),
                                 other_claims.size()) +
      token.substr(second);
  const Status bad = auth.check_bearer("Bearer " + forged, kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("signature"), std::string::npos);

  // "alg": "none" and an unsigned token.
  const std::string none_header = R"({"alg":"none","kid":")" + test_key()->kid() + R"("})";
  const std::string unsigned_token =
      signed_token::to_base64url(reinterpret_cast<const unsigned char*>(none_header.data()),
                                 none_header.size()) +
      token.substr(first, second - first) + ".";
  EXPECT_FALSE(auth.check_bearer("Bearer " + unsigned_token, kNow).ok());

  // Signed by another key; for another server; for another app.
  auto stranger = make_auth(SigningKey::generate());
  EXPECT_FALSE(auth.check_bearer("Bearer " + stranger->token_for_channel(kNow), kNow).ok());
  auto moved = make_auth(test_key(), "http://baton.example");
  EXPECT_FALSE(auth.check_bearer("Bearer " + moved->token_for_channel(kNow), kNow).ok());
  auto other_app = make_auth(test_key(), "http://127.0.0.1:3978", "app-2");
  const Status foreign = auth.check_bearer("Bearer " + other_app->token_for_channel(kNow), kNow);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("app id"), std::string::npos);
}

TEST(ChannelAuth, BotTokensNameTheBotAndTheServiceUrlAndAreRenewedAtHalfLife) {
  auto url = std::make_shared<PublicUrl>("http://127.0.0.1:3978");
  ChannelAuth auth(test_key(), {"app-1", "0123456789abcdef-pw"}, url);
  const std::string token = auth.token_for_bot(kNow);
  const bj::value header = bj::parse(decode_part(token, 0));
  EXPECT_EQ(header.at("alg").as_string(), "RS256");
  EXPECT_EQ(header.at("kid").as_string(), test_key()->kid());
  const bj::value claims = bj::parse(decode_part(token, 1));
  EXPECT_EQ(claims.at("iss").as_string(), "http://127.0.0.1:3978");
  EXPECT_EQ(claims.at("aud").as_string(), "app-1");
  EXPECT_EQ(claims.at("serviceurl").as_string(), "http://127.0.0.1:3978");
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 3600);
  EXPECT_FALSE(claims.as_object().contains("ver")) << "the SDK would take it for a skill's token";
  const std::size_t second = token.rfind('.');
  EXPECT_TRUE(test_key()->verify(token.substr(0, second), decode_part(token, 2)));

  EXPECT_EQ(auth.token_for_bot(kNow + std::chrono::minutes(29)), token);
  EXPECT_NE(auth.token_for_bot(kNow + std::chrono::minutes(31)), token);
  const std::string renewed = auth.token_for_bot(kNow + std::chrono::minutes(31));
  url->set("http://127.0.0.1:4000");
  EXPECT_NE(auth.token_for_bot(kNow + std::chrono::minutes(31)), renewed);
}

TEST(ChannelAuth, ChecksTheBotsCredentials) {
  const auto owner = make_auth();
  ChannelAuth& auth = *owner;
  EXPECT_TRUE(auth.is_bot("app-1", "0123456789abcdef-pw"));
  EXPECT_FALSE(auth.is_bot("app-1", "0123456789abcdef-pX"));
  EXPECT_FALSE(auth.is_bot("app-1", ""));
  EXPECT_FALSE(auth.is_bot("app-2", "0123456789abcdef-pw"));
}

TEST(ChannelAuth, PublishesTheKeyAndTheEndpoints) {
  const auto owner = make_auth();
  ChannelAuth& auth = *owner;
  const bj::value config = bj::parse(auth.openid_configuration());
  EXPECT_EQ(config.at("issuer").as_string(), "http://127.0.0.1:3978");
  EXPECT_EQ(config.at("jwks_uri").as_string(),
            "http://127.0.0.1:3978/botframework/v1/.well-known/keys");
  EXPECT_EQ(config.at("token_endpoint").as_string(), "http://127.0.0.1:3978/botframework/v1/token");
  const bj::value keys = bj::parse(auth.keys());
  const bj::object& key = keys.at("keys").as_array().at(0).as_object();
  EXPECT_EQ(key.at("kty").as_string(), "RSA");
  EXPECT_EQ(key.at("kid").as_string(), test_key()->kid());
  EXPECT_EQ(key.at("e").as_string(), "AQAB");
  EXPECT_EQ(key.at("n").as_string().size(), 342U) << "2048 bits, base64url";
  EXPECT_EQ(key.at("endorsements").as_array().at(0).as_string(), "directline");
}

TEST(SigningKey, IsCreatedPrivateOnceAndReadBack) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("baton-signing-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "key.pem";
  auto created = SigningKey::load_or_create(file);
  ASSERT_TRUE(created.ok()) << created.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  auto read = SigningKey::load_or_create(file);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ((*read)->kid(), (*created)->kid());
  EXPECT_TRUE((*read)->verify("data", (*created)->sign("data")));
  EXPECT_FALSE((*read)->verify("data!", (*created)->sign("data")));

  std::ofstream(dir / "garbage.pem") << "-----BEGIN PRIVATE KEY-----\nnot a key\n";
  auto garbage = SigningKey::load_or_create(dir / "garbage.pem");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace baton::botframework
