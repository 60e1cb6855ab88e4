#pragma once
// Text normalisation shared by the classifier and the entity extractors.

#include <string>
#include <string_view>
#include <vector>

namespace baton::nlu {

// Unicode NFKC + case folding, invalid UTF-8 replaced, runs of whitespace collapsed, trimmed.
std::string normalize(std::string_view text);

// Splits normalised text into word tokens (letters/digits runs; apostrophes kept inside words).
std::vector<std::string> tokenize(std::string_view normalized);

}  // namespace baton::nlu
