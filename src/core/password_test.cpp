#include "core/password.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace baton {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Password, HashIsArgon2idWithInteractiveLimitsAndVerifies) {
  auto hash = hash_password("correct horse");
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_THAT(*hash, StartsWith("$argon2id$"));
  EXPECT_THAT(*hash, HasSubstr("m=65536,t=2,p=1"));  // crypto_pwhash_*_INTERACTIVE
  EXPECT_THAT(*hash, ::testing::Not(HasSubstr("correct horse")));
  EXPECT_TRUE(verify_password(*hash, "correct horse"));
}

TEST(Password, WrongPasswordIsRefused) {
  auto hash = hash_password("correct horse");
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(verify_password(*hash, "correct horsE"));
  EXPECT_FALSE(verify_password(*hash, "correct horse "));
  EXPECT_FALSE(verify_password(*hash, "correct"));
  EXPECT_FALSE(verify_password(*hash, ""));
}

TEST(Password, SaltMakesEveryHashDifferent) {
  auto a = hash_password("same password");
  auto b = hash_password("same password");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password(*a, "same password"));
  EXPECT_TRUE(verify_password(*b, "same password"));
}

TEST(Password, AnyBytesWork) {
  using namespace std::string_literals;
  const std::string odd =
      "nul\0inside\xff\xfe"s + "пароль";  // the literal's 12 bytes, NUL included
  auto hash = hash_password(odd);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verify_password(*hash, odd));
  EXPECT_FALSE(verify_password(*hash, "nul"));  // the NUL does not end the password
  const std::string longest(kMaxPasswordBytes, 'p');
  auto long_hash = hash_password(longest);
  ASSERT_TRUE(long_hash.ok());
  EXPECT_TRUE(verify_password(*long_hash, longest));
}

TEST(Password, BadPasswordsAreInvalidArguments) {
  auto empty = hash_password("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  auto huge = hash_password(std::string(kMaxPasswordBytes + 1, 'p'));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(huge.error().message, HasSubstr("4096"));
}

TEST(Password, MalformedHashesAreFalseNotCrashes) {
  auto good = hash_password("secret123");
  ASSERT_TRUE(good.ok());
  const std::string& h = *good;
  const std::string malformed[] = {
      "",
      "secret123",
      "$argon2id$",
      "$argon2id$v=19$m=65536,t=2,p=1$",
      h.substr(0, h.size() - 1),                        // truncated
      h.substr(0, h.size() / 2),                        // cut in the middle
      h + "x",                                          // trailing junk
      std::string(h).replace(1, 8, "argon2xx"),         // unknown algorithm
      std::string(h.size(), '$'),                       // only separators
      std::string(500, 'a'),                            // longer than any hash
      std::string("$argon2id$v=19\0$m=65536", 23) + h,  // embedded NUL
      "$argon2id$v=19$m=-1,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
      "$2b$12$abcdefghijklmnopqrstuuZ4bFOBiQO4JRQpzaMB9FNTFgcNqbAm",  // bcrypt
  };
  for (const std::string& bad : malformed) {
    EXPECT_FALSE(verify_password(bad, "secret123")) << bad;
  }
  // A flipped bit in the digest is a mismatch, not an error.
  std::string flipped = h;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(flipped, "secret123"));
  EXPECT_TRUE(verify_password(h, "secret123"));
}

}  // namespace
}  // namespace baton
