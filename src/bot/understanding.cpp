// Trigger-phrase warnings for `baton check` (see understanding.hpp).
#include "bot/understanding.hpp"

#include <fmt/format.h>

#include <map>
#include <string>
#include <utility>

#include "nlu/authoring.hpp"
#include "nlu/thesaurus.hpp"
#include "nlu/word_vectors.hpp"

namespace baton::bot {
namespace {

// At most this many phrase pairs are quoted per pair of confusable topics.
constexpr std::size_t kPairsQuoted = 3;

bool authored(const SourceLoc& loc) { return loc.line > 0; }

}  // namespace

std::vector<nlu::Example> trigger_examples(const Bot& bot, std::vector<SourceLoc>* locs) {
  std::vector<nlu::Example> out;
  for (const auto& topic : bot.topics) {
    for (std::size_t i = 0; i < topic.triggers.size(); ++i) {
      out.push_back({topic.triggers[i], topic.name});
      if (locs != nullptr) {
        locs->push_back(i < topic.trigger_locs.size() ? topic.trigger_locs[i]
                                                      : SourceLoc{topic.loc.file, 0, 0});
      }
    }
  }
  return out;
}

Diagnostics understanding_warnings(const Bot& bot) {
  Diagnostics out;
  auto warn = [&](const SourceLoc& loc, std::string message) {
    out.push_back({Severity::kWarning, loc, std::move(message)});
  };
  for (const auto& topic : bot.topics) {
    if (!topic.triggers.empty() && !topic.trigger_locs.empty() &&
        topic.triggers.size() < kMinTriggerPhrases) {
      warn(topic.trigger_locs.front(),
           fmt::format("topic '{}' has {} trigger phrase{}: give it at least {} different "
                       "wordings (5-10 are recognised best)",
                       topic.name, topic.triggers.size(), topic.triggers.size() == 1 ? "" : "s",
                       kMinTriggerPhrases));
    }
  }
  std::vector<SourceLoc> locs;
  const auto examples = trigger_examples(bot, &locs);
  if (examples.empty()) {
    return out;
  }
  if (!nlu::lexicon_path(bot.language).empty()) {
    if (const Status lexicon = nlu::lexicon_status(bot.language); !lexicon.ok()) {
      warn(bot.loc, fmt::format("trigger phrases are matched without synonyms: {}",
                                lexicon.error().message));
    }
  }
  if (!nlu::word_vectors_path(bot.language).empty()) {
    if (const Status vectors = nlu::word_vectors_status(bot.language); !vectors.ok()) {
      warn(bot.loc, fmt::format("trigger phrases are matched without word vectors: {}",
                                vectors.error().message));
    }
  }

  const auto pairs = nlu::similar_phrases(
      examples, bot.language, std::min(kNearDuplicateSimilarity, kConfusableSimilarity));
  // (topic a, topic b) in example order → its most similar phrase pairs
  std::map<std::pair<std::string, std::string>, std::vector<nlu::PhrasePair>> confusable;
  std::vector<std::pair<std::string, std::string>> confusable_order;
  for (const auto& p : pairs) {
    const auto& a = examples[p.a];
    const auto& b = examples[p.b];
    if (a.label == b.label) {
      if (p.similarity >= kNearDuplicateSimilarity && authored(locs[p.b])) {
        warn(locs[p.b], fmt::format("trigger phrase \"{}\" of topic '{}' is a near-duplicate of "
                                    "\"{}\" (similarity {:.2f}): a different wording teaches more",
                                    b.text, b.label, a.text, p.similarity));
      }
      continue;
    }
    if (p.similarity < kConfusableSimilarity || (!authored(locs[p.a]) && !authored(locs[p.b]))) {
      continue;
    }
    auto [it, added] = confusable.try_emplace({a.label, b.label});
    if (added) {
      confusable_order.push_back(it->first);
    }
    if (it->second.size() < kPairsQuoted) {
      it->second.push_back(p);
    }
  }
  for (const auto& key : confusable_order) {
    const auto& quoted = confusable[key];
    std::string list;
    for (const auto& p : quoted) {
      list += fmt::format("{}\"{}\" ~ \"{}\" ({:.2f})", list.empty() ? "" : ", ",
                          examples[p.a].text, examples[p.b].text, p.similarity);
    }
    const auto& first = quoted.front();
    const SourceLoc& at = authored(locs[first.b]) ? locs[first.b] : locs[first.a];
    warn(at, fmt::format("topics '{}' and '{}' are confusable: {}", key.first, key.second, list));
  }

  nlu::TrainOptions options;
  options.language = bot.language;
  if (bot.settings.confidence_threshold >= 0) {
    options.threshold = bot.settings.confidence_threshold;
  }
  const auto cv = nlu::cross_validate(examples, options);
  for (std::size_t i = 0; i < examples.size(); ++i) {
    const auto& p = cv.predictions[i];
    if (authored(locs[i]) && p.in_scope && p.predicted != examples[i].label) {
      warn(locs[i], fmt::format("trigger phrase \"{}\" of topic '{}' is recognised as topic '{}' "
                                "(confidence {:.2f}) by a model trained without it",
                                examples[i].text, examples[i].label, p.predicted, p.confidence));
    }
  }
  return out;
}

}  // namespace baton::bot
