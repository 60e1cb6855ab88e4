#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace baton::utf8 {
namespace {

TEST(Utf8, CollapsesRunsOfWhitespaceToOneSpace) {
  EXPECT_EQ(utf8::collapse_whitespace("  could not connect\n\tIs the server  running?\n"),
            "could not connect Is the server running?");
  EXPECT_EQ(utf8::collapse_whitespace("a\f\vb\r\nc"), "a b c");
  EXPECT_EQ(utf8::collapse_whitespace("Grüße\u00a0 dir"), "Grüße\u00a0 dir") << "only ASCII space";
  EXPECT_EQ(utf8::collapse_whitespace(" \n\t "), "");
}

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(is_valid(""));
  EXPECT_TRUE(is_valid("hello"));
  EXPECT_TRUE(
      is_valid("Gr\xC3\xBC\xC3\x9F"
               "e"));                         // Grüße
  EXPECT_TRUE(is_valid("\xF0\x9F\x98\x80"));  // 😀
}

TEST(Utf8, FindsFirstInvalidByte) {
  EXPECT_EQ(find_invalid("ab\xFF"
                         "cd"),
            2u);
  EXPECT_EQ(find_invalid("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(find_invalid("x\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(find_invalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid("ok\xE2\x82"), 2u);        // truncated
}

// ASCII is checked a word at a time: a bad byte or a multi-byte character anywhere in or across
// those words is still found, at its own offset.
TEST(Utf8, FindsInvalidBytesAtEveryOffsetOfLongText) {
  for (std::size_t at = 0; at < 40; ++at) {
    std::string text(40, 'a');
    text[at] = '\xFF';
    EXPECT_EQ(find_invalid(text), at);
    std::string euro(40, 'a');
    euro.insert(at, "\xE2\x82\xAC");  // €, straddling word boundaries as `at` moves
    EXPECT_EQ(find_invalid(euro), std::nullopt) << at;
    euro.erase(at + 2, 1);  // truncated
    EXPECT_EQ(find_invalid(euro), at);
  }
}

TEST(Utf8, SanitizeReplacesInvalidBytes) {
  EXPECT_EQ(sanitize("a\xFF"
                     "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitize("fine"), "fine");
}

}  // namespace
}  // namespace baton::utf8
