// Standalone driver for the NLU evaluation while the CLI wiring lands:
//   nlu_eval --data FILE.json [--few-shot K] [--intents N] [--seed S] [--oos-train KEY]
//            [--language L] [--lexicon 0|1] [--vectors 0|1] [--threshold T] [--train-key K]
//            [--val-key K]
//            [--test-key K]
//            [--oos-val-key K] [--oos-test-key K]
#include <iostream>
#include <string>
#include <string_view>

#include "nlu/eval.hpp"

int main(int argc, char** argv) {
  baton::nlu::EvalOptions o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--data") {
      o.data_path = value;
    } else if (flag == "--few-shot") {
      o.few_shot = std::stoul(value);
    } else if (flag == "--intents") {
      o.intents = std::stoul(value);
    } else if (flag == "--seed") {
      o.seed = std::stoull(value);
    } else if (flag == "--oos-train") {
      o.oos_train_key = value;
    } else if (flag == "--lexicon") {
      o.lexicon = value != "0";
    } else if (flag == "--vectors") {
      o.word_vectors = value != "0";
    } else if (flag == "--language") {
      o.language = value;
    } else if (flag == "--threshold") {
      o.threshold = std::stod(value);
    } else if (flag == "--curve") {
      o.curve = value == "1";
    } else if (flag == "--train-key") {
      o.train_key = value;
    } else if (flag == "--val-key") {
      o.val_key = value;
    } else if (flag == "--test-key") {
      o.test_key = value;
    } else if (flag == "--oos-val-key") {
      o.oos_val_key = value;
    } else if (flag == "--oos-test-key") {
      o.oos_test_key = value;
    } else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  return baton::nlu::nlu_eval_command(o, std::cout, std::cerr);
}
