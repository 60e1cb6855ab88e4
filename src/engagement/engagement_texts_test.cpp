// The customer's notices in their language (real Contoso bot, an English bot, SQLite, engine,
// hub): the locale the client gave when it started the conversation, else the locale on the
// customer's activity, picks the built-in texts of that language; the language is kept with the
// handoff record, so a restarted server still closes the chat in it.
#include <gtest/gtest.h>

#include "engagement/engagement_test_support.hpp"

namespace baton::engagement {
namespace {

using namespace baton::engagement::testing;  // NOLINT: test helpers

class EngagementLanguages : public EngagementFlow {
 protected:
  // A customer whose client starts the conversation in `start_locale` and writes in
  // `message_locale` ("" = none given) asks for an agent; returns alice's offer.
  std::optional<Offer> escalate_in(const std::string& id, const std::string& start_locale,
                                   const std::string& message_locale, RecordingSink& sink) {
    StartParams p;
    p.conversation_id = id;
    p.user = {"user-" + id, "Ann", "user"};
    p.locale = start_locale;
    p.greet = true;
    EXPECT_TRUE(await<StartResult>([&](auto cb) { engine_->start_conversation(p, cb); }).ok());
    activity::Activity a = activity::make_message("talk to an agent");
    a.locale = message_locale;
    EXPECT_TRUE(post(id, std::move(a)).ok());
    return offer_for(id, sink);
  }
};

TEST_F(EngagementLanguages, StartLocaleGivesGermanJoinedAndLeft) {
  auto alice = alice_online();
  auto offer = escalate_in("c1", "de-DE", "en-US", *alice);  // the start locale wins
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(accept(alice_actor(), "c1", offer->offer_id).ok());
  ASSERT_TRUE(eventually([&] { return said("c1", "Alice Martin ist dem Chat beigetreten."); }));
  EXPECT_FALSE(said("c1", "Alice Martin joined the chat."));
  ASSERT_TRUE(end(alice_actor(), "c1", EndMode::kReturnToBot).ok());
  ASSERT_TRUE(eventually([&] { return said("c1", "Alice Martin hat den Chat verlassen."); }));
  ASSERT_TRUE(eventually([&] { return status("c1")->ownership.owner == Owner::kBot; }));
}

TEST_F(EngagementLanguages, MessageLocaleWhenNoStartLocaleAndKeptAcrossARestart) {
  auto alice = alice_online();
  auto offer = escalate_in("c2", "", "fr-FR", *alice);
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(accept(alice_actor(), "c2", offer->offer_id).ok());
  ASSERT_TRUE(eventually([&] { return said("c2", "Alice Martin a rejoint la conversation."); }));

  close();
  open();
  ASSERT_TRUE(start_engagement().ok());
  settle();
  ASSERT_TRUE(await<bool>([&](auto cb) { engagement_->force_close(boss_actor(), "c2", cb); }).ok());
  settle();
  ASSERT_TRUE(eventually([&] { return said("c2", "Cette conversation est terminée. Merci !"); }));
}

TEST_F(EngagementLanguages, TheBotsLanguageWhenTheClientGivesNone) {
  auto alice = alice_online();
  auto offer = escalate_in("c3", "", "", *alice);  // Contoso's language: en-us
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(accept(alice_actor(), "c3", offer->offer_id).ok());
  ASSERT_TRUE(eventually([&] { return said("c3", "Alice Martin joined the chat."); }));
  // A locale that is no language tag is ignored, not stored or echoed.
  offer = escalate_in("c4", "de<script>", "", *alice);
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(accept(alice_actor(), "c4", offer->offer_id).ok());
  ASSERT_TRUE(eventually([&] { return said("c4", "Alice Martin joined the chat."); }));
}

}  // namespace
}  // namespace baton::engagement
