// `baton`: the one program. Subcommands: check, chat, serve, nlu-eval, agent, store.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string_view>

#include "bot/check.hpp"
#include "bot/loader.hpp"
#include "bot/understanding.hpp"
#include "cli/agent.hpp"
#include "cli/chat.hpp"
#include "cli/data.hpp"
#include "cli/report.hpp"
#include "cli/serve.hpp"
#include "cli/store_migrate.hpp"
#include "cli/store_open.hpp"
#include "core/clock.hpp"
#include "nlu/authoring.hpp"
#include "nlu/eval.hpp"

namespace {

int check_command(const std::vector<std::string>& paths, bool strict) {
  return baton::bot::run_check(paths, std::cout, {.strict = strict});
}

// `baton nlu-eval --bot DIR`: every trigger phrase classified by a model trained without it.
int bot_eval_command(const std::string& path) {
  const auto loaded = baton::bot::load_bot(path);
  if (!loaded.bot) {
    for (const auto& d : loaded.diagnostics) {
      std::cerr << d.format() << '\n';
    }
    std::cerr << "nlu-eval: " << path << " does not load (run `baton check " << path << "`)\n";
    return 1;
  }
  const auto& bot = *loaded.bot;
  const auto examples = baton::bot::trigger_examples(bot);
  if (examples.empty()) {
    std::cerr << "nlu-eval: " << path << " has no trigger phrases\n";
    return 1;
  }
  baton::nlu::TrainOptions options;
  options.language = bot.language;
  if (bot.settings.confidence_threshold >= 0) {
    options.threshold = bot.settings.confidence_threshold;
  }
  std::cout << "bot " << bot.id << " (" << bot.language << "): ";
  baton::nlu::write_cross_validation(examples, baton::nlu::cross_validate(examples, options),
                                     std::cout);
  return 0;
}

// `baton agent add|list|remove|passwd|disable|enable`: the parsed flags, copied into AgentOptions
// after parsing.
struct AgentCommands {
  CLI::App* add = nullptr;
  CLI::App* list = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* passwd = nullptr;
  CLI::App* disable = nullptr;
  CLI::App* enable = nullptr;
  std::string data_dir = "data";
  std::string store;
  std::string id;
  std::string name, role, skills, capacity, password;
  CLI::Option* name_opt = nullptr;
  CLI::Option* role_opt = nullptr;
  CLI::Option* skills_opt = nullptr;
  CLI::Option* capacity_opt = nullptr;
  CLI::Option* add_password_opt = nullptr;
  CLI::Option* passwd_password_opt = nullptr;
  bool password_stdin = false;
  bool json = false;
};

void add_password_flags(CLI::App* command, AgentCommands& a, CLI::Option*& password) {
  password = command->add_option("--password", a.password,
                                 "The password (visible to other users of this machine: prefer "
                                 "standard input)");
  command
      ->add_flag("--password-stdin", a.password_stdin,
                 "Read the password as one line from standard input (the default)")
      ->excludes(password);
}

void add_agent_commands(CLI::App& app, AgentCommands& a) {
  auto* agent = app.add_subcommand("agent", "Manage the agents who log in to the console");
  agent->require_subcommand(1);
  a.add = agent->add_subcommand("add", "Add an agent (password from --password or stdin)");
  a.add->add_option("id", a.id, "Login id: 1-64 of A-Z a-z 0-9 . _ @ -")->required();
  a.name_opt = a.add->add_option("--name", a.name, "Display name (default: the id)");
  a.role_opt = a.add->add_option("--role", a.role, "agent | supervisor | admin (default: agent)");
  a.skills_opt = a.add->add_option("--skills", a.skills, "Comma-separated skills, e.g. billing,de");
  a.capacity_opt =
      a.add->add_option("--capacity", a.capacity, "Concurrent conversations, 1-1000 (default: 1)");
  add_password_flags(a.add, a, a.add_password_opt);
  a.list = agent->add_subcommand("list", "List the agents (never their passwords)");
  a.list->add_flag("--json", a.json, "A JSON array of {id, displayName, role, skills, capacity}");
  a.remove = agent->add_subcommand("remove", "Remove an agent");
  a.remove->add_option("id", a.id, "Login id")->required();
  a.passwd = agent->add_subcommand("passwd", "Change an agent's password");
  a.passwd->add_option("id", a.id, "Login id")->required();
  add_password_flags(a.passwd, a, a.passwd_password_opt);
  a.disable = agent->add_subcommand("disable", "Disable an agent: no login, no offers");
  a.disable->add_option("id", a.id, "Login id")->required();
  a.enable = agent->add_subcommand("enable", "Enable a disabled agent again");
  a.enable->add_option("id", a.id, "Login id")->required();
  for (CLI::App* command : {a.add, a.list, a.remove, a.passwd, a.disable, a.enable}) {
    command->add_option("--data", a.data_dir, "Data directory (baton.db)")->capture_default_str();
    command->add_option("--store", a.store, baton::cli::kStoreHelp)->envname(baton::cli::kStoreEnv);
  }
}

std::optional<std::string> if_given(const CLI::Option* option, const std::string& value) {
  if (option == nullptr || option->count() == 0) {
    return std::nullopt;
  }
  return value;
}

int run_agent_command(const AgentCommands& a) {
  baton::cli::AgentOptions options;
  options.data_dir = a.data_dir;
  options.store = a.store;
  options.id = a.id;
  options.name = if_given(a.name_opt, a.name);
  options.role = if_given(a.role_opt, a.role);
  options.skills = if_given(a.skills_opt, a.skills);
  options.capacity = if_given(a.capacity_opt, a.capacity);
  options.password = a.add->parsed() ? if_given(a.add_password_opt, a.password)
                                     : if_given(a.passwd_password_opt, a.password);
  options.password_stdin = a.password_stdin;
  options.json = a.json;
  if (a.add->parsed()) {
    return baton::cli::run_agent_add(options, std::cin, std::cout, std::cerr);
  }
  if (a.list->parsed()) {
    return baton::cli::run_agent_list(options, std::cout, std::cerr);
  }
  if (a.remove->parsed()) {
    return baton::cli::run_agent_remove(options, std::cout, std::cerr);
  }
  if (a.disable->parsed() || a.enable->parsed()) {
    return baton::cli::run_agent_set_disabled(options, a.disable->parsed(), std::cout, std::cerr);
  }
  return baton::cli::run_agent_passwd(options, std::cin, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Baton: a virtual agent with live-agent handoff", "baton"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "baton 0.1.0");

  std::vector<std::string> check_paths;
  bool strict = false;
  auto* check = app.add_subcommand("check", "Validate bot definitions (files or directories)");
  check->add_option("paths", check_paths, "Bot YAML files or directories")->required();
  check->add_flag("--strict", strict, "Treat warnings as errors (exit 1 on any)");

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
  std::string eval_bot;
  auto* nlu_eval = app.add_subcommand(
      "nlu-eval", "Measure intent recognition on a CLINC150-layout data set or a bot's phrases");
  auto* data_option =
      nlu_eval->add_option("--data", eval.data_path, "JSON file: lists of [text, label]");
  nlu_eval
      ->add_option("--bot", eval_bot,
                   "Bot YAML file or directory: classify each trigger phrase with a model "
                   "trained without it; per-topic accuracy and the most confused topics")
      ->excludes(data_option);
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
  serve->add_option("--store", serve_options.store, baton::cli::kStoreHelp)
      ->envname(baton::cli::kStoreEnv);
  serve->add_option(
      "--secret", serve_options.secret,
      "Direct Line secret (default: $BATON_DIRECTLINE_SECRET or DATA/directline-secret)");
  serve->add_option("--threads", serve_options.threads, "I/O threads")->capture_default_str();
  serve->add_option("--sync", serve_options.sync, "SQLite synchronous: full | normal")
      ->capture_default_str();
  serve
      ->add_option("--checkpoint-interval", serve_options.checkpoint_interval_ms,
                   "Milliseconds between WAL checkpoints")
      ->check(CLI::Range(10, 600000))
      ->capture_default_str();
  serve
      ->add_option("--checkpoint-pages", serve_options.checkpoint_pages,
                   "WAL size in pages that starts a checkpoint early")
      ->check(CLI::Range(64, 1 << 24))
      ->capture_default_str();
  serve
      ->add_option("--store-cache", serve_options.store_cache_kib,
                   "Page cache of the store's writer connection, KiB")
      ->check(CLI::Range(256, 1 << 22))
      ->capture_default_str();
  serve
      ->add_option("--store-group", serve_options.store_group,
                   "Batches per store transaction (group commit); 1 = one per batch")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  serve->add_option("--token-ttl", serve_options.token_ttl_seconds, "Token lifetime in seconds")
      ->capture_default_str();
  serve
      ->add_option("--rate-limit", serve_options.rate_limit_per_minute,
                   "Activities per minute per conversation")
      ->capture_default_str();
  serve
      ->add_option("--trusted-proxy", serve_options.trusted_proxies,
                   "Reverse proxy (address or network, e.g. 10.0.0.0/8) whose X-Forwarded-For "
                   "names the client; repeatable")
      ->allow_extra_args(false);
  serve->add_option("--log-level", serve_options.log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();
  serve->add_option("--bot-endpoint", serve_options.bot_endpoint,
                    "An external bot's endpoint (http://HOST:PORT/api/messages), overriding "
                    "bot.yaml's bot.endpoint (docs/EXTERNAL_BOTS.md)");
  serve->add_option("--public-url", serve_options.public_url,
                    "URL customers reach the server at, for attachment and stream links "
                    "(default: the listen address)");
  serve
      ->add_option("--max-connections", serve_options.max_connections,
                   "Connections at once (0: 90 % of the open-file limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--max-connections-per-address", serve_options.max_connections_per_address,
                   "Connections at once from one client address (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--retain", serve_options.retain,
                   "How long to keep what is stored, e.g. "
                   "conversations=90d,uploads=30d,handoffs=180d,audit=400d "
                   "(default: for ever)")
      ->envname("BATON_RETAIN");
  serve
      ->add_option("--retention-interval", serve_options.retention_interval,
                   "Time between retention sweeps (e.g. 1h, 10m)")
      ->capture_default_str();
  serve
      ->add_option("--session-timeout", serve_options.session_timeout,
                   "Analytics: a session ends after this long without activity (e.g. 30m)")
      ->envname("BATON_SESSION_TIMEOUT")
      ->capture_default_str();
  serve
      ->add_option("--session-rate-limit", serve_options.session_rate_limit_per_minute,
                   "Tokens and conversations created per client address and minute (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve
      ->add_option("--upload-quota", serve_options.upload_quota_bytes,
                   "Upload bytes per conversation (e.g. 64M)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--uploads-total", serve_options.uploads_total_bytes,
                   "Upload bytes in all (0: no limit)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--uploads-min-free", serve_options.uploads_min_free_bytes,
                   "Free disk space uploads must leave")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--disk-warning", serve_options.disk_warning_bytes,
                   "Warn when the data directory's free space falls below this (0: never)")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  serve
      ->add_option("--frame-ancestors", serve_options.frame_ancestors,
                   "Site allowed to show the test page in a frame (CSP source, e.g. "
                   "https://www.example.com); repeatable")
      ->allow_extra_args(false);
  serve
      ->add_option("--agent-origin", serve_options.agent_origins,
                   "Web origin, besides the server's own, allowed to open the agent stream; "
                   "repeatable")
      ->allow_extra_args(false);

  std::string metrics_token_file;
  serve
      ->add_option("--metrics-listen", serve_options.metrics_listen,
                   "HOST:PORT of a listener serving only GET /metrics (Prometheus), e.g. "
                   "127.0.0.1:9464 (default: none)")
      ->envname("BATON_METRICS_LISTEN");
  serve
      ->add_option("--metrics-token-file", metrics_token_file,
                   "Serve GET /metrics on the public listener to requests bearing the token in "
                   "this file (created with a random token when missing)")
      ->envname("BATON_METRICS_TOKEN_FILE");

  AgentCommands agent_commands;
  add_agent_commands(app, agent_commands);

  baton::cli::StoreMigrateOptions migrate_options;
  std::string migrate_from;
  auto* store_command = app.add_subcommand("store", "Manage the store");
  store_command->require_subcommand(1);
  auto* migrate = store_command->add_subcommand(
      "migrate", "Copy a SQLite deployment into PostgreSQL (stop `baton serve` on it first)");
  migrate->add_option("--from", migrate_from, "Data directory holding baton.db")->required();
  migrate->add_option("--to", migrate_options.to, "PostgreSQL connection string")->required();
  migrate->add_flag("--allow-non-empty", migrate_options.allow_non_empty,
                    "Copy even when the target database already holds rows");

  baton::cli::DataExportOptions export_options;
  std::string export_data_dir = "data";
  auto* data_command = app.add_subcommand("data", "A customer's data (privacy requests)");
  data_command->require_subcommand(1);
  auto* data_export = data_command->add_subcommand(
      "export", "Print one customer's data as one JSON document (audited)");
  data_export->add_option("--user", export_options.user_id, "The customer's user id")->required();
  data_export->add_option("--data", export_data_dir, "Data directory (baton.db, uploads/)")
      ->capture_default_str();
  data_export->add_option("--store", export_options.store, baton::cli::kStoreHelp)
      ->envname(baton::cli::kStoreEnv);
  baton::cli::DataEraseOptions erase_options;
  std::string erase_data_dir = "data";
  std::string erase_bot = serve_options.bot_path.string();
  auto* data_erase = data_command->add_subcommand(
      "erase",
      "Erase one customer's data (audited; stop `baton serve` on the data directory first)");
  data_erase->add_option("--user", erase_options.user_id, "The customer's user id")->required();
  data_erase->add_option("bot", erase_bot, "The bot the server runs (its hub.yaml routes)")
      ->capture_default_str();
  data_erase->add_option("--data", erase_data_dir, "Data directory (baton.db, uploads/)")
      ->capture_default_str();
  data_erase->add_option("--store", erase_options.store, baton::cli::kStoreHelp)
      ->envname(baton::cli::kStoreEnv);

  baton::cli::ReportOptions report_options;
  std::string report_data_dir = "data";
  auto* report = app.add_subcommand(
      "report", "Print the analytics summary (sessions, outcomes, CSAT, handoffs, agents)");
  report->add_option("--from", report_options.from,
                     "Start, ISO-8601 (default: 7 days before --to)");
  report->add_option("--to", report_options.to, "End, ISO-8601 (default: now)");
  report->add_option("--queue", report_options.queue, "Only this queue");
  report->add_option("--topic", report_options.topic, "Only sessions of this topic");
  report->add_option("--agent", report_options.agent, "Only this agent");
  report->add_flag("--json", report_options.json, "Print the JSON of GET /api/analytics/summary");
  report->add_option("--data", report_data_dir, "Data directory (baton.db)")->capture_default_str();
  report->add_option("--store", report_options.store, baton::cli::kStoreHelp)
      ->envname(baton::cli::kStoreEnv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // `baton agent` documents exit 2 for usage errors (CLI11's own codes are 100+).
    const bool agent = argc > 1 && std::string_view(argv[1]) == "agent";
    return agent && code != 0 ? 2 : code;
  }

  if (nlu_eval->parsed()) {
    if (!eval_bot.empty()) {
      return bot_eval_command(eval_bot);
    }
    if (eval.data_path.empty()) {
      std::cerr << "nlu-eval: give --data FILE.json or --bot DIR\n";
      return 2;
    }
    if (!oos_train.empty()) {
      eval.oos_train_key = oos_train;
    }
    if (threshold >= 0) {
      eval.threshold = threshold;
    }
    return baton::nlu::nlu_eval_command(eval, std::cout, std::cerr);
  }

  if (check->parsed()) {
    return check_command(check_paths, strict);
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
    serve_options.metrics_token_file = metrics_token_file;
    return baton::cli::run_serve(serve_options, std::cout, std::cerr);
  }
  if (report->parsed()) {
    report_options.data_dir = report_data_dir;
    baton::SystemClock clock;
    return baton::cli::run_report(report_options, clock, std::cout, std::cerr);
  }
  if (data_export->parsed()) {
    export_options.data_dir = export_data_dir;
    return baton::cli::run_data_export(export_options, std::cout, std::cerr);
  }
  if (data_erase->parsed()) {
    erase_options.data_dir = erase_data_dir;
    erase_options.bot_path = erase_bot;
    return baton::cli::run_data_erase(erase_options, std::cout, std::cerr);
  }
  if (migrate->parsed()) {
    migrate_options.from = migrate_from;
    return baton::cli::run_store_migrate(migrate_options, std::cout, std::cerr);
  }
  if (agent_commands.add->parsed() || agent_commands.list->parsed() ||
      agent_commands.remove->parsed() || agent_commands.passwd->parsed() ||
      agent_commands.disable->parsed() || agent_commands.enable->parsed()) {
    return run_agent_command(agent_commands);
  }
  return 0;
}
