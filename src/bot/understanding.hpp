#pragma once
// How well a bot's topics can be told apart from their trigger phrases: the warnings `baton check`
// adds for a bot that loads (docs/AUTHORING.md, "Trigger phrases"), and the examples
// `baton nlu-eval --bot` evaluates.

#include <vector>

#include "bot/model.hpp"
#include "bot/source.hpp"
#include "nlu/classifier.hpp"

namespace baton::bot {

// Below this many trigger phrases a topic gets a "too few phrases" warning.
inline constexpr std::size_t kMinTriggerPhrases = 3;
// Two phrases of one topic at least this similar are near-duplicates.
inline constexpr double kNearDuplicateSimilarity = 0.9;
// Two phrases of different topics at least this similar make the topics confusable.
inline constexpr double kConfusableSimilarity = 0.6;

// The (trigger phrase, topic name) pairs of every topic with triggers, in topic order, built-in
// system topics included (the runtime also trains its default escalation phrases, which these
// leave out). `locs`, when given, receives where each phrase is written (the topic's location
// for built-in topics, whose line is 0).
std::vector<nlu::Example> trigger_examples(const Bot& bot, std::vector<SourceLoc>* locs = nullptr);

// Warnings, never errors, at the trigger phrase concerned (phrases of built-in topics are never
// blamed): the bot's language has a thesaurus (nlu::lexicon_path) that cannot be read; a topic with
// fewer than kMinTriggerPhrases phrases; near-duplicate phrases within a topic; topics with
// confusable phrases (the pairs and their similarity, at most 3 per topic pair); a phrase that a
// model trained without it (nlu::cross_validate) recognises as another topic. Deterministic. Cost:
// about ten trainings of the bot's classifier.
Diagnostics understanding_warnings(const Bot& bot);

}  // namespace baton::bot
