// Any bytes as a message: never a crash, precise behaviour.
#include <gtest/gtest.h>

#include "core/utf8.hpp"
#include "dialog/script_test_support.hpp"

namespace baton::dialog {
namespace {

namespace bj = boost::json;
using namespace testing;
using V = std::vector<std::string>;
const char* const kSorry = "Sorry, I didn't get that. Could you rephrase?";

TEST(Robustness, InvalidUtf8IsReplacedBeforeItReachesVariables) {
  auto b = store_bot();
  b.topics.push_back(topic(
      "Note", {"leave a note"},
      {ask(question("Your note?", nlu::EntityType::kText, "Note")), message("Noted: {Note}")}));
  Chat chat(b);
  chat.runtime().start();
  chat.say("leave a note");
  const auto result = chat.say(std::string("caf\xC3 \xFF\xFE ok", 10));
  ASSERT_EQ(result.replies.size(), 1u);
  EXPECT_TRUE(utf8::is_valid(result.replies[0].text));
  EXPECT_EQ(result.replies[0].text, utf8::sanitize(std::string("Noted: caf\xC3 \xFF\xFE ok", 17)));
  const auto variables = chat.runtime().variables();
  const auto& note = variables.at("Note").as_string();
  EXPECT_TRUE(utf8::is_valid(std::string_view(note.data(), note.size())));
}

TEST(Robustness, EmptyHugeBinaryAndEmojiTextsAreNoMatches) {
  const std::vector<std::string> inputs = {"",
                                           std::string(300'000, 'a'),
                                           std::string("\0\0\0", 3),
                                           "\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
                                           "     ",
                                           std::string(1000, '{')};
  Chat chat(store_bot());
  chat.runtime().start();
  int turn = 0;
  for (const auto& input : inputs) {
    const auto result = chat.say(input);
    // The third consecutive no-match escalates (no_match_threshold 3).
    if (++turn % 3 == 0) {
      ASSERT_TRUE(result.handoff) << turn;
      EXPECT_EQ(result.handoff->reason, HandoffReason::kNoMatch);
      chat.runtime().resume(HandoffOutcome::kCancelled);
    } else {
      EXPECT_EQ(texts(result), V{kSorry}) << turn;
    }
  }
}

TEST(Robustness, HugeAnswerToARegexQuestionIsInvalidNotACrash) {
  Chat chat(store_bot());
  chat.runtime().start();
  chat.say("return an item");
  chat.say("Bellevue");
  EXPECT_EQ(texts(chat.say(std::string(200'000, 'A') + "AB123456")),
            V{"Order numbers look like AB123456."});
}

TEST(Robustness, TriggeringPhrasesAreCutAtAUtf8Boundary) {
  Chat chat(store_bot());
  chat.runtime().start();
  // 13 bytes, then 2000 bytes of "é" (2 bytes each): byte 1024 is inside an "é".
  std::string text = "store hours  ";
  for (int i = 0; i < 1000; ++i) {
    text += "\xC3\xA9";
  }
  const auto result = chat.say(text);
  ASSERT_EQ(texts(result), V{"We're open 9 to 5."});
  const auto escalated = chat.say("talk to an agent");
  ASSERT_TRUE(escalated.handoff);
  const auto& phrase = escalated.handoff->context.at("va_LastPhrases").as_string();
  EXPECT_EQ(phrase.size(), 1023u);  // 13 + 2 * 505; one more byte would cut an "é"
  EXPECT_TRUE(utf8::is_valid(std::string_view(phrase.data(), phrase.size())));
}

TEST(Robustness, NonMessageActivitiesAreRecordedButIgnored) {
  Chat chat(store_bot());
  activity::Activity typing = activity::make_typing();
  EXPECT_TRUE(chat.send(typing).replies.empty());
  activity::Activity update;
  update.type = "conversationUpdate";
  EXPECT_TRUE(chat.send(update).replies.empty());
  EXPECT_TRUE(chat.send(activity::make_event("somethingElse", bj::object{})).replies.empty());
  EXPECT_EQ(chat.runtime().transcript().size(), 3u);
  // Nothing greeted yet: the first message still gets the greeting.
  EXPECT_EQ(texts(chat.say("store hours")),
            (V{"Hello, I'm Contoso Store. How can I help?", "We're open 9 to 5."}));
}

TEST(Robustness, CancelValueWithoutAPendingHandoffIsAnOrdinaryMessage) {
  Chat chat(store_bot());
  chat.runtime().start();
  activity::Activity message = chat.user_message("");
  message.value = bj::object{{"cancel", true}};
  EXPECT_EQ(texts(chat.send(message)), V{kSorry});
}

}  // namespace
}  // namespace baton::dialog
