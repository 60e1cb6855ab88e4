#include "core/request_signature.hpp"

#include <gtest/gtest.h>

namespace baton::request_signature {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef-shared";
constexpr std::string_view kBody = R"({"state":"accepted"})";

// The worked example of docs/EXTERNAL_HUBS.md (checked there with openssl and Node's crypto).
TEST(RequestSignature, WorkedExample) {
  EXPECT_EQ(sign(kSecret, "1765065600", kBody),
            "sha256=f1cd0e421eaaaf7db42e0e319efebc518e293e0fa6a68d55ae77845b6f8b25cd");
}

TEST(RequestSignature, VerifiesOnlyTheExactRequest) {
  const std::string good = sign(kSecret, "1765065600", kBody);
  EXPECT_TRUE(verify(kSecret, "1765065600", kBody, good));
  EXPECT_FALSE(verify(kSecret, "1765065601", kBody, good));  // the timestamp is signed
  EXPECT_FALSE(verify(kSecret, "1765065600", R"({"state":"failed"})", good));
  EXPECT_FALSE(verify("another-secret-of-16", "1765065600", kBody, good));
  EXPECT_FALSE(verify(kSecret, "1765065600", kBody, good.substr(7)));  // no "sha256="
  EXPECT_FALSE(verify(kSecret, "1765065600", kBody, good + "00"));
  EXPECT_FALSE(verify(kSecret, "1765065600", kBody, good.substr(0, good.size() - 2)));
  EXPECT_FALSE(verify(kSecret, "1765065600", kBody, "sha256=" + std::string(64, 'g')));
  EXPECT_FALSE(verify(kSecret, "1765065600", kBody, ""));
}

TEST(RequestSignature, Freshness) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1765065600));
  EXPECT_TRUE(fresh("1765065600", now));
  EXPECT_TRUE(fresh("1765065300", now));
  EXPECT_TRUE(fresh("1765065900", now));
  EXPECT_FALSE(fresh("1765065299", now));
  EXPECT_FALSE(fresh("1765065901", now));
  EXPECT_FALSE(fresh("", now));
  EXPECT_FALSE(fresh("-1", now));
  EXPECT_FALSE(fresh("17650656OO", now));
  EXPECT_FALSE(fresh("1765065600.5", now));
  EXPECT_FALSE(fresh("99999999999999999999", now));
}

}  // namespace
}  // namespace baton::request_signature
