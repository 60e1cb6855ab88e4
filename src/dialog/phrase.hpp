#pragma once
// Internal to dialog: the comparison key of short fixed phrases (cancel phrases, quick-reply
// texts, topic names), so "Cancel!", " cancel " and "CANCEL" compare equal.

#include <string>
#include <string_view>

namespace baton::dialog {

// ASCII lower-case, whitespace runs collapsed to one space, trimmed, trailing . ! ? removed.
// Bytes ≥ 0x80 are kept as they are (no Unicode folding: these are exact-phrase matches; the
// classifier does the fuzzy matching).
std::string fold_phrase(std::string_view text);

}  // namespace baton::dialog
