#pragma once
// The logic behind `baton nlu-eval`: measure the intent classifier on a data set in CLINC150's
// JSON layout (an object whose keys hold lists of [text, label] pairs).
//
// Protocol (the "oos-threshold" setting of Larson et al. 2019): train on the train list (no
// out-of-scope examples unless oos_train_key is set), pick the confidence threshold on val +
// oos_val only, then report on test + oos_test. Deterministic for a given seed.

#include <boost/json.hpp>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace baton::nlu {

struct EvalOptions {
  std::string data_path;  // JSON file in CLINC150's layout
  std::string train_key = "train";
  std::string val_key = "val";
  std::string test_key = "test";
  std::string oos_val_key = "oos_val";
  std::string oos_test_key = "oos_test";
  // When set, these out-of-scope examples are added to training under the label `oos_label`.
  std::optional<std::string> oos_train_key;
  std::string oos_label = "oos";
  std::size_t few_shot = 0;  // > 0: train on only this many examples per intent (sampled by seed)
  // > 0: simulate a small bot: keep only this many intents (sampled by seed); test and val
  // examples of the other intents then count as out of scope, like oos_test.
  std::size_t intents = 0;
  std::uint64_t seed = 1;
  std::string language = "en";
  bool lexicon = true;       // TrainOptions::lexicon
  bool word_vectors = true;  // TrainOptions::word_vectors
  // Evaluate at this threshold instead of picking one on val (e.g. the default, to check that
  // one threshold works across bots); nullopt picks it on val + oos_val.
  std::optional<double> threshold;
  std::size_t worst_pairs = 10;
  // Also report the test trade-off curve: in-scope accuracy and OOS recall at a range of
  // thresholds (for choosing and documenting the default threshold).
  bool curve = false;  // how many most-confused (expected, predicted) pairs to list
};

// Runs the evaluation and returns one JSON object: in_scope_accuracy, oos_recall, oos_precision,
// macro_f1 (over the intents plus out-of-scope as a class), threshold, default_threshold,
// train_seconds, predict_us_p50, predict_us_p99 (wall clock), train_cpu_seconds,
// predict_cpu_us_p50, predict_cpu_us_p99 (thread CPU time: robust on a busy machine), counts
// {train, val, oos_val, test, oos_test, intents}, closed_set_accuracy (top intent right, ignoring
// the threshold), worst_confusions [{expected, predicted, count}] and, unless options.lexicon is
// false, lexicon {load_seconds, load_cpu_seconds, and path, entries, memory_bytes or error}, and
// unless options.word_vectors is false, word_vectors {the same, with words for entries}.
// Accuracies are fractions in [0, 1]. Errors: kNotFound (file), kParse (not JSON), kInvalidArgument
// (missing key, bad entry, empty training set).
Result<boost::json::object> run_nlu_eval(const EvalOptions& options);

// For the CLI: runs the evaluation and writes the JSON object (pretty-printed, one line per key)
// to `out`, or a one-line error to `err`. Returns the process exit code (0 ok, 1 error).
int nlu_eval_command(const EvalOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baton::nlu
