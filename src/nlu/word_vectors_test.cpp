#include "nlu/word_vectors.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "nlu/classifier.hpp"

namespace baton::nlu {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

// A file in the format scripts/word-vectors.mjs writes: words in frequency order, each vector
// given as (scale, int8 values).
std::string file_of(std::uint32_t dims,
                    const std::vector<std::pair<std::string, std::vector<int>>>& words,
                    float scale = 0.5F) {
  std::string out = "BATONWV1";
  put_u32(out, dims);
  put_u32(out, static_cast<std::uint32_t>(words.size()));
  for (const auto& [word, values] : words) {
    char s[4];
    std::memcpy(s, &scale, 4);
    out.append(s, 4);
    for (const int v : values) {
      out.push_back(static_cast<char>(static_cast<std::int8_t>(v)));
    }
  }
  for (const auto& [word, values] : words) {
    out += word;
    out.push_back('\0');
  }
  return out;
}

double norm(const std::vector<float>& v, std::size_t from, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = from; i < from + n; ++i) {
    s += static_cast<double>(v[i]) * static_cast<double>(v[i]);
  }
  return std::sqrt(s);
}

TEST(WordVectorsTest, ParsesTheFileAndFindsWordsWithTheirRank) {
  auto v =
      WordVectors::parse(file_of(2, {{"the", {1, 2}}, {"card", {-3, 4}}, {"cancel", {127, -128}}}));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)->dimensions(), 2U);
  EXPECT_EQ((*v)->size(), 3U);
  const auto card = (*v)->find("card");
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->rank, 1U);
  EXPECT_FLOAT_EQ(card->scale, 0.5F);
  EXPECT_EQ(card->values[0], -3);
  EXPECT_EQ(card->values[1], 4);
  const auto cancel = (*v)->find("cancel");
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(cancel->values[1], -128);
  EXPECT_FALSE((*v)->find("parcel").has_value());
  EXPECT_FALSE((*v)->find("car").has_value());
}

TEST(WordVectorsTest, RefusesMalformedFiles) {
  EXPECT_EQ(WordVectors::parse("").error().code, ErrorCode::kParse);
  EXPECT_EQ(WordVectors::parse("BATONWV0" + std::string(8, '\0')).error().code, ErrorCode::kParse);
  std::string good = file_of(2, {{"a", {1, 1}}, {"b", {2, 2}}});
  // Vectors cut short.
  EXPECT_EQ(WordVectors::parse(good.substr(0, 20)).error().code, ErrorCode::kParse);
  // The last word's terminator missing.
  EXPECT_EQ(WordVectors::parse(good.substr(0, good.size() - 1)).error().code, ErrorCode::kParse);
  // Zero dimensions.
  EXPECT_EQ(WordVectors::parse(file_of(0, {})).error().code, ErrorCode::kParse);
  EXPECT_EQ(WordVectors::load("/nonexistent/en.bin").error().code, ErrorCode::kNotFound);
}

TEST(WordVectorsTest, SentenceVectorIsTwoUnitBlocksAndPrefersContentWords) {
  auto v = WordVectors::parse(
      file_of(2, {{"my", {100, 0}}, {"card", {0, 100}}, {"block", {0, 50}}, {"lost", {50, 50}}}));
  ASSERT_TRUE(v.ok());
  const auto tokens = analyze("block my card", "en");
  const std::vector<float> s = sentence_vector(tokens, **v);
  ASSERT_EQ(s.size(), 4U);
  EXPECT_NEAR(norm(s, 0, 2), 1.0, 1e-5);
  EXPECT_NEAR(norm(s, 2, 2), 1.0, 1e-5);
  // "my" is a stop word: the mean lies along "card" and "block", the second axis.
  EXPECT_NEAR(s[0], 0.0F, 1e-5);
  EXPECT_NEAR(s[1], 1.0F, 1e-5);
  // Only stop words: they are used rather than nothing.
  const std::vector<float> only_stop = sentence_vector(analyze("my", "en"), **v);
  ASSERT_EQ(only_stop.size(), 4U);
  EXPECT_NEAR(only_stop[0], 1.0F, 1e-5);
  // No word with a vector: no dense features.
  EXPECT_TRUE(sentence_vector(analyze("parcel tracking", "en"), **v).empty());
}

TEST(WordVectorsTest, OnlyEnglishHasVectors) {
  EXPECT_FALSE(word_vectors_path("en-GB").empty());
  EXPECT_TRUE(word_vectors_path("de").empty());
  EXPECT_EQ(word_vectors_for("de"), nullptr);
  EXPECT_FALSE(word_vectors_status("de").ok());
}

// The real vectors (written by the build from web/node_modules): words no trigger phrase uses
// (and, here, no thesaurus) still lean to the topic whose words mean the same.
TEST(WordVectorsTest, UnseenWordsLeanToTheTopicOfTheirMeaning) {
  const WordVectors* en = word_vectors_for("en");
  ASSERT_NE(en, nullptr) << word_vectors_status("en").error().message;
  EXPECT_GT(en->size(), 100000U);
  EXPECT_EQ(en->dimensions(), 100U);
  const std::vector<Example> examples = {
      {"i want my money back", "refund"},       {"refund my order", "refund"},
      {"where is my parcel", "track"},          {"track my parcel", "track"},
      {"what are your opening hours", "hours"}, {"when do you open", "hours"},
  };
  TrainOptions with;
  with.lexicon = false;
  TrainOptions without = with;
  without.word_vectors = false;
  const auto a = train_classifier(examples, with);
  const auto b = train_classifier(examples, without);
  // "closed" and "sunday" are in no phrase; their vectors lie near "open" and "hours".
  const auto ca = a->classify("is the shop closed on sunday");
  const auto cb = b->classify("is the shop closed on sunday");
  ASSERT_FALSE(ca.ranked.empty());
  EXPECT_EQ(ca.ranked.front().label, "hours");
  ASSERT_FALSE(cb.ranked.empty());
  EXPECT_NE(cb.ranked.front().label, "hours");
}

}  // namespace
}  // namespace baton::nlu
