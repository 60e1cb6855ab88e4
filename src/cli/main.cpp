// `baton`: the one program. Subcommands: check, chat, serve, nlu-eval.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bot/check.hpp"
#include "cli/chat.hpp"
#include "cli/serve.hpp"
#include "core/clock.hpp"
#include "nlu/eval.hpp"

namespace {

int check_command(const std::vector<std::string>& paths) {
  return baton::bot::run_check(paths, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Baton: a virtual agent with live-agent handoff", "baton"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "baton 0.1.0");

  std::vector<std::string> check_paths;
  auto* check = app.add_subcommand("check", "Validate bot definitions (files or directories)");
  check->add_option("paths", check_paths, "Bot YAML files or directories")->required();

  baton::cli::ChatOptions chat_options;
  std::string start_time;
  auto* chat = app.add_subcommand("chat", "Chat with a bot in the terminal (the test canvas)");
  chat->add_option("path", chat_options.bot_path, "Bot YAML file or directory")->required();
  chat->add_flag("--json", chat_options.json,
                 "Read lines from stdin, write every activity as one JSON object per line");
  chat->add_option("--user-id", chat_options.user_id, "The customer's id");
  chat->add_option("--user-name", chat_options.user_name, "The customer's name");
  chat->add_option("--channel", chat_options.channel_id, "Channel id of the conversation");
  chat->add_option("--now", start_time, "Fixed start time (ISO-8601), for reproducible output");

  baton::nlu::EvalOptions eval;
  std::string oos_train;
  double threshold = -1;
  auto* nlu_eval =
      app.add_subcommand("nlu-eval", "Measure intent recognition on a CLINC150-layout data set");
  nlu_eval->add_option("--data", eval.data_path, "JSON file: lists of [text, label]")->required();
  nlu_eval->add_option("--train-key", eval.train_key, "Key of the training list");
  nlu_eval->add_option("--val-key", eval.val_key, "Key of the in-scope validation list");
  nlu_eval->add_option("--test-key", eval.test_key, "Key of the in-scope test list");
  nlu_eval->add_option("--oos-val-key", eval.oos_val_key,
                       "Key of the out-of-scope validation list");
  nlu_eval->add_option("--oos-test-key", eval.oos_test_key, "Key of the out-of-scope test list");
  nlu_eval->add_option("--oos-train", oos_train,
                       "Also train on this out-of-scope list (as a rejected class)");
  nlu_eval->add_option("--few-shot", eval.few_shot, "Train on only K examples per intent");
  nlu_eval->add_option("--intents", eval.intents, "Use only the first N intents (0 = all)");
  nlu_eval->add_option("--seed", eval.seed, "Seed for sampling and training");
  nlu_eval->add_option("--language", eval.language, "Language code for stemming and stop words");
  nlu_eval->add_option("--threshold", threshold, "Fixed threshold instead of tuning on validation");

  baton::cli::ServeOptions serve_options;
  std::string bot_path_text = serve_options.bot_path.string();
  std::string data_dir_text = serve_options.data_dir.string();
  auto* serve = app.add_subcommand("serve", "Run the Direct Line server (Web Chat, DirectLineJS)");
  serve->add_option("path", bot_path_text, "Bot YAML file or directory")->capture_default_str();
  serve->add_option("--listen", serve_options.listen, "HOST:PORT (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--data", data_dir_text, "Data directory (baton.db, uploads, secret)")
      ->capture_default_str();
  serve->add_option(
      "--secret", serve_options.secret,
      "Direct Line secret (default: $BATON_DIRECTLINE_SECRET or DATA/directline-secret)");
  serve->add_option("--threads", serve_options.threads, "I/O threads")->capture_default_str();
  serve->add_option("--sync", serve_options.sync, "SQLite synchronous: full | normal")
      ->capture_default_str();
  serve->add_option("--token-ttl", serve_options.token_ttl_seconds, "Token lifetime in seconds")
      ->capture_default_str();
  serve
      ->add_option("--rate-limit", serve_options.rate_limit_per_minute,
                   "Activities per minute per conversation")
      ->capture_default_str();
  serve->add_option("--log-level", serve_options.log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (nlu_eval->parsed()) {
    if (!oos_train.empty()) {
      eval.oos_train_key = oos_train;
    }
    if (threshold >= 0) {
      eval.threshold = threshold;
    }
    return baton::nlu::nlu_eval_command(eval, std::cout, std::cerr);
  }

  if (check->parsed()) {
    return check_command(check_paths);
  }
  if (chat->parsed()) {
    if (!start_time.empty()) {
      auto t = baton::parse_iso8601(start_time);
      if (!t) {
        std::cerr << "baton chat: --now: not an ISO-8601 time: " << start_time << '\n';
        return 2;
      }
      chat_options.start_time = *t;
    }
    return baton::cli::run_chat(chat_options, std::cin, std::cout, std::cerr);
  }
  if (serve->parsed()) {
    serve_options.bot_path = bot_path_text;
    serve_options.data_dir = data_dir_text;
    return baton::cli::run_serve(serve_options, std::cout, std::cerr);
  }
  return 0;
}
