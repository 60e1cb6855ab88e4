#pragma once
// Reading hub.yaml's texts (internal to the hub's config loader): one text as a string or a map
// from language to string, its placeholders checked. The forms are documented in docs/HUB.md.

#include <yaml-cpp/yaml.h>

#include <span>
#include <string>
#include <string_view>

#include "bot/source.hpp"
#include "hub/texts.hpp"

namespace baton::hub::detail {

// Reads `node` (a string, or a mapping of language tags to strings) into `out`, replacing what
// was there. Each problem is appended to `diagnostics` at its node (file `file`): not a string
// or mapping, an unknown or repeated language, a text that is not a string, a placeholder not in
// `placeholders` (names without braces). On an error `out` keeps its former value.
void load_localized_text(const YAML::Node& node, std::span<const std::string_view> placeholders,
                         const std::string& file, LocalizedText& out,
                         bot::Diagnostics& diagnostics);

}  // namespace baton::hub::detail
