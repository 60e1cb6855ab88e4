#include "hub/texts.hpp"

#include <algorithm>
#include <array>

namespace baton::hub {
namespace {

// ISO 639-1, two letters each, space-separated.
constexpr std::string_view kIso639_1 =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

struct Builtin {
  std::string_view language;
  std::array<std::string_view, 8> texts;  // indexed by TextKind
};

// The built-in texts, in TextKind order: queued, position, waiting_for_agent, unavailable (none),
// joined, transferred, left, closed.
constexpr Builtin kBuiltins[] = {
    {"en",
     {"You are number {position} in the queue. Estimated wait: {wait} min.",
      "You are now number {position} in the queue. Estimated wait: {wait} min.",
      "No agent is available right now. When one becomes available, we'll connect you.", "",
      "{agent} joined the chat.", "Please wait while I transfer you.", "{agent} left the chat.",
      "This chat has been closed. Thank you!"}},
    {"de",
     {"Sie sind Nummer {position} in der Warteschlange. Geschätzte Wartezeit: {wait} Min.",
      "Sie sind jetzt Nummer {position} in der Warteschlange. Geschätzte Wartezeit: {wait} Min.",
      "Gerade ist niemand verfügbar. Sobald ein Mitarbeiter frei wird, verbinden wir Sie.", "",
      "{agent} ist dem Chat beigetreten.", "Einen Moment bitte, ich verbinde Sie weiter.",
      "{agent} hat den Chat verlassen.", "Dieser Chat wurde beendet. Vielen Dank!"}},
    {"fr",
     {"Vous êtes numéro {position} dans la file d'attente. Attente estimée : {wait} min.",
      "Vous êtes maintenant numéro {position} dans la file d'attente. Attente estimée : {wait} "
      "min.",
      "Aucun conseiller n'est disponible pour le moment. Nous vous mettrons en relation dès "
      "qu'un conseiller se libère.",
      "", "{agent} a rejoint la conversation.", "Veuillez patienter, je vous transfère.",
      "{agent} a quitté la conversation.", "Cette conversation est terminée. Merci !"}},
    {"es",
     {"Es el número {position} en la cola. Tiempo de espera estimado: {wait} min.",
      "Ahora es el número {position} en la cola. Tiempo de espera estimado: {wait} min.",
      "No hay ningún agente disponible en este momento. Le conectaremos en cuanto haya uno "
      "disponible.",
      "", "{agent} se ha unido al chat.", "Espere un momento, por favor; le estoy transfiriendo.",
      "{agent} ha salido del chat.", "Este chat se ha cerrado. ¡Gracias!"}},
};

const std::string* find_in(const LocalizedText& text, std::string_view language) {
  for (const auto& [tag, value] : text.by_language) {
    if (tag == language) {
      return &value;
    }
  }
  return nullptr;
}

bool subtag_char(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

}  // namespace

std::string normalize_language(std::string_view tag) {
  std::string out(tag);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') {
      ch = static_cast<char>(ch - 'A' + 'a');
    } else if (ch == '_') {
      ch = '-';
    }
  }
  return out;
}

std::string_view primary_language(std::string_view normalized_tag) {
  return normalized_tag.substr(0, normalized_tag.find('-'));
}

bool known_language(std::string_view normalized_tag) {
  const std::string_view primary = primary_language(normalized_tag);
  if (primary.size() != 2 || !subtag_char(primary[0]) || !subtag_char(primary[1]) ||
      kIso639_1.find(primary) == std::string_view::npos ||
      kIso639_1.find(primary) % 3 != 0) {  // aligned on a code, not across two
    return false;
  }
  std::string_view rest = normalized_tag.substr(primary.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '-'
    const std::size_t end = std::min(rest.find('-'), rest.size());
    const std::string_view subtag = rest.substr(0, end);
    if (subtag.empty() || subtag.size() > 8 ||
        !std::all_of(subtag.begin(), subtag.end(), subtag_char)) {
      return false;
    }
    rest.remove_prefix(end);
  }
  return true;
}

std::string_view builtin_text(TextKind kind, std::string_view primary) {
  for (const Builtin& b : kBuiltins) {
    if (b.language == primary) {
      return b.texts[static_cast<std::size_t>(kind)];
    }
  }
  return {};
}

std::string pick_text(const LocalizedText& text, TextKind kind, std::string_view language) {
  if (text.any) {
    return *text.any;
  }
  const std::string tag = normalize_language(language);
  const std::string_view primary = primary_language(tag);
  if (const std::string* s = find_in(text, tag)) {
    return *s;
  }
  if (const std::string* s = find_in(text, primary)) {
    return *s;
  }
  if (std::string_view s = builtin_text(kind, primary); !s.empty()) {
    return std::string(s);
  }
  if (const std::string* s = find_in(text, "en")) {
    return *s;
  }
  return std::string(builtin_text(kind, "en"));
}

}  // namespace baton::hub
