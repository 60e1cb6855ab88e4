#include "nlu/thesaurus.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nlu/classifier.hpp"
#include "nlu/features.hpp"
#include "nlu/text.hpp"

namespace baton::nlu {
namespace {

std::vector<std::string> related_stems(const Thesaurus& t, std::string_view language,
                                       std::string_view word) {
  std::vector<std::string> out;
  for (const std::uint32_t id : t.related(stem(language, normalize(word)))) {
    out.push_back(t.stem_of(id));
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

TEST(ThesaurusTest, ParsesMyThesEntriesKeepingOneWordTermsInOrder) {
  const auto t = Thesaurus::parse(
      "UTF-8\n"
      "terminate|2\n"
      "(verb)|end|stop|begin (antonym)|give notice\n"
      "(verb)|fire|change (generic term)\n"
      "give notice|1\n"
      "(verb)|terminate\n"
      "stray line without count\n"
      "cancel|1\n"
      "(verb)|call off|annul\n",
      "en");
  ASSERT_TRUE(t.ok()) << t.error().message;
  // Stems, in sense order; the antonym and the multi-word term are skipped, annotations removed.
  EXPECT_EQ(related_stems(**t, "en", "terminate"),
            (std::vector<std::string>{"end", "stop", "fire", "chang"}));
  // Inflected forms share the stem's entry.
  EXPECT_EQ(related_stems(**t, "en", "terminated"), related_stems(**t, "en", "terminate"));
  EXPECT_EQ(related_stems(**t, "en", "cancelling"), (std::vector<std::string>{"annul"}));
  EXPECT_TRUE(related_stems(**t, "en", "unknownword").empty());
  EXPECT_EQ((*t)->entries(), 2U);  // "give notice" is not a one-word headword
  EXPECT_GT((*t)->memory_bytes(), 0U);
}

TEST(ThesaurusTest, ConvertsLatin1Files) {
  // "anular" and "cancelación" in ISO 8859-1, as mythes-es ships them.
  const auto t = Thesaurus::parse("ISO8859-1\ncancelar|1\n-|anular|cancelaci\xF3n\n", "es");
  ASSERT_TRUE(t.ok()) << t.error().message;
  const auto related = related_stems(**t, "es", "cancelar");
  ASSERT_EQ(related.size(), 2U);
  EXPECT_EQ(related[1], stem("es", "cancelacion"));  // accents stripped as text is
}

TEST(ThesaurusTest, RejectsContentWithoutEntries) {
  const auto t = Thesaurus::parse("UTF-8\nnothing here\n", "en");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kParse);
  EXPECT_EQ(Thesaurus::load("/nonexistent/th.dat", "en").error().code, ErrorCode::kNotFound);
}

// The Debian thesauri (installed by scripts/setup.sh), one per supported language.
struct LanguageCase {
  const char* language;
  const char* word;
  const char* synonym;
};

class DebianLexiconTest : public testing::TestWithParam<LanguageCase> {};

TEST_P(DebianLexiconTest, KnowsACommonSynonym) {
  const auto& c = GetParam();
  const Thesaurus* t = lexicon_for(c.language);
  ASSERT_NE(t, nullptr) << lexicon_status(c.language).error().message;
  EXPECT_TRUE(lexicon_status(c.language).ok());
  EXPECT_TRUE(
      contains(related_stems(*t, c.language, c.word), stem(c.language, normalize(c.synonym))))
      << c.word << " → " << c.synonym;
  EXPECT_EQ(lexicon_for(c.language), t);  // loaded once per process
  EXPECT_EQ(lexicon_for(std::string(c.language) + "-XX"), t);
}

INSTANTIATE_TEST_SUITE_P(Languages, DebianLexiconTest,
                         testing::Values(LanguageCase{"en", "terminate", "end"},
                                         LanguageCase{"de", "kündigen", "stornieren"},
                                         LanguageCase{"fr", "annuler", "supprimer"},
                                         LanguageCase{"es", "cancelar", "anular"}));

TEST(LexiconTest, LanguagesWithoutAThesaurusSayWhy) {
  EXPECT_EQ(lexicon_for("it"), nullptr);
  EXPECT_EQ(lexicon_status("it").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(lexicon_path("it"), "");
}

// An unknown word borrows its known synonyms' evidence: "terminate" is not in the training
// phrases, but the thesaurus lists it with "end" and "stop", which only the cancel topic uses.
TEST(LexiconTest, UnknownWordsStandInForKnownSynonyms) {
  const std::vector<Example> examples = {
      {"end my plan", "cancel"},        {"stop my membership", "cancel"},
      {"where is my parcel", "track"},  {"track my parcel", "track"},
      {"what are your hours", "hours"}, {"when do you open", "hours"},
  };
  TrainOptions with;
  TrainOptions without;
  without.lexicon = false;
  const auto a = train_classifier(examples, with);
  const auto b = train_classifier(examples, without);
  const Classification ca = a->classify("terminate my plan");
  const Classification cb = b->classify("terminate my plan");
  ASSERT_FALSE(ca.ranked.empty());
  ASSERT_FALSE(cb.ranked.empty());
  EXPECT_EQ(ca.ranked.front().label, "cancel");
  EXPECT_GT(ca.ranked.front().confidence, cb.ranked.front().confidence);
}

// Per language: a bot that says "cancel" one way understands a synonym it was never given.
struct StandInCase {
  const char* language;
  std::vector<const char*> cancel;  // the "cancel" topic's phrases
  std::vector<const char*> track;   // the "track" topic's phrases
  const char* query;                // uses a synonym of the cancel phrases' verb
};

class StandInTest : public testing::TestWithParam<StandInCase> {};

TEST_P(StandInTest, SynonymOfATrainingWordRaisesTheRightTopic) {
  const auto& c = GetParam();
  std::vector<Example> examples;
  for (const char* text : c.cancel) {
    examples.push_back({text, "cancel"});
  }
  for (const char* text : c.track) {
    examples.push_back({text, "track"});
  }
  TrainOptions with;
  with.language = c.language;
  TrainOptions without = with;
  without.lexicon = false;
  const Classification a = train_classifier(examples, with)->classify(c.query);
  const Classification b = train_classifier(examples, without)->classify(c.query);
  ASSERT_FALSE(a.ranked.empty());
  ASSERT_FALSE(b.ranked.empty());
  EXPECT_EQ(a.ranked.front().label, "cancel");
  EXPECT_GT(a.ranked.front().confidence, b.ranked.front().confidence + 0.02)
      << c.language << ": " << a.ranked.front().confidence << " vs " << b.ranked.front().confidence;
}

INSTANTIATE_TEST_SUITE_P(
    Languages, StandInTest,
    testing::Values(StandInCase{"en",
                                {"end my plan", "end my membership"},
                                {"where is my parcel", "track my parcel"},
                                "terminate my plan"},
                    StandInCase{"de",
                                {"Abo annullieren", "Vertrag annullieren"},
                                {"wo ist mein Paket", "Paket verfolgen"},
                                "Abo abbestellen"},
                    StandInCase{"fr",
                                {"annuler ma commande", "annuler mon abonnement"},
                                {"où est mon colis", "suivre mon colis"},
                                "supprimer mon abonnement"},
                    StandInCase{"es",
                                {"cancelar mi pedido", "cancelar la suscripción"},
                                {"dónde está mi paquete", "rastrear mi paquete"},
                                "anular la suscripción"}));

// A known word's known synonyms join it at a lower weight: "end" brings "stop" (both in the
// vocabulary), not "halt" (unknown) nor itself twice.
TEST(LexiconTest, KnownWordsLinkToKnownSynonymsAtLowerWeight) {
  const auto t = Thesaurus::parse("UTF-8\nend|1\n(verb)|stop|halt|end\n", "en");
  ASSERT_TRUE(t.ok());
  FeatureSpace space;
  space.build({extract_features("end", "en", t->get()), extract_features("stop", "en", t->get())});
  const SparseVector with = space.vectorize(extract_features("end", "en", t->get()));
  const SparseVector without = space.vectorize(extract_features("end", "en"));
  ASSERT_EQ(with.size(), without.size() + 1);
  // Without the thesaurus "end" is its word, bigrams and character n-grams; with it, one more
  // feature: the word "stop", weighted below the word "end" itself.
  float stop_weight = 0.0F;
  float max_weight = 0.0F;
  for (const auto& [id, w] : with) {
    bool in_without = false;
    for (const auto& [id2, w2] : without) {
      in_without = in_without || id2 == id;
    }
    if (!in_without) {
      stop_weight = w;
    }
    max_weight = std::max(max_weight, w);
  }
  EXPECT_GT(stop_weight, 0.0F);
  EXPECT_LT(stop_weight, max_weight);
}

}  // namespace
}  // namespace baton::nlu
