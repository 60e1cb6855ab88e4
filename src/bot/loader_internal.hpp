#pragma once
// Internals of the bot loader (loader.cpp → section_parser.cpp / node_parser.cpp → validator.cpp,
// defaults.cpp), shared between its files only.
//
// Parsing turns YAML into the model and records, beside it, what the validator needs with exact
// positions (variables read and set per topic, topic references, node ids). The validator then
// checks the cross-references once every file of the bot has been read.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bot/model.hpp"
#include "bot/source.hpp"

namespace baton::bot::detail {

// Limits that keep hostile YAML (huge alias fan-out, cycles, deep nesting) from exhausting time,
// memory or the stack.
inline constexpr int kMaxYamlNodes = 200000;  // YAML nodes visited per file
inline constexpr int kMaxNesting = 32;        // nested node lists / JSON values
inline constexpr std::size_t kMaxFileBytes = std::size_t{4} * 1024 * 1024;
inline constexpr std::size_t kMaxTemplateBytes = std::size_t{16} * 1024;  // one message text

// A variable read somewhere in a topic (expression or placeholder).
struct VariableUse {
  std::string name;
  SourceLoc loc;
};

// A reference to a topic by name (redirect or cancel_intent).
struct TopicRef {
  std::string topic;
  SourceLoc loc;
  std::string_view key;  // "redirect" or "cancel_intent"
};

// What the validator needs to know about one topic, parallel to Bot::topics.
struct TopicInfo {
  SourceLoc name_loc;
  std::vector<VariableUse> uses;
  std::set<std::string> sets;  // variables assigned in the topic
  std::vector<TopicRef> refs;
};

struct NodeId {
  std::string id;
  SourceLoc loc;
};

// Everything parsed from the files of one bot, with where each top-level section came from.
struct ParsedBot {
  Bot bot;
  std::vector<TopicInfo> topic_info;  // parallel to bot.topics
  std::vector<NodeId> node_ids;
  std::optional<SourceLoc> bot_section;
  std::optional<SourceLoc> settings_section;
  std::optional<SourceLoc> variables_section;
  std::map<std::string, SourceLoc> globals;  // global variable names → where declared
  bool escalation_phrases_set = false;
  // A file could not be read as a YAML map at all (its own error says why), so a missing
  // `bot:` section is not worth a second error.
  bool unreadable_file = false;
};

// Diagnostics and positions for one file being parsed.
class ParseContext {
 public:
  ParseContext(std::string file, std::string_view text, Diagnostics& diagnostics)
      : file_(std::move(file)), text_(text), diagnostics_(diagnostics) {}

  const std::string& file() const { return file_; }

  // 1-based position of a yaml-cpp mark (0-based, byte columns) as an editor shows it.
  SourceLoc loc(const YAML::Mark& mark) const;
  // Position of a node; a null node's mark points at the next token, so pass `fallback`
  // (usually its key) for those.
  SourceLoc loc(const YAML::Node& node) const;
  SourceLoc loc(const YAML::Node& node, const YAML::Node& fallback) const;
  // Position of the code point at 1-based `column` inside a scalar's value, or nullopt when the
  // scalar's text is not written verbatim in the file (escapes, block or multi-line scalars).
  std::optional<SourceLoc> loc_in_scalar(const YAML::Node& scalar, int column) const;
  // Same for a byte offset inside the value; falls back to the scalar's own position.
  SourceLoc loc_at_offset(const YAML::Node& scalar, std::size_t offset) const;

  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);

  // Counts a visited YAML node; false (with one error) once the per-file budget is spent.
  bool visit(const YAML::Node& node);
  bool exhausted() const { return budget_ <= 0; }

 private:
  std::size_t continuation_bytes_before(std::size_t pos) const;

  std::string file_;
  std::string_view text_;
  Diagnostics& diagnostics_;
  int budget_ = kMaxYamlNodes;
  mutable std::vector<std::size_t> blocks_;  // UTF-8 continuation bytes before each 256 bytes
};

// A key/value pair of a YAML map.
struct Field {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};

// Reads a YAML map whose keys must come from `allowed`; reports unknown keys (with a
// "did you mean") and duplicate keys once, at construction.
class MapReader {
 public:
  // `at` is where missing keys are reported: the map's key when it is a value, else the map.
  MapReader(ParseContext& ctx, const YAML::Node& map, std::string what,
            std::initializer_list<std::string_view> allowed,
            std::optional<SourceLoc> at = std::nullopt);

  const Field* get(std::string_view key) const;
  // The field, or an error "missing required key 'key' in <what>" at the map.
  const Field* require(std::string_view key);
  const std::string& what() const { return what_; }
  SourceLoc loc() const { return loc_; }
  const std::vector<Field>& fields() const { return fields_; }

 private:
  ParseContext& ctx_;
  std::string what_;
  SourceLoc loc_;
  std::vector<Field> fields_;
};

// "(did you mean 'x'?)" for the closest candidate, or "" when nothing is close.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// "a list", "a map", "an empty value", or the quoted scalar, for "must be X, got Y" messages.
std::string describe_node(const YAML::Node& node);

// Typed field readers: nullopt after reporting an error.
std::optional<std::string> read_string(ParseContext& ctx, const Field& f);
std::optional<std::string> read_nonempty_string(ParseContext& ctx, const Field& f);
std::optional<long long> read_int(ParseContext& ctx, const Field& f);
std::optional<double> read_double(ParseContext& ctx, const Field& f);
std::optional<bool> read_bool(ParseContext& ctx, const Field& f);
std::optional<std::vector<std::string>> read_string_list(ParseContext& ctx, const Field& f);
// A scalar parsed as a template; records its placeholders as uses in `info` (when given).
std::optional<Template> read_template(ParseContext& ctx, const YAML::Node& value,
                                      const YAML::Node& key, TopicInfo* info);
std::optional<std::vector<Template>> read_template_list(ParseContext& ctx, const Field& f,
                                                        TopicInfo* info);
// Any YAML value as JSON (plain scalars typed as YAML 1.2 core: null, bool, int, float, string).
std::optional<boost::json::value> read_json(ParseContext& ctx, const YAML::Node& value,
                                            const YAML::Node& key);

// Variable names: [A-Za-z_][A-Za-z0-9_]*.
bool is_variable_name(std::string_view name);
// Reads a variable name to assign; reports invalid names and System.* names.
std::optional<std::string> read_variable_name(ParseContext& ctx, const Field& f);

// Parses one file's top-level map into `out` (sections may come from several files).
void parse_file(ParseContext& ctx, const YAML::Node& root, ParsedBot& out);

// Parses a topic's `nodes:` list (node_parser.cpp).
NodeList parse_node_list(ParseContext& ctx, const Field& f, TopicInfo& info,
                         std::vector<NodeId>& ids, int depth);

// Adds the built-in system topics the bot does not define, and the default escalation phrases.
void add_default_topics(ParsedBot& parsed);

// Cross-reference checks over the whole bot (validator.cpp).
void validate(ParsedBot& parsed, Diagnostics& diagnostics);

}  // namespace baton::bot::detail
