// nlu-eval: CLINC150-style evaluation of the intent classifier.
#include "nlu/eval.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <sstream>

#include "core/json.hpp"
#include "nlu/classifier.hpp"
#include "nlu/thesaurus.hpp"
#include "nlu/word_vectors.hpp"

namespace baton::nlu {
namespace {

namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

Result<std::vector<Example>> read_list(const bj::object& root, const std::string& key) {
  const bj::value* v = root.if_contains(key);
  if (v == nullptr || !v->is_array()) {
    return make_error(ErrorCode::kInvalidArgument, "data has no list under key \"" + key + "\"");
  }
  std::vector<Example> out;
  for (const auto& item : v->get_array()) {
    const bj::array* pair = item.if_array();
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() ||
        !(*pair)[1].is_string()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "entry " + std::to_string(out.size()) + " of \"" + key +
                            "\" is not a [text, label] pair of strings");
    }
    out.push_back({std::string((*pair)[0].get_string()), std::string((*pair)[1].get_string())});
  }
  return out;
}

// K examples per label, sampled by seed, labels in order of first appearance.
std::vector<Example> few_shot(const std::vector<Example>& train, std::size_t k,
                              std::uint64_t seed) {
  std::map<std::string, std::vector<Example>> by_label;
  std::vector<std::string> order;
  for (const auto& ex : train) {
    auto& list = by_label[ex.label];
    if (list.empty()) {
      order.push_back(ex.label);
    }
    list.push_back(ex);
  }
  std::mt19937_64 rng(seed);
  std::vector<Example> out;
  for (const auto& label : order) {
    auto& list = by_label[label];
    std::shuffle(list.begin(), list.end(), rng);
    for (std::size_t i = 0; i < std::min(k, list.size()); ++i) {
      out.push_back(list[i]);
    }
  }
  return out;
}

struct Scored {
  std::string expected;   // oos label for out-of-scope
  std::string predicted;  // top label regardless of threshold ("" when nothing ranked)
  double confidence = 0.0;
};

// CPU time of the calling thread, in microseconds: on a shared machine wall time includes
// preemption by other processes, which says nothing about the classifier.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Timings {
  std::vector<double> wall_us;
  std::vector<double> cpu_us;
};

