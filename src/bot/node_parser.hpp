#pragma once
// The parser of a topic's node lists, split over node_parser.cpp (lists, node shapes, message,
// set_variable, redirect, end_topic) and node_kinds.cpp (question, condition, handoffs,
// end_conversation). Internal to the loader.

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "bot/loader_internal.hpp"

namespace baton::bot::detail {

// Every node type key, in the order the docs list them.
inline constexpr auto kNodeTypes =
    std::to_array<std::string_view>({"message", "question", "condition", "set_variable", "redirect",
                                     "end_topic", "transfer", "handover", "end_conversation"});

// Parses the nodes of one topic, recording variables, topic references and node ids in the
// topic's TopicInfo and the bot's id list. One instance per topic; not thread-safe.
class NodeParser {
 public:
  NodeParser(ParseContext& ctx, TopicInfo& info, std::vector<NodeId>& ids)
      : ctx_(ctx), info_(info), ids_(ids) {}

  // A list of nodes (`nodes:`, `then:`, `else:`); null reads as an empty list.
  NodeList parse_list(const Field& f, int depth);

 private:
  std::optional<Node> parse_node(const YAML::Node& item, int depth);
  bool read_node_keys(const YAML::Node& item, Node& node, std::optional<Field>& type);
  bool read_id(const Field& f, Node& node);
  std::optional<Node> parse_kind(const Field& f, Node node, int depth);
  bool expect_no_value(const Field& f);

  std::optional<Template> templ(const Field& f);
  bool optional_template(const MapReader& map, std::string_view key, Template& out);
  bool optional_templates(const MapReader& map, std::string_view key, std::vector<Template>& out);
  std::optional<Expression> expression(const Field& f);

  bool parse_message(const Field& f, Node& node);
  bool parse_set_variable(const Field& f, Node& node);
  bool parse_redirect(const Field& f, Node& node);
  bool parse_question(const Field& f, Node& node);
  bool parse_entity(const MapReader& map, QuestionNode& q);
  bool parse_choices(MapReader& map, QuestionNode& q);
  bool parse_choice(const YAML::Node& item, const Field& f, QuestionNode& q);
  bool parse_pattern(MapReader& map, QuestionNode& q);
  bool parse_retries(const MapReader& map, QuestionNode& q);
  bool parse_condition(const Field& f, Node& node, int depth);
  bool parse_branch(const YAML::Node& item, ConditionNode& condition, bool last, int depth);
  bool parse_end_conversation(const Field& f, Node& node);
  bool parse_handoff(const Field& f, Node& node, HandoffNode::Kind kind);
  bool parse_handoff_spec(const Field& f, HandoffSpec& spec);

  ParseContext& ctx_;
  TopicInfo& info_;
  std::vector<NodeId>& ids_;
};

}  // namespace baton::bot::detail
