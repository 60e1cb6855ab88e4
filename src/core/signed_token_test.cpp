#include "core/signed_token.hpp"

#include <gtest/gtest.h>

namespace baton::signed_token {
namespace {

TEST(SignedToken, SealOpenRoundTripAndEveryRefusal) {
  const Key key = derive_key("secret", "test.v1");
  const std::vector<unsigned char> payload{1, 2, 3, 4, 5};
  const std::string token = seal(payload, key);
  auto opened = open(token, key, 512, payload.size());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, payload);

  auto expect_refused = [](const Result<std::vector<unsigned char>>& r, const char* why) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
    EXPECT_EQ(r.error().message, why);
    EXPECT_EQ(r.error().protocol_code, "BadToken");
  };
  expect_refused(open(token, derive_key("secret", "other.v1"), 512, 1), "signature mismatch");
  expect_refused(open(token, derive_key("other", "test.v1"), 512, 1), "signature mismatch");
  std::string tampered = token;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  expect_refused(open(tampered, key, 512, 1), "signature mismatch");
  expect_refused(open(token, key, 512, payload.size() + 1), "too short");
  expect_refused(open(token, key, token.size() - 1, 1), "wrong length");
  expect_refused(open("", key, 512, 1), "wrong length");
  expect_refused(open("not*base64", key, 512, 1), "not base64url");
}

TEST(SignedToken, U64IsBigEndian) {
  std::vector<unsigned char> out;
  put_u64(out, 0x0102030405060708ULL);
  EXPECT_EQ(out, (std::vector<unsigned char>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(get_u64(out.data()), 0x0102030405060708ULL);
  EXPECT_EQ(random_bytes(16).size(), 16U);
  EXPECT_NE(random_bytes(16), random_bytes(16));
}

}  // namespace
}  // namespace baton::signed_token
