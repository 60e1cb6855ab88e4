#pragma once
// Loading and validating a bot from YAML: one file, or a directory whose *.yaml / *.yml files are
// read in name order and merged (one holds `bot:`; topics may be spread over many files).
//
// Every problem is a Diagnostic with file:line:col. Errors: YAML syntax, unknown keys or node
// types, missing or mistyped fields, duplicate topics, redirect/cancel_intent to an unknown topic,
// variables used but never set, bad expressions or templates, bad entity types or regexes, choice
// questions without choices. Warnings: unreachable nodes (after end_topic, redirect to a topic that
// always ends the conversation, ...), topics with no trigger phrases that nothing redirects to.
// Loading never throws and never crashes on any input bytes.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "bot/model.hpp"
#include "bot/source.hpp"

namespace baton::bot {

struct LoadResult {
  std::optional<Bot> bot;  // set when there is no error (warnings allowed)
  Diagnostics diagnostics;
};

LoadResult load_bot(const std::filesystem::path& path);

// Loads from text; `file_name` is used in diagnostics.
LoadResult load_bot_from_string(std::string_view yaml, const std::string& file_name);

}  // namespace baton::bot
