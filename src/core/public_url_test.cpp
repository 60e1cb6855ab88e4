#include "core/public_url.hpp"

#include <gtest/gtest.h>

namespace baton {
namespace {

TEST(PublicUrlTest, EmptyUntilSetThenWithoutTrailingSlashes) {
  PublicUrl url;
  EXPECT_EQ(url.get(), "");
  url.set("https://baton.example//");
  EXPECT_EQ(url.get(), "https://baton.example");
  url.set("http://127.0.0.1:3978");
  EXPECT_EQ(url.get(), "http://127.0.0.1:3978");
  EXPECT_EQ(PublicUrl("http://x/").get(), "http://x");
}

}  // namespace
}  // namespace baton
