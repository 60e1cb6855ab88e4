#include "channels/directline/token.hpp"

#include <gtest/gtest.h>

namespace baton::directline {
namespace {

using std::chrono::seconds;

constexpr TimePoint kNow{seconds(1'800'000'000)};

TokenClaims claims(std::string conversation = "conv-1", std::string user = "u-1") {
  return {std::move(conversation), std::move(user), kNow + seconds(1800)};
}

TEST(Token, SignThenVerifyRoundTrips) {
  TokenSigner signer("s3cret");
  const std::string token = signer.sign(claims());
  auto verified = signer.verify(token, kNow);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(*verified, claims());
  for (char ch : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') << token;
  }
}

TEST(Token, ExpiredIsForbiddenWithTokenExpired) {
  TokenSigner signer("s3cret");
  const std::string token = signer.sign(claims());
  // Exact to the millisecond (the blackbox test, on a real clock, leaves a second of slack).
  EXPECT_TRUE(signer.verify(token, kNow + seconds(1800) - std::chrono::milliseconds(1)).ok());
  auto expired = signer.verify(token, kNow + seconds(1800));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(expired.error().protocol_code, "TokenExpired");
}

TEST(Token, EveryFlippedByteIsRejected) {
  TokenSigner signer("s3cret");
  const std::string token = signer.sign(claims());
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string forged = token;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    auto r = signer.verify(forged, kNow);
    ASSERT_FALSE(r.ok()) << "position " << i;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
  }
}

TEST(Token, AnotherSecretsTokenIsRejected) {
  TokenSigner ours("s3cret");
  TokenSigner theirs("other");
  auto r = ours.verify(theirs.sign(claims()), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
}

TEST(Token, GarbageIsRejectedNotCrashing) {
  TokenSigner signer("s3cret");
  for (std::string_view bad : {"", "x", "!!!!", "AAAA", "undefined", "null",
                               "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYSJ9.sig"}) {
    auto r = signer.verify(bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized) << bad;
  }
  EXPECT_FALSE(signer.verify(std::string(5000, 'A'), kNow).ok());
}

TEST(Token, TokensAreBoundToTheirConversationAndUser) {
  TokenSigner signer("s3cret");
  auto a = signer.verify(signer.sign(claims("conv-A", "alice")), kNow);
  auto b = signer.verify(signer.sign(claims("conv-B", "bob")), kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->conversation_id, "conv-A");
  EXPECT_EQ(a->user_id, "alice");
  EXPECT_EQ(b->conversation_id, "conv-B");
  EXPECT_NE(signer.sign(claims("conv-A")), signer.sign(claims("conv-B")));
}

TEST(Token, SecretIsRecognisedOnlyExactly) {
  TokenSigner signer("s3cret");
  EXPECT_TRUE(signer.is_secret("s3cret"));
  EXPECT_FALSE(signer.is_secret("s3cre"));
  EXPECT_FALSE(signer.is_secret("s3cret "));
  EXPECT_FALSE(signer.is_secret(""));
  EXPECT_FALSE(signer.is_secret(signer.sign(claims())));
}

TEST(Token, RandomIdsAreDistinctAndUrlSafe) {
  const std::string a = random_id(16);
  const std::string b = random_id(16);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 22u);
  EXPECT_EQ(a.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(generate_secret().size(), 43u);
}

}  // namespace
}  // namespace baton::directline
