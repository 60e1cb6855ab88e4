#pragma once
// What the customer is told by the hub and the engagement, per language: the queue texts
// (queued, position, waiting for an agent, unavailable) and the notices (an agent joined, a
// transfer, the agent left, the chat was closed). hub.yaml gives each text either as one string
// (every language, the form older files use) or as a map from language to string; what it
// leaves out comes from the built-in texts in English, German, French and Spanish. The YAML
// forms are documented for operators in docs/HUB.md ("Texts and languages").
//
// Plain values and pure functions: safe from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baton::hub {

// Every text the customer may be told. Placeholders: queue texts {position}, {wait}, {queue}
// (unavailable: {queue} only); joined and left {agent} (the agent's display name); transferred
// and closed none.
enum class TextKind {
  kQueued,
  kPosition,
  kWaitingForAgent,
  kUnavailable,
  kJoined,
  kTransferred,
  kLeft,
  kClosed,
};

// One text as hub.yaml gives it. Neither set: the built-in text of the customer's language.
struct LocalizedText {
  // The plain-string form: this text for every language (wins over the built-in texts).
  std::optional<std::string> any = {};
  // The map form: normalised language tag (normalize_language) → text, in file order.
  std::vector<std::pair<std::string, std::string>> by_language = {};

  // Sets the plain-string form (tests and built-in configurations).
  LocalizedText& operator=(std::string text) {
    any = std::move(text);
    by_language.clear();
    return *this;
  }
};

// The text of `kind` for a conversation in `language` (a BCP 47 tag such as "de-DE", any case,
// "_" taken as "-"; "" = English). The first that exists: the plain string; the map's entry for
// the whole tag ("de-ch"), then for its primary language ("de"); the built-in text of the primary
// language; the map's "en"; the built-in English text. "" only for kUnavailable, which has no
// built-in text (the bot's own text is said instead).
std::string pick_text(const LocalizedText& text, TextKind kind, std::string_view language);

// The built-in text of `kind` in `primary` ("en", "de", "fr", "es"); "" when there is none.
std::string_view builtin_text(TextKind kind, std::string_view primary);

// Lower-case ASCII, "_" → "-": "de_DE" → "de-de".
std::string normalize_language(std::string_view tag);

// Whether a normalised tag names a language: an ISO 639-1 code, optionally followed by subtags
// of 1..8 letters or digits ("en", "de-ch", "zh-hant-tw").
bool known_language(std::string_view normalized_tag);

// The primary language of a normalised tag: "de-ch" → "de".
std::string_view primary_language(std::string_view normalized_tag);

// The customer notices of hub.yaml's top-level `texts`.
struct NoticeTexts {
  LocalizedText joined = {};       // an agent got the conversation: "{agent} joined the chat."
  LocalizedText transferred = {};  // it left an agent for a queue or another agent
  LocalizedText left = {};         // the agent returned it to the bot: "{agent} left the chat."
  LocalizedText closed = {};       // the agent or a supervisor closed it
};

}  // namespace baton::hub
