// The top-level sections of a bot file: bot, settings, variables, topics.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "bot/node_parser.hpp"
#include "core/secret_file.hpp"

namespace baton::bot::detail {
namespace {

std::string where(const SourceLoc& loc) {
  return fmt::format("{}:{}:{}", loc.file, loc.line, loc.column);
}

bool is_bot_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// BCP 47 in its common shape: a 2-8 letter language, then 1-8 character subtags.
bool is_language_tag(std::string_view tag) {
  std::size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    const std::size_t dash = std::min(tag.find('-', start), tag.size());
    const std::string_view part = tag.substr(start, dash - start);
    const bool alnum = std::all_of(part.begin(), part.end(), [&](char c) {
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      return letter || (!first && c >= '0' && c <= '9');
    });
    if (!alnum || part.size() > 8 || part.size() < (first ? 2u : 1u)) {
      return false;
    }
    first = false;
    start = dash + 1;
  }
  return true;
}

// A section must be a map; a null section reads as an empty one.
bool section_is_map(ParseContext& ctx, const Field& f) {
  if (f.value.IsNull() || f.value.IsMap()) {
    return true;
  }
  ctx.error(ctx.loc(f.value),
            fmt::format("'{}' must be a map, got {}", f.name, describe_node(f.value)));
  return false;
}

bool claim_section(ParseContext& ctx, const Field& f, std::optional<SourceLoc>& first) {
  if (first) {
    ctx.error(ctx.loc(f.key), fmt::format("'{}' is already defined at {}", f.name, where(*first)));
    return false;
  }
  first = ctx.loc(f.key);
  return true;
}

// An external bot's Bot Framework credentials: `app_id` and `app_password_file` together (Baton
// then signs what it sends the bot and demands its tokens), or neither (anonymous). The password
// is read here, relative to the YAML file, so `baton check` reports an unreadable file.
void parse_credentials(ParseContext& ctx, const MapReader& map, ExternalBot& external) {
  const Field* app_id = map.get("app_id");
  const Field* password_file = map.get("app_password_file");
  if (const Field* f = map.get("app_password")) {
    ctx.error(ctx.loc(f->key),
              "'app_password': a password is not written in bot.yaml: put it in a file (mode "
              "0600) and name the file with app_password_file");
  }
  if (app_id != nullptr) {
    if (auto id = read_nonempty_string(ctx, *app_id)) {
      if (!is_bot_id(*id)) {  // the same alphabet
        ctx.error(ctx.loc(app_id->value),
                  fmt::format("invalid app_id '{}' (1-128 letters, digits, '-', '_', '.')", *id));
      }
      external.app_id = *id;
    }
    if (password_file == nullptr) {
      ctx.error(ctx.loc(app_id->key), "'app_id' needs 'app_password_file'");
    }
  } else if (password_file != nullptr) {
    ctx.error(ctx.loc(password_file->key), "'app_password_file' needs 'app_id'");
    return;
  }
  if (password_file == nullptr) {
    return;
  }
  auto name = read_nonempty_string(ctx, *password_file);
  if (!name) {
    return;
  }
  std::filesystem::path path(*name);
  if (path.is_relative()) {
    path = std::filesystem::path(ctx.file()).parent_path() / path;
  }
  auto password = read_configured_secret(path, kMinAppPasswordLength);
  if (!password.ok()) {
    ctx.error(ctx.loc(password_file->value), "app_password_file: " + password.error().message);
    return;
  }
  external.app_password = std::move(*password);
}

// The external-bot keys of `bot:` (docs/EXTERNAL_BOTS.md); none of them: a YAML bot.
void parse_external(ParseContext& ctx, const MapReader& map, Bot& bot) {
  const Field* endpoint = map.get("endpoint");
  if (endpoint == nullptr) {
    for (std::string_view key : {"app_id", "app_password_file", "apology"}) {
      if (const Field* f = map.get(key)) {
        ctx.error(ctx.loc(f->key), fmt::format("'{}' is for an external bot: set 'endpoint'", key));
      }
    }
    return;
  }
  ExternalBot external;
  external.loc = ctx.loc(endpoint->value);
  if (auto url = read_nonempty_string(ctx, *endpoint)) {
    const std::string_view scheme = url->starts_with("https://") ? "https://" : "http://";
    if (!url->starts_with(scheme) || url->size() == scheme.size() ||
        url->find_first_of(" \t#@", scheme.size()) != std::string::npos) {
      ctx.error(external.loc,
                fmt::format("invalid endpoint '{}' (expected http[s]://host[:port]/path)", *url));
    }
    external.endpoint = *url;
  }
  parse_credentials(ctx, map, external);
  if (const Field* f = map.get("apology")) {
    if (auto text = read_nonempty_string(ctx, *f)) {
      external.apology_text = *text;
    }
  }
  bot.external = std::move(external);
}

void parse_bot(ParseContext& ctx, const Field& f, ParsedBot& out) {
  if (!claim_section(ctx, f, out.bot_section) || !section_is_map(ctx, f)) {
    return;
  }
  Bot& bot = out.bot;
  bot.loc = ctx.loc(f.key);
  MapReader map(ctx, f.value, "bot",
                {"id", "name", "language", "endpoint", "app_id", "app_password_file",
                 "app_password", "apology"},
                bot.loc);
  if (const Field* id = map.require("id")) {
    auto s = read_nonempty_string(ctx, *id);
    if (s && !is_bot_id(*s)) {
      ctx.error(ctx.loc(id->value),
                fmt::format("invalid bot id '{}': use letters, digits, '_', '.' and '-'", *s));
    }
    bot.id = s.value_or("");
  }
  if (const Field* name = map.require("name")) {
    bot.name = read_nonempty_string(ctx, *name).value_or("");
  }
  if (const Field* language = map.get("language")) {
    auto s = read_nonempty_string(ctx, *language);
    if (s && !is_language_tag(*s)) {
      ctx.error(ctx.loc(language->value),
                fmt::format("invalid language '{}' (expected a BCP 47 tag such as en-us)", *s));
    } else if (s) {
      bot.language = *s;
    }
  }
  parse_external(ctx, map, bot);
}

void read_threshold(ParseContext& ctx, const MapReader& map, std::string_view key, int& out) {
  if (const Field* f = map.get(key)) {
    if (auto n = read_int(ctx, *f)) {
      if (*n < 1) {
        ctx.error(ctx.loc(f->value), fmt::format("'{}' must be at least 1", key));
      } else {
        out = static_cast<int>(*n);
      }
    }
  }
}

void read_text(ParseContext& ctx, const MapReader& map, std::string_view key, std::string& out) {
  if (const Field* f = map.get(key)) {
    if (auto s = read_string(ctx, *f)) {
      out = *s;
    }
  }
}

void parse_handoff_defaults(ParseContext& ctx, const Field& f, HandoffDefaults& out) {
  if (!section_is_map(ctx, f)) {
    return;
  }
  MapReader map(ctx, f.value, "settings.handoff",
                {"agents_online_text", "agents_offline_text", "unavailable_text",
                 "unsupported_text", "waiting_text"},
                ctx.loc(f.key));
  read_text(ctx, map, "agents_online_text", out.agents_online_text);
  read_text(ctx, map, "agents_offline_text", out.agents_offline_text);
  read_text(ctx, map, "unavailable_text", out.unavailable_text);
  read_text(ctx, map, "unsupported_text", out.unsupported_text);
  read_text(ctx, map, "waiting_text", out.waiting_text);
}

void parse_settings(ParseContext& ctx, const Field& f, ParsedBot& out) {
  if (!claim_section(ctx, f, out.settings_section) || !section_is_map(ctx, f)) {
    return;
  }
  Settings& settings = out.bot.settings;
  MapReader map(ctx, f.value, "settings",
                {"no_match_threshold", "invalid_answer_threshold", "confidence_threshold",
                 "escalation_phrases", "cancel_phrases", "handoff"},
                ctx.loc(f.key));
  read_threshold(ctx, map, "no_match_threshold", settings.no_match_threshold);
  read_threshold(ctx, map, "invalid_answer_threshold", settings.invalid_answer_threshold);
  if (const Field* c = map.get("confidence_threshold")) {
    if (auto d = read_double(ctx, *c)) {
      if (*d < 0 || *d > 1) {
        ctx.error(ctx.loc(c->value), "'confidence_threshold' must be between 0 and 1");
      } else {
        settings.confidence_threshold = *d;
      }
    }
  }
  if (const Field* phrases = map.get("escalation_phrases")) {
    out.escalation_phrases_set = true;
    settings.escalation_phrases =
        read_string_list(ctx, *phrases).value_or(std::vector<std::string>{});
  }
  if (const Field* phrases = map.get("cancel_phrases")) {
    settings.cancel_phrases = read_string_list(ctx, *phrases).value_or(std::vector<std::string>{});
  }
  if (const Field* handoff = map.get("handoff")) {
    parse_handoff_defaults(ctx, *handoff, settings.handoff);
  }
}

void parse_variable(ParseContext& ctx, const YAML::Node& item, ParsedBot& out) {
  if (!item.IsMap()) {
    ctx.error(ctx.loc(item), fmt::format("a variable must be a map with 'name' and 'value', got {}",
                                         describe_node(item)));
    return;
  }
  MapReader map(ctx, item, "variable", {"name", "value"});
  Variable variable;
  variable.loc = map.loc();
  const Field* name = map.require("name");
  if (name == nullptr) {
    return;
  }
  auto s = read_variable_name(ctx, *name);
  if (!s) {
    return;
  }
  variable.name = *s;
  if (auto first = out.globals.find(*s); first != out.globals.end()) {
    ctx.error(ctx.loc(name->value), fmt::format("duplicate variable '{}' (first declared at {})",
                                                *s, where(first->second)));
    return;
  }
  out.globals.emplace(*s, variable.loc);
  if (const Field* value = map.get("value")) {
    auto json = read_json(ctx, value->value, value->key);
    if (!json) {
      return;
    }
    variable.initial = std::move(*json);
  }
  out.bot.variables.push_back(std::move(variable));
}

void parse_variables(ParseContext& ctx, const Field& f, ParsedBot& out) {
  if (!claim_section(ctx, f, out.variables_section) || f.value.IsNull()) {
    return;
  }
  if (!f.value.IsSequence()) {
    ctx.error(ctx.loc(f.value),
              fmt::format("'variables' must be a list, got {}", describe_node(f.value)));
    return;
  }
  for (const auto& item : f.value) {
    if (!ctx.visit(item)) {
      return;
    }
    parse_variable(ctx, item, out);
  }
}

std::vector<std::string_view> system_topic_names() {
  return {"greeting", "escalate", "fallback", "end_of_conversation", "start_over"};
}

void parse_system(ParseContext& ctx, const Field& f, Topic& topic) {
  auto s = read_nonempty_string(ctx, f);
  if (!s) {
    return;
  }
  if (auto which = parse_system_topic(*s)) {
    topic.system = *which;
    return;
  }
  ctx.error(ctx.loc(f.value),
            fmt::format("unknown system topic '{}'{}; expected one of: greeting, escalate, "
                        "fallback, end_of_conversation, start_over",
                        *s, did_you_mean(*s, system_topic_names())));
}

void parse_topic(ParseContext& ctx, const YAML::Node& item, ParsedBot& out) {
  if (!item.IsMap()) {
    ctx.error(ctx.loc(item), fmt::format("a topic must be a map with 'name' and 'nodes', got {}",
                                         describe_node(item)));
    return;
  }
  MapReader map(ctx, item, "topic",
                {"name", "description", "system", "confirms_success", "triggers", "nodes"});
  Topic topic;
  TopicInfo info;
  topic.loc = map.loc();
  info.name_loc = map.loc();
  if (const Field* name = map.require("name")) {
    topic.name = read_nonempty_string(ctx, *name).value_or("");
    info.name_loc = ctx.loc(name->value, name->key);
  }
  if (const Field* description = map.get("description")) {
    topic.description = read_string(ctx, *description).value_or("");
  }
  if (const Field* system = map.get("system")) {
    parse_system(ctx, *system, topic);
  }
  if (const Field* confirms = map.get("confirms_success")) {
    topic.confirms_success = read_bool(ctx, *confirms).value_or(false);
  }
  if (const Field* triggers = map.get("triggers")) {
    topic.triggers = read_string_list(ctx, *triggers).value_or(std::vector<std::string>{});
    if (!topic.triggers.empty()) {  // then every item is a non-empty text
      for (const auto& trigger : triggers->value) {
        topic.trigger_locs.push_back(ctx.loc(trigger, triggers->key));
      }
    }
  }
  if (const Field* nodes = map.require("nodes")) {
    topic.nodes = NodeParser(ctx, info, out.node_ids).parse_list(*nodes, 0);
  }
  out.bot.topics.push_back(std::move(topic));
  out.topic_info.push_back(std::move(info));
}

void parse_topics(ParseContext& ctx, const Field& f, ParsedBot& out) {
  if (f.value.IsNull()) {
    return;
  }
  if (!f.value.IsSequence()) {
    ctx.error(ctx.loc(f.value),
              fmt::format("'topics' must be a list, got {}", describe_node(f.value)));
    return;
  }
  for (const auto& item : f.value) {
    if (!ctx.visit(item)) {
      return;
    }
    parse_topic(ctx, item, out);
  }
}

}  // namespace

void parse_file(ParseContext& ctx, const YAML::Node& root, ParsedBot& out) {
  if (root.IsNull() || !root.IsDefined()) {
    return;  // an empty file adds nothing
  }
  if (!root.IsMap()) {
    ctx.error(ctx.loc(root),
              fmt::format("a bot file must be a map with the keys bot, settings, variables and "
                          "topics, got {}",
                          describe_node(root)));
    return;
  }
  MapReader map(ctx, root, "bot file", {"bot", "settings", "variables", "topics"});
  if (const Field* f = map.get("bot")) {
    parse_bot(ctx, *f, out);
  }
  if (const Field* f = map.get("settings")) {
    parse_settings(ctx, *f, out);
  }
  if (const Field* f = map.get("variables")) {
    parse_variables(ctx, *f, out);
  }
  if (const Field* f = map.get("topics")) {
    parse_topics(ctx, *f, out);
  }
}

}  // namespace baton::bot::detail
