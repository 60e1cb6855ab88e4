// The customer's texts per language: which language a conversation's texts are in (the handoff's
// language, else the context's va_Language, else English), the map and plain-string forms of
// hub.yaml, the built-in texts, and language tags.

#include <gtest/gtest.h>

#include "hub/hub_test_util.hpp"

namespace baton::hub::testing {
namespace {

const char* kTextsYaml = R"(
hub:
  default_queue: general
  defaults:
    position_update_interval: 0s
  queues:
    - name: closed
      when: va_LastTopic == "Closed"
      hours:
        time_zone: UTC
        weekly:
          tuesday: ["08:00-18:00"]
      texts:
        unavailable:
          en: "{queue} is closed."
          de: "{queue} ist geschlossen."
    - name: plain
      when: va_LastTopic == "Plain"
      texts:
        queued: "Nummer {position}."
    - name: general
      texts:
        queued:
          de-ch: "Sie sind Nummer {position} (CH)."
          it: "Lei è il numero {position}."
)";

Event in_language(std::string conv, std::string language, const char* topic = "General",
                  const std::string& va_language = "") {
  HandoffSubmitted e;
  e.conversation = std::move(conv);
  e.context = {{"va_LastTopic", topic}};
  if (!va_language.empty()) {
    e.context["va_Language"] = va_language;
  }
  e.reason = "explicit";
  e.language = std::move(language);
  return e;
}

std::string queued_text(Hub& hub, Event e) {
  auto decided = hub.handle(std::move(e));
  EXPECT_TRUE(decided.ok());
  for (const auto& d : *decided) {
    if (const auto* q = std::get_if<Queued>(&d)) {
      return q->text;
    }
  }
  ADD_FAILURE() << "no Queued decision";
  return {};
}

TEST(HubTexts, QueuedTextInTheConversationsLanguage) {
  auto config = config_from(kTextsYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(in_language("c0", "en")).ok());  // takes agent a's one slot
  EXPECT_EQ(queued_text(hub, in_language("c1", "de-DE")),
            "Sie sind Nummer 2 in der Warteschlange. Geschätzte Wartezeit: 5 Min.");
  EXPECT_EQ(queued_text(hub, in_language("c2", "de-CH")), "Sie sind Nummer 3 (CH).");
  EXPECT_EQ(queued_text(hub, in_language("c3", "it-IT")), "Lei è il numero 4.");
  EXPECT_EQ(queued_text(hub, in_language("c4", "fr")),
            "Vous êtes numéro 5 dans la file d'attente. Attente estimée : 20 min.");
  // No language of its own: the context's va_Language (the bot's language).
  EXPECT_EQ(queued_text(hub, in_language("c5", "", "General", "es-es")),
            "Es el número 6 en la cola. Tiempo de espera estimado: 25 min.");
  // A language without texts, or none at all: English.
  EXPECT_EQ(queued_text(hub, in_language("c6", "ja")),
            "You are number 7 in the queue. Estimated wait: 30 min.");
  EXPECT_EQ(queued_text(hub, in_language("c7", "")),
            "You are number 8 in the queue. Estimated wait: 35 min.");
  // The plain-string form is for every language (hub.yaml files written before languages).
  EXPECT_EQ(queued_text(hub, in_language("c8", "fr", "Plain")), "Nummer 1.");
}

TEST(HubTexts, PositionUpdatesKeepTheLanguageThroughASnapshot) {
  auto config = config_from(kTextsYaml);
  ManualClock clock(t0());
  Hub hub(config, clock);
  ASSERT_TRUE(hub.handle(reg("a")).ok());
  ASSERT_TRUE(hub.handle(avail("a")).ok());
  ASSERT_TRUE(hub.handle(in_language("c0", "en")).ok());
  ASSERT_TRUE(hub.handle(in_language("c1", "en")).ok());
  ASSERT_TRUE(hub.handle(in_language("c2", "es-MX")).ok());
  auto snapshot = hub.snapshot();
  auto restored = Hub::restore(config, clock, snapshot);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  // c1 leaves: c2 moves up and is told in Spanish, by both hubs.
  for (Hub* h : {&hub, restored->get()}) {
    ASSERT_TRUE(h->handle(HandoffCancelled{"c1"}).ok());
    auto decided = h->handle(tick());  // position messages go out with the tick
    ASSERT_TRUE(decided.ok());
    std::string said;
    for (const auto& d : *decided) {
      if (const auto* p = std::get_if<PositionUpdate>(&d)) {
        said = p->text;
      }
    }
    EXPECT_EQ(said, "Ahora es el número 2 en la cola. Tiempo de espera estimado: 5 min.");
  }
}

TEST(HubTexts, UnavailableTextPerLanguage) {
  auto config = config_from(kTextsYaml);
  ManualClock clock(t0());  // Monday: `closed` is shut
  Hub hub(config, clock);
  auto probe = [&](const std::string& language) {
    auto e = std::get<HandoffSubmitted>(in_language("c", language, "Closed"));
    auto answer = hub.availability(e, clock.now());
    EXPECT_TRUE(answer.has_value());
    return answer ? answer->text : std::string("-");
  };
  EXPECT_EQ(probe("de-AT"), "closed ist geschlossen.");
  EXPECT_EQ(probe("en-GB"), "closed is closed.");
  EXPECT_EQ(probe("fr"), "closed is closed.");  // no French text, none built in: English
  auto decided = hub.handle(in_language("c9", "de", "Closed"));
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->size(), 1u);
  EXPECT_EQ(std::get<Unavailable>(decided->front()).text, "closed ist geschlossen.");
}

TEST(Texts, LanguageTags) {
  EXPECT_EQ(normalize_language("de_DE"), "de-de");
  EXPECT_EQ(primary_language("zh-hant-tw"), "zh");
  EXPECT_EQ(primary_language("fr"), "fr");
  for (const char* good : {"en", "de", "fr", "es", "it", "zh-hant-tw", "de-ch", "es-419", "zu"}) {
    EXPECT_TRUE(known_language(good)) << good;
  }
  // Not codes: unknown, across two codes of the list ("a a"), too long, empty subtags.
  for (const char* bad : {"", "xx", "e", "eng", "a ", "aa-", "de--ch", "de-toolongtag", "de ch",
                          "-de", "qq", "en-gb!"}) {
    EXPECT_FALSE(known_language(bad)) << bad;
  }
}

TEST(Texts, BuiltinsCoverEveryKindInEveryLanguage) {
  for (const char* language : {"en", "de", "fr", "es"}) {
    for (TextKind kind :
         {TextKind::kQueued, TextKind::kPosition, TextKind::kWaitingForAgent, TextKind::kJoined,
          TextKind::kTransferred, TextKind::kLeft, TextKind::kClosed}) {
      EXPECT_FALSE(builtin_text(kind, language).empty())
          << language << " " << static_cast<int>(kind);
    }
    EXPECT_TRUE(builtin_text(TextKind::kUnavailable, language).empty());
  }
  EXPECT_EQ(builtin_text(TextKind::kJoined, "it"), "");
  EXPECT_EQ(pick_text(LocalizedText{}, TextKind::kJoined, "IT"), "{agent} joined the chat.");
  LocalizedText en_only;
  en_only.by_language = {{"en", "{agent} is with you."}};
  EXPECT_EQ(pick_text(en_only, TextKind::kJoined, "it"), "{agent} is with you.");
  EXPECT_EQ(pick_text(en_only, TextKind::kJoined, "de"), "{agent} ist dem Chat beigetreten.");
}

}  // namespace
}  // namespace baton::hub::testing