// Classifies every example. With --oos-train the model has an out-of-scope class: predicting it
// is a rejection whatever the threshold (confidence -1).
std::vector<Scored> score(const IntentClassifier& clf, const std::vector<Example>& examples,
                          const std::string& oos_label, Timings* timings) {
  std::vector<Scored> out;
  out.reserve(examples.size());
  for (const auto& ex : examples) {
    const auto start = Clock::now();
    const double cpu_start = thread_cpu_us();
    const Classification c = clf.classify(ex.text);
    if (timings != nullptr) {
      timings->cpu_us.push_back(thread_cpu_us() - cpu_start);
      timings->wall_us.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    Scored s{ex.label, "", 0.0};
    if (!c.ranked.empty()) {
      s.predicted = c.ranked.front().label;
      s.confidence = s.predicted == oos_label ? -1.0 : c.ranked.front().confidence;
    }
    out.push_back(std::move(s));
  }
  return out;
}

struct Rates {
  double in_scope_accuracy = 0.0;
  double oos_recall = 0.0;
};

Rates rates(const std::vector<Scored>& in, const std::vector<Scored>& oos, double t) {
  std::size_t correct = 0;
  for (const auto& s : in) {
    correct += (s.confidence >= t && s.predicted == s.expected) ? 1 : 0;
  }
  std::size_t rejected = 0;
  for (const auto& s : oos) {
    rejected += s.confidence < t ? 1 : 0;
  }
  return {in.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(in.size()),
          oos.empty() ? 0.0 : static_cast<double>(rejected) / static_cast<double>(oos.size())};
}

// The threshold maximising accuracy over all validation queries, out-of-scope counted as one
// more class (CLINC150's oos-threshold protocol: 3,000 in-scope and 100 out-of-scope queries).
// Ties go to the lowest threshold.
double pick_threshold(const std::vector<Scored>& in, const std::vector<Scored>& oos) {
  std::set<double> candidates{0.0};
  for (const auto* list : {&in, &oos}) {
    for (const auto& s : *list) {
      candidates.insert(s.confidence);
    }
  }
  double best_t = 0.0;
  double best = -1.0;
  for (const double t : candidates) {
    const Rates r = rates(in, oos, t);
    const double n_in = static_cast<double>(in.size());
    const double n_oos = static_cast<double>(oos.size());
    const double objective = (r.in_scope_accuracy * n_in + r.oos_recall * n_oos) / (n_in + n_oos);
    if (objective > best + 1e-12) {
      best = objective;
      best_t = t;
    }
  }
  return best_t;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) {
    return 0.0;
  }
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::lround(q * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}

// Macro F1 over the intents plus out-of-scope, with rejection predicting out-of-scope.
double macro_f1(const std::vector<Scored>& all, double t, const std::string& oos_label) {
  std::map<std::string, std::array<std::size_t, 3>> counts;  // tp, fp, fn
  for (const auto& s : all) {
    const std::string predicted = s.confidence >= t ? s.predicted : oos_label;
    if (predicted == s.expected) {
      ++counts[predicted][0];
    } else {
      ++counts[predicted][1];
      ++counts[s.expected][2];
    }
  }
  double sum = 0.0;
  for (const auto& [label, c] : counts) {
    const double denom = 2.0 * static_cast<double>(c[0]) + static_cast<double>(c[1] + c[2]);
    sum += denom == 0.0 ? 0.0 : 2.0 * static_cast<double>(c[0]) / denom;
  }
  return counts.empty() ? 0.0 : sum / static_cast<double>(counts.size());
}

bj::array worst_confusions(const std::vector<Scored>& in, std::size_t n) {
  std::map<std::pair<std::string, std::string>, std::size_t> pairs;
  for (const auto& s : in) {
    if (!s.predicted.empty() && s.predicted != s.expected) {
      ++pairs[{s.expected, s.predicted}];
    }
  }
  std::vector<std::pair<std::pair<std::string, std::string>, std::size_t>> sorted(pairs.begin(),
                                                                                  pairs.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  bj::array out;
  for (std::size_t i = 0; i < std::min(n, sorted.size()); ++i) {
    out.push_back(bj::object{{"expected", sorted[i].first.first},
                             {"predicted", sorted[i].first.second},
                             {"count", sorted[i].second}});
  }
  return out;
}

struct Data {
  std::vector<Example> train, val, test, oos_val, oos_test, oos_train;
};

Result<Data> load(const EvalOptions& o) {
  std::ifstream file(o.data_path, std::ios::binary);
  if (!file) {
    return make_error(ErrorCode::kNotFound, "cannot open " + o.data_path);
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  auto parsed = json::parse(buffer.str());
  if (!parsed) {
    return parsed.error();
  }
  if (!parsed->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, o.data_path + ": top level is not an object");
  }
  const bj::object& root = parsed->get_object();
  Data d;
  std::vector<Example>* targets[] = {&d.train, &d.val, &d.test, &d.oos_val, &d.oos_test};
  const std::string* keys[] = {&o.train_key, &o.val_key, &o.test_key, &o.oos_val_key,
                               &o.oos_test_key};
  for (int i = 0; i < 5; ++i) {
    auto list = read_list(root, *keys[i]);
    if (!list) {
      return list.error();
    }
    *targets[i] = std::move(*list);
  }
  if (o.oos_train_key) {
    auto list = read_list(root, *o.oos_train_key);
    if (!list) {
      return list.error();
    }
    d.oos_train = std::move(*list);
  }
  for (auto* oos : {&d.oos_val, &d.oos_test, &d.oos_train}) {
    for (auto& ex : *oos) {
      ex.label = o.oos_label;
    }
  }
  return d;
}

// Keeps `n` intents sampled by seed; val/test examples of dropped intents become out-of-scope.
void restrict_intents(Data& d, const EvalOptions& o) {
  std::set<std::string> labels;
  for (const auto& ex : d.train) {
    labels.insert(ex.label);
  }
  std::vector<std::string> all(labels.begin(), labels.end());
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL);
  std::shuffle(all.begin(), all.end(), rng);
  const std::set<std::string> kept(
      all.begin(), all.begin() + static_cast<long>(std::min(o.intents, all.size())));
  auto split = [&](std::vector<Example>& in, std::vector<Example>& oos) {
    std::vector<Example> keep;
    for (auto& ex : in) {
      if (kept.contains(ex.label)) {
        keep.push_back(std::move(ex));
      } else {
        oos.push_back({std::move(ex.text), o.oos_label});
      }
    }
    in = std::move(keep);
  };
  std::erase_if(d.train, [&](const Example& ex) { return !kept.contains(ex.label); });
  split(d.val, d.oos_val);
  split(d.test, d.oos_test);
}

}  // namespace

