#include "nlu/classifier.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "nlu/features.hpp"

namespace baton::nlu {
namespace {

// A small bot like the ones the dialog runtime trains: five topics of five trigger phrases plus
// the reserved escalation label.
std::vector<Example> small_bot() {
  return {
      {"where is my order", "order_status"},
      {"track my package", "order_status"},
      {"has my order shipped", "order_status"},
      {"when will my delivery arrive", "order_status"},
      {"order status", "order_status"},
      {"i want a refund", "refund"},
      {"can i get my money back", "refund"},
      {"refund my purchase", "refund"},
      {"how do i return an item", "refund"},
      {"return policy", "refund"},
      {"reset my password", "password"},
      {"i forgot my password", "password"},
      {"can't log in to my account", "password"},
      {"change my password", "password"},
      {"locked out of my account", "password"},
      {"what are your opening hours", "hours"},
      {"when are you open", "hours"},
      {"are you open on sunday", "hours"},
      {"store hours", "hours"},
      {"what time do you close", "hours"},
      {"cancel my subscription", "cancel"},
      {"stop my membership", "cancel"},
      {"i want to unsubscribe", "cancel"},
      {"end my plan", "cancel"},
      {"cancel the subscription please", "cancel"},
      {"talk to a human", "__escalate__"},
      {"speak to an agent", "__escalate__"},
      {"i want a real person", "__escalate__"},
      {"connect me with customer service", "__escalate__"},
      {"representative", "__escalate__"},
  };
}

std::unique_ptr<IntentClassifier> train_small(std::string language = "en") {
  TrainOptions options;
  options.language = std::move(language);
  return train_classifier(small_bot(), options);
}

std::vector<std::uint64_t> hashes(const std::vector<HashedFeature>& features) {
  std::vector<std::uint64_t> out;
  out.reserve(features.size());
  for (const HashedFeature& f : features) {
    out.push_back(f.hash);
  }
  return out;
}

std::string top_label(const IntentClassifier& clf, std::string_view text) {
  const auto c = clf.classify(text);
  return c.top() != nullptr ? c.top()->label : "<oos>";
}

TEST(ClassifierTest, AcceptsParaphrasesOfTriggers) {
  const auto clf = train_small();
  EXPECT_EQ(top_label(*clf, "where's my order?"), "order_status");
  EXPECT_EQ(top_label(*clf, "I'd like a refund for my purchase"), "refund");
  EXPECT_EQ(top_label(*clf, "I forgot my password again"), "password");
  EXPECT_EQ(top_label(*clf, "what are the opening hours"), "hours");
  EXPECT_EQ(top_label(*clf, "please cancel my subscription"), "cancel");
  EXPECT_EQ(top_label(*clf, "let me talk to a human"), "__escalate__");
  EXPECT_EQ(top_label(*clf, "can I speak to an agent please"), "__escalate__");
}

TEST(ClassifierTest, ToleratesTyposAndInflections) {
  const auto clf = train_small();
  EXPECT_EQ(top_label(*clf, "refunds"), "refund");
  EXPECT_EQ(top_label(*clf, "reset my pasword"), "password");
  EXPECT_EQ(top_label(*clf, "cancelling my subscriptions"), "cancel");
}

TEST(ClassifierTest, RejectsOutOfScope) {
  const auto clf = train_small();
  for (const char* text :
       {"what's the weather on mars", "tell me a joke about penguins",
        "who won the football game yesterday", "how tall is mount everest", "asdf qwerty zxcv"}) {
    const auto c = clf->classify(text);
    EXPECT_FALSE(c.in_scope) << text << " → " << (c.ranked.empty() ? "" : c.ranked[0].label) << " "
                             << (c.ranked.empty() ? 0.0 : c.ranked[0].confidence);
    EXPECT_EQ(c.top(), nullptr);
  }
}

TEST(ClassifierTest, RankedIsSortedCalibratedAndCapped) {
  TrainOptions options;
  options.max_ranked = 3;
  const auto clf = train_classifier(small_bot(), options);
  const auto c = clf->classify("refund my order");
  ASSERT_EQ(c.ranked.size(), 3u);
  for (std::size_t i = 0; i < c.ranked.size(); ++i) {
    EXPECT_GE(c.ranked[i].confidence, 0.0);
    EXPECT_LE(c.ranked[i].confidence, 1.0);
    if (i > 0) {
      EXPECT_LE(c.ranked[i].confidence, c.ranked[i - 1].confidence);
    }
  }
  EXPECT_EQ(c.in_scope, c.ranked[0].confidence >= clf->threshold());
}

TEST(ClassifierTest, ThresholdOptionIsHonoured) {
  TrainOptions options;
  options.threshold = 1.01;  // above any confidence: rejects everything
  const auto strict = train_classifier(small_bot(), options);
  EXPECT_DOUBLE_EQ(strict->threshold(), 1.01);
  EXPECT_FALSE(strict->classify("where is my order").in_scope);
  options.threshold = 0.0;
  const auto lax = train_classifier(small_bot(), options);
  EXPECT_TRUE(lax->classify("weather on mars order").in_scope);
  EXPECT_GT(train_small()->threshold(), 0.0);
  EXPECT_LT(train_small()->threshold(), 1.0);
}

TEST(ClassifierTest, DeterministicForASeed) {
  const auto a = train_small();
  const auto b = train_small();
  for (const char* text : {"where is my order", "cancel it", "hours on sunday?"}) {
    const auto ca = a->classify(text);
    const auto cb = b->classify(text);
    ASSERT_EQ(ca.ranked.size(), cb.ranked.size());
    for (std::size_t i = 0; i < ca.ranked.size(); ++i) {
      EXPECT_EQ(ca.ranked[i].label, cb.ranked[i].label);
      EXPECT_DOUBLE_EQ(ca.ranked[i].confidence, cb.ranked[i].confidence);
    }
  }
}

// Bad or huge input is out of scope, and the work it causes is bounded: only the first
// kMaxClassifyBytes, and of those the first kMaxClassifyTokens words, are analysed. (Checked by
// what is analysed rather than by a clock, which a busy machine makes unreliable.)
TEST(ClassifierTest, BadInputIsOutOfScopeAndCut) {
  const auto clf = train_small();
  const std::string huge(4'000'000, 'x');
  for (const std::string& text : {std::string(), std::string("   "), std::string("\xff\xfe\xfd"),
                                  std::string("😀🎉🙈"), huge, std::string(1000, '\0')}) {
    EXPECT_FALSE(clf->classify(text).in_scope);
  }
  EXPECT_EQ(hashes(extract_features(huge, "en")),
            hashes(extract_features(huge.substr(0, kMaxClassifyBytes), "en")));
  // Megabytes of a real trigger word are cut, not rejected: the same features as its first words.
  std::string words;
  std::string first_words;
  for (int i = 0; i < 200'000; ++i) {
    words += "refund ";
    if (i < static_cast<int>(kMaxClassifyTokens)) {
      first_words += "refund ";
    }
  }
  EXPECT_EQ(clf->classify(words).ranked.at(0).label, "refund");
  const auto cut = hashes(extract_features(words, "en"));
  EXPECT_FALSE(cut.empty());
  EXPECT_EQ(cut, hashes(extract_features(first_words, "en")));
  EXPECT_NE(cut, hashes(extract_features(first_words.substr(7), "en")));  // one word fewer
}

TEST(ClassifierTest, EmptyTrainingSetRejectsEverything) {
  const auto clf = train_classifier({}, TrainOptions{});
  EXPECT_FALSE(clf->classify("anything").in_scope);
  EXPECT_TRUE(clf->classify("anything").ranked.empty());
  const auto blank = train_classifier({{"", "a"}, {"  ", "b"}}, TrainOptions{});
  EXPECT_TRUE(blank->classify("a").ranked.empty());
}

TEST(ClassifierTest, SingleIntentBot) {
  const auto clf = train_classifier({{"talk to a human", "__escalate__"}}, TrainOptions{});
  EXPECT_EQ(top_label(*clf, "talk to a human please"), "__escalate__");
  EXPECT_EQ(top_label(*clf, "what's the weather on mars"), "<oos>");
}

TEST(ClassifierTest, GermanBotNeedsStemmingForInflectedForms) {
  const std::vector<Example> examples{
      {"Ich möchte meine Bestellung stornieren", "storno"},
      {"Bestellung stornieren", "storno"},
      {"Wo ist mein Paket", "versand"},
      {"Wann kommt meine Lieferung", "versand"},
      {"Ich brauche eine Rechnung", "rechnung"},
      {"Rechnung schicken", "rechnung"},
  };
  TrainOptions options;
  options.language = "de";
  const auto clf = train_classifier(examples, options);
  EXPECT_EQ(top_label(*clf, "Bestellungen stornieren"), "storno");
  EXPECT_EQ(top_label(*clf, "wo sind meine Pakete"), "versand");
  EXPECT_EQ(top_label(*clf, "Rechnungen bitte"), "rechnung");
  // The same bot without a stemmer is less sure of the inflected forms.
  options.language = "xx";
  const auto unstemmed = train_classifier(examples, options);
  for (const char* text : {"Bestellungen stornieren", "wo sind meine Pakete"}) {
    EXPECT_GT(clf->classify(text).ranked.at(0).confidence,
              unstemmed->classify(text).ranked.at(0).confidence)
        << text;
  }
}

TEST(ClassifierTest, ClassifyIsThreadSafe) {
  const auto clf = train_small();
  const auto expected = clf->classify("where is my order").ranked;
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const auto got = clf->classify("where is my order").ranked;
        mismatches[static_cast<std::size_t>(t)] +=
            (got.size() != expected.size() || got[0].label != expected[0].label ||
             got[0].confidence != expected[0].confidence)
                ? 1
                : 0;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(mismatches, (std::vector<int>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace baton::nlu
