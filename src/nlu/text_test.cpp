#include "nlu/text.hpp"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <string>
#include <thread>

namespace baton::nlu {
namespace {

std::vector<std::string> stems(std::string_view text, std::string_view language) {
  std::vector<std::string> out;
  for (const auto& t : analyze(text, language)) {
    out.push_back(t.stem);
  }
  return out;
}

TEST(TextTest, NormalizeFoldsCaseWidthAccentsAndSpaces) {
  EXPECT_EQ(normalize("  Hello\t\tWORLD \n"), "hello world");
  EXPECT_EQ(normalize("Ｆｕｌｌｗｉｄｔｈ"), "fullwidth");
  EXPECT_EQ(normalize("Café Straße"), "cafe strasse");
  EXPECT_EQ(normalize(""), "");
  EXPECT_EQ(normalize(std::string("a\xff\xfe"
                                  "b")),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b");
}

TEST(TextTest, TokenizeKeepsApostrophesInsideWords) {
  EXPECT_EQ(tokenize("what's up, doc?"), (std::vector<std::string>{"what's", "up", "doc"}));
  EXPECT_EQ(tokenize(normalize("it’s ok'")), (std::vector<std::string>{"it's", "ok"}));
  EXPECT_TRUE(tokenize("😀 🎉 !!").empty());
  EXPECT_EQ(tokenize(normalize("order #A12-b")), (std::vector<std::string>{"order", "a12", "b"}));
}

TEST(TextTest, AsciiShortcutNormalizesLikeUtf8proc) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string text = std::string("Ab") + static_cast<char>(c) + "Zz 9\t";
    EXPECT_EQ(normalize(text), normalize_unicode(text)) << "byte " << c;
  }
  const std::string sentence = "  Where's MY Order #A12-b?\r\n\tI'd like\va REFUND\f ";
  EXPECT_EQ(normalize(sentence), normalize_unicode(sentence));
  EXPECT_EQ(normalize(sentence), "where's my order #a12-b? i'd like a refund");
}

TEST(TextTest, AsciiShortcutTokenizesLikeUnicodeCategories) {
  for (int c = 0; c < 0x80; ++c) {
    const auto cat = utf8proc_category(c);
    const bool word = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                      (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) ||
                      cat == UTF8PROC_CATEGORY_ND;
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    const auto expected =
        word || c == '\'' ? std::vector<std::string>{text} : std::vector<std::string>{"a", "b"};
    EXPECT_EQ(tokenize(text), expected) << "byte " << c;
  }
}

TEST(TextTest, PrimaryLanguage) {
  EXPECT_EQ(primary_language("en-US"), "en");
  EXPECT_EQ(primary_language("DE_at"), "de");
  EXPECT_EQ(primary_language(""), "");
  EXPECT_TRUE(has_stemmer("fr-CA"));
  EXPECT_FALSE(has_stemmer("xx"));
}

TEST(TextTest, EnglishStemmingConflatesInflections) {
  EXPECT_EQ(stem("en", "cancelling"), stem("en", "cancel"));
  EXPECT_EQ(stem("en", "orders"), stem("en", "ordered"));
  EXPECT_NE(stem("en", "order"), stem("en", "card"));
}

TEST(TextTest, GermanFrenchSpanishStemming) {
  EXPECT_EQ(stems("Bestellungen", "de"), stems("Bestellung", "de"));
  EXPECT_EQ(stems("Rechnungen", "de"), stems("Rechnung", "de"));
  EXPECT_EQ(stems("Häuser", "de"), stems("Haus", "de"));
  EXPECT_EQ(stems("commandes", "fr"), stems("commande", "fr"));
  EXPECT_EQ(stems("l'adresse", "fr"), (std::vector<std::string>{"l", stem("fr", "adresse")}));
  EXPECT_EQ(stems("pedidos", "es"), stems("pedido", "es"));
  // Without a stemmer the token stays as is.
  EXPECT_EQ(stem("xx", "bestellungen"), "bestellungen");
}

TEST(TextTest, StopWordsPerLanguage) {
  EXPECT_TRUE(is_stop_word("en", "the"));
  EXPECT_FALSE(is_stop_word("en", "refund"));
  EXPECT_TRUE(is_stop_word("de-DE", "der"));
  EXPECT_TRUE(is_stop_word("fr", "les"));
  EXPECT_TRUE(is_stop_word("es", "los"));
  EXPECT_FALSE(is_stop_word("xx", "the"));
  const auto tokens = analyze("The Orders", "en");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_TRUE(tokens[0].stop);
  EXPECT_EQ(tokens[1].text, "orders");
  EXPECT_EQ(tokens[1].stem, "order");
}

TEST(TextTest, StemmingIsThreadSafe) {
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      int good = 0;
      for (int i = 0; i < 2000; ++i) {
        good += stem(t % 2 == 0 ? "en" : "de", t % 2 == 0 ? "running" : "häuser") ==
                        (t % 2 == 0 ? "run" : "haus")
                    ? 1
                    : 0;
      }
      ok[static_cast<std::size_t>(t)] = good;
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(ok, (std::vector<int>{2000, 2000, 2000, 2000}));
}

TEST(TextTest, HugeTokensAreNotStemmed) {
  const std::string huge(1000, 'a');
  EXPECT_EQ(stem("en", huge), huge);
}

}  // namespace
}  // namespace baton::nlu