namespace {

// Accuracy, rejection and F1 figures on the test lists at threshold t.
void add_metrics(bj::object& out, const std::vector<Scored>& test,
                 const std::vector<Scored>& oos_test, double t, const std::string& oos_label) {
  const Rates r = rates(test, oos_test, t);
  std::size_t rejected = 0;
  std::size_t rejected_oos = 0;
  for (const auto* list : {&test, &oos_test}) {
    for (const auto& s : *list) {
      if (s.confidence < t) {
        ++rejected;
        rejected_oos += s.expected == oos_label ? 1 : 0;
      }
    }
  }
  std::vector<Scored> all(test);
  all.insert(all.end(), oos_test.begin(), oos_test.end());
  out["in_scope_accuracy"] = r.in_scope_accuracy;
  out["oos_recall"] = r.oos_recall;
  out["oos_precision"] =
      rejected == 0 ? 0.0 : static_cast<double>(rejected_oos) / static_cast<double>(rejected);
  out["macro_f1"] = macro_f1(all, t, oos_label);
  out["threshold"] = t;
}

bj::array tradeoff_curve(const std::vector<Scored>& test, const std::vector<Scored>& oos_test) {
  bj::array curve;
  for (int i = 0; i <= 40; ++i) {
    const double t = i / 40.0;
    const Rates r = rates(test, oos_test, t);
    curve.push_back(bj::array{t, r.in_scope_accuracy, r.oos_recall});
  }
  return curve;
}

}  // namespace

Result<bj::object> run_nlu_eval(const EvalOptions& o) {
  auto loaded = load(o);
  if (!loaded) {
    return loaded.error();
  }
  Data& d = *loaded;
  if (o.intents > 0) {
    restrict_intents(d, o);
  }
  std::vector<Example> train = o.few_shot > 0 ? few_shot(d.train, o.few_shot, o.seed) : d.train;
  std::set<std::string> intents;
  for (const auto& ex : train) {
    intents.insert(ex.label);
  }
  train.insert(train.end(), d.oos_train.begin(), d.oos_train.end());
  if (train.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "no training examples");
  }
  // The lexicon is loaded once per process, before training, so that its cost is reported on its
  // own rather than inside the training time.
  bj::object lexicon;
  if (o.lexicon) {
    const auto l0 = Clock::now();
    const double lcpu0 = thread_cpu_us();
    const Thesaurus* thesaurus = lexicon_for(o.language);
    lexicon["load_seconds"] = std::chrono::duration<double>(Clock::now() - l0).count();
    lexicon["load_cpu_seconds"] = (thread_cpu_us() - lcpu0) / 1e6;
    if (thesaurus != nullptr) {
      lexicon["path"] = lexicon_path(o.language);
      lexicon["entries"] = thesaurus->entries();
      lexicon["memory_bytes"] = thesaurus->memory_bytes();
    } else {
      lexicon["error"] = lexicon_status(o.language).error().message;
    }
  }
  bj::object vectors;
  if (o.word_vectors) {
    const auto v0 = Clock::now();
    const double vcpu0 = thread_cpu_us();
    const WordVectors* wv = word_vectors_for(o.language);
    vectors["load_seconds"] = std::chrono::duration<double>(Clock::now() - v0).count();
    vectors["load_cpu_seconds"] = (thread_cpu_us() - vcpu0) / 1e6;
    if (wv != nullptr) {
      vectors["path"] = word_vectors_path(o.language);
      vectors["words"] = wv->size();
      vectors["memory_bytes"] = wv->memory_bytes();
    } else {
      vectors["error"] = word_vectors_status(o.language).error().message;
    }
  }
  TrainOptions topts;
  topts.language = o.language;
  topts.lexicon = o.lexicon;
  topts.word_vectors = o.word_vectors;
  topts.seed = o.seed;
  topts.max_ranked = 1;
  const auto t0 = Clock::now();
  const double cpu0 = thread_cpu_us();
  const auto clf = train_classifier(train, topts);
  const double train_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double train_cpu_seconds = (thread_cpu_us() - cpu0) / 1e6;

  const auto val = score(*clf, d.val, o.oos_label, nullptr);
  const auto oos_val = score(*clf, d.oos_val, o.oos_label, nullptr);
  const double t = o.threshold.value_or(pick_threshold(val, oos_val));
  Timings timings;
  const auto test = score(*clf, d.test, o.oos_label, &timings);
  const auto oos_test = score(*clf, d.oos_test, o.oos_label, &timings);
  bj::object out;
  add_metrics(out, test, oos_test, t, o.oos_label);
  out["default_threshold"] = clf->threshold();
  out["train_seconds"] = train_seconds;
  out["train_cpu_seconds"] = train_cpu_seconds;
  out["predict_us_p50"] = percentile(timings.wall_us, 0.5);
  out["predict_us_p99"] = percentile(timings.wall_us, 0.99);
  out["predict_cpu_us_p50"] = percentile(timings.cpu_us, 0.5);
  out["predict_cpu_us_p99"] = percentile(timings.cpu_us, 0.99);
  out["counts"] = bj::object{{"train", train.size()},         {"val", d.val.size()},
                             {"oos_val", d.oos_val.size()},   {"test", d.test.size()},
                             {"oos_test", d.oos_test.size()}, {"intents", intents.size()}};
  out["closed_set_accuracy"] = rates(test, {}, 0.0).in_scope_accuracy;
  if (o.lexicon) {
    out["lexicon"] = lexicon;
  }
  if (o.word_vectors) {
    out["word_vectors"] = vectors;
  }
  out["worst_confusions"] = worst_confusions(test, o.worst_pairs);
  if (o.curve) {
    out["curve"] = tradeoff_curve(test, oos_test);
  }
  return out;
}

namespace {

// JSON with doubles as plain decimals ("0.9169", not "9.169E-1"): the output is read by people.
void write_json(std::ostream& out, const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::double_: {
      char buf[32];
      (void)std::snprintf(buf, sizeof buf, "%.6g", v.get_double());
      out << buf;
      break;
    }
    case bj::kind::array: {
      out << "[";
      bool first = true;
      for (const auto& item : v.get_array()) {
        out << (first ? "" : ", ");
        write_json(out, item);
        first = false;
      }
      out << "]";
      break;
    }
    case bj::kind::object: {
      out << "{";
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        out << (first ? "" : ", ") << bj::serialize(bj::value(bj::string_view(key))) << ": ";
        write_json(out, item);
        first = false;
      }
      out << "}";
      break;
    }
    default:
      out << bj::serialize(v);
  }
}

}  // namespace

int nlu_eval_command(const EvalOptions& options, std::ostream& out, std::ostream& err) {
  auto result = run_nlu_eval(options);
  if (!result) {
    err << "nlu-eval: " << result.error().message << "\n";
    return 1;
  }
  out << "{\n";
  bool first = true;
  for (const auto& [key, value] : *result) {
    out << (first ? "" : ",\n") << "  " << bj::serialize(bj::value(bj::string_view(key))) << ": ";
    write_json(out, value);
    first = false;
  }
  out << "\n}\n";
  return 0;
}

}  // namespace baton::nlu
